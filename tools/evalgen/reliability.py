"""Reliability table of hit scores: per score bin, how many hits and what share are the person.

    .venv/bin/python tools/evalgen/reliability.py DIR:HITS.jsonl [DIR:HITS.jsonl ...]

DIR holds ``truth.jsonl``; HITS is the output of ``fugitive-alerts screen`` (or
``evaluate.py --hits-dir``) for that set. Hits of all sets are pooled. A calibrated score has
the share of true hits in each bin close to the bin's scores.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

BINS = [(0.60, 0.70), (0.70, 0.75), (0.75, 0.80), (0.80, 0.85), (0.85, 0.90), (0.90, 0.95), (0.95, 1.01)]


def main() -> None:
    counts = {b: [0, 0] for b in BINS}
    for arg in sys.argv[1:]:
        d, hits = arg.split(":", 1)
        with (Path(d) / "truth.jsonl").open("rb") as f:
            truth = {t["event_id"]: t.get("notice_id") for t in map(orjson.loads, f) if t}
        with Path(hits).open("rb") as f:
            for line in f:
                h = orjson.loads(line)
                for lo, hi in BINS:
                    if lo <= h["score"] < hi:
                        counts[(lo, hi)][0] += 1
                        counts[(lo, hi)][1] += truth.get(h["event_id"]) == h["notice_id"]
    print("| score | hits | the person | share |")
    print("|---|---:|---:|---:|")
    for (lo, hi), (n, t) in counts.items():
        share = f"{t / n:.3f}" if n else "–"
        print(f"| {lo:.2f}–{min(hi, 1.0):.2f} | {n:,} | {t:,} | {share} |")


if __name__ == "__main__":
    main()
