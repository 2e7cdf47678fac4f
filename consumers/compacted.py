"""A compacted topic read whole and then followed: a live key -> value view (no consumer group).

The dispatcher's bureau directory (``bureaus``), sightings (``alerts.sightings``) and notice states
(``wanted.notices``). The reader is the project's one, :class:`infra.CompactedView`, also used by
every worker; it is re-exported here so ``consumers`` code keeps importing it from its package.
"""

from __future__ import annotations

from infra import CompactedView

__all__ = ["CompactedView"]
