"""Executing data-subject requests: a graph walk from the person's identity over the tables.

For each datastore, the walk starts at the rows whose identity columns hold the request's
identity and follows references from a parent row to the rows that point at it (an order
points at its user, a payment at its order), never the other way and never along a
self-reference (a user's ``referrer_id`` would lead to other people). The walk keeps the keys
it has seen, so cycles end. Key look-ups use keyset pagination (``key > last ORDER BY key
LIMIT page``) and rows are fetched and written page by page: memory grows with the number of
the person's rows' keys, not with the size of the tables.

* access / copy / portability: every row of the person, per table, into a package (JSON + CSV
  per table and ``manifest.json`` with SHA-256 hashes), written atomically to a folder or zip.
* deletion / cancellation: in one transaction per datastore, children before parents: delete
  rows, mask columns with a de-identification operator, or skip a table under a legal hold
  (the reason is recorded). Rows of other people are not touched.

Each datastore is one persisted step; a failure records the datastore, table and a
credential-free reason and leaves the request ``failed``; :meth:`Executor.run` on it again
(resume) skips the finished steps. Every step is audited with a keyed pseudonym of the person.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import tempfile
import threading
import uuid
import zipfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from piguard._util import atomic_write
from piguard.audit import AuditEvent, AuditSink, Pseudonymizer
from piguard.consent import Action, Channel, ConsentService
from piguard.datamap import DataMap
from piguard.deidentify import TokenVault, default_operators
from piguard.errors import ConfigError, ConflictError, InputError, PiguardError, StorageError
from piguard.keys import KeyProvider
from piguard.rights.dataset import Datastore, Description, Reference, TableSpec, VaultSpec
from piguard.rights.explain import explanation, explanation_markdown
from piguard.rights.store import Request, RequestStore
from piguard.sources import redact_url
from piguard.sources._sql import _engine_url, _read_only, _safe_error, _sqlalchemy

__all__ = ["ACCESS_TYPES", "ERASURE_TYPES", "EXECUTABLE_TYPES", "PACKAGE_SCHEMA", "Executor"]

ACCESS_TYPES = ("access", "copy", "portability")
ERASURE_TYPES = ("deletion", "cancellation")
#: Requests that also withdraw the person's current consents. Deletion does too: once the
#: person's PI is erased, no purpose consented to can be pursued with it, and consent left
#: in force would let processing resume on newly collected PI without a new choice
#: (PIPL Art. 15 and 47; GB/T 35273-2020 8.3, 8.4, 8.5).
WITHDRAWING_TYPES = ("deletion", "cancellation", "consent_withdrawal")
#: The detail of a ``consents`` step skipped because no consent service was given.
NO_CONSENT_SERVICE = "no consent service configured; withdraw consents there"
#: every request type is executed (explanation: PIPL Art. 48)
EXECUTABLE_TYPES = (
    *ACCESS_TYPES,
    *ERASURE_TYPES,
    "consent_withdrawal",
    "correction",
    "explanation",
)
PACKAGE_SCHEMA = "piguard.portability/1"
_CHUNK = 500


_PLAIN = frozenset({type(None), bool, int, float, str})
#: one encoder for every row (json.dumps with options builds a new one per call)
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _jsonable(value: Any) -> Any:
    if type(value) in _PLAIN or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _plain_error(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"  # no file names: they may hold PI
    return str(exc)


class _StepFailed(Exception):
    def __init__(self, table: str | None, message: str) -> None:
        super().__init__(message)
        self.table = table
        self.message = message


class _Walk:
    """The graph walk over one datastore's tables on one connection."""

    def __init__(self, conn: Any, sa: Any, ds: Datastore, page: int) -> None:
        self.conn, self.sa, self.ds, self.page = conn, sa, ds, page
        md = sa.MetaData()
        names = list(ds.tables)
        self.table: str | None = None
        try:
            md.reflect(conn, only=names)
        except sa.exc.InvalidRequestError as exc:
            raise _StepFailed(None, f"tables missing from the datastore ({exc})") from None
        self.tables = {n: md.tables[n] for n in names}
        refs: dict[str, list[Reference]] = {
            n: [r for r in ds.tables[n].references if r.datastore is None] for n in names
        }
        if ds.foreign_keys:
            for n, t in self.tables.items():
                for fk in t.foreign_keys:
                    parent = fk.column.table.name
                    ref = Reference(fk.parent.name, parent, fk.column.name)
                    if parent in self.tables and ref not in refs[n]:
                        refs[n].append(ref)
        # never follow a self-reference (it leads to other people's rows), nor a column the
        # description says does not make the row the person's (ignore_references)
        self.refs = {
            n: [r for r in rs if r.parent != n and r.column not in ds.tables[n].ignore_references]
            for n, rs in refs.items()
        }

    def _col(self, table: str, column: str) -> Any:
        try:
            return self.tables[table].c[column]
        except KeyError:
            raise _StepFailed(table, f"table {table} has no column {column}") from None

    def _coerce(self, column: Any, value: str) -> Any:
        try:
            py = column.type.python_type
        except NotImplementedError:
            return value
        if py is int:
            return int(value) if value.strip().lstrip("-").isdigit() else None
        return value

    def in_(self, column: Any, values: Sequence[Any]) -> Any:
        """``column IN values``; on PostgreSQL ``column = ANY(:array)``, one parameter instead
        of hundreds (the driver parses no long statement and the plan can be cached)."""
        if self.conn.dialect.name == "postgresql":
            array = self.sa.bindparam(None, list(values), type_=self.sa.ARRAY(column.type))
            return column == self.sa.any_(array)
        return column.in_(values)

    def _keys_where(self, table: str, column: str, values: Sequence[Any]) -> list[Any]:
        """Keys of ``table`` whose ``column`` is in ``values``, streamed a page at a time
        (server-side cursors on PostgreSQL and MySQL). No ORDER BY/LIMIT: the index on
        ``column`` answers directly, and a planner cannot pick a scan of the whole table in
        key order instead."""
        sa = self.sa
        key, col = self._col(table, self.ds.tables[table].key), self._col(table, column)
        out: list[Any] = []
        stream = {"stream_results": True, "yield_per": self.page}  # this statement only
        for chunk in _chunks(list(values)):
            q = sa.select(key).where(self.in_(col, chunk))
            result = self.conn.execute(q, execution_options=stream)
            for part in result.partitions(self.page):
                out.extend(r[0] for r in part)
        return out

    def _values(self, table: str, column: str, keys: Sequence[Any]) -> set[Any]:
        spec = self.ds.tables[table]
        if column == spec.key:
            return set(keys)
        sa = self.sa
        key, col = self._col(table, spec.key), self._col(table, column)
        out: set[Any] = set()
        for chunk in _chunks(sorted(keys)):
            out.update(r[0] for r in self.conn.execute(sa.select(col).where(self.in_(key, chunk))))
        out.discard(None)
        return out

    def _convert(self, column: Any, value: Any) -> Any:
        """A value carried from another datastore, in this column's Python type."""
        if isinstance(value, str):
            return self._coerce(column, value)
        try:
            py = column.type.python_type
        except NotImplementedError:
            return value
        return str(value) if py is str else value

    def keys(
        self,
        identity: dict[str, str],
        carried: dict[str, list[tuple[str, set[Any]]]] | None = None,
    ) -> dict[str, list[Any]]:
        """Keys of the person's rows per table (sorted). ``carried`` seeds the walk with the
        values other datastores' rows of the person hold: table -> [(column, values)]."""
        found: dict[str, set[Any]] = {n: set() for n in self.tables}
        pending: deque[str] = deque()
        for name, spec in self.ds.tables.items():
            self.table = name
            for kind, column in spec.identity.items():
                if kind in identity:
                    value = self._coerce(self._col(name, column), identity[kind])
                    if value is None:
                        continue
                    new = set(self._keys_where(name, column, [value])) - found[name]
                    if new:
                        found[name] |= new
                        pending.append(name)
        for name, pairs in (carried or {}).items():
            self.table = name
            for column, values in pairs:
                col = self._col(name, column)
                vals = {self._convert(col, v) for v in values} - {None}
                new = set(self._keys_where(name, column, sorted(vals))) - found[name]
                if new:
                    found[name] |= new
                    if name not in pending:
                        pending.append(name)
        children: dict[str, list[tuple[str, Reference]]] = {n: [] for n in self.tables}
        for child, refs in self.refs.items():
            for ref in refs:
                children[ref.parent].append((child, ref))
        sent: dict[tuple[str, Reference], set[Any]] = {}
        while pending:
            parent = pending.popleft()
            for child, ref in children[parent]:
                self.table = child
                values = self._values(parent, ref.parent_column, sorted(found[parent]))
                done = sent.setdefault((child, ref), set())
                new_values = values - done
                done |= new_values
                if not new_values:
                    continue
                new = set(self._keys_where(child, ref.column, sorted(new_values))) - found[child]
                if new:
                    found[child] |= new
                    pending.append(child)
        self.table = None
        return {n: sorted(k) for n, k in found.items()}

    def pages(self, table: str, keys: Sequence[Any]) -> Iterator[Sequence[Sequence[Any]]]:
        """The rows with ``keys`` in key order, one page (at most ``page`` rows) at a time."""
        t = self.tables[table]
        key = self._col(table, self.ds.tables[table].key)
        for chunk in _chunks(keys, self.page):
            yield self.conn.execute(
                self.sa.select(t).where(self.in_(key, chunk)).order_by(key)
            ).all()

    def erase_order(self) -> list[str]:
        """Tables children first (a table after every table that references it)."""
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(n: str) -> None:
            if state.get(n) == 2:
                return
            if state.get(n) == 1:
                raise ConfigError(f"datastore {self.ds.name!r}: references form a cycle at {n}")
            state[n] = 1
            for child, refs in self.refs.items():
                if any(r.parent == n for r in refs):
                    visit(child)
            state[n] = 2
            order.append(n)

        for n in sorted(self.tables):
            visit(n)
        return order


class _Heartbeat:
    """Renews a request's lease every third of its length from a thread with its own
    connection to the request store, so a long step does not lose it."""

    def __init__(self, path: str, request_id: str, owner: str, seconds: float) -> None:
        self._stop = threading.Event()
        self._args = (path, request_id, owner, seconds)
        self._thread = threading.Thread(target=self._beat, name="piguard-lease", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        path, request_id, owner, seconds = self._args
        store = RequestStore(path)
        try:
            while not self._stop.wait(seconds / 3):
                if not store.renew_lease(request_id, owner, seconds=seconds):
                    return  # lost: the runner notices before its next step
        except PiguardError:
            return
        finally:
            store.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _publish(files: list[tuple[str, Path]], texts: dict[str, str], output: Path) -> Path:
    """Write staged ``files`` and in-memory ``texts`` to a new folder or a ``.zip``, atomically
    (a temporary folder renamed, or :func:`atomic_write`): nothing half-written is left."""
    if output.suffix == ".zip":
        output.parent.mkdir(parents=True, exist_ok=True)  # as for a folder
        with (
            atomic_write(output, mode="wb", encoding=None) as fh,
            zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        ):
            for arc, path in files:
                zf.write(path, arc)
            for arc, text in texts.items():
                zf.writestr(arc, text)
        return output
    if output.exists():
        raise InputError(f"{output} already exists; choose a new folder or a .zip")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        for arc, path in files:
            (tmp / arc).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, tmp / arc)
        for arc, text in texts.items():
            (tmp / arc).write_text(text, encoding="utf-8")
        os.replace(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return output


class Executor:
    """Runs requests against the datastores of a description, persisting each step."""

    def __init__(
        self,
        description: Description,
        store: RequestStore,
        *,
        work_dir: str | os.PathLike[str],
        audit: AuditSink | None = None,
        pseudonymizer: Pseudonymizer | None = None,
        keys: KeyProvider | None = None,
        actor: str = "piguard-rights",
        page_size: int = 1000,
        today: Callable[[], dt.date] = dt.date.today,
        connect: Callable[[str], Any] | None = None,
        consents: ConsentService | None = None,
        consent_identity: str = "user_id",
        consent_channel: Channel = Channel.WEB,
        datamap: DataMap | None = None,
        lease_seconds: float = 120.0,
    ) -> None:
        self.description = description
        self.store = store
        self.work_dir = Path(work_dir)
        self.audit = audit
        self.pseudonymizer = pseudonymizer
        self.keys = keys
        self.actor = actor
        self.page_size = page_size
        self.today = today
        self._connect = connect
        self.consents = consents
        self.consent_identity = consent_identity
        self.consent_channel = consent_channel
        self.datamap = datamap
        self.lease_seconds = lease_seconds
        #: who holds a request's lease while this executor runs it (no PI: host and process)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._operators = default_operators(plugins=False)
        self._vaults: dict[str, TokenVault] = {}

    # ----------------------------------------------------------------- audit
    def _emit(self, request: Request, action: str, **details: str | int | bool | None) -> None:
        if self.audit is None:
            return
        subject = None
        if self.pseudonymizer is not None:
            # the user id when known: the same pseudonym consent events carry for the person
            kind = "user_id" if "user_id" in request.identity else sorted(request.identity)[0]
            subject = self.pseudonymizer.pseudonym(request.identity[kind])
        self.audit.emit(
            AuditEvent(
                time=dt.datetime.now(dt.UTC),
                actor=self.actor,
                action=action,
                purpose=f"data-subject-request:{request.type}",
                subject=subject,
                request_id=request.id,
                details=details,
            )
        )

    # ----------------------------------------------------------------- life cycle
    def verify(self, request_id: str) -> Request:
        """Record that the person's identity was verified."""
        req = self.store.transition(request_id, "identity_verified")
        self._emit(req, "rights.request.verified")
        return req

    def refuse(self, request_id: str, reason: str) -> Request:
        """Refuse with a reason; the complaint route is added (GB/T 35273-2020 8.7)."""
        req = self.store.transition(request_id, "refused", reason=reason)
        self.store.clear_tokens(request_id)
        self._emit(req, "rights.request.refused")
        return req

    def run(self, request_id: str, *, output: str | os.PathLike[str] | None = None) -> Request:
        """Run (or resume) a request; returns it completed or failed.

        A request that is ``identity_verified`` starts; one that is ``failed`` (or was left
        ``in_progress`` by an interrupted process) resumes, skipping finished steps. One
        runner at a time: the request's lease is taken first (:class:`ConflictError` if another
        process holds it) and renewed while the run lasts.
        """
        self.store.get(request_id)  # an unknown id is an InputError, not a lease
        self.store.acquire_lease(request_id, self.owner, seconds=self.lease_seconds)
        beat = None
        if self.store.path != ":memory:":
            beat = _Heartbeat(self.store.path, request_id, self.owner, self.lease_seconds)
        try:
            return self._run(request_id, output)
        finally:
            if beat is not None:
                beat.stop()
            self.store.release_lease(request_id, self.owner)

    def _run(self, request_id: str, output: str | os.PathLike[str] | None) -> Request:
        req = self.store.get(request_id)  # read again under the lease
        if req.type not in EXECUTABLE_TYPES:
            raise InputError(f"unknown request type {req.type}")
        if req.state not in ("identity_verified", "failed", "in_progress"):
            raise InputError(
                f"request {req.id} is {req.state}; run needs identity_verified or failed"
            )
        if req.type in (*ACCESS_TYPES, "explanation") and output is None:
            raise InputError(f"an {req.type} request needs an output (-o: a new folder or .zip)")
        if output is not None and Path(output).suffix != ".zip" and Path(output).exists():
            raise InputError(f"{output} already exists; choose a new folder or a .zip")
        order = self._datastore_order()  # parents first; a cycle is a ConfigError
        if req.type in ERASURE_TYPES:
            self._check_cross_erasable()
        if req.state != "in_progress":
            req = self.store.transition(req.id, "in_progress")
        self._emit(req, "rights.request.started")
        staging = self.work_dir / req.id
        steps: list[tuple[str, str | None, Callable[[], dict[str, Any]]]] = []
        if req.type != "consent_withdrawal":
            # the person's values that other datastores' tables reference, parents first
            parents = {r[2].datastore for r in self._cross_refs()}
            for name in order:
                if name in parents:
                    ds = self.description.datastores[name]
                    steps.append((f"carry:{name}", name, partial(self._carry, req, ds)))
        if req.type in ACCESS_TYPES + ERASURE_TYPES:
            # erasure children first across datastores: a datastore before the ones it
            # references (their rows are still there when it is erased)
            names = self._datastore_order(children_first=True)
            for name in names if req.type in ERASURE_TYPES else sorted(names):
                ds = self.description.datastores[name]
                if req.type in ACCESS_TYPES:
                    steps.append(
                        (f"collect:{name}", name, partial(self._collect, req, ds, staging / name))
                    )
                else:
                    steps.append((f"erase:{name}", name, partial(self._erase, req, ds)))
        if req.type == "explanation":
            for name in sorted(self.description.datastores):
                ds = self.description.datastores[name]
                steps.append((f"explain:{name}", name, partial(self._count, req, ds)))
        if req.type == "correction":
            changes = self._changes(req)
            for name in sorted(changes):
                ds = self.description.datastores[name]
                steps.append(
                    (f"correct:{name}", name, partial(self._correct, req, ds, changes[name]))
                )
        if req.type in ERASURE_TYPES:
            for name in sorted(self.description.vaults):
                vspec = self.description.vaults[name]
                steps.append((f"vault:{name}", None, partial(self._revoke, req, vspec)))
        if req.type in WITHDRAWING_TYPES:
            steps.append(("consents", None, partial(self._withdraw_consents, req)))
        try:
            return self._steps(req, steps, output, staging)
        finally:
            self._close_vaults()

    # ----------------------------------------------------------------- across datastores
    def _cross_refs(self) -> list[tuple[str, str, Reference]]:
        """(datastore, table, reference) for every reference to another datastore."""
        return [
            (name, table, ref)
            for name, ds in sorted(self.description.datastores.items())
            for table, spec in sorted(ds.tables.items())
            for ref in spec.references
            if ref.datastore is not None
        ]

    def _datastore_order(self, *, children_first: bool = False) -> list[str]:
        """Datastore names with every referenced datastore before those referencing it (or
        after, ``children_first``); ties by name. A cycle is a :class:`ConfigError`."""
        names = sorted(self.description.datastores)
        before: dict[str, set[str]] = {n: set() for n in names}  # n must come after these
        for child, _, ref in self._cross_refs():
            assert ref.datastore is not None
            if children_first:
                before[ref.datastore].add(child)
            else:
                before[child].add(ref.datastore)
        order: list[str] = []
        while len(order) < len(names):
            ready = [n for n in names if n not in order and before[n] <= set(order)]
            if not ready:
                left = ", ".join(n for n in names if n not in order)
                raise ConfigError(f"references between datastores form a cycle ({left})")
            order.append(ready[0])
        return order

    def _carried(self, req: Request, ds: Datastore) -> dict[str, list[tuple[str, set[Any]]]]:
        """For the tables of ``ds`` that reference other datastores: the values the person's
        rows there hold (remembered by the carry steps)."""
        out: dict[str, list[tuple[str, set[Any]]]] = {}
        for name, table, ref in self._cross_refs():
            if name == ds.name:
                assert ref.datastore is not None
                values = self.store.carried(req.id, ref.datastore, ref.parent, ref.parent_column)
                out.setdefault(table, []).append((ref.column, values))
        return out

    def _carry(self, req: Request, ds: Datastore) -> dict[str, Any]:
        """Walk ``ds`` (read-only) and remember the values of the columns other datastores
        reference, in the person's rows, so that their walks can start from them."""
        wanted = {
            (ref.parent, ref.parent_column) for _, _, ref in self._cross_refs()
            if ref.datastore == ds.name
        }  # fmt: skip
        sa, engine, url = self._engine(ds)
        walk: _Walk | None = None
        counts: dict[str, int] = {}
        try:
            with engine.connect() as conn:
                _read_only(conn, sa)
                walk = _Walk(conn, sa, ds, self.page_size)
                keys = walk.keys(req.identity, self._carried(req, ds))
                for table, column in sorted(wanted):
                    walk.table = table
                    values = {_jsonable(v) for v in walk._values(table, column, keys[table])}
                    self.store.add_carried(req.id, ds.name, table, column, values)
                    counts[f"{table}.{column}"] = len(values)
                conn.rollback()
        except sa.exc.SQLAlchemyError as exc:
            raise self._fail(exc, url, walk.table if walk else None) from None
        finally:
            engine.dispose()
        return {"carried": counts}

    def _check_cross_erasable(self) -> None:
        """Refuse, before anything is touched, to delete rows that a kept (masked or held)
        table of another datastore references: no database enforces such a reference."""
        today = self.today()
        for name, table, ref in self._cross_refs():
            assert ref.datastore is not None
            child = self.description.datastores[name].tables[table].erasure
            if child.action == "delete" or (child.action == "hold" and not child.held(today)):
                continue
            parent = self.description.datastores[ref.datastore].tables[ref.parent]
            if parent.erasure.action == "delete":
                kept = "legal hold" if child.action == "hold" else "masked"
                raise ConfigError(
                    f"{ref.datastore}.{ref.parent} would be deleted but {name}.{table} "
                    f"({kept}) references it; give {ref.parent} a mask erasure instead"
                )

    def _steps(
        self,
        req: Request,
        steps: list[tuple[str, str | None, Callable[[], dict[str, Any]]]],
        output: str | os.PathLike[str] | None,
        staging: Path,
    ) -> Request:
        for step, where, action in steps:
            if self.store.step_state(req.id, step) == "done":
                continue
            if not self.store.renew_lease(req.id, self.owner, seconds=self.lease_seconds):
                raise ConflictError(
                    f"request {req.id}: this runner's lease expired and was taken over; "
                    f"stopped before step {step}"
                )
            self.store.start_step(req.id, step, datastore=where)
            try:
                detail = action()
            except (_StepFailed, PiguardError, OSError) as exc:
                table = exc.table if isinstance(exc, _StepFailed) else None
                message = exc.message if isinstance(exc, _StepFailed) else _plain_error(exc)
                self.store.finish_step(req.id, step, "failed", table=table, error=message)
                place = f"datastore {where}" if where else step
                failed = self.store.transition(req.id, "failed", reason=f"{place}: {message}")
                self._emit(failed, "rights.step.failed", step=step, table=table)
                return failed
            state = "skipped" if "skipped" in detail else "done"
            self.store.finish_step(req.id, step, state, detail=detail)
            counts = {f"rows.{t}": n for t, n in detail.get("rows", {}).items()}
            counts |= {k: v for k, v in detail.items() if type(v) is int}  # revoked, withdrawn
            self._emit(req, f"rights.step.{step.split(':')[0]}", datastore=where, **counts)
        result = None
        try:
            if req.type in ACCESS_TYPES:
                assert output is not None
                result = str(self._package(req, staging, Path(output)))
                shutil.rmtree(staging, ignore_errors=True)
            elif req.type == "explanation":
                assert output is not None
                result = str(self._explain(req, Path(output)))
        except OSError as exc:  # the steps stay done: a resume only writes the output again
            failed = self.store.transition(
                req.id, "failed", reason=f"writing {Path(output or '').name}: {_plain_error(exc)}"
            )
            self._emit(failed, "rights.step.failed", step="package", table=None)
            return failed
        done = self.store.transition(req.id, "completed", result=result)
        self.store.clear_tokens(req.id)
        self._emit(done, "rights.request.completed")
        return done

    # ----------------------------------------------------------------- token vaults
    def _vault(self, spec: VaultSpec) -> TokenVault:
        vault = self._vaults.get(spec.name)
        if vault is None:
            if self.keys is None:
                raise ConfigError(
                    f"vault {spec.name!r} needs a key provider holding key {spec.key!r}"
                )
            vault = TokenVault(
                spec.resolve_url(),
                key=self.keys.get_key(spec.key),
                key_id=spec.key,
                prefix=spec.prefix,
                length=spec.length,
            )
            self._vaults[spec.name] = vault
        return vault

    def _close_vaults(self) -> None:
        for vault in self._vaults.values():
            vault.close()
        self._vaults.clear()

    def _token_shapes(self) -> list[TokenVault]:
        """The vaults whose tokens have a shape to look for in cells (a prefix)."""
        return [self._vault(v) for _, v in sorted(self.description.vaults.items()) if v.prefix]

    def _revoke(self, req: Request, spec: VaultSpec) -> dict[str, Any]:
        """Revoke the person's vault entries: tokens found in erased cells and the tokens of
        the identity values (phone, e-mail, resident ID), except tokens still present in a
        column where the person's rows held tokens (held rows, other people's rows)."""
        vault = self._vault(spec)
        tokens: set[str] = set()
        if spec.prefix:
            tokens = {t for t in self.store.erased_tokens(req.id) if vault.looks_like_token(t)}
        values = [req.identity[k] for k in ("phone", "email", "resident_id") if k in req.identity]
        tokens |= set(vault.lookup_tokens(values).values())
        in_use = self._tokens_in_use(req, tokens)
        revoked = vault.revoke(tokens=sorted(tokens - in_use))
        return {"revoked": revoked, "kept": len(in_use)}

    def _tokens_in_use(self, req: Request, tokens: set[str]) -> set[str]:
        found: set[str] = set()
        if not tokens:
            return found
        for name, columns in sorted(self.store.token_columns(req.id).items()):
            ds = self.description.datastores.get(name)
            if ds is None:
                continue
            sa, engine, url = self._engine(ds)
            table: str | None = None
            try:
                with engine.connect() as conn:
                    _read_only(conn, sa)
                    for table, column in sorted(columns):
                        col = sa.column(column)
                        sa.table(table, col)  # binds the column to its table (FROM table)
                        for chunk in _chunks(sorted(tokens - found)):
                            q = sa.select(col).where(col.in_(chunk)).distinct()
                            found.update(str(r[0]) for r in conn.execute(q))
                    conn.rollback()
            except sa.exc.SQLAlchemyError as exc:
                raise self._fail(exc, url, table) from None
            finally:
                engine.dispose()
        return found

    def _harvest(
        self,
        walk: _Walk,
        spec: TableSpec,
        keys: Sequence[Any],
        vaults: list[TokenVault],
        tokens: set[str],
        columns: set[tuple[str, str]],
        *,
        held: bool,
    ) -> None:
        """Tokens in the person's rows of one table: every column that holds one is noted;
        tokens in cells the erasure removes (deleted rows, masked columns) are collected."""
        prefixes = tuple(v.prefix for v in vaults)
        names = [c.name for c in walk.tables[spec.name].columns]
        erased = {
            i
            for i, n in enumerate(names)
            if not held and (spec.erasure.action == "delete" or n in spec.erasure.mask)
        }
        for page in walk.pages(spec.name, keys):
            for row in page:
                for i, value in enumerate(row):
                    if (
                        type(value) is str
                        and value.startswith(prefixes)
                        and any(v.looks_like_token(value) for v in vaults)
                    ):
                        columns.add((spec.name, names[i]))
                        if i in erased:
                            tokens.add(value)

    def _changes(self, req: Request) -> dict[str, list[dict[str, str]]]:
        """A correction's changes by datastore, checked against the description."""
        changes = (req.payload or {}).get("changes") or []
        if not changes:
            raise InputError(f"correction {req.id} names no change (datastore.table.column=value)")
        out: dict[str, list[dict[str, str]]] = {}
        for c in changes:
            ds = self.description.datastores.get(c["datastore"])
            if ds is None or c["table"] not in ds.tables:
                raise InputError(
                    f"correction {req.id}: {c['datastore']}.{c['table']} is not in the description"
                )
            if c["column"] == ds.tables[c["table"]].key:
                raise InputError(f"correction {req.id}: the key column cannot be corrected")
            out.setdefault(c["datastore"], []).append(c)
        return out

    def _correct(
        self, req: Request, ds: Datastore, changes: list[dict[str, str]]
    ) -> dict[str, Any]:
        """Set the new values on the person's rows only, in one transaction (GB/T 35273-2020
        8.2: a method to correct or complete)."""
        sa, engine, url = self._engine(ds)
        walk: _Walk | None = None
        rows: dict[str, int] = {}
        try:
            with engine.begin() as conn:
                walk = _Walk(conn, sa, ds, self.page_size)
                keys = walk.keys(req.identity, self._carried(req, ds))
                for c in changes:
                    walk.table = table = c["table"]
                    t = walk.tables[table]
                    key = walk._col(table, ds.tables[table].key)
                    walk._col(table, c["column"])
                    n = 0
                    for chunk in _chunks(keys[table]):
                        stmt = (
                            t.update().where(walk.in_(key, chunk)).values({c["column"]: c["value"]})
                        )
                        n += conn.execute(stmt).rowcount or 0
                    rows[f"{table}.{c['column']}"] = n
                walk.table = None
        except sa.exc.SQLAlchemyError as exc:
            raise self._fail(exc, url, walk.table if walk else None) from None
        finally:
            engine.dispose()
        return {"rows": rows}

    def _withdraw_consents(self, req: Request) -> dict[str, Any]:
        """Withdraw every current grant of the person (PIPL Art. 15; GB/T 35273-2020 8.4)."""
        if self.consents is None:
            if req.type != "consent_withdrawal":  # visible in `requests show`, not silent
                return {"skipped": NO_CONSENT_SERVICE}
            raise ConfigError("no consent service is configured, so consents cannot be withdrawn")
        subject = req.identity.get(self.consent_identity)
        if subject is None and req.type == "deletion":
            # a deletion may name the person by phone or ID only; consents are recorded
            # under the consent identity, so say why none were withdrawn
            return {"skipped": f"the request names no {self.consent_identity}"}
        if subject is None:
            raise InputError(
                f"withdrawing consents needs the person's {self.consent_identity} in the request"
            )
        latest: dict[tuple[str, str], Any] = {}
        for event in self.consents.history(subject):
            latest[(event.notice, event.purpose)] = event  # history is oldest first
        n = 0
        for event in latest.values():
            if event.action is Action.GRANT:
                self.consents.withdraw(event.id, channel=self.consent_channel, actor=self.actor)
                n += 1
        return {"withdrawn": n}

    # ----------------------------------------------------------------- datastores
    def _engine(self, ds: Datastore) -> tuple[Any, Any, str]:
        sa = _sqlalchemy()
        url = ds.resolve_url()
        if self._connect is not None:
            return sa, self._connect(url), url
        try:
            return sa, sa.create_engine(_engine_url(url), pool_pre_ping=False), url
        except (sa.exc.SQLAlchemyError, ValueError, ImportError) as exc:
            # an unknown scheme, a bad port, a missing driver: the URL is never shown
            raise _StepFailed(None, f"cannot open the datastore ({type(exc).__name__})") from None

    def _fail(self, exc: BaseException, url: str, table: str | None) -> _StepFailed:
        return _StepFailed(table, _safe_error(exc, url).replace(url, redact_url(url)))

    def _collect(self, req: Request, ds: Datastore, folder: Path) -> dict[str, Any]:
        sa, engine, url = self._engine(ds)
        walk: _Walk | None = None
        rows: dict[str, int] = {}
        try:
            with engine.connect() as conn:
                _read_only(conn, sa)  # collecting never writes
                walk = _Walk(conn, sa, ds, self.page_size)
                keys = walk.keys(req.identity, self._carried(req, ds))
                folder.mkdir(parents=True, exist_ok=True)
                for table, tkeys in keys.items():
                    walk.table = table
                    rows[table] = self._write_table(walk, table, tkeys, folder)
                conn.rollback()
        except sa.exc.SQLAlchemyError as exc:
            raise self._fail(exc, url, walk.table if walk else None) from None
        finally:
            engine.dispose()
        return {"rows": rows}

    def _write_table(self, walk: _Walk, table: str, keys: Sequence[Any], folder: Path) -> int:
        n = 0
        with (
            atomic_write(folder / f"{table}.json") as js,
            atomic_write(folder / f"{table}.csv", encoding="utf-8-sig") as cs,
        ):
            writer = csv.writer(cs)
            js.write("[")
            names = [c.name for c in walk.tables[table].columns]
            writer.writerow(names)
            encode, plain = _ENCODER.encode, _PLAIN
            for page in walk.pages(table, keys):
                rows = [[v if type(v) in plain else _jsonable(v) for v in r] for r in page]
                if not rows:
                    continue
                js.write(("," if n else "") + "\n  ")
                js.write(",\n  ".join(encode(dict(zip(names, r, strict=True))) for r in rows))
                writer.writerows([["" if v is None else v for v in r] for r in rows])
                n += len(rows)
            js.write("\n]\n")
        return n

    def _package(self, req: Request, staging: Path, output: Path) -> Path:
        counts = {
            s.datastore: s.detail.get("rows", {})
            for s in self.store.steps(req.id)
            if s.step.startswith("collect:")
        }
        files = []
        for name in sorted(self.description.datastores):
            ds = self.description.datastores[name]
            for table in sorted(ds.tables):
                for ext in ("json", "csv"):
                    path = staging / name / f"{table}.{ext}"
                    if not path.exists():
                        raise StorageError(f"staged file {path} is missing; resume the request")
                    files.append((f"{name}/{table}.{ext}", path, ds.tables[table]))
        manifest = {
            "schema": PACKAGE_SCHEMA,
            "request": req.id,
            "type": req.type,
            "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "files": [
                {
                    "path": arc,
                    "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                    "bytes": path.stat().st_size,
                    "rows": counts.get(arc.split("/", 1)[0], {}).get(spec.name),
                    "categories": sorted(set(spec.pi.values())),
                }
                for arc, path, spec in files
            ],
        }
        body = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        return _publish([(arc, path) for arc, path, _ in files], {"manifest.json": body}, output)

    def _count(self, req: Request, ds: Datastore) -> dict[str, Any]:
        """The number of the person's rows per table (an explanation shows no values)."""
        sa, engine, url = self._engine(ds)
        walk: _Walk | None = None
        try:
            with engine.connect() as conn:
                _read_only(conn, sa)
                walk = _Walk(conn, sa, ds, self.page_size)
                keys = walk.keys(req.identity, self._carried(req, ds))
                conn.rollback()
        except sa.exc.SQLAlchemyError as exc:
            raise self._fail(exc, url, walk.table if walk else None) from None
        finally:
            engine.dispose()
        return {"rows": {t: len(k) for t, k in keys.items()}}

    def _explain(self, req: Request, output: Path) -> Path:
        rows = {
            s.datastore: s.detail.get("rows", {})
            for s in self.store.steps(req.id)
            if s.step.startswith("explain:") and s.datastore
        }
        doc = explanation(
            req,
            self.description,
            rows,
            datamap=self.datamap,
            today=self.today(),
            created=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        texts = {
            "explanation.json": json.dumps(doc, ensure_ascii=False, indent=2) + "\n",
            "explanation.md": explanation_markdown(doc),
        }
        return _publish([], texts, output)

    def _check_erasable(self, walk: _Walk) -> None:
        today = self.today()
        for child, refs in walk.refs.items():
            cspec = walk.ds.tables[child]
            if cspec.erasure.action == "delete" or (
                cspec.erasure.action == "hold" and not cspec.erasure.held(today)
            ):
                continue
            for ref in refs:
                if walk.ds.tables[ref.parent].erasure.action == "delete":
                    kept = "legal hold" if cspec.erasure.action == "hold" else "masked"
                    raise _StepFailed(
                        ref.parent,
                        f"table {ref.parent} would be deleted but {child} ({kept}) references "
                        f"it; give {ref.parent} a mask erasure instead",
                    )

    def _erase(self, req: Request, ds: Datastore) -> dict[str, Any]:
        vaults = self._token_shapes()  # opened first: a missing vault key stops before erasing
        sa, engine, url = self._engine(ds)
        walk: _Walk | None = None
        rows: dict[str, int] = {}
        held: dict[str, str] = {}
        today = self.today()
        tokens: set[str] = set()
        columns: set[tuple[str, str]] = set()
        try:
            with engine.begin() as conn:  # one transaction per datastore
                walk = _Walk(conn, sa, ds, self.page_size)
                self._check_erasable(walk)
                keys = walk.keys(req.identity, self._carried(req, ds))
                for table in walk.erase_order():
                    walk.table = table
                    spec, tkeys = ds.tables[table], keys[table]
                    if vaults:
                        held_ = spec.erasure.held(today)
                        self._harvest(walk, spec, tkeys, vaults, tokens, columns, held=held_)
                    if spec.erasure.held(today):
                        held[table] = spec.erasure.reason or "legal hold"
                        rows[table] = 0
                        continue
                    if spec.erasure.action == "mask":
                        rows[table] = self._mask(conn, sa, walk, spec, tkeys)
                    else:
                        rows[table] = self._delete(conn, walk, spec, tkeys)
                walk.table = None
                if vaults:  # before the commit: a crash after it must not lose the tokens
                    self.store.add_tokens(req.id, ds.name, tokens, columns)
        except sa.exc.SQLAlchemyError as exc:
            raise self._fail(exc, url, walk.table if walk else None) from None
        except PiguardError as exc:
            raise _StepFailed(walk.table if walk else None, str(exc)) from None
        finally:
            engine.dispose()
        return {"rows": rows, "held": held}

    def _delete(self, conn: Any, walk: _Walk, spec: TableSpec, keys: Sequence[Any]) -> int:
        t = walk.tables[spec.name]
        n = 0
        for chunk in _chunks(keys):
            n += conn.execute(t.delete().where(walk.in_(t.c[spec.key], chunk))).rowcount or 0
        return n

    def _mask(self, conn: Any, sa: Any, walk: _Walk, spec: TableSpec, keys: Sequence[Any]) -> int:
        t = walk.tables[spec.name]
        ops = {
            col: (self._operators.build(op, config, self.keys), entity)
            for col, (op, config, entity) in spec.erasure.mask.items()
        }
        cols = [walk._col(spec.name, c) for c in ops]
        key = walk._col(spec.name, spec.key)
        memos: dict[str, dict[str, str]] = {col: {} for col in ops}
        # MySQL drivers send an executemany UPDATE row by row, so there one UPDATE per chunk
        # sets CASE key WHEN k THEN masked ... END; SQLite runs executemany in process and
        # psycopg pipelines it, where a CASE of hundreds of branches per row would cost more
        case = conn.dialect.name == "mysql"
        stmt = (
            t.update()
            .where(key == sa.bindparam("_k"))
            .values({c: sa.bindparam(f"_v_{c}") for c in ops})
        )
        n = 0
        for chunk in _chunks(keys):
            rows = conn.execute(sa.select(key, *cols).where(walk.in_(key, chunk))).all()
            if not rows:
                continue
            masked: list[dict[str, Any]] = [{"_k": row[0]} for row in rows]
            for i, (col, (op, entity)) in enumerate(ops.items(), start=1):
                memo = memos[col]
                if len(memo) > 65536:  # a person's values repeat (home, work); stay bounded
                    memo.clear()
                for row, params in zip(rows, masked, strict=True):
                    value = row[i]
                    out = None
                    if value is not None:
                        text = str(value)
                        out = memo.get(text)
                        if out is None:
                            out = memo[text] = op.apply(text, entity)
                    params[f"_v_{col}"] = out
            if case:
                values = {
                    col: sa.case(
                        {
                            p["_k"]: sa.null()
                            if p[f"_v_{col}"] is None
                            else sa.literal(p[f"_v_{col}"], column.type)
                            for p in masked
                        },
                        value=key,
                        else_=column,
                    )
                    for col, column in zip(ops, cols, strict=True)
                }
                keys_ = [p["_k"] for p in masked]
                conn.execute(t.update().where(walk.in_(key, keys_)).values(values))
            else:
                conn.execute(stmt, masked)
            n += len(rows)
        return n
