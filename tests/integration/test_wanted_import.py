"""``wanted import`` against the real broker: upserts, and --full-snapshot withdrawals by source."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from schemas import Settings, topics
from tests import factories as f

from .kafka_helpers import produce_json, read_until

CSV_MAP = "notice_id=Ref,family=Surname,given=Forename,birth_date=Born"


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fugitive_alerts", "wanted", "import", *args],
        env={**settings.to_env(), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _latest(settings: Settings, count: int) -> dict[str, dict[str, Any] | None]:
    """notice_id -> its last value on wanted.notices (None: tombstone), once ``count`` records are there."""
    records = read_until(settings, topics.WANTED, lambda rs: len(rs) >= count, 60.0)
    return {r.key.decode(): (json.loads(r.value) if r.value is not None else None) for r in records if r.key}


def test_full_snapshot_withdraws_only_absent_notices_of_the_same_source(
    settings_factory: Any, tmp_path: Path
) -> None:
    settings: Settings = settings_factory(smtp=False, twilio=False)
    before = [
        {**f.notice("Haverbrook", "Ansel", notice_id="NAT-1"), "source": "csv:national"},
        {**f.notice("Pennywhistle", "Clement", notice_id="NAT-2"), "source": "csv:national"},
        {**f.notice("Osgoodby", "Thaddeus", notice_id="2026/82001"), "source": "interpol"},
        f.notice("Ravenscroftly", "Ebba", notice_id="LEGACY-1"),  # no source
    ]
    produce_json(settings, topics.WANTED, before, "notice_id")
    snapshot = tmp_path / "national.csv"
    snapshot.write_text(
        "Ref,Surname,Forename,Born\nNAT-1,Haverbrook,Ansel,1970-01-02\nNAT-3,Quennell,Hesper,1988\n"
    )

    dry = _cli(
        settings,
        "--format",
        "csv",
        "--map",
        CSV_MAP,
        "--source",
        "csv:national",
        "--full-snapshot",
        "--dry-run",
        str(snapshot),
    )
    assert dry.returncode == 0, dry.stderr
    assert "would withdraw        1" in dry.stdout and "would withdraw: NAT-2" in dry.stdout

    done = _cli(
        settings,
        "--format",
        "csv",
        "--map",
        CSV_MAP,
        "--source",
        "csv:national",
        "--full-snapshot",
        str(snapshot),
    )
    assert done.returncode == 0, done.stderr
    assert "withdrawn             1" in done.stdout and "sent                  2" in done.stdout

    latest = _latest(
        settings, len(before) + 3
    )  # two upserts and one tombstone after the dry run sent nothing
    assert latest["NAT-2"] is None, "absent from its own source's snapshot: withdrawn"
    assert latest["NAT-1"] is not None and latest["NAT-1"]["birth_dates"] == ["1970-01-02"]
    assert latest["NAT-3"] is not None and latest["NAT-3"]["source"] == "csv:national"
    assert latest["2026/82001"] is not None and latest["LEGACY-1"] is not None, (
        "other sources are never touched"
    )


def test_import_without_snapshot_withdraws_nothing_and_reports_rejections(settings_factory: Any) -> None:
    settings: Settings = settings_factory(smtp=False, twilio=False)
    produce_json(
        settings,
        topics.WANTED,
        [{**f.notice("Fennimore", "Idris", notice_id="2025/90009"), "source": "interpol"}],
        "notice_id",
    )
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "wanted" / "interpol_list.json"
    result = _cli(settings, "--format", "interpol", str(fixture))
    assert result.returncode == 2  # two notices of the fixture are rejected
    assert "sent                  2" in result.stdout and "notice 4: no entity_id" in result.stdout
    latest = _latest(settings, 3)
    assert latest["2025/90009"] is not None
    assert latest["2025/90001"] is not None and latest["2025/90001"]["source"] == "interpol"
