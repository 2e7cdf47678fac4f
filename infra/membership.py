"""Stable ``group.instance.id`` values (KIP-345 static membership), for the worker and the dispatcher.

A static member restarted with the same ``group.instance.id`` takes the place, and the partitions, of
its previous incarnation at once, without a rebalance; a dynamic one waits until the broker gives up on
the dead process (its session timeout). So the id must be the same across restarts of one process, and
never shared by two running ones (the broker fences one, it rejoins and fences the other, and so on).

The default id is ``<host>-<8 hex digits of a directory>[-<slot>]``: the directory is the process's
local state directory (the worker's Faust data directory, the dispatcher's under ``data_dir``), and
the slot the lowest ``n`` whose lock file ``<directory>/members/<n>.lock`` no other running process
holds (``flock``, released by the kernel when the process dies, even by SIGKILL). Several processes
started from one directory get slots 0, 1, ...; one restarted while the others run finds its own
slot free again.
"""

from __future__ import annotations

import fcntl
import hashlib
import socket
from pathlib import Path
from typing import IO

__all__ = ["MAX_SLOTS", "claim_slot", "default_instance_id", "held_instance_id"]

MAX_SLOTS = 1024

_held: list[IO[str]] = []
"""Lock files of the slots this process claimed: open for the life of the process, on purpose."""


def default_instance_id(directory: Path, host: str | None = None, slot: int = 0, fallback: str = "member") -> str:
    """``<host>-<8 hex digits of the absolute directory>[-<slot>]`` (``fallback`` when the host has no name)."""
    host = host if host is not None else socket.gethostname()
    digest = hashlib.sha256(str(Path(directory).absolute()).encode()).hexdigest()[:8]
    return f"{host or fallback}-{digest}" + (f"-{slot}" if slot else "")


def claim_slot(directory: Path, what: str = "processes") -> tuple[int, IO[str]]:
    """Lock the lowest free ``<directory>/members/<n>.lock``; return ``n`` and the open file (closing it,
    or the end of the process, frees the slot)."""
    members = Path(directory) / "members"
    members.mkdir(parents=True, exist_ok=True)
    for n in range(MAX_SLOTS):
        fh = (members / f"{n}.lock").open("a")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            continue
        return n, fh
    raise RuntimeError(f"{MAX_SLOTS} {what} already run with the directory {directory}")


def held_instance_id(directory: Path, fallback: str = "member") -> str:
    """The default id of this process: claims a slot of ``directory`` for the rest of the process."""
    slot, lock = claim_slot(directory)
    _held.append(lock)
    return default_instance_id(directory, slot=slot, fallback=fallback)
