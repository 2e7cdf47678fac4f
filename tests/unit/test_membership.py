"""Group membership settings of the worker (issue 15) and the dispatcher: stable ids, sane timeouts, majority min ISR."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from infra._compat import client_rack
from schemas import Settings
from streams.app import faust_settings
from streams.membership import default_worker_id, group_instance_id


def _settings(tmp_path: Path, **values: object) -> Settings:
    """Settings of a worker that asked for static membership (off by default), unless told otherwise."""
    return Settings(data_dir=tmp_path, **{"worker_static_membership": True, **values})  # type: ignore[arg-type]


def test_default_worker_id_is_stable_per_host_and_data_directory(tmp_path: Path) -> None:
    assert default_worker_id(tmp_path / "a", "host1") == default_worker_id(tmp_path / "a", "host1")
    assert default_worker_id(tmp_path / "a", "host1") != default_worker_id(tmp_path / "b", "host1")
    assert default_worker_id(tmp_path / "a", "host1") != default_worker_id(tmp_path / "a", "host2")
    assert default_worker_id(tmp_path / "a", "host1").startswith("host1-")


def test_an_explicit_worker_id_wins_and_static_membership_can_be_turned_off(tmp_path: Path) -> None:
    assert group_instance_id(_settings(tmp_path, worker_id="w-7"), tmp_path) == "w-7"
    assert group_instance_id(_settings(tmp_path, worker_static_membership=False, worker_id="w-7"), tmp_path) is None


def test_the_faust_app_gets_the_instance_id_session_timeout_and_heartbeat(tmp_path: Path) -> None:
    conf = faust_settings(_settings(tmp_path, worker_id="w-1", worker_session_timeout_seconds=12.0,
                                    worker_heartbeat_interval_seconds=2.0))
    assert conf["consumer_group_instance_id"] == "w-1"
    assert conf["broker_session_timeout"] == 12.0 and conf["broker_heartbeat_interval"] == 2.0


def test_a_heartbeat_longer_than_a_third_of_the_session_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="a third"):
        _settings(tmp_path, worker_session_timeout_seconds=6.0, worker_heartbeat_interval_seconds=3.0)


@pytest.mark.parametrize(("rf", "expected"), [(1, 1), (2, 2), (3, 2), (5, 3)])
def test_min_insync_replicas_defaults_to_a_majority_of_the_replicas(tmp_path: Path, rf: int, expected: int) -> None:
    assert _settings(tmp_path, replication_factor=rf).topic_min_insync_replicas == expected


def test_min_insync_replicas_above_the_replication_factor_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot exceed"):
        _settings(tmp_path, replication_factor=2, min_insync_replicas=3)


def test_the_worker_consumer_gets_the_client_rack_and_fetch_wait(tmp_path: Path) -> None:
    """Faust passes neither to aiokafka; the consumer subclass of ``streams.fetch_wait`` does."""
    from streams.app import new_faust_app

    async def build() -> Any:
        app = new_faust_app(_settings(tmp_path, client_rack="zone-b", faust_fetch_max_wait_ms=33))
        thread = app.consumer._new_consumer_thread()  # type: ignore[attr-defined]
        return app, thread._create_worker_consumer(app.transport)

    app, consumer = asyncio.run(build())
    assert client_rack(consumer) == "zone-b" and consumer._fetch_max_wait_ms == 33
    assert consumer._group_instance_id == app.conf.consumer_group_instance_id
    assert consumer._group_instance_id is not None


def test_workers_sharing_a_data_directory_get_distinct_ids_and_a_freed_slot_is_reused(tmp_path: Path) -> None:
    """Two workers started from one directory must not share a group.instance.id (they would fence
    each other); a worker restarted after a crash gets the slot its dead self held."""
    from streams.membership import claim_slot

    first, first_lock = claim_slot(tmp_path)
    second, second_lock = claim_slot(tmp_path)
    assert (first, second) == (0, 1)
    assert default_worker_id(tmp_path, "h", first) != default_worker_id(tmp_path, "h", second)
    first_lock.close()  # the first worker dies: the kernel drops its lock
    again, again_lock = claim_slot(tmp_path)
    assert again == 0
    again_lock.close()
    second_lock.close()


def test_static_membership_is_on_by_default_with_or_without_the_documents_check(tmp_path: Path) -> None:
    """A worker is a static member unless told otherwise, the documents tables included."""
    assert group_instance_id(Settings(data_dir=tmp_path, worker_id="w-1"), tmp_path) == "w-1"
    assert group_instance_id(Settings(data_dir=tmp_path, worker_id="w-1", documents_check=True), tmp_path) == "w-1"


def test_the_dispatcher_is_a_static_member_with_one_id_for_its_life(tmp_path: Path) -> None:
    """By default the dispatcher rejoins under a stable group.instance.id (a restart takes its partitions
    back at once); a second call in the same process keeps the slot it claimed, not a new one."""
    from consumers.membership import dispatcher_membership

    settings = Settings(data_dir=tmp_path)
    first = dispatcher_membership(settings)
    assert first == dispatcher_membership(settings)
    assert isinstance(first["group_instance_id"], str) and first["group_instance_id"]
    assert (first["session_timeout_ms"], first["heartbeat_interval_ms"]) == (10_000, 3_000)


def test_two_dispatchers_from_one_data_directory_get_distinct_ids(tmp_path: Path) -> None:
    """Another dispatcher already holds slot 0 of the directory: this one takes slot 1, so the broker
    never sees two live members with one id (it would fence one, then the other)."""
    from consumers.membership import dispatcher_membership, dispatcher_slot_directory
    from infra.membership import claim_slot

    settings = Settings(data_dir=tmp_path)
    slot, other = claim_slot(dispatcher_slot_directory(settings))
    try:
        assert slot == 0
        ours = dispatcher_membership(settings)["group_instance_id"]
        assert isinstance(ours, str) and ours.endswith("-1")
    finally:
        other.close()


def test_an_explicit_dispatcher_id_wins_and_static_membership_can_be_turned_off(tmp_path: Path) -> None:
    from consumers.membership import dispatcher_membership

    assert dispatcher_membership(Settings(data_dir=tmp_path, dispatcher_id="d-2"))["group_instance_id"] == "d-2"
    dynamic = dispatcher_membership(Settings(data_dir=tmp_path, dispatcher_static_membership=False,
                                             dispatcher_session_timeout_seconds=6))
    assert "group_instance_id" not in dynamic
    assert (dynamic["session_timeout_ms"], dynamic["heartbeat_interval_ms"]) == (6_000, 2_000)
