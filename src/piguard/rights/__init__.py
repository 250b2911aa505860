"""Data-subject requests (个人信息主体权利响应): access, copy, portability, deletion and account
cancellation executed across the company's own SQL datastores, with deadlines.

* :mod:`~piguard.rights.dataset` — the YAML description of datastores, identity columns,
  references, PI columns and erasure actions (delete / mask / legal hold).
* :mod:`~piguard.rights.deadlines` — 30 calendar days (GB/T 35273-2020 8.7) and 15 working
  days for cancellation (8.5; 认定方法 6.3) with a holiday calendar (调休 included).
* :mod:`~piguard.rights.store` — requests and steps in SQLite; states and refusals.
* :mod:`~piguard.rights.engine` — the graph walk, the portability package, erasure.
* :mod:`~piguard.rights.describe` — a first description from the schema and a scan inventory.
* :mod:`~piguard.rights.explain` — the explanation of processing rules (PIPL Art. 48).

>>> import datetime as dt
>>> due_date("cancellation", dt.date(2026, 11, 2))
datetime.date(2026, 11, 23)
"""

from piguard.rights.dataset import (
    IDENTITY_KINDS,
    Datastore,
    Description,
    Erasure,
    Reference,
    TableSpec,
    VaultSpec,
    load_description,
    parse_description,
)
from piguard.rights.deadlines import (
    CALENDAR_DAYS,
    CANCELLATION_WORKING_DAYS,
    HolidayCalendar,
    add_working_days,
    due_date,
    load_calendar,
)
from piguard.rights.describe import REVIEW_HOLD, describe_datastore
from piguard.rights.engine import (
    ACCESS_TYPES,
    ERASURE_TYPES,
    EXECUTABLE_TYPES,
    NO_CONSENT_SERVICE,
    PACKAGE_SCHEMA,
    WITHDRAWING_TYPES,
    Executor,
)
from piguard.rights.explain import EXPLANATION_SCHEMA, explanation, explanation_markdown
from piguard.rights.store import (
    COMPLAINT_ROUTE,
    REQUEST_TYPES,
    STATES,
    Request,
    RequestStore,
    Step,
)

__all__ = [
    "ACCESS_TYPES",
    "CALENDAR_DAYS",
    "CANCELLATION_WORKING_DAYS",
    "COMPLAINT_ROUTE",
    "ERASURE_TYPES",
    "EXECUTABLE_TYPES",
    "EXPLANATION_SCHEMA",
    "IDENTITY_KINDS",
    "NO_CONSENT_SERVICE",
    "PACKAGE_SCHEMA",
    "REQUEST_TYPES",
    "REVIEW_HOLD",
    "STATES",
    "WITHDRAWING_TYPES",
    "Datastore",
    "Description",
    "Erasure",
    "Executor",
    "HolidayCalendar",
    "Reference",
    "Request",
    "RequestStore",
    "Step",
    "TableSpec",
    "VaultSpec",
    "add_working_days",
    "describe_datastore",
    "due_date",
    "explanation",
    "explanation_markdown",
    "load_calendar",
    "load_description",
    "parse_description",
]
