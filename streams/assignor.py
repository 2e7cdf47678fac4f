"""Faust's partition assignor, made safe for a static member that comes back without a rebalance.

A static member (KIP-345, ``streams.membership``) restarted with the same ``group.instance.id`` gets
the assignment its previous incarnation had, straight from the group coordinator: no rebalance, so
no leader re-encodes it. Faust's assignment carries the member's web URL, and Faust's
``PartitionAssignor.on_assignment`` asserts that it is the worker's own. A worker restarted on
another web port (a free port picked at each start, as the tests and the demo do) failed that
assertion inside aiokafka's coordination task: the task died, and the worker never consumed again
(the retro agent and the document tables stood still) although it looked alive.

The URL in the assignment is only a hint for Faust's table-key routing between workers; nothing in
this project routes requests by it. The coordinator's copy is stale, not wrong: the worker takes its
partitions, uses its own URL, and logs that it did. The next rebalance publishes the new URL.
"""

from __future__ import annotations

import structlog
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from faust.assignor import PartitionAssignor
from faust.assignor.client_assignment import ClientMetadata

__all__ = ["StaticMemberAssignor"]

log = structlog.get_logger(__name__)


class StaticMemberAssignor(PartitionAssignor):
    """``PartitionAssignor`` that accepts its own assignment when the coordinator returns it with the
    URL of the member's previous incarnation."""

    def on_assignment(self, assignment: ConsumerProtocolMemberAssignment) -> None:
        metadata = ClientMetadata.loads(self._decompress(assignment.user_data))
        own = str(self._url)
        if metadata.url != own:
            log.info("assignment kept from the previous incarnation of this static member; using this worker's URL",
                     previous_url=metadata.url, url=own)
            metadata.url = own
            assignment = ConsumerProtocolMemberAssignment(
                assignment.version, assignment.assignment, self._compress(metadata.dumps()))
        super().on_assignment(assignment)
