"""The dispatcher's place in its consumer group: static membership (KIP-345), session timeout, heartbeat.

As a dynamic member (aiokafka's default), a dispatcher restarted after a SIGKILL waited 8.0-8.6 s
for its partitions: its join started a rebalance that waited until the broker gave up on the killed
process (a 10 s session). Alerts raised meanwhile waited too. As a static member it rejoins under
the same ``group.instance.id`` and takes its partitions back at once, as the worker does
(``streams.membership``; docs/reliability.md has the figures of both).

The id is ``Settings.dispatcher_id``, or by default ``<host>-<8 hex digits of the directory>[-<slot>]``
for the directory ``DATA_DIR/dispatcher/<group>`` (``infra.membership``): two dispatchers started from
one data directory take two slots, so they never share an id; a dispatcher restarted while the other
runs finds its own slot free again.

A static member does not leave the group when it stops, even cleanly: with several dispatchers, the
partitions of one stopped for good wait the session timeout (``dispatcher_session_timeout_seconds``,
10 s) before another takes them. ``dispatcher_static_membership=False`` gives the dynamic behaviour.
"""

from __future__ import annotations

from pathlib import Path

from infra.membership import held_instance_id
from schemas import Settings

__all__ = ["dispatcher_membership", "dispatcher_slot_directory"]

_ids: dict[Path, str] = {}
"""The id this process claimed per directory: one dispatcher keeps one id for its whole life."""


def dispatcher_slot_directory(settings: Settings) -> Path:
    """Where the dispatchers of ``settings.dispatcher_group`` started from this data directory take their slots."""
    return (Path(settings.data_dir) / "dispatcher" / settings.dispatcher_group).absolute()


def dispatcher_membership(settings: Settings) -> dict[str, object]:
    """aiokafka consumer arguments for the dispatcher's group: ``group_instance_id`` (unless static
    membership is off), the session timeout, and a heartbeat of a third of it, at most 3 s."""
    session = settings.dispatcher_session_timeout_seconds
    kwargs: dict[str, object] = {"session_timeout_ms": round(session * 1000),
                                 "heartbeat_interval_ms": round(min(3.0, session / 3) * 1000)}
    if settings.dispatcher_static_membership:
        if settings.dispatcher_id:
            kwargs["group_instance_id"] = settings.dispatcher_id
        else:
            directory = dispatcher_slot_directory(settings)
            if directory not in _ids:
                _ids[directory] = held_instance_id(directory, fallback="dispatcher")
            kwargs["group_instance_id"] = _ids[directory]
    return kwargs
