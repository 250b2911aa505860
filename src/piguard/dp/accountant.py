"""The privacy accountant (隐私预算): how much of a data set's budget has been spent.

GB/T 37964-2019 Appendix B (差分隐私, server model): queries are answered by a component
that tracks the cumulative privacy loss and stops when the budget runs out. Here that
component is :class:`PrivacyAccountant`, an explicit object passed to every release
(nothing spends budget silently), backed by a SQLite ledger so that separate runs and
separate processes share one budget per data set.

A data set is identified by the SHA-256 of its content plus a label chosen by the user, so
renaming a file does not reset its budget and two uses of the same file can be told apart
on purpose. The total budget is fixed the first time a data set is seen; the ledger refuses
to change it silently.

>>> import tempfile, pathlib
>>> ledger = Ledger(pathlib.Path(tempfile.mkdtemp()) / "ledger.sqlite")
>>> acct = PrivacyAccountant(ledger, DatasetRef("ab" * 32, "survey"), total_epsilon=1.0)
>>> with acct.spend(0.4, "count"):
...     pass
>>> round(acct.remaining, 6)
0.6
>>> with acct.spend(0.7, "mean"):  # doctest: +ELLIPSIS
...     pass
Traceback (most recent call last):
...
piguard.errors.PrivacyBudgetExceeded: spending ε=0.7 would exceed the budget ... 0.6 left
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import math
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from piguard.errors import ConfigError, PrivacyBudgetExceeded, StorageError

__all__ = ["DatasetRef", "Ledger", "PrivacyAccountant", "dataset_ref"]

# Budgets are compared with a little slack so that 0.1 + 0.2 of a budget of 0.3 fits.
_SLACK = 1e-9

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dp_datasets (
    content_sha256 TEXT NOT NULL,
    label TEXT NOT NULL,
    total_epsilon REAL NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (content_sha256, label)
);
CREATE TABLE IF NOT EXISTS dp_spends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    content_sha256 TEXT NOT NULL,
    label TEXT NOT NULL,
    epsilon REAL NOT NULL,
    purpose TEXT NOT NULL,
    spent_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class DatasetRef:
    """A data set as the ledger knows it: content hash and user label."""

    content_sha256: str
    label: str

    def __post_init__(self) -> None:
        if len(self.content_sha256) != 64:
            raise ConfigError("a data set is identified by the 64-digit SHA-256 of its content")
        if not self.label:
            raise ConfigError("a data set needs a non-empty label")


def dataset_ref(path: str | Path, label: str | None = None) -> DatasetRef:
    """The ledger identity of the file at ``path`` (label defaults to the file name)."""
    p = Path(path)
    digest = hashlib.sha256()
    try:
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise StorageError(f"{p}: cannot read ({exc.strerror})") from None
    return DatasetRef(digest.hexdigest(), label or p.name)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


class Ledger:
    """Spent budget per data set, in one SQLite file shared by every run."""

    def __init__(self, path: str | Path, *, clock: Callable[[], str] = _now) -> None:
        self.path = Path(path)
        self._clock = clock
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as conn:
                conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"{self.path}: cannot open the privacy ledger ({exc})") from None

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()

    def total(self, dataset: DatasetRef, requested: float | None) -> float:
        """The data set's total budget; registers ``requested`` the first time."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT total_epsilon FROM dp_datasets WHERE content_sha256=? AND label=?",
                    (dataset.content_sha256, dataset.label),
                ).fetchone()
                if row is None:
                    if requested is None:
                        raise ConfigError(
                            f"data set {dataset.label!r} has no privacy budget yet: give a total"
                            " (--budget)"
                        )
                    conn.execute(
                        "INSERT INTO dp_datasets VALUES (?, ?, ?, ?)",
                        (dataset.content_sha256, dataset.label, requested, self._clock()),
                    )
                    conn.execute("COMMIT")
                    return requested
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        stored = float(row[0])
        if requested is not None and not math.isclose(requested, stored):
            raise ConfigError(
                f"data set {dataset.label!r} already has a total budget of ε={stored:g};"
                " a budget cannot be changed once spending has started"
            )
        return stored

    def spent(self, dataset: DatasetRef) -> float:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT COALESCE(SUM(epsilon), 0) FROM dp_spends"
                " WHERE content_sha256=? AND label=?",
                (dataset.content_sha256, dataset.label),
            ).fetchone()
        return float(row[0])

    def reserve(self, dataset: DatasetRef, total: float, epsilon: float, purpose: str) -> int:
        """Record a spend if it fits in the budget, atomically across processes."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                spent = float(
                    conn.execute(
                        "SELECT COALESCE(SUM(epsilon), 0) FROM dp_spends"
                        " WHERE content_sha256=? AND label=?",
                        (dataset.content_sha256, dataset.label),
                    ).fetchone()[0]
                )
                if spent + epsilon > total + _SLACK:
                    raise PrivacyBudgetExceeded(
                        f"spending ε={epsilon:g} would exceed the budget of data set"
                        f" {dataset.label!r}: {spent:g} of {total:g} spent,"
                        f" {max(total - spent, 0.0):g} left"
                    )
                cur = conn.execute(
                    "INSERT INTO dp_spends (content_sha256, label, epsilon, purpose, spent_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (dataset.content_sha256, dataset.label, epsilon, purpose, self._clock()),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        assert cur.lastrowid is not None
        return cur.lastrowid

    def cancel(self, spend_id: int) -> None:
        """Undo a reservation whose release never happened (nothing was shown)."""
        with self._connect() as conn:
            conn.execute("DELETE FROM dp_spends WHERE id=?", (spend_id,))

    def history(self, dataset: DatasetRef) -> list[tuple[float, str, str]]:
        """(epsilon, purpose, time) of every spend on the data set, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT epsilon, purpose, spent_at FROM dp_spends"
                " WHERE content_sha256=? AND label=? ORDER BY id",
                (dataset.content_sha256, dataset.label),
            ).fetchall()
        return [(float(e), str(p), str(t)) for e, p, t in rows]


class PrivacyAccountant:
    """The budget of one data set. Pass it to every release; it refuses to overspend."""

    def __init__(self, ledger: Ledger, dataset: DatasetRef, *, total_epsilon: float | None = None):
        if total_epsilon is not None and not (total_epsilon > 0 and math.isfinite(total_epsilon)):
            raise ConfigError("the total privacy budget ε must be a positive number")
        self.ledger = ledger
        self.dataset = dataset
        self.total = ledger.total(dataset, total_epsilon)

    @property
    def spent(self) -> float:
        return self.ledger.spent(self.dataset)

    @property
    def remaining(self) -> float:
        return max(self.total - self.spent, 0.0)

    @contextlib.contextmanager
    def spend(self, epsilon: float, purpose: str) -> Iterator[None]:
        """Reserve ``epsilon`` before a release; the reservation is undone if the block
        fails (the release then showed nothing), and kept otherwise."""
        if not (epsilon > 0 and math.isfinite(epsilon)):
            raise ConfigError("ε must be a positive number")
        spend_id = self.ledger.reserve(self.dataset, self.total, epsilon, purpose)
        try:
            yield
        except BaseException:
            self.ledger.cancel(spend_id)
            raise
