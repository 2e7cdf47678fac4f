"""Keeps the wanted-list index of a worker on local disk, and restores it at start.

At start (:meth:`IndexKeeper.restore`, called by the compacted reader with the topic's log start
and end offsets) it loads the snapshot if :func:`~streams.index_snapshot.refusal` finds nothing
against it, and the reader reads on from the snapshot's offsets; otherwise the reader builds the
index from the beginning of the topic, as without a snapshot. Then (:meth:`IndexKeeper.run`) it
writes a snapshot once the list is loaded, and again every ``interval`` seconds if records were
applied since; writing happens in a forked child (``streams/index_snapshot.py``). Nothing is
written at stop: the last periodic snapshot plus the topic is as good, and a stop is not delayed
by tens of seconds of pickling (a write under way when the worker stops is let finish).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from infra import CompactedReader
from matching import snapshot

from .index_snapshot import SnapshotMeta, fork_writer, read_meta, refusal, remove_stale_temporaries

__all__ = ["IndexKeeper", "SnapshotPolicy"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class SnapshotPolicy:
    """Where the snapshot lives, how often it is rewritten, and how old it may be when loaded."""

    path: Path
    interval: float = 600.0
    max_age: float = 43200.0


class IndexKeeper:
    """The snapshot side of a :class:`~streams.wanted_table.WantedTable` (see the module docstring)."""

    def __init__(self, policy: SnapshotPolicy, index: Any, reader: CompactedReader) -> None:
        self.policy = policy
        self.index = index
        self.reader = reader
        self.restored: SnapshotMeta | None = None
        """The snapshot the index was loaded from at start, if any."""
        self.written = 0
        self.written_event = asyncio.Event()
        """Set after each snapshot written (tests wait for it)."""

    def restore(self, begin: dict[int, int], end: dict[int, int]) -> dict[int, int] | None:
        """Load the snapshot into the index if it may be used; return its offsets, else None."""
        path = self.policy.path
        remove_stale_temporaries(path)
        try:
            source = open(path, "rb")  # noqa: SIM115 - closed below, after a load that may take seconds
        except FileNotFoundError:
            log.info("no index snapshot: building the index from the topic", path=str(path))
            return None
        except OSError as exc:
            log.warning("index snapshot unreadable: building from the topic", path=str(path),
                        error=type(exc).__name__)
            return None
        t0 = time.perf_counter()
        with source:
            try:
                meta = read_meta(source)
            except ValueError as exc:
                log.warning("index snapshot ignored", path=str(path), reason=str(exc))
                return None
            reason = refusal(meta, topic=self.reader.topic, code_version=snapshot.CODE_VERSION,
                             hash_probe=snapshot.hash_probe(), begin=begin, end=end, now=time.time(),
                             max_age=self.policy.max_age)
            if reason is not None:
                log.warning("index snapshot ignored", path=str(path), reason=reason)
                return None
            try:
                snapshot.load_into(self.index, source)
            except snapshot.SnapshotError as exc:
                log.warning("index snapshot ignored", path=str(path), reason=str(exc))
                return None
        self.restored = meta
        log.info("index snapshot loaded", path=str(path), notices=len(self.index),
                 seconds=round(time.perf_counter() - t0, 2), age_s=round(time.time() - meta.written_at))
        return dict(meta.offsets)

    async def run(self, sleep: Callable[[float], Coroutine[Any, Any, Any]], stopping: Callable[[], bool]) -> None:
        """Write a snapshot once the list is loaded, then every ``interval`` s if it changed, until
        ``stopping()`` (``sleep`` returns early when the host stops)."""
        await self.reader.ready.wait()
        saved = self.restored.offsets if self.restored is not None else None
        while not stopping():
            if self.reader.next_offsets != saved:
                saved = await self.save() or saved
            await sleep(self.policy.interval)

    async def save(self) -> dict[int, int] | None:
        """Write a snapshot of the index as it is now; return the offsets it reflects, or None if
        the write failed (logged)."""
        # the offsets and the child's copy of the index are taken with no await in between
        offsets = dict(self.reader.next_offsets)
        meta = SnapshotMeta(topic=self.reader.topic, offsets=offsets, code_version=snapshot.CODE_VERSION,
                            hash_probe=snapshot.hash_probe(), written_at=time.time(), notices=len(self.index))
        t0 = time.perf_counter()
        path = self.policy.path
        try:
            pid = fork_writer(path, meta, snapshot.dump, self.index)
        except OSError as exc:
            log.warning("index snapshot not written", path=str(path), error=type(exc).__name__)
            return None
        ok = await asyncio.get_running_loop().run_in_executor(None, _wait_child, pid, path, meta)
        if not ok:
            log.warning("index snapshot not written", path=str(path))
            return None
        self.written += 1
        self.written_event.set()
        log.info("index snapshot written", path=str(path), notices=meta.notices,
                 seconds=round(time.perf_counter() - t0, 2))
        return offsets


def _wait_child(pid: int, path: Path, meta: SnapshotMeta) -> bool:
    """Whether the writer ``pid`` wrote ``meta``'s snapshot (in a thread: waits for the child)."""
    try:
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status) == 0
    except ChildProcessError:  # reaped by someone else's child watcher: look at the file itself
        try:
            with open(path, "rb") as f:
                return read_meta(f).written_at == meta.written_at
        except (OSError, ValueError):
            return False
