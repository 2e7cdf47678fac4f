"""The pipeline bench's collector log (``bench/_gclog.py``, ``--log-gc``): a pause is logged with its
process and found by the step whose window it fell in."""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import _gclog


def test_a_full_collection_is_logged_and_found_in_its_window(tmp_path: Path) -> None:
    hook = _gclog.install(tmp_path)
    try:
        garbage = [[i] for i in range(300_000)]  # tracked objects: a full collection walks them, well over 2 ms
        t0 = time.time()
        gc.collect()
        t1 = time.time()
        del garbage
    finally:
        gc.callbacks.remove(hook)
    found = _gclog.pauses(tmp_path, t0, t1, {"this test": os.getpid()}, min_ms=2.0)
    assert list(found) == ["this test"]
    (at, kind, ms), *_ = found["this test"]
    assert kind == "gen2" and ms >= 2.0 and 0.0 <= at <= t1 - t0
    assert _gclog.pauses(tmp_path, t1 + 1, t1 + 2, {"this test": os.getpid()}, min_ms=2.0) == {}


def test_a_process_not_watched_is_named_by_its_command_line(tmp_path: Path) -> None:
    (tmp_path / "node.4242").write_text("# /usr/bin/node prism mock\n100.000 minor 25.0\n# /usr/bin/node again\n"
                                        "101.000 major 3.0\n")
    assert _gclog.pauses(tmp_path, 99.0, 102.0, {}, min_ms=20.0) == {"/usr/bin/node prism mock": [(1.0, "minor", 25.0)]}
