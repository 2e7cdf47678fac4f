"""Japanese names: kanji and kana readings in the romanisation systems documents use.

ICU reads kanji as Chinese (``佐藤`` -> ``zuo teng``) and has no Japanese name readings. We
take the reading from ``pykakasi`` (its dictionary includes common name readings), then write
it in each system a Japanese name is found in:

* **Hepburn** (``Satou Shouta``, ``Chizuru``): the ``hepburn`` output of pykakasi, long vowels
  as written in kana (``ou``, ``oo``, ``uu``);
* **Kunrei-shiki** (``Syouta``, ``Tizuru``): pykakasi's ``kunrei`` output;
* **Nihon-shiki**: Kunrei-shiki but ``ぢ``/``づ`` written ``di``/``du`` (``Tiduru``);
* **passport Hepburn**, the way Japanese passports and most Latin records write names: long
  vowels left unmarked (``Sato``, ``Ono``, ``Shota``) or, on request of the holder, written
  ``oh`` (``Satoh``, ``Ohno``) or ``oo``.

A Japanese holder's name already in Latin letters is respelt the passport way too
(``passport_hepburn``): a list that wrote ``Satou Kouji`` (the kana spelt out, as pykakasi and
cutlet write Hepburn) and a passport that prints ``SATO KOJI`` or ``SATOH KOHJI`` meet in
``sato koji``, where the keys saw a typo in every word.

Each system that spells the name differently from the others becomes one more name form
(``_features.name_forms``), with the system named in the hit's reason
(``name 0.97 via Kunrei-shiki reading``).

Many given names written in kanji have several readings (``亮``: Akira, Ryou, Makoto, ...);
pykakasi picks the first its dictionary lists. A word that is itself an entry of pykakasi's
dictionary also gets each of that entry's other readings (up to ``MAX_OTHER_READINGS``), in
Hepburn and passport Hepburn, named by the kana read (``via passport Hepburn of りょう
reading``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._nationality import holds

__all__ = ["has_japanese", "is_japanese_holder", "japanese_readings", "passport_hepburn", "JAPANESE_COUNTRIES",
           "PASSPORT_HEPBURN"]

JAPANESE_COUNTRIES = frozenset({"JP"})
"""Nationalities whose kanji names are read as Japanese."""

_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LONG_O = re.compile(r"o[ou](?![aeiou])")
_LONG_U = re.compile(r"uu")
_LONG_OH = re.compile(r"oh(?![aeiouy])")
"""``oh`` for a long o (``Satoh``, ``Ohno``, ``Kohji``), not the o before a syllable in h
(``Kohei``, ``Ohashi``)."""

PASSPORT_HEPBURN = "passport Hepburn"


def has_japanese(text: str, nationality: str | tuple[str, ...] | None) -> bool:
    """Whether ``text`` should get Japanese readings: it has kana, or kanji and the holder is
    Japanese (or of unknown nationality: a tip written in kanji)."""
    if _KANA.search(text):
        return True
    if not _HAN.search(text):
        return False
    if nationality is None or nationality == ():
        return True
    return holds(nationality, JAPANESE_COUNTRIES)


def is_japanese_holder(nationality: str | tuple[str, ...] | None) -> bool:
    return holds(nationality, JAPANESE_COUNTRIES)


@lru_cache(maxsize=1)
def _kakasi() -> object:
    # imported here: its dictionary loads on the first Japanese name only
    import pykakasi

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def _convert(text: str) -> list[dict[str, str]]:
    kks = _kakasi()
    return list(kks.convert(text))  # type: ignore[attr-defined]


def _system(word: str, field: str, sep: str = "") -> str:
    return sep.join(seg[field].strip() for seg in _convert(word) if seg[field].strip()).replace("'", "").lower()


def _nihon(word: str) -> str:
    hira = "".join(seg["hira"] for seg in _convert(word))
    if "ぢ" not in hira and "づ" not in hira:
        return _system(word, "kunrei")
    out = []
    for piece in re.split(r"([ぢづ])", hira):
        if piece == "ぢ":
            out.append("di")
        elif piece == "づ":
            out.append("du")
        elif piece:
            out.append(_system(piece, "kunrei"))
    return "".join(out)


MAX_OTHER_READINGS = 4
"""Other dictionary readings of one written word read beside pykakasi's first."""


def _other_readings(word: str, first: str) -> list[str]:
    """The kana readings pykakasi's dictionary lists for exactly ``word`` (all kanji), other
    than ``first``, in its order."""
    if not word or not all(_HAN.match(ch) for ch in word):
        return []
    from pykakasi.kanji import Kanwa

    table = Kanwa().load(word[0])  # type: ignore[no-untyped-call]
    if not table:
        return []
    out: list[str] = []
    for yomi, context in table.get(word, ()):
        if context is None and yomi != first and yomi not in out:
            out.append(yomi)
    return out[:MAX_OTHER_READINGS]


def passport_hepburn(text: str) -> str:
    """A Japanese name in Latin letters with its long vowels left unmarked, as passports write
    them (lower case): ``"Satou Kouji"``, ``"SATOH KOHJI"`` and ``"Satoo Kooji"`` all give
    ``"sato koji"``, ``"Oono Yuuko"`` and ``"OHNO YUKO"`` give ``"ono yuko"``. A word not in
    ASCII letters is left as it is (kanji and kana have their readings)."""
    out = []
    for word in text.split(" "):
        if word.isascii():
            word = _LONG_U.sub("u", _LONG_OH.sub("o", _LONG_O.sub("o", word.lower())))
        out.append(word)
    return " ".join(out)


@lru_cache(maxsize=20_000)
def japanese_readings(word: str, split: bool = False) -> tuple[tuple[str, str], ...]:
    """``(system, lower-case reading)`` per romanisation system of one written word, without
    repeats: Hepburn, passport Hepburn (long vowels unmarked, ``oh``, ``oo``),
    Kunrei-shiki, Nihon-shiki. Empty for a word pykakasi leaves unread. ``split``: a full
    name written without a space (``水沢ちづる``) is read as pykakasi segments it, one
    word per segment."""
    sep = " " if split else ""
    hepburn = _system(word, "hepburn", sep)
    if not hepburn or not hepburn.isascii() or not hepburn.replace(" ", "").isalpha():
        return ()
    kunrei = _system(word, "kunrei", sep)
    plain = _LONG_U.sub("u", _LONG_O.sub("o", hepburn))
    out: list[tuple[str, str]] = []
    for system, reading in (("Hepburn", hepburn), (PASSPORT_HEPBURN, plain),
                            ("passport Hepburn (oh)", _LONG_O.sub("oh", hepburn)),
                            ("passport Hepburn (oo)", _LONG_O.sub("oo", hepburn)),
                            ("Kunrei-shiki", kunrei), ("Nihon-shiki", kunrei if split else _nihon(word))):
        if reading and reading.isascii() and all(reading != r for _, r in out):
            out.append((system, reading))
    if not split:
        first = "".join(seg["hira"] for seg in _convert(word))
        for kana in _other_readings(word, first):
            hep = _system(kana, "hepburn")
            for system, reading in ((f"Hepburn of {kana}", hep),
                                    (f"passport Hepburn of {kana}", _LONG_U.sub("u", _LONG_O.sub("o", hep)))):
                if reading and reading.isascii() and reading.isalpha() and all(reading != r for _, r in out):
                    out.append((system, reading))
    return tuple(out)
