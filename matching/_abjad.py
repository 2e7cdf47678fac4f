"""Arabic and Hebrew names read letter by letter into the spellings Latin documents use.

ICU's ``Any-Latin`` writes each letter of an abjad name as a scholar would (``عمر`` ->
``ʿmr``, ``فاطمة`` -> ``fạṭmẗ``, ``حسن`` -> ``ḥsn``), and after ASCII folding three things no
Latin spelling of the name shares are left:

* the ayin disappears, so ``Omar``/``Umar``/``Omer`` (skeleton ``mr``) face a two-letter key
  too short to compare, and ``Said``/``Saad`` lose their vowel;
* the ta marbuta (``ة``) is read ``t``, where passports write ``Fatima``/``Fatma``/``Noura``;
* two letters that happen to stand together are read as one Latin digraph by our token keys
  (``ح`` + ``س`` = ``hs``, ``ز`` + ``ه`` = ``zh``, ``د`` + ``ه`` = ``dh``), so ``حسن`` and
  ``Hassan``, ``الزهراني`` and ``Alzahrani``, ``דהן`` and ``Dahan`` no longer share a skeleton.

``abjad_readings`` adds one reading per word from a kept letter table (the common English and
French passport spellings of each letter, as in the ICAO Doc 9303 Part 3 transliteration
annex and the UN/BGN tables for Arabic and Hebrew): the ayin and the ta marbuta written as
``a``, waw and ya as the long vowels ``u``/``i`` after a letter (``أبو`` is ``abu``) and as
``w``/``y`` at the start of a word or before an alif, the joined article ``ال`` split off
(``al``), and a vowel written between two letters that would otherwise read as one digraph.
Hebrew names also get a reading with ``j`` for a word-initial yod, as English spellings write
it (``יעקב`` -> ``Jacob``, ``יוסף`` -> ``Joseph``) beside the ``y`` of Israeli passports.

Urdu and Pashto add letters of their own: retroflex ``ٹ ڈ ڑ`` (``ټ ډ ړ``) read ``t d r``,
``ہ`` (heh goal) as ``ه``, ``ے``/``ې`` as ``e``, Pashto ``ښ ږ ځ څ`` as ``sh zh z s``, and
Urdu's aspirate ``ھ`` as an ``h`` after the consonant it follows (``بھٹی`` -> ``bhti``, the
skeleton of ``Bhatti``). Without them such a word lost those letters and met no spelling.

Persian (and Dari, Tajik in Arabic script) gives some letters other sounds than Arabic: ``ض``,
``ذ`` and ``ظ`` are ``z`` (``رضا`` is ``Reza``, not ``Rida``), ``ث`` is ``s``, ``و`` between
vowels or at the start is ``v``, ``ق`` is ``gh``. ``persian_reading`` reads a word that way; a
name gets it beside the Arabic reading when one of its words has a letter only Persian uses
(``پ چ ژ گ ک`` or the Persian ``ی``) or its holder is of a Persian-speaking country
(``PERSIAN_COUNTRIES``). The Persian ``ی`` and the Arabic ``ي`` are one letter to both readings.

The short vowels are guesses; the comparison of abjad forms rests on the consonant skeleton
(``_names.token_similarity``), which this reading gets right where ICU's does not, and a Latin
word that spells the reading in full, writing in only short vowels, is the same word
(``_names.vocalises``: ``Khalid`` is ``خالد``, read ``khald``). For an
Arabic name the table's reading replaces ICU's (``_features.name_forms``; a second form per
name cost ~25% more screening CPU on an Arabic-heavy list), except when ICU's holds the
``hs`` that Latin spellings sometimes share (``Mohsen`` ~ ``محسن``); a Hebrew name keeps
ICU's beside the table's (``פרץ`` ~ ``Perez``, ``ו`` as ``v``). Tips read Arabic and Hebrew
words in the tables too (``_tips``).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ._nationality import holds

__all__ = ["ARABIC_TABLE", "HEBREW_TABLE", "HEBREW_J", "PERSIAN_COUNTRIES", "PERSIAN_TABLE", "abjad_readings",
           "arabic_reading", "hebrew_reading", "is_arabic", "is_persian", "persian_readings"]

ARABIC_TABLE = "Arabic letter table"
HEBREW_TABLE = "Hebrew letter table"
HEBREW_J = "Hebrew letter table, J for yod"
PERSIAN_TABLE = "Persian letter table"
PERSIAN_COUNTRIES = frozenset({"IR", "AF", "TJ"})
_PERSIAN_LETTERS = frozenset("پچژگکی")

_AR: dict[str, str] = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ئ": "i", "ؤ": "u", "ب": "b", "ت": "t",
    "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s",
    "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "a", "غ": "gh", "ف": "f", "ق": "q",
    "ك": "k", "ک": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a", "ى": "a", "پ": "p", "چ": "ch",
    "ژ": "zh", "گ": "g", "ی": "y",
    # Urdu: the retroflex letters, noon ghunna, heh goal, yeh barree
    "ٹ": "t", "ڈ": "d", "ڑ": "r", "ں": "n", "ہ": "h", "ۂ": "h", "ۃ": "a", "ے": "e", "ۓ": "e",
    # Pashto: the retroflex letters, and the letters for sounds Arabic lacks
    "ټ": "t", "ډ": "d", "ړ": "r", "ڼ": "n", "ښ": "sh", "ږ": "zh", "ځ": "z", "څ": "s", "ې": "e", "ۍ": "i",
}
_ASPIRATE = "ھ"
"""Urdu ``do-chashmi he``: the aspiration of the consonant before it (``بھٹی`` ``Bhatti``,
``تھ`` ``th``), written ``h`` straight after that consonant, never as a letter of its own."""
_FA: dict[str, str] = {**_AR, "ض": "z", "ذ": "z", "ظ": "z", "ث": "s", "ق": "gh", "ة": "e", "ى": "i"}
_HE: dict[str, str] = {
    "א": "a", "ב": "b", "ג": "g", "ד": "d", "ז": "z", "ח": "h", "ט": "t", "כ": "k", "ך": "kh",
    "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n", "ס": "s", "ע": "a", "פ": "p", "ף": "f",
    "צ": "tz", "ץ": "tz", "ק": "k", "ר": "r", "ש": "sh", "ת": "t",
}
_VOWELS = frozenset("aeiou")
_DIGRAPHS = frozenset({"hs", "zh", "kh", "qh", "th", "dh", "sh", "gh", "ks", "ts", "tz", "sz", "ph", "ch", "ck",
                       "cz"})
"""Letter pairs our token keys read as one sound (``_text._REWRITES``; ``qh`` becomes ``kh``
once ``q`` is keyed ``k``): two letters written side by side in an abjad name that would
spell one get a vowel between them (``القحطاني`` -> ``al qahtani``)."""


def _join(pieces: list[str]) -> str:
    out = ""
    for p in pieces:
        if not p:
            continue
        if out and out[-1] not in _VOWELS and p[0] not in _VOWELS and out[-1] + p[0] in _DIGRAPHS:
            out += "a"
        out += p
    return out


def _letters(word: str) -> str:
    """The word without harakat/niqqud and tatweel."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word)
                   if not unicodedata.combining(ch) and ch != "\u0640")


@lru_cache(maxsize=50_000)
def arabic_reading(word: str, persian: bool = False) -> str:
    """Latin passport-style reading of one Arabic-script word (``عمر`` -> ``amr``,
    ``فاطمة`` -> ``fatma``, ``حسن`` -> ``hasn``, ``صالح`` -> ``salah``, ``المصري`` -> ``al msri``);
    with ``persian``, the Persian letter values (``رضا`` -> ``rza``, ``حسینی`` -> ``hasini``)."""
    w = _letters(word).replace("ی", "ي")
    article = ""
    if w.startswith("ال") and len(w) > 3:
        article, w = "al ", w[2:]
    table = _FA if persian else _AR
    w_consonant = "v" if persian else "w"
    pieces: list[str] = []
    for i, ch in enumerate(w):
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if ch == _ASPIRATE:
            if pieces:
                pieces[-1] += "h"
            continue
        if ch in "وي":
            consonant = i == 0 or (nxt != "" and nxt in "اآى") or (i > 0 and w[i - 1] == ch)
            pieces.append((w_consonant if ch == "و" else "y") if consonant else ("u" if ch == "و" else "i"))
        else:
            if ch in "حهہ" and i == len(w) - 1 and pieces and pieces[-1] and pieces[-1][-1] not in _VOWELS:
                # a final h after a consonant: Latin writes a vowel before it (Salih, Saleh,
                # Abdallah), and our keys drop an h after a vowel at the end of a word
                pieces.append("a")
            pieces.append(table.get(ch, ""))
    return article + _join(pieces)


@lru_cache(maxsize=50_000)
def hebrew_reading(word: str, j_for_yod: bool = False) -> str:
    """Latin reading of one Hebrew word (``דהן`` -> ``dahn``, ``משה`` -> ``mosha``; with
    ``j_for_yod``, ``יעקב`` -> ``jakb``)."""
    w = _letters(word)
    pieces: list[str] = []
    for i, ch in enumerate(w):
        last = i == len(w) - 1
        if ch == "י":
            pieces.append(("j" if j_for_yod else "y") if i == 0 else "i")
        elif ch == "ו":
            pieces.append("v" if i == 0 or (i + 1 < len(w) and w[i + 1] == "ו") else "o")
        elif ch == "ה":
            pieces.append("a" if last and i > 0 else "h")
        else:
            pieces.append(_HE.get(ch, ""))
    return _join(pieces)


def _script(word: str) -> str:
    for ch in word:
        if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f":
            return "a"
        if "\u0590" <= ch <= "\u05ff":
            return "h"
    return ""


def is_arabic(text: str) -> bool:
    """Whether the first abjad letter of ``text`` is Arabic (Hebrew and other scripts: no)."""
    return _script(text) == "a"


def is_persian(text: str, nationality: str | tuple[str, ...] | None) -> bool:
    """Whether an Arabic-script name should also be read with Persian letter values: a word
    has a letter only Persian uses, or the holder is of a Persian-speaking country."""
    return any(ch in _PERSIAN_LETTERS for ch in text) or holds(nationality, PERSIAN_COUNTRIES)


def persian_readings(word: str, split: bool = False) -> tuple[tuple[str, str], ...]:
    """``(system, reading)`` of an Arabic-script word read with Persian letter values
    (``split`` is unused: the reader's signature)."""
    return ((PERSIAN_TABLE, arabic_reading(word, True)),) if _script(word) == "a" else ()


def abjad_readings(word: str, split: bool = False) -> tuple[tuple[str, str], ...]:
    """``(system, reading)`` of one written word: the letter-table reading(s) of an Arabic or
    Hebrew word, nothing for any other (``split`` is unused: the reader's signature)."""
    s = _script(word)
    if s == "a":
        return ((ARABIC_TABLE, arabic_reading(word)),)
    if s == "h":
        out = [(HEBREW_TABLE, hebrew_reading(word))]
        if _letters(word).startswith("י"):
            out.append((HEBREW_J, hebrew_reading(word, True)))
        return tuple(out)
    return ()
