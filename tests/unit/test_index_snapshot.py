"""The rules that decide whether a worker may start from its index snapshot, and the file format."""

from __future__ import annotations

import io
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from matching import Matcher, snapshot
from schemas import WantedPerson
from streams.index_snapshot import SnapshotMeta, read_meta, refusal, write_atomically
from tests import factories as f

NOW = 1_800_000_000.0
META = SnapshotMeta(topic="wanted.notices", offsets={0: 10, 1: 5}, code_version="v1", hash_probe="h1",
                    written_at=NOW - 60)


def _refusal(meta: SnapshotMeta = META, *, begin: dict[int, int] | None = None,
             end: dict[int, int] | None = None, max_age: float = 3600.0) -> str | None:
    return refusal(meta, topic="wanted.notices", code_version="v1", hash_probe="h1",
                   begin={0: 0, 1: 0} if begin is None else begin, end={0: 12, 1: 5} if end is None else end,
                   now=NOW, max_age=max_age)


def test_a_snapshot_within_the_topic_offsets_of_the_same_code_may_be_used() -> None:
    assert _refusal() is None


def test_saved_offsets_equal_to_the_log_start_and_the_end_are_still_usable() -> None:
    assert _refusal(begin={0: 10, 1: 0}, end={0: 10, 1: 5}) is None


@pytest.mark.parametrize(("meta", "why"), [
    (replace(META, topic="staging.wanted.notices"), "topic"),
    (replace(META, code_version="v0"), "other matching code"),
    (replace(META, hash_probe="h0"), "hash seed"),
    (replace(META, offsets={0: 10}), "partitions"),
    (replace(META, offsets={0: 10, 1: 5, 2: 0}), "partitions"),
    (replace(META, written_at=NOW - 7200), "maximum age"),
    (replace(META, written_at=NOW + 3600), "future"),
])
def test_a_snapshot_of_another_topic_code_seed_or_layout_or_too_old_is_refused(meta: SnapshotMeta, why: str) -> None:
    reason = _refusal(meta)
    assert reason is not None and why in reason


def test_a_saved_offset_beyond_the_end_is_refused_as_a_recreated_topic() -> None:
    reason = _refusal(end={0: 9, 1: 5})
    assert reason is not None and "beyond the end" in reason


def test_a_saved_offset_before_the_log_start_is_refused_as_records_may_be_missing() -> None:
    reason = _refusal(begin={0: 11, 1: 0})
    assert reason is not None and "log start" in reason


def test_the_header_line_round_trips() -> None:
    assert SnapshotMeta.from_line(META.to_line()) == META


@pytest.mark.parametrize("line", [b"garbage\n", b'{"magic": "other"}\n', b'{"magic": "fugitive-alerts index snapshot"}\n',
                                  b"\x80\x05\x95\n", b'{"no newline": 1}'])
def test_a_foreign_or_incomplete_header_raises_value_error(line: bytes) -> None:
    with pytest.raises(ValueError):
        read_meta(io.BytesIO(line))


def _matcher() -> Matcher:
    m = Matcher()
    for i, (family, given) in enumerate([("Quellmar", "Doran"), ("Brisvane", "Ottilie"), ("Tarnwick", "Elsabet")]):
        m.upsert(WantedPerson.model_validate(f.notice(family, given, notice_id=f"U-{i}", dob="1970")))
    m.remove("U-1")
    return m


def test_a_loaded_matcher_holds_the_same_notices_and_keeps_its_own_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "wanted.snapshot"
    write_atomically(path, META, snapshot.dump, _matcher())
    loaded = Matcher(alert_threshold=0.9)
    with open(path, "rb") as src:
        assert read_meta(src) == META
        snapshot.load_into(loaded, src)
    assert len(loaded) == 2 and "U-0" in loaded and "U-2" in loaded and "U-1" not in loaded
    assert loaded.alert_threshold == 0.9
    assert list(tmp_path.iterdir()) == [path], "no temporary file left"


@pytest.mark.parametrize("payload", [b"", b"\x80\x05garbage", pickle.dumps(print), pickle.dumps([1, 2])])
def test_a_corrupt_or_foreign_state_raises_snapshot_error_and_leaves_the_matcher_alone(payload: bytes) -> None:
    m = _matcher()
    with pytest.raises(snapshot.SnapshotError):
        snapshot.load_into(m, io.BytesIO(payload))
    assert len(m) == 2


def test_the_hash_probe_is_stable_within_a_process() -> None:
    assert snapshot.hash_probe() == snapshot.hash_probe()
