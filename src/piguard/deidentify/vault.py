"""The token vault (令牌库): random tokens mapped to values that are encrypted at rest.

GB/T 37964-2019 Appendix A calls this pseudonymisation with "pseudonyms independent of the
identifier (random values + a protected mapping table)". A token is random (``secrets``), so it
says nothing about the value; the vault keeps ``token → AES-GCM(value)`` plus an HMAC of the
value so that the same value always gets the same token (joins keep working). Reading a value
back (detokenisation) needs the key *and* a role that the vault was told to allow.

SQLite (standard library) by default; ``postgresql://`` and ``mysql://`` URLs go through
SQLAlchemy when it is installed (the ``service`` extra).

>>> v = TokenVault(":memory:", key=bytes(32), key_id="vault", reader_roles=("auditor",))
>>> t = v.tokenize("13812345678")
>>> t == v.tokenize("13812345678"), t.startswith("tok_")
(True, True)
>>> v.detokenize(t, role="auditor")
'13812345678'
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from piguard.deidentify._crypto import derive_key, hmac_digest, open_sealed, seal
from piguard.errors import ConfigError, KeyProviderError, StorageError

__all__ = ["TokenVault"]

_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # RFC 4648 base32, lower case


def _new_token(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


class TokenVault:
    """A token vault at ``url`` (a SQLite path, ``sqlite:///path``, ``:memory:``, or a
    PostgreSQL/MySQL URL). ``reader_roles`` are the roles allowed to detokenise."""

    def __init__(
        self,
        url: str,
        *,
        key: bytes,
        key_id: str,
        reader_roles: Iterable[str] = ("reidentifier",),
        prefix: str = "tok_",
        length: int = 20,
        token_factory: Callable[[], str] | None = None,
    ) -> None:
        self.url = url
        self.key_id = key_id
        self.prefix = prefix
        self.length = length
        self.reader_roles = frozenset(reader_roles)
        self._factory = token_factory or (lambda: _new_token(prefix, length))
        # Random 100-bit tokens do not collide; short custom ones (virtual numbers) might.
        self._check_collisions = token_factory is not None
        self.__enc_key = derive_key(key, "vault-aes-gcm")
        self.__mac_key = derive_key(key, "vault-lookup")
        self._lock = threading.Lock()
        self._sa: Any = None
        self._db: sqlite3.Connection | None = None
        if "://" in url and not url.startswith("sqlite:///"):
            self._open_sqlalchemy(url)
        else:
            path = url.removeprefix("sqlite:///")
            try:
                self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS piguard_tokens (token TEXT PRIMARY KEY, "
                    "lookup BLOB NOT NULL UNIQUE, value BLOB NOT NULL, key_id TEXT NOT NULL)"
                )
            except sqlite3.Error as exc:
                raise StorageError(f"token vault {path}: {exc}") from None

    def __repr__(self) -> str:
        return f"TokenVault(key_id={self.key_id!r})"

    def _open_sqlalchemy(self, url: str) -> None:
        try:
            import sqlalchemy as sa
        except ImportError:  # pragma: no cover - the service extra is in dev
            raise ConfigError("a PostgreSQL/MySQL token vault needs SQLAlchemy") from None
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        elif url.startswith("mysql://"):
            url = "mysql+pymysql://" + url.removeprefix("mysql://")
        try:
            engine = sa.create_engine(url)
            meta = sa.MetaData()
            table = sa.Table(
                "piguard_tokens",
                meta,
                sa.Column("token", sa.String(96), primary_key=True),
                sa.Column("lookup", sa.LargeBinary(32), nullable=False, unique=True),
                sa.Column("value", sa.LargeBinary(4096), nullable=False),
                sa.Column("key_id", sa.String(128), nullable=False),
            )
            meta.create_all(engine)
        except (sa.exc.SQLAlchemyError, ValueError, ImportError) as exc:
            # a bad port is a ValueError, a missing driver an ImportError; the URL (with its
            # password) is never shown
            raise StorageError(f"token vault: {type(exc).__name__}") from None
        self._sa = (sa, engine, table)

    # ------------------------------------------------------------------ storage
    def _get_by_lookup(self, lookups: Sequence[bytes]) -> dict[bytes, str]:
        found: dict[bytes, str] = {}
        if self._db is not None:
            for i in range(0, len(lookups), 500):
                chunk = lookups[i : i + 500]
                marks = ",".join("?" * len(chunk))
                q = f"SELECT lookup, token FROM piguard_tokens WHERE lookup IN ({marks})"  # noqa: S608
                found.update(self._db.execute(q, chunk).fetchall())
            return found
        sa, engine, table = self._sa
        with engine.connect() as conn:
            for i in range(0, len(lookups), 500):
                chunk = list(lookups[i : i + 500])
                rows = conn.execute(
                    sa.select(table.c.lookup, table.c.token).where(table.c.lookup.in_(chunk))
                )
                found.update((bytes(r[0]), r[1]) for r in rows)
        return found

    def _insert(self, rows: list[tuple[str, bytes, bytes, str]]) -> None:
        if self._db is not None:
            try:
                self._db.execute("BEGIN")
                self._db.executemany("INSERT INTO piguard_tokens VALUES (?, ?, ?, ?)", rows)
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._db.execute("ROLLBACK")
                raise StorageError(f"token vault: {exc}") from None
            return
        _sa, engine, table = self._sa
        with engine.begin() as conn:
            conn.execute(
                table.insert(),
                [{"token": t, "lookup": lk, "value": v, "key_id": k} for t, lk, v, k in rows],
            )

    def _get_value(self, token: str) -> tuple[bytes, str] | None:
        if self._db is not None:
            row = self._db.execute(
                "SELECT value, key_id FROM piguard_tokens WHERE token = ?", (token,)
            ).fetchone()
            return None if row is None else (bytes(row[0]), str(row[1]))
        sa, engine, table = self._sa
        with engine.connect() as conn:
            r = conn.execute(
                sa.select(table.c.value, table.c.key_id).where(table.c.token == token)
            ).first()
        return None if r is None else (bytes(r[0]), str(r[1]))

    # ------------------------------------------------------------------ API
    def tokenize_batch(self, values: Sequence[str]) -> list[str]:
        """Tokens for ``values``: existing ones are reused, new ones stored in one transaction."""
        with self._lock:
            lookups = [hmac_digest(self.__mac_key, v, "hmac-sha256") for v in values]
            known = self._get_by_lookup(list(dict.fromkeys(lookups)))
            new_rows: list[tuple[str, bytes, bytes, str]] = []
            for value, lk in zip(values, lookups, strict=True):
                if lk not in known:
                    token = self._factory()
                    if self._check_collisions:
                        taken = {t for t, *_ in new_rows}
                        while token in taken or self._get_value(token) is not None:
                            token = self._factory()
                    blob = seal(
                        "aes-gcm", self.__enc_key, value.encode("utf-8"), aad=token.encode()
                    )
                    known[lk] = token
                    new_rows.append((token, lk, blob, self.key_id))
            if new_rows:
                self._insert(new_rows)
            return [known[lk] for lk in lookups]

    def tokenize(self, value: str) -> str:
        """The token of one value."""
        return self.tokenize_batch([value])[0]

    def detokenize(self, token: str, *, role: str) -> str:
        """The value behind ``token``, for a caller acting in an allowed ``role``."""
        if role not in self.reader_roles:
            raise KeyProviderError(
                f"role {role!r} may not detokenise; allowed: {', '.join(sorted(self.reader_roles))}"
            )
        row = self._get_value(token)
        if row is None:
            raise StorageError("unknown token (not in this vault)")
        blob, key_id = row
        if key_id != self.key_id:
            raise KeyProviderError(f"token was stored under key {key_id!r}, not {self.key_id!r}")
        return open_sealed("aes-gcm", self.__enc_key, blob, aad=token.encode()).decode("utf-8")

    def looks_like_token(self, text: str) -> bool:
        """Whether ``text`` has the shape of this vault's tokens (the prefix, then ``length``
        base32 letters). Always False for a vault with a custom ``token_factory`` (virtual
        numbers have no shape of their own).

        >>> v = TokenVault(":memory:", key=bytes(32), key_id="vault")
        >>> v.looks_like_token(v.tokenize("13812345678")), v.looks_like_token("tok_x")
        (True, False)
        """
        if self._check_collisions or len(text) != len(self.prefix) + self.length:
            return False
        return text.startswith(self.prefix) and all(
            c in _ALPHABET for c in text[len(self.prefix) :]
        )

    def lookup_tokens(self, values: Sequence[str]) -> dict[str, str]:
        """The existing tokens of ``values`` (value → token); none are created."""
        with self._lock:
            lookups = {hmac_digest(self.__mac_key, v, "hmac-sha256"): v for v in values}
            found = self._get_by_lookup(list(lookups))
        return {lookups[lk]: token for lk, token in found.items()}

    def revoke(self, *, values: Iterable[str] = (), tokens: Iterable[str] = ()) -> int:
        """Delete the entries of ``values`` (found by their keyed lookup) and of ``tokens``,
        in one transaction; returns how many entries were removed (unknown ones are ignored).
        A revoked token can no longer be detokenised; tokenising the value again gives a new
        token.

        >>> v = TokenVault(":memory:", key=bytes(32), key_id="vault", reader_roles=("r",))
        >>> t = v.tokenize("13812345678")
        >>> v.revoke(values=["13812345678"], tokens=[t, "tok_unknown"])
        1
        >>> v.lookup_tokens(["13812345678"])
        {}
        """
        with self._lock:
            lookups = [hmac_digest(self.__mac_key, v, "hmac-sha256") for v in values]
            toks = list(dict.fromkeys(tokens))
            n = 0
            if self._db is not None:
                try:
                    self._db.execute("BEGIN")
                    for column, keys in (("token", toks), ("lookup", lookups)):
                        for i in range(0, len(keys), 500):
                            chunk = keys[i : i + 500]
                            marks = ",".join("?" * len(chunk))
                            n += self._db.execute(
                                f"DELETE FROM piguard_tokens WHERE {column} IN ({marks})",  # noqa: S608
                                chunk,
                            ).rowcount
                    self._db.execute("COMMIT")
                except sqlite3.Error as exc:
                    self._db.execute("ROLLBACK")
                    raise StorageError(f"token vault: {exc}") from None
                return n
            sa, engine, table = self._sa
            try:
                with engine.begin() as conn:
                    for col, keys_ in ((table.c.token, toks), (table.c.lookup, lookups)):
                        for i in range(0, len(keys_), 500):
                            chunk_ = list(keys_[i : i + 500])
                            n += conn.execute(table.delete().where(col.in_(chunk_))).rowcount or 0
            except sa.exc.SQLAlchemyError as exc:
                raise StorageError(f"token vault: {type(exc).__name__}") from None
            return n

    def close(self) -> None:
        """Close the connection."""
        if self._db is not None:
            self._db.close()
        elif self._sa is not None:
            self._sa[1].dispose()
