"""Requests per second each process sends to the broker, from the kernel's TCP counters (``ss -ti``).

``data_segs_out`` of a connection grows by one for each segment carrying data. A Kafka client's
small requests (fetches, heartbeats, metadata, small produce requests) are one segment each, so the
growth of the counter over a window, per process, is its request rate (large produce requests
count a few segments each). Linux only; the processes must be this user's (``ss -p``).
"""

from __future__ import annotations

import re
import subprocess

__all__ = ["segments", "request_rates"]

_PID = re.compile(r"pid=(\d+),")
_SEGS = re.compile(r"data_segs_out:(\d+)")


def segments(port: int) -> dict[tuple[int, str], int]:
    """(client pid, local address) -> data segments sent so far, for every connection to ``port``."""
    out = subprocess.run(["ss", "-tinpH", "state", "established", f"( dport = :{port} )"],
                         capture_output=True, text=True, check=True).stdout
    found: dict[tuple[int, str], int] = {}
    lines = out.splitlines()
    for i, line in enumerate(lines):  # a line for the socket, then a line for its tcp_info
        pid = _PID.search(line)
        segs = _SEGS.search(lines[i + 1]) if i + 1 < len(lines) else None
        if pid and segs:
            found[(int(pid.group(1)), line.split()[2])] = int(segs.group(1))
    return found


def request_rates(before: dict[tuple[int, str], int], after: dict[tuple[int, str], int], seconds: float,
                  pids: dict[str, int]) -> dict[str, list[float]]:
    """Process name -> requests/s on each of its connections open at the window's end, busiest first.
    A connection opened during the window counts from its first segment (the pipeline bench's own
    producer and consumers are made for each step); one closed during it is not counted."""
    rates: dict[str, list[float]] = {}
    for (pid, addr), segs in after.items():
        for name, owner in pids.items():
            if pid == owner:
                rates.setdefault(name, []).append((segs - before.get((pid, addr), 0)) / seconds)
    return {k: sorted(v, reverse=True) for k, v in rates.items()}
