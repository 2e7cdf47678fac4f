"""The escalation state machine (``alerting.escalation``), without Kafka: examples, then properties
over any sequence of ticks, step completions, acks, withdrawals and restarts (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from alerting import Save, Send, escalation
from alerting.escalation import Ack, Start, State, StepSent, StoodDown, Tick, Withdraw
from schemas import Alert, BureauDirectory, Delivery, StoredEscalation
from tests import factories as f

from .alert_factory import TRAVELER, make_alert

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
TIMEOUTS = {"critical": timedelta(minutes=5), "high": timedelta(hours=4), "normal": None}
DIRECTORY = BureauDirectory.model_validate({"bureaus": [
    {"id": "ncb-ke", "name": "NCB Nairobi", "country": "KE", "officers": [
        {"id": "ke-duty", "name": "D", "phone": "+254712345678", "email": "duty@ke.example"},
        {"id": "ke-super", "name": "S", "phone": "+254712345679", "email": "super@ke.example", "role": "supervisor"},
        {"id": "ke-head", "name": "H", "email": "head@ke.example", "role": "head"}],
     "escalation": ["ke-super"], "head": "ke-head"},
    {"id": "ncb-rw", "name": "NCB Kigali", "country": "RW", "officers": [
        {"id": "rw-duty", "name": "D", "email": "duty@rw.example"}]},
]})
ALERT = make_alert(f.border_crossing(TRAVELER, country="KE"))
CHAIN = {"ncb-ke": 2, "ncb-rw": 0}
"""Escalation steps each bureau of DIRECTORY has: KE supervisor then head; RW none."""


def started(alert: Alert = ALERT) -> State:
    state, actions = escalation.step(State(), Start(alert, ("ncb-ke", "ncb-rw"), TIMEOUTS), T0)
    assert actions == [Save(state.record)] if state.record else actions == []
    return state


def record(state: State) -> StoredEscalation:
    assert state.record is not None
    return state.record


def sends(actions: list[object]) -> list[Send]:
    return [a for a in actions if isinstance(a, Send)]


def targets(send: Send) -> set[tuple[str, str]]:
    return {(r.officer.id, r.channel) for r in send.recipients}


def delivery(officer: str, bureau: str, channel: str, status: str = "sent", kind: str = "alert") -> Delivery:
    return Delivery(key=f"{ALERT.alert_id}/{bureau}.{officer}/{channel}", alert_id=ALERT.alert_id, bureau_id=bureau,
                    recipient=officer, channel=channel, status=status, kind=kind, at=T0)  # type: ignore[arg-type]


def test_start_sets_every_bureau_due_after_the_urgencys_timeout_once() -> None:
    state = started()
    assert {b: (s.level, s.state, s.due_at) for b, s in record(state).bureaus.items()} == {
        "ncb-ke": (0, "pending", T0 + timedelta(minutes=5)), "ncb-rw": (0, "pending", T0 + timedelta(minutes=5))}
    again, actions = escalation.step(state, Start(ALERT, ("ncb-ke",), TIMEOUTS), T0 + timedelta(minutes=1))
    assert again == state and actions == [], "a replayed alert keeps its timers"


def test_no_escalation_for_a_review_hit_or_an_urgency_that_never_escalates() -> None:
    review = ALERT.model_copy(update={"band": "review"})
    assert escalation.step(State(), Start(review, ("ncb-ke",), TIMEOUTS), T0) == (State(), [])
    never = ALERT.model_copy(update={"urgency": "normal"})
    assert escalation.step(State(), Start(never, ("ncb-ke",), TIMEOUTS), T0) == (State(), [])
    assert escalation.step(State(), Start(ALERT, (), TIMEOUTS), T0) == (State(), [])


def test_the_chain_is_climbed_step_by_step_then_exhausted() -> None:
    state = started()
    assert escalation.step(state, Tick(DIRECTORY, TIMEOUTS), T0 + timedelta(minutes=4)) == (state, [])
    t1 = T0 + timedelta(minutes=5)
    state, actions = escalation.step(state, Tick(DIRECTORY, TIMEOUTS), t1)
    [step1] = sends(actions)
    assert (step1.kind, step1.level, targets(step1)) == ("escalation", 1, {("ke-super", "sms"), ("ke-super", "email")})
    assert record(state).bureaus["ncb-rw"].state == "exhausted", "RW has no chain: exhausted without a message"
    assert [a for a in actions if isinstance(a, Save)] == [Save(record(state))]
    assert escalation.step(state, Tick(DIRECTORY, TIMEOUTS), t1 + timedelta(seconds=1))[1] == [], \
        "a step being sent is not started again"
    assert step1.then == StepSent("ncb-ke", 1, t1 + timedelta(minutes=5))
    state, actions = escalation.step(state, step1.then, t1 + timedelta(seconds=2))
    assert actions == [Save(record(state))] and record(state).bureaus["ncb-ke"].level == 1
    t2 = t1 + timedelta(minutes=5)
    state, actions = escalation.step(state, Tick(DIRECTORY, TIMEOUTS), t2)
    [step2] = sends(actions)
    assert (step2.level, targets(step2)) == (2, {("ke-head", "email")})
    assert step2.then == StepSent("ncb-ke", 2, None)
    state, _ = escalation.step(state, step2.then, t2)
    ke = record(state).bureaus["ncb-ke"]
    assert (ke.level, ke.state, ke.due_at) == (2, "exhausted", None)
    assert escalation.step(state, Tick(DIRECTORY, TIMEOUTS), t2 + timedelta(hours=1))[1] == []


def test_a_bureau_gone_from_the_directory_is_exhausted_without_a_message() -> None:
    state = started()
    empty = BureauDirectory.model_construct(bureaus=[])  # as the dispatcher builds it from an empty topic
    state, actions = escalation.step(state, Tick(empty, TIMEOUTS), T0 + timedelta(minutes=5))
    assert sends(actions) == [] and {s.state for s in record(state).bureaus.values()} == {"exhausted"}


def test_an_ack_while_a_step_is_being_sent_keeps_the_bureau_acked() -> None:
    state, actions = escalation.step(started(), Tick(DIRECTORY, TIMEOUTS), T0 + timedelta(minutes=5))
    [step1] = sends(actions)
    state, actions = escalation.step(state, Ack("ncb-ke", "ke-duty", T0 + timedelta(minutes=6)), T0)
    assert actions == [Save(record(state))]
    ke = record(state).bureaus["ncb-ke"]
    assert (ke.state, ke.acked_by, ke.due_at, ke.level) == ("acked", "ke-duty", None, 0)
    assert isinstance(step1.then, StepSent)
    after, actions = escalation.step(state, step1.then, T0 + timedelta(minutes=7))
    assert actions == [] and record(after).bureaus["ncb-ke"] == ke
    assert escalation.step(after, Ack("ncb-ke", "ke-super", T0), T0)[1] == [], "a second ack changes nothing"
    assert escalation.step(after, Ack("ncb-xx", "x", T0), T0)[1] == [], "an ack for a bureau never alerted"


def test_withdrawal_stands_down_everyone_told_once_then_cancels() -> None:
    state = started()
    state, _ = escalation.step(state, Ack("ncb-rw", "rw-duty", T0), T0)
    told = [delivery("ke-duty", "ncb-ke", "sms"), delivery("ke-duty", "ncb-ke", "email", status="delivered"),
            delivery("rw-duty", "ncb-rw", "email"),
            delivery("ke-super", "ncb-ke", "sms", status="failed"),  # never reached: not told
            delivery("ke-duty", "ncb-ke", "email", kind="withdrawn")]  # a stand-down is not an alert
    state, actions = escalation.step(state, Withdraw(DIRECTORY, told), T0 + timedelta(minutes=1))
    [stand_down] = sends(actions)
    assert stand_down.kind == "withdrawn" and stand_down.then == StoodDown()
    assert targets(stand_down) == {("ke-duty", "sms"), ("ke-duty", "email"), ("rw-duty", "email")}
    assert escalation.step(state, Withdraw(DIRECTORY, told), T0)[1] == [], "a second tombstone meanwhile"
    assert escalation.step(state, Tick(DIRECTORY, TIMEOUTS), T0 + timedelta(hours=1))[1] == []
    state, actions = escalation.step(state, StoodDown(), T0 + timedelta(minutes=2))
    assert actions == [Save(record(state))]
    assert {b: s.state for b, s in record(state).bureaus.items()} == {"ncb-ke": "cancelled", "ncb-rw": "acked"}
    assert escalation.step(state, Withdraw(DIRECTORY, told), T0)[1] == [], "withdrawn again, later"


def test_events_for_an_alert_without_escalation_do_nothing() -> None:
    for event in (Tick(DIRECTORY, TIMEOUTS), Ack("ncb-ke", "x", T0), Withdraw(DIRECTORY), StoodDown(),
                  StepSent("ncb-ke", 1, None)):
        assert escalation.step(State(), event, T0) == (State(), [])


# -- properties ----------------------------------------------------------------------------------

Command = tuple[str, int]
COMMANDS = st.one_of(
    st.tuples(st.just("tick"), st.integers(0, 12)),  # minutes pass, then a tick
    st.tuples(st.just("complete"), st.integers(0, 10)),  # one of the sends in flight finishes
    st.tuples(st.just("ack"), st.integers(0, 2)),  # ncb-ke, ncb-rw, or a bureau never alerted
    st.tuples(st.just("withdraw"), st.just(0)),
    st.tuples(st.just("restart"), st.just(0)),  # a crash: in-flight sends are lost, the saved record remains
)
BUREAUS = ("ncb-ke", "ncb-rw", "ncb-xx")


@dataclass
class Run:
    """Drives the machine like the dispatcher does, and keeps what it did."""

    now: datetime = T0
    state: State = field(default_factory=started)
    saved: StoredEscalation | None = None
    in_flight: list[Send] = field(default_factory=list)
    sent: list[tuple[int, Send]] = field(default_factory=list)
    """(epoch, send): the epoch counts restarts."""
    acked_at: dict[str, int] = field(default_factory=dict)
    """bureau -> index in ``sent`` when its ack took effect."""
    epoch: int = 0
    withdrawn: bool = False
    open_when_withdrawn: bool = False

    def __post_init__(self) -> None:
        self.saved = self.state.record

    def feed(self, event: escalation.Event) -> list[object]:
        self.state, actions = escalation.step(self.state, event, self.now)
        for action in actions:
            if isinstance(action, Save):
                self.saved = action.record
            elif isinstance(action, Send):
                self.in_flight.append(action)
                self.sent.append((self.epoch, action))
        return list(actions)

    def do(self, command: Command) -> None:
        name, arg = command
        if name == "tick":
            self.now += timedelta(minutes=arg)
            self.feed(Tick(DIRECTORY, TIMEOUTS))
        elif name == "complete" and self.in_flight:
            send = self.in_flight.pop(arg % len(self.in_flight))
            assert isinstance(send.then, StepSent | StoodDown)
            self.feed(send.then)
        elif name == "ack":
            if self.feed(Ack(BUREAUS[arg], "someone", self.now)):
                self.acked_at[BUREAUS[arg]] = len(self.sent)
        elif name == "withdraw":
            if not self.withdrawn:
                self.open_when_withdrawn = any(s.state in ("pending", "exhausted")
                                               for s in record(self.state).bureaus.values())
            self.withdrawn = True
            self.feed(Withdraw(DIRECTORY, [delivery("ke-duty", "ncb-ke", "sms")]))
        elif name == "restart":
            self.epoch += 1
            self.in_flight.clear()
            self.state = State(record=reloaded(self.saved))


def reloaded(saved: StoredEscalation | None) -> StoredEscalation | None:
    """The record as a restarted dispatcher reads it back from ``alerts.escalations`` (JSON)."""
    if saved is None:
        return None
    back = StoredEscalation.model_validate_json(saved.model_dump_json())
    assert back == saved, "the record survives the trip through Kafka unchanged"
    return back


def _escalations(run: Run, bureau: str) -> list[tuple[int, int]]:
    return [(epoch, s.level) for epoch, s in run.sent
            if s.kind == "escalation" and s.recipients and s.recipients[0].bureau.id == bureau]


@settings(max_examples=400, deadline=None)
@given(st.lists(COMMANDS, max_size=40))
def test_steps_never_skip_and_repeat_only_after_a_restart(commands: list[Command]) -> None:
    run = Run()
    for command in commands:
        run.do(command)
    for bureau in ("ncb-ke", "ncb-rw"):
        steps = _escalations(run, bureau)
        levels = sorted({level for _, level in steps})
        assert levels == list(range(1, len(levels) + 1)) and len(levels) <= CHAIN[bureau], "no step is skipped"
        for (e1, l1), (e2, l2) in pairwise(steps):
            assert l2 == l1 + 1 or (l2 == l1 and e2 > e1), "a step repeats only when a restart lost its outcome"
        level = record(run.state).bureaus[bureau].level
        assert level <= len(levels), "the recorded level was sent first"


@settings(max_examples=400, deadline=None)
@given(st.lists(COMMANDS, max_size=40))
def test_an_ack_stops_every_further_step_of_its_bureau(commands: list[Command]) -> None:
    run = Run()
    for command in commands:
        run.do(command)
    for bureau, index in run.acked_at.items():
        later = [s for _, s in run.sent[index:] if s.kind == "escalation" and s.recipients
                 and s.recipients[0].bureau.id == bureau]
        assert later == [], f"{bureau} was escalated after it acknowledged"
        assert record(run.state).bureaus[bureau].state == "acked"


@settings(max_examples=400, deadline=None)
@given(st.lists(COMMANDS.filter(lambda c: c[0] != "restart"), max_size=40))
def test_a_withdrawal_stands_down_exactly_once_and_stops_escalation(commands: list[Command]) -> None:
    run = Run()
    for command in commands:
        run.do(command)
    while run.in_flight:  # let every send finish
        run.do(("complete", 0))
    stand_downs = [s for _, s in run.sent if s.kind == "withdrawn"]
    assert len(stand_downs) == (1 if run.open_when_withdrawn else 0)
    if run.withdrawn:
        assert {s.state for s in record(run.state).bureaus.values()} <= {"acked", "cancelled"}
        before = len(run.sent)
        run.do(("tick", 60))
        assert len(run.sent) == before, "nothing escalates after a withdrawal"


@settings(max_examples=400, deadline=None)
@given(st.lists(COMMANDS, max_size=40), st.integers(0, 12))
def test_restart_from_the_saved_record_takes_the_same_next_steps(commands: list[Command], minutes: int) -> None:
    run = Run()
    for command in commands:
        run.do(command)
    restored = State(record=reloaded(run.saved))
    if not run.in_flight:
        assert run.state == restored, "with nothing in flight, every change has been saved"
    later = run.now + timedelta(minutes=minutes)
    _, live = escalation.step(run.state, Tick(DIRECTORY, TIMEOUTS), later)
    _, replayed = escalation.step(restored, Tick(DIRECTORY, TIMEOUTS), later)
    replayed_steps = {(s.recipients[0].bureau.id, s.level) for s in sends(replayed) if s.recipients}
    live_steps = {(s.recipients[0].bureau.id, s.level) for s in sends(live) if s.recipients}
    pending = {b for b, s in record(run.state).bureaus.items() if s.state == "pending"}
    lost = {(s.recipients[0].bureau.id, s.level) for s in run.in_flight
            if s.kind == "escalation" and s.recipients and s.recipients[0].bureau.id in pending}
    if not run.state.standing_down:
        assert replayed_steps == live_steps | lost, \
            "a restart takes the same steps, and replays those whose outcome was lost"
