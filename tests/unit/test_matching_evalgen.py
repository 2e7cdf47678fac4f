"""The evaluation generator (tools/evalgen): records in the wanted/event contract, truth for
every event, deterministic per seed."""

from __future__ import annotations

import sys
from pathlib import Path

import schemas

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "evalgen"))

import gen_eval


def _make(seed: int) -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, object]]]:
    g = gen_eval.Generator(seed, 120, 400)
    g.wanted()
    events, metas = g.events()
    return [n[0] for n in g.notices], events, metas


def test_generated_records_validate_and_every_event_has_truth() -> None:
    wanted, events, metas = _make(5)
    for w in wanted:
        schemas.WantedPerson.model_validate(w)
    for e in events:
        schemas.EVENT_ADAPTER.validate_python(e)
    assert [m["event_id"] for m in metas] == [e["event_id"] for e in events]
    ids = {w["notice_id"] for w in wanted}
    sightings = [m for m in metas if m["kind"] == "sighting"]
    assert sightings and all(m["notice_id"] in ids for m in sightings)
    assert {m["negative_type"] for m in metas if m["kind"] == "innocent"} >= {"random", "namesake"}


def test_same_seed_same_set_other_seed_other_set() -> None:
    assert _make(3) == _make(3)
    assert _make(3)[1] != _make(4)[1]


def test_tip_bound_counts_the_namesakes_a_bare_name_cannot_tell_apart(tmp_path: Path) -> None:
    import orjson
    import tip_bound

    def tip(i: int, year: str | None) -> dict[str, object]:
        return {"event_id": f"tip-{i}", "event_type": "tip", "subject": {"full_name": "X Y", "birth_date": year}}

    events, metas = [], []
    for i in range(10):  # true tips, 4 with the notice's year
        events.append(tip(i, "1970" if i < 4 else None))
        metas.append({"event_id": f"tip-{i}", "notice_id": "n1"})
    for i in range(10, 110):  # innocent tips: 20 namesakes without a year, 10 with one, 70 random
        kind = "namesake" if i < 40 else "random"
        events.append(tip(i, "1972" if 30 <= i < 40 else None))
        metas.append({"event_id": f"tip-{i}", "notice_id": None, "negative_type": kind})
    events.append({"event_id": "bc-1", "event_type": "border_crossing"})
    metas.append({"event_id": "bc-1", "notice_id": None, "negative_type": "namesake"})
    for name, rows in (("events", events), ("truth_meta", metas),
                       ("wanted", [{"status": "active"}, {"status": "active"}, {"status": "active"},
                                   {"status": "withdrawn"}])):
        (tmp_path / f"{name}.jsonl").write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n")
    b = tip_bound.bound(tmp_path)
    # recall 0.90 of 10 needs 9: the 4 with a year, and 5 of the 6 without, which bring 5/6 of the
    # 20 bare namesakes, of which 3 in 4 name an active notice
    assert (b["true"], b["true_year"], b["innocent"], b["namesake_bare"], b["needed"]) == (10, 4, 100, 20, 5)
    assert abs(b["false"] - 5 / 6 * 20 * 0.75) < 1e-9
    assert abs(b["per_10k"] - b["false"] / 100 * 1e4) < 1e-9
