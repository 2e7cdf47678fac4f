"""Index keys for a name part too short, or too misspelt, to be found by its own keys.

The per-token keys (``_index``) need something of a part to survive: its exact key, its
consonant skeleton (three letters or more), its Metaphone code, its head, tail or ends (five
letters or more). Two typos in a short part (``HRAN`` for ``Huang``, ``ENAO`` for ``Endo``)
leave none of them, and a Hebrew name whose skeleton is one letter (``איתי`` read ``iti``,
skeleton ``t``) has none to begin with. When another part of the same name is found but is
common (``RUI``), the notice is not among the candidates: one found part is not enough beside
other parts that find other notices. These keys pair the short part with another part of the
same name:

* ``i:`` another part's exact key with the short part's first letter: ``i:rui|h`` finds
  ``Rui Huang`` from ``RUI HRAN``. A typo rarely changes the first letter, and the name
  comparison pairs two misspelt family names only when their first letters agree
  (``_names._lone_pair``).
* ``y:`` the two waw/vav-free consonant skeletons of a name in an abjad script, when one of
  them has fewer than two letters (so the skeleton keys ``a:``/``w:`` do not exist for it):
  ``y:l|t`` finds ``איתי לוי`` from ``ITAI LEVI``.

The index lets such a key select its holders on its own only when few notices hold it
(``CandidateIndex.pick_cap``): a common part with a common initial selects nothing.
"""

from __future__ import annotations

from ._names import NameForm
from ._text import PARTICLES

__all__ = ["initial_pair_keys", "query_initial_pair_keys", "skeleton_pair_keys"]

SHORT = 5
"""A notice's part of at most this many letters is keyed with its initial (``i:``)."""
QUERY_SHORT = SHORT + 1
"""An event's part of at most this many letters looks its initial up (two typos may add a
letter: ``HUANG`` misspelt ``HUANNG``)."""


def _parts(keys: tuple[str, ...]) -> list[str]:
    return sorted({k for k in keys[:8] if len(k) >= 2 and k not in PARTICLES})


def _initial_pairs(keys: tuple[str, ...], short: int) -> list[tuple[str, str]]:
    parts = _parts(keys)
    return [("i:" + a + "|" + b[0], b) for b in parts if len(b) <= short for a in parts if a != b]


def initial_pair_keys(form: NameForm) -> list[str]:
    """A notice's ``i:`` keys: each short part's initial with each other part's exact key."""
    return [key for key, _ in _initial_pairs(form.keys, SHORT)]


def query_initial_pair_keys(keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """An event's ``i:`` look-ups (``QUERY_SHORT``: one letter longer than a notice's), each
    with the short part's own exact key (``t:``): a part that some notice spells so is not
    misspelt beyond its keys, and its look-up is skipped (``CandidateIndex.candidates``)."""
    return [(key, "t:" + b) for key, b in _initial_pairs(keys, QUERY_SHORT)]


def skeleton_pair_keys(keys: tuple[str, ...], cons: tuple[str, ...]) -> list[str]:
    """``y:`` keys of a name's skeleton pairs (``keys`` and their skeletons ``cons``), when one
    skeleton has fewer than two letters once ``b`` (a waw/vav, which may be a vowel) is
    dropped. A notice holds them only for its abjad forms; an event looks up every form's
    (only abjad notices can answer)."""
    for c in cons[:8]:
        if len(c) - c.count("b") < 2:
            break
    else:  # every skeleton has two letters or more (most names): no pair to key
        return []
    skels = {c.replace("b", "") for k, c in zip(keys[:8], cons[:8], strict=False)
             if len(k) >= 2 and k not in PARTICLES}
    skels.discard("")
    if all(len(x) >= 2 for x in skels):  # no pair has a skeleton of one letter (most names)
        return []
    ordered = sorted(skels)
    return ["y:" + a + "|" + b for i, a in enumerate(ordered) for b in ordered[i + 1:] if len(a) < 2 or len(b) < 2]
