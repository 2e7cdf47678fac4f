"""The worker's place in its consumer group: static membership (KIP-345), session timeout, heartbeat.

Faust's defaults (a dynamic member, 60 s session timeout, 3 s heartbeat) left a SIGKILLed worker's
partitions with nobody for about a minute: the dead member kept them until its session expired,
and a worker restarted at once had to wait for that too, since its join started a rebalance that
waited for the dead member. Here:

- each worker joins with a stable ``group.instance.id`` (``Settings.worker_id``, or one derived from
  the host name, the worker's data directory and a slot, below). A worker restarted with the same id
  takes the place, and the partitions, of its previous incarnation at once, without a rebalance;
- the session timeout is short (``Settings.worker_session_timeout_seconds``, 10 s), so that a worker
  that does not come back loses its partitions to the survivors within seconds, and the heartbeat
  (1 s) lets the survivors hear of that rebalance within a second.

A static member does not leave the group when it stops, even cleanly: its partitions wait for it
for the session timeout. It comes back to the assignment it had, which still names its previous web
URL: ``streams.assignor`` lets Faust accept that. That is what a restart wants, and what a worker removed for good does
not; ``Settings.worker_static_membership=False`` turns it off. docs/reliability.md has the figures.

Two running workers must never share an id (the broker fences one, it rejoins and fences the other,
and so on). Several workers started from one directory (``fugitive-alerts worker &``, twice) share
a data directory, so the default id also carries a slot: the lowest ``n`` whose lock file
``<datadir>/members/<n>.lock`` no other running worker holds (``flock``, released by the kernel when
the process dies, even by SIGKILL). The first worker has no suffix, the second ``-1``, and so on; a
worker restarted while the others run finds its own slot free again.
"""

from __future__ import annotations

import fcntl
import hashlib
import socket
from pathlib import Path
from typing import IO, Any

from schemas import Settings

__all__ = ["claim_slot", "default_worker_id", "group_instance_id", "membership_settings"]

MAX_SLOTS = 1024

_held: list[IO[str]] = []
"""Lock files of the slots this process claimed: open for the life of the process, on purpose."""


def default_worker_id(datadir: Path, host: str | None = None, slot: int = 0) -> str:
    """``<host>-<8 hex digits of the absolute data directory>[-<slot>]``: the same across restarts of
    one worker, different for two workers on one host (a shared data directory gives them two slots)."""
    host = host if host is not None else socket.gethostname()
    digest = hashlib.sha256(str(Path(datadir).absolute()).encode()).hexdigest()[:8]
    return f"{host or 'worker'}-{digest}" + (f"-{slot}" if slot else "")


def claim_slot(datadir: Path) -> tuple[int, IO[str]]:
    """Lock the lowest free ``<datadir>/members/<n>.lock``; return ``n`` and the open file (closing it,
    or the end of the process, frees the slot)."""
    members = Path(datadir) / "members"
    members.mkdir(parents=True, exist_ok=True)
    for n in range(MAX_SLOTS):
        fh = (members / f"{n}.lock").open("a")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            continue
        return n, fh
    raise RuntimeError(f"{MAX_SLOTS} workers already run with the data directory {datadir}")


def group_instance_id(settings: Settings, datadir: Path) -> str | None:
    """The worker's ``group.instance.id``, or None for a dynamic member. Without ``worker_id``, claims a
    slot of ``datadir`` for the rest of the process."""
    if not settings.worker_static_membership:
        return None
    if settings.worker_id:
        return settings.worker_id
    slot, lock = claim_slot(datadir)
    _held.append(lock)
    return default_worker_id(datadir, slot=slot)


def membership_settings(settings: Settings, datadir: Path) -> dict[str, Any]:
    """The ``faust.App`` settings for the worker's group membership (Faust passes them to aiokafka)."""
    return {
        "consumer_group_instance_id": group_instance_id(settings, datadir),
        "broker_session_timeout": settings.worker_session_timeout_seconds,
        "broker_heartbeat_interval": settings.worker_heartbeat_interval_seconds,
    }
