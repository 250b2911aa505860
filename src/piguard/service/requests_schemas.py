"""Bodies of the data-subject request and datastore routes (separate in and out models,
CONVENTIONS.md 10). Lengths are bounded; identity values are never part of a response."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RequestType = Literal[
    "access",
    "copy",
    "portability",
    "correction",
    "deletion",
    "cancellation",
    "consent_withdrawal",
    "explanation",
]
IdentityValue = Annotated[str, Field(min_length=1, max_length=256)]
Name = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z_][A-Za-z0-9_.$\-]*$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IdentityIn(_In):
    """The identity the person used with the service; give only what was collected
    (GB/T 35273-2020 8.5: verification may not ask for more PI)."""

    user_id: IdentityValue | None = None
    phone: IdentityValue | None = None
    resident_id: IdentityValue | None = None
    email: IdentityValue | None = None

    def values(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class ChangeIn(_In):
    """One correction: the new value of a column on the person's rows (kept, never shown)."""

    datastore: Name
    table: Name
    column: Name
    value: str = Field(max_length=4096)


class RequestIn(_In):
    type: RequestType
    identity: IdentityIn
    #: the day the request was received (default: today); deadlines count from it
    received: date | None = None
    #: correction requests only
    changes: list[ChangeIn] | None = Field(default=None, min_length=1, max_length=100)


class RefuseIn(_In):
    reason: str = Field(min_length=1, max_length=2000)


class StepOut(BaseModel):
    step: str
    state: str
    attempts: int
    datastore: str | None
    table: str | None
    detail: dict[str, Any]
    error: str | None


class ChangeOut(BaseModel):
    datastore: str
    table: str
    column: str


class RequestOut(BaseModel):
    id: str
    type: str
    #: identity kinds with masked values ("***"): the values are never returned
    identity: dict[str, str]
    state: str
    received: date
    due: date
    updated: str
    overdue: bool
    reason: str | None
    complaint_route: str | None
    #: access requests: true once the package is ready (GET .../package for its manifest)
    package: bool
    changes: list[ChangeOut]
    steps: list[StepOut] = Field(default_factory=list)


class DatastoresIn(_In):
    #: the dataset description (docs/requests.md); every url must be ``env:VAR``
    yaml: str = Field(min_length=1, max_length=2_000_000)


class DatastoreOut(BaseModel):
    name: str
    #: as registered: ``env:VAR`` (never the URL or its credentials)
    url: str
    tables: list[str]


class DatastoresOut(BaseModel):
    datastores: list[DatastoreOut]
    yaml: str | None = None
