"""``piguard requests``: data-subject requests (访问/复制/更正/删除/注销) with deadlines.

Requests live in a SQLite file (``--store``, default ``piguard-requests.db``). ``run`` walks
the datastores of a description file; a datastore that fails leaves the request ``failed``
with the datastore, table and reason shown by ``show``; ``resume`` continues it without
repeating finished steps. ``run``/``resume`` exit 1 when the request ends ``failed``.

``run``/``resume --consents`` open the consent records of the service (``piguard serve``) the
way the service does (its settings, database, keys and audit log): cancellation and consent
withdrawal then withdraw the person's consents through :class:`piguard.consent.ConsentService`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from piguard import rights
from piguard.audit import AuditLog, AuditSink, MerkleLogSink, Pseudonymizer
from piguard.cli._output import (
    OutputFormat,
    emit_text,
    examples,
    make_table,
    stderr_console,
    stdout_console,
    to_json,
)
from piguard.datamap import load_datamap
from piguard.errors import InputError
from piguard.keys import load_provider

if TYPE_CHECKING:
    from piguard.service.app import Services

requests_app = typer.Typer(
    name="requests",
    help="Data-subject requests: access, copy, portability, deletion, account cancellation "
    "(个人信息主体权利), with deadlines and resumable execution.",
    epilog=examples(
        "piguard requests create cancellation --phone 13800000001",
        "piguard requests verify req-0123456789abcdef",
        "piguard requests run req-0123456789abcdef -d examples/datastores/ride-hailing.yaml",
        "piguard requests list --overdue",
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)

StoreOpt = Annotated[
    Path,
    typer.Option(
        "--store",
        "-s",
        envvar="PIGUARD_REQUESTS_DB",
        help="The SQLite file holding requests and their steps (owner-only when new).",
    ),
]
DEFAULT_STORE = Path("piguard-requests.db")


def _date(value: str | None, what: str) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=what) from None


#: why a cancellation's ``consents`` step was skipped, and how to have it done
CONSENTS_SKIPPED = (
    "consents not withdrawn: run/resume was given no consent store. Withdraw the person's "
    "consents in the consent service, and give future runs --consents with the service's "
    "settings file or database URL (see docs/requests.md)"
)


def _note(step: rights.Step) -> str | None:
    if step.step == "consents" and step.state == "skipped":
        if step.detail.get("skipped") == rights.NO_CONSENT_SERVICE:
            return CONSENTS_SKIPPED
        return f"consents not withdrawn: {step.detail.get('skipped')}"
    return None


def _print_request(req: rights.Request, steps: list[rights.Step], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        data = req.to_dict()
        data["steps"] = [
            s.to_dict() | ({"note": note} if (note := _note(s)) else {}) for s in steps
        ]
        emit_text(to_json(data))
        return
    con = stdout_console()
    con.print(f"{req.id}  {req.type}  [bold]{req.state}[/bold]  due {req.due.isoformat()}")
    if req.reason:
        con.print(f"reason: {req.reason}", markup=False)
    if req.complaint_route and req.state == "refused":
        con.print(f"complaint route: {req.complaint_route}", markup=False)
    if req.result:
        con.print(f"result: {req.result}", markup=False)
    if steps:
        rows = [
            (s.step, s.state, s.attempts, s.table or "", s.error or "", _rows(s)) for s in steps
        ]
        con.print(make_table(None, ["step", "state", "attempts", "table", "error", "rows"], rows))
        for step in steps:
            if (note := _note(step)) is not None:
                con.print(f"note: {note}", markup=False)


def _rows(step: rights.Step) -> str:
    rows = step.detail.get("rows", {})
    held = step.detail.get("held", {})
    parts = [f"{t}={n}" for t, n in sorted(rows.items()) if t not in held]
    parts += [f"{t}=held" for t in sorted(held)]
    if "withdrawn" in step.detail:
        parts.append(f"consents withdrawn={step.detail['withdrawn']}")
    if "revoked" in step.detail:
        parts.append(f"tokens revoked={step.detail['revoked']} kept={step.detail['kept']}")
    if "skipped" in step.detail:
        parts.append(str(step.detail["skipped"]))
    return " ".join(parts)


@requests_app.command(
    "create",
    epilog=examples(
        "piguard requests create access --user-id 42",
        "piguard requests create cancellation --phone 13800000001 --calendar holidays.yaml",
        "piguard requests create deletion --email a@example.cn --received 2026-11-02",
        "piguard requests create correction --user-id 42 --set ride.users.email=new@example.cn",
    ),
)
def create_command(
    request_type: Annotated[
        str, typer.Argument(help=f"One of: {', '.join(rights.REQUEST_TYPES)}.")
    ],
    user_id: Annotated[str | None, typer.Option("--user-id", help="The person's user id.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Mobile number (手机号).")] = None,
    email: Annotated[str | None, typer.Option("--email", help="E-mail address.")] = None,
    resident_id: Annotated[
        str | None, typer.Option("--resident-id", help="Resident ID number (身份证号).")
    ] = None,
    received: Annotated[
        str | None, typer.Option("--received", help="Day received (YYYY-MM-DD; default today).")
    ] = None,
    calendar: Annotated[
        Path | None,
        typer.Option(
            "--calendar",
            help="Holiday calendar YAML (holidays: [...], workdays: [...] for 调休) for the "
            "15-working-day cancellation deadline.",
        ),
    ] = None,
    changes: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Correction: DATASTORE.TABLE.COLUMN=NEW_VALUE (repeat for several).",
        ),
    ] = None,
    store: StoreOpt = DEFAULT_STORE,
) -> None:
    """Record a new request (state received) and print its id and due date.

    Deadlines: 15 working days for cancellation (GB/T 35273-2020 8.5), 30 days otherwise
    (8.7). Give only the identity the person used with the service.
    """
    identity = {
        k: v
        for k, v in (
            ("user_id", user_id),
            ("phone", phone),
            ("email", email),
            ("resident_id", resident_id),
        )
        if v is not None
    }
    cal = rights.load_calendar(calendar) if calendar else None
    payload = None
    if changes:
        if request_type != "correction":
            raise InputError("--set is for correction requests only")
        parsed = []
        for item in changes:
            target, sep, value = item.partition("=")
            parts = target.split(".")
            if not sep or len(parts) < 3 or not all(parts):
                raise InputError("--set takes DATASTORE.TABLE.COLUMN=NEW_VALUE")
            parsed.append(
                {
                    "datastore": parts[0],
                    "table": ".".join(parts[1:-1]),
                    "column": parts[-1],
                    "value": value,
                }
            )
        payload = {"changes": parsed}
    s = rights.RequestStore(store)
    req = s.create(
        request_type,
        identity,
        received=_date(received, "--received"),
        calendar=cal,
        payload=payload,
    )
    stdout_console().print(f"{req.id}  {req.type}  received  due {req.due.isoformat()}")


@requests_app.command("verify", epilog=examples("piguard requests verify req-0123456789abcdef"))
def verify_command(
    request_id: Annotated[str, typer.Argument(help="The request id.")],
    store: StoreOpt = DEFAULT_STORE,
) -> None:
    """Record that the person's identity was verified (received → identity_verified)."""
    req = rights.RequestStore(store).transition(request_id, "identity_verified")
    stdout_console().print(f"{req.id}  {req.state}")


@requests_app.command(
    "refuse",
    epilog=examples(
        'piguard requests refuse req-0123456789abcdef --reason "identity could not be verified"'
    ),
)
def refuse_command(
    request_id: Annotated[str, typer.Argument(help="The request id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (GB/T 35273-2020 8.7 grounds).")],
    store: StoreOpt = DEFAULT_STORE,
) -> None:
    """Refuse a request with a reason; the complaint route is recorded with it."""
    req = rights.RequestStore(store).transition(request_id, "refused", reason=reason)
    _print_request(req, [], OutputFormat.table)


def _execute(
    request_id: str,
    description: Path,
    output: Path | None,
    work_dir: Path | None,
    store: Path,
    audit_log: str | None,
    keys: str | None,
    datamap: Path | None,
    *,
    resume: bool,
    consents: str | None = None,
) -> None:
    desc = rights.load_description(description)
    dm = load_datamap(datamap) if datamap is not None else None
    s = rights.RequestStore(store)
    req = s.get(request_id)
    if resume and req.state not in ("failed", "in_progress"):
        # in_progress: left by a stopped process (the lease tells a live runner apart)
        raise InputError(f"request {request_id} is not failed; use run")
    withdraws = req.type in rights.WITHDRAWING_TYPES
    if consents is None and req.type == "consent_withdrawal":
        raise InputError(
            "a consent_withdrawal request needs --consents (the consent service's settings "
            "file or database URL)"
        )
    if (
        consents is not None
        and withdraws
        and req.type != "deletion"
        and "user_id" not in req.identity
    ):
        # checked before anything is erased: consents are recorded under the user id
        raise InputError(
            f"request {request_id} has no user id, and consents are withdrawn by user id; "
            "create the request with --user-id"
        )
    with contextlib.ExitStack() as stack:
        sink: AuditSink | None = None
        pseudonymizer = None
        provider = load_provider(keys or "env")  # vault keys (PIGUARD_KEY_<ID> by default)
        if audit_log is not None:
            log = stack.enter_context(AuditLog.open(audit_log))
            sink = MerkleLogSink(log, group_commit=False)
            if keys is not None:
                pseudonymizer = Pseudonymizer(provider, "audit")
        svc = None
        if consents is not None and withdraws:
            svc = _open_service(consents)
            stack.callback(svc.close)
            if sink is None:  # audited as the service audits its own runs
                sink, pseudonymizer = svc.audit, svc.pseudonymizer
        ex = rights.Executor(
            desc,
            s,
            work_dir=work_dir or store.parent / "piguard-requests-work",
            audit=sink,
            pseudonymizer=pseudonymizer,
            keys=provider,
            actor="piguard-cli",
            datamap=dm,
            consents=svc.consent if svc is not None else None,
        )
        req = ex.run(request_id, output=output)
    _print_request(req, s.steps(request_id), OutputFormat.table)
    if req.state == "failed":
        raise typer.Exit(1)


def _open_service(spec: str) -> Services:
    """The consent service as ``piguard serve`` opens it (same settings, database, pseudonym
    key, signer and audit log), so that a withdrawal here is the service's own withdrawal.

    ``spec``: a database URL, ``env`` (the ``PIGUARD_*`` environment alone) or a settings file
    (TOML). Nothing is created: no keys, no tables (a wrong data directory or table prefix
    would give other pseudonyms or no records, and withdraw nothing)."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from piguard.keys import FileKeyProvider
    from piguard.service.app import open_services
    from piguard.service.db import make_engine
    from piguard.service.settings import Settings

    if "://" in spec:
        settings = Settings.load(None, db_url=spec, create_keys=False, migrate=False)
    elif spec == "env":
        settings = Settings.load(None, create_keys=False, migrate=False)
    else:
        if not Path(spec).is_file():
            raise InputError(f"--consents: {spec} is not a settings file, a URL or 'env'")
        settings = Settings.load(spec, create_keys=False, migrate=False)
    missing = [settings.signer_path] if not settings.signer_path.is_file() else []
    if not settings.key_provider:
        key = FileKeyProvider(settings.key_dir).path(settings.pseudonym_key)
        missing += [] if key.is_file() else [key]
    if missing:
        raise InputError(
            f"--consents: the consent service's key file {missing[0]} does not exist; give the "
            "service's settings (data_dir) so that people get the service's pseudonyms"
        )
    url = settings.database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        # opening would create an empty database
        raise InputError(f"--consents: the consent service's database {url} does not exist")
    engine = None
    try:  # an unknown scheme or a bad port fails in make_engine already
        engine = make_engine(url)
        names = set(inspect(engine).get_table_names())
    except (SQLAlchemyError, ValueError, ImportError) as exc:
        # the driver's message may hold the URL: name the type only
        raise InputError(
            f"--consents: cannot open the consent service's database ({type(exc).__name__})"
        ) from None
    finally:
        if engine is not None:
            engine.dispose()
    wanted = f"{settings.table_prefix}consent_events"
    if wanted not in names:
        raise InputError(
            f"--consents: the consent service's database has no table {wanted}; check the "
            "table prefix, or run piguard serve --migrate"
        )
    return open_services(settings, migrate=False)


DescOpt = Annotated[
    Path,
    typer.Option("--description", "-d", help="The dataset description YAML (datastores)."),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Access/copy/portability: the package (a new folder, or a .zip) with JSON + CSV "
        "per table and manifest.json. Explanation: explanation.json and explanation.md.",
    ),
]
WorkOpt = Annotated[
    Path | None,
    typer.Option("--work-dir", help="Where collected tables are staged until the package."),
]
AuditOpt = Annotated[
    str | None,
    typer.Option(
        "--audit-log",
        help="Record every step (counts, no values) in this audit log (path or URL).",
    ),
]
DatamapOpt = Annotated[
    Path | None,
    typer.Option(
        "--datamap",
        help="Explanation: the data map YAML (purposes, legal bases, recipients, transfers "
        "abroad of the person's PI categories).",
    ),
]
KeysOpt = Annotated[
    str | None,
    typer.Option(
        "--keys",
        help="Key provider (env, env:PREFIX, file:DIR; default env) holding the token vaults' "
        "keys and key 'audit' (with --audit-log, events then name the person by a keyed "
        "pseudonym).",
    ),
]

ConsentsOpt = Annotated[
    str | None,
    typer.Option(
        "--consents",
        help="Cancellation and consent withdrawal: withdraw the person's consents (by user id) "
        "in the consent service's records, as the service does. The service's settings file "
        "(TOML, as piguard serve --config), its database URL (as piguard serve --db; table "
        "prefix, data directory and keys from PIGUARD_* as the service reads them), or 'env'. "
        "Without --audit-log, steps are audited in the service's audit log.",
    ),
]


@requests_app.command(
    "run",
    epilog=examples(
        "piguard requests run req-0123456789abcdef -d examples/datastores/ride-hailing.yaml "
        "-o alice.zip",
        "piguard requests run req-fedcba9876543210 -d examples/datastores/ride-hailing.yaml",
        "piguard requests run req-00112233aabbccdd -d examples/datastores/ride-hailing.yaml "
        "--datamap examples/datamaps/ride-hailing-compliant.yaml -o explanation.zip",
        "piguard requests run req-fedcba9876543210 -d examples/datastores/ride-hailing.yaml "
        "--consents piguard.toml",
    ),
)
def run_command(
    request_id: Annotated[str, typer.Argument(help="The request id (identity_verified).")],
    description: DescOpt,
    output: OutOpt = None,
    work_dir: WorkOpt = None,
    audit_log: AuditOpt = None,
    keys: KeysOpt = None,
    datamap: DatamapOpt = None,
    consents: ConsentsOpt = None,
    store: StoreOpt = DEFAULT_STORE,
) -> None:
    """Execute a verified request over every datastore; exit 1 if a datastore fails."""
    _execute(
        request_id,
        description,
        output,
        work_dir,
        store,
        audit_log,
        keys,
        datamap,
        resume=False,
        consents=consents,
    )


@requests_app.command(
    "resume",
    epilog=examples(
        "piguard requests resume req-0123456789abcdef -d examples/datastores/ride-hailing.yaml",
        "piguard requests resume req-0123456789abcdef -d examples/datastores/ride-hailing.yaml "
        "--consents postgresql://piguard@127.0.0.1/piguard",
    ),
)
def resume_command(
    request_id: Annotated[str, typer.Argument(help="The failed request's id.")],
    description: DescOpt,
    output: OutOpt = None,
    work_dir: WorkOpt = None,
    audit_log: AuditOpt = None,
    keys: KeysOpt = None,
    datamap: DatamapOpt = None,
    consents: ConsentsOpt = None,
    store: StoreOpt = DEFAULT_STORE,
) -> None:
    """Continue a failed request (or one a stopped process left in progress); finished
    steps are not repeated."""
    _execute(
        request_id,
        description,
        output,
        work_dir,
        store,
        audit_log,
        keys,
        datamap,
        resume=True,
        consents=consents,
    )


@requests_app.command(
    "show",
    epilog=examples(
        "piguard requests show req-0123456789abcdef",
        "piguard requests show req-0123456789abcdef --format json",
    ),
)
def show_command(
    request_id: Annotated[str, typer.Argument(help="The request id.")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    store: StoreOpt = DEFAULT_STORE,
) -> None:
    """Show a request and its steps (which datastore and table failed, and why)."""
    s = rights.RequestStore(store)
    _print_request(s.get(request_id), s.steps(request_id), fmt)


@requests_app.command(
    "list",
    epilog=examples(
        "piguard requests list",
        "piguard requests list --overdue",
        "piguard requests list --overdue --today 2026-12-31 --format json",
    ),
)
def list_command(
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only open requests past their due date.")
    ] = False,
    today: Annotated[
        str | None, typer.Option("--today", help="The day to judge overdue on (default today).")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    store: StoreOpt = DEFAULT_STORE,
) -> None:
    """List requests (identities hidden), oldest first."""
    day = _date(today, "--today")
    reqs = rights.RequestStore(store).requests(overdue_on=day if overdue else None)
    if fmt is OutputFormat.json:
        emit_text(to_json([r.to_dict() | {"overdue": r.overdue(day)} for r in reqs]))
        return
    rows = [
        (
            r.id,
            r.type,
            r.state,
            r.received.isoformat(),
            r.due.isoformat(),
            "yes" if r.overdue(day) else "",
        )
        for r in reqs
    ]
    title = "Overdue requests" if overdue else "Requests"
    stdout_console().print(
        make_table(title, ["id", "type", "state", "received", "due", "overdue"], rows)
    )


@requests_app.command(
    "describe",
    epilog=examples(
        "piguard scan sqlite:///ride.db --format json -o inventory.json",
        "piguard requests describe PIGUARD_RIDE_DB_URL --name ride --inventory inventory.json "
        "-o ride.yaml",
    ),
)
def describe_command(
    url_env: Annotated[
        str,
        typer.Argument(help="Name of the environment variable holding the database URL."),
    ],
    name: Annotated[str, typer.Option("--name", help="The datastore's name.")] = "main",
    inventory: Annotated[
        Path | None,
        typer.Option("--inventory", help="A piguard scan JSON inventory (PI columns, identity)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the description here.")
    ] = None,
) -> None:
    """Write a first dataset description: tables, keys, PI columns and identity columns.

    Every table starts under a REVIEW hold (nothing is erased) until you choose delete, mask
    or a real legal hold.
    """
    url = os.environ.get(url_env)
    if not url:
        raise InputError(f"environment variable {url_env} is not set")
    inv = None
    if inventory is not None:
        try:
            inv = json.loads(inventory.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(
                f"{inventory}: cannot read the inventory ({type(exc).__name__})"
            ) from None
    text, skipped = rights.describe_datastore(url, name=name, url_env=url_env, inventory=inv)
    emit_text(text, output)
    for table in skipped:
        stderr_console().print(f"left out {table}: no single-column primary key", markup=False)


def register(app: typer.Typer) -> None:
    """Attach ``requests`` to the root command."""
    app.add_typer(requests_app, name="requests")
