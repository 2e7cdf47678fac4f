"""Every screened border crossing and visa application is answered on responses.<agency> (issue 9)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from schemas import Settings, alert_id_for, response_topic, topics
from tests import factories as f

from .kafka_helpers import produce_json, read_until, values
from .world import KNOWN

pytestmark = pytest.mark.integration

AGENCY = "ke-immigration"


def _responses(settings: Settings, *event_ids: str) -> dict[str, dict[str, Any]]:
    wanted = set(event_ids)
    records = read_until(settings, response_topic(AGENCY),
                         lambda rs: wanted <= {r.key.decode() for r in rs if r.key}, 90.0)
    return {v["event_id"]: v for v in values(records) if v["event_id"] in wanted}


def test_hit_no_hit_and_review_are_answered_to_the_agency(pipeline: Settings) -> None:
    hit = f.border_crossing(f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob="1951-03-01", nationality="RW",
                                       passport="RW7000001"))
    innocent = f.border_crossing(f.traveler("OKAFOR", "GRACE", dob="1990-02-02", sex="F", nationality="NG",
                                            passport="NG1234567"))
    # The right name but another nationality, no birth date or document: a possible match, not an alert.
    review = f.border_crossing(f.traveler("MBARUSHIMANZI", "ATHANASIUS", nationality="FR"))
    produce_json(pipeline, topics.BORDER_CROSSINGS, [hit, innocent, review], "event_id")
    answers = _responses(pipeline, hit["event_id"], innocent["event_id"], review["event_id"])

    answer = answers[hit["event_id"]]
    assert answer["result"] == "hit" and answer["agency"] == AGENCY
    [h] = answer["hits"]
    assert h["alert_id"] == alert_id_for(hit["event_id"], KNOWN["notice_id"])
    assert h["notice_type"] == "red" and "Hold the traveller" in h["action"]
    assert h["call"]["id"] == "ncb-ke"
    # Nothing from the notice that the agency did not send: no names, dates or documents.
    text = json.dumps(answer)
    assert not f.leaked(text, "Mbarushimanzi", "1951", "RW7000001")

    assert answers[innocent["event_id"]]["result"] == "no_hit" and answers[innocent["event_id"]]["hits"] == []
    assert answers[review["event_id"]]["result"] == "review"
    assert answers[review["event_id"]]["hits"][0]["band"] == "review"


def test_publish_wait_response_prints_the_hit(pipeline: Settings, tmp_path: Path) -> None:
    event = f.border_crossing(f.traveler("MBARUSHIMANZI", "ATHANASIUS", dob="1951-03-01", nationality="RW",
                                         passport="RW7000001"))
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(event) + "\n")
    proc = subprocess.run([sys.executable, "-m", "fugitive_alerts", "publish", str(path), "--wait-response",
                           "--timeout", "60"], env={**_env(), **pipeline.to_env()}, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"HIT    {event['event_id']}" in proc.stdout
    assert alert_id_for(event["event_id"], KNOWN["notice_id"]) in proc.stdout


def test_wait_response_times_out_with_a_clear_message(pipeline: Settings, tmp_path: Path) -> None:
    """An agency nobody answers (no worker on these topics) gets exit 1 and what to check."""
    silent = pipeline.model_copy(update={"topic_prefix": pipeline.topic_prefix + "silent."})
    event = f.border_crossing(f.traveler("OKAFOR", "GRACE"))
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(event) + "\n")
    proc = subprocess.run([sys.executable, "-m", "fugitive_alerts", "publish", str(path), "--wait-response",
                           "--timeout", "2"], env={**_env(), **silent.to_env()}, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1
    assert "NO ANSWER" in proc.stdout and "Is a worker running" in proc.stdout
    assert "Traceback" not in proc.stderr


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)
