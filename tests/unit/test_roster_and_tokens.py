"""Duty rosters across time zones and DST, signed ack links, per-recipient rate limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerting import (
    InvalidToken,
    RateLimiter,
    critical_recipients,
    escalation_chain,
    on_duty,
    sign_ack,
    staffed,
    verify_ack,
)
from alerting.tokens import AckClaim
from schemas import Bureau


def _bureau(tz: str, **extra: object) -> Bureau:
    return Bureau.model_validate({
        "id": "ncb-x", "name": "NCB", "country": "FR", "timezone": tz,
        "officers": [{"id": "day", "name": "D"}, {"id": "night", "name": "N"}, {"id": "oncall", "name": "O"},
                     {"id": "super", "name": "S"}, {"id": "head", "name": "H"}],
        "roster": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00", "officers": ["day"]},
                   {"days": ["fri"], "start": "22:00", "end": "06:00", "officers": ["night"]}],
        "on_call": ["oncall"], "escalation": ["super"], "head": "head", **extra,
    })


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_shift_is_in_the_bureaus_own_time_zone() -> None:
    paris, tokyo = _bureau("Europe/Paris"), _bureau("Asia/Tokyo")
    # Wednesday 2026-01-14 07:30 UTC is 08:30 in Paris (on shift) and 16:30 in Tokyo (on shift).
    assert [o.id for o in on_duty(paris, utc(2026, 1, 14, 7, 30))] == ["day"]
    # 10:00 UTC is 11:00 in Paris but 19:00 in Tokyo: Tokyo is outside staffed hours.
    assert [o.id for o in on_duty(paris, utc(2026, 1, 14, 10))] == ["day"]
    assert on_duty(tokyo, utc(2026, 1, 14, 10)) == [] and not staffed(tokyo, utc(2026, 1, 14, 10))


def test_outside_staffed_hours_critical_alerts_go_to_the_on_call_officer() -> None:
    paris = _bureau("Europe/Paris")
    assert [o.id for o in critical_recipients(paris, utc(2026, 1, 14, 20))] == ["oncall"]  # Wed 21:00 Paris


def test_overnight_shift_runs_past_midnight_into_the_next_day() -> None:
    paris = _bureau("Europe/Paris")
    assert [o.id for o in on_duty(paris, utc(2026, 1, 16, 22))] == ["night"]  # Fri 23:00 Paris
    assert [o.id for o in on_duty(paris, utc(2026, 1, 17, 4))] == ["night"]  # Sat 05:00 Paris
    assert on_duty(paris, utc(2026, 1, 17, 6)) == []  # Sat 07:00 Paris: shift over


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # Paris goes from UTC+1 to UTC+2 on Sunday 2026-03-29; Monday 30 March 06:30 UTC is 08:30 local.
        (utc(2026, 3, 30, 6, 30), ["day"]),
        # The Monday before, 06:30 UTC was only 07:30 local: not yet on shift.
        (utc(2026, 3, 23, 6, 30), []),
        # Back to UTC+1 on Sunday 2026-10-25: Monday 26 October 07:30 UTC is 08:30 local.
        (utc(2026, 10, 26, 7, 30), ["day"]),
        (utc(2026, 10, 26, 6, 30), []),
    ],
)
def test_shift_follows_daylight_saving_changes(instant: datetime, expected: list[str]) -> None:
    assert [o.id for o in on_duty(_bureau("Europe/Paris"), instant)] == expected


def test_without_a_roster_the_duty_officers_are_always_on() -> None:
    bureau = Bureau.model_validate({"id": "b", "name": "B", "officers": [
        {"id": "a", "name": "A", "role": "analyst"}, {"id": "d", "name": "D"}]})
    assert [o.id for o in on_duty(bureau, utc(2026, 1, 1, 3))] == ["d"]


def test_escalation_chain_ends_with_the_head() -> None:
    assert [o.id for o in escalation_chain(_bureau("UTC"))] == ["super", "head"]


def test_roster_naming_an_unknown_officer_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown officers"):
        _bureau("UTC", on_call=["ghost"])


SECRET = b"k" * 32


def test_ack_token_round_trip_and_tampering() -> None:
    token = sign_ack(SECRET, AckClaim("A-0123456789", "ncb-ke", "ke-duty", 2_000_000_000))
    claim = verify_ack(SECRET, token, now=1_900_000_000)
    assert (claim.alert_id, claim.bureau_id, claim.officer_id) == ("A-0123456789", "ncb-ke", "ke-duty")
    with pytest.raises(InvalidToken, match="not valid"):
        verify_ack(b"another-secret", token, now=1_900_000_000)
    _payload, mac = token.split(".")
    forged = sign_ack(SECRET, AckClaim("A-FFFFFFFFFF", "ncb-ke", "ke-duty", 2_000_000_000)).split(".")[0]
    with pytest.raises(InvalidToken):
        verify_ack(SECRET, f"{forged}.{mac}", now=1_900_000_000)
    with pytest.raises(InvalidToken, match="expired"):
        verify_ack(SECRET, token, now=2_000_000_001)
    with pytest.raises(InvalidToken):
        verify_ack(SECRET, "garbage", now=0)


def test_rate_limit_is_a_sliding_window_per_recipient() -> None:
    limiter = RateLimiter(limit=2, window=60)
    for t in (0.0, 10.0):
        assert limiter.allow("ke-duty", t)
        limiter.record("ke-duty", t)
    assert not limiter.allow("ke-duty", 30.0)
    assert limiter.allow("rw-duty", 30.0)
    assert limiter.allow("ke-duty", 60.5)  # the first send has left the window
