"""Garbage-collection pauses of every process of a pipeline bench run (``--log-gc``).

A pause in any process of the stack holds up what passes through it: a dispatcher standing in its
collector for 250 ms sends no SMS meanwhile, and a burst of late SMS follows (docs/benchmarks.md,
"The dispatcher's collector pauses"). With ``--log-gc``, every Python process the bench starts
(worker, dispatcher, SMTP sink) and the bench itself log each collection of 2 ms or more, and so
does the Twilio mock (Node); each capacity step then lists the pauses that fell inside it. The
broker's (Java) are not logged here: its young collections took 5-13 ms in the runs looked at.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HOOKS = Path(__file__).resolve().parent / "_gc_hooks"
LOG_MS = 2.0
"""Collections shorter than this are not logged (young collections take well under a millisecond)."""


def install(directory: str | os.PathLike[str]) -> Callable[[str, dict[str, Any]], None]:
    """Log this process's collections of ``LOG_MS`` or more to ``<directory>/py.<pid>``; return the hook
    (in ``gc.callbacks``)."""
    out = open(Path(directory) / f"py.{os.getpid()}", "a", buffering=1)  # open for the process's life
    out.write(f"# {' '.join(sys.argv)[:200]}\n")
    started = [0.0, 0.0]

    def hook(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0], started[1] = time.perf_counter(), time.time()
            return
        ms = (time.perf_counter() - started[0]) * 1e3
        if ms >= LOG_MS:
            out.write(f"{started[1]:.6f} gen{info['generation']} {ms:.1f}\n")

    gc.callbacks.append(hook)
    return hook


def enable(directory: Path) -> None:
    """Make every process started from now on (they inherit the environment) log its collections to
    ``directory``, and this one too."""
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["FUGITIVE_ALERTS_BENCH_GC_LOG"] = str(directory)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(HOOKS), os.environ.get("PYTHONPATH", "")) if p)
    os.environ["NODE_OPTIONS"] = " ".join(p for p in (os.environ.get("NODE_OPTIONS", ""),
                                                      f"--require {HOOKS / 'gclog.js'}") if p)
    install(directory)


def pauses(directory: Path, t0: float, t1: float, names: dict[str, int], min_ms: float
           ) -> dict[str, list[tuple[float, str, float]]]:
    """The collections of ``min_ms`` or more that started between ``t0`` and ``t1``, by process name
    (``names``: name -> pid, as the bench's sampler has them; others are named by their command line),
    each as (seconds after ``t0``, kind, milliseconds)."""
    by_pid = {pid: name for name, pid in names.items()}
    found: dict[str, list[tuple[float, str, float]]] = {}
    for path in sorted(directory.glob("*.*")):
        lines = path.read_text().splitlines()
        if not lines:
            continue
        pid = int(path.suffix[1:]) if path.suffix[1:].isdigit() else -1
        name = by_pid.get(pid) or lines[0].lstrip("# ")[:40]
        for line in lines[1:]:
            if line.startswith("#"):  # a process that exec'd itself (same pid) starts its file again
                continue
            at, kind, ms = line.split()
            if t0 <= float(at) <= t1 and float(ms) >= min_ms:
                found.setdefault(name, []).append((float(at) - t0, kind, float(ms)))
    return found
