"""Han names of Hong Kong and Macau holders read in Cantonese, as their documents spell them.

A Hong Kong passport writes ``陳大文`` as ``CHAN TAI MAN``: the Cantonese reading in the Hong
Kong government's romanisation, not pinyin (``Chen Dawen``) or Wade–Giles. ``ToJyutping`` (the
Cantonese Computational Linguistics Infrastructure Development Workgroup's dictionary) gives
each character's reading in Jyutping (``can4 daai6 man4``); this module respells Jyutping the
way those documents do. Initials: ``b d g`` are written ``p t k``, ``j`` is ``y``, and ``z``/``c``
are ``ch`` or ``ts`` (``Chan``, ``Tse``, ``Tsang``: both occur, so both are readings, and ``zi``
is ``TSZ`` beside ``CHUNG`` in one name). Finals:
``aa`` is ``a`` (``daai`` -> ``tai``), ``oeng`` is ``eung`` (``Cheung``), ``eoi`` is ``ui``
(``Tsui``, ``Hui``), ``eon`` is ``un``, ``yu``/``yun``/``yut`` are ``u``/``uen``/``uet``
(``Chu``, ``Suen``, ``Yuet``), ``ou`` is ``o`` (``To``, ``Ko``). ``s`` may also be written ``sh``
(``Shek``). A few surnames keep a spelling of their own (``周`` ``Chow``, ``羅`` ``Law``).

Only names of HK and MO holders are read so (``is_cantonese_holder``): ToJyutping builds its
dictionary on first use, about a second and 70 MB, so a worker pays that only when its list or
its traffic holds such a name.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ._nationality import holds

__all__ = ["CANTONESE_COUNTRIES", "cantonese_readings", "is_cantonese_holder"]

CANTONESE_COUNTRIES = frozenset({"HK", "MO"})
_SYSTEMS = ("Hong Kong Cantonese", "Hong Kong Cantonese (ts)", "Hong Kong Cantonese (sh)", "Hong Kong Cantonese (tsz)")
"""``z``/``c`` as ``ch``; as ``ts``; ``s`` as ``sh``; ``ch`` but ``zi``/``ci`` as ``tsz`` (one name
often mixes them: ``TSZ CHUNG``)."""

_INITIALS = {"b": "p", "p": "p", "d": "t", "t": "t", "g": "k", "k": "k", "gw": "kw", "kw": "kw", "j": "y",
             "m": "m", "n": "n", "ng": "ng", "l": "l", "f": "f", "h": "h", "w": "w", "s": "s", "z": "ch", "c": "ch"}
_FINALS = {"aa": "a", "aai": "ai", "aau": "au", "aam": "am", "aan": "an", "aang": "ang", "aap": "ap", "aat": "at",
           "aak": "ak", "oe": "oe", "oeng": "eung", "oek": "euk", "eoi": "ui", "eon": "un", "eot": "ut",
           "yu": "u", "yun": "uen", "yut": "uet", "ou": "o"}
_SURNAMES = {"周": "chow", "鄒": "chau", "羅": "law", "盧": "lo", "李": "lee", "吳": "ng", "伍": "ng", "顧": "koo",
             "古": "koo", "傅": "foo", "施": "sze", "史": "sze", "余": "yu", "俞": "yu", "謝": "tse", "曾": "tsang",
             "徐": "tsui", "崔": "tsui", "曹": "tso", "左": "tso", "石": "shek", "沈": "shum", "岑": "shum",
             "成": "shing", "邵": "shiu"}
"""Surnames' conventional spellings where the syllable rules give another or two (``周`` is
``zau1``: ``Chau`` by rule, ``Chow`` on most documents; ``謝`` is ``Tse``, not ``Che``)."""


def is_cantonese_holder(nationality: str | tuple[str, ...] | None) -> bool:
    return holds(nationality, CANTONESE_COUNTRIES)


def _syllable(jyutping: str, system: int) -> str:
    """One Jyutping syllable (``zoeng1``) in the Hong Kong spelling of ``system``."""
    syl = jyutping.rstrip("123456")
    if syl in ("m", "ng"):  # syllabic nasals: 吳 ng4
        return syl
    onset = ""
    for n in (2, 1):
        if syl[:n] in _INITIALS and len(syl) > n:
            onset, syl = syl[:n], syl[n:]
            break
    head = _INITIALS.get(onset, onset)
    if onset in ("z", "c") and system == 1:
        head = "ts"
    elif onset == "s" and system == 2:
        head = "sh"
    if syl == "i" and onset in ("s", "z", "c"):  # 詩 si1 SZE, 子 zi2 TSZ (or CHI)
        return "sze" if onset == "s" else "tsz" if system in (1, 3) else "chi"
    if onset == "j" and syl.startswith(("yu", "i")):
        head = "y" if syl.startswith("yu") else ""  # jyu -> yu, jyun -> yuen, ji -> yi
        if syl.startswith("i"):
            syl = "y" + syl
    return head + _FINALS.get(syl, syl)


@lru_cache(maxsize=1)
def _converter() -> Any:
    # imported here, not at the top: it takes a second and ~70 MB, paid only when needed
    import ToJyutping  # type: ignore[import-untyped]

    return ToJyutping


@lru_cache(maxsize=20_000)
def cantonese_readings(word: str, split: bool = False) -> tuple[tuple[str, str], ...]:
    """``(system, reading)`` of a Han word in each Hong Kong spelling, one Latin word per
    syllable as the documents print given names (``大文`` -> ``tai man``; ``split`` is unused:
    the reader's signature)."""
    if not any("\u3400" <= ch <= "\u9fff" for ch in word):
        return ()
    if word in _SURNAMES:
        return ((_SYSTEMS[0], _SURNAMES[word]),)
    pairs = _converter().get_jyutping_list(word)
    if not pairs or any(j is None for _, j in pairs):
        return ()
    out: list[tuple[str, str]] = []
    # a one-character word is a surname: those written otherwise are in _SURNAMES, the rest in
    # the first system only (張 is CHEUNG; TSEUNG is no one's spelling, and one letter from LEUNG)
    for i, system in enumerate(_SYSTEMS[:1] if len(word) == 1 else _SYSTEMS):
        reading = " ".join(_syllable(j.split()[0], i) for _, j in pairs)
        if all(reading != r for _, r in out):
            out.append((system, reading))
    return tuple(out)
