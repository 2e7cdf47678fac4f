"""The compiled matching core (``matching/core-rs``) computes exactly what the Python reference
computes: the same edit distances as rapidfuzz, the same alignments, the same candidates in the
same order, and so the same hits (ids, scores, bands, reasons) on whole event sets. All persons
are invented."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rapidfuzz.distance import OSA, Levenshtein

import schemas
from matching import Matcher, _core
from matching._common import COMMON
from matching._features import query_of
from matching._index import NO_YEARS, key_id, query_keys
from matching._names import NameForm, align, token_similarity
from matching._text import PARTICLES, consonant_key
from tests.unit.screen_cli import screen_both_ways
from tests.unit.test_matching import person, traveller

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import matching_bench

ROOT = Path(__file__).resolve().parents[2]


def _fast() -> Any:
    assert _core.available(), "the compiled matching core is not built: run scripts/bootstrap (needs cargo)"
    from matching import _fast

    return _fast


def test_the_core_is_built_and_the_matcher_uses_it_by_default() -> None:
    _fast()
    assert Matcher().compiled is True
    assert Matcher(compiled=False).compiled is False


def _word(rng: random.Random, alphabet: str, lo: int = 0, hi: int = 9) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def test_edit_distances_are_rapidfuzz_s_to_the_last_bit() -> None:
    fast = _fast()
    rng = random.Random(18)
    for alphabet in ("abc", "abcdefghij", "aeiouymnrst", "aəßøçñ"):
        for _ in range(3000):
            a, b = _word(rng, alphabet), _word(rng, alphabet)
            assert fast.osa_normalized_similarity(a, b) == OSA.normalized_similarity(a, b), (a, b)
            assert fast.levenshtein_normalized_similarity(a, b) == Levenshtein.normalized_similarity(a, b), (a, b)
    for _ in range(300):  # longer than the bit-parallel 64 characters on one side or both
        a, b = _word(rng, "abcde", 40, 140), _word(rng, "abcde", 40, 140)
        assert fast.osa_normalized_similarity(a, b) == OSA.normalized_similarity(a, b), (a, b)
        assert fast.levenshtein_normalized_similarity(a, b) == Levenshtein.normalized_similarity(a, b), (a, b)


_SYLLABLES = ["a", "al", "ba", "bin", "ch", "da", "el", "fa", "ha", "ib", "ja", "kh", "ko", "li", "ma", "mo",
              "mu", "na", "ou", "pa", "qa", "ra", "sa", "sh", "ta", "th", "u", "va", "wa", "ya", "za", "zh"]


def _key(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4)))


def test_consonant_keys_and_token_similarity_are_the_reference_s() -> None:
    fast = _fast()
    rng = random.Random(7)
    for _ in range(20000):
        a, b = _key(rng), _key(rng)
        r = rng.random()
        if r < 0.3:  # near misses: one letter changed
            i = rng.randrange(len(a))
            b = a[:i] + rng.choice("aeioubdkmst") + a[i + 1:]
        elif r < 0.5:  # vowels left out, as an abjad writes a name
            b = "".join(c for c in a if c not in "aeiou" or rng.random() < 0.3)
        ca, cb = consonant_key(a), consonant_key(b)
        assert fast.consonant_key(a) == ca, a
        for abjad in (False, True):
            assert fast.token_similarity(a, b, ca, cb, abjad) == token_similarity(a, b, ca, cb, abjad), (a, b, abjad)
    # every two names frequent world-wide (``mahmud`` ~ ``mohamed``: one skeleton, the vowels
    # elsewhere; ``ahmed`` ~ ``mohamed``: two names)
    common = sorted(COMMON)
    pairs = [(a, b) for a in common for b in common]
    for a, b in pairs:
        ca, cb = consonant_key(a), consonant_key(b)
        assert fast.token_similarity(a, b, ca, cb) == token_similarity(a, b, ca, cb), (a, b)


def _form(rng: random.Random, roles: str) -> NameForm:
    n = rng.randint(1, 5)
    keys = []
    for _ in range(n):
        r = rng.random()
        if r < 0.1:
            keys.append(rng.choice(sorted(PARTICLES)))
        elif r < 0.18:
            keys.append(rng.choice("mrskay"))  # initials, and one-letter vowel names
        else:
            keys.append(_key(rng))
    if rng.random() < 0.5:
        role_seq = tuple(rng.choice(roles) for _ in keys)
    else:  # given names, then a family name: the usual shape
        role_seq = tuple("g" if i < n - 1 else "f" for i in range(n))
    originals = tuple(k.upper() if rng.random() < 0.8 else k.capitalize() for k in keys)
    return NameForm(tuple(keys), originals, 0, role_seq, abjad=rng.random() < 0.15)


def _mutate(rng: random.Random, f: NameForm) -> NameForm:
    """Another form of (maybe) the same name: parts dropped, swapped, joined or misspelt."""
    keys, roles = list(f.keys), list(f.roles)
    for _ in range(rng.randint(0, 3)):
        op = rng.random()
        if op < 0.25 and len(keys) > 1:
            i = rng.randrange(len(keys))
            del keys[i], roles[i]
        elif op < 0.5 and len(keys) > 1:
            i, j = rng.sample(range(len(keys)), 2)
            keys[i], keys[j] = keys[j], keys[i]
        elif op < 0.65 and len(keys) > 1:
            i = rng.randrange(len(keys) - 1)
            keys[i:i + 2] = [keys[i] + keys[i + 1]]
            roles[i:i + 2] = [roles[i]]
        elif keys:
            i = rng.randrange(len(keys))
            k = keys[i]
            j = rng.randrange(len(k))
            keys[i] = k[:j] + rng.choice("aeioubdkmst") + k[j + 1:]
    if not keys:
        return f
    return NameForm(tuple(keys), tuple(k.upper() for k in keys), 1, tuple(roles), abjad=rng.random() < 0.1)


def test_alignments_are_the_reference_s_on_random_names() -> None:
    """Scores to the last bit, the same pairs (words shown in the reason), parts counted, units
    and whether the names disagree in a part."""
    fast = _fast()
    rng = random.Random(11)
    for _ in range(6000):
        q = _form(rng, "gf?p")
        c = _mutate(rng, q) if rng.random() < 0.7 else _form(rng, "gf?p")
        if rng.random() < 0.5:
            q, c = c, q
        want = align(q, c)
        got = fast.align(_core._form(q), _core._form(c))
        assert got[0] == want.score, (q, c)
        assert got[1] == want.pairs, (q, c)
        assert got[2] == want.matched, (q, c)
        assert [tuple(sorted(u)) for u in want.units] == got[3], (q, c)
        assert got[4] == want.conflict, (q, c)


def _hits(m: Matcher, events: list[Any], compiled: bool) -> list[list[tuple[str, float, str, tuple[str, ...]]]]:
    m.compiled = compiled
    return [[(h.notice_id, h.score, h.band, tuple(h.reasons)) for h in m.screen(e)] for e in events]


def _assert_same_hits(notices: list[schemas.WantedPerson], events: list[Any], withdraw: int = 0) -> int:
    """Screen ``events`` on the Python reference (its index a Python dict) and on the compiled core
    (its index the native table), each matcher given the same ``notices`` in turn; with
    ``withdraw``, every ``withdraw``-th notice is then withdrawn and every other one of those
    upserted again (slots die, postings are compacted, new slots are added)."""
    ref, got = Matcher(compiled=False), Matcher(compiled=True)
    for m in (ref, got):
        for n in notices:
            m.upsert(n)
        for i, n in enumerate(notices[::withdraw] if withdraw else []):
            m.remove(n.notice_id)
            if i % 2:
                m.upsert(n)
    assert isinstance(ref._index.postings, dict) and not isinstance(got._index.postings, dict)
    want, have = _hits(ref, events, False), _hits(got, events, True)
    diff = [i for i, (a, b) in enumerate(zip(want, have, strict=True)) if a != b]
    assert not diff, f"{len(diff)} events differ, first: {want[diff[0]]} vs {have[diff[0]]}"
    return sum(map(len, want))


def test_same_hits_on_30000_bench_events() -> None:
    """The bench's list (syllable names, Cyrillic aliases, passports) and its event mix:
    innocent travellers, sightings with typos and swapped order, tips naming someone in text."""
    _fast()
    raw = matching_bench.make_wanted(10_000)
    notices = [schemas.WantedPerson.model_validate(w) for w in raw[:-1]]
    events = [schemas.EVENT_ADAPTER.validate_python(e) for e in matching_bench.make_events(raw, 30_000)]
    assert _assert_same_hits(notices, events) > 5000


def test_same_hits_after_notices_are_withdrawn_and_listed_again() -> None:
    """Withdrawals kill slots and compact postings lazily; the native table must follow the
    Python dict's rules exactly, or document frequencies (and so scores) would drift apart."""
    _fast()
    raw = matching_bench.make_wanted(4000, seed=7)
    notices = [schemas.WantedPerson.model_validate(w) for w in raw[:-1]]
    events = [schemas.EVENT_ADAPTER.validate_python(e) for e in matching_bench.make_events(raw, 4000, seed=8)]
    assert _assert_same_hits(notices, events, withdraw=3) > 500


def _load(d: Path) -> tuple[list[schemas.WantedPerson], list[Any]]:
    notices = [schemas.WantedPerson.model_validate_json(line) for line in (d / "wanted.jsonl").read_text().splitlines()]
    events = [schemas.EVENT_ADAPTER.validate_json(line) for line in (d / "events.jsonl").read_text().splitlines()]
    return notices, events


def test_same_hits_on_an_evaluation_set_of_21_cultures_and_their_scripts(tmp_path: Path) -> None:
    """tools/evalgen with its extra cultures: Arabic, Hebrew, Cyrillic, Han, kana, Hangul,
    Ethiopic and Persian notices; patronymic chains; initials; mononyms; tips in native script."""
    _fast()
    subprocess.run([sys.executable, str(ROOT / "tools" / "evalgen" / "gen_eval.py"), "--seed", "31", "--out",
                    str(tmp_path), "--wanted", "1500", "--events", "6000", "--extra-cultures"],
                   check=True, capture_output=True)
    notices, events = _load(tmp_path)
    assert _assert_same_hits(notices, events) > 1000


@pytest.mark.skipif(not os.environ.get("FUGITIVE_ALERTS_DEV_SET"),
                    reason="set FUGITIVE_ALERTS_DEV_SET to a labelled dev set's directory to compare on it too")
def test_same_hits_on_the_dev_set() -> None:
    _fast()
    notices, events = _load(Path(os.environ["FUGITIVE_ALERTS_DEV_SET"]))
    assert _assert_same_hits(notices, events) > 0


def test_common_name_candidates_in_the_reference_order() -> None:
    """Forty namesakes, more than a matcher scores: the core keeps the same 24 (document
    holders first, then by votes, then by slot), with the far-birth-year cut applied alike."""
    _fast()
    m = Matcher()
    for i in range(40):
        m.upsert(person("Haddad", "Karim Nabil" if i % 3 else "Karim", dob=f"{1950 + i}-01-0{1 + i % 9}",
                        nationalities=["LB"], nid=f"n{i}",
                        documents=[{"type": "passport", "number": "LB77031", "country": "LB"}] if i == 37 else []))
    event = traveller("KARIM", "HADDAD", dob="1961-05-05", nationality="LB", doc=("LB77031", "LB"))
    q = query_of(event)
    qk = query_keys(q.forms)
    assert q.doc is not None
    qk.docs.add(key_id("d:" + q.doc[0]))  # as Matcher.screen_query does
    index = m._index
    for years in (None, (1950, 1972)):
        ref = [e.notice_id for e in index.candidates(qk, 24, years)]
        got = [e.notice_id for e in index.candidates(qk, 24, years, compiled=True)]
        assert got == ref and len(ref) == 24
        assert ref[0] == "n37"  # the document holder


def test_an_empty_list_screens_to_no_hit_in_the_core() -> None:
    """A worker screens before its list is loaded, and a list may be empty: the index's years array
    then has no buffer to read, which is no error."""
    _fast()
    m = Matcher()
    event = traveller("KARIM", "HADDAD", dob="1961-05-05", nationality="LB")
    assert m.compiled and len(m._index.born) == 0
    assert m.screen(event) == []
    qk = query_keys(query_of(event).forms)
    assert m._index.candidates(qk, 24, (1950, 1970), compiled=True) == []


def test_the_birth_years_the_core_ranks_by_follow_the_entries() -> None:
    """The core ranks a long candidate list by birth years it reads from ``CandidateIndex.born``,
    not from each entry: after notices are listed, withdrawn and listed again, the array holds
    each slot's years (none, or removed, by their markers), and the core keeps the reference's 24."""
    _fast()
    m = Matcher()
    dobs: list[str | list[str] | None] = ["1961-05-05", "1958", None, ["1960", "1963-02-01"], "1975-12-31"]
    for i in range(45):
        m.upsert(person("Haddad", "Karim", dob=dobs[i % 5], nationalities=["LB"], nid=f"n{i}"))
    for i in range(0, 45, 4):
        m.remove(f"n{i}")
    m.upsert(person("Haddad", "Karim", dob="1962", nationalities=["LB"], nid="n8"))  # listed again: a new slot
    index = m._index
    assert len(index.born) == 2 * len(index.live)
    for slot, e in enumerate(index.live):
        want = (NO_YEARS, 1) if e is None else e.years or (NO_YEARS, 0)
        assert tuple(index.born[2 * slot:2 * slot + 2]) == want, slot
    qk = query_keys(query_of(traveller("KARIM", "HADDAD", dob="1961-05-05", nationality="LB")).forms)
    for years in (None, (1950, 1964), (1959, 1961)):
        ref = [e.notice_id for e in index.candidates(qk, 24, years)]
        got = [e.notice_id for e in index.candidates(qk, 24, years, compiled=True)]
        assert got == ref and ref, years


def test_a_name_too_long_for_the_core_is_aligned_by_the_reference() -> None:
    """More name parts than the core's bit sets hold (nonsense input) still screens, the same
    way both ways, instead of failing the event."""
    _fast()
    m = Matcher()
    m.upsert(person("Vareno", "Tamsin", dob="1970-02-03", nid="long"))
    name = " ".join(["TAMSIN"] + ["BDFGKLMNPRSTVZ"[i % 14] for i in range(70)])  # 71 parts, 146 letters
    event = traveller(name, "VARENO", dob="1970-02-03")
    assert _hits(m, [event], True) == _hits(m, [event], False)


def test_json_of_hits_is_byte_identical(tmp_path: Path) -> None:
    """What ``fugitive-alerts screen`` writes (scores, reasons, probabilities), both ways."""
    _fast()
    raw = matching_bench.make_wanted(2000, seed=3)
    (tmp_path / "wanted.jsonl").write_text("".join(json.dumps(w) + "\n" for w in raw[:-1]))  # [-1]: name pools
    (tmp_path / "events.jsonl").write_text(
        "".join(json.dumps(e, default=str) + "\n" for e in matching_bench.make_events(raw, 3000, seed=5)))
    reference, compiled = screen_both_ways(tmp_path / "wanted.jsonl", tmp_path / "events.jsonl", tmp_path)
    assert reference == compiled and reference.count(b"\n") > 300


def test_the_environment_chooses_the_reference_and_a_typo_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _fast()
    monkeypatch.setenv("FUGITIVE_ALERTS_MATCHING_CORE", "python")
    assert Matcher().compiled is False
    assert schemas.Settings().matching_core == "python"
    monkeypatch.setenv("FUGITIVE_ALERTS_MATCHING_CORE", "pyhton")
    with pytest.raises(ValueError, match="'compiled' or 'python'"):
        Matcher()


def test_a_panic_in_the_core_is_an_exception_the_worker_survives() -> None:
    """PyO3 raises a panic as ``PanicException``, a ``BaseException`` that would stop the worker;
    the core turns it into ``RuntimeError``."""
    fast = _fast()
    with pytest.raises(RuntimeError, match="panic"):
        fast.panic_for_test()


class _BrokenCore:
    """The core's interface, failing as a panic does (``RuntimeError``)."""

    def __getattr__(self, name: str) -> Any:
        real = getattr(_fast(), name)
        if name in ("best_alignment", "candidates"):
            def fail(*args: Any) -> Any:
                raise RuntimeError("the compiled matching core failed (a panic)")
            return fail
        return real


def test_when_the_core_fails_the_reference_answers_with_the_same_hits(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = matching_bench.make_wanted(3000, seed=5)
    m = Matcher()
    for w in raw[:-1]:
        m.upsert(schemas.WantedPerson.model_validate(w))
    events = [schemas.EVENT_ADAPTER.validate_python(e) for e in matching_bench.make_events(raw, 300, seed=9)]
    want = _hits(m, events, False)
    monkeypatch.setattr(_core, "_FAST", _BrokenCore())
    before = _core.FAILURES
    with pytest.warns(RuntimeWarning, match="the Python reference answered"):
        got = _hits(m, events, True)
    assert got == want and sum(map(len, want)) > 50
    assert before < _core.FAILURES
