"""``fugitive-alerts screen`` run as a user runs it, once per matching core (for identity tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def screen_both_ways(wanted: Path, events: Path, out_dir: Path) -> tuple[bytes, bytes]:
    """The hits file written with ``FUGITIVE_ALERTS_MATCHING_CORE=python`` (the interpreted
    reference) and with ``compiled`` (the Rust core and the modules mypyc compiled, when built)."""
    outs = []
    for core in ("python", "compiled"):
        out = out_dir / f"hits-{core}.jsonl"
        subprocess.run([str(Path(sys.executable).parent / "fugitive-alerts"), "screen",
                        "--wanted", str(wanted), "--events", str(events), "--out", str(out)],
                       check=True, capture_output=True, env={**os.environ, "FUGITIVE_ALERTS_MATCHING_CORE": core})
        outs.append(out.read_bytes())
    return outs[0], outs[1]
