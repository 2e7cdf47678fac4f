"""The worker's place in its consumer group: static membership (KIP-345), session timeout, heartbeat.

Faust's defaults (a dynamic member, 60 s session timeout, 3 s heartbeat) left a SIGKILLed worker's
partitions with nobody for about a minute: the dead member kept them until its session expired,
and a worker restarted at once had to wait for that too, since its join started a rebalance that
waited for the dead member. Here:

- each worker joins with a stable ``group.instance.id`` (``Settings.worker_id``, or one derived from
  the host name and the worker's data directory). A worker restarted with the same id takes the
  place, and the partitions, of its previous incarnation at once, without a rebalance;
- the session timeout is short (``Settings.worker_session_timeout_seconds``, 10 s), so that a worker
  that does not come back loses its partitions to the survivors within seconds, and the heartbeat
  (1 s) lets the survivors hear of that rebalance within a second.

A static member does not leave the group when it stops, even cleanly: its partitions wait for it
for the session timeout. That is what a restart wants, and what a worker removed for good does
not; ``Settings.worker_static_membership=False`` turns it off. docs/reliability.md has the figures.
"""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path
from typing import Any

from schemas import Settings

__all__ = ["default_worker_id", "group_instance_id", "membership_settings"]


def default_worker_id(datadir: Path, host: str | None = None) -> str:
    """``<host>-<8 hex digits of the absolute data directory>``: the same across restarts of one worker,
    different for two workers on one host (they must not share a data directory anyway)."""
    host = host if host is not None else socket.gethostname()
    digest = hashlib.sha256(str(Path(datadir).absolute()).encode()).hexdigest()[:8]
    return f"{host or 'worker'}-{digest}"


def group_instance_id(settings: Settings, datadir: Path) -> str | None:
    """The worker's ``group.instance.id``, or None for a dynamic member."""
    if not settings.worker_static_membership:
        return None
    return settings.worker_id or default_worker_id(datadir)


def membership_settings(settings: Settings, datadir: Path) -> dict[str, Any]:
    """The ``faust.App`` settings for the worker's group membership (Faust passes them to aiokafka)."""
    return {
        "consumer_group_instance_id": group_instance_id(settings, datadir),
        "broker_session_timeout": settings.worker_session_timeout_seconds,
        "broker_heartbeat_interval": settings.worker_heartbeat_interval_seconds,
    }
