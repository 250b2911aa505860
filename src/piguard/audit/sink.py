"""The audit sink: the one interface the rest of piguard emits audit events to.

The service, de-identification and data-subject requests take an :class:`AuditSink` (injected,
CONVENTIONS.md 9) and call ``emit(event)``. Production wires a :class:`MerkleLogSink`; tests use
a :class:`MemorySink` and look at ``sink.events``.

>>> sink = MemorySink()
>>> sink.emit(AuditEvent(time="2026-11-26T08:00:00Z", actor="svc", action="consent.grant"))
0
>>> sink.events[0].action
'consent.grant'
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from piguard.audit.event import AuditEvent
from piguard.audit.log import AuditLog
from piguard.audit.writer import GroupCommitWriter

__all__ = ["AuditSink", "MemorySink", "MerkleLogSink"]


@runtime_checkable
class AuditSink(Protocol):
    """Receives audit events. ``emit`` returns the event's index once it is recorded."""

    def emit(self, event: AuditEvent) -> int: ...


class MemorySink:
    """Keeps events in a list (tests, dry runs)."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []
        self._lock = threading.Lock()

    def emit(self, event: AuditEvent) -> int:
        with self._lock:
            self.events.append(event)
            return len(self.events) - 1


class MerkleLogSink:
    """Writes events to an :class:`AuditLog`, through a group-commit writer when
    ``group_commit`` is true (many concurrent emitters, one transaction per batch)."""

    def __init__(self, log: AuditLog, *, group_commit: bool = True, **writer_options: float):
        self.log = log
        self._writer = GroupCommitWriter(log, **writer_options) if group_commit else None  # type: ignore[arg-type]

    def emit(self, event: AuditEvent) -> int:
        if self._writer is not None:
            return self._writer.append(event)
        return self.log.append(event)

    def close(self) -> None:
        """Commit anything queued (the log itself stays open)."""
        if self._writer is not None:
            self._writer.close()
