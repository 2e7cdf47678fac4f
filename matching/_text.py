"""Text normalisation: any script to comparable Latin keys.

Three layers, each a pure function with a cache (names repeat a lot):

* ``romanise(text)``: every plausible Latin rendering of a string. Latin input is folded to
  ASCII (diacritics stripped, ``ß``→``ss``, ``Ø``→``O``, ``ə``→``e``); non-Latin input goes
  through PyICU, once per romanisation standard we know for its script (e.g. Cyrillic via
  BGN/PCGN and via ISO-9-like ``Any-Latin``; Han via ``Han-Latin/Names`` with each word's
  syllables joined, as pinyin writes given names).
* ``token_key(token)``: a *canonical skeleton* of one lower-case ASCII word that collapses
  the differences between romanisation standards and the ICAO 9303 expansions
  (``ae/oe/ue``→``a/o/u``, ``kh``→``h``, ``sch/sz``→``sh``, ``w``→``v``, ``y/j``→``i``,
  ``ou``→``u``, doubled letters single...). The same function runs on both sides, so a
  collision only has to be consistent, not linguistically right.
* ``consonant_key(key)``: the key without vowels: what survives abjad scripts (Arabic,
  Hebrew: ``محمد`` → ``mhmd`` = ``Muhammad`` → ``mhmd``) and vowel spelling variants.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import groupby, islice
from typing import Any

import icu

__all__ = ["romanise", "words", "token_key", "join_keys", "consonant_key", "fold_ascii", "is_abjad", "is_indic",
           "preprocess", "squeeze", "PARTICLES"]

_ANY = "Any-Latin; Latin-ASCII"
# Script name (unicodedata prefix) -> ICU transliterator ids, most common standard first.
_BY_SCRIPT: dict[str, tuple[str, ...]] = {
    "CYRILLIC": ("Russian-Latin/BGN", "Ukrainian-Latin/BGN", "Any-Latin"),
    "GREEK": ("Greek-Latin/UNGEGN", "Any-Latin"),
    "ARABIC": ("Any-Latin",),
    "HEBREW": ("Hebrew-Latin", "Any-Latin"),
    "CJK": ("Han-Latin/Names", "Any-Latin"),
    "HANGUL": ("Hangul-Latin",),
    "HIRAGANA": ("Any-Latin",),
    "KATAKANA": ("Katakana-Latin/BGN", "Any-Latin"),
    "ARMENIAN": ("Armenian-Latin/BGN", "Any-Latin"),
    "ETHIOPIC": ("Amharic-Latin/BGN", "Any-Latin"),
    "DEVANAGARI": ("Any-Latin",),
    "BENGALI": ("Any-Latin",),
    "THAI": ("Any-Latin",),
}
# Scripts whose romanisation writes an inherent vowel the name does not pronounce ("kirana").
_INDIC = {"DEVANAGARI", "BENGALI"}
_PRE_FOLD = str.maketrans({"ß": "ss", "ẞ": "SS", "ə": "e", "Ə": "E", "ı": "i", "ø": "o", "Ø": "O",
                           "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "AE", "œ": "oe",
                           "Œ": "OE", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D", "’": "'", "ʻ": "'",
                           "ʼ": "'", "ʿ": "'", "ʾ": "'", "`": "'", "‘": "'"})
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼʿʾ`‘][^\W\d_]+)*", re.UNICODE)

PARTICLES = frozenset({
    "al", "el", "ul", "bin", "uld", "abu", "da", "de", "del", "della", "der", "di", "do", "dos",
    "das", "du", "la", "le", "van", "von", "den", "ter", "ten", "y", "i", "e", "bat", "ben", "ibn", "bint",
})
"""Name particles (after ``token_key``): an unmatched particle costs little."""


@lru_cache(maxsize=64)
def _translit(ident: str) -> icu.Transliterator:
    return icu.Transliterator.createInstance(ident + "; " + _ANY if ident != "Any-Latin" else _ANY)


def _script_of(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else ""


def _scripts(text: str) -> set[str]:
    if text.isascii():
        return set()
    return {_script_of(ch) for ch in text if ch.isalpha() and ord(ch) > 0x24F}


_ABJADS = {"ARABIC", "HEBREW", "SYRIAC", "THAI"}


def is_abjad(text: str) -> bool:
    """Written in a script whose romanisation leaves vowels out or unreliable (Arabic, Hebrew;
    Thai, which ICU romanises letter by letter)."""
    return bool(_scripts(text) & _ABJADS)


def is_latin(text: str) -> bool:
    """Written in the Latin script only (with any diacritics: ``Hương``, ``Çelik``)."""
    return _scripts(text) <= {"LATIN"}


def is_indic(text: str) -> bool:
    """Written in a Brahmic script whose romanisation writes inherent vowels (Devanagari,
    Bengali)."""
    return bool(_scripts(text) & _INDIC)


def fold_ascii(text: str) -> str:
    """Latin text to lower-case ASCII: diacritics stripped, special letters expanded."""
    if text.isascii() and "`" not in text:  # nothing for _PRE_FOLD to do (its one ASCII entry is "`")
        return text.lower()
    text = text.translate(_PRE_FOLD)
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if not stripped.isascii():
        stripped = _translit("Any-Latin").transliterate(stripped)
    return stripped.lower()


def _romanise_word(word: str, ident: str, indic: bool) -> str:
    out = _translit(ident).transliterate(word)
    out = "".join(out.split())  # Han: one syllable per character; a word is one name part
    out = fold_ascii(out)
    if indic and len(out) > 3 and out.endswith("a"):
        out = out[:-1]  # schwa deletion: "kirana" -> "kiran"
    return out


@lru_cache(maxsize=200_000)
def romanise(text: str) -> tuple[str, ...]:
    """All Latin renderings of ``text`` (lower-case ASCII, words kept apart by spaces)."""
    text = unicodedata.normalize("NFKC", text)
    scripts = _scripts(text)
    if not scripts:
        return (fold_ascii(text),)
    idents: list[tuple[str, bool]] = []
    for script in sorted(scripts):
        for ident in _BY_SCRIPT.get(script, ("Any-Latin",)):
            idents.append((ident, script in _INDIC))
    outputs: list[str] = []
    arabic = "ARABIC" in scripts
    for ident, indic in idents or [("Any-Latin", False)]:
        rendered = " ".join(
            _romanise_word(w, ident, indic) if _scripts(w) else fold_ascii(w) for w in text.split()
        )
        if arabic:  # the article is written joined in Arabic script: "الحربي" -> "al hrby"
            rendered = _ARABIC_ARTICLE.sub("al ", rendered)
        if rendered not in outputs:
            outputs.append(rendered)
    return tuple(outputs)


def words(text: str) -> list[str]:
    """Split a lower-case ASCII rendering into name words (hyphens split, apostrophes join)."""
    return [w.replace("'", "") for w in _WORD.findall(text)]


_ARABIC_ARTICLE = re.compile(r"\b[ae]l(?=[a-z]{3})")
_ABD = re.compile(r"\babd\s*(?:a|e|u|ou|oul)l\b\s*|\babd(?:a|e|u|ou)l(?=\w)")
_ARTICLE = re.compile(r"\b([ae]l)[- ]")


_RELATION = re.compile(r"\b[asdw]/[lpo]\b")
"""``a/l``, ``a/p`` (anak lelaki/perempuan), ``s/o``, ``d/o``, ``w/o``: "son/daughter/wife of"
between a person's name and the father's (or husband's) on Malaysian, Singaporean and Indian
documents. Read as the particle ``bin``, so the two letters are neither name parts nor initials."""


def preprocess(rendered: str) -> str:
    """Whole-name rewrites before splitting: Arabic ``Abd al-``/``Abdel``/``Abdul`` -> ``abdal``;
    a relation marker (``a/l``, ``s/o``) -> ``bin``."""
    if "/" in rendered:
        rendered = _RELATION.sub(" bin ", rendered)
    rendered = rendered.replace("-", " ")
    if "abd" in rendered:  # every match of _ABD holds it
        rendered = _ABD.sub("abdal ", rendered)
    if "l " in rendered:  # every match of _ARTICLE holds it (hyphens are spaces by now)
        rendered = _ARTICLE.sub(r"\1 ", rendered)
    return rendered


_REWRITES: tuple[tuple[str, str], ...] = (
    ("tsch", "ch"), ("szcz", "shch"), ("sch", "sh"), ("tch", "ch"), ("dzh", "j"), ("dj", "j"),
    ("sz", "sh"), ("cz", "ch"), ("ch", "sh"), ("zh", "z"), ("q", "k"), ("kh", "h"), ("gh", "g"),
    ("ph", "f"), ("th", "t"), ("dh", "d"), ("ck", "k"), ("ks", "x"), ("tz", "c"), ("ts", "c"),
    ("hs", "x"), ("w", "v"), ("y", "i"), ("ae", "a"), ("oe", "o"), ("ue", "u"), ("ou", "u"),
    ("oo", "u"), ("ee", "i"),
)
_WHOLE_TOKEN = {"ibni": "ibn", "ould": "uld", "vuld": "uld", "veld": "uld", "bin": "ben",
                "bn": "ben", "abn": "ibn", "bnt": "bint", "binti": "bint", "bte": "bint", "bt": "bint",
                "md": "mohamad", "mohd": "mohamad", "muhd": "mohamad", "mhd": "mohamad"}
"""Whole-word keys; ``bn``/``abn``/``bnt`` are how ICU writes Arabic ``بن``/``ابن``/``بنت``;
``binti``/``bte``/``bt`` how Malaysian and Singaporean documents write "daughter of"; ``MD``,
``MOHD``, ``MUHD``, ``MHD`` the usual abbreviations of Muhammad on Bangladeshi, Malaysian and
other documents (``MD RAFIQUL ISLAM``), read as the name they stand for."""


_J_GLIDE = re.compile(r"(?<=[aeiouy])j|(?<=[b-df-hk-np-tv-xz])j(?=[aeiou])")
"""``j`` for the glide /j/ (``y``): after a vowel (``Sulejmenov``, and ``Belhaj`` as keyed
after ``dj``->``j``), or between a consonant and a vowel (``Ilja``, ``Baljuk``, ``Mar'jan``)."""
_HARD_C = re.compile(r"c(?![eihyz])")  # Carlos/Karlos, Dicson/Dikson (cz, ch, ce, ci stay)


_SYLLABLES_IN_OU = frozenset({
    "ou", "pou", "mou", "fou", "dou", "tou", "nou", "lou", "gou", "kou", "hou", "zhou", "chou", "shou",
    "rou", "zou", "cou", "sou", "you", "jou", "tsou", "tzou",
})
"""Pinyin (and Wade–Giles) syllables in ``ou``, each a word of its own as a Chinese family name is
written. There ``ou`` and ``u`` are different finals, and different names: 周 ``Zhou`` and 朱
``Zhu``, 侯 ``Hou`` and 胡 ``Hu``, 尤 ``You`` and 于 ``Yu``. So such a word keeps its ``ou``; in
any other word ``ou`` is ``u`` (``Youssef``, ``Mouloud``, Greek ``ου``)."""


def make_room(cache: dict[Any, Any], size: int) -> None:
    """Makes room in a per-process cache of answers that has reached ``size`` entries: the older
    half goes (a dict keeps the order its entries came in).

    The matcher's per-event look-ups of words, keys and joins keep their answers in plain dicts
    rather than ``functools.lru_cache``: the compiled modules then read a dict directly instead of
    calling a wrapper that also reorders its entries on every hit (a few per cent of screening an
    event, docs/benchmarks.md). The answers are the same either way; a name in use since before the
    cut is computed once more."""
    if len(cache) >= size:
        for key in list(islice(cache, size // 2)):
            cache.pop(key, None)  # another thread may have made room already


_TOKEN_KEYS: dict[str, str] = {}


def token_key(word: str) -> str:
    """Canonical skeleton of one lower-case ASCII word (see module docstring; cached)."""
    key = _TOKEN_KEYS.get(word)
    if key is None:
        make_room(_TOKEN_KEYS, 500_000)
        key = _TOKEN_KEYS[word] = _token_key(word)
    return key


def _token_key(word: str) -> str:
    w = word.lower()
    keep_ou = w in _SYLLABLES_IN_OU
    if "c" in w:
        w = _HARD_C.sub("k", w)
    for src, dst in _REWRITES:
        if src in w and not (keep_ou and src == "ou"):
            w = w.replace(src, dst)
    if "j" in w:
        w = _J_GLIDE.sub("i", w)
    w = _WHOLE_TOKEN.get(w, w)
    if len(w) > 1 and w.endswith("h") and w[-2] in "aeiou":
        w = w[:-1]  # Fatimah/Fatima, Abdallah/Abdalla
    w = squeeze(w)
    if w.endswith(("ii", "ij")):
        w = w[:-1]
    return w


def join_keys(keys: Sequence[str]) -> list[str]:
    """The key of each two adjacent keys written together (``abdul`` + ``rahman``: a compound
    name split or joined in one spelling and not in the other)."""
    return [token_key(keys[i] + keys[i + 1]) for i in range(len(keys) - 1)]


_VOWELS = str.maketrans({"a": None, "e": None, "i": None, "o": None, "u": None,
                         "v": "b", "p": "f", "c": "s"})


_CONSONANT_KEYS: dict[str, str] = {}


def consonant_key(key: str) -> str:
    """``token_key`` without vowels and doubled consonants, and with the consonants abjads
    write alike merged (b/v, p/f, sh/s): ``muhamad`` -> ``mhmd``, ``avital`` -> ``btl``.

    A ``c`` that ``token_key`` left (a soft one: before e, i or y) is read as ``s``, as Romance
    languages say it and as Turkish ``ç`` (``ch``, merged with ``sh``) is near: ``celik`` ->
    ``slk`` like ``chelik``, not ``klk`` like ``kilik``. Read as ``k``, the ICAO spellings of two
    common Turkish surnames, ``ÇELIK`` and ``KILIÇ``, had the same skeleton and paired at 0.9."""
    skeleton = _CONSONANT_KEYS.get(key)
    if skeleton is None:
        make_room(_CONSONANT_KEYS, 500_000)
        skeleton = _CONSONANT_KEYS[key] = squeeze(key.replace("sh", "s").translate(_VOWELS))
    return skeleton


def squeeze(s: str) -> str:
    """Doubled letters written once: ``muhammad`` -> ``muhamad``."""
    if _DOUBLED.search(s) is None:
        return s
    return "".join(ch for ch, _ in groupby(s))


_DOUBLED = re.compile(r"(.)\1", re.DOTALL)
