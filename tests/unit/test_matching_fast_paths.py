"""The matcher's fast paths skip only work that cannot change the result.

Each fast path tests for a literal before running a regular expression or a rewrite (``abd``
before the ``Abd al-`` expression, a doubled letter before squeezing ...). These properties hold
the guards to the expressions and tables they guard: edit one so that it can match without its
literal, and a test here fails instead of a rule silently not applying.
"""

from __future__ import annotations

from itertools import combinations, groupby

from hypothesis import given
from hypothesis import strategies as st

from matching import _documents, _short_parts, _text
from matching._text import PARTICLES

# letters, separators and the characters the guarded expressions look for
_NAMEISH = st.text(alphabet="abdeklous -/'`cxhy", max_size=24)
_ANY = st.text(max_size=24)
# names built from the pieces the rewrites look for ("abd", articles, relation markers)
_PIECES = st.lists(st.sampled_from(["abd", "abdel", "abdul", "abdou", "al", "el", "ul", "a", "e", "ou", "l",
                                    "rahman", "hassan", " ", "-", "s/o", "a/l", "x"]), max_size=8).map("".join)


@given(st.one_of(_PIECES, _NAMEISH))
def test_preprocess_matches_the_unguarded_rewrites(s: str) -> None:
    """``preprocess`` gives what its three rewrites give when run on every name."""
    full = _text._RELATION.sub(" bin ", s).replace("-", " ")
    full = _text._ARTICLE.sub(r"\1 ", _text._ABD.sub("abdal ", full))
    assert _text.preprocess(s) == full


@given(st.one_of(_PIECES, _NAMEISH, _ANY))
def test_the_regex_guards_need_their_literal(s: str) -> None:
    """An expression skipped for want of its literal has nothing to match."""
    if "abd" not in s:
        assert _text._ABD.search(s) is None
    if "l " not in s and "-" not in s:
        assert _text._ARTICLE.search(s) is None
    if "c" not in s:
        assert _text._HARD_C.search(s) is None


@given(st.one_of(_NAMEISH, _ANY))
def test_squeeze_writes_doubled_letters_once(s: str) -> None:
    assert _text.squeeze(s) == "".join(ch for ch, _ in groupby(s))


@given(st.one_of(_NAMEISH, _ANY))
def test_fold_ascii_of_plain_ascii_is_its_lower_case(s: str) -> None:
    """The fold's table changes one ASCII character only, the backtick: other ASCII text is lower-cased as it is."""
    if s.isascii() and "`" not in s:
        assert s.translate(_text._PRE_FOLD) == s
        assert _text.fold_ascii(s) == s.lower()
    ascii_keys = [chr(k) for k in _text._PRE_FOLD if k < 128]
    assert ascii_keys == ["`"]


@given(st.one_of(st.text(alphabet="ab12 -/.xß", max_size=12), _ANY))
def test_doc_key_drops_separators(number: str) -> None:
    assert _documents.doc_key(number) == _documents._SEP.sub("", number.upper())


_KEYS = st.lists(st.text(alphabet="abhlmst", min_size=1, max_size=4), min_size=1, max_size=6)


@given(_KEYS, st.data())
def test_skeleton_pairs_are_every_pair_with_a_one_letter_skeleton(keys: list[str], data: st.DataObject) -> None:
    """The early return (no one-letter skeleton) gives what the pairing gives."""
    cons = [data.draw(st.text(alphabet="bhlmst", max_size=3)) for _ in keys]
    skels = sorted({c.replace("b", "") for k, c in zip(keys[:8], cons[:8], strict=False)
                    if len(k) >= 2 and k not in PARTICLES} - {""})
    expected = ["y:" + a + "|" + b for a, b in combinations(skels, 2) if len(a) < 2 or len(b) < 2]
    assert _short_parts.skeleton_pair_keys(tuple(keys), tuple(cons)) == expected


@given(st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=6), min_size=1, max_size=300))
def test_the_caches_give_the_same_keys_full_or_not(words: list[str]) -> None:
    """``token_key`` and ``consonant_key`` answer from a dict that loses its older half when full
    (``make_room``): the same answers as computed afresh, whatever was dropped."""
    for word in words:
        _text.make_room(_text._TOKEN_KEYS, 8)  # as a full cache would be cut, between any two calls
        assert _text.token_key(word) == _text._token_key(word)
        assert _text.consonant_key(_text.token_key(word)) == _text.consonant_key(_text._token_key(word))


def test_a_full_cache_keeps_its_newer_half() -> None:
    cache = {n: str(n) for n in range(10)}
    _text.make_room(cache, 11)
    assert list(cache) == list(range(10))
    _text.make_room(cache, 10)
    assert list(cache) == [5, 6, 7, 8, 9]
