"""What the tips target allows on a generated set: the fewest false alerts at tip recall 0.90.

    .venv/bin/python tools/evalgen/tip_bound.py DIR [DIR ...]

DIR is a set in the dev set's format with ``truth_meta.jsonl`` (``gen_eval.py`` writes
``negative_type`` for each innocent event, as does the dev generator, whose namesake tips all
carry a birth year and so give 0). The bound needs no matcher: evalgen makes a true tip and a
namesake tip the same way (``Generator.sighting`` and ``Generator.innocent``: the person's full
name rendered by ``full_name``, the same text templates, a birth year in 40% of them: the
notice's for the person, one to three years off for the namesake). A tip without a birth year
therefore carries the same evidence whether it is the person or a namesake of a listed person, and
any rule alerts the same share of both.

Counted optimistically for the matcher: every true tip with a birth year alerts, with no false
alert; the rest of recall 0.90 comes from true tips without one, and each such alert brings the
same share of the namesake tips without a year, times the share of notices that are active (an
inactive notice alerts nobody). Random innocent tips that happen to name a listed person are
left out, so the real figure is higher.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import orjson

TARGET_RECALL = 0.90


def _rows(path: Path) -> list[dict[str, object]]:
    with path.open("rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


def bound(d: Path) -> dict[str, float]:
    """Counts of one set and the fewest false alerts per 10k innocent tips at recall 0.90."""
    meta = {m["event_id"]: m for m in _rows(d / "truth_meta.jsonl")}
    wanted = _rows(d / "wanted.jsonl")
    active = sum(w.get("status", "active") == "active" for w in wanted) / max(1, len(wanted))
    true_year = true_bare = innocent = namesake_bare = 0
    for e in _rows(d / "events.jsonl"):
        if e["event_type"] != "tip":
            continue
        m = meta[e["event_id"]]
        subject = e.get("subject") or {}
        has_year = bool(isinstance(subject, dict) and subject.get("birth_date"))
        if m.get("notice_id"):
            true_year += has_year
            true_bare += not has_year
        else:
            innocent += 1
            namesake_bare += m.get("negative_type") == "namesake" and not has_year
    true = true_year + true_bare
    needed = max(0.0, TARGET_RECALL * true - true_year)
    share = min(1.0, needed / true_bare) if true_bare else 0.0
    false = share * namesake_bare * active
    return {"true": true, "true_year": true_year, "true_bare": true_bare, "innocent": innocent,
            "namesake_bare": namesake_bare, "needed": needed, "false": false,
            "per_10k": false / innocent * 1e4 if innocent else 0.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="+", type=Path, help="generated sets (wanted, events, truth_meta)")
    a = ap.parse_args()
    for d in a.sets:
        if not (d / "truth_meta.jsonl").is_file():
            ap.error(f"{d} has no truth_meta.jsonl: generate it with gen_eval.py (or the dev generator)")
    print("| set | true tips | with a year | without | innocent tips | namesake tips without a year "
          "| true tips without a year that must alert | namesakes alerting with them | false alerts per 10k, at least |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for d in a.sets:
        b = bound(d)
        print(f"| {d.name} | {b['true']:.0f} | {b['true_year']:.0f} | {b['true_bare']:.0f} | {b['innocent']:,.0f} "
              f"| {b['namesake_bare']:.0f} | {b['needed']:.0f} | {b['false']:.0f} | {b['per_10k']:.0f} |")


if __name__ == "__main__":
    main()
