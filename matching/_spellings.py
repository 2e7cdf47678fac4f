"""Letters that documents and lists spell two ways in Latin letters.

Most Latin letters with a diacritic have one plain spelling everyone uses (``Ć`` is ``C``).
Two do not, and each is common in the names of a region the wanted lists hold many of:

* ``Đ`` (Serbian, Croatian, Bosnian, Montenegrin; Serbian Cyrillic ``Ђ``) is ``D`` when folded
  to plain letters, as some documents print it, and ``DJ`` in Serbian documents, in
  English-language records and in the press: ``Đorđe Đurić`` is ``DORDE DURIC`` on one document
  and ``DJORDJE DJURIC`` on another. The keys read ``đ`` as ``d``, and ``dj`` as ``j`` (``Djamila``,
  ``Djibril``: French spellings of ``j``), so the two spellings met as a typo in every word.
  Vietnamese ``đ`` is always ``D`` and gets no second spelling.
* ``Ə`` (Azerbaijani) folds to ``E`` (``Əliyev``, ``ELIYEV``), while Azerbaijani institutions and
  English-language records write it ``A``: ``ALIYEV``, ``MAMMADOV`` for ``Məmmədov``. The same
  records write ``Ş``, ``Ç`` and ``X`` as ``SH``, ``CH`` and ``KH`` (``Rəşad`` is ``RASHAD``,
  ``Xəlilov`` is ``KHALILOV``), where the plain folding gives ``S``, ``C`` and ``X``. A name is
  respelt so when it holds an ``ə``, the one letter only Azerbaijani writes.

``letter_systems`` names a name's second spellings and ``respell`` writes one. The matcher keeps
the respelt name as a form of its own (derived: only an exact agreement through it counts in
full), named in the reason (``name 1.00 via Serbo-Croatian DJ reading``).
"""

from __future__ import annotations

from ._nationality import holds

__all__ = ["DJ_FOR_D_STROKE", "AZERBAIJANI_ENGLISH", "letter_systems", "respell"]

DJ_FOR_D_STROKE = "Serbo-Croatian DJ"
AZERBAIJANI_ENGLISH = "Azerbaijani English"

_DJ = str.maketrans({"Đ": "Dj", "đ": "dj", "Ђ": "Дј", "ђ": "дј"})
"""``Ђ`` becomes Cyrillic ``Дј``, so a name in Serbian Cyrillic keeps its script and its readings."""
_AZ = str.maketrans({"Ə": "A", "ə": "a", "Ş": "Sh", "ş": "sh", "Ç": "Ch", "ç": "ch", "X": "Kh", "x": "kh"})
_NO_DJ = frozenset({"VN"})
"""Nationalities whose ``Đ`` is always ``D`` (Vietnamese ``Đức``, ``Đặng``)."""


def letter_systems(text: str, nationality: str | tuple[str, ...] | None) -> list[str]:
    """The second spellings ``text`` has (see the module), for ``respell``."""
    out: list[str] = []
    if any(ch in text for ch in "ĐđЂђ") and not holds(nationality, _NO_DJ):
        out.append(DJ_FOR_D_STROKE)
    if "ə" in text or "Ə" in text:
        out.append(AZERBAIJANI_ENGLISH)
    return out


def respell(text: str, system: str) -> str:
    """``text`` in the second spelling ``system`` (one of ``letter_systems``): ``"Đorđe"`` ->
    ``"Djordje"``, ``"Rəşad Məmmədov"`` -> ``"Rashad Mammadov"``."""
    return text.translate(_DJ if system == DJ_FOR_D_STROKE else _AZ)
