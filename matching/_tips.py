"""Names inside a tip's free text, in any language or script.

The text is split into words; each word is romanised and keyed like a name token. A word is
*name-like* when its key (or consonant skeleton, or that skeleton among the skeletons of notices
written in an abjad: ``Hoda`` ~ ``هدى``) is a key of the index, i.e. some notice has such a name
part, and, in a cased script (Latin, Cyrillic, Greek...), it is capitalised.
A name is a *run* of capitalised words and particles, ended by punctuation or an ordinary
lower-case word, trimmed to start and end on name-like words. A run of 2 to 6 words becomes
one candidate ``NameForm`` (extra words then cost as unmatched tokens, so "Amine Ayoub Touati"
is not "Ayoub Touati"); a longer run (an uncased script has no capitals) yields windows of 2
to 4 words, and, in a cased script, where capitals mark a name off, up to 10 words are also one
form (``Torquato Francisco De Borja Dos Santos Nascimento``). The ordinary name rule then
aligns the forms with the notices' names.

A text typed without any capitals (an SMS, a web form) has no capitals to tell names: there a
run is made of name-like words only, and a run of three or more also yields its windows of 2 to
4 words (an ordinary word may be a listed name part: ``rents`` keys as ``Rentz``). A family name
in capitals followed by a comma (``DOBRESCU, Mihail``, as police reports write it) does not end
the run.

A name written in Han, kana or Hangul inside the text (``Caller says 山田太郎 is staying...``,
``김민준``) is a run of two to six such characters between other text, with at most one space
(``山田 太郎``). It is read as the subject's full name would be (``_features.name_forms``: the
Korean surname split, Japanese readings, Wade–Giles), because the word-by-word reading above
has no Japanese or Korean reading and splits every Han run after its first character. A tip
written wholly in Chinese, Japanese or Korean, with names inside sentences, is not split into
words (a known limit).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

from ._abjad import abjad_readings, persian_readings
from ._ethiopic import ethiopic_readings
from ._features import name_forms
from ._index import abjad_key
from ._names import NameForm
from ._spellings import letter_systems, respell
from ._text import PARTICLES, consonant_key, is_abjad, preprocess, romanise, token_key, words

__all__ = ["cjk_forms", "text_forms"]

# letters plus combining marks (Indic and Thai vowel signs, Arabic harakat, Hebrew points)
_L = (r"(?:[^\W\d_]|[\u0300-\u036F\u0483-\u0489\u0591-\u05C7\u0610-\u061A\u064B-\u065F\u0670"
      r"\u06D6-\u06ED\u0900-\u0DFF\u0E31-\u0E4E\u1AB0-\u1AFF\u1DC0-\u1DFF\u3099\u309A])")
_WORD_RE = re.compile(rf"{_L}+(?:['’ʼ-]{_L}+)*", re.UNICODE)
_MAX_WORDS = 400
_MAX_WINDOW = 4
_MAX_RUN = 6
_MAX_CASED_RUN = 10
_CJK = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3]"
_CJK_NAME_RE = re.compile(rf"(?<!{_CJK})(?:{_CJK}{{2,6}}|{_CJK}{{1,4}} {_CJK}{{1,4}})(?! ?{_CJK})")
_GEORGIAN = ("\u10d0", "\u10ff")
"""Mkhedruli, the Georgian alphabet in use: Unicode gives it capitals (Mtavruli) since 11.0,
but names are written without them, so it counts as an uncased script."""


_ARTICLES = frozenset({"al", "el"})


class _Frequencies(Protocol):
    def get(self, key: str, default: int = 0) -> int: ...


def _pieces(word: str) -> list[str]:
    """A run of Han characters is written without spaces: split the surname (first character)."""
    if 2 <= len(word) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in word):
        return [word[0], word[1:]]
    return [word]


def text_forms(text: str, df: _Frequencies, max_df: int,
               rare_df: int = 0) -> tuple[tuple[NameForm, ...], tuple[str, ...]]:
    """Candidate name forms found in ``text`` (see module docstring), and the *anchors*: keys
    of rare name parts (at most ``rare_df`` holders) found alone next to an unknown
    capitalised word. Such a word may be a misspelt part ("Frederick Gerbbed"): the pair
    becomes a form marked ``derived``, compared with the holders of the anchor only."""
    runs: list[list[tuple[str, tuple[str, ...], bool]]] = []
    run: list[tuple[str, tuple[str, ...], bool]] = []
    last_end = 0
    lower = text == text.lower() and text != text.upper()  # typed without capitals
    for count, m in enumerate(_WORD_RE.finditer(text)):
        if count >= _MAX_WORDS:
            break
        gap = text[last_end:m.start()]
        last_end = m.end()
        if gap.strip() and run and not (gap.strip() == "," and len(run) == 1 and _surname_first(run[0][0])):
            runs.append(run)  # punctuation ends a name (but not the comma of "DOBRESCU, Mihail")
            run = []
        for piece in _pieces(m.group()):
            tok = _token(piece, df, max_df, lower)
            if tok is None:  # an ordinary lower-case word ends a name
                if run:
                    runs.append(run)
                    run = []
                continue
            run.append(tok)
    if run:
        runs.append(run)
    forms: list[NameForm] = []
    anchors: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for full in runs:
        # strip leading/trailing words that are not names (sentence-initial capitals, particles)
        at, end = 0, len(full)
        while at < end and not full[at][2]:
            at += 1
        while end > at and not full[end - 1][2]:
            end -= 1
        run = full[at:end]
        extended = False
        if len(run) == 1 and len(full) > 1 and 0 < df.get("t:" + run[0][1][0], 0) <= rare_df:
            anchors.append(run[0][1][0])
            run = [t for t in full[max(0, at - 1):at + 2] if t[1][0] not in PARTICLES]
            extended = True
        if len(run) < 2:
            continue
        windows = [(i, j) for i in range(len(run)) for j in range(i + 2, min(len(run), i + _MAX_WINDOW) + 1)
                   if run[i][2] and run[j - 1][2]]
        if len(run) > _MAX_RUN:
            spans = windows
            if len(run) <= _MAX_CASED_RUN and all(t[0].lower() != t[0].upper() for t in run):
                spans = [(0, len(run)), *windows]  # capitals mark it off: a long name (dos Santos...)
        elif lower and len(run) > 2:  # without capitals an ordinary word ("rents") may join the name
            spans = [(0, len(run)), *windows]
        else:
            spans = [(0, len(run))]
        for i, j in spans:
            window = run[i:j]
            n_render = max(len(t[1]) for t in window)
            for v in range(n_render):
                keys = tuple(t[1][min(v, len(t[1]) - 1)] for t in window)
                if keys in seen:
                    continue
                seen.add(keys)
                origs = tuple(t[0] for t in window)
                forms.append(NameForm(keys, origs, 0, None, any(is_abjad(o) for o in origs), derived=extended))
    return tuple(forms), tuple(anchors)


def cjk_forms(text: str) -> tuple[NameForm, ...]:
    """Forms of the names written in Han, kana or Hangul inside ``text`` (module docstring),
    read as a subject's full name is. Every such form also looks up candidates, the guessed
    kanji readings included, as they do for a subject's name."""
    if text.isascii():  # no Han, kana or Hangul to find (most tips): skip the expression's scan
        return ()
    forms: list[NameForm] = []
    seen: set[tuple[str, ...]] = set()
    for m in _CJK_NAME_RE.finditer(text):
        for f in name_forms(None, None, m.group(), None):
            if f.keys not in seen:
                seen.add(f.keys)
                forms.append(f)
    return tuple(forms)


def _surname_first(word: str) -> bool:
    """A family name written first in capitals, then a comma (``DOBRESCU, Mihail``), as police
    reports and notices write it."""
    return len(word) >= 2 and word.isupper()


@lru_cache(maxsize=100_000)
def _word_keys(word: str) -> tuple[str, ...]:
    """A tip word's keys, one per rendering (cached: tips repeat their ordinary words)."""
    keys: list[str] = []
    # an Arabic, Hebrew or Ethiopic word also in the letter tables' readings, as notices are
    # (``_abjad``, ``_ethiopic``); an Arabic-script word in Persian letter values too (a tip
    # gives no nationality to tell a Persian name); a word with ``Đ`` or ``ə`` also in its second
    # spelling (``_spellings``)
    tables = () if word.isascii() else tuple(
        reading for _, reading in (*abjad_readings(word), *persian_readings(word), *ethiopic_readings(word))) + tuple(
        r for system in letter_systems(word, None) for r in romanise(respell(word, system)))
    for r in (*romanise(word), *tables):
        ws = words(preprocess(r))
        if ws:
            k = token_key(ws[0]) if len(ws) == 1 else token_key("".join(ws))
            if k not in keys:
                keys.append(k)
            if len(ws) == 2 and ws[0] in _ARTICLES:  # المنصوري read "al mansuri": also Mansouri
                k = token_key(ws[1])
                if k not in keys:
                    keys.append(k)
    return tuple(keys)


def _token(word: str, df: _Frequencies, max_df: int,
           lower: bool = False) -> tuple[str, tuple[str, ...], bool] | None:
    """(original, keys per rendering, name-like), or None for a word that cannot be in a name.
    In a text typed without capitals (``lower``), a word is in a name only when it is
    name-like."""
    cased = word[0].lower() != word[0].upper() and not _GEORGIAN[0] <= word[0] <= _GEORGIAN[1]
    capital = not cased or word[0].isupper() or lower
    keys = _word_keys(word)
    if not keys:
        return None
    if not capital:
        return (word, keys, False) if keys[0] in PARTICLES else None
    for k in keys:
        if len(k) < 2:
            continue
        n = df.get("t:" + k, 0)
        c = consonant_key(k)
        if 0 < n <= max_df or (len(c) >= 3 and 0 < df.get("c:" + c, 0) <= max_df) or (
                (a := abjad_key(c)) and 0 < df.get(a, 0) <= max_df):
            return (word, keys, True)  # the last: as an abjad notice holds it (``Hoda`` ~ ``هدى``)
    return None if lower and cased else (word, keys, False)
