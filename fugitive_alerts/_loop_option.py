"""The event loop named on the command line, checked before Faust reads it.

Faust reads ``-L``/``--loop`` from ``sys.argv`` (and ``FAUST_LOOP`` from the environment) the moment
it is first imported, and imports the loop module named there: a misspelt name ended the command in
a traceback before the command line was even parsed. ``refuse_unknown_loop`` runs first (from the
package's ``__init__``) and turns that into the command line's own error.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence

__all__ = ["LOOPS", "loop_named", "refuse_unknown_loop"]

LOOPS = ("aio", "uvloop")
"""The event loops ``worker --loop`` takes: asyncio's own, or uvloop (the ``fast`` extra)."""


def loop_named(argv: Sequence[str], environ: Mapping[str, str]) -> tuple[str, str] | None:
    """The loop Faust will use and where it is named, found as Faust finds it: ``-L X``, ``--loop X``,
    ``--loop=X``, then ``FAUST_LOOP`` or ``F_LOOP``. ``None`` when none is named."""
    for i, arg in enumerate(argv):
        if arg in ("-L", "--loop"):
            return (argv[i + 1], arg) if i + 1 < len(argv) else None
        if arg.startswith("--loop="):
            return arg.partition("=")[2], "--loop"
    for var in ("FAUST_LOOP", "F_LOOP"):
        if environ.get(var):
            return environ[var], var
    return None


def refuse_unknown_loop(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> None:
    """Exit with a usage error (code 2) when the loop named (default: in ``sys.argv`` and
    ``os.environ``) is not one of ``LOOPS``, or is uvloop and uvloop is not installed."""
    named = loop_named(sys.argv if argv is None else argv, os.environ if environ is None else environ)
    if named is None:
        return
    name, where = named
    if name not in LOOPS:
        print(f"error: unknown event loop {name!r} ({where}): the loop is {' or '.join(LOOPS)}", file=sys.stderr)
        raise SystemExit(2)
    if name == "uvloop" and importlib.util.find_spec("uvloop") is None:
        print(f"error: the uvloop event loop ({where}) needs uvloop: pip install 'fugitive-alerts[fast]'",
              file=sys.stderr)
        raise SystemExit(2)
