"""``piguard admin``: API keys and offline receipt checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from piguard.cli._output import (
    OutputFormat,
    emit_text,
    examples,
    make_table,
    stderr_console,
    stdout_console,
    to_json,
)
from piguard.cli.serve import (
    ConfigOpt,
    DataDirOpt,
    DbOpt,
    PrefixOpt,
    load_settings,
    open_database,
)
from piguard.errors import InputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from piguard.service.auth import ApiKeys

admin_app = typer.Typer(
    name="admin",
    help="Administer the service: API keys (stored hashed, with scopes), receipts.",
    epilog=examples(
        "piguard admin create-key --scope admin",
        "piguard admin create-key --scope decisions:read --name checkout",
        "piguard admin list-keys",
        "piguard admin verify-receipt receipt.json --key 'piguard.local/service+…'",
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def _keys(
    config: Path | None, db: str | None, data_dir: Path | None, prefix: str | None
) -> tuple[ApiKeys, Engine]:
    from piguard.service.auth import ApiKeys
    from piguard.service.db import tables

    settings = load_settings(config, db, data_dir, prefix)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_database(settings)
    return ApiKeys(engine, tables(settings.table_prefix)), engine


@admin_app.command(
    "create-key",
    epilog=examples(
        "piguard admin create-key --scope admin",
        "piguard admin create-key --scope consent:write --scope decisions:read --name app",
        "piguard admin create-key --scope decisions:read --db postgresql://…/piguard",
    ),
)
def create_key(
    scope: Annotated[
        list[str],
        typer.Option(
            "--scope",
            "-s",
            help="admin, datamap, consent:write, consent:read, decisions:read, requests, "
            "audit:read (repeat for several).",
        ),
    ],
    name: Annotated[str, typer.Option("--name", help="A label for the key.")] = "",
    db: DbOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    table_prefix: PrefixOpt = None,
) -> None:
    """Create an API key and print it once (only its SHA-256 is stored)."""
    keys, engine = _keys(config, db, data_dir, table_prefix)
    try:
        key, key_id = keys.create(scope, name)
    finally:
        engine.dispose()
    stderr_console().print(f"key id {key_id}, scopes {' '.join(scope)}: shown once, keep it safe")
    emit_text(key + "\n")


@admin_app.command("list-keys", epilog=examples("piguard admin list-keys -f json"))
def list_keys(
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.table
    ),
    db: DbOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    table_prefix: PrefixOpt = None,
) -> None:
    """List API keys: ids, scopes, names (never the keys)."""
    keys, engine = _keys(config, db, data_dir, table_prefix)
    try:
        rows = keys.list()
    finally:
        engine.dispose()
    if fmt is OutputFormat.json:
        emit_text(to_json(rows))
        return
    table = make_table(
        "API keys",
        ["Id", "Scopes", "Name", "Revoked"],
        [(r["id"], " ".join(r["scopes"]), r["name"], r["revoked"]) for r in rows],
    )
    stdout_console().print(table)


@admin_app.command("revoke-key", epilog=examples("piguard admin revoke-key 3f2a9c01b7d4"))
def revoke_key(
    key_id: Annotated[str, typer.Argument(help="The key id (from list-keys).")],
    db: DbOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    table_prefix: PrefixOpt = None,
) -> None:
    """Revoke an API key."""
    keys, engine = _keys(config, db, data_dir, table_prefix)
    try:
        keys.revoke(key_id)
    finally:
        engine.dispose()
    stderr_console().print(f"revoked key {key_id}")


@admin_app.command(
    "verify-receipt",
    epilog=examples("piguard admin verify-receipt receipt.json --key 'piguard.local/service+…'"),
)
def verify_receipt_command(
    file: Annotated[
        Path, typer.Argument(help="The receipt JSON (from /v1/consents/{id}/receipt).")
    ],
    key: Annotated[
        str, typer.Option("--key", "-k", help="The service's public key (GET /v1/receipts/key).")
    ],
) -> None:
    """Verify a signed consent receipt offline; exit 2 if it does not verify."""
    from piguard.consent import verify_receipt

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError("not a readable JSON file", source=str(file)) from None
    receipt = verify_receipt(data, key)
    emit_text(f"{file}: valid receipt {receipt.get('consentReceiptID')}\n")


def register(app: typer.Typer) -> None:
    """Attach ``admin`` to the root command."""
    app.add_typer(admin_app, name="admin")
