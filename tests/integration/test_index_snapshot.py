"""A restarted worker's wanted list comes from its index snapshot, then from the topic (real broker)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from matching import Matcher
from schemas import Settings, topics
from streams.index_keeper import SnapshotPolicy
from streams.wanted_table import WantedTable
from tests import factories as f

from .kafka_helpers import produce, produce_json

TIMEOUT = 60.0


def _create_wanted_topic(settings: Settings) -> None:
    async def run() -> None:
        admin = AIOKafkaAdminClient(**settings.kafka_client_kwargs())
        await admin.start()
        try:
            await admin.create_topics([NewTopic(settings.topic(topics.WANTED), num_partitions=2, replication_factor=1,
                                                topic_configs={"cleanup.policy": "compact"})])
        finally:
            await admin.close()

    asyncio.run(run())


def _run_table(settings: Settings, policy: SnapshotPolicy, *, wait_for_snapshot: bool) -> tuple[Matcher, Any]:
    """Start a wanted table as a worker does, wait until it is ready (and has written a snapshot), stop."""

    async def run() -> tuple[Matcher, Any]:
        matcher = Matcher()
        table = WantedTable(matcher, settings.topic(topics.WANTED), settings.kafka_client_kwargs(), snapshot=policy)
        await table.start()
        try:
            await asyncio.wait_for(table.ready.wait(), TIMEOUT)
            if wait_for_snapshot:
                await asyncio.wait_for(table.keeper.written_event.wait(), TIMEOUT)
        finally:
            await table.stop()
        return matcher, table.keeper

    return asyncio.run(run())


def test_a_restarted_worker_loads_its_snapshot_and_reads_on_from_its_offsets(
        settings_factory: Any, tmp_path: Path) -> None:
    settings: Settings = settings_factory(smtp=False, twilio=False)
    _create_wanted_topic(settings)
    kept, withdrawn, added = "SNAP-1", "SNAP-2", "SNAP-3"
    produce_json(settings, topics.WANTED, [f.notice("Quellmar", "Doran", notice_id=kept, dob="1970"),
                                           f.notice("Brisvane", "Ottilie", notice_id=withdrawn, dob="1981")],
                 "notice_id")
    policy = SnapshotPolicy(tmp_path / "index" / "wanted.snapshot", interval=3600.0)

    first, keeper = _run_table(settings, policy, wait_for_snapshot=True)
    assert keeper.restored is None, "the first start builds from the topic"
    assert {kept, withdrawn} <= set(first._slots) and policy.path.exists()

    # while the worker is down: a new notice, and a withdrawal (tombstone)
    produce(settings, topics.WANTED, [(added.encode(), json.dumps(f.notice("Tarnwick", "Elsabet", notice_id=added))
                                       .encode()), (withdrawn.encode(), None)])

    second, keeper = _run_table(settings, policy, wait_for_snapshot=False)
    assert keeper.restored is not None, "the second start loads the snapshot"
    assert sum(keeper.restored.offsets.values()) == 2, "and reads on after the two records it reflects"
    assert kept in second and added in second
    assert withdrawn not in second


def test_a_corrupt_snapshot_is_ignored_and_the_list_built_from_the_topic(
        settings_factory: Any, tmp_path: Path) -> None:
    settings: Settings = settings_factory(smtp=False, twilio=False)
    _create_wanted_topic(settings)
    produce_json(settings, topics.WANTED, [f.notice("Quellmar", "Doran", notice_id="SNAP-9")], "notice_id")
    policy = SnapshotPolicy(tmp_path / "wanted.snapshot", interval=3600.0)
    policy.path.write_bytes(b'{"magic": "fugitive-alerts index snapshot"}\n\x80\x05garbage')

    matcher, keeper = _run_table(settings, policy, wait_for_snapshot=False)
    assert keeper.restored is None
    assert "SNAP-9" in matcher
