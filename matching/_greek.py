"""Greek names in Latin letters: the passport's ELOT 743 and the older BGN/PCGN spellings.

Greek and Cypriot passports print names in ELOT 743 (ISO 843, the UN's system): ``χ`` as
``ch``, ``δ`` as ``d``, ``γ`` as ``g``, ``μπ`` as ``mp``, ``ντ`` as ``nt``, ``γγ`` as ``gg``.
Older documents, English-language records and many lists use BGN/PCGN 1962 or a spelling by
ear: ``kh``, ``dh``, ``y`` for ``γ`` before e and i, ``b``/``mb``, ``d``/``nd``, ``ng``. So the
same Cypriot is ``LAMPROS ZACHOS`` in his passport and ``Lambros Zakhos`` on a notice, and
``ACHILLEAS GEORGIADIS`` is ``Akhilleas Yeoryiadhis``; the ordinary keys see a typo in every
word. A name letter by letter (``ου`` as ``oy``: ``ZAFEIROPOYLOS``) is a third spelling.

For a holder of a Greek or Cypriot nationality the matcher also keeps a form with the name
respelt into one common spelling (:func:`common_spelling`): each letter that the systems spell
differently is written one way. It is a key, not a display: ``ντ`` and ``νδ`` both come out
``nd``, as BGN writes them, since ELOT's ``nd`` (``νδ``) cannot be told from BGN's (``ντ``).
Only an exact agreement through such a form counts in full (the form is derived).
"""

from __future__ import annotations

import re

from ._nationality import holds

__all__ = ["GREEK_COUNTRIES", "is_greek_holder", "common_spelling"]

GREEK_COUNTRIES = frozenset({"GR", "CY"})
"""Nationalities whose names are written in Greek and romanised by ELOT 743 in passports."""

_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"y(?=[ei])", "g"),            # γ before e, i: BGN y (Yeoryiadhis, Koutsoyiannis), ELOT g
    (r"oy", "ou"),                  # ου letter by letter (ZAFEIROPOYLOS)
    (r"(?<=[ae])y", "v"),           # αυ, ευ letter by letter (EYKLEIDIS): ELOT av, ev (af, ef below)
    (r"ch", "kh"),                  # χ: ELOT ch, BGN kh (and by ear h: token_key reads kh as h)
    (r"dh", "d"),                   # δ: BGN dh, ELOT d
    (r"ei", "i"),                   # ει: ELOT ei, BGN i (Vasileiou, Vasiliou)
    (r"(?<=[aei])v(?=th|kh|ps|[kxpstf])", "f"),  # αυ, ευ, ηυ before a voiceless consonant: af, ef, if
    (r"mp(?!h)", "mb"),             # μπ: ELOT mp, BGN mb inside a word (not μφ, mph) ...
    (r"\bmb", "b"),                 # ... and b at its start (Mpampis, Bambis)
    (r"nt(?!h)", "nd"),             # ντ: ELOT nt, BGN nd inside a word (not νθ: Anthi) ...
    (r"\bnd", "d"),                 # ... and d at its start (Ntinos, Dinos)
    (r"(?:g[gk]|nk)(?!h)", "ng"),   # γγ, γκ: ELOT gg, gk (nk in ICU's reading), BGN ng inside a word ...
    (r"\bng", "g"),                 # ... and g at its start (Gkikas, Gikas)
))


def is_greek_holder(nationality: str | tuple[str, ...] | None) -> bool:
    """Whether a nationality (or one of several) is in ``GREEK_COUNTRIES``."""
    return holds(nationality, GREEK_COUNTRIES)


def common_spelling(text: str) -> str:
    """A Latin Greek name in the one spelling both systems are read into (lower case):
    ``"LAMPROS ZACHOS"`` and ``"Lambros Zakhos"`` -> ``"lambros zakhos"``. Words not in Latin
    letters are left as they are (a name in Greek script has its own readings)."""
    out = []
    for word in text.split(" "):
        if word.isascii():
            word = word.lower()
            for _ in range(4):  # until nothing changes (``dhh`` is ``dh`` after one pass): read twice, same
                before = word
                for pattern, repl in _RULES:
                    word = pattern.sub(repl, word)
                if word == before:
                    break
        out.append(word)
    return " ".join(out)
