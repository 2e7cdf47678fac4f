"""Worker failover (issue 15): a killed worker's partitions are answered again within seconds.

Workers run as real processes (``fugitive-alerts worker``) against the session's broker; a border
desk (``answers.Desk``) publishes crossings and times each answer on ``responses.<agency>``. Each test
prints its figures and writes them to ``artifacts/failover-<scenario>.json``; docs/reliability.md
quotes them. Deadlines are derived from the settings and generous (the machine is shared); the
figures are what was measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from consumers import ensure_topics
from fugitive_alerts.local.services import Service, free_port, wait_for
from fugitive_alerts.produce import import_bureaus
from schemas import Settings, topics

from .answers import AGENCY, Desk, group_assignment
from .world import BUREAUS

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
START_ALLOWANCE = 60.0
"""Seconds a worker may take to start and answer its first event on this shared machine."""
REBALANCE_ALLOWANCE = 10.0
"""Seconds beyond the session timeout and a heartbeat for the survivor to rejoin, get the partitions
and answer (Faust's rebalance callbacks, a loaded machine)."""


def _report(scenario: str, figures: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"failover-{scenario}.json").write_text(json.dumps(figures, indent=2))
    print(f"\n{scenario}: {json.dumps(figures)}")


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., Service]]:
    """``make(settings, name, data_dir=name)``: a worker process with the default ``group.instance.id``
    of its data directory (workers sharing one get a slot each); all stopped after the test, their
    logs' tails printed."""
    made: list[Service] = []

    def make(settings: Settings, name: str, data_dir: str | None = None) -> Service:
        env = {**settings.to_env(), "FUGITIVE_ALERTS_DATA_DIR": str(tmp_path / (data_dir or name))}
        command = [sys.executable, "-m", "fugitive_alerts", "worker", "--web-port", str(free_port()), "--loglevel", "info"]
        service = Service(name, command, tmp_path, env=env)
        made.append(service)
        return service

    yield make
    for service in made:
        service.stop(30.0)
    for service in made:
        print(f"--- {service.name} log (end) ---\n" + service.log_path.read_text()[-2000:])


def _prepare(settings: Settings, tmp_path: Path) -> None:
    bureaus = tmp_path / "bureaus.yaml"
    bureaus.write_text(yaml.safe_dump(BUREAUS))
    asyncio.run(ensure_topics(settings, agencies=[AGENCY]))
    asyncio.run(import_bureaus(settings, bureaus))


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds ``pid`` has used so far (Linux ``/proc``), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def _answered(desk: Desk, ids: list[str], timeout: float, what: str, *workers: Service) -> float:
    """Wait until every event of ``ids`` is answered; fail early if a worker died. Returns when (monotonic)."""
    def died() -> str | None:
        dead = [w.name for w in workers if not w.is_running()]
        return f"worker {dead} exited" if dead else None

    try:
        wait_for(lambda: not desk.unanswered(ids), timeout, what, abort=died)
    except Exception as exc:  # name the events left unanswered, by id and partition (fictional ids, no person)
        left = set(desk.unanswered(ids))
        unanswered = sorted((s.partition, s.event_id) for s in desk.snapshot() if s.event_id in left)
        raise AssertionError(f"{exc}; unanswered (partition, event id): {unanswered}") from exc
    return time.monotonic()


def test_a_restarted_worker_answers_at_once_without_waiting_out_its_dead_session(
        settings_factory: Any, workers: Callable[..., Service], tmp_path: Path) -> None:
    """SIGKILL the worker, restart it: it answers again in the time it takes to start, far less than
    the session timeout its dead incarnation still holds (60 s here, so that a worker that waited for
    it could not pass). Static membership: the restarted member takes its own place, no rebalance."""
    settings = settings_factory(smtp=False, twilio=False, partitions=2, worker_session_timeout_seconds=60.0)
    _prepare(settings, tmp_path)
    worker = workers(settings, "worker")
    with Desk(settings, settings.partitions).running() as desk:
        worker.start()
        _answered(desk, desk.publish_round(), START_ALLOWANCE, "the worker to answer its first events", worker)

        worker.kill()
        wait_for(lambda: not worker.is_running(), 30, "the worker to die")
        while_dead = desk.publish_round()
        restarted = time.monotonic()
        worker.start()
        after_restart = desk.publish_round()
        deadline = settings.worker_session_timeout_seconds / 2
        _answered(desk, while_dead + after_restart, deadline,
                  f"the restarted worker to answer within half the session timeout ({deadline:g} s)", worker)
        cpu = _cpu_seconds(worker.pid)
        sent = {s.event_id: s for s in desk.snapshot()}
        first = min(sent[i].answered_at or 0.0 for i in while_dead + after_restart) - restarted
        last = max(sent[i].answered_at or 0.0 for i in while_dead + after_restart) - restarted
    _report("worker-restart", {
        "session_timeout_s": settings.worker_session_timeout_seconds, "partitions": settings.partitions,
        "first_answer_after_restart_s": round(first, 2), "all_answered_after_restart_s": round(last, 2),
        "worker_cpu_s_until_then": cpu and round(cpu, 2), "unanswered": 0, "load_average_1m": _load(),
    })
    assert last < deadline


@pytest.mark.parametrize("documents_check", [False, True], ids=["names", "names-and-documents"])
def test_a_survivor_takes_over_a_killed_workers_partitions_and_answers_every_event(
        settings_factory: Any, workers: Callable[..., Service], tmp_path: Path, documents_check: bool) -> None:
    """Two workers share four partitions under a steady stream; SIGKILL one. With the default session
    timeout and heartbeat, the survivor answers the dead worker's partitions within the session timeout
    plus a rebalance, and no event, published before or after the kill, is left unanswered.

    Without the document check the two run from one data directory, as ``fugitive-alerts worker &`` twice
    would: their default ids differ. With it each has its own (the table's RocksDB files are per worker),
    and the survivor's rebalance restores table partitions: a fetch that spanned it once took the events
    its recovery had just seeked to, and Faust dropped them (``streams/fetch_wait.py``, ``ActivePartitions``)."""
    settings = settings_factory(smtp=False, twilio=False, partitions=4, documents_check=documents_check)
    _prepare(settings, tmp_path)
    shared = None if documents_check else "shared"
    survivor, victim = workers(settings, "worker-a", shared), workers(settings, "worker-b", shared)
    events = settings.topic(topics.BORDER_CROSSINGS)
    with Desk(settings, settings.partitions).running() as desk:
        survivor.start()
        victim.start()

        def both_own_events() -> bool:
            members = group_assignment(settings)
            return len(members) == 2 and all(m.get(events) for m in members)

        wait_for(both_own_events, 2 * START_ALLOWANCE, "both workers to own partitions of the events topic")
        _answered(desk, desk.publish_round(), START_ALLOWANCE, "both workers to answer", survivor, victim)

        desk.start_stream()
        wait_for(lambda: sum(1 for s in desk.snapshot() if s.answered_at) >= 5 * settings.partitions, 30,
                 "the stream to be answered")
        victim.kill()
        killed = time.monotonic()
        wait_for(lambda: not victim.is_running(), 30, "the worker to die")

        def every_partition_answered_since_kill() -> bool:
            since = {s.partition for s in desk.snapshot() if s.at >= killed and s.answered_at}
            return len(since) == settings.partitions

        deadline = (settings.worker_session_timeout_seconds + settings.worker_heartbeat_interval_seconds
                    + REBALANCE_ALLOWANCE)
        wait_for(every_partition_answered_since_kill, 2 * deadline,
                 "the survivor to answer every partition", abort=lambda: None if survivor.is_running() else "died")
        desk.stop_stream()
        _answered(desk, list(desk.sent), 60.0, "every event to be answered", survivor)
        sent = desk.snapshot()

    takeover = max(min(s.answered_at or 0.0 for s in sent if s.partition == p and s.at >= killed) - killed
                   for p in range(settings.partitions))
    waits = sorted(s.wait or 0.0 for s in sent)
    figures = {
        "session_timeout_s": settings.worker_session_timeout_seconds,
        "heartbeat_s": settings.worker_heartbeat_interval_seconds, "partitions": settings.partitions,
        "events": len(sent), "unanswered": len(desk.unanswered()),
        "takeover_s": round(takeover, 2), "longest_wait_s": round(waits[-1], 2),
        "median_wait_s": round(waits[len(waits) // 2], 3), "load_average_1m": _load(),
    }
    _report("worker-survivor-documents" if documents_check else "worker-survivor", figures)
    assert figures["unanswered"] == 0
    assert takeover <= deadline, f"the survivor took {takeover:.1f} s (deadline {deadline:g} s)"
