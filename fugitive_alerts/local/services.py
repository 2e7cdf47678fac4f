"""Detached background processes with a pid file and a log file.

Used for the local Kafka broker, the Twilio mock (Prism), the SMTP catcher and the demo's
worker and dispatcher. A :class:`Service` is identified by its pid file, so a second process
(e.g. ``fugitive-alerts broker stop``) can stop what the first one started.

Processes start in their own session (``setsid``): Ctrl-C in the terminal that started them
does not stop them, and :meth:`Service.stop` signals the whole process group, so helpers a
service forks (node, java) go too.

Readiness is always a polled condition with a deadline (:func:`wait_for`), never a fixed sleep.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from schemas.errors import FugitiveAlertsError

__all__ = [
    "Service",
    "ServiceError",
    "file_lock",
    "free_port",
    "port_is_free",
    "tail",
    "user_cache_dir",
    "wait_for",
]

T = TypeVar("T")

POLL_INTERVAL = 0.05
"""Seconds between two checks of a condition in :func:`wait_for`."""


class ServiceError(FugitiveAlertsError, RuntimeError):
    """A background service could not be started, or died, or did not become ready."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if a server could bind ``host:port`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def wait_for(
    predicate: Callable[[], T],
    timeout: float,
    what: str,
    *,
    interval: float = POLL_INTERVAL,
    abort: Callable[[], str | None] | None = None,
) -> T:
    """Poll ``predicate`` until it returns something truthy, and return that.

    ``abort`` is checked between polls; a non-empty string it returns ends the wait early with
    :class:`ServiceError` (e.g. "the process exited"). After ``timeout`` seconds raises
    :class:`TimeoutError` naming ``what`` was awaited.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if abort is not None:
            reason = abort()
            if reason:
                raise ServiceError(f"gave up waiting for {what}: {reason}")
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} did not happen within {timeout:g} s")
        # Not synchronisation: the pause between two polls of the condition above.
        time.sleep(interval)


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/fugitive-alerts`` (``~/.cache/fugitive-alerts`` by default)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fugitive-alerts"


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created if missing) while in the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a text file, or "" if it does not exist."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            data = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


def _proc_start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (guards against pid reuse); None where /proc is absent."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 2 (comm) may contain spaces; the fields after the closing parenthesis are fixed.
    fields = stat.rsplit(")", 1)[1].split()
    return fields[19]  # field 22 overall: starttime


def _alive(pid: int) -> bool:
    """True if ``pid`` exists and has not fully exited.

    A zombie whose other threads are gone has exited. But the main thread of a multi-threaded
    process (a JVM) turns zombie while its other threads still run and hold its sockets, so a
    zombie with more than one task is still alive.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (not Linux): kill(0) succeeded, so it exists
    if stat.rsplit(")", 1)[1].split()[0] != "Z":
        return True
    try:
        return len(os.listdir(f"/proc/{pid}/task")) > 1
    except OSError:
        return False


class Service:
    """One detached background process: ``<run_dir>/<name>.pid`` and ``<run_dir>/<name>.log``.

    ``argv`` is run with stdout and stderr appended to the log file and stdin closed. ``env``
    is added to (not substituted for) the current environment; a value of ``None`` removes a
    variable.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        run_dir: Path,
        *,
        env: Mapping[str, str | None] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = [str(a) for a in argv]
        self.run_dir = Path(run_dir)
        self.env = dict(env or {})
        self.cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid_path(self) -> Path:
        """The pid file: ``<pid> <kernel start time>``."""
        return self.run_dir / f"{self.name}.pid"

    @property
    def log_path(self) -> Path:
        """Where the process's stdout and stderr go."""
        return self.run_dir / f"{self.name}.log"

    def __repr__(self) -> str:
        return f"Service({self.name!r}, pid={self.pid}, log={str(self.log_path)!r})"

    # -- state -------------------------------------------------------------------------------

    def _read_pid_file(self) -> tuple[int, str | None] | None:
        try:
            parts = self.pid_path.read_text().split()
        except OSError:
            return None
        if not parts or not parts[0].isdigit():
            return None
        return int(parts[0]), (parts[1] if len(parts) > 1 else None)

    def _gone(self, pid: int) -> bool:
        """True once ``pid`` has exited completely (all its threads, hence its sockets)."""
        if self._proc is not None and self._proc.pid == pid:
            # Our child: the reaper thread's waitpid() returns only when the whole process is gone.
            return self._proc.returncode is not None
        return not _alive(pid)

    @property
    def pid(self) -> int | None:
        """The pid of the running process, or None if it is not running."""
        entry = self._read_pid_file()
        if entry is None:
            return None
        pid, started = entry
        if self._gone(pid):
            return None
        if started is not None and _proc_start_time(pid) not in (None, started):
            return None  # the pid was reused by an unrelated process
        return pid

    def is_running(self) -> bool:
        """True while the process runs."""
        return self.pid is not None

    def exit_code(self) -> int | None:
        """The exit code if this object started the process and it has exited, else None."""
        return None if self._proc is None else self._proc.returncode

    # -- control -----------------------------------------------------------------------------

    def start(self) -> int:
        """Start the process in the background and return its pid.

        Raises :class:`ServiceError` if it is already running or cannot be executed.
        """
        running = self.pid
        if running is not None:
            raise ServiceError(
                f"{self.name} is already running (pid {running}); stop it first or use it as it is"
            )
        self.run_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        for key, value in self.env.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        with self.log_path.open("ab") as log:
            try:
                proc = subprocess.Popen(
                    self.argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.cwd,
                    env=env,
                    start_new_session=True,
                    close_fds=True,
                )
            except OSError as exc:
                raise ServiceError(f"cannot run {self.argv[0]!r} for {self.name}: {exc.strerror}") from exc
        self._proc = proc
        # Reap the child when it exits, so it never lingers as a zombie that looks alive.
        threading.Thread(target=proc.wait, name=f"reap-{self.name}", daemon=True).start()
        started = _proc_start_time(proc.pid)
        tmp = self.pid_path.with_suffix(".pid.tmp")
        tmp.write_text(f"{proc.pid} {started or ''}".strip() + "\n")
        tmp.replace(self.pid_path)
        return proc.pid

    def _signal(self, pid: int, sig: signal.Signals) -> None:
        try:
            os.killpg(pid, sig)  # the process leads its own group (start_new_session)
        except ProcessLookupError:
            return
        except PermissionError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        try:
            wait_for(lambda: self._gone(pid), timeout, f"{self.name} (pid {pid}) to exit")
        except TimeoutError:
            return False
        return True

    def stop(self, timeout: float = 30.0) -> bool:
        """SIGTERM, wait up to ``timeout`` s, then SIGKILL. False if it was not running."""
        pid = self.pid
        if pid is None:
            self.pid_path.unlink(missing_ok=True)
            return False
        self._signal(pid, signal.SIGTERM)
        if not self._wait_gone(pid, timeout):
            self._signal(pid, signal.SIGKILL)
            self._wait_gone(pid, 10.0)
        self.pid_path.unlink(missing_ok=True)
        return True

    def kill(self) -> bool:
        """SIGKILL at once (a crash, for fault tests). The pid file stays. False if not running."""
        pid = self.pid
        if pid is None:
            return False
        self._signal(pid, signal.SIGKILL)
        self._wait_gone(pid, 10.0)
        return True

    def wait_ready(self, predicate: Callable[[], object], timeout: float, what: str) -> None:
        """Poll ``predicate`` until truthy; fail early, with the log's tail, if the process dies."""

        def died() -> str | None:
            if self.is_running():
                return None
            code = self.exit_code()
            how = f"exited with code {code}" if code is not None else "is no longer running"
            return f"{self.name} {how}. Log {self.log_path}:\n{tail(self.log_path)}"

        try:
            wait_for(predicate, timeout, what, abort=died)
        except TimeoutError as exc:
            raise ServiceError(f"{exc}. Log {self.log_path}:\n{tail(self.log_path)}") from None
