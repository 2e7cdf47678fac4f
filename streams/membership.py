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
a data directory, so the default id also carries a slot (``infra.membership``): the first worker has
no suffix, the second ``-1``, and so on; a worker restarted while the others run finds its own slot
free again.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from infra.membership import claim_slot as _claim_slot
from infra.membership import default_instance_id, held_instance_id
from schemas import Settings

__all__ = ["claim_slot", "default_worker_id", "group_instance_id", "membership_settings"]


def default_worker_id(datadir: Path, host: str | None = None, slot: int = 0) -> str:
    """``<host>-<8 hex digits of the absolute data directory>[-<slot>]``: the same across restarts of
    one worker, different for two workers on one host (a shared data directory gives them two slots)."""
    return default_instance_id(datadir, host, slot, fallback="worker")


def claim_slot(datadir: Path) -> tuple[int, IO[str]]:
    """Lock the lowest free ``<datadir>/members/<n>.lock``; return ``n`` and the open file (closing it,
    or the end of the process, frees the slot)."""
    return _claim_slot(datadir, "workers")


def group_instance_id(settings: Settings, datadir: Path) -> str | None:
    """The worker's ``group.instance.id``, or None for a dynamic member. Without ``worker_id``, claims a
    slot of ``datadir`` for the rest of the process."""
    if not settings.worker_static_membership:
        return None
    if settings.worker_id:
        return settings.worker_id
    return held_instance_id(datadir, fallback="worker")


def membership_settings(settings: Settings, datadir: Path) -> dict[str, Any]:
    """The ``faust.App`` settings for the worker's group membership (Faust passes them to aiokafka)."""
    return {
        "consumer_group_instance_id": group_instance_id(settings, datadir),
        "broker_session_timeout": settings.worker_session_timeout_seconds,
        "broker_heartbeat_interval": settings.worker_heartbeat_interval_seconds,
    }
