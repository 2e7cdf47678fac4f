"""Benchmark of the matching engine (a table, not a timed test).

    .venv/bin/python bench/matching_bench.py                      # 1k, 10k, 100k, 1M
    .venv/bin/python bench/matching_bench.py --sizes 1000,10000 --events 5000
    .venv/bin/python bench/matching_bench.py --ab /tmp/base --sizes 100000 --events 5000 --rounds 3

Each size runs compiled (the Rust core and the modules mypyc compiled) and on the Python
reference, interpreted (``--cores``), one after the other, and the table gives their ratio: the
same code, the same minutes.

``--ab DIR`` times another checkout of the project (e.g. ``git worktree add /tmp/base main``)
against this one, interleaved (base, ours; ours, base; ...: the side that runs first in a round tends
to be faster, so each side goes first in every other round), each run in its own subprocess on
the same list and events, and prints the machine's load average before every run and the
median CPU events/s of each side: on a shared machine only a comparison made in the same
minutes means anything.

For each wanted-list size, in a fresh subprocess (so RSS is that size's alone): build a
synthetic list of fictional persons (syllable-made names drawn with a Zipf-like skew, so
common name parts exist; 10% carry a Cyrillic alias, 60% a passport), time the index build,
then, after warming up on 500 events and freezing the heap as the worker does once its list is
loaded (``gc.freeze()``: full collections no longer walk the index), screen a fixed mix of
events on one core: 75% innocent travellers and visa applicants
(names drawn from the same pools), 15% sightings of listed persons (ICAO upper case, some
typos, swapped order, partial dates), 10% tips naming someone inside free text.
Reports events/s and p50/p99 per-event latency (wall clock, and CPU time of the screening
thread: on a shared machine the wall figures include time other processes took), build time
and RSS. Then it screens the same events once more ("the same events again"): by then every
name's own work (its spellings, look-up keys, joined parts) is cached and every candidate notice
has been compared before, so the gap between the two CPU rates is what names seen for the first
time cost. The first rate is the one to quote: most travellers are new to a worker.
"""

from __future__ import annotations

import argparse
import bisect
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

_ONSETS = ["", "b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "sh",
           "kr", "tr", "br", "dr", "gr", "st", "pl", "kl", "y", "w", "j", "ts"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ou", "ia", "ei", "au"]
_CODAS = ["", "", "", "n", "r", "l", "s", "m", "k", "t", "nd", "rt"]
_CYR = {"a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и", "j": "й", "k": "к",
        "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в",
        "w": "в", "y": "ы", "z": "з", "c": "ц"}
_CITIES = ["Tarvos", "Melbrook", "Quennel", "Ostravia", "Pellmar", "Durnhold"]
_WHEN = datetime(2026, 4, 14, 8, 12, tzinfo=UTC)


def _word(rng: random.Random, syllables: int) -> str:
    parts = [rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)]
    return "".join(parts).capitalize()


class _Pool:
    """Names with a Zipf-like frequency: a few very common, a long tail of rare ones."""

    def __init__(self, rng: random.Random, size: int, syllables: tuple[int, int]) -> None:
        self.names = [_word(rng, rng.randint(*syllables)) for _ in range(size)]
        total = 0.0
        self.cum: list[float] = []
        for rank in range(1, size + 1):
            total += 1.0 / rank ** 0.85
            self.cum.append(total)
        self.rng = rng

    def draw(self) -> str:
        x = self.rng.random() * self.cum[-1]
        return self.names[bisect.bisect_left(self.cum, x)]


def _cyrillic(name: str) -> str:
    return "".join(_CYR.get(ch, ch) for ch in name.lower()).capitalize()


def _dob(rng: random.Random) -> str:
    return f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def make_wanted(n: int, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    given = _Pool(rng, max(2000, n // 20), (2, 3))
    family = _Pool(rng, max(5000, n // 3), (2, 4))
    out = []
    for i in range(n):
        g = given.draw() + (" " + given.draw() if rng.random() < 0.3 else "")
        f = family.draw()
        names = [{"given": g, "family": f}]
        if rng.random() < 0.1:
            names.append({"given": _cyrillic(g), "family": _cyrillic(f)})
        if rng.random() < 0.1:
            names.append({"given": given.draw(), "family": family.draw()})
        docs = []
        if rng.random() < 0.6:
            docs.append({"type": "passport", "number": f"X{rng.randrange(10**8):08d}", "country": "FR"})
        out.append({"notice_id": f"B/{i:07d}", "status": "active", "names": names,
                    "birth_dates": [_dob(rng)], "sex": rng.choice("MF"), "nationalities": ["FR"],
                    "documents": docs})
    out.append({"pools": [given.names[:50_000], family.names[:200_000]]})  # for events
    return out


def _typo(rng: random.Random, s: str) -> str:
    i = rng.randrange(len(s))
    return s[:i] + rng.choice("aeioukrst") + s[i + 1:]


def make_events(wanted: list[dict[str, object]], n: int, seed: int = 11) -> list[dict[str, object]]:
    rng = random.Random(seed)
    pools = wanted[-1]["pools"]  # type: ignore[index]
    notices = wanted[:-1]
    given = _Pool(rng, 10, (2, 3))
    given.names, family_names = pools[0], pools[1]  # type: ignore[index]
    fam = _Pool(rng, 10, (2, 3))
    fam.names = family_names
    for p in (given, fam):
        total = 0.0
        p.cum = []
        for rank in range(1, len(p.names) + 1):
            total += 1.0 / rank ** 0.85
            p.cum.append(total)
    events: list[dict[str, object]] = []
    for i in range(n):
        r = rng.random()
        base = {"event_id": f"e-{i}", "occurred_at": _WHEN.isoformat(), "country": "KE", "agency": "ke-imm"}
        if r < 0.9:
            if r < 0.75:
                person = {"given": given.draw().upper(), "family": fam.draw().upper(), "birth_date": _dob(rng),
                          "sex": rng.choice("MF"), "nationality": "FR",
                          "document": {"type": "passport", "number": f"X{rng.randrange(10**8):08d}",
                                       "country": "FR"}}
            else:
                w = rng.choice(notices)
                nm = w["names"][0]  # type: ignore[index]
                g, f = nm["given"].upper(), nm["family"].upper()
                if rng.random() < 0.3:
                    f = _typo(rng, f)
                if rng.random() < 0.2:
                    g, f = f, g
                dob = w["birth_dates"][0]  # type: ignore[index]
                person = {"given": g, "family": f, "birth_date": dob[:4] if rng.random() < 0.2 else dob,
                          "sex": w["sex"], "nationality": "FR"}
            if rng.random() < 0.66:
                events.append({**base, "event_type": "border_crossing", "post": "P1", "direction": "entry",
                               "traveler": person})
            else:
                events.append({**base, "event_type": "visa_application", "post": "C1",
                               "destination_country": "FR", "applicant": person})
        else:
            who = (given.draw() + " " + fam.draw()) if rng.random() < 0.7 else " ".join(
                (lambda nm: (nm["given"], nm["family"]))(rng.choice(notices)["names"][0]))  # type: ignore[index]
            text = f"Caller says {who} was seen near the market in {rng.choice(_CITIES)} last week, about 40."
            events.append({**base, "event_type": "tip", "channel": "hotline", "subject": {}, "text": text})
    return events


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(size: int, n_events: int) -> dict[str, float]:
    import schemas
    from matching import Matcher

    try:  # a checkout from before the compiled modules (--ab) has none
        from matching._compiled import active as mypyc_active
    except ImportError:
        def mypyc_active() -> bool:
            return False

    raw = make_wanted(size)
    events = [schemas.EVENT_ADAPTER.validate_python(e) for e in make_events(raw, n_events)]
    notices = [schemas.WantedPerson.model_validate(w) for w in raw[:-1]]
    del raw
    gc.collect()
    rss0 = _rss_mb()
    m = Matcher()
    t0 = time.perf_counter()
    for w in notices:
        m.upsert(w)
    build = time.perf_counter() - t0
    del notices
    gc.collect()
    rss_index = _rss_mb() - rss0
    try:  # a checkout from before the warm-up (--ab) builds its tables on first use
        from matching import warm_up
    except ImportError:
        pass
    else:
        warm_up()  # what a worker does before it reports ready: the lazy romanisation tables
    for e in events[: min(500, len(events))]:  # warm caches
        m.screen(e)
    gc.freeze()  # as the worker does once its list is loaded (streams/app.py): full collections skip the index
    lat: list[float] = []
    cpu_lat: list[float] = []
    hits = 0
    t_all = time.perf_counter()
    c_all = time.thread_time()
    for e in events:
        t = time.perf_counter()
        c = time.thread_time()
        hits += len(m.screen(e))
        cpu_lat.append(time.thread_time() - c)
        lat.append(time.perf_counter() - t)
    total = time.perf_counter() - t_all
    cpu_total = time.thread_time() - c_all
    c_again = time.thread_time()
    for e in events:  # the same events again: every name's own look-ups cached, every candidate touched
        m.screen(e)
    cpu_again = time.thread_time() - c_again
    cpu_lat.sort()
    lat.sort()
    return {"size": size, "events": len(events), "eps": len(events) / total,
            "cpu_eps": len(events) / cpu_total, "cpu_eps_again": len(events) / cpu_again,
            "cpu_p99_ms": cpu_lat[int(len(cpu_lat) * 0.99)] * 1e3,
            "p50_ms": lat[len(lat) // 2] * 1e3, "p99_ms": lat[int(len(lat) * 0.99)] * 1e3,
            "mean_us": total / len(events) * 1e6, "build_s": build, "rss_mb": _rss_mb(),
            "index_mb": rss_index, "hits_per_event": hits / len(events), "compiled": m.compiled,
            "modules": "mypyc" if mypyc_active() else "source"}


def _ab(other: Path, size: int, n_events: int, rounds: int) -> None:
    sides = {"base": str(other), "ours": str(Path(__file__).resolve().parents[1])}
    got: dict[str, list[float]] = {k: [] for k in sides}
    print("| round | side | modules | load 1/5/15 min | events/s CPU | the same events again, CPU | p99 CPU ms | "
          "build s | hits/event |")
    print("|---:|---|---|---|---:|---:|---:|---:|---:|")
    for i in range(rounds):
        # the order alternates: the side that runs first in a round tends to be faster (caches, the box's
        # other jobs), and a fixed order would hand that to one side every round
        order = list(sides.items()) if i % 2 == 0 else list(reversed(sides.items()))
        for side, code in order:
            load = "/".join(f"{x:.1f}" for x in os.getloadavg())
            out = subprocess.run([sys.executable, __file__, "--one", str(size), "--events", str(n_events)],
                                 check=True, capture_output=True, text=True,
                                 env={**os.environ, "MATCHING_BENCH_CODE": code})
            r = json.loads(out.stdout.strip().splitlines()[-1])
            got[side].append(r["cpu_eps"])
            print(f"| {i + 1} | {side} | {r.get('modules', 'source')} | {load} | "
                  f"{r['cpu_eps']:,.0f} | {r['cpu_eps_again']:,.0f} | {r['cpu_p99_ms']:.3f} | "
                  f"{r['build_s']:.1f} | "
                  f"{r['hits_per_event']:.2f} |", flush=True)
    base, ours = statistics.median(got["base"]), statistics.median(got["ours"])
    print(f"\nmedian CPU events/s at {size:,}: base {base:,.0f}, ours {ours:,.0f} "
          f"({(ours / base - 1) * 100:+.1f}%; per-round ratios "
          + ", ".join(f"{o / b:.2f}" for b, o in zip(got["base"], got["ours"], strict=True)) + ")")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--ab", type=Path, help="another checkout to time against this one, interleaved")
    ap.add_argument("--rounds", type=int, default=3, help="with --ab: runs per side")
    ap.add_argument("--cores", default="compiled,python",
                    help="matching cores to time, each size in turn: compiled (the Rust core, matching/core-rs, "
                         "and the modules compiled by mypyc, both built by scripts/bootstrap), python (the "
                         "reference, interpreted); the same hits either way")
    args = ap.parse_args()
    if args.one:
        code = os.environ.get("MATCHING_BENCH_CODE")
        if code:
            sys.path.insert(0, code)
        print(json.dumps(run_one(args.one, args.events)))
        return
    if args.ab:
        _ab(args.ab.resolve(), int(args.sizes.split(",")[0]), args.events, args.rounds)
        return
    rows = []
    cores = [c.strip() for c in args.cores.split(",") if c.strip()]
    for size in (int(s) for s in args.sizes.split(",")):
        for core in cores:
            load = os.getloadavg()[0]
            out = subprocess.run([sys.executable, __file__, "--one", str(size), "--events", str(args.events)],
                                 check=True, capture_output=True, text=True,
                                 env={**os.environ, "FUGITIVE_ALERTS_MATCHING_CORE": core})
            r = json.loads(out.stdout.strip().splitlines()[-1])
            r["core"] = core if r["compiled"] == (core != "python") else f"{core} (not built: ran python)"
            r["load"] = load
            rows.append(r)
            print(f"# done {size} {core}: {r['cpu_eps']:.0f} CPU ev/s", file=sys.stderr, flush=True)
    print("| wanted list | core | modules | events/s wall | events/s CPU | the same events again, CPU | mean µs/event | "
          "p50 ms | p99 ms | p99 CPU ms | build s | index RSS MB | process RSS MB | hits/event | load 1 min |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {int(r['size']):,} | {r['core']} | {r['modules']} | {r['eps']:,.0f} | {r['cpu_eps']:,.0f} | "
              f"{r['cpu_eps_again']:,.0f} | {r['mean_us']:.0f} | "
              f"{r['p50_ms']:.3f} | {r['p99_ms']:.3f} | {r['cpu_p99_ms']:.3f} | {r['build_s']:.1f} | "
              f"{r['index_mb']:,.0f} | {r['rss_mb']:,.0f} | {r['hits_per_event']:.2f} | {r['load']:.1f} |")
    for size in sorted({int(r["size"]) for r in rows}):
        by = {r["core"]: r["cpu_eps"] for r in rows if int(r["size"]) == size}
        if "compiled" in by and "python" in by:
            print(f"\nat {size:,}: compiled / python CPU events/s = {by['compiled'] / by['python']:.2f}")


if __name__ == "__main__":
    main()
