"""tools/calibrate.py: dump a labelled set's hits with features and labels, fit with
leave-one-set-out CV, report. Sets come from the evaluation generator (fictional persons)."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest

from matching._calibration import FEATURES

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "evalgen"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import calibrate
import gen_eval


def _write_set(d: Path, seed: int) -> None:
    g = gen_eval.Generator(seed, 150, 500)
    g.wanted()
    events, metas = g.events()
    d.mkdir()
    (d / "wanted.jsonl").write_bytes(b"".join(orjson.dumps(n[0]) + b"\n" for n in g.notices))
    (d / "events.jsonl").write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    (d / "truth.jsonl").write_bytes(b"".join(
        orjson.dumps({"event_id": m["event_id"], "notice_id": m["notice_id"]}) + b"\n" for m in metas))


def test_dump_labels_hits_and_fit_reports_out_of_fold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sklearn")
    dirs = []
    for seed in (21, 22):
        d = tmp_path / f"set{seed}"
        _write_set(d, seed)
        dirs.append(d)
    calibrate.dump(dirs, tmp_path / "cal")
    dumped = calibrate.Dumped(tmp_path / "cal" / "set21.jsonl")
    assert dumped.meta["bv_true"] > 0 and dumped.meta["bv_innocent"] > 0
    assert dumped.rows and all(len(r["x"]) == len(FEATURES) for r in dumped.rows)
    assert {r["y"] for r in dumped.rows} == {0, 1}  # true hits and false hits both labelled
    calibrate.fit([tmp_path / "cal" / "set21.jsonl", tmp_path / "cal" / "set22.jsonl"], write=False,
                  thresholds=[0.5])
    out = capsys.readouterr().out
    assert "leave-one-set-out log loss" in out and "| probability |" in out
    assert "set21 |" in out and "set22 |" in out
