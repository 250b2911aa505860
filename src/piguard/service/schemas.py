"""Request and response bodies (separate models, CONVENTIONS.md 10). Lengths are bounded so
that no request can make the service do unbounded work."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from piguard.consent import Channel, SeparateReason

Token = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")
]
SubjectId = Annotated[str, Field(min_length=1, max_length=256)]
CategoryKey = Annotated[
    str, Field(min_length=1, max_length=128, pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


class PurposeIn(_In):
    id: Token
    description: str = Field(default="", max_length=512)
    categories: list[CategoryKey] = Field(min_length=1, max_length=100)
    separate: list[SeparateReason] = Field(default_factory=list, max_length=5)


class NoticeIn(_In):
    notice: Token
    purposes: list[PurposeIn] = Field(min_length=1, max_length=100)
    language: str = Field(default="zh-CN", min_length=2, max_length=16)


class PurposeOut(BaseModel):
    id: str
    description: str
    categories: list[str]
    separate: list[SeparateReason]
    needs_separate_consent: bool


class NoticeChangeOut(BaseModel):
    widened: dict[str, list[str]]
    added: list[str]
    removed: list[str]


class NoticeOut(BaseModel):
    notice: str
    version: int
    created: datetime
    language: str
    purposes: list[PurposeOut]
    change: NoticeChangeOut | None = None


class GuardianIn(_In):
    id: SubjectId
    relationship: Token


class ConsentIn(_In):
    subject: SubjectId
    notice: Token
    purposes: list[Token] = Field(min_length=1, max_length=50)
    channel: Channel
    version: int | None = Field(default=None, ge=1, le=1_000_000)
    birth_date: date | None = None
    resident_id: str | None = Field(default=None, min_length=1, max_length=32)
    guardian: GuardianIn | None = None


class ConsentOut(BaseModel):
    id: str
    subject: str
    notice: str
    version: int
    purpose: str
    action: str
    channel: str
    time: datetime
    categories: list[str]
    child: bool
    guardian_relationship: str | None
    ref: str | None
    receipt: dict[str, Any] | None = None


class RefusalIn(_In):
    subject: SubjectId
    notice: Token
    purpose: Token
    channel: Channel


class PromptIn(_In):
    subject: SubjectId
    notice: Token
    purpose: Token


class PromptOut(BaseModel):
    may_ask: bool
    last_refusal: datetime | None


class WithdrawIn(_In):
    channel: Channel = Channel.APP


class SubjectQuery(_In):
    subject: SubjectId
    notice: Token | None = None


class DecisionIn(_In):
    subject: SubjectId
    notice: Token
    purpose: Token
    categories: list[CategoryKey] = Field(min_length=1, max_length=100)
    at: datetime | None = None


class BatchDecisionIn(_In):
    subjects: list[SubjectId] = Field(min_length=1, max_length=1000)
    notice: Token
    purpose: Token
    categories: list[CategoryKey] = Field(min_length=1, max_length=100)
    at: datetime | None = None


class DecisionOut(BaseModel):
    allow: bool
    reason: str
    subject: str
    notice: str
    purpose: str
    categories: list[str]
    denied_categories: list[str]
    consent_id: str | None
    version: int | None
    detail: str


class BatchDecisionOut(BaseModel):
    decisions: list[DecisionOut]
    allowed: int
    denied: int


class DatamapIn(_In):
    yaml: str = Field(min_length=1, max_length=2_000_000)
    app_category: str | None = Field(default=None, min_length=1, max_length=64)
    strict: bool = False


class FindingOut(BaseModel):
    rule: str
    name: str
    clause: str
    message: str
    line: int
    system: str
    function: str
    category: str | None


class DatamapOut(BaseModel):
    loaded: bool
    systems: int
    functions: int
    findings: list[FindingOut]
    yaml: str | None = None


class PublicKeyOut(BaseModel):
    vkey: str
    algorithm: Literal["Ed25519"] = "Ed25519"


class KeyIn(_In):
    scopes: list[Token] = Field(min_length=1, max_length=10)
    name: str = Field(default="", max_length=128)


class KeyOut(BaseModel):
    id: str
    scopes: list[str]
    name: str
    revoked: bool
    key: str | None = None
