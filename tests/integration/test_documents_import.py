"""``documents import`` against the real broker: upserts by normalised document, bad lines, full snapshots."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from schemas import Settings, topics

from .kafka_helpers import produce, read_until

HEADER = "issuing_country,number,document_type,status,reporting_country,reported_on,reference\n"


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fugitive_alerts", "documents", "import", *args],
                          env={**settings.to_env(), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=120)


def _latest(settings: Settings, count: int) -> dict[str, dict[str, Any] | None]:
    """key -> its last value on documents.reported (None: tombstone), once ``count`` records are there."""
    records = read_until(settings, topics.DOCUMENTS, lambda rs: len(rs) >= count, 60.0)
    return {r.key.decode(): (json.loads(r.value) if r.value is not None else None) for r in records if r.key}


def test_a_csv_with_the_records_own_header_is_keyed_by_the_icao_normalised_document(
    settings_factory: Any, tmp_path: Path
) -> None:
    settings: Settings = settings_factory(smtp=False, twilio=False)
    src = tmp_path / "sltd.csv"
    src.write_bytes((HEADER
                     + "DEU,c01x-00t4<7,P,stolen,DE,2026-03-02,DE-0001\n"
                     + "FR,12 AB 34567,I,lost,FR,2026-03-03,FR-0002\n"
                     + "FR,12AB/34567,I,lost,FR,2026-03-03,FR-0003\n"  # '/' is not part of a number
                     + "FR,99XX0001,P,misplaced,FR,2026-03-04,FR-0004\n"  # not a status
                     ).encode() + b"ES,\xff\xfe01,P,lost,ES,2026-03-05,ES-0005\n"  # not UTF-8
                    + b"D,X123<<,V,revoked,DE,2026-03-06,DE-0006\n")
    result = _cli(settings, str(src))
    assert result.returncode == 2, result.stderr
    assert "6 row(s) read, 3 valid" in result.stdout
    for line, field in ((4, "number"), (5, "status"), (6, "not UTF-8")):
        assert f"sltd.csv:{line}" in result.stderr and field in result.stderr
    assert "12AB/34567" not in result.stderr + result.stdout  # reasons name fields, never values
    latest = _latest(settings, 3)
    assert set(latest) == {"DE:C01X00T47", "FR:12AB34567", "DE:X123"}
    assert latest["DE:C01X00T47"] == {"issuing_country": "DE", "number": "C01X00T47", "document_type": "passport",
                                      "status": "stolen", "reporting_country": "DE", "reported_on": "2026-03-02",
                                      "reference": "DE-0001"}
    assert latest["DE:X123"]["document_type"] == "visa"  # type: ignore[index]


def test_other_headers_map_with_map_and_jsonl_needs_no_options(settings_factory: Any, tmp_path: Path) -> None:
    settings: Settings = settings_factory(smtp=False, twilio=False)
    src = tmp_path / "feed.csv"
    src.write_text("Issuer,Doc No,Kind,State,By,On,Ref\nITA,YA1234567,P,stolen_blank,IT,2026-01-05,IT-9\n")
    result = _cli(settings, str(src), "--map",
                  "issuing_country=Issuer,number=Doc No,document_type=Kind,status=State,reporting_country=By",
                  "--map", "reported_on=On,reference=Ref")
    assert result.returncode == 0, result.stderr
    lines = tmp_path / "feed.jsonl"
    lines.write_text(json.dumps({"issuing_country": "GR", "number": "AE-123456", "document_type": "passport",
                                 "status": "invalidated", "reporting_country": "GR", "reported_on": "2026-01-06",
                                 "reference": "GR-1"}) + "\n")
    assert _cli(settings, str(lines)).returncode == 0
    assert set(_latest(settings, 2)) == {"IT:YA1234567", "GR:AE123456"}


def test_a_missing_column_refuses_the_file_and_says_how_to_map_it(settings_factory: Any, tmp_path: Path) -> None:
    settings: Settings = settings_factory(smtp=False, twilio=False)
    src = tmp_path / "partial.csv"
    src.write_text("issuing_country,number\nFR,123\n")
    result = _cli(settings, str(src))
    assert result.returncode == 2
    assert "missing column(s)" in result.stderr and "--map" in result.stderr


def test_full_snapshot_removes_only_the_absent_reports_of_its_reporting_countries(
    settings_factory: Any, tmp_path: Path
) -> None:
    settings: Settings = settings_factory(smtp=False, twilio=False)
    first = tmp_path / "day1.csv"
    first.write_text(HEADER + "FR,FR0001,P,stolen,FR,2026-02-01,F1\nFR,FR0002,P,lost,FR,2026-02-01,F2\n"
                     "DE,DE0001,P,stolen,DE,2026-02-01,D1\n")
    assert _cli(settings, str(first)).returncode == 0
    second = tmp_path / "day2.csv"  # France's whole list today: FR0002 was recovered, FR0003 is new
    second.write_text(HEADER + "FR,FR0001,P,stolen,FR,2026-02-01,F1\nFR,FR0003,I,stolen,FR,2026-02-02,F3\n")

    dry = _cli(settings, str(second), "--full-snapshot", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "full snapshot of FR: would remove 1 report(s)" in dry.stdout

    wet = _cli(settings, str(second), "--full-snapshot")
    assert wet.returncode == 0, wet.stderr
    latest = _latest(settings, 3 + 2 + 1)
    assert latest["FR:FR0002"] is None  # recovered: tombstone
    assert latest["FR:FR0001"] is not None and latest["FR:FR0003"] is not None
    assert latest["DE:DE0001"] is not None  # another reporting country's report is left alone


def test_an_empty_snapshot_for_a_named_country_clears_it(settings_factory: Any, tmp_path: Path) -> None:
    settings: Settings = settings_factory(smtp=False, twilio=False)
    doc = {"issuing_country": "PT", "number": "PT0001", "document_type": "passport", "status": "lost",
           "reporting_country": "PT", "reported_on": "2026-02-01", "reference": "P1"}
    produce(settings, topics.DOCUMENTS, [(b"PT:PT0001", json.dumps(doc).encode())])
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER)
    result = _cli(settings, str(empty), "--full-snapshot", "--reporting-country", "PRT")
    assert result.returncode == 0, result.stderr
    assert _latest(settings, 2)["PT:PT0001"] is None
