"""fugitive_alerts.local.services: detached processes with pid and log files, polling with deadlines."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from fugitive_alerts.local.services import Service, ServiceError, free_port, port_is_free, wait_for

# A child that says it is ready, then waits for a signal (SIGTERM ends it).
PAUSE = "import signal, sys; print('ready', flush=True); signal.pause()"
# A child that ignores SIGTERM: only SIGKILL ends it.
STUBBORN = (
    "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); signal.pause()"
)


def _ready(service: Service) -> bool:
    return service.log_path.exists() and "ready" in service.log_path.read_text()


def test_start_status_stop(tmp_path: Path) -> None:
    service = Service("pause", [sys.executable, "-c", PAUSE], tmp_path)
    assert not service.is_running() and service.pid is None
    pid = service.start()
    # Another object for the same pid file (as another process would have) sees and stops it.
    other = Service("pause", [], tmp_path)
    try:
        service.wait_ready(lambda: _ready(service), 10, "the child to print ready")
        assert service.is_running() and service.pid == pid
        assert service.pid_path.read_text().split()[0] == str(pid)
        assert other.pid == pid
        with pytest.raises(ServiceError, match="already running"):
            service.start()
    finally:
        assert other.stop(10)
    assert not service.is_running() and not service.pid_path.exists()
    assert service.stop() is False  # stopping what is not running is fine


def test_stop_escalates_to_sigkill(tmp_path: Path) -> None:
    service = Service("stubborn", [sys.executable, "-c", STUBBORN], tmp_path)
    service.start()
    service.wait_ready(lambda: _ready(service), 10, "the child to print ready")
    assert service.stop(timeout=0.5)
    assert not service.is_running()
    assert service.exit_code() == -9


def test_kill_leaves_the_pid_file_but_not_running(tmp_path: Path) -> None:
    service = Service("pause", [sys.executable, "-c", PAUSE], tmp_path)
    service.start()
    service.wait_ready(lambda: _ready(service), 10, "the child to print ready")
    assert service.kill()
    assert not service.is_running() and service.pid_path.exists()
    assert Service("pause", [], tmp_path).pid is None  # a stale pid file is not a running process


def test_wait_ready_fails_fast_with_the_log_when_the_process_dies(tmp_path: Path) -> None:
    service = Service(
        "dies", [sys.executable, "-c", "import sys; print('bad config'); sys.exit(3)"], tmp_path
    )
    service.start()
    with pytest.raises(ServiceError, match=r"(?s)exited with code 3.*bad config"):
        service.wait_ready(lambda: False, 30, "never")


def test_missing_program_is_a_service_error(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="cannot run"):
        Service("nope", [str(tmp_path / "no-such-program")], tmp_path).start()


def test_env_is_added_and_none_removes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FA_TEST_DROP", "x")
    code = "import os; print(os.environ.get('FA_TEST_ADD'), os.environ.get('FA_TEST_DROP'), flush=True)"
    service = Service(
        "env", [sys.executable, "-c", code], tmp_path, env={"FA_TEST_ADD": "1", "FA_TEST_DROP": None}
    )
    service.start()
    wait_for(lambda: service.exit_code() is not None, 10, "the child to exit")
    assert service.log_path.read_text().strip() == "1 None"


def test_wait_for_returns_the_value_or_times_out() -> None:
    values = iter([0, 0, "done"])
    assert wait_for(lambda: next(values), 5, "the value") == "done"
    with pytest.raises(TimeoutError, match=r"nothing did not happen within 0\.1 s"):
        wait_for(lambda: False, 0.1, "nothing")


def test_free_port_is_free_and_port_is_free_sees_a_listener() -> None:
    port = free_port()
    assert port_is_free(port)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        assert not port_is_free(port)
