"""The exceptions piguard raises: one tree, rooted at :class:`PiguardError`.

Only ``piguard.cli`` maps these to exit codes and only ``piguard.service`` maps them to
HTTP responses; the library itself just raises. Messages are one line, name the source
(file, line or row) where there is one, and never contain personal information or keys.

::

    PiguardError
    ├── ConfigError                  a policy, settings or data-map file is wrong
    ├── InputError                   input data cannot be read or parsed (has source/line)
    │   └── EncodingError            bytes that are not in the detected or given encoding
    ├── UnknownKeyError              a taxonomy key, app category, industry or entity is unknown
    ├── InvalidIdentifier            an identifier fails validation (raised by validators)
    │   ├── InvalidFormat            wrong characters or layout
    │   ├── InvalidLength            wrong number of characters
    │   ├── InvalidChecksum          the check digit does not match
    │   └── InvalidComponent         a part is impossible (a date, a region code ...)
    ├── KeyProviderError             a key is missing, malformed or not allowed
    ├── StorageError                 a database or file store failed
    ├── IntegrityError               stored data does not verify (tampering, truncation)
    ├── PrivacyBudgetExceeded        a differential-privacy release would overspend its budget
    ├── InfeasibleError              no solution meets the requested privacy model
    ├── NotFoundError                a stored record (notice, consent, key) does not exist
    └── ConflictError                a request conflicts with recorded state (a re-prompt too soon)
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ConflictError",
    "EncodingError",
    "InfeasibleError",
    "InputError",
    "IntegrityError",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidIdentifier",
    "InvalidLength",
    "KeyProviderError",
    "NotFoundError",
    "PiguardError",
    "PrivacyBudgetExceeded",
    "StorageError",
    "UnknownKeyError",
]


class PiguardError(Exception):
    """The root of every error piguard raises on purpose."""


class ConfigError(PiguardError):
    """A policy, settings or data-map file is wrong.

    >>> str(ConfigError("unknown operator 'fpe3'", source="policy.yaml", line=12))
    "policy.yaml:12: unknown operator 'fpe3'"
    """

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.message = message
        self.source = source
        self.line = line
        super().__init__(_located(message, source, line))


class InputError(PiguardError):
    """Input data cannot be read or parsed.

    ``source`` names the file, table or URL (credentials removed); ``line`` counts from 1
    and may name a line of text or a row of a table.

    >>> str(InputError("expected 5 fields, found 3", source="orders.csv", line=7))
    'orders.csv:7: expected 5 fields, found 3'
    """

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.message = message
        self.source = source
        self.line = line
        super().__init__(_located(message, source, line))


class EncodingError(InputError):
    """Bytes that are not valid in the detected or given encoding."""


class UnknownKeyError(PiguardError, LookupError):
    """A taxonomy key, app category, industry profile or entity name is unknown."""


class InvalidIdentifier(PiguardError, ValueError):
    """An identifier (resident ID, bank card, ...) fails validation."""


class InvalidFormat(InvalidIdentifier):
    """The identifier has characters or a layout it cannot have."""


class InvalidLength(InvalidIdentifier):
    """The identifier has the wrong number of characters."""


class InvalidChecksum(InvalidIdentifier):
    """The identifier's check digit does not match."""


class InvalidComponent(InvalidIdentifier):
    """A part of the identifier is impossible (a date, a region code, a prefix)."""


class KeyProviderError(PiguardError):
    """A key is missing, malformed or not allowed. The message never contains key material."""


class StorageError(PiguardError):
    """A database or file store failed (unreachable, permission denied, schema mismatch)."""


class IntegrityError(PiguardError):
    """Stored data does not verify: it was changed, deleted, inserted, reordered or truncated."""


class PrivacyBudgetExceeded(PiguardError):
    """A differential-privacy release would spend more than the remaining budget."""


class InfeasibleError(PiguardError):
    """No solution satisfies the requested privacy model within the given limits."""


class NotFoundError(PiguardError, LookupError):
    """A stored record (a notice version, a consent, an API key) does not exist."""


class ConflictError(PiguardError):
    """A request conflicts with recorded state, e.g. asking for consent again within 48 hours
    of a refusal (GB/T 35273-2020 Appendix C)."""


def _located(message: str, source: str | None, line: int | None) -> str:
    if source is None:
        return message
    if line is None:
        return f"{source}: {message}"
    return f"{source}:{line}: {message}"
