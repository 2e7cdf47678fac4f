"""CPU time and peak RSS of processes, from /proc (Linux), sampled in a background thread."""

from __future__ import annotations

import bisect
import os
import platform
import subprocess
import sys
import threading
import time

__all__ = ["cpu_seconds", "peak_rss_mb", "Sampler", "machine"]

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` (all its threads) so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14, 15 of stat)


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the peak resident set size of ``pid`` since it started."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Sampler:
    """Samples (time.time(), CPU seconds) of named processes every ``interval`` seconds."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.pids: dict[str, int] = {}
        self.samples: dict[str, list[tuple[float, float]]] = {}
        self.peak: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="procstat", daemon=True)

    def watch(self, name: str, pid: int) -> None:
        self.pids[name] = pid
        self.samples.setdefault(name, [])

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in list(self.pids.items()):
                try:
                    self.samples[name].append((time.time(), cpu_seconds(pid)))
                    self.peak[name] = max(self.peak.get(name, 0.0), peak_rss_mb(pid))
                except OSError:
                    pass  # exited
            self._stop.wait(self.interval)

    def cpu_between(self, name: str, t0: float, t1: float) -> float:
        """CPU seconds ``name`` used between wall times ``t0`` and ``t1`` (linear between samples)."""
        s = self.samples.get(name) or []
        if len(s) < 2:
            return float("nan")
        times = [t for t, _ in s]

        def at(t: float) -> float:
            i = bisect.bisect_left(times, t)
            if i <= 0:
                return s[0][1]
            if i >= len(s):
                return s[-1][1]
            (ta, ca), (tb, cb) = s[i - 1], s[i]
            return ca + (cb - ca) * (t - ta) / (tb - ta) if tb > ta else cb
        return at(t1) - at(t0)


def machine() -> dict[str, str]:
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    try:
        from fugitive_alerts.local.jars import kafka_version
        kafka = kafka_version()
    except Exception:  # noqa: BLE001 - an external broker: version unknown here
        kafka = "?"
    import aiokafka
    import faust
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    return {"cpus (nproc)": str(os.cpu_count()), "cpu": model, "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
            "kernel": platform.release(), "python": sys.version.split()[0], "faust-streaming": faust.__version__,
            "aiokafka": aiokafka.__version__, "kafka": kafka, "java": java[0] if java else "?",
            "load average (1/5/15 min)": " ".join(open("/proc/loadavg").read().split()[:3])}
