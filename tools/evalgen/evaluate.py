"""Screen labelled sets and report border+visa and tips separately.

    .venv/bin/python tools/evalgen/evaluate.py DIR [DIR ...] [--set rules.EVIDENCE_MIN=5.0 ...]
        [--tip-threshold 0.80] [--hits-dir /tmp]

Each DIR holds ``wanted.jsonl``, ``events.jsonl`` and ``truth.jsonl`` (the dev set's contract).
A hit counts as an alert when its band is ``alert`` (score at or above the alert threshold for
border crossings and visa applications, the tip threshold for tips). Per set and pooled:
precision, recall and false-alert events per 10k innocent events, for border+visa and for tips.
Counting follows ``score.py``: a true pair is found when its (event, notice) hit alerts; a false
alert is an alerted pair that is not the truth; an innocent event with any alert is one false
alert event.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import schemas
from matching import Matcher, rules


def _read(path: Path) -> list[dict[str, object]]:
    with path.open("rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


class Counts:
    def __init__(self) -> None:
        self.tp = self.fp = self.true = self.innocent = self.fa_events = 0

    def add(self, other: Counts) -> None:
        for k in ("tp", "fp", "true", "innocent", "fa_events"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def row(self) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / self.true if self.true else 1.0
        fa = 1e4 * self.fa_events / self.innocent if self.innocent else 0.0
        return (f"{p:.3f} / {r:.3f} / {fa:.1f}  (tp {self.tp}/{self.true}, fp {self.fp}, "
                f"fa events {self.fa_events}/{self.innocent})")


def run(d: Path, tip_threshold: float | None, hits_dir: Path | None, tips_only: bool = False) -> tuple[Counts, Counts]:
    truth = {str(t["event_id"]): t.get("notice_id") for t in _read(d / "truth.jsonl")}
    m = Matcher() if tip_threshold is None else Matcher(tip_alert_threshold=tip_threshold)
    for obj in _read(d / "wanted.jsonl"):
        m.upsert(schemas.WantedPerson.model_validate(obj))
    bv, tips = Counts(), Counts()
    out = (hits_dir / f"hits_{d.name}.jsonl").open("wb") if hits_dir else None
    for obj in _read(d / "events.jsonl"):
        if tips_only and obj.get("event_type") != "tip":
            continue
        ev = schemas.EVENT_ADAPTER.validate_python(obj)
        c = tips if ev.event_type == "tip" else bv
        want = truth.get(ev.event_id)
        hits = m.screen(ev)
        alerted = {h.notice_id for h in hits if h.band == "alert"}
        if out is not None:
            for h in hits:
                out.write(orjson.dumps({"event_id": ev.event_id, "notice_id": h.notice_id, "score": h.score,
                                        "band": h.band, "reasons": h.reasons}) + b"\n")
        if want is not None:
            c.true += 1
            c.tp += want in alerted
            c.fp += len(alerted - {want})
        else:
            c.innocent += 1
            c.fp += len(alerted)
            c.fa_events += bool(alerted)
    if out is not None:
        out.close()
    return bv, tips


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--set", action="append", default=[], help="rules.NAME=VALUE")
    ap.add_argument("--tip-threshold", type=float, default=None)
    ap.add_argument("--hits-dir", type=Path, default=None)
    ap.add_argument("--tips-only", action="store_true", help="screen the tips only")
    a = ap.parse_args()
    for s in a.set:
        name, value = s.split("=")
        setattr(rules, name.removeprefix("rules."), float(value))
    if a.hits_dir:
        a.hits_dir.mkdir(parents=True, exist_ok=True)
    pooled_bv, pooled_tips = Counts(), Counts()
    print("set | border+visa P / R / FA per 10k | tips P / R / FA per 10k")
    for d in a.dirs:
        bv, tips = run(d, a.tip_threshold, a.hits_dir, a.tips_only)
        pooled_bv.add(bv)
        pooled_tips.add(tips)
        print(f"{d} | {bv.row()} | {tips.row()}", flush=True)
    if len(a.dirs) > 1:
        print(f"pooled | {pooled_bv.row()} | {pooled_tips.row()}")


if __name__ == "__main__":
    main()
