"""A bench's run directory (the broker's data, the services' logs): removed when the bench ends well,
kept when it fails (its logs say why) or when ``--keep`` asks for it."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["run_directory"]


@contextmanager
def run_directory(prefix: str, keep: bool = False) -> Iterator[Path]:
    """A fresh directory under the system's temporary directory, for the duration of the ``with``."""
    run = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield run
    except BaseException:
        print(f"# run directory kept for its logs: {run}", file=sys.stderr)
        raise
    if keep:
        print(f"# run directory kept: {run}", file=sys.stderr)
    else:
        shutil.rmtree(run, ignore_errors=True)
