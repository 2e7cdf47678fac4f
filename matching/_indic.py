"""Inherent vowels of South Asian names written in Latin letters.

Brahmic scripts (Bengali, Devanagari...) write a consonant with an inherent ``a`` that is
often not pronounced at the end of a word. A transliteration letter by letter (ISO 15919,
which a passport office may print without its diacritics) keeps it, the everyday spelling
drops it: ``CANDRA`` / ``Chandr``, ``BOSA`` / ``Bos``, ``SAHABAJA`` / ``Shahabaj``. For a
holder of such a nationality (or a name written in such a script) the matcher also keeps a
form with the word-final ``a`` after a consonant left out, on either side, and one spelt as
ISO 15919 without diacritics spells the palatals (``sh``/``ch`` written ``s``/``c``:
``RAJESH JOSHI`` / ``RAJESA JOSI`` / ``राजेश जोशी``, ``SHRESHTH`` / ``SRESTH``), which is
also how ICU romanises a name in the script.
"""

from __future__ import annotations

import re

from ._nationality import holds

__all__ = ["INDIC_COUNTRIES", "drop_inherent_vowels", "is_indic_holder", "indic_spellings"]

INDIC_COUNTRIES = frozenset({"IN", "BD", "NP", "LK", "BT"})
"""Nationalities whose names are mostly written in a Brahmic script."""

_FINAL_SCHWA = re.compile(r"(?<=[b-df-hj-np-tv-z])a\b", re.IGNORECASE)


def is_indic_holder(nationality: str | tuple[str, ...] | None) -> bool:
    """Whether a nationality (or one of several) is in ``INDIC_COUNTRIES``."""
    return holds(nationality, INDIC_COUNTRIES)


def drop_inherent_vowels(text: str) -> str:
    """``"SAHABAJA DEBA"`` -> ``"SAHABAJ DEB"``: a word-final ``a`` after a consonant left out,
    in words of at least four letters (``Deba`` -> ``Deb``; ``Ma`` stays ``Ma``)."""
    return " ".join(_FINAL_SCHWA.sub("", w) if len(w) >= 4 and w.isascii() else w for w in text.split(" "))


_PALATALS = re.compile(r"(?<=[sc])h", re.IGNORECASE)


def indic_spellings(text: str) -> list[str]:
    """The respellings of a Latin South Asian name the matcher also compares: without final
    inherent vowels, and that again with ``sh``/``ch`` as ISO 15919 writes them (``s``/``c``)."""
    dropped = drop_inherent_vowels(text)
    iso = _PALATALS.sub("", dropped)
    return [t for t in dict.fromkeys((dropped, iso)) if t != text]
