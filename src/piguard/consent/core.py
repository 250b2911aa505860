"""Consent logic: notices, grants, refusals, withdrawals, re-consent, decisions.

Framework-free: persistence goes through a :class:`~piguard.consent.store.ConsentStore`, audit
events through an :class:`~piguard.audit.AuditSink`, the data map through a
:class:`ScopeCheck`; clock, ids, keys and the signer are injected (CONVENTIONS.md 9).

The rules, with their sources (/work/shared/reference/cn_standards.md):

* consent per purpose, never bundled (GB/T 35273-2020 5.3): one record per subject × notice ×
  purpose, covering the categories the notice version listed for that purpose;
* re-consent when scope grows (PIPL Art. 14): a new notice version that widens a purpose's
  categories or adds purposes does not extend existing consent;
* withdrawal is effective at once (PIPL Art. 15, GB/T 35273-2020 8.4);
* children under 14 need a guardian's consent (PIPL Art. 31, GB/T 35273-2020 5.4 d);
* after a refusal, ask again at most once in 48 hours (GB/T 35273-2020 Appendix C);
* separate consent (单独同意) for sensitive PI, provision to others, public disclosure and
  cross-border transfer (PIPL Arts. 23, 25, 29, 39), biometrics (GB/T 35273-2020 5.4 c).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from piguard import taxonomy
from piguard.audit import AuditEvent, AuditSink
from piguard.consent.model import (
    Action,
    Channel,
    ConsentEvent,
    Decision,
    Guardian,
    Notice,
    NoticeChange,
    Purpose,
    Reason,
    SeparateReason,
)
from piguard.consent.receipt import RECEIPT_VERSION, canonical_json, sign_receipt
from piguard.consent.store import ConsentStore
from piguard.detect.identifiers import cn_ric
from piguard.errors import (
    ConflictError,
    InputError,
    InvalidIdentifier,
    NotFoundError,
    UnknownKeyError,
)
from piguard.keys import NoteSigner

__all__ = ["REPROMPT_INTERVAL", "ConsentService", "ScopeCheck", "age_on", "covers"]

#: GB/T 35273-2020 Appendix C: after a refusal, ask again no more than once in 48 hours.
REPROMPT_INTERVAL = timedelta(hours=48)
#: PIPL Arts. 28, 31: minors under 14 (不满十四周岁) need a guardian's consent.
CHILD_AGE = taxonomy.PIPL_CHILD_AGE_LIMIT


class ScopeCheck(Protocol):
    """What decisions need from the data map (implemented by :class:`piguard.datamap.DataMap`)."""

    def uncovered(self, purpose: str, categories: Sequence[str]) -> tuple[str, ...]: ...

    def retention_days(self, purpose: str, category: str) -> int | None: ...


def covers(granted: Iterable[str], key: str) -> bool:
    """True when a granted category covers ``key`` (itself or a parent key).

    >>> covers(["location"], "location.precise"), covers(["location.precise"], "location")
    (True, False)
    """
    return any(key == g or key.startswith(g + ".") for g in granted)


def age_on(birth: date, day: date) -> int:
    """Age in whole years on ``day``.

    >>> age_on(date(2012, 6, 1), date(2026, 5, 31)), age_on(date(2012, 6, 1), date(2026, 6, 1))
    (13, 14)
    """
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@functools.lru_cache(maxsize=4096)
def _canonical(key: str) -> str:
    return taxonomy.get(key).key  # unknown keys raise, and exceptions are not cached


def _check_categories(categories: Iterable[str]) -> tuple[str, ...]:
    out = []
    for key in categories:
        try:
            out.append(_canonical(key))
        except UnknownKeyError as exc:
            raise InputError(str(exc)) from None
    if not out:
        raise InputError("give at least one PI category (taxonomy key)")
    return tuple(dict.fromkeys(out))


def _separate_reasons(
    categories: Sequence[str], given: Iterable[SeparateReason]
) -> tuple[SeparateReason, ...]:
    reasons = list(given)
    if any(taxonomy.is_sensitive(k) for k in categories):
        reasons.append(SeparateReason.SENSITIVE)  # PIPL Art. 29
    if any(k == "biometric" or k.startswith("biometric.") for k in categories):
        reasons.append(SeparateReason.BIOMETRIC)  # GB/T 35273-2020 5.4 c
    return tuple(dict.fromkeys(reasons))


class ConsentService:
    """The consent operations. Each state change is stored, then audited, then returned."""

    def __init__(
        self,
        store: ConsentStore,
        *,
        audit: AuditSink,
        pseudonymize: Callable[[str], str],
        signer: NoteSigner,
        controller: str = "piguard",
        jurisdiction: str = "CN",
        scope: Callable[[], ScopeCheck | None] = lambda: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        new_id: Callable[[], str] = lambda: secrets.token_hex(16),
    ):
        self.store = store
        self.audit = audit
        self.pseudonymize = pseudonymize
        self.signer = signer
        self.controller = controller
        self.jurisdiction = jurisdiction
        self.scope = scope
        self.clock = clock
        self.new_id = new_id

    # ------------------------------------------------------------------ helpers
    def _emit(self, actor: str, action: str, **fields: Any) -> None:
        self.audit.emit(AuditEvent(time=self.clock(), actor=actor, action=action, **fields))

    def notice(self, notice: str, version: int | None = None) -> Notice:
        found = self.store.get_notice(notice, version)
        if found is None:
            what = f"notice {notice!r}" + (f" version {version}" if version is not None else "")
            raise NotFoundError(f"{what} does not exist")
        return found

    # ------------------------------------------------------------------ notices
    def publish_notice(
        self,
        notice: str,
        purposes: Sequence[Purpose],
        *,
        actor: str,
        language: str = "zh-CN",
    ) -> tuple[Notice, NoticeChange]:
        """Store the next version of ``notice``; return it and what it changed."""
        if not purposes:
            raise InputError("a notice lists at least one purpose")
        ids = [p.id for p in purposes]
        if len(set(ids)) != len(ids):
            raise InputError("a notice lists each purpose once")
        checked = []
        for p in purposes:
            cats = _check_categories(p.categories)
            checked.append(
                replace(p, categories=cats, separate=_separate_reasons(cats, p.separate))
            )
        previous = self.store.get_notice(notice)
        version = previous.version + 1 if previous else 1
        new = Notice(
            notice=notice,
            version=version,
            purposes=tuple(checked),
            created=self.clock(),
            language=language,
            controller=self.controller,
        )
        change = NoticeChange()
        if previous is not None:
            widened: dict[str, tuple[str, ...]] = {}
            added = []
            for p in new.purposes:
                old = previous.purpose(p.id)
                if old is None:
                    added.append(p.id)
                    continue
                extra = tuple(c for c in p.categories if not covers(old.categories, c))
                if extra:
                    widened[p.id] = extra
            removed = tuple(p.id for p in previous.purposes if new.purpose(p.id) is None)
            change = NoticeChange(widened=widened, added=tuple(added), removed=removed)
        self.store.add_notice(new)
        self._emit(
            actor,
            "notice.publish",
            details={
                "notice": notice,
                "version": version,
                "widened": len(change.widened),
                "added": len(change.added),
            },
        )
        return new, change

    # ------------------------------------------------------------------ subjects
    def child_until(
        self, *, birth_date: date | None, resident_id: str | None, today: date
    ) -> date | None:
        """The day a child under 14 turns 14, or None for a subject aged 14 or more (or of
        unknown age). The age comes from the birth date or the resident ID (GB 11643-1999)."""
        if birth_date is None and resident_id is not None:
            try:
                birth_date = cn_ric.get_birth_date(cn_ric.validate(resident_id))
            except InvalidIdentifier:
                raise InputError("resident_id is not a valid resident ID number") from None
        if birth_date is None:
            return None
        if birth_date > today:
            raise InputError("birth_date is in the future")
        return _add_years(birth_date, CHILD_AGE) if age_on(birth_date, today) < CHILD_AGE else None

    # ------------------------------------------------------------------ consent
    def grant(
        self,
        subject_id: str,
        notice: str,
        purposes: Sequence[str],
        *,
        channel: Channel,
        actor: str,
        version: int | None = None,
        birth_date: date | None = None,
        resident_id: str | None = None,
        guardian_id: str | None = None,
        guardian_relationship: str | None = None,
    ) -> list[ConsentEvent]:
        """Record consent to each purpose (one record per purpose: never bundled)."""
        now = self.clock()
        nv = self.notice(notice, version)
        if not purposes:
            raise InputError("give at least one purpose to consent to")
        wanted = []
        for pid in dict.fromkeys(purposes):
            p = nv.purpose(pid)
            if p is None:
                raise InputError(
                    f"purpose {pid!r} is not in notice {notice!r} version {nv.version}"
                )
            wanted.append(p)
        child_until = self.child_until(
            birth_date=birth_date, resident_id=resident_id, today=now.date()
        )
        guardian = None
        if guardian_id is not None:
            if not guardian_relationship:
                raise InputError("guardian_relationship is required with guardian_id")
            guardian = Guardian(
                subject=self.pseudonymize(guardian_id), relationship=guardian_relationship
            )
        subject = self.pseudonymize(subject_id)
        events = []
        for p in wanted:
            event_id = self.new_id()
            event = ConsentEvent(
                id=event_id,
                subject=subject,
                notice=notice,
                version=nv.version,
                purpose=p.id,
                action=Action.GRANT,
                channel=channel,
                time=now,
                categories=p.categories,
                guardian=guardian,
                child_until=child_until,
            )
            receipt = sign_receipt(self._receipt(event, nv, p), self.signer)
            event = replace(event, receipt=canonical_json(receipt).decode())
            self.store.add_event(event)
            details: dict[str, str | int | bool | None] = {
                "notice": notice,
                "version": nv.version,
                "channel": channel.value,
                "child": child_until is not None,
            }
            if guardian is not None:
                details["guardian_relationship"] = guardian.relationship
            self._emit(
                actor,
                "consent.grant",
                purpose=p.id,
                categories=p.categories,
                subject=subject,
                consent_id=event_id,
                details=details,
            )
            events.append(event)
        return events

    def _receipt(self, event: ConsentEvent, notice: Notice, purpose: Purpose) -> dict[str, Any]:
        sensitive = [k for k in purpose.categories if taxonomy.is_sensitive(k)]
        receipt: dict[str, Any] = {
            "version": RECEIPT_VERSION,
            "jurisdiction": self.jurisdiction,
            "consentTimestamp": int(event.time.timestamp()),
            "collectionMethod": event.channel.value,
            "consentReceiptID": event.id,
            "language": notice.language,
            "piiPrincipalId": event.subject,
            "piiControllers": [{"piiController": self.controller}],
            "noticeId": notice.notice,
            "noticeVersion": notice.version,
            "services": [
                {
                    "service": notice.notice,
                    "purposes": [
                        {
                            "purpose": purpose.description or purpose.id,
                            "purposeId": purpose.id,
                            "consentType": "EXPLICIT",
                            "piiCategory": list(purpose.categories),
                            "primaryPurpose": True,
                            "termination": "withdrawal by the principal at any time",
                            "thirdPartyDisclosure": SeparateReason.PROVISION in purpose.separate,
                        }
                    ],
                }
            ],
            "separateConsent": [r.value for r in purpose.separate],
            "sensitive": bool(sensitive),
            "spiCat": sensitive,
        }
        if event.guardian is not None:
            receipt["guardian"] = {
                "id": event.guardian.subject,
                "relationship": event.guardian.relationship,
            }
        return receipt

    def refuse(
        self, subject_id: str, notice: str, purpose: str, *, channel: Channel, actor: str
    ) -> ConsentEvent:
        """Record that the subject refused ``purpose`` (starts the 48-hour quiet period)."""
        nv = self.notice(notice)
        if nv.purpose(purpose) is None:
            raise InputError(f"purpose {purpose!r} is not in notice {notice!r}")
        subject = self.pseudonymize(subject_id)
        event = ConsentEvent(
            id=self.new_id(),
            subject=subject,
            notice=notice,
            version=nv.version,
            purpose=purpose,
            action=Action.REFUSE,
            channel=channel,
            time=self.clock(),
        )
        self.store.add_event(event)
        self._emit(
            actor,
            "consent.refuse",
            purpose=purpose,
            subject=subject,
            consent_id=event.id,
            details={"notice": notice, "version": nv.version, "channel": channel.value},
        )
        return event

    def prompt(self, subject_id: str, notice: str, purpose: str, *, actor: str) -> datetime | None:
        """May we ask this subject for consent to ``purpose`` now? Returns the last refusal's
        time (None if none) when we may; raises :class:`ConflictError` within 48 hours of a
        refusal (GB/T 35273-2020 Appendix C). The subject turning the function on themselves
        is a grant, not a prompt, and is always accepted."""
        self.notice(notice)
        subject = self.pseudonymize(subject_id)
        last = self.store.latest_event(subject, notice, purpose)
        if last is not None and last.action is Action.REFUSE:
            retry = last.time + REPROMPT_INTERVAL
            if self.clock() < retry:
                raise ConflictError(
                    "the subject refused this purpose less than 48 hours ago; do not ask again "
                    f"before {retry.astimezone(UTC).isoformat(timespec='seconds')} "
                    "(GB/T 35273-2020 Appendix C)"
                )
            return last.time
        return None

    def withdraw(self, consent_id: str, *, channel: Channel, actor: str) -> ConsentEvent:
        """Withdraw a grant; effective at once for every later decision."""
        grant = self.store.get_event(consent_id)
        if grant is None or grant.action is not Action.GRANT:
            raise NotFoundError(f"consent {consent_id!r} does not exist")
        latest = self.store.latest_event(grant.subject, grant.notice, grant.purpose)
        if latest is not None and latest.id != grant.id:
            raise ConflictError(
                f"consent {consent_id!r} is no longer current (a later {latest.action.value} "
                "was recorded)"
            )
        event = ConsentEvent(
            id=self.new_id(),
            subject=grant.subject,
            notice=grant.notice,
            version=grant.version,
            purpose=grant.purpose,
            action=Action.WITHDRAW,
            channel=channel,
            time=self.clock(),
            categories=grant.categories,
            ref=grant.id,
        )
        self.store.add_event(event)
        self._emit(
            actor,
            "consent.withdraw",
            purpose=grant.purpose,
            categories=grant.categories,
            subject=grant.subject,
            consent_id=grant.id,
            details={"notice": grant.notice, "channel": channel.value},
        )
        return event

    def receipt(self, consent_id: str) -> str:
        """The signed receipt (JSON text) of a grant."""
        grant = self.store.get_event(consent_id)
        if grant is None or grant.receipt is None:
            raise NotFoundError(f"consent {consent_id!r} does not exist")
        return grant.receipt

    def history(self, subject_id: str, notice: str | None = None) -> list[ConsentEvent]:
        return self.store.subject_events(self.pseudonymize(subject_id), notice)

    # ------------------------------------------------------------------ decisions
    def decide(
        self,
        subject_id: str,
        notice: str,
        purpose: str,
        categories: Sequence[str],
        *,
        at: datetime | None = None,
    ) -> Decision:
        """May we process ``categories`` of this person for ``purpose`` now?"""
        return self.decide_many([subject_id], notice, purpose, categories, at=at)[0]

    def decide_many(
        self,
        subject_ids: Sequence[str],
        notice: str,
        purpose: str,
        categories: Sequence[str],
        *,
        at: datetime | None = None,
    ) -> list[Decision]:
        """:meth:`decide` for many subjects at once (one store query)."""
        cats = _check_categories(categories)
        nv = self.notice(notice)
        now = at or self.clock()
        subjects = [self.pseudonymize(s) for s in subject_ids]
        scope = self.scope()
        latest = self.store.latest_events(list(dict.fromkeys(subjects)), notice, purpose)
        return self.evaluate(nv, subjects, purpose, cats, latest, now=now, scope=scope)

    @staticmethod
    def check_categories(categories: Iterable[str]) -> tuple[str, ...]:
        """The canonical taxonomy keys of ``categories`` (InputError for an unknown one)."""
        return _check_categories(categories)

    def evaluate(
        self,
        nv: Notice,
        subjects: Sequence[str],
        purpose: str,
        cats: tuple[str, ...],
        latest: Mapping[str, ConsentEvent],
        *,
        now: datetime,
        scope: ScopeCheck | None,
    ) -> list[Decision]:
        """The decisions for ``subjects`` (pseudonyms) from state the caller has read: the
        notice version ``nv``, the latest consent event per subject, the data map ``scope``
        and checked categories (:meth:`check_categories`). :meth:`decide_many` reads them
        from the store; the service reads them in one statement per batch of decisions."""
        outside = scope.uncovered(purpose, cats) if scope is not None else ()
        current = nv.purpose(purpose)
        return [
            self._decide_one(s, nv, purpose, current, cats, latest.get(s), now, scope, outside)
            for s in subjects
        ]

    def _decide_one(
        self,
        subject: str,
        nv: Notice,
        purpose: str,
        current: Purpose | None,
        cats: tuple[str, ...],
        event: ConsentEvent | None,
        now: datetime,
        scope: ScopeCheck | None,
        outside: tuple[str, ...],
    ) -> Decision:
        def deny(
            reason: Reason, detail: str, denied: Sequence[str] = cats, e: ConsentEvent | None = None
        ) -> Decision:
            return Decision(
                allow=False,
                reason=reason,
                subject=subject,
                notice=nv.notice,
                purpose=purpose,
                categories=cats,
                denied_categories=tuple(denied),
                consent_id=e.id if e is not None and e.action is Action.GRANT else None,
                version=e.version if e is not None else None,
                detail=detail,
            )

        if outside:
            return deny(
                Reason.OUTSIDE_DATAMAP,
                "the data map lists no such processing for this purpose",
                outside,
            )
        if event is None:
            return deny(Reason.NO_CONSENT, "no consent recorded for this purpose")
        if event.action is Action.WITHDRAW:
            return deny(Reason.WITHDRAWN, "consent was withdrawn", e=event)
        if event.action is Action.REFUSE:
            return deny(Reason.REFUSED, "the subject refused this purpose", e=event)
        if (
            event.child_until is not None
            and now.date() < event.child_until
            and (event.guardian is None)
        ):
            return deny(
                Reason.GUARDIAN_MISSING,
                "the subject is under 14: a guardian's consent is needed (PIPL Art. 31)",
                e=event,
            )
        missing = [c for c in cats if not covers(event.categories, c)]
        if missing:
            if current is not None and all(covers(current.categories, c) for c in missing):
                return deny(
                    Reason.SCOPE_WIDENED,
                    f"notice version {nv.version} widened this purpose; consent was given to "
                    f"version {event.version}: ask again (PIPL Art. 14)",
                    missing,
                    event,
                )
            return deny(
                Reason.OUTSIDE_NOTICE, "the notice does not list these categories", missing, event
            )
        if current is None:
            return deny(
                Reason.OUTSIDE_NOTICE,
                f"the current notice (version {nv.version}) no longer lists this purpose",
                e=event,
            )
        if scope is not None:
            expired = []
            for c in cats:
                days = scope.retention_days(purpose, c)
                if days is not None and event.time + timedelta(days=days) < now:
                    expired.append(c)
            if expired:
                return deny(
                    Reason.RETENTION_EXPIRED,
                    "the data map's retention period, counted from consent, has ended "
                    "(PIPL Art. 19)",
                    expired,
                    event,
                )
        return Decision(
            allow=True,
            reason=Reason.CONSENTED,
            subject=subject,
            notice=nv.notice,
            purpose=purpose,
            categories=cats,
            consent_id=event.id,
            version=event.version,
        )
