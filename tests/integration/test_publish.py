"""``publish --rate N`` against the real broker: every event arrives, in file order, never ahead of the rate."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from fugitive_alerts.produce import publish_events
from schemas import Settings, topics
from tests import factories as f

from .kafka_helpers import read_all


def test_a_paced_publish_sends_every_event_in_file_order_and_never_ahead_of_the_rate(
        settings_factory: Callable[..., Settings], tmp_path: Path) -> None:
    settings = settings_factory(smtp=False, twilio=False)
    ids = [f"bc-paced-{i:02d}" for i in range(12)]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(f.border_crossing(f.traveler("KAMAU", "PETER"), event_id=i)) + "\n"
                            for i in ids))
    rate = 40.0

    report = asyncio.run(publish_events(settings, path, rate=rate))

    assert report.sent == len(ids) and not report.bad
    assert [r.key for r in read_all(settings, topics.BORDER_CROSSINGS)] == [i.encode() for i in ids]
    sent = [report.sent_at[i] for i in ids]
    # Never ahead of the schedule: event n goes no earlier than n / rate after the first (a lower
    # bound only, so a slow machine cannot fail it; without pacing the 12 events go in a few ms).
    for n, at in enumerate(sent):
        assert at - sent[0] >= n / rate - 0.005, f"event {n} went {n / rate - (at - sent[0]):.3f}s early"
