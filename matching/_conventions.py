"""Naming conventions as knowledge: which name parts may be dropped or moved.

Most conventions need no special case: the alignment is order-free (Vietnamese, Hungarian and
East Asian family-name-first order, swapped given/family fields), an unmatched middle name,
Russian patronymic or second Spanish surname costs little (``_names.EXTRA_LONG``), and an
Icelandic ``-son``/``-dóttir`` name is compared as the family name it is printed as.

What does need knowledge is a **father's-name chain**: an Ethiopian, Eritrean or Somali name
is a given name, the father's given name and the grandfather's given name, and a document may
use any two of them (``DAWIT SELEMON`` or ``DAWIT GEBREMEDHIN`` for Dawit Selemon
Gebremedhin); an Arabic *nasab* (``Ahmed bin Khalid bin Saleh Al-Harbi``) is printed with or
without its links, its father's names and its tribal name. There is no family name to insist
on. ``chain_roles`` marks every part after the first given name as ``p`` (a chain part): the
given name must still agree, and at least one chain part, but any other may be missing. Where
the name writes its links, the given names before the first one are the holder's own
(``Nur Hazwani binti Rosdan``, ``Ahmad Zaki bin Rahman``: Malay names) and stay given names.
"""

from __future__ import annotations

from ._nationality import holds
from ._text import token_key

__all__ = ["CHAIN_COUNTRIES", "is_chain_name", "chain_roles"]

CHAIN_COUNTRIES = frozenset({"ET", "ER", "SO", "DJ", "SA", "AE", "QA", "KW", "BH", "OM", "YE", "IQ", "SD"})
"""Nationalities whose names are a given name followed by a father's (and grandfather's)
name: Ethiopia, Eritrea, Somalia, Djibouti; the Gulf states, Yemen, Iraq and Sudan, whose
passports print the *nasab* (given, father, grandfather, family or tribe)."""
_NASAB_LINKS = frozenset({"bin", "ibn", "bint", "binti", "binte"})


def is_chain_name(words: list[str], nationality: str | tuple[str, ...] | None) -> bool:
    """Whether a name is a father's-name chain: its holder's nationality uses one, or the name
    carries a nasab link (``bin``, ``ibn``, ``bint``) between two parts."""
    if holds(nationality, CHAIN_COUNTRIES):
        return True
    low = [w.lower() for w in words]
    return any(w in _NASAB_LINKS and 0 < i < len(low) - 1 for i, w in enumerate(low))


_LINK_KEYS = frozenset(token_key(w) for w in _NASAB_LINKS)
"""The links as ``NameForm.keys`` hold them (``bin`` is keyed ``ben``)."""


def chain_roles(roles: tuple[str, ...], particles: tuple[bool, ...], keys: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Roles of a chain name: the first given part stays ``g``, and so do the given parts before
    the first link (``Ahmad Zaki bin Rahman``: ``Zaki`` is his own name, not his father's); every
    later given or family part becomes ``p``. Names of unknown order (``?``) are left as they are."""
    if "?" in roles or "g" not in roles:
        return roles
    out = list(roles)
    first = roles.index("g")
    link = next((i for i, k in enumerate(keys) if i > first and k in _LINK_KEYS), first + 1)
    for i, r in enumerate(roles):
        if i != first and r in ("g", "f") and not particles[i] and not (r == "g" and i < link):
            out[i] = "p"
    return tuple(out)
