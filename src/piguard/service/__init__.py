"""The piguard HTTP service (FastAPI): consent per purpose, decisions, the data map, audit.

``create_app(settings)`` builds the app; :class:`Settings` reads defaults, a TOML file and
``PIGUARD_*`` environment variables. The logic lives in :mod:`piguard.consent` and
:mod:`piguard.datamap`; this package parses, authorises, stores (SQLAlchemy 2, Alembic) and
maps errors to JSON.
"""

from piguard.service.app import create_app, open_services
from piguard.service.settings import Settings

__all__ = ["Settings", "create_app", "open_services"]
