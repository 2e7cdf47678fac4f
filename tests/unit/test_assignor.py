"""The worker's partition assignor accepts the assignment a static member gets back after a restart."""

from __future__ import annotations

from pathlib import Path

import faust
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from faust.assignor.client_assignment import ClientAssignment, ClientMetadata

from streams.assignor import StaticMemberAssignor


def _assignment(assignor: StaticMemberAssignor, url: str) -> ConsumerProtocolMemberAssignment:
    metadata = ClientMetadata(assignment=ClientAssignment(actives={"t.events": [0, 1]}, standbys={}),
                              url=url, changelog_distribution={})
    return ConsumerProtocolMemberAssignment(assignor.version, [("t.events", [0, 1])],
                                            assignor._compress(metadata.dumps()))


def test_an_assignment_naming_the_previous_web_url_is_taken_with_this_workers_url(tmp_path: Path) -> None:
    """A static member restarted on another web port gets its old assignment back from the coordinator,
    with the old URL in it: Faust's own assignor failed an assertion there and the worker never
    consumed again; this one takes the partitions."""
    app = faust.App("assignor-test", web_port=6123, datadir=str(tmp_path), broker="kafka://127.0.0.1:1",
                    PartitionAssignor="streams.assignor:StaticMemberAssignor")
    assignor = app.assignor
    assert isinstance(assignor, StaticMemberAssignor)
    assignor.on_assignment(_assignment(assignor, "http://127.0.0.1:5999"))
    assert sorted(assignor.assigned_actives()) == [("t.events", 0), ("t.events", 1)]
    assignor.on_assignment(_assignment(assignor, str(app.conf.canonical_url)))
    assert sorted(assignor.assigned_actives()) == [("t.events", 0), ("t.events", 1)]
