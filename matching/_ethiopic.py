"""Ethiopic (Ge'ez script: Amharic, Tigrinya) names read the way Latin documents spell them.

ICU's ``Amharic-Latin/BGN`` writes every syllable with its vowel, the sixth order (a short
``ɨ``, mostly silent) as ``i``: ``ገብረመድህን`` -> ``gebiremedihini``, ``ተስፋዬ`` ->
``tesifaye``. Passports and notices write ``Gebremedhin`` and ``Tesfaye``: the sixth order is
left out (but written ``i`` where it would open a word on two consonants, ``ብርሃኑ`` ->
``Birhanu``, or stand between a consonant and another silent one, ``መንግሥቱ`` -> ``Mengistu``)
and the first order (``ä``) is written ``e`` (``a`` after the laryngeals ``h``, ``ḥ``, ``ḫ``:
``Hagos``). ``ethiopic_reading`` reads a word that way, letter by letter from the syllable's
Unicode name (``ETHIOPIC SYLLABLE GA``: consonant ``G``, first order), with the common English
spellings of the consonants. The vowel-bearing glottal and pharyngeal letters (``አ``, ``ዐ``)
give their vowel only, the first order as ``a`` (``Abebe``, ``Alemu``). No maintained library
on PyPI writes these passport spellings (ICU has BGN only), so the rule is kept here.

The vowels are the passport convention, not a guess, so such forms compare like any Latin
spelling (keys and edit distance), marked with their system in the reason
("via Ethiopic passport reading").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["ETHIOPIC", "ethiopic_reading", "ethiopic_readings", "has_ethiopic"]

ETHIOPIC = "Ethiopic passport"

_RANGE = re.compile(r"[\u1200-\u137f\u1380-\u139f\u2d80-\u2ddf]")

# vowel orders as Unicode names them (longest first), and how documents write them
_ORDERS = (("WAA", "wa"), ("WEE", "we"), ("WA", "wa"), ("WI", "wi"), ("WE", "w"), ("AA", "a"), ("EE", "e"),
           ("A", "e"), ("U", "u"), ("I", "i"), ("E", ""), ("O", "o"))
_CONSONANTS = {
    "H": "h", "L": "l", "HH": "h", "M": "m", "SZ": "s", "R": "r", "S": "s", "SH": "sh", "Q": "q", "QH": "q",
    "B": "b", "V": "v", "T": "t", "C": "ch", "X": "h", "N": "n", "NY": "ny", "K": "k", "KX": "h", "W": "w",
    "Z": "z", "ZH": "zh", "Y": "y", "D": "d", "DD": "d", "J": "j", "G": "g", "GG": "g", "TH": "t", "CH": "ch",
    "PH": "p", "TS": "ts", "TZ": "ts", "F": "f", "P": "p",
}


def has_ethiopic(text: str) -> bool:
    return not text.isascii() and _RANGE.search(text) is not None


_LARYNGEAL = frozenset({"H", "HH", "X"})


def _syllable(ch: str) -> tuple[str, str | None]:
    """(consonant, vowel) of one syllable; the vowel ``None`` for the sixth order."""
    name = unicodedata.name(ch, "")
    if not name.startswith("ETHIOPIC SYLLABLE "):
        return "", ""
    body = name[len("ETHIOPIC SYLLABLE "):]
    if body.startswith(("GLOTTAL ", "PHARYNGEAL ")):  # a vowel carrier: its vowel alone
        order = body.split(" ", 1)[1]
        return "", "a" if order in ("A", "AA") else dict(_ORDERS).get(order) or "i"
    for suffix, vowel in _ORDERS:
        consonant = body[:-len(suffix)]
        if body.endswith(suffix) and consonant in _CONSONANTS:
            if suffix == "A" and consonant in _LARYNGEAL:
                vowel = "a"
            return _CONSONANTS[consonant], vowel or None
    return "", ""


@lru_cache(maxsize=50_000)
def ethiopic_reading(word: str) -> str:
    """Passport-style reading of one Ethiopic word (``ገብረመድህን`` -> ``gebremedhin``,
    ``ተስፋዬ`` -> ``tesfaye``, ``ግርማ`` -> ``girma``)."""
    sylls = [_syllable(ch) if has_ethiopic(ch) else (ch, "") for ch in word]
    out = ""
    for i, (consonant, vowel) in enumerate(sylls):
        if vowel is None:  # sixth order: silent, unless two consonants would open the word
            # or three would meet
            nxt = sylls[i + 1] if i + 1 < len(sylls) else None
            after_consonant = bool(out) and out[-1] not in "aeiou"
            vowel = "i" if nxt is not None and (not out or (after_consonant and nxt[1] is None)) else ""
        out += consonant + vowel
    return out


def ethiopic_readings(word: str, split: bool = False) -> tuple[tuple[str, str], ...]:
    """``(system, reading)`` of an Ethiopic word, nothing for any other (``split`` is unused:
    the reader's signature)."""
    return ((ETHIOPIC, ethiopic_reading(word)),) if has_ethiopic(word) else ()
