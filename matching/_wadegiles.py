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

The syllable table comes from ``pypinyin`` (its Wade–Giles style, inverted over every pinyin
syllable it knows); the hand-written initial/final rules below remain only for spellings the
table lacks (``Tsi``, regional variants).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._nationality import holds

__all__ = ["looks_wade_giles", "to_pinyin", "wade_giles_readings", "WG_COUNTRIES", "CHINESE_COUNTRIES"]

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


@lru_cache(maxsize=1)
def _pypinyin_table() -> tuple[dict[str, str], dict[str, str]]:
    """Wade–Giles syllable -> pinyin syllable, from pypinyin's own Wade–Giles style applied to
    every pinyin syllable it knows (~420): one table keyed with the aspiration apostrophe
    (``ch'iung`` -> ``qiong``), one without it as passports print (``chiung`` -> ``jiong``:
    the unaspirated reading wins, as in names it is the more frequent)."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict
    from pypinyin.style.wadegiles import to_wade_glides

    syllables = sorted({to_normal(x) for v in pinyin_dict.values() for x in v.split(",")})
    marked: dict[str, str] = {}
    for py in syllables:
        wg = to_wade_glides(py).replace("ü", "u")
        if wg.isascii() and wg.replace("'", "").isalpha():
            marked.setdefault(wg, py)
    if "yu" in syllables:  # WG "yü" (pinyin yu) printed without the umlaut: far commoner in names than "you"
        marked["yu"] = "yu"
    plain: dict[str, str] = {}
    for wg, py in sorted(marked.items(), key=lambda kv: "'" in kv[0]):
        plain.setdefault(wg.replace("'", ""), py)
    return marked, plain


@lru_cache(maxsize=50_000)
def _piece(s: str) -> str:
    """One hyphen/space-separated piece: a syllable of pypinyin's table, or a run of them
    written together (``hsiaoming``, split into the fewest syllables), or else the rules
    above (``_syllable``) for what the table does not cover."""
    marked, plain = _pypinyin_table()
    hit = marked.get(s) or plain.get(s)
    if hit is not None:
        return hit
    n = len(s)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        done = best[i]
        if done is None:
            continue
        for j in range(i + 1, min(n, i + 6) + 1):
            py = plain.get(s[i:j])
            if py is not None:
                cand = [*done, py]
                old = best[j]
                if old is None or len(cand) < len(old):
                    best[j] = cand
    found = best[n]
    return "".join(found) if found else _syllable(s)


def to_pinyin(word: str) -> str:
    """``"Hsin-Yu"`` -> ``"xinyu"``, ``"Jui"`` -> ``"rui"``, ``"Yan-Lung"`` -> ``"yanlong"``,
    ``"CHIAHAO"`` -> ``"jiahao"``."""
    return "".join(_piece(s) for s in re.split(r"[-\s]+", word.lower().replace("’", "'")) if s)


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
    if holds(nationality, WG_COUNTRIES):
        return True
    if holds(nationality, CHINESE_COUNTRIES) and any(_WG_ONLY.search(w) for w in re.split(r"[-\s]+", text)):
        return True
    if "-" not in text and "'" not in text and "hs" not in text.lower():
        return False  # what both patterns below need: a hyphen, an apostrophe or "hs" (most names)
    if _WG_MARK.search(text):
        return True
    return any(all(_is_syllable(p) for p in m.group().split("-")) for m in _HYPHENATED.finditer(text))


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@lru_cache(maxsize=20_000)
def wade_giles_readings(word: str, split: bool = False) -> tuple[tuple[str, str], ...]:
    """The Wade–Giles reading of a word in Han characters (pypinyin's ``WADEGILES`` style,
    apostrophes and umlauts dropped as passports print them; syllables of one word joined):
    ``晓明`` -> ``hsiaoming``. ``split``: a full name written without a space is read as
    surname (first character) and given name. Empty for a word without Han characters."""
    if not _HAN.search(word):
        return ()
    from pypinyin import Style, lazy_pinyin

    syl = [x.replace("'", "").replace("ü", "u") for x in lazy_pinyin(word, style=Style.WADEGILES)]
    if not syl or not all(x.isascii() and x.isalpha() for x in syl):
        return ()
    text = syl[0] + " " + "".join(syl[1:]) if split and len(syl) > 1 else "".join(syl)
    return (("Wade–Giles", text),)
