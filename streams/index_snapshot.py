"""The wanted-list index on local disk: a worker restarts from it instead of rebuilding the index.

A snapshot file is one line of JSON (:class:`SnapshotMeta`: which topic, the next offset to read
on each of its partitions, the matcher's code version, when it was written), then the matcher's
state (``matching.snapshot``). At start the worker reads the line, asks :func:`refusal` whether
the snapshot is safe to use against what the broker says now, loads the state and reads the topic
on from the saved offsets; otherwise it builds from the beginning of the topic as before.

Why replaying from the saved offsets is correct: compaction only removes a record that a later
record of the same key supersedes, so everything from the saved offsets on is either still there
or superseded by something still there, and applying a record twice is harmless (an upsert, a
removal). Two exceptions are checked: a partition whose log start has moved past the saved offset
(records deleted outright), and tombstones, which compaction drops ``delete.retention.ms`` after
cleaning: a snapshot older than that could miss a withdrawal, hence ``max_age``.

The file is written atomically (temporary file, fsync, rename) by a forked child process, which
has a copy-on-write image of the index at one instant and writes it while the worker screens on
(pickling a 1M-notice index takes tens of seconds of CPU, which would stall the event loop).
A file that cannot be used is logged (path and reason, never its content) and ignored.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import structlog

__all__ = ["SnapshotMeta", "refusal", "read_meta", "write_atomically", "fork_writer"]

log = structlog.get_logger(__name__)

MAGIC = "fugitive-alerts index snapshot"


@dataclass(frozen=True)
class SnapshotMeta:
    """What a snapshot reflects: ``offsets`` maps each partition to the next offset not applied."""

    topic: str
    offsets: dict[int, int]
    code_version: str
    hash_probe: str
    written_at: float
    notices: int = 0
    magic: str = field(default=MAGIC)

    def to_line(self) -> bytes:
        d = asdict(self)
        d["offsets"] = {str(p): o for p, o in self.offsets.items()}
        return json.dumps(d, sort_keys=True).encode() + b"\n"

    @classmethod
    def from_line(cls, line: bytes) -> SnapshotMeta:
        """Parse a header line; ``ValueError`` if it is not one."""
        d = json.loads(line)
        if not isinstance(d, dict) or d.get("magic") != MAGIC:
            raise ValueError("not an index snapshot")
        try:
            offsets = {int(p): int(o) for p, o in d["offsets"].items()}
            return cls(topic=str(d["topic"]), offsets=offsets, code_version=str(d["code_version"]),
                       hash_probe=str(d["hash_probe"]), written_at=float(d["written_at"]),
                       notices=int(d.get("notices", 0)))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"incomplete snapshot header ({type(exc).__name__})") from exc


def refusal(meta: SnapshotMeta, *, topic: str, code_version: str, hash_probe: str, begin: dict[int, int],
            end: dict[int, int], now: float, max_age: float) -> str | None:
    """Why this snapshot may not be used now, or ``None`` if it may.

    ``begin`` and ``end`` are the topic's log start and end offsets per partition as the broker
    reports them at start."""
    if meta.topic != topic:
        return f"snapshot of topic {meta.topic!r}, not {topic!r}"
    if meta.code_version != code_version:
        return "written by other matching code"
    if meta.hash_probe != hash_probe:
        return "written by a process with another string hash seed (PYTHONHASHSEED)"
    if set(meta.offsets) != set(end):
        return f"snapshot of {len(meta.offsets)} partitions, topic has {len(end)}"
    age = now - meta.written_at
    if age > max_age:
        return f"older ({age:.0f} s) than the maximum age ({max_age:.0f} s): a withdrawal may have been compacted away"
    if age < -300:
        return "written in the future (clock changed?)"
    for p, offset in sorted(meta.offsets.items()):
        if offset > end[p]:
            return f"partition {p}: saved offset {offset} beyond the end {end[p]} (topic recreated or truncated?)"
        if offset < begin.get(p, 0):
            return f"partition {p}: saved offset {offset} before the log start {begin[p]} (records deleted)"
    return None


def read_meta(source: IO[bytes]) -> SnapshotMeta:
    """Read the header line of an open snapshot file, leaving ``source`` at the matcher's state."""
    line = source.readline(64 * 1024)
    if not line.endswith(b"\n"):
        raise ValueError("no snapshot header")
    return SnapshotMeta.from_line(line)


def write_atomically(path: Path, meta: SnapshotMeta, dump: Any, state: Any) -> None:
    """Write ``meta`` then ``dump(state, file)`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(meta.to_line())
            dump(state, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def fork_writer(path: Path, meta: SnapshotMeta, dump: Any, state: Any) -> int:
    """Fork a child that writes the snapshot (see the module docstring); return its pid.

    The child runs at a lower priority, writes nothing else (no logging: a lock held by another
    thread at the fork would hang it) and leaves with ``os._exit``: 0 written, 1 failed."""
    pid = os.fork()
    if pid == 0:  # the child: write and leave without running the parent's cleanup
        code = 1
        try:
            os.nice(10)  # behind the worker itself, which may be draining a backlog on the same cores
            write_atomically(path, meta, dump, state)
            code = 0
        finally:
            os._exit(code)
    return pid


def remove_stale_temporaries(path: Path) -> None:
    """Temporary files left by a writer that died (a crash mid-write)."""
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            tmp.unlink(missing_ok=True)
        except PermissionError:
            pass


def now() -> float:
    return time.time()
