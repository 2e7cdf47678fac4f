"""The matcher's Python modules compiled to C with mypyc (``scripts/build_matching.py``).

The same source, compiled: every rule stays written once, in Python, and screens about 1.5x
faster than with the Rust core alone, twice the interpreted source (docs/matching.md, "The compiled
modules"). ``scripts/bootstrap`` builds them beside their
sources (``matching/<module>.cpython-*.so``, and the shared ``matching/_compiled__mypyc`` library)
and writes :data:`STAMP`: the digest of the sources it compiled.

Python prefers an extension module to a ``.py`` of the same name, so a build that no longer
matches its source would run the old rules. :func:`install` guards against that when ``matching``
is imported: it loads the ``.py`` sources instead (with a warning naming the fix) when

- the stamp is missing or differs from the sources' digest (a rule edited since the build), or
- ``FUGITIVE_ALERTS_MATCHING_CORE=python`` is in the environment (the reference, interpreted;
  it also turns off the Rust core, ``_core``).

Without a build (no C compiler, or a plain ``pip install``) the sources are all there is.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

__all__ = ["MODULES", "STAMP", "active", "install", "source_digest"]

_HERE = Path(__file__).parent

MODULES = (
    "_abjad", "_cantonese", "_common", "_conventions", "_core", "_dates", "_documents", "_ethiopic",
    "_features", "_greek", "_index", "_indic", "_japanese", "_korean", "_names", "_nationality", "_short_parts",
    "_spellings", "_text", "_tips", "_titles", "_wadegiles", "clearance", "matcher", "rules",
)
"""The modules compiled (``matching.<name>``). Not ``__init__`` or this module (they decide), nor
``snapshot`` or ``_warm``, which run once, not per event."""

STAMP = _HERE / "_compiled.stamp"

_active = False


def source_digest() -> str:
    """SHA-256 of the compiled modules' sources, in order (what :data:`STAMP` must hold)."""
    digest = hashlib.sha256()
    for name in MODULES:
        digest.update(name.encode() + b"\0" + (_HERE / f"{name}.py").read_bytes() + b"\0")
    return digest.hexdigest()


def _built() -> bool:
    return any(_HERE.glob("_compiled__mypyc*.so"))


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Finds ``matching.<module>`` as its ``.py`` source, ahead of a compiled build."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != __package__ or name not in MODULES:
            return None
        return importlib.util.spec_from_file_location(fullname, _HERE / f"{name}.py")


def install() -> None:
    """Decide, once, before the compiled modules are first imported, whether they may be used."""
    global _active
    if not _built() or any(isinstance(f, _SourceFinder) for f in sys.meta_path):
        return
    if os.environ.get("FUGITIVE_ALERTS_MATCHING_CORE", "").strip().lower() == "python":
        sys.meta_path.insert(0, _SourceFinder())
        return
    stamp = STAMP.read_text().strip() if STAMP.exists() else ""
    if stamp != source_digest():
        warnings.warn("the compiled matching modules do not match their source (edited since the build): "
                      "running the source instead; run scripts/bootstrap to rebuild them", RuntimeWarning,
                      stacklevel=2)
        sys.meta_path.insert(0, _SourceFinder())
        return
    _active = True


def active() -> bool:
    """Whether this process runs the compiled modules (``install`` found a current build)."""
    return _active
