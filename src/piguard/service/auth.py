"""API keys: random 32-byte secrets shown once, stored as SHA-256 hashes, with scopes.

A key reads ``pgk_<id>_<secret>``; the id finds the row, the SHA-256 of the whole key is
compared in constant time (``hmac.compare_digest``).

>>> key, key_id, digest = new_key()
>>> key.startswith("pgk_" + key_id + "_"), len(digest)
(True, 64)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from piguard.errors import InputError, NotFoundError, StorageError
from piguard.service.db import Tables, bump_epoch, to_us
from piguard.service.reader import StateReader

__all__ = ["SCOPES", "ApiKeys", "new_key"]

#: admin may do everything; the others name one part of the API.
SCOPES = (
    "admin",
    "datamap",
    "consent:write",
    "consent:read",
    "decisions:read",
    "requests",
    "audit:read",
)


def new_key() -> tuple[str, str, str]:
    """A new key: (the key text, its id, the SHA-256 hex of the key)."""
    key_id = secrets.token_hex(6)
    key = f"pgk_{key_id}_{secrets.token_urlsafe(32)}"
    return key, key_id, hashlib.sha256(key.encode()).hexdigest()


class ApiKeys:
    """Create, check and revoke keys.

    A verified key is cached with the state epoch it was read at. :meth:`check` without an
    epoch always reads the key's row; with the epoch a decision's own statement read, a key
    verified at that same epoch is not read again. Revoking a key advances the epoch in the
    same transaction, so a revocation acknowledged by any process is seen by every request
    that starts afterwards, in every process."""

    def __init__(self, engine: Engine, t: Tables, *, reader: StateReader | None = None):
        self.engine = engine
        self.t = t
        self.reader = reader or StateReader(engine, t)
        #: key id -> (SHA-256 hex of the key, scopes, epoch it was read at)
        self._cache: dict[str, tuple[str, frozenset[str], int]] = {}

    def create(self, scopes: list[str], name: str = "") -> tuple[str, str]:
        """Store a new key with ``scopes``; return (key, id). The key is not stored."""
        bad = [s for s in scopes if s not in SCOPES]
        if bad or not scopes:
            raise InputError(
                f"unknown scope {bad[0]!r} (known: {', '.join(SCOPES)})"
                if bad
                else "give at least one scope"
            )
        key, key_id, digest = new_key()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(self.t.api_keys).values(
                        id=key_id,
                        key_hash=digest,
                        scopes=" ".join(dict.fromkeys(scopes)),
                        name=name[:128],
                        created_us=to_us(datetime.now(UTC)),
                        revoked=False,
                    )
                )
        except SQLAlchemyError as exc:
            raise StorageError(f"database error ({type(exc).__name__})") from None
        return key, key_id

    def revoke(self, key_id: str) -> None:
        k = self.t.api_keys
        try:
            with self.engine.begin() as conn:
                n = conn.execute(update(k).where(k.c.id == key_id).values(revoked=True)).rowcount
                if n:
                    bump_epoch(conn, self.t)  # every process's key cache sees the revocation
        except SQLAlchemyError as exc:
            raise StorageError(f"database error ({type(exc).__name__})") from None
        if not n:
            raise NotFoundError(f"no API key with id {key_id!r}")
        self._cache.pop(key_id, None)

    def list(self) -> list[dict[str, Any]]:
        k = self.t.api_keys
        with self.engine.connect() as conn:
            rows = conn.execute(select(k.c.id, k.c.scopes, k.c.name, k.c.revoked)).all()
        return [
            {"id": r.id, "scopes": r.scopes.split(), "name": r.name, "revoked": bool(r.revoked)}
            for r in rows
        ]

    @staticmethod
    def parse(key: str) -> tuple[str, str] | None:
        """(key id, SHA-256 hex of the key) of a well-formed key, or None."""
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != "pgk" or len(parts[1]) != 12 or len(key) > 200:
            return None
        return parts[1], hashlib.sha256(key.encode()).hexdigest()

    def cached(self, key_id: str) -> tuple[str, frozenset[str], int] | None:
        """The cached (hash, scopes, epoch) of a key verified earlier, or None."""
        return self._cache.get(key_id)

    def check(
        self, key: str, epoch: int | None = None, *, parsed: tuple[str, str] | None = None
    ) -> tuple[str, frozenset[str]] | None:
        """(key id, scopes) of a valid, unrevoked key, or None. The key's row is read unless
        ``epoch`` is given and the key was verified at that epoch. ``parsed``: the key's
        :meth:`parse` if the caller has it."""
        parsed = parsed or self.parse(key)
        if parsed is None:
            return None
        key_id, digest = parsed
        cached = self._cache.get(key_id)
        if epoch is None or cached is None or cached[2] != epoch:
            row = self.reader.key(key_id)
            if row.key_hash is None or row.revoked:
                self._cache.pop(key_id, None)
                return None
            cached = (row.key_hash, frozenset(row.scopes.split()), row.epoch)
            self._cache[key_id] = cached
        if not hmac.compare_digest(cached[0], digest):
            return None
        return key_id, cached[1]
