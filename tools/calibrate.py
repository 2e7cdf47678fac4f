"""Fit, check and report the calibrated hit probability (``matching/calibration.json``).

    # 1. screen labelled sets once and keep every hit's features (one JSONL per set)
    .venv/bin/python tools/calibrate.py dump DIR [DIR ...] --out /tmp/cal
    # 2. fit: leave-one-set-out cross-validation over the regularisation, then one fit on all
    #    the sets given; writes matching/calibration.json and prints the out-of-fold table
    .venv/bin/python tools/calibrate.py fit /tmp/cal/dev.jsonl /tmp/cal/seed2.jsonl ... [--write]
    # 3. reliability of the shipped model on any dumped sets (e.g. the held-back ones)
    .venv/bin/python tools/calibrate.py table /tmp/cal/seed9.jsonl ...

Each DIR holds ``wanted.jsonl``, ``events.jsonl`` and ``truth.jsonl`` (the dev set's contract).
A hit's label is whether ``truth[event_id] == notice_id``. Needs scikit-learn (a dev extra).
The model follows nomenklatura's regression matcher: standardised features, L2-regularised
logistic regression; its coefficients are shipped, nothing is fitted at run time.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import schemas
from matching import Matcher
from matching._calibration import FEATURES, MODEL_FILE, Model

BINS = [(0.0, 0.05), (0.05, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 0.99),
        (0.99, 1.001)]
C_GRID = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


def dump(dirs: list[Path], out: Path) -> None:
    """Screen each set and write one line per hit (features, label) plus a header line with
    the set's counts of true pairs and innocent events per event kind."""
    out.mkdir(parents=True, exist_ok=True)
    for d in dirs:
        truth = {str(t["event_id"]): t.get("notice_id") for t in _read(d / "truth.jsonl")}
        m = Matcher()
        for obj in _read(d / "wanted.jsonl"):
            m.upsert(schemas.WantedPerson.model_validate(obj))
        counts = {"bv_true": 0, "bv_innocent": 0, "tip_true": 0, "tip_innocent": 0}
        rows: list[bytes] = []
        for obj in _read(d / "events.jsonl"):
            ev = schemas.EVENT_ADAPTER.validate_python(obj)
            kind = "tip" if ev.event_type == "tip" else "bv"
            want = truth.get(ev.event_id)
            counts[f"{kind}_true" if want is not None else f"{kind}_innocent"] += 1
            for h in m.screen(ev):
                rows.append(orjson.dumps({"e": ev.event_id, "n": h.notice_id, "k": kind, "y": int(want == h.notice_id),
                                          "innocent": int(want is None), "band": h.band, "score": h.score,
                                          "x": h.features}))
        name = d.name if d.name != "matching-dev" else "dev"
        with (out / f"{name}.jsonl").open("wb") as f:
            f.write(orjson.dumps({"set": name, **counts}) + b"\n")
            for r in rows:
                f.write(r + b"\n")
        print(f"{d}: {len(rows)} hits -> {out / (name + '.jsonl')}", flush=True)


class Dumped:
    def __init__(self, path: Path) -> None:
        lines = _read(path)
        self.meta: dict[str, Any] = lines[0]
        self.rows = lines[1:]
        self.name = str(self.meta["set"])


def _arrays(sets: list[Dumped]) -> tuple[Any, Any, Any]:
    import numpy as np

    x = np.array([r["x"] for s in sets for r in s.rows], dtype=float)
    y = np.array([r["y"] for s in sets for r in s.rows], dtype=int)
    g = np.array([i for i, s in enumerate(sets) for _ in s.rows], dtype=int)
    return x, y, g


def _fit(x: Any, y: Any, c: float) -> Model:
    r = _fit_raw(x, y, c)
    return Model(r["intercept"], r["coef"], r["mean"], r["scale"])


def reliability(pairs: list[tuple[float, int]]) -> str:
    """Markdown table: per probability bin, hits, true hits, observed share, mean predicted."""
    lines = ["| probability | hits | the person | observed share | mean predicted |", "|---|---:|---:|---:|---:|"]
    for lo, hi in BINS:
        sel = [(p, y) for p, y in pairs if lo <= p < hi]
        if not sel:
            lines.append(f"| {lo:.2f}–{min(hi, 1.0):.2f} | 0 | 0 | – | – |")
            continue
        t = sum(y for _, y in sel)
        lines.append(f"| {lo:.2f}–{min(hi, 1.0):.2f} | {len(sel):,} | {t:,} | {t / len(sel):.3f} | "
                     f"{sum(p for p, _ in sel) / len(sel):.3f} |")
    return "\n".join(lines)


def _metrics(s: Dumped, probs: list[float], kind: str, t: float | None) -> str:
    """P / R / FA per 10k for one event kind: alerts by band (t None) or by probability >= t."""
    tp = fp = 0
    fa_events: set[str] = set()
    for r, p in zip(s.rows, probs, strict=True):
        if r["k"] != kind or not (r["band"] == "alert" if t is None else p >= t):
            continue
        if r["y"]:
            tp += 1
        else:
            fp += 1
            if r["innocent"]:
                fa_events.add(r["e"])
    true, innocent = s.meta[f"{kind}_true"], s.meta[f"{kind}_innocent"]
    prec = tp / (tp + fp) if tp + fp else 1.0
    return f"{prec:.3f} / {tp / true if true else 1.0:.3f} / {1e4 * len(fa_events) / innocent if innocent else 0.0:.1f}"


def fit(paths: list[Path], write: bool, thresholds: list[float]) -> None:
    import numpy as np

    sets = [Dumped(p) for p in paths]
    x, y, g = _arrays(sets)
    print(f"{len(y)} hits ({int(y.sum())} the person) from {len(sets)} sets: {', '.join(s.name for s in sets)}")
    best: tuple[float, float] | None = None
    oof_by_c: dict[float, Any] = {}
    for c in C_GRID:
        oof = np.zeros(len(y))
        for i in range(len(sets)):  # leave one set out: never tuned on one set alone
            model = _fit(x[g != i], y[g != i], c)
            oof[g == i] = [model.predict(v) for v in x[g == i]]
        eps = 1e-6
        loss = -float(np.mean(y * np.log(oof + eps) + (1 - y) * np.log(1 - oof + eps)))
        print(f"C={c:<5} leave-one-set-out log loss {loss:.4f}")
        oof_by_c[c] = oof
        if best is None or loss < best[1]:
            best = (c, loss)
    assert best is not None
    c = best[0]
    oof = oof_by_c[c]
    print(f"\nchosen C={c}; out-of-fold reliability (each set scored by a model fitted on the others):\n")
    print(reliability(list(zip(oof.tolist(), y.tolist(), strict=True))))
    print("\nset | border+visa by band | " + " | ".join(f"border+visa p>={t}" for t in thresholds)
          + " | tips by band")
    start = 0
    for s in sets:
        probs = oof[start:start + len(s.rows)].tolist()
        start += len(s.rows)
        cols = [_metrics(s, probs, "bv", None)] + [_metrics(s, probs, "bv", t) for t in thresholds]
        print(f"{s.name} | " + " | ".join(cols) + f" | {_metrics(s, probs, 'tip', None)}")
    raw = _fit_raw(x, y, c)
    print("\ncoefficients (standardised):")
    for name, w in zip(FEATURES, raw["coef"], strict=True):
        print(f"  {name:16} {w:+.3f}")
    if write:
        MODEL_FILE.write_text(json.dumps({"features": list(FEATURES), **raw, "C": c,
                                          "fitted_on": [s.name for s in sets]}, indent=1) + "\n",
                              encoding="utf-8")
        print(f"wrote {MODEL_FILE}")


def _fit_raw(x: Any, y: Any, c: float) -> dict[str, Any]:
    """The fitted model as stored: intercept, standardised coefficients, mean and scale."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=c, max_iter=2000)
    lr.fit((x - mean) / scale, y)
    return {"intercept": round(float(lr.intercept_[0]), 6), "coef": [round(float(v), 6) for v in lr.coef_[0]],
            "mean": [round(float(v), 6) for v in mean], "scale": [round(float(v), 6) for v in np.asarray(scale)]}


def table(paths: list[Path], thresholds: list[float]) -> None:
    from matching._calibration import load_model

    model = load_model()
    pairs: list[tuple[float, int]] = []
    print("set | border+visa by band | " + " | ".join(f"border+visa p>={t}" for t in thresholds)
          + " | tips by band")
    for p in paths:
        s = Dumped(p)
        probs = [model.predict(r["x"]) for r in s.rows]
        pairs += [(pr, r["y"]) for pr, r in zip(probs, s.rows, strict=True)]
        cols = [_metrics(s, probs, "bv", None)] + [_metrics(s, probs, "bv", t) for t in thresholds]
        print(f"{s.name} | " + " | ".join(cols) + f" | {_metrics(s, probs, 'tip', None)}")
    print()
    print(reliability(pairs))


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("dirs", nargs="+", type=Path)
    d.add_argument("--out", type=Path, required=True)
    f = sub.add_parser("fit")
    f.add_argument("dumps", nargs="+", type=Path)
    f.add_argument("--write", action="store_true", help="write matching/calibration.json")
    f.add_argument("--threshold", type=float, action="append", default=[])
    t = sub.add_parser("table")
    t.add_argument("dumps", nargs="+", type=Path)
    t.add_argument("--threshold", type=float, action="append", default=[])
    a = ap.parse_args()
    if a.cmd == "dump":
        dump(a.dirs, a.out)
    elif a.cmd == "fit":
        fit(a.dumps, a.write, a.threshold)
    else:
        table(a.dumps, a.threshold)


if __name__ == "__main__":
    main()
