"""A matcher's index as bytes and back: what a worker keeps on disk to start without rebuilding.

Building the index of a 1M-notice list takes minutes (parsing every name, every romanisation);
loading a pickle of the built index takes seconds. ``dump`` writes the matcher's state (its index
and slots; not the thresholds, which come from the settings of the process that loads it), and
``load_into`` puts it back into an existing matcher, in place, so every agent holding that matcher
sees the loaded list.

A snapshot is only meaningful to the same code in a process that hashes strings the same way:

- :data:`CODE_VERSION` is a digest of this package's source, whether it runs compiled
  (``_compiled``: its objects pickle differently), the Python version and :data:`FORMAT`: any
  change to the matcher's code makes older snapshots foreign;
- :func:`hash_probe` is a digest of ``hash()`` of a few strings: the index's keys are string
  hashes (``_index.key_id``), which differ between processes unless ``PYTHONHASHSEED`` is the
  same (the ``worker`` command keeps one per data directory).

Loading uses a pickle restricted to the classes of this package and ``array`` (an unpickler that
refuses any other global), so a foreign file fails with :class:`SnapshotError`, not by running
code. Serialisation was chosen by measurement (docs/benchmarks.md, "Worker start"): pickle
protocol 5 with the cyclic garbage collector paused while loading (the collector otherwise runs
hundreds of times over millions of new objects, 4-5x the load time).
"""

from __future__ import annotations

import gc
import hashlib
import io
import pickle
import sys
from pathlib import Path
from typing import IO, Any

from . import _compiled
from .matcher import Matcher

__all__ = ["CODE_VERSION", "FORMAT", "SnapshotError", "dump", "dumps", "hash_probe", "load_into"]

FORMAT = 1
"""Bumped when the snapshot's layout changes in a way the code digest would not show."""

_STATE = ("_index", "_slots")
"""The matcher's attributes a snapshot holds: the index and the notice ids' slots. The others
(thresholds, ``compiled``) come from the loading process's settings."""

_ALLOWED_MODULES = frozenset({"array", "builtins", "copyreg"})
_ALLOWED_BUILTINS = frozenset({"set", "frozenset", "dict", "list", "tuple", "int", "str", "bytes", "bool",
                               "float", "complex", "NoneType"})


class SnapshotError(Exception):
    """A snapshot that cannot be loaded: truncated, foreign or not a matcher's."""


def _code_version() -> str:
    # the compiled modules pickle their objects otherwise than the interpreted source does
    digest = hashlib.sha256(f"{FORMAT}|{sys.version}|compiled={_compiled.active()}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


CODE_VERSION = _code_version()


def hash_probe() -> str:
    """A digest of this process's ``hash()`` of strings (the index's keys are such hashes)."""
    probe = ",".join(str(hash(s)) for s in ("t:probe", "p:a|b", "c:nd", "d:X123"))
    return hashlib.sha256(probe.encode()).hexdigest()[:16]


def dump(matcher: Matcher, out: IO[bytes]) -> None:
    """Write ``matcher``'s index state to ``out`` (pickle protocol 5)."""
    state = {k: getattr(matcher, k) for k in _STATE}
    index = state.get("_index")
    cache = getattr(index, "_by_nationality", None)
    if cache:  # a cache, rebuilt on demand: not worth the bytes
        cache.clear()
    pickle.dump(state, out, protocol=5)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name not in _ALLOWED_BUILTINS:
            raise SnapshotError(f"a snapshot may not hold builtins.{name}")
        if not (module.startswith("matching.") or module in _ALLOWED_MODULES):
            raise SnapshotError(f"a snapshot may not hold {module}.{name}")
        return super().find_class(module, name)


def load_into(matcher: Matcher, source: IO[bytes]) -> None:
    """Replace ``matcher``'s index with the one read from ``source``; on any error (raised as
    :class:`SnapshotError`) the matcher is left as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        state = _Unpickler(source).load()
    except SnapshotError:
        raise
    except Exception as exc:  # truncated, corrupt or foreign bytes: any unpickling error
        raise SnapshotError(f"unreadable snapshot ({type(exc).__name__})") from exc
    finally:
        if enabled:
            gc.enable()
    if not isinstance(state, dict) or state.keys() != set(_STATE):
        raise SnapshotError("not a matcher's snapshot")
    for k in _STATE:
        setattr(matcher, k, state[k])


def dumps(matcher: Matcher) -> bytes:
    """``dump`` to bytes (tests and the bench)."""
    buf = io.BytesIO()
    dump(matcher, buf)
    return buf.getvalue()
