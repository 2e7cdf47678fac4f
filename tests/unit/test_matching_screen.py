"""Batch screening (``fugitive-alerts screen``): JSONL in, hits out, malformed lines reported."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from fugitive_alerts.screen import run_screen, screen_command

NOTICE = {"notice_id": "2026/000001", "status": "active", "names": [{"given": "Théogène", "family": "Ndagibimbaza"}],
          "birth_dates": ["1935-03-01"], "documents": [{"type": "passport", "number": "RW1234567", "country": "RW"}]}
WITHDRAWN = {**NOTICE, "notice_id": "2026/000002", "status": "withdrawn"}


def _event(eid: str, given: str, family: str, dob: str | None = "1935-03-01") -> dict[str, object]:
    return {"event_id": eid, "event_type": "border_crossing", "occurred_at": "2026-04-14T08:12:00Z", "country": "KE",
            "post": "NBO-T1", "direction": "entry", "agency": "ke-imm",
            "traveler": {"given": given, "family": family, "birth_date": dob}}


def _write(path: Path, lines: list[object]) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


def test_run_screen_writes_one_line_per_hit_with_band_and_reasons(tmp_path: Path) -> None:
    wanted = _write(tmp_path / "w.jsonl", [NOTICE, WITHDRAWN])
    events = _write(tmp_path / "e.jsonl", [_event("bc-1", "THEOGENE", "NDAGIBIMBAZA"),
                                           _event("bc-2", "ZACHARIAS", "PELLWOOD", "1990-01-01")])
    out = tmp_path / "hits.jsonl"
    report = run_screen(wanted, events, out, alert_threshold=0.8, review_threshold=0.6, progress=False)
    hits = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(h["event_id"], h["notice_id"], h["band"]) for h in hits] == [("bc-1", "2026/000001", "alert")]
    assert 0.8 <= hits[0]["score"] <= 1.0 and hits[0]["reasons"]
    assert (report.notices_read, report.notices_active, report.events_screened, report.alerts) == (2, 1, 2, 1)
    assert report.ok


def test_malformed_lines_are_reported_by_file_and_line_without_personal_data(tmp_path: Path) -> None:
    bad_notice = {**NOTICE, "notice_id": "2026/000003", "birth_dates": ["1935-13-45"]}
    wanted = _write(tmp_path / "w.jsonl", [NOTICE, bad_notice])
    events = _write(tmp_path / "e.jsonl", ["{not json", _event("bc-1", "THEOGENE", "NDAGIBIMBAZA"),
                                           {**_event("bc-2", "SECRETNAME", "HIDDENFAMILY"), "extra": 1}])
    report = run_screen(wanted, events, tmp_path / "h.jsonl", progress=False)
    where = [(Path(m.file).name, m.line) for m in report.malformed]
    assert where == [("w.jsonl", 2), ("e.jsonl", 1), ("e.jsonl", 3)]
    text = " ".join(str(m) for m in report.malformed)
    assert "birth_dates" in text and "extra" in text
    for secret in ("1935-13-45", "SECRETNAME", "HIDDENFAMILY"):
        assert secret not in text
    assert report.events_screened == 1 and not report.ok


def test_screen_command_exits_2_on_malformed_input_and_documents_its_options(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("screen")(screen_command)
    app.command("noop")(lambda: None)
    wanted = _write(tmp_path / "w.jsonl", [NOTICE])
    events = _write(tmp_path / "e.jsonl", ["{not json", _event("bc-1", "THEOGENE", "NDAGIBIMBAZA")])
    out = tmp_path / "h.jsonl"
    runner = CliRunner()
    result = runner.invoke(app, ["screen", "--wanted", str(wanted), "--events", str(events), "--out", str(out)])
    assert result.exit_code == 2
    assert out.read_text().count("\n") == 1
    help_text = runner.invoke(app, ["screen", "--help"], env={"COLUMNS": "200", "TERM": "dumb"}).output
    for option in ("--wanted", "--events", "--out", "--alert-threshold", "--review-threshold"):
        assert option in help_text
    ok = runner.invoke(app, ["screen", "--wanted", str(wanted), "--events", str(_write(tmp_path / "e2.jsonl",
                             [_event("bc-9", "THEOGENE", "NDAGIBIMBAZA")])), "--out", str(out)])
    assert ok.exit_code == 0, ok.output


def test_screen_command_takes_the_tip_threshold_from_the_environment(tmp_path: Path) -> None:
    """A tip with a misspelt name and the birth year (0.79) is review at 0.80 and an alert when
    analysts set FUGITIVE_ALERTS_TIP_ALERT_THRESHOLD lower; border crossings keep theirs."""
    app = typer.Typer()
    app.command("screen")(screen_command)
    app.command("noop")(lambda: None)
    wanted = _write(tmp_path / "w.jsonl", [NOTICE])
    tip = {"event_id": "tip-1", "event_type": "tip", "occurred_at": "2026-04-14T08:12:00Z", "country": "CD",
           "agency": "cd-police", "channel": "hotline", "subject": {"full_name": "Theogane Ndagibimbaxo", "birth_date": "1935"},
           "text": "Seen at the market."}
    events = _write(tmp_path / "e.jsonl", [tip, _event("bc-1", "THEOGENE", "NDAGIBIMBAZA", None)])
    out = tmp_path / "h.jsonl"
    runner = CliRunner()
    bands = {}
    for env in ({}, {"FUGITIVE_ALERTS_TIP_ALERT_THRESHOLD": "0.70"}):
        result = runner.invoke(app, ["screen", "--wanted", str(wanted), "--events", str(events), "--out", str(out),
                                     "--no-progress"], env=env)
        assert result.exit_code == 0, result.output
        bands[bool(env)] = {json.loads(x)["event_id"]: json.loads(x)["band"] for x in out.read_text().splitlines()}
    assert bands[True]["tip-1"] == "alert"
    assert bands[False].get("tip-1") != "alert"
    assert bands[True].get("bc-1") == bands[False].get("bc-1")
