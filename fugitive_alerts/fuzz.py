"""Fuzz the whole path: mutated and hostile records of all three event types, straight to screening
and through the ingest check, rendered when they alert; and the importers.

    python -m fugitive_alerts.fuzz --cases 100000     (or: make fuzz)

Each case is one input record built from a valid sample (border crossings, visa applications and
tips in turn) by a seeded mutation: bit flips, truncation, invalid UTF-8, random bytes, a field
replaced by a hostile value (wrong type, NaN or Infinity, a huge string, JSON nested thousands
deep, a control character, HTML, an email header injection, a timestamp far in the past or
future), a record over the size limit, a bidi control or zero-width character in a string. One
case in three goes through the ingest path (``check_ingest``, then screening of what it forwards).
Every case must end as a clean verdict:

- a refusal with a reason, whose dead letter is built and is at most ``rejected_max_bytes()``
  long (and, on the ingest path, an answer for the agency);
- or a screening outcome, every alert of which is rendered to SMS and email: the SMS is one line
  without the person's name, birth date or document number; the email has exactly one From, To,
  Subject and Message-ID, no injected header, and no unescaped HTML.

Any other exception is a crash, reported with the seed and the case number so it can be replayed.
It prints the coverage per path and event type. The test suite runs a fixed budget of the same
generator (``tests/unit/test_bad_input.py``).
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
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from alerting import build_message, render_email, render_sms
from matching import Matcher
from schemas import Alert, AnyEvent, Bureau, Officer, Rejected, WantedPerson, event_subject, rejected_max_bytes
from streams import screen_record
from streams.dead_letter import oversize_error
from streams.ingest import check_ingest, rejection_response
from streams.screening import reject

from .importers import read_notices

__all__ = ["Coverage", "FuzzReport", "coverage_table", "hostile_values", "mutations", "run", "typed_mutations"]

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


_KINDS = ["field", "field", "field", "flip", "truncate", "utf8", "bytes", "deep", "type", "oversize", "invisible",
          "valid", "valid"]
_HOSTILE_TEXT = ["<script>alert(1)</script>", "line\r\nBcc: attacker@example.org", "=?utf-8?q?x?=", "\r\n.\r\n"]
_INVISIBLE = ["\u202e", "\u2066", "\u200b", "\ufeff", "\u202a"]
OVERSIZE_LIMIT = 64 * 1024
"""The record limit of the fuzzer's decode paths (the product's default is 256 KiB; smaller here so
that oversize cases stay cheap while still being refused before decoding)."""


def _samples() -> dict[str, list[dict[str, Any]]]:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for line in (_SAMPLE / "events.jsonl").read_text("utf-8").splitlines():
        event = json.loads(line)
        by_type.setdefault(event["event_type"], []).append(event)
    return by_type


def mutations(seed: int) -> Iterator[tuple[str, bytes]]:
    """Endless (kind, raw record) cases derived from the sample events of all three types in turn,
    reproducible from ``seed``."""
    for _, _, kind, raw in typed_mutations(seed):
        yield kind, raw


def typed_mutations(seed: int) -> Iterator[tuple[str, str, str, bytes]]:
    """Endless (event type, agency, kind, raw record) cases: each event type in turn, a seeded mutation
    of one of its sample events (``agency``: the sample's, for its ingest topic)."""
    rng = random.Random(seed)
    samples = _samples()
    types = sorted(samples)
    n = 0
    while True:
        event_type = types[n % len(types)]
        n += 1
        event = rng.choice(samples[event_type])
        raw = json.dumps(event, ensure_ascii=False).encode()
        kind = rng.choice(_KINDS)
        yield event_type, event["agency"], kind, _mutate(rng, kind, event, raw)


def _mutate(rng: random.Random, kind: str, event: dict[str, Any], raw: bytes) -> bytes:
    if kind == "valid":  # a valid record (it may alert), with hostile free text where the type has some
        if "text" in event:
            return _json_with({**event, "text": rng.choice(_HOSTILE_TEXT)})
        return raw
    if kind == "field":
        return _json_with(_set_random_field(rng, event))
    if kind == "flip":
        data = bytearray(raw)
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        return bytes(data)
    if kind == "truncate":
        return raw[: rng.randrange(len(raw))]
    if kind == "utf8":
        i = rng.randrange(len(raw))
        return raw[:i] + rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]) + raw[i:]
    if kind == "bytes":
        return rng.randbytes(rng.randint(0, 300))
    if kind == "deep":
        return _deep(rng.choice([100, 1000, 5000, 20000]))
    if kind == "oversize":
        pad = b"x" * (OVERSIZE_LIMIT + rng.randint(1, 4096))
        return raw[:-1] + b', "padding": "' + pad + b'"}'
    if kind == "invisible":
        text = raw.decode()
        quotes = [i for i, c in enumerate(text) if c == '"']
        i = rng.choice(quotes) + 1 if quotes else 0
        return (text[:i] + rng.choice(_INVISIBLE) + text[i:]).encode()
    return _json_with(rng.choice([[], "text", 42, None, [event], {"event_type": event["event_type"]}]))


@dataclass
class Coverage:
    """What one (path, event type) pair saw."""

    cases: int = 0
    rejected: int = 0
    screened: int = 0
    alerts: int = 0
    dead_letters: int = 0
    largest_dead_letter: int = 0


@dataclass
class FuzzReport:
    cases: int = 0
    rejected: int = 0
    screened: int = 0
    crashes: list[tuple[int, str, str]] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)
    coverage: dict[tuple[str, str], Coverage] = field(default_factory=dict)
    """(path, event type) -> counts; path is ``events`` (straight to ``events.*``) or ``ingest``."""
    rendered: int = 0
    """Alerts rendered to an SMS and an email (and both checked)."""


def _matcher() -> Matcher:
    m = Matcher()
    for line in (_SAMPLE / "wanted.jsonl").read_bytes().splitlines():
        m.upsert(WantedPerson.model_validate_json(line))
    return m


_TOPIC_KIND = {"border_crossing": "border-crossings", "visa_application": "visa-applications", "tip": "tips"}


def _check_dead_letter(rejected: Rejected, cov: Coverage) -> None:
    """The dead letter as the agents produce it: it says why, and it is bounded whatever the record."""
    assert rejected.error, "a rejection always says why"
    size = len(rejected.model_dump_json().encode())
    assert size <= rejected_max_bytes(), f"dead letter of {size} bytes"
    cov.dead_letters += 1
    cov.largest_dead_letter = max(cov.largest_dead_letter, size)


def _private(event: AnyEvent) -> list[str]:
    subject = event_subject(event)
    values = [subject.given, subject.family, subject.full_name, subject.birth_date,
              subject.document.number if subject.document else None]
    return [v for v in values if v and len(v) >= 3]


def _check_rendering(alert: Alert, bureau: Bureau) -> None:
    """SMS: one line, no name, birth date or document number. Email: one of each header, no injected
    header, nothing from the event unescaped in the HTML."""
    sms = render_sms(alert)
    assert "\n" not in sms and "\r" not in sms, "an SMS is one line"
    for value in _private(alert.event):
        assert value.casefold() not in sms.casefold(), "personal data in an SMS"
    content = render_email(alert, bureau, "fuzz", ack_link="https://example.invalid/ack/t")
    msg = build_message(content, sender="alerts@example.invalid", to="duty@example.invalid", message_id="<f@x>")
    parsed = message_from_bytes(msg.data, policy=policy.default)
    for header in ("From", "To", "Subject", "Message-ID"):
        assert len(parsed.get_all(header) or []) == 1, f"{header} header count"
    assert parsed["Bcc"] is None and parsed["Cc"] is None and parsed["Reply-To"] is None, "an injected header"
    assert "<script" not in content.html.lower(), "unescaped HTML from an event"
    assert "\nBcc:" not in msg.data.decode("utf-8", "replace").split("\r\n\r\n", 1)[0], "a header injected"


def run(cases: int, seed: int = 0, progress: Callable[[int], None] | None = None) -> FuzzReport:
    """Run ``cases`` mutated records of all three event types through both paths: straight to the
    screening decode, and through the ingest check then screening. Every refusal's dead letter is
    built and its size checked; every alert is rendered to SMS and email and checked. Every 50th
    case is also fed to each importer as a one-line file."""
    report = FuzzReport()
    matcher = _matcher()
    bureau = Bureau(id="ncb-fuzz", name="NCB Fuzz", country="KE",
                    officers=[Officer(id="duty", name="Duty", email="duty@ncb-fuzz.example")])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case"
        for n, (event_type, agency, kind, raw) in enumerate(typed_mutations(seed)):
            if n >= cases:
                break
            route = "ingest" if (n // 3) % 3 == 2 else "events"  # every type on both paths
            cov = report.coverage.setdefault((route, event_type), Coverage())
            cov.cases += 1
            report.cases += 1
            report.by_kind[kind] = report.by_kind.get(kind, 0) + 1
            try:
                _one(raw, n, route, event_type, agency, matcher, bureau, report, cov)
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


def _one(raw: bytes, n: int, route: str, event_type: str, agency: str, matcher: Matcher, bureau: Bureau,
         report: FuzzReport, cov: Coverage) -> None:
    topic = f"events.{_TOPIC_KIND[event_type]}"
    if route == "ingest":
        topic = f"ingest.{agency}.{_TOPIC_KIND[event_type]}"
        checked = check_ingest(raw, topic=topic, partition=0, offset=n, max_bytes=OVERSIZE_LIMIT)
        if checked.rejected is not None:
            _check_dead_letter(checked.rejected, cov)
            answer = rejection_response(raw, checked.rejected, max_bytes=OVERSIZE_LIMIT)
            assert answer is not None and answer.result == "rejected", "the agency is answered"
            report.rejected += 1
            cov.rejected += 1
            return
        assert checked.forward is not None
        raw, topic = checked.forward.value, checked.forward.topic
    too_large = oversize_error(raw, OVERSIZE_LIMIT)
    if too_large is not None:
        outcome = reject(raw, topic, 0, n, too_large)
    else:
        outcome = screen_record(raw, topic=topic, partition=0, offset=n, expected_type=event_type, screener=matcher)
    if outcome.rejected is not None:
        _check_dead_letter(outcome.rejected, cov)
        report.rejected += 1
        cov.rejected += 1
        return
    report.screened += 1
    cov.screened += 1
    for alert in outcome.alerts:
        _check_rendering(alert, bureau)
        cov.alerts += 1
        report.rendered += 1


def coverage_table(report: FuzzReport) -> str:
    lines = ["| path | event type | cases | rejected (dead letter checked) | screened | alerts rendered | "
             "largest dead letter |", "|---|---|---|---|---|---|---|"]
    for (route, event_type), c in sorted(report.coverage.items()):
        lines.append(f"| {route} | {event_type} | {c.cases} | {c.rejected} | {c.screened} | {c.alerts} | "
                     f"{c.largest_dead_letter} B |")
    return "\n".join(lines)


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
          f"with a reason and a bounded dead letter (at most {rejected_max_bytes()} bytes), {report.screened} "
          f"screened, {report.rendered} alerts rendered to SMS and email and checked, {len(report.crashes)} "
          f"crashes [{kinds}]")
    print(coverage_table(report))
    for n, kind, error in report.crashes[:20]:
        print(f"  crash at case {n} ({kind}): {error}")
    return 1 if report.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
