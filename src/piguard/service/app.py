"""The FastAPI app: ``create_app(settings)``. Routes only parse, authorise and call the core.

Every route except ``/healthz`` needs ``Authorization: Bearer <key>`` with the route's scope
(or ``admin``). Errors are JSON ``{"error": {"code", "message"}}`` with a stable ``code``;
messages never echo request values. Logs are JSON lines with the route template, status,
duration and key id: never subjects, bodies or query strings.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from pydantic_core import to_json
from sqlalchemy import Engine, text
from starlette.exceptions import HTTPException as StarletteHTTPException

from piguard import datamap as dm
from piguard._version import __version__
from piguard.audit import AuditEvent, AuditLog, AuditSink, MemorySink, MerkleLogSink, Pseudonymizer
from piguard.consent import ConsentEvent, ConsentService, Decision, Notice, Purpose
from piguard.errors import (
    ConfigError,
    ConflictError,
    InputError,
    IntegrityError,
    InvalidIdentifier,
    KeyProviderError,
    NotFoundError,
    PiguardError,
    StorageError,
    UnknownKeyError,
)
from piguard.keys import FileKeyProvider, KeyProvider, NoteSigner, load_provider
from piguard.service import schemas as s
from piguard.service.auth import ApiKeys
from piguard.service.db import Tables, make_engine, tables
from piguard.service.migrate import upgrade
from piguard.service.reader import DecisionBatcher, StateReader
from piguard.service.settings import Settings
from piguard.service.store import SqlConsentStore, SqlDatamapStore

__all__ = ["ApiError", "Services", "create_app", "open_services"]

log = logging.getLogger("piguard.service")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        self.status = status
        self.code = code
        self.message = message


# --------------------------------------------------------------------------- wiring


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _bootstrap_keys(settings: Settings) -> tuple[KeyProvider, NoteSigner]:
    if settings.key_provider:
        provider = load_provider(settings.key_provider)
    else:
        provider = FileKeyProvider(settings.key_dir)
        path = provider.path(settings.pseudonym_key)
        if settings.create_keys and not path.exists():
            _write_secret(path, secrets.token_bytes(32).hex())
    signer_path = settings.signer_path
    if settings.create_keys and not signer_path.exists():
        _write_secret(signer_path, NoteSigner.generate(settings.origin).export_secret())
    try:
        signer = NoteSigner.from_secret(
            signer_path.read_text(encoding="ascii"), source=str(signer_path)
        )
    except OSError:
        raise KeyProviderError(f"cannot read the signer key file {signer_path}") from None
    return provider, signer


def _open_audit(settings: Settings, signer: NoteSigner) -> tuple[AuditSink, AuditLog | None]:
    if settings.audit_target == "memory":
        return MemorySink(), None
    target = settings.audit_target
    prefix = settings.table_prefix + "audit_"
    is_file = "://" not in target or target.startswith("sqlite:///")
    path = Path(target.removeprefix("sqlite:///")) if is_file else None
    try:
        if path is not None and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            audit_log = AuditLog.create(
                target, origin=settings.origin, prefix=prefix, signer=signer
            )
        else:
            try:
                audit_log = AuditLog.open(target, prefix=prefix, signer=signer)
            except StorageError:
                if path is not None:
                    raise
                audit_log = AuditLog.create(
                    target, origin=settings.origin, prefix=prefix, signer=signer
                )
    except PiguardError:
        raise
    return MerkleLogSink(audit_log), audit_log


@dataclass
class Services:
    """What the routes use; built once per app by :func:`open_services`."""

    settings: Settings
    engine: Engine
    tables: Tables
    keys: ApiKeys
    consent: ConsentService
    datamaps: SqlDatamapStore
    audit: AuditSink
    audit_log: AuditLog | None
    signer: NoteSigner
    #: the dedicated read connection and the epoch-checked caches (notices, data map)
    reader: StateReader
    #: groups the consent reads of decisions arriving together into one statement
    batcher: DecisionBatcher
    #: the keyed pseudonyms of subjects (audit events of data-subject requests)
    pseudonymizer: Pseudonymizer | None = None
    #: the key provider the service was opened with (token-vault keys of requests)
    key_provider: KeyProvider | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for c in reversed(self.closers):
            try:
                c()
            except Exception:  # best effort on shutdown
                log.warning(json.dumps({"event": "close_failed"}))


def open_services(settings: Settings, *, migrate: bool | None = None) -> Services:
    """Open the database (migrating it when asked), keys, audit log and core services."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    if settings.migrate if migrate is None else migrate:
        upgrade(engine, settings.table_prefix)
    t = tables(settings.table_prefix)
    provider, signer = _bootstrap_keys(settings)
    pseudo = Pseudonymizer(provider, settings.pseudonym_key)
    sink, audit_log = _open_audit(settings, signer)
    datamaps = SqlDatamapStore(engine, t)
    reader = StateReader(engine, t)
    svc = Services(
        settings=settings,
        engine=engine,
        tables=t,
        keys=ApiKeys(engine, t, reader=reader),
        consent=ConsentService(
            SqlConsentStore(engine, t, reader),
            audit=sink,
            pseudonymize=pseudo.pseudonym,
            signer=signer,
            controller=settings.controller,
        ),
        datamaps=datamaps,
        audit=sink,
        audit_log=audit_log,
        signer=signer,
        reader=reader,
        batcher=DecisionBatcher(
            reader,
            mode="async" if engine.dialect.name == "postgresql" else "inline",
        ),
        pseudonymizer=pseudo,
        key_provider=provider,
    )
    # the data map as of now (reads the epoch; decisions use the epoch of their own statement)
    svc.consent.scope = lambda: reader.datamap()[0]
    svc.closers.append(engine.dispose)
    svc.closers.append(reader.close)
    if isinstance(sink, MerkleLogSink):
        svc.closers.append(sink.close)
    if audit_log is not None:
        svc.closers.append(audit_log.close)
    return svc


# --------------------------------------------------------------------------- logging


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        msg = record.getMessage()
        try:
            body = json.loads(msg)
        except ValueError:
            body = {"event": msg}
        out = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
        }
        out.update(body if isinstance(body, dict) else {"event": msg})
        return json.dumps(out, ensure_ascii=False)


def configure_logging(level: str) -> None:
    """JSON lines on standard error for the ``piguard.service`` logger."""
    handler = logging.StreamHandler()
    handler.setFormatter(_JsonFormatter())
    log.handlers[:] = [handler]
    log.setLevel(level.upper())
    log.propagate = False


class _AccessLog:
    """A pure ASGI middleware: one JSON line per request, with the route template only."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def _send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            route = scope.get("route")
            state = scope.get("state") or {}
            log.info(
                json.dumps(
                    {
                        "event": "request",
                        "method": scope.get("method"),
                        "route": getattr(route, "path", "<unmatched>"),
                        "status": status[0],
                        "ms": round((time.perf_counter() - start) * 1000, 2),
                        "key": state.get("key_id"),
                    }
                )
            )


# --------------------------------------------------------------------------- errors

_ERRORS: list[tuple[type[Exception], int, str]] = [
    (NotFoundError, 404, "not_found"),
    (ConflictError, 409, "conflict"),
    (ConfigError, 422, "invalid_datamap"),
    (InputError, 422, "invalid_input"),
    (UnknownKeyError, 422, "unknown_key"),
    (InvalidIdentifier, 422, "invalid_identifier"),
    (IntegrityError, 409, "integrity"),
    (KeyProviderError, 500, "key_unavailable"),
    (StorageError, 503, "storage_unavailable"),
]


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=headers)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _error(exc.status, exc.code, exc.message, headers)

    @app.exception_handler(PiguardError)
    async def _piguard(_: Request, exc: PiguardError) -> JSONResponse:
        for cls, status, code in _ERRORS:
            if isinstance(exc, cls):
                if status >= 500:
                    log.error(
                        json.dumps({"event": "error", "code": code, "type": type(exc).__name__})
                    )
                return _error(status, code, str(exc))
        return _error(422, "invalid_input", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        # name the fields, never echo their values (they may be personal information)
        parts = []
        for err in exc.errors()[:5]:
            loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            parts.append(f"{loc or 'body'}: {err.get('msg', 'invalid')}")
        return _error(422, "invalid_request", "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error(json.dumps({"event": "unexpected_error", "type": type(exc).__name__}))
        return _error(500, "internal", "internal error")


# --------------------------------------------------------------------------- auth

_bearer = HTTPBearer(auto_error=False, description="An API key: `piguard admin create-key`.")


async def _services(request: Request) -> Services:
    # async: a sync dependency would cost a thread-pool hop per request
    svc: Services = request.app.state.services
    return svc


def _authorize(request: Request, found: tuple[str, frozenset[str]] | None, scope: str) -> str:
    if found is None:
        raise ApiError(401, "unauthorized", "invalid or revoked API key")
    key_id, scopes = found
    request.scope.setdefault("state", {})["key_id"] = key_id
    if scope not in scopes and "admin" not in scopes:
        raise ApiError(403, "forbidden", f"this key lacks the {scope!r} scope")
    return f"apikey:{key_id}"


def _bearer_key(creds: HTTPAuthorizationCredentials | None) -> str:
    if creds is None or creds.scheme.lower() != "bearer":
        raise ApiError(401, "unauthorized", "missing API key (Authorization: Bearer <key>)")
    return creds.credentials


def _require(scope: str) -> Callable[..., Awaitable[str]]:
    # async so that it runs on the event loop (no thread-pool hop); the key's row is read on
    # every call, so a revocation is seen at once (decisions use _decision_key instead)
    async def dependency(
        request: Request,
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> str:
        key = _bearer_key(creds)
        return _authorize(request, request.app.state.services.keys.check(key), scope)

    return dependency


def _decision_key(request: Request, keys: ApiKeys) -> tuple[str, tuple[str, str]]:
    """The key of a decision (and its :meth:`ApiKeys.parse`). A key verified before passes
    here on its cached row; the decision then checks it again against the epoch its own
    statement read (so a revoked key is refused). A key not verified before, or one that would
    be refused, is read now."""
    scheme, _, key = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not key:
        raise ApiError(401, "unauthorized", "missing API key (Authorization: Bearer <key>)")
    parsed = keys.parse(key)
    if parsed is None:
        raise ApiError(401, "unauthorized", "invalid or revoked API key")
    cached = keys.cached(parsed[0])
    if (
        cached is not None
        and hmac.compare_digest(cached[0], parsed[1])
        and ("decisions:read" in cached[1] or "admin" in cached[1])
    ):
        request.scope.setdefault("state", {})["key_id"] = parsed[0]
    else:
        _authorize(request, keys.check(key, parsed=parsed), "decisions:read")
    return key, parsed


Svc = Annotated[Services, Depends(_services)]


# --------------------------------------------------------------------------- converters


def _notice_out(n: Notice, change: Any = None) -> s.NoticeOut:
    return s.NoticeOut(
        notice=n.notice,
        version=n.version,
        created=n.created,
        language=n.language,
        purposes=[
            s.PurposeOut(
                id=p.id,
                description=p.description,
                categories=list(p.categories),
                separate=list(p.separate),
                needs_separate_consent=p.needs_separate_consent,
            )
            for p in n.purposes
        ],
        change=None
        if change is None
        else s.NoticeChangeOut(
            widened={k: list(v) for k, v in change.widened.items()},
            added=list(change.added),
            removed=list(change.removed),
        ),
    )


def _consent_out(e: ConsentEvent, *, receipt: bool = False) -> s.ConsentOut:
    return s.ConsentOut(
        id=e.id,
        subject=e.subject,
        notice=e.notice,
        version=e.version,
        purpose=e.purpose,
        action=e.action.value,
        channel=e.channel.value,
        time=e.time,
        categories=list(e.categories),
        child=e.child_until is not None,
        guardian_relationship=e.guardian.relationship if e.guardian else None,
        ref=e.ref,
        receipt=json.loads(e.receipt) if receipt and e.receipt else None,
    )


def _decision_out(d: Decision) -> s.DecisionOut:
    return s.DecisionOut.model_validate(d.to_dict())


def _findings(findings: list[dm.Finding]) -> list[s.FindingOut]:
    return [
        s.FindingOut(
            rule=f.rule,
            name=f.name,
            clause=f.clause,
            message=f.message,
            line=f.line,
            system=f.system,
            function=f.function,
            category=f.category,
        )
        for f in findings
    ]


# --------------------------------------------------------------------------- app

_DECISION_BODY = {
    "required": True,
    "content": {"application/json": {"schema": s.DecisionIn.model_json_schema()}},
}

_ERR = {
    401: {"model": s.ErrorOut, "description": "missing or invalid API key"},
    403: {"model": s.ErrorOut, "description": "the key lacks the scope"},
    422: {"model": s.ErrorOut, "description": "invalid request"},
}


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    """The service. With ``services`` given (tests), it uses them; otherwise it opens them
    from ``settings`` when the app starts and closes them when it stops."""
    settings = settings or (services.settings if services else Settings.load())
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = services is None
        app.state.services = services or open_services(settings)
        log.info(json.dumps({"event": "started", "version": __version__}))
        try:
            yield
        finally:
            await app.state.services.batcher.aclose()
            if own:
                app.state.services.close()

    app = FastAPI(
        title="piguard",
        version=__version__,
        description="Consent per purpose, decisions and the data map (知情同意, 最小必要).",
        lifespan=lifespan,
        responses=_ERR,  # type: ignore[arg-type]
    )
    _install_errors(app)
    app.add_middleware(_AccessLog)
    from piguard.service import requests_api  # it imports this module's ApiError and Services

    app.include_router(requests_api.router(_require))

    @app.get("/healthz", response_model=s.Health, tags=["service"])
    def healthz(svc: Svc) -> s.Health:
        """Liveness and database reachability (no key needed, no data returned)."""
        try:
            with svc.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            raise StorageError("database unreachable") from None
        return s.Health(status="ok", database="ok")

    # ---------------------------------------------------------------- notices
    @app.post("/v1/notices", response_model=s.NoticeOut, status_code=201, tags=["notices"])
    def publish_notice(
        body: s.NoticeIn, svc: Svc, actor: Annotated[str, Depends(_require("consent:write"))]
    ) -> s.NoticeOut:
        """Publish the next version of a notice; the response says which purposes it widened
        or added (existing consent does not cover those until the person consents again)."""
        purposes = [
            Purpose(
                id=p.id,
                description=p.description,
                categories=tuple(p.categories),
                separate=tuple(p.separate),
            )
            for p in body.purposes
        ]
        notice, change = svc.consent.publish_notice(
            body.notice, purposes, actor=actor, language=body.language
        )
        return _notice_out(notice, change)

    @app.get("/v1/notices/{notice}", response_model=s.NoticeOut, tags=["notices"])
    def get_notice(
        notice: str, svc: Svc, _: Annotated[str, Depends(_require("consent:read"))]
    ) -> s.NoticeOut:
        """The latest version of a notice."""
        return _notice_out(svc.consent.notice(notice))

    @app.get(
        "/v1/notices/{notice}/versions/{version}", response_model=s.NoticeOut, tags=["notices"]
    )
    def get_notice_version(
        notice: str, version: int, svc: Svc, _: Annotated[str, Depends(_require("consent:read"))]
    ) -> s.NoticeOut:
        """One version of a notice."""
        return _notice_out(svc.consent.notice(notice, version))

    # ---------------------------------------------------------------- consents
    @app.post("/v1/consents", response_model=list[s.ConsentOut], status_code=201, tags=["consents"])
    def grant(
        body: s.ConsentIn, svc: Svc, actor: Annotated[str, Depends(_require("consent:write"))]
    ) -> list[s.ConsentOut]:
        """Record consent, one record (and signed receipt) per purpose. For a subject under 14
        give the guardian; without one, decisions answer ``guardian_missing``."""
        events = svc.consent.grant(
            body.subject,
            body.notice,
            body.purposes,
            channel=body.channel,
            actor=actor,
            version=body.version,
            birth_date=body.birth_date,
            resident_id=body.resident_id,
            guardian_id=body.guardian.id if body.guardian else None,
            guardian_relationship=body.guardian.relationship if body.guardian else None,
        )
        return [_consent_out(e, receipt=True) for e in events]

    @app.post(
        "/v1/consents/refusals", response_model=s.ConsentOut, status_code=201, tags=["consents"]
    )
    def refuse(
        body: s.RefusalIn, svc: Svc, actor: Annotated[str, Depends(_require("consent:write"))]
    ) -> s.ConsentOut:
        """Record a refusal; asking again is refused for 48 hours (GB/T 35273-2020 App. C)."""
        event = svc.consent.refuse(
            body.subject, body.notice, body.purpose, channel=body.channel, actor=actor
        )
        return _consent_out(event)

    @app.post(
        "/v1/consents/prompts",
        response_model=s.PromptOut,
        tags=["consents"],
        responses={409: {"model": s.ErrorOut, "description": "refused less than 48 h ago"}},
    )
    def prompt(
        body: s.PromptIn, svc: Svc, actor: Annotated[str, Depends(_require("consent:write"))]
    ) -> s.PromptOut:
        """May the app ask this person for consent now? 409 within 48 hours of a refusal."""
        last = svc.consent.prompt(body.subject, body.notice, body.purpose, actor=actor)
        return s.PromptOut(may_ask=True, last_refusal=last)

    @app.post(
        "/v1/consents/{consent_id}/withdraw",
        response_model=s.ConsentOut,
        tags=["consents"],
        responses={404: {"model": s.ErrorOut}, 409: {"model": s.ErrorOut}},
    )
    def withdraw(
        consent_id: str,
        body: s.WithdrawIn,
        svc: Svc,
        actor: Annotated[str, Depends(_require("consent:write"))],
    ) -> s.ConsentOut:
        """Withdraw consent; every later decision denies (effective at once)."""
        return _consent_out(svc.consent.withdraw(consent_id, channel=body.channel, actor=actor))

    @app.get(
        "/v1/consents/{consent_id}/receipt",
        tags=["consents"],
        responses={404: {"model": s.ErrorOut}},
    )
    def receipt(
        consent_id: str, svc: Svc, _: Annotated[str, Depends(_require("consent:read"))]
    ) -> dict[str, Any]:
        """The signed consent receipt; verify it offline with ``/v1/receipts/key``."""
        data: dict[str, Any] = json.loads(svc.consent.receipt(consent_id))
        return data

    @app.post("/v1/consents/query", response_model=list[s.ConsentOut], tags=["consents"])
    def history(
        body: s.SubjectQuery, svc: Svc, _: Annotated[str, Depends(_require("consent:read"))]
    ) -> list[s.ConsentOut]:
        """A subject's consent history (POST so that the identifier is not in a URL)."""
        return [_consent_out(e) for e in svc.consent.history(body.subject, body.notice)]

    @app.get("/v1/receipts/key", response_model=s.PublicKeyOut, tags=["consents"])
    def receipt_key(
        svc: Svc, _: Annotated[str, Depends(_require("consent:read"))]
    ) -> s.PublicKeyOut:
        """The public key (C2SP vkey) that verifies receipts and audit checkpoints."""
        return s.PublicKeyOut(vkey=svc.signer.verifier().vkey)

    # ---------------------------------------------------------------- decisions
    @app.post(
        "/v1/decisions",
        response_model=s.DecisionOut,
        tags=["decisions"],
        # the body is validated in the route (DecisionIn, parsed straight from the bytes)
        openapi_extra={"requestBody": _DECISION_BODY, "security": [{"HTTPBearer": []}]},
    )
    async def decide(request: Request) -> s.DecisionOut:
        """May we process these PI categories of this person for this purpose now?"""
        svc: Services = request.app.state.services
        key, parsed = _decision_key(request, svc.keys)  # before the body: 401 comes first
        try:
            body = s.DecisionIn.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_url=False)) from None
        consent = svc.consent
        cats = consent.check_categories(body.categories)
        subject = consent.pseudonymize(body.subject)
        # async and inline on the event loop: decisions arriving together share one
        # statement (the epoch and each one's latest consent event), issued after they arrived
        epoch, event = await svc.batcher.latest((subject, body.notice, body.purpose))
        _authorize(request, svc.keys.check(key, epoch, parsed=parsed), "decisions:read")
        nv = svc.reader.notice(body.notice, epoch)
        if nv is None:
            raise NotFoundError(f"notice {body.notice!r} does not exist")
        scope, _ = svc.reader.datamap(epoch)
        d = consent.evaluate(
            nv,
            [subject],
            body.purpose,
            cats,
            {subject: event} if event is not None else {},
            now=body.at or consent.clock(),
            scope=scope,
        )[0]
        # the core's dict already has the response model's shape: skip re-validation
        return Response(to_json(d.to_dict()), media_type="application/json")  # type: ignore[return-value]

    @app.post("/v1/decisions/batch", response_model=s.BatchDecisionOut, tags=["decisions"])
    def decide_batch(
        body: s.BatchDecisionIn, svc: Svc, _: Annotated[str, Depends(_require("decisions:read"))]
    ) -> s.BatchDecisionOut:
        """The same question for up to 1000 subjects at once."""
        ds = svc.consent.decide_many(
            body.subjects, body.notice, body.purpose, body.categories, at=body.at
        )
        allowed = sum(d.allow for d in ds)
        return s.BatchDecisionOut(
            decisions=[_decision_out(d) for d in ds], allowed=allowed, denied=len(ds) - allowed
        )

    # ---------------------------------------------------------------- data map
    @app.put("/v1/datamap", response_model=s.DatamapOut, tags=["datamap"])
    def put_datamap(
        body: s.DatamapIn, svc: Svc, actor: Annotated[str, Depends(_require("datamap"))]
    ) -> s.DatamapOut:
        """Load a data map (YAML). Decisions then deny processing it does not list
        (``outside_datamap``) and after its retention periods (``retention_expired``). With
        ``strict`` a map with findings is refused."""
        parsed = dm.parse_datamap(body.yaml, source="datamap")
        findings = dm.check(parsed, app_category=body.app_category)
        if body.strict and findings:
            raise ApiError(
                422,
                "datamap_findings",
                f"{len(findings)} finding(s); first: {findings[0].format()}",
            )
        svc.datamaps.save(body.yaml, actor)  # advances the epoch: every process reloads it
        svc.audit.emit(
            AuditEvent(
                time=datetime.now(UTC),
                actor=actor,
                action="datamap.load",
                details={"functions": len(parsed.functions()), "findings": len(findings)},
            )
        )
        return s.DatamapOut(
            loaded=True,
            systems=len(parsed.systems),
            functions=len(parsed.functions()),
            findings=_findings(findings),
        )

    @app.get("/v1/datamap", response_model=s.DatamapOut, tags=["datamap"])
    def get_datamap(svc: Svc, _: Annotated[str, Depends(_require("datamap"))]) -> s.DatamapOut:
        """The loaded data map and its findings."""
        loaded, text_ = svc.reader.datamap()
        if loaded is None:
            raise NotFoundError("no data map is loaded (PUT /v1/datamap)")
        return s.DatamapOut(
            loaded=True,
            systems=len(loaded.systems),
            functions=len(loaded.functions()),
            findings=_findings(dm.check(loaded)),
            yaml=text_,
        )

    # ---------------------------------------------------------------- audit
    def _log(svc: Services) -> AuditLog:
        if svc.audit_log is None:
            raise NotFoundError("no Merkle audit log is configured (audit_log = memory)")
        return svc.audit_log

    @app.get("/v1/audit/checkpoint", response_class=PlainTextResponse, tags=["audit"])
    def checkpoint(svc: Svc, _: Annotated[str, Depends(_require("audit:read"))]) -> str:
        """A signed checkpoint (C2SP signed note) of the audit log as it is now."""
        return _log(svc).checkpoint()

    @app.get("/v1/audit/proofs/inclusion", tags=["audit"])
    def inclusion(
        svc: Svc,
        _: Annotated[str, Depends(_require("audit:read"))],
        index: int,
        size: int | None = None,
    ) -> dict[str, Any]:
        """Proof that event ``index`` is in the tree of ``size`` events (default: all)."""
        return _log(svc).inclusion_proof(index, size).to_dict()

    @app.get("/v1/audit/proofs/consistency", tags=["audit"])
    def consistency(
        svc: Svc,
        _: Annotated[str, Depends(_require("audit:read"))],
        old: int,
        new: int | None = None,
    ) -> dict[str, Any]:
        """Proof that the tree of ``new`` events extends the tree of ``old`` events."""
        return _log(svc).consistency_proof(old, new).to_dict()

    # ---------------------------------------------------------------- keys
    @app.post("/v1/keys", response_model=s.KeyOut, status_code=201, tags=["admin"])
    def create_key(
        body: s.KeyIn, svc: Svc, actor: Annotated[str, Depends(_require("admin"))]
    ) -> s.KeyOut:
        """Create an API key; the key is in this response only."""
        key, key_id = svc.keys.create(list(body.scopes), body.name)
        svc.audit.emit(
            AuditEvent(
                time=datetime.now(UTC),
                actor=actor,
                action="apikey.create",
                details={"key": key_id, "scopes": " ".join(body.scopes)},
            )
        )
        return s.KeyOut(id=key_id, scopes=list(body.scopes), name=body.name, revoked=False, key=key)

    @app.get("/v1/keys", response_model=list[s.KeyOut], tags=["admin"])
    def list_keys(svc: Svc, _: Annotated[str, Depends(_require("admin"))]) -> list[s.KeyOut]:
        """The API keys (ids and scopes; never the keys)."""
        return [s.KeyOut.model_validate(k) for k in svc.keys.list()]

    @app.delete("/v1/keys/{key_id}", status_code=204, tags=["admin"])
    def revoke_key(
        key_id: str, svc: Svc, actor: Annotated[str, Depends(_require("admin"))]
    ) -> None:
        """Revoke an API key (effective at once, in every process of the service)."""
        svc.keys.revoke(key_id)
        svc.audit.emit(
            AuditEvent(
                time=datetime.now(UTC), actor=actor, action="apikey.revoke", details={"key": key_id}
            )
        )

    return app


def app_from_env() -> FastAPI:
    """An app from ``PIGUARD_*`` environment variables (for ``uvicorn --factory``):
    ``uvicorn --factory piguard.service.app:app_from_env``."""
    return create_app(Settings.load())
