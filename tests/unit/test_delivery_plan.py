"""The rest of delivery's pure code, without Kafka: "seen again" (``alerting.dedup``), the plan for a
new alert, the rate limits fed from the delivery log, ``compose``, and Twilio's base URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from alerting import (
    ComposeConfig,
    DeliveryLimits,
    OutgoingEmail,
    OutgoingSms,
    Recipient,
    compose,
    dedup,
    message_id_for,
    plan_alert,
    verify_ack,
)
from alerting.sms import rewrite_url
from schemas import Delivery, DeliveryIntent, Settings
from tests import factories as f

from .alert_factory import TRAVELER, make_alert
from .test_escalation import DIRECTORY, TIMEOUTS

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
WINDOW = timedelta(hours=6)
FIRST = make_alert(f.border_crossing(TRAVELER, country="KE", post="NBO-1"))
AGAIN = make_alert(f.border_crossing(TRAVELER, country="KE", post="NBO-1"))
ELSEWHERE = make_alert(f.border_crossing(TRAVELER, country="KE", post="MBA-2"))


def test_first_sighting_is_recorded_and_is_a_new_alert() -> None:
    state, verdict = dedup.step(None, dedup.Seen(FIRST, WINDOW), T0)
    assert verdict.original is None and state is not None and verdict.record is not None
    assert (state.alert_id, state.place, state.count) == (FIRST.alert_id, "NBO-1", 1)
    assert verdict.record.key == dedup.sighting_key(FIRST) == f"{FIRST.notice_id}|KE|NBO-1"


def test_same_person_same_place_within_the_window_is_seen_again_and_the_window_slides() -> None:
    first, _ = dedup.step(None, dedup.Seen(FIRST, WINDOW), T0)
    later = T0 + WINDOW - timedelta(minutes=1)
    state, verdict = dedup.step(first, dedup.Seen(AGAIN, WINDOW), later)
    assert verdict.original == FIRST.alert_id and state is not None
    assert (state.alert_id, state.count, state.last_seen, state.first_seen) == (FIRST.alert_id, 2, later, T0)
    _, verdict = dedup.step(state, dedup.Seen(AGAIN, WINDOW), later + WINDOW)
    assert verdict.original == FIRST.alert_id, "measured from the last sighting, not the first"


def test_after_the_window_a_sighting_is_a_new_alert_and_a_replay_is_not_a_repeat() -> None:
    first, _ = dedup.step(None, dedup.Seen(FIRST, WINDOW), T0)
    state, verdict = dedup.step(first, dedup.Seen(AGAIN, WINDOW), T0 + WINDOW + timedelta(seconds=1))
    assert verdict.original is None and state is not None and state.alert_id == AGAIN.alert_id
    assert dedup.step(first, dedup.Seen(FIRST, WINDOW), T0 + timedelta(minutes=1)) == (first, dedup.Verdict(None, None))


def test_other_places_and_review_hits_are_never_deduplicated() -> None:
    assert dedup.sighting_key(ELSEWHERE) != dedup.sighting_key(FIRST)
    review = FIRST.model_copy(update={"band": "review"})
    assert dedup.sighting_key(review) is None
    assert dedup.step(None, dedup.Seen(review, WINDOW), T0) == (None, dedup.Verdict(None, None))


def test_plan_a_new_alert_starts_escalation_and_reaches_everyone_routed() -> None:
    plan = plan_alert(FIRST, directory=DIRECTORY, notice_active=True, sighting=None, window=WINDOW,
                      timeouts=TIMEOUTS, now=T0)
    assert plan.send is not None and plan.send.kind == "alert" and plan.original is None
    assert {(r.officer.id, r.channel) for r in plan.send.recipients} == {
        ("ke-duty", "sms"), ("ke-duty", "email"), ("rw-duty", "email")}
    assert plan.start is not None and plan.start.bureau_ids == ("ncb-ke", "ncb-rw")
    assert plan.sighting is not None and plan.sighting.sighting.alert_id == FIRST.alert_id


def test_plan_a_repeat_is_seen_again_without_escalation_and_a_withdrawn_notice_is_nothing() -> None:
    first, _ = dedup.step(None, dedup.Seen(FIRST, WINDOW), T0)
    plan = plan_alert(AGAIN, directory=DIRECTORY, notice_active=True, sighting=first, window=WINDOW,
                      timeouts=TIMEOUTS, now=T0 + timedelta(minutes=5))
    assert plan.send is not None and plan.send.kind == "seen_again" and plan.original == FIRST.alert_id
    assert plan.start is None
    gone = plan_alert(FIRST, directory=DIRECTORY, notice_active=False, sighting=None, window=WINDOW,
                      timeouts=TIMEOUTS, now=T0)
    assert gone.withdrawn and gone.send is None and gone.start is None and gone.sighting is None


def _limits(sms: int = 2) -> DeliveryLimits:
    return DeliveryLimits(Settings(rate_limit_sms=sms, rate_limit_email=5, rate_limit_window_minutes=60))


def _sent(n: int, at: datetime, *, kind: str = "alert", status: str = "sent") -> Delivery:
    return Delivery(key=f"A-{n:010d}/ncb-ke.ke-duty/sms", alert_id=f"A-{n:010d}", bureau_id="ncb-ke",
                    recipient="ke-duty", channel="sms", status=status, kind=kind, at=at)  # type: ignore[arg-type]


def test_rate_limit_filled_from_the_delivery_log_holds_after_a_restart() -> None:
    log = [_sent(1, T0), _sent(2, T0 + timedelta(minutes=1))]
    limits = _limits()
    assert limits.refusal("ke-duty", "sms", "alert", T0.timestamp() + 120) is None, "nothing counted yet"
    assert limits.count(log) == 2
    assert limits.count(log) == 0, "a delivery read twice (a reassignment) counts once"
    assert limits.refusal("ke-duty", "sms", "alert", T0.timestamp() + 120) == "rate limited: over 2 per 60 min"
    assert limits.refusal("ke-duty", "sms", "escalation", T0.timestamp() + 120) is None, "escalations are exempt"
    assert limits.refusal("ke-duty", "email", "alert", T0.timestamp() + 120) is None, "per channel"
    assert limits.refusal("ke-duty", "sms", "alert", (T0 + timedelta(minutes=61)).timestamp()) is None


def test_failed_skipped_and_exempt_deliveries_do_not_count() -> None:
    limits = _limits(sms=1)
    assert limits.count([_sent(1, T0, status="failed"), _sent(2, T0, status="skipped"),
                         _sent(3, T0, kind="escalation"), _sent(4, T0, kind="withdrawn")]) == 0
    assert limits.refusal("ke-duty", "sms", "alert", T0.timestamp()) is None


CONFIG = ComposeConfig("http://127.0.0.1:8070", b"k" * 32, 72.0, "alerts@x.example")
KE = DIRECTORY.get("ncb-ke")


def test_compose_an_sms_names_its_delivery_key_in_the_status_callback_and_no_person() -> None:
    assert KE is not None
    duty = KE.officer("ke-duty")
    assert duty is not None
    sms = compose(FIRST, Recipient(KE, duty, "sms", "event country"), config=CONFIG, now=T0.timestamp())
    assert isinstance(sms, OutgoingSms) and sms.to == "+254712345678"
    assert sms.key == f"{FIRST.alert_id}/ncb-ke.ke-duty/sms"
    assert sms.status_callback == f"http://127.0.0.1:8070/twilio/status?key={FIRST.alert_id}%2Fncb-ke.ke-duty%2Fsms"
    assert FIRST.alert_id in sms.body and "MBARUSHIMANZI" not in sms.body and "RW7000001" not in sms.body


def test_compose_an_email_with_a_stable_message_id_and_a_signed_link_for_the_original_alert() -> None:
    assert KE is not None
    duty = KE.officer("ke-duty")
    assert duty is not None
    to = Recipient(KE, duty, "email", "event country")
    email = compose(AGAIN, to, config=CONFIG, now=T0.timestamp(), kind="seen_again", original=FIRST.alert_id)
    assert isinstance(email, OutgoingEmail)
    key = f"{AGAIN.alert_id}/ncb-ke.ke-duty.seen_again/email"
    assert email.message_id == message_id_for(key) == str(email.parsed()["Message-ID"])
    again = compose(AGAIN, to, config=CONFIG, now=T0.timestamp() + 60, kind="seen_again", original=FIRST.alert_id)
    assert isinstance(again, OutgoingEmail) and again.message_id == email.message_id, "a resend keeps its id"
    body = email.parsed().get_body(("plain",))
    assert body is not None
    token = body.get_content().split("/ack/")[1].split()[0]
    claim = verify_ack(CONFIG.ack_secret, token, T0.timestamp())
    assert (claim.alert_id, claim.bureau_id, claim.officer_id) == (FIRST.alert_id, "ncb-ke", "ke-duty")


@settings(max_examples=50, deadline=None)
@given(st.from_regex(r"/2010-04-01/Accounts/AC[0-9a-f]{32}/Messages(\.json)?", fullmatch=True),
       st.sampled_from(["", "?PageSize=50", "?To=%2B254712345678&DateSent=2026-11-28"]))
def test_twilio_requests_go_to_the_configured_base_url_and_nowhere_else(path: str, query: str) -> None:
    mock = "http://127.0.0.1:4010/"
    assert rewrite_url(mock, f"https://api.twilio.com{path}{query}") == f"http://127.0.0.1:4010{path}{query}"
    assert rewrite_url(mock, f"https://other.example{path}") == f"https://other.example{path}"
    assert rewrite_url("https://api.twilio.com", f"https://api.twilio.com{path}{query}") == \
        f"https://api.twilio.com{path}{query}"


@settings(max_examples=100, deadline=None)
@given(st.builds(DeliveryIntent, key=st.text(max_size=80), alert_id=st.text(max_size=20),
                 bureau_id=st.text(max_size=20), recipient=st.text(max_size=20),
                 channel=st.sampled_from(["sms", "email"]),
                 kind=st.sampled_from(["alert", "escalation", "seen_again", "withdrawn"]),
                 level=st.integers(0, 9), at=st.datetimes(datetime(1970, 1, 2), datetime(2199, 12, 31),
                                                          timezones=st.just(UTC))))
def test_a_delivery_intent_survives_the_trip_through_kafka(intent: DeliveryIntent) -> None:
    assert DeliveryIntent.model_validate_json(intent.model_dump_json()) == intent
