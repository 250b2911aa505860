"""The persistence interface consent needs, and an in-memory implementation.

The service implements :class:`ConsentStore` with SQLAlchemy; tests and embedded use can take
:class:`MemoryConsentStore`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

from piguard.consent.model import Action, ConsentEvent, Notice

__all__ = ["ConsentStore", "MemoryConsentStore"]


class ConsentStore(Protocol):
    """Where notices and consent events live. Writes must be durable when they return."""

    def add_notice(self, notice: Notice) -> None: ...

    def get_notice(self, notice: str, version: int | None = None) -> Notice | None:
        """A version of a notice, or its latest version when ``version`` is None."""
        ...

    def add_event(self, event: ConsentEvent) -> None: ...

    def get_event(self, event_id: str) -> ConsentEvent | None: ...

    def latest_event(
        self, subject: str, notice: str, purpose: str, action: Action | None = None
    ) -> ConsentEvent | None:
        """The latest event for subject × notice × purpose (of ``action`` if given)."""
        ...

    def latest_events(
        self, subjects: Sequence[str], notice: str, purpose: str
    ) -> dict[str, ConsentEvent]:
        """The latest event per subject (subjects without events are left out)."""
        ...

    def subject_events(self, subject: str, notice: str | None = None) -> list[ConsentEvent]: ...


class MemoryConsentStore:
    """A :class:`ConsentStore` in memory (tests, dry runs); thread-safe."""

    def __init__(self) -> None:
        self._notices: dict[tuple[str, int], Notice] = {}
        self._events: list[ConsentEvent] = []
        self._lock = threading.Lock()

    def add_notice(self, notice: Notice) -> None:
        with self._lock:
            self._notices[(notice.notice, notice.version)] = notice

    def get_notice(self, notice: str, version: int | None = None) -> Notice | None:
        with self._lock:
            if version is not None:
                return self._notices.get((notice, version))
            versions = [v for (n, v) in self._notices if n == notice]
            return self._notices[(notice, max(versions))] if versions else None

    def add_event(self, event: ConsentEvent) -> None:
        with self._lock:
            self._events.append(event)

    def get_event(self, event_id: str) -> ConsentEvent | None:
        with self._lock:
            return next((e for e in self._events if e.id == event_id), None)

    def latest_event(
        self, subject: str, notice: str, purpose: str, action: Action | None = None
    ) -> ConsentEvent | None:
        with self._lock:
            for e in reversed(self._events):
                if (e.subject, e.notice, e.purpose) == (subject, notice, purpose) and (
                    action is None or e.action is action
                ):
                    return e
        return None

    def latest_events(
        self, subjects: Sequence[str], notice: str, purpose: str
    ) -> dict[str, ConsentEvent]:
        out: dict[str, ConsentEvent] = {}
        for s in subjects:
            e = self.latest_event(s, notice, purpose)
            if e is not None:
                out[s] = e
        return out

    def subject_events(self, subject: str, notice: str | None = None) -> list[ConsentEvent]:
        with self._lock:
            return [
                e
                for e in self._events
                if e.subject == subject and (notice is None or e.notice == notice)
            ]
