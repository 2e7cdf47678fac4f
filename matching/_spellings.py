"""Names that documents and lists spell two ways in Latin letters, by letter or by convention.

Each case below gives a name a second spelling, which the matcher keeps as a form of its own
(derived: only an exact agreement through it counts in full), named in the reason (``name 1.00
via Serbo-Croatian DJ reading``). ``letter_systems`` names the second spellings a name has and
``respell`` writes one; ``joined_particles`` writes the last case.

* ``Đ`` (Serbian, Croatian, Bosnian, Montenegrin; Serbian Cyrillic ``Ђ``) is ``D`` when folded
  to plain letters, as some documents print it, and ``DJ`` in Serbian documents, in
  English-language records and in the press: ``Đorđe Đurić`` is ``DORDE DURIC`` on one
  document and ``DJORDJE DJURIC`` on another. The keys read ``đ`` as ``d``, and ``dj`` as ``j``
  (``Djamila``, ``Djibril``: French spellings of ``j``), so the two spellings met as a typo in
  every word. Vietnamese ``đ`` is always ``D`` and gets no second spelling.
* ``Ə`` (Azerbaijani) folds to ``E`` (``Əliyev``, ``ELIYEV``), while Azerbaijani institutions
  and English-language records write it ``A``: ``ALIYEV``, ``MAMMADOV`` for ``Məmmədov``. The
  same records write ``Ş``, ``Ç`` and ``X`` as ``SH``, ``CH`` and ``KH`` (``Rəşad`` is
  ``RASHAD``, ``Xəlilov`` is ``KHALILOV``), where the plain folding gives ``S``, ``C`` and
  ``X``. A name is respelt so when it holds an ``ə``, the one letter only Azerbaijani writes.
* **Somali orthography** (Somali documents, officials and the Somali press) writes the ayin
  ``C``, the ``ḥ`` ``X`` and a long vowel doubled: ``Maxamed Cabdullaahi Xasan`` is ``MOHAMED
  ABDULLAHI HASSAN`` in English spelling and on most passports. For a Somali or Djiboutian
  holder, a name with ``c``, ``x`` or a doubled vowel is also respelt the English way (``c``
  left out, ``x`` as ``h``, a doubled vowel once).
* **Ethiopian and Eritrean abbreviations**: the first element of a compound name is often
  written as its initial and a slash (``G/Medhin`` for ``Gebremedhin``, ``W/Mariam`` for
  ``Woldemariam``, ``H/Mariam``, ``T/Haimanot``, ``K/Mariam``). For an Ethiopian or Eritrean
  holder such a word is also written out, with the element the initial most often stands for
  (``ETHIOPIC_ABBREVIATIONS``).
* **Particles joined**: a name whose particles run two or more before a word (``de la Cruz``,
  ``van der Berg``, ``de los Santos``) is also written with them joined to it
  (``delacruz``), as documents that drop the spaces print it (``DELACRUZ``), and so is a South
  Asian compound around the article (``Moin-ud-Din``, ``MOINUDDIN``). The matcher pairs one
  word with two written together, not with three.
"""

from __future__ import annotations

import re

from ._nationality import holds

__all__ = ["DJ_FOR_D_STROKE", "AZERBAIJANI_ENGLISH", "ETHIOPIC_ABBREVIATION", "ETHIOPIC_ABBREVIATIONS",
           "ETHIOPIC_COUNTRIES", "PARTICLES_JOINED", "SOMALI_ENGLISH", "SOMALI_COUNTRIES", "joined_particles",
           "letter_systems", "respell"]

DJ_FOR_D_STROKE = "Serbo-Croatian DJ"
AZERBAIJANI_ENGLISH = "Azerbaijani English"
SOMALI_ENGLISH = "Somali English"
PARTICLES_JOINED = "particles joined"
ETHIOPIC_ABBREVIATION = "Ethiopian abbreviation"
ETHIOPIC_COUNTRIES = frozenset({"ET", "ER"})
ETHIOPIC_ABBREVIATIONS = {"g": "Gebre", "w": "Wolde", "h": "Haile", "t": "Tekle", "k": "Kidane"}
"""The element of an Ethiopian or Eritrean compound name an initial before a slash stands for:
``G/`` Gebre (servant of), ``W/`` Wolde (son of), ``H/`` Haile (power of), ``T/`` Tekle (plant
of), ``K/`` Kidane (covenant of). ``H/`` is sometimes Habte; that spelling is not guessed."""
_ABBREVIATED = re.compile(r"\b([GWHTKgwhtk])[/.](?=[A-Za-z]{3})")
SOMALI_COUNTRIES = frozenset({"SO", "DJ"})
"""Nationalities whose names may be written in Somali orthography."""

_DJ = str.maketrans({"Đ": "Dj", "đ": "dj", "Ђ": "Дј", "ђ": "дј"})
"""``Ђ`` becomes Cyrillic ``Дј``, so a name in Serbian Cyrillic keeps its script and its readings."""
_AZ = str.maketrans({"Ə": "A", "ə": "a", "Ş": "Sh", "ş": "sh", "Ç": "Ch", "ç": "ch", "X": "Kh", "x": "kh"})
_NO_DJ = frozenset({"VN"})
"""Nationalities whose ``Đ`` is always ``D`` (Vietnamese ``Đức``, ``Đặng``)."""
_SOMALI = re.compile(r"[cx]|aa|ee|ii|oo|uu", re.IGNORECASE)
_SOMALI_C = re.compile(r"c", re.IGNORECASE)
_DOUBLED_VOWEL = re.compile(r"([aeiou])\1", re.IGNORECASE)


def letter_systems(text: str, nationality: str | tuple[str, ...] | None) -> list[str]:
    """The second spellings ``text`` has (see the module), for ``respell``."""
    out: list[str] = []
    if not text.isascii():
        if any(ch in text for ch in "ĐđЂђ") and not holds(nationality, _NO_DJ):
            out.append(DJ_FOR_D_STROKE)
        if "ə" in text or "Ə" in text:
            out.append(AZERBAIJANI_ENGLISH)
    if holds(nationality, SOMALI_COUNTRIES) and _SOMALI.search(text):
        out.append(SOMALI_ENGLISH)
    if ("/" in text or "." in text) and holds(nationality, ETHIOPIC_COUNTRIES) and _ABBREVIATED.search(text):
        out.append(ETHIOPIC_ABBREVIATION)
    return out


def respell(text: str, system: str) -> str:
    """``text`` in the second spelling ``system`` (one of ``letter_systems``): ``"Đorđe"`` ->
    ``"Djordje"``, ``"Rəşad Məmmədov"`` -> ``"Rashad Mammadov"``, ``"Maxamed Cabdullaahi"`` ->
    ``"Mahamed abdullahi"``, ``"G/Medhin"`` -> ``"GebreMedhin"``."""
    if system == DJ_FOR_D_STROKE:
        return text.translate(_DJ)
    if system == AZERBAIJANI_ENGLISH:
        return text.translate(_AZ)
    if system == ETHIOPIC_ABBREVIATION:
        return _ABBREVIATED.sub(lambda m: ETHIOPIC_ABBREVIATIONS[m.group(1).lower()], text)
    if system == SOMALI_ENGLISH:
        return _DOUBLED_VOWEL.sub(r"\1", _SOMALI_C.sub("", text.replace("x", "h").replace("X", "H")))
    raise ValueError(f"no second spelling called {system!r}")


_RUN_PARTICLES = frozenset({"de", "la", "las", "los", "del", "van", "der", "den", "von", "vom", "zu", "di", "da", "dos",
                            "das", "du", "le", "ter", "ten"})
"""Particles that run two or more before a surname (``de la``, ``de los``, ``van der``, ``von
und zu``...): Spanish, Portuguese, Filipino, Dutch, German, Italian and French names."""


_CONNECTORS = frozenset({"ud", "ul", "ur", "us", "uz", "ush"})
"""The Arabic article as South Asian and Persian compound names write it between their two
words, assimilated to the second (``Moin-ud-Din``, ``Zia-ul-Haq``, ``Habib-ur-Rahman``,
``Shams-uz-Zaman``): such a name is printed in three words, in two (``HABIBUR RAHMAN``) or in
one (``MOINUDDIN``). Not ``un`` (``Noor-un-Nisa``): it is also a Korean syllable (``Chi-Un``)."""


def joined_particles(text: str) -> str:
    """``text`` with each run of two or more particles joined to the word after it (``"Juan de
    la Cruz"`` -> ``"Juan delaCruz"``), and each compound around a connector written as one word
    (``"Moin-ud-Din"`` -> ``"MoinudDin"``); ``text`` itself when it has neither."""
    if text.count(" ") + text.count("-") < 2:
        return text
    words = text.replace("-", " ").split()
    out: list[str] = []
    run: list[str] = []
    changed = False
    for i, w in enumerate(words):
        low = w.casefold()
        if low in _CONNECTORS and out and not run and i + 1 < len(words):
            run.append(w)
            continue
        if low in _RUN_PARTICLES:
            run.append(w)
            continue
        if run and run[0].casefold() in _CONNECTORS and len(run) == 1:
            out[-1] += run[0] + w
            changed = True
        elif len(run) >= 2:
            out.append("".join(run) + w)
            changed = True
        else:
            out.extend(run)
            out.append(w)
        run = []
    out.extend(run)
    return " ".join(out) if changed else text
