"""Service settings: defaults, then a TOML file, then ``PIGUARD_*`` environment variables.

``piguard serve`` works with no set-up: state goes to ``./piguard-data/piguard.db`` (SQLite),
the audit log to ``./piguard-data/audit.db``, keys to ``./piguard-data/keys/`` (created on first
start, readable by the owner only).

>>> s = Settings.load(environ={"PIGUARD_DB_URL": "postgresql://u@127.0.0.1/db"})
>>> s.db_url, s.table_prefix
('postgresql://u@127.0.0.1/db', 'piguard_')
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from piguard.errors import ConfigError

__all__ = ["Settings"]

_ENV_PREFIX = "PIGUARD_"


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the service needs to start. Keys are never stored here, only where they are."""

    #: working directory for the default SQLite files and key files
    data_dir: Path = Path("piguard-data")
    #: SQLAlchemy URL of the service state: sqlite:///…, postgresql://…, mysql://…
    db_url: str | None = None
    #: prefix of every table (several services, or tests, can share one database)
    table_prefix: str = "piguard_"
    #: the Merkle audit log: a path, sqlite:///…, postgresql://…; "memory" keeps events in memory
    audit_log: str | None = None
    #: key provider spec for the pseudonym key (piguard.keys.load_provider), default data_dir/keys
    key_provider: str | None = None
    #: key id of the keyed pseudonyms of subjects
    pseudonym_key: str = "subject"
    #: file holding the Ed25519 signer key (receipts and audit checkpoints)
    signer_key_file: Path | None = None
    #: the signer's key name (appears in checkpoints and receipts)
    origin: str = "piguard.local/service"
    #: the controller named in consent receipts
    controller: str = "piguard"
    #: run the Alembic migrations when the app starts
    migrate: bool = True
    #: create missing key files on start (first run)
    create_keys: bool = True
    log_level: str = "INFO"
    #: data-subject requests: the request store (holds identities; owner-only), the registered
    #: datastore description and the access packages; default data_dir/requests
    requests_dir: Path | None = None
    #: holiday calendar YAML for cancellation deadlines (piguard.rights.load_calendar)
    requests_calendar: str | None = None

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.data_dir / 'piguard.db'}"

    @property
    def audit_target(self) -> str:
        return self.audit_log or str(self.data_dir / "audit.db")

    @property
    def signer_path(self) -> Path:
        return self.signer_key_file or self.data_dir / "keys" / "signer.key"

    @property
    def key_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def requests_path(self) -> Path:
        return self.requests_dir or self.data_dir / "requests"

    @classmethod
    def load(
        cls,
        toml_file: str | os.PathLike[str] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> Settings:
        """Defaults ← TOML file (``[service]`` table or top level) ← environment ← overrides."""
        values: dict[str, Any] = {}
        if toml_file is not None:
            try:
                with open(toml_file, "rb") as fh:
                    data = tomllib.load(fh)
            except OSError as exc:
                raise ConfigError(
                    f"cannot read settings: {exc.strerror}", source=str(toml_file)
                ) from None
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"not valid TOML: {exc}", source=str(toml_file)) from None
            values.update(data.get("service", data))
        env = os.environ if environ is None else environ
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for name in fields:
            var = _ENV_PREFIX + name.upper()
            if var in env:
                values[name] = env[var]
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = sorted(set(values) - fields.keys())
        if unknown:
            raise ConfigError(f"unknown setting {unknown[0]!r}", source=str(toml_file or "env"))
        return cls(**{k: _coerce(k, v) for k, v in values.items()})


def _coerce(name: str, value: Any) -> Any:
    if name in {"data_dir", "signer_key_file", "requests_dir"}:
        return Path(value) if value not in (None, "") else None if name != "data_dir" else Path(".")
    if name in {"migrate", "create_keys"}:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"setting {name!r} must be true or false")
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"setting {name!r} must be text")
    return value
