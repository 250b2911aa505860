"""Group commit: many threads append single events, one thread commits them in batches.

:meth:`GroupCommitWriter.append` returns only after the transaction holding the event has
committed (SQLite ``synchronous=FULL`` / PostgreSQL ``COMMIT``), so an acknowledged event
survives a crash of the process. Events that arrive while a batch is being committed wait for
the next batch, so batch size grows with load by itself.
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future

from piguard.audit.event import AuditEvent
from piguard.audit.log import AuditLog

__all__ = ["GroupCommitWriter"]

_STOP = object()


class GroupCommitWriter:
    """Batches appends to ``log`` from any number of threads.

    ``max_batch`` caps a transaction; ``max_delay`` (seconds) lets the writer wait a little
    for more events before committing a small batch (0: commit what is queued at once).
    With periodic checkpoints configured on the log, an idle writer still writes the
    time-based checkpoint every ``idle_check`` seconds.
    """

    def __init__(
        self,
        log: AuditLog,
        *,
        max_batch: int = 10_000,
        max_delay: float = 0.0,
        idle_check: float = 1.0,
    ):
        self.log = log
        self.max_batch = max_batch
        self.max_delay = max_delay
        self.idle_check = idle_check
        self._queue: queue.Queue[object] = queue.Queue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="piguard-audit-writer", daemon=True)
        self._thread.start()

    def submit(self, event: AuditEvent) -> Future[int]:
        """Queue ``event``; the future resolves to its index once committed."""
        if self._closed:
            raise RuntimeError("the writer is closed")
        fut: Future[int] = Future()
        self._queue.put((event, fut))
        return fut

    def append(self, event: AuditEvent) -> int:
        """Append ``event`` and wait until it is durably committed; return its index."""
        return self.submit(event).result()

    def _take_batch(self, first: object) -> tuple[list[tuple[AuditEvent, Future[int]]], bool]:
        batch: list[tuple[AuditEvent, Future[int]]] = []
        stop = False
        item = first
        deadline = time.monotonic() + self.max_delay
        while True:
            if item is _STOP:
                stop = True
                break
            batch.append(item)  # type: ignore[arg-type]
            if len(batch) >= self.max_batch:
                break
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                wait = deadline - time.monotonic()
                if wait <= 0:
                    break
                try:
                    item = self._queue.get(timeout=wait)
                except queue.Empty:
                    break
        return batch, stop

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self.idle_check)
            except queue.Empty:
                try:
                    self.log.maybe_checkpoint()
                except Exception:  # noqa: S112  # the next append reports storage errors
                    continue
                continue
            batch, stop = self._take_batch(first)
            if batch:
                try:
                    indexes = self.log.append_many([ev for ev, _ in batch])
                except BaseException as exc:
                    for _, fut in batch:
                        fut.set_exception(exc)
                else:
                    for (_, fut), index in zip(batch, indexes, strict=True):
                        fut.set_result(index)
            if stop:
                return

    def close(self) -> None:
        """Commit everything queued, then stop the writer thread."""
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join()

    def __enter__(self) -> GroupCommitWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
