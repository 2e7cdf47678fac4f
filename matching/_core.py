"""The compiled matching core (``matching._fast``, Rust, built by ``scripts/bootstrap``).

It holds the index's postings (``_fast.Postings``: the table ``_index`` otherwise keeps as a
Python dict of ints and arrays) and runs the matcher's two hot loops without leaving native code:
candidate selection over those postings (``_index.CandidateIndex.candidates``), and
``rules.best_alignment`` (every query form against every packed form of a notice, with
``_names.align`` per pair), handing back the winning alignment exactly as the Python reference
would build it. The Python code stays the reference: a test screens the same
events both ways and compares every hit, and ``Matcher(compiled=False)`` (or
``FUGITIVE_ALERTS_MATCHING_CORE=python``) uses it alone.

The rules' constants and the name particles are handed to the core here, once, so they live in
one place; so are the keys of adjacent parts written together (``_text.join_keys``), with each
form. The source is in ``matching/core-rs/``; without a build (a plain
``pip install`` from source) the matcher runs on the Python reference, with the same hits.
"""

from __future__ import annotations

import os
import warnings
from types import ModuleType
from typing import TYPE_CHECKING, cast

from . import _names
from ._common import COMMON
from ._text import PARTICLES, join_keys

if TYPE_CHECKING:
    from . import _fast
    from ._features import Entry
    from ._index import CandidateIndex, QueryKeys
    from ._names import NameForm

__all__ = ["available", "enabled_by_default", "best_alignment", "candidates", "postings"]


def _load() -> ModuleType | None:
    try:
        from . import _fast  # built by scripts/bootstrap; typed by _fast.pyi
    except ImportError:
        return None
    _fast.configure(
        min_pair=_names._MIN_PAIR, missing_short=_names.MISSING_SHORT, extra_long=_names.EXTRA_LONG,
        missing_first=_names.MISSING_FIRST, conflicting_part=_names.CONFLICTING_PART, cross_min=_names.CROSS_MIN,
        swapped_cross_min=_names.SWAPPED_CROSS_MIN, chain_miss=_names.CHAIN_MISS, extra_unknown=_names.EXTRA_UNKNOWN,
        initial_sim=_names.INITIAL_SIM, weak_part_min=_names.WEAK_PART_MIN, particle_cost=_names.PARTICLE_MISS,
        particles=sorted(PARTICLES), common=sorted(COMMON), common_apart=_names.COMMON_APART)
    return _fast


_FAST = _load()


def available() -> bool:
    """Whether the compiled core was built and loads."""
    return _FAST is not None


def enabled_by_default() -> bool:
    """The compiled core when it is built, unless ``FUGITIVE_ALERTS_MATCHING_CORE=python``: for
    callers without settings (``fugitive-alerts screen``, tools, benches); the worker passes
    ``Settings.matching_core`` instead."""
    choice = os.environ.get("FUGITIVE_ALERTS_MATCHING_CORE", "").strip().lower()
    if choice not in ("", "compiled", "python"):
        raise ValueError(f"FUGITIVE_ALERTS_MATCHING_CORE must be 'compiled' or 'python', not {choice!r}")
    return _FAST is not None and choice != "python"


def postings() -> _fast.Postings | None:
    """An empty native postings table (``_index``), or None when the core is not built."""
    return None if _FAST is None else _FAST.Postings()


def _form(f: NameForm) -> _fast.Form | None:
    core = f.core
    if core is None and _FAST is not None:
        try:
            core = _FAST.Form(list(f.keys), "".join(f.roles), list(f.originals), f.abjad, join_keys(f.keys))
        except ValueError:  # more than 64 parts (nonsense input): the Python reference aligns it
            return None
        f.core = core
    return cast("_fast.Form | None", core)


def best_alignment(forms: tuple[NameForm, ...], entry: Entry
                   ) -> tuple[_names.Alignment, NameForm | None, str] | None:
    """``rules.best_alignment`` in the compiled core; None when it cannot take these forms."""
    assert _FAST is not None
    cores = []
    for f in forms:
        core = _form(f)
        if core is None:
            return None
        cores.append(core)
    try:
        got = _FAST.best_alignment(cores, entry.packed_forms)
    except ValueError:  # a notice form too long for the core's bit sets
        return None
    except RuntimeError as exc:  # a bug in the core: the reference computes it, the event is screened
        _failed(exc)
        return None
    if got is None:
        return _names.Alignment(0.0, [], 0), None, ""
    score, pairs, matched, units, conflict, qi, ci = got
    cf = entry.form(ci)
    return _names.Alignment(score, pairs, matched, units, conflict), cf, cf.via or forms[qi].via


def candidates(index: CandidateIndex, qk: QueryKeys, limit: int, years: tuple[int, int] | None
               ) -> list[Entry] | None:
    """``CandidateIndex.candidates`` in the compiled core: the same entries in the same order;
    None if the core failed (the reference then selects them)."""
    assert _FAST is not None
    try:
        got: list[Entry] = _FAST.candidates(
            index.postings, index.live, index.born, qk.groups, qk.pairs, qk.docs, qk.picks, index.token_cap,
            index.pair_cap, index.rare_cap, index.pick_cap, limit, years)
    except RuntimeError as exc:
        _failed(exc)
        return None
    return got


FAILURES = 0
"""Calls the core failed (a panic, i.e. a bug) and the Python reference answered instead."""


def _failed(exc: Exception) -> None:
    global FAILURES
    FAILURES += 1
    warnings.warn(f"{exc}; the Python reference answered instead (same result, slower)", RuntimeWarning,
                  stacklevel=3)
