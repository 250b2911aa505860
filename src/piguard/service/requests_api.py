"""Routes for data-subject requests (个人信息主体权利响应) and the datastores they run on.

Thin, like the rest of the service: they parse, authorise (scope ``requests``) and call
:mod:`piguard.rights`. The request store is a SQLite file under ``Settings.requests_path``
(owner-only: it holds the identities); each call opens its own connection, so the routes and
the background runs never share one across threads. ``POST .../run`` starts the graph walk in
a background thread and answers 202 at once; the client polls ``GET /v1/requests/{id}``.

Identity values never leave the store: responses show the identity kinds with ``***``,
audit events carry a keyed pseudonym of the person, logs carry the route template only.
"""

# no `from __future__ import annotations`: FastAPI must resolve the route-local Annotated
# aliases (Actor, Svc) at definition time
import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from piguard import rights
from piguard._util import atomic_write
from piguard.audit import AuditEvent
from piguard.errors import ConfigError, ConflictError, InputError, NotFoundError, PiguardError
from piguard.service import requests_schemas as rs
from piguard.service.app import ApiError, Services
from piguard.service.schemas import ErrorOut

__all__ = ["router"]

log = logging.getLogger("piguard.service")

_EXECUTABLE = rights.EXECUTABLE_TYPES
_PACKAGED = (*rights.ACCESS_TYPES, "explanation")
_ERR: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "no such request"},
    409: {"model": ErrorOut, "description": "the request's state does not allow this"},
}


def _svc(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def _folder(svc: Services) -> Path:
    return svc.settings.requests_path


@contextmanager
def _store(svc: Services) -> Iterator[rights.RequestStore]:
    # one connection per call: sqlite3 connections must stay in the thread that opened them
    store = rights.RequestStore(_folder(svc) / "requests.db")
    try:
        yield store
    finally:
        store.close()


def _description_path(svc: Services) -> Path:
    return _folder(svc) / "datastores.yaml"


def _description(svc: Services) -> rights.Description:
    path = _description_path(svc)
    if not path.exists():
        return rights.Description({}, source="datastores")
    return rights.parse_description(path.read_text(encoding="utf-8"), source="datastores")


def _package_path(svc: Services, request_id: str) -> Path:
    return _folder(svc) / "packages" / request_id


def _get(store: rights.RequestStore, request_id: str) -> rights.Request:
    try:
        return store.get(request_id)
    except InputError:
        raise NotFoundError(f"no request {request_id!r}") from None


def _executor(
    svc: Services, store: rights.RequestStore, actor: str, desc: rights.Description | None = None
) -> rights.Executor:
    return rights.Executor(
        desc if desc is not None else rights.Description({}, source="datastores"),
        store,
        work_dir=_folder(svc) / "work",
        audit=svc.audit,
        pseudonymizer=svc.pseudonymizer,
        keys=svc.key_provider,
        actor=actor,
        consents=svc.consent,
        datamap=svc.reader.datamap()[0],  # the latest saved, parsed once per change
    )


def _out(
    req: rights.Request, steps: list[rights.Step] | None = None, *, today: dt.date | None = None
) -> rs.RequestOut:
    d = req.to_dict()  # identity values masked by the store
    return rs.RequestOut(
        id=d["id"],
        type=d["type"],
        identity=d["identity"],
        state=d["state"],
        received=req.received,
        due=req.due,
        updated=d["updated"],
        overdue=req.overdue(today or dt.date.today()),
        reason=d["reason"],
        complaint_route=d["complaint_route"],
        package=req.type in _PACKAGED and req.state == "completed",
        changes=[rs.ChangeOut(**c) for c in d["changes"]],
        steps=[rs.StepOut(**s.to_dict()) for s in steps or []],
    )


def _transition(action: Callable[[], rights.Request]) -> rights.Request:
    try:
        return action()
    except InputError as exc:  # a life-cycle transition the request's state does not allow
        raise ConflictError(str(exc)) from None


def router(require: Callable[[str], Callable[..., Awaitable[str]]]) -> APIRouter:
    """The routes, with ``require`` the app's key-and-scope dependency."""
    api = APIRouter(tags=["requests"], responses=_ERR)
    Actor = Annotated[str, Depends(require("requests"))]
    Svc = Annotated[Services, Depends(_svc)]
    running: set[str] = set()
    lock = threading.Lock()

    # ------------------------------------------------------------ datastores
    @api.put("/v1/datastores", response_model=rs.DatastoresOut, tags=["datastores"])
    def put_datastores(body: rs.DatastoresIn, svc: Svc, actor: Actor) -> rs.DatastoresOut:
        """Register the datastores requests run on (the dataset description YAML of
        docs/requests.md). Every ``url`` must be ``env:VAR``: the URL and its credentials stay
        in the service's environment and are never stored or echoed."""
        try:
            desc = rights.parse_description(body.yaml, source="datastores")
        except ConfigError as exc:
            raise ApiError(422, "invalid_description", str(exc)) from None
        for ds in desc.datastores.values():
            if not ds.url.startswith("env:") or len(ds.url) == 4:
                raise ApiError(
                    422,
                    "invalid_description",
                    f"datastores:{ds.line}: datastore {ds.name!r}: url must be env:VAR "
                    "(set VAR in the service's environment)",
                )
        path = _description_path(svc)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with atomic_write(path) as fh:
            fh.write(body.yaml)
        svc.audit.emit(
            AuditEvent(
                time=datetime.now(UTC),
                actor=actor,
                action="rights.datastores.load",
                details={"datastores": len(desc.datastores)},
            )
        )
        return _datastores_out(desc)

    @api.get("/v1/datastores", response_model=rs.DatastoresOut, tags=["datastores"])
    def get_datastores(svc: Svc, _: Actor) -> rs.DatastoresOut:
        """The registered datastores (names, ``env:VAR`` references and tables) and the YAML."""
        path = _description_path(svc)
        if not path.exists():
            raise NotFoundError("no datastores are registered (PUT /v1/datastores)")
        text = path.read_text(encoding="utf-8")
        out = _datastores_out(rights.parse_description(text, source="datastores"))
        out.yaml = text
        return out

    # ------------------------------------------------------------ requests
    @api.post("/v1/requests", response_model=rs.RequestOut, status_code=201)
    def create_request(body: rs.RequestIn, svc: Svc, actor: Actor) -> rs.RequestOut:
        """Record a request (state ``received``) with its deadline: 15 working days for
        cancellation (GB/T 35273-2020 8.5), 30 days otherwise (8.7)."""
        if body.changes and body.type != "correction":
            raise InputError("changes are for correction requests only")
        calendar = None
        if svc.settings.requests_calendar:
            calendar = rights.load_calendar(svc.settings.requests_calendar)
        payload = None
        if body.changes:
            payload = {"changes": [c.model_dump() for c in body.changes]}
        with _store(svc) as store:
            req = store.create(
                body.type,
                body.identity.values(),
                received=body.received or dt.date.today(),
                calendar=calendar,
                payload=payload,
            )
        identity = req.identity
        kind = "user_id" if "user_id" in identity else sorted(identity)[0]
        svc.audit.emit(
            AuditEvent(
                time=datetime.now(UTC),
                actor=actor,
                action="rights.request.received",
                purpose=f"data-subject-request:{req.type}",
                subject=svc.pseudonymizer.pseudonym(identity[kind]) if svc.pseudonymizer else None,
                request_id=req.id,
                details={"due": req.due.isoformat()},
            )
        )
        return _out(req)

    @api.get("/v1/requests", response_model=list[rs.RequestOut])
    def list_requests(
        svc: Svc,
        _: Actor,
        overdue: bool = False,
        on: dt.date | None = None,
    ) -> list[rs.RequestOut]:
        """All requests, oldest first; with ``overdue=true`` only the open ones past their due
        date on ``on`` (default today)."""
        today = on or dt.date.today()
        with _store(svc) as store:
            reqs = store.requests(overdue_on=today if overdue else None)
        return [_out(r, today=today) for r in reqs]

    @api.get("/v1/requests/{request_id}", response_model=rs.RequestOut)
    def get_request(request_id: str, svc: Svc, _: Actor) -> rs.RequestOut:
        """A request with its steps (a failed step names the datastore, table and reason)."""
        with _store(svc) as store:
            return _out(_get(store, request_id), store.steps(request_id))

    @api.post("/v1/requests/{request_id}/verify", response_model=rs.RequestOut)
    def verify_request(request_id: str, svc: Svc, actor: Actor) -> rs.RequestOut:
        """Record that the person's identity was verified (received → identity_verified)."""
        with _store(svc) as store:
            _get(store, request_id)
            ex = _executor(svc, store, actor)
            return _out(_transition(lambda: ex.verify(request_id)), store.steps(request_id))

    @api.post("/v1/requests/{request_id}/refuse", response_model=rs.RequestOut)
    def refuse_request(request_id: str, body: rs.RefuseIn, svc: Svc, actor: Actor) -> rs.RequestOut:
        """Refuse with a reason; the complaint route is recorded with it (GB/T 35273-2020 8.7;
        PIPL Art. 50)."""
        with _store(svc) as store:
            _get(store, request_id)
            with lock:
                if request_id in running:
                    raise ConflictError(f"request {request_id} is running")
            ex = _executor(svc, store, actor)
            req = _transition(lambda: ex.refuse(request_id, body.reason))
            return _out(req, store.steps(request_id))

    @api.post("/v1/requests/{request_id}/run", response_model=rs.RequestOut, status_code=202)
    def run_request(request_id: str, svc: Svc, actor: Actor) -> rs.RequestOut:
        """Run (or resume) a verified or failed request in the background; poll
        ``GET /v1/requests/{id}`` until it is ``completed`` or ``failed``. Finished steps are
        not repeated on resume."""
        with _store(svc) as store:
            req = _get(store, request_id)
            if req.type not in _EXECUTABLE:
                raise InputError(
                    f"requests of type {req.type} are not executed by piguard yet; "
                    f"only {', '.join(_EXECUTABLE)} are"
                )
            desc = _description(svc)
            if req.type != "consent_withdrawal" and not desc.datastores:
                raise ConflictError("no datastores are registered (PUT /v1/datastores)")
            with lock:
                if request_id in running:
                    raise ConflictError(f"request {request_id} is already running")
                holder = store.lease(request_id)
                if holder is not None and holder[1] > time.time():
                    # another process (piguard requests run) is executing it
                    raise ConflictError(f"request {request_id} is being run by another process")
                if req.state not in ("identity_verified", "failed", "in_progress"):
                    raise ConflictError(
                        f"request {request_id} is {req.state}; run needs identity_verified "
                        "or failed"
                    )
                if req.state != "in_progress":
                    req = store.transition(request_id, "in_progress")
                running.add(request_id)
            output = _package_path(svc, request_id) if req.type in _PACKAGED else None
            worker = threading.Thread(
                target=_run,
                args=(svc, request_id, actor, desc, output, running, lock),
                name=f"piguard-request-{request_id}",
                daemon=True,
            )
            worker.start()
            return _out(req, store.steps(request_id))

    @api.get("/v1/requests/{request_id}/package")
    def get_package(request_id: str, svc: Svc, _: Actor) -> dict[str, Any]:
        """The manifest of a completed access, copy or portability request's package (files,
        SHA-256 hashes, row counts, PI categories), or the explanation document of an
        explanation request (schema ``piguard.explanation/1``: where the person's PI is held,
        categories, legal holds, purposes, legal bases, recipients, transfers abroad)."""
        with _store(svc) as store:
            req = _get(store, request_id)
        if req.type not in _PACKAGED or req.state != "completed":
            raise NotFoundError(f"request {request_id} has no package")
        name = "explanation.json" if req.type == "explanation" else "manifest.json"
        path = _package_path(svc, request_id) / name
        try:
            manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except OSError:
            raise NotFoundError(f"the package of request {request_id} is gone") from None
        return JSONResponse(manifest)  # type: ignore[return-value]

    return api


def _datastores_out(desc: rights.Description) -> rs.DatastoresOut:
    return rs.DatastoresOut(
        datastores=[
            rs.DatastoreOut(name=name, url=ds.url, tables=sorted(ds.tables))
            for name, ds in sorted(desc.datastores.items())
        ]
    )


def _run(
    svc: Services,
    request_id: str,
    actor: str,
    desc: rights.Description,
    output: Path | None,
    running: set[str],
    lock: threading.Lock,
) -> None:
    """The background run: the executor persists every step; anything it does not catch
    leaves the request failed (resumable) with a reason free of values."""
    try:
        with _store(svc) as store:
            try:
                _executor(svc, store, actor, desc).run(request_id, output=output)
            except ConflictError:  # another process took the lease first: its run goes on
                log.error(json.dumps({"event": "request_run_leased", "request": request_id}))
            except Exception as exc:
                reason = str(exc) if isinstance(exc, PiguardError) else type(exc).__name__
                log.error(
                    json.dumps(
                        {"event": "request_run_failed", "request": request_id,
                         "type": type(exc).__name__}
                    )
                )  # fmt: skip
                if store.get(request_id).state == "in_progress":
                    store.transition(request_id, "failed", reason=reason)
    except Exception as exc:  # the store itself failed: nothing more can be recorded
        log.error(json.dumps({"event": "request_store_failed", "type": type(exc).__name__}))
    finally:
        with lock:
            running.discard(request_id)
