"""Titles written before a name on some records and not on others: ``SYED IMRAN HAIDER`` on a
passport and ``Imran Haider`` on a notice, ``Alhaji Musa Bello``, ``Dr Ana Petrova`` in a tip.

A leading title is a part that may be left out: the name gets a second form without it
(``_features.name_forms``), so a record without the title meets it at full similarity, and one
with it still meets the first form. Without that the title counts as a missing first given name
(``_names.MISSING_FIRST``), and such a pair stays in review unless the birth date is exact.

A title is taken off only when a name remains: at least one more given name (a family name alone
is too little), or two more words of a full name. The hereditary titles of South Asian Muslims
(Syed, Sheikh) are read as titles only for holders of those nationalities: elsewhere ``Sayed`` is
a given name (Egypt) and ``Sheikh`` a family name.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._nationality import holds

__all__ = ["without_title"]

PERSONAL = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "shri", "shree", "smt",
                      "haji", "hajji", "hadji", "alhaji", "alhaj", "alhadji", "hajiya", "hajia"})
"""Titles any holder's record may carry: forms of address, and the pilgrim's Haji/Alhaji."""
HEREDITARY = frozenset({"syed", "sayed", "sayyed", "sayyid", "saiyid", "seyed", "seyyed",
                        "sheikh", "shaikh", "shaykh", "sheik"})
"""Titles of descent, read as titles for holders of ``HEREDITARY_COUNTRIES`` only."""
HEREDITARY_COUNTRIES = frozenset({"PK", "IN", "BD", "AF"})


def _is_title(word: str, nationality: str | tuple[str, ...] | None) -> bool:
    w = word.strip(".").casefold()
    return w in PERSONAL or (w in HEREDITARY and holds(nationality, HEREDITARY_COUNTRIES))


def without_title(parts: Sequence[tuple[str | None, str]], nationality: str | tuple[str, ...] | None
                  ) -> list[tuple[str | None, str]] | None:
    """The name's ``(text, role)`` parts without a leading title, or None when it has none."""
    out = list(parts)
    for i, (text, role) in enumerate(parts):
        if not text or role not in ("g", "?"):
            continue
        words = text.split()
        if len(words) >= (2 if role == "g" else 3) and _is_title(words[0], nationality):
            out[i] = (" ".join(words[1:]), role)
            return out
        return None  # only the first given part, or the full name, may open with a title
    return None
