"""Fuzz the decode path: mutated and hostile records through the screening decode and the importers.

    python -m fugitive_alerts.fuzz --cases 100000     (or: make fuzz)

Each case is one input record built from a valid sample by a seeded mutation: bit flips,
truncation, invalid UTF-8, random bytes, a field replaced by a hostile value (wrong type, NaN or
Infinity, a huge string, JSON nested thousands deep, a control character, HTML, an email header
injection, a timestamp far in the past or future). Every case must end as a clean verdict: a
screening outcome with alerts/response, or a rejection with a reason. Any other exception is a
crash, reported with the seed and the case number so it can be replayed. The test suite runs a
fixed budget of the same generator (``tests/unit/test_bad_input.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matching import Matcher
from schemas import WantedPerson
from streams import screen_record

from .importers import read_notices

__all__ = ["FuzzReport", "hostile_values", "mutations", "run"]

_SAMPLE = Path(__file__).resolve().parent / "sample"

hostile_values: list[Any] = [
    None, True, 0, -1, 2**70, 1.5, float("nan"), float("inf"), "", " ", "x" * 100_000, [], {}, [1, "a"],
    {"given": {"nested": [1]}}, "\x00", "NAME\x07BEL", "line\nbreak", "\r\nBcc: attacker@example.org",
    "<script>alert(1)</script>", "' OR 1=1 --", "\u202eRTL", "\ud800", "ÄÖÜß" * 10, "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z", "2026-02-30", "2026-04-14T08:12:00", "1e309", "NaN", "-Infinity",
]


def _deep(depth: int) -> bytes:
    return b'{"event_id": ' + b"[" * depth + b"]" * depth + b"}"


def _json_with(obj: Any) -> bytes:
    try:
        return json.dumps(obj, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError):
        return b"{}"


def _set_random_field(rng: random.Random, event: dict[str, Any]) -> dict[str, Any]:
    event = json.loads(json.dumps(event))
    target = event
    keys = list(event)
    for person_key in ("traveler", "applicant", "subject"):
        if person_key in event and rng.random() < 0.5 and isinstance(event[person_key], dict):
            target, keys = event[person_key], [*list(event[person_key]), "document"]
            break
    key = rng.choice([*keys, "unexpected_field"])
    target[key] = rng.choice(hostile_values)
    return event


def mutations(seed: int) -> Iterator[tuple[str, bytes]]:
    """Endless (kind, raw record) cases derived from the sample events, reproducible from ``seed``."""
    rng = random.Random(seed)
    events = [json.loads(line) for line in (_SAMPLE / "events.jsonl").read_text("utf-8").splitlines()[:50]]
    while True:
        event = rng.choice(events)
        raw = json.dumps(event, ensure_ascii=False).encode()
        kind = rng.choice(["field", "field", "field", "flip", "truncate", "utf8", "bytes", "deep", "type"])
        if kind == "field":
            yield kind, _json_with(_set_random_field(rng, event))
        elif kind == "flip":
            data = bytearray(raw)
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(len(data))
                data[i] ^= 1 << rng.randrange(8)
            yield kind, bytes(data)
        elif kind == "truncate":
            yield kind, raw[: rng.randrange(len(raw))]
        elif kind == "utf8":
            i = rng.randrange(len(raw))
            yield kind, raw[:i] + rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]) + raw[i:]
        elif kind == "bytes":
            yield kind, rng.randbytes(rng.randint(0, 300))
        elif kind == "deep":
            yield kind, _deep(rng.choice([100, 1000, 5000, 20000]))
        else:
            yield kind, _json_with(rng.choice([[], "text", 42, None, [event], {"event_type": event["event_type"]}]))


@dataclass
class FuzzReport:
    cases: int = 0
    rejected: int = 0
    screened: int = 0
    crashes: list[tuple[int, str, str]] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)


def _matcher() -> Matcher:
    m = Matcher()
    for line in (_SAMPLE / "wanted.jsonl").read_bytes().splitlines():
        m.upsert(WantedPerson.model_validate_json(line))
    return m


def run(cases: int, seed: int = 0, progress: Callable[[int], None] | None = None) -> FuzzReport:
    """Screen ``cases`` mutated records; also feed every 50th case to each importer as a one-line file."""
    report = FuzzReport()
    matcher = _matcher()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case"
        for n, (kind, raw) in enumerate(mutations(seed)):
            if n >= cases:
                break
            report.cases += 1
            report.by_kind[kind] = report.by_kind.get(kind, 0) + 1
            try:
                outcome = screen_record(raw, topic="fuzz", partition=0, offset=n, expected_type="border_crossing",
                                        screener=matcher)
                if outcome.rejected is not None:
                    assert outcome.rejected.error, "a rejection always says why"
                    report.rejected += 1
                else:
                    report.screened += 1
                if n % 50 == 0:
                    path.write_bytes(raw + b"\n")
                    for fmt in ("jsonl", "ftm", "interpol"):
                        with contextlib.suppress(ValueError):  # InputError: the whole file refused, with a message
                            read_notices(fmt, path)
            except Exception as exc:  # noqa: BLE001  # any crash is what the fuzzer is looking for
                report.crashes.append((n, kind, f"{type(exc).__name__}: {exc}"[:300]))
            if progress is not None and n % 1000 == 0:
                progress(n)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fugitive_alerts.fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="how many cases to try (default 100000)")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="replay a run with its seed")
    args = parser.parse_args(argv)
    started = time.monotonic()
    report = run(args.cases, args.seed)
    elapsed = time.monotonic() - started
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(report.by_kind.items()))
    print(f"fuzz: tried {report.cases} cases (seed {args.seed}) in {elapsed:.1f}s: {report.rejected} rejected "
          f"with a reason, {report.screened} screened, {len(report.crashes)} crashes [{kinds}]")
    for n, kind, error in report.crashes[:20]:
        print(f"  crash at case {n} ({kind}): {error}")
    return 1 if report.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
