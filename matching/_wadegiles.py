"""Wade–Giles to Hanyu Pinyin, for Chinese names written in Latin letters.

Taiwanese passports and older records write Chinese names in Wade–Giles (``Hsin-Yu Juan``,
``Jui Bien``, ``Yan-Lung``); the mainland and most notices use pinyin (``Xinyu Ruan``,
``Rui Bian``, ``Yanlong``). The two systems spell the same syllables differently in ways our
token keys cannot collapse without harming other languages (WG ``j`` is pinyin ``r``; WG
``k``/``p``/``t`` are pinyin ``g``/``b``/``d`` unless aspirated). So a name that *looks*
Wade–Giles (hyphenated syllables, ``hs``, an aspiration apostrophe, or a holder of a
WG-using nationality) gets one extra rendering converted syllable by syllable. Passports drop
the apostrophes, so unmarked ``k``/``p``/``t``/``ch``/``ts`` are read as unaspirated, WG's
more frequent reading in names.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["looks_wade_giles", "to_pinyin", "WG_COUNTRIES", "CHINESE_COUNTRIES"]

WG_COUNTRIES = frozenset({"TW"})
"""Nationalities whose passports romanise Chinese names in (modified) Wade–Giles."""
CHINESE_COUNTRIES = frozenset({"CN", "HK", "MO"})
"""Nationalities whose names are Chinese but mostly in pinyin: converted only when a word is
spelt as pinyin never is (``_WG_ONLY``)."""
_WG_ONLY = re.compile(r"^(?:ts|tz|hs|j[aeo]|jui)|(?:ien|ieh|ung|ih|erh|uei)$", re.IGNORECASE)
"""A word that starts or ends as only Wade–Giles spells (``TSUO``, ``JUI``, ``BIEN``,
``CHUNG``): pinyin has no such syllable."""

_INITIALS: tuple[tuple[str, str], ...] = (
    ("ch'", "q"), ("ts'", "c"), ("tz'", "c"), ("k'", "k"), ("p'", "p"), ("t'", "t"),
    ("hs", "x"), ("ch", "zh"), ("ts", "z"), ("tz", "z"), ("ss", "s"), ("sz", "s"),
    ("j", "r"), ("k", "g"), ("p", "b"), ("t", "d"),
)
_FINALS: tuple[tuple[str, str], ...] = (
    ("ieh", "ie"), ("ueh", "ue"), ("üeh", "ue"), ("ien", "ian"), ("iung", "iong"), ("ung", "ong"),
    ("ih", "i"), ("erh", "er"), ("uei", "ui"),
)
_SYLLABLE = re.compile(r"^(ch'|ts'|tz'|k'|p'|t'|hs|ch|ts|tz|ss|sz|[bcdfghjklmnpqrstwyz]?)(.*)$")
_PALATAL = ("i", "ü", "y")


@lru_cache(maxsize=50_000)
def _syllable(s: str) -> str:
    m = _SYLLABLE.match(s)
    if m is None:
        return s
    ini, fin = m.groups()
    if ini == "ch'" and not fin.startswith(_PALATAL):
        out_ini = "ch"
    elif ini == "ch" and fin.startswith(_PALATAL) and not fin.startswith("ih"):
        out_ini = "j"
    else:
        out_ini = dict(_INITIALS).get(ini, ini)
    for src, dst in _FINALS:
        if fin.endswith(src):
            fin = fin[: -len(src)] + dst
            break
    if fin == "o" and out_ini in ("g", "k", "h"):
        fin = "e"  # WG "ko" is pinyin "ge"
    return out_ini + fin


def to_pinyin(word: str) -> str:
    """``"Hsin-Yu"`` -> ``"xinyu"``, ``"Jui"`` -> ``"rui"``, ``"Yan-Lung"`` -> ``"yanlong"``."""
    return "".join(_syllable(s) for s in re.split(r"[-\s]+", word.lower().replace("’", "'")) if s)


_WG_MARK = re.compile(r"(?:^|[\s-])(?:hs|ch'|ts'|tz'|k'|p'|t')", re.IGNORECASE)
_FINAL_SET = frozenset(
    "a ai an ang ao e ei en eng erh i ia iang iao ieh ien ih in ing iu iung o ou u ua uai uan uang ui "
    "un ung uo ü üan üeh ün ueh uei ue uan yu yun yung yeh yen yin ying ya yang yao yo yi".split())
_HYPHENATED = re.compile(r"\b[a-z']+(?:-[a-z']+)+\b", re.IGNORECASE)


def _is_syllable(s: str) -> bool:
    m = _SYLLABLE.match(s.lower())
    return m is not None and (m.group(2) in _FINAL_SET or s.lower() in _FINAL_SET)


def looks_wade_giles(text: str, nationality: str | tuple[str, ...] | None = None) -> bool:
    """A Latin name that may be Wade–Giles: hyphenated syllables (``Hsin-Yu``), ``hs``, an
    aspiration apostrophe, a holder of a nationality that uses it, or a Chinese national's
    name with a word pinyin cannot spell (``JUI BIEN``)."""
    if not text.isascii():
        return False
    if nationality is not None:
        nats = (nationality,) if isinstance(nationality, str) else nationality
        if any(n in WG_COUNTRIES for n in nats):
            return True
        if any(n in CHINESE_COUNTRIES for n in nats) and any(_WG_ONLY.search(w) for w in re.split(r"[-\s]+", text)):
            return True
    if _WG_MARK.search(text):
        return True
    return any(all(_is_syllable(p) for p in m.group().split("-")) for m in _HYPHENATED.finditer(text))
