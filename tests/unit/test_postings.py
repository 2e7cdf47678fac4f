"""The native postings table (``matching._fast.Postings``) answers every look-up as the Python
dict the index keeps without the compiled core, after the same additions and removals; and it
survives a pickle (the worker's index snapshot) unchanged."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import Matcher, _core
from matching._index import CandidateIndex, PostingTable, _dict_add, _dict_remove
from tests.unit.test_matching import person

pytestmark = pytest.mark.skipif(not _core.available(), reason="the compiled matching core is not built")

KEYS = st.integers(min_value=-(2**63), max_value=2**63 - 1)
# few distinct keys, so that postings grow long (past 64 slots) and are compacted
OPS = st.lists(st.tuples(st.booleans(), st.sets(st.integers(0, 11), min_size=1, max_size=6)), max_size=400)


def _native() -> Any:
    table = _core.postings()
    assert table is not None
    return table


def _same(ref: PostingTable, native: Any, keys: list[int]) -> None:
    assert len(native) == len(ref)
    for k in keys:
        p = ref.get(k)
        want = p if p is None or isinstance(p, int) else tuple(p)
        assert native.get(k) == want, k
        assert (k in native) == (k in ref)
        assert native.count(k) == (0 if p is None else 1 if isinstance(p, int) else len(p))
        for cap in (1, 3, 70):
            assert native.posting(k, cap) == (() if want is None else None if native.count(k) > cap else
                                              (want,) if isinstance(want, int) else want)


@settings(max_examples=150, deadline=None)
@given(ops=OPS, salt=KEYS)
def test_the_same_changes_give_the_same_postings(ops: list[tuple[bool, set[int]]], salt: int) -> None:
    """Each op adds a new slot holding some keys, or (``True``) first removes an older live slot:
    the dict (``_dict_add``/``_dict_remove``) and the native table must agree after every op."""
    keys = [hash((salt, i)) for i in range(12)]
    ref: PostingTable = {}
    native = _native()
    live: list[object | None] = []
    held: list[list[int]] = []
    for remove, picked in ops:
        alive = [s for s, e in enumerate(live) if e is not None]
        if remove and alive:
            slot = alive[(len(live) * 7) % len(alive)]
            live[slot] = None
            _dict_remove(ref, held[slot], slot, live)  # type: ignore[arg-type]
            native.remove(held[slot], slot, live)
        slot = len(live)
        live.append(object())
        held.append([keys[i] for i in sorted(picked)])
        _dict_add(ref, held[slot], slot)
        native.add(held[slot], slot)
        _same(ref, native, keys)
    copy = pickle.loads(pickle.dumps(native, protocol=5))  # noqa: S301 (our own bytes, just written)
    _same(ref, copy, keys)


def test_long_postings_are_compacted_as_the_dict_compacts_them() -> None:
    """One key held by 200 slots, 150 of them withdrawn in turn: a list of 64 or more is checked
    only when its length is a multiple of 64, so both keep dead slots for a while, alike."""
    ref: PostingTable = {}
    native = _native()
    live: list[object | None] = []
    for slot in range(200):
        live.append(object())
        _dict_add(ref, [42, slot], slot)
        native.add([42, slot], slot)
    for slot in range(150):
        live[slot] = None
        _dict_remove(ref, [42, slot], slot, live)  # type: ignore[arg-type]
        native.remove([42, slot], slot, live)
        _same(ref, native, [42, slot])
    assert native.count(42) == len(ref[42]) > 50  # dead slots awaiting compaction, in both


def test_a_corrupt_state_is_refused() -> None:
    native = _native()
    native.add([1, 2], 5)
    state = native.__getstate__()
    for bad in (b"", state[:-1], state + b"\0", b"\x09" + state[1:]):
        with pytest.raises(ValueError, match="not a postings table"):
            _native().__setstate__(bad)


def test_the_matcher_holds_its_postings_natively_only_with_the_core() -> None:
    m, ref = Matcher(compiled=True), Matcher(compiled=False)
    for x in (m, ref):
        x.upsert(person("Vareno", "Tamsin", dob="1970-02-03", nid="a"))
    assert not isinstance(m._index.postings, dict) and isinstance(ref._index.postings, dict)
    assert len(m._index.postings) == len(ref._index.postings) > 5
    assert isinstance(CandidateIndex().postings, dict)
