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
import threading
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from piguard.errors import InputError, NotFoundError, StorageError
from piguard.service.db import Tables, to_us

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
    """Create, check and revoke keys. Verified keys are cached for ``cache_seconds`` (a revoked
    key stops working within that time)."""

    def __init__(self, engine: Engine, t: Tables, *, cache_seconds: float = 5.0):
        self.engine = engine
        self.t = t
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[str, frozenset[str], float]] = {}
        self._lock = threading.Lock()

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
        with self.engine.begin() as conn:
            n = conn.execute(update(k).where(k.c.id == key_id).values(revoked=True)).rowcount
        if not n:
            raise NotFoundError(f"no API key with id {key_id!r}")
        with self._lock:
            self._cache.pop(key_id, None)

    def list(self) -> list[dict[str, Any]]:
        k = self.t.api_keys
        with self.engine.connect() as conn:
            rows = conn.execute(select(k.c.id, k.c.scopes, k.c.name, k.c.revoked)).all()
        return [
            {"id": r.id, "scopes": r.scopes.split(), "name": r.name, "revoked": bool(r.revoked)}
            for r in rows
        ]

    def check(self, key: str) -> tuple[str, frozenset[str]] | None:
        """(key id, scopes) of a valid key, or None."""
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != "pgk" or len(parts[1]) != 12 or len(key) > 200:
            return None
        key_id = parts[1]
        digest = hashlib.sha256(key.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key_id)
        if cached is None or cached[2] < now:
            k = self.t.api_keys
            reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            with reader.connect() as conn:
                row = conn.execute(
                    select(k.c.key_hash, k.c.scopes).where(k.c.id == key_id, k.c.revoked.is_(False))
                ).first()
            if row is None:
                return None
            cached = (row.key_hash, frozenset(row.scopes.split()), now + self.cache_seconds)
            with self._lock:
                self._cache[key_id] = cached
        if not hmac.compare_digest(cached[0], digest):
            return None
        return key_id, cached[1]
