"""A string hash seed kept per data directory, so a worker's index snapshot fits the next worker.

The matcher's index is keyed by ``hash()`` of strings, which Python seeds at random in every
process; a snapshot written by one process is foreign to the next (``matching.snapshot``). The
``worker`` command therefore re-executes itself once with ``PYTHONHASHSEED`` set to a random
value made on first use and kept in ``DATA_DIR/hash-seed`` (mode 0600): as unguessable from
outside as Python's own per-process seed, and the same across restarts. A ``PYTHONHASHSEED``
already in the environment is left as it is.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

__all__ = ["pin_hash_seed", "stored_seed"]


def stored_seed(data_dir: Path) -> int:
    """The seed kept in ``data_dir`` (made, and written atomically, on first use)."""
    path = data_dir / "hash-seed"
    try:
        seed = int(path.read_text().strip())
        if 1 <= seed <= 4294967295:
            return seed
    except (FileNotFoundError, ValueError):
        pass
    seed = secrets.randbelow(4294967295) + 1
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".hash-seed.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(f"{seed}\n")
    os.replace(tmp, path)
    return seed


def pin_hash_seed(data_dir: Path) -> None:
    """Re-execute this process with the data directory's seed unless ``PYTHONHASHSEED`` is set."""
    if os.environ.get("PYTHONHASHSEED", "random") != "random":
        return
    env = {**os.environ, "PYTHONHASHSEED": str(stored_seed(data_dir))}
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)  # noqa: S606 - this same command again
