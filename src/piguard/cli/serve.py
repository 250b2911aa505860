"""``piguard serve``: the HTTP service (FastAPI on uvicorn), SQLite by default."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from piguard.cli._output import examples, stderr_console

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from piguard.service.settings import Settings

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="Settings file (TOML, [service] table).")
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL: sqlite:///file.db, postgresql://…, mysql://… "
        "(default: sqlite in the data directory).",
    ),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Directory for the default database, audit log and keys."),
]
PrefixOpt = Annotated[
    str | None, typer.Option("--table-prefix", help="Prefix of the service's tables.")
]


def load_settings(
    config: Path | None,
    db: str | None,
    data_dir: Path | None,
    prefix: str | None,
    log_level: str | None = None,
) -> Settings:
    """Settings from the file, the environment and the command line (in that order)."""
    from piguard.service.settings import Settings

    return Settings.load(
        config, db_url=db, data_dir=data_dir, table_prefix=prefix, log_level=log_level
    )


def open_database(settings: Settings, *, migrate: bool = True) -> Engine:
    """The service's engine, connected once (and its tables migrated with ``migrate``). A URL
    that cannot be used (unknown scheme, bad port, missing driver, server unreachable) is a
    one-line :class:`~piguard.errors.StorageError` naming the error's type only: the
    driver's message may quote the URL."""
    from sqlalchemy.exc import SQLAlchemyError

    from piguard.errors import StorageError
    from piguard.service.db import make_engine
    from piguard.service.migrate import upgrade

    engine = None
    try:
        engine = make_engine(settings.database_url)
        if migrate:
            upgrade(engine, settings.table_prefix)
        else:
            engine.connect().close()
    except (SQLAlchemyError, ValueError, ImportError) as exc:
        if engine is not None:
            engine.dispose()
        raise StorageError(f"cannot open the service's database ({type(exc).__name__})") from None
    return engine


def register(app: typer.Typer) -> None:
    """Attach ``serve`` to the root command."""

    @app.command(
        "serve",
        epilog=examples(
            "piguard serve",
            "piguard serve --db postgresql://piguard@127.0.0.1/piguard --port 8080",
            "piguard serve --migrate --db mysql://root@127.0.0.1/piguard",
            "piguard admin create-key --scope admin",
        ),
    )
    def serve(
        host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8000,
        db: DbOpt = None,
        config: ConfigOpt = None,
        data_dir: DataDirOpt = None,
        table_prefix: PrefixOpt = None,
        migrate: Annotated[
            bool,
            typer.Option("--migrate", help="Run the database migrations (Alembic), then exit."),
        ] = False,
        log_level: Annotated[
            str, typer.Option("--log-level", help="debug, info, warning, error.")
        ] = "info",
    ) -> None:
        """Run the consent, decision and data-map service (see docs/service.md).

        Works with no set-up: state in ./piguard-data/piguard.db (SQLite), the Merkle audit
        log in ./piguard-data/audit.db, keys created in ./piguard-data/keys/ on first start.
        Migrations run on start. Create an API key with `piguard admin create-key`.
        """
        import uvicorn

        from piguard.service import create_app

        settings = load_settings(config, db, data_dir, table_prefix, log_level=log_level.upper())
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if migrate:
            open_database(settings).dispose()
            stderr_console().print("piguard: database migrated to the latest schema")
            return
        # a database that cannot be opened stops here with one line, not in the app's start-up
        open_database(settings, migrate=False).dispose()
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_level=log_level.lower(),
            access_log=False,  # the service logs requests itself, without query strings
        )
