"""Inverted candidate index, updated in place.

Keys are hashes (``int``) of strings with a one-letter kind prefix, mapping to the slots of
the entries that hold them:

* ``t:`` a canonical token key, and the join of two adjacent tokens (compound names);
* ``c:`` a token's consonant skeleton (abjad scripts, vowel variants, some typos);
* ``m:`` a token's Metaphone code (jellyfish; sound-alike spellings);
* ``f:``/``s:`` a token's first and last four letters (one typo leaves one of them intact);
* ``w:``/``a:`` an abjad (Arabic, Hebrew, Persian) notice token's skeleton without waw/vav, looked
  up by an event's skeleton (``a:``: every Latin token; ``w:``: one with ``b``/``v``), by the
  skeleton of two adjacent event tokens written together (``MOHAMMAD REZA`` ~ ``محمدرضا``,
  ``ABDUL RAHMAN`` ~ ``عبدالرحمن``: an abjad writes these compounds as one word), and by the
  skeleton of a token after an article written onto it (``ELMASRY`` ~ ``المصري``, whose reading
  splits the article off);
* ``k:`` a token's first two and last two letters (a typo in the middle of a short token:
  ``BOUATIA`` ~ ``Bouafia``);
* ``p:`` an unordered pair of a name's token keys: selective even when each token is common;
* ``i:``/``y:`` a part with the initial of a short part, and an abjad name's skeleton pair when
  one skeleton is a single letter (``_short_parts``: parts too short or too misspelt for
  their own keys);
* ``d:`` a normalised document number;
* ``b:`` a full birth date with one of the notice's nationalities (``dated_key``): not a vote,
  a second way in (``CandidateIndex.dated``) for a name too damaged for its own keys.

A posting is a bare ``int`` while a key has one holder and becomes a compact ``array('I')``
on the second: most pair and join keys are unique, so this halves the index. When the compiled
core is built, the table is held natively instead (``_fast.Postings``, ``matching/core-rs``):
the same postings, changed by the same rules (``_dict_add``, ``_dict_remove``), a look-up touching
one bucket and one allocation instead of five Python objects, and a third of the memory; its
``get`` gives an ``int`` or a ``tuple`` of slots.

Candidate selection votes per query *token*: a notice gets one vote for each query token
that any of the token's keys (t/c/m) finds, two for a shared token pair, and is scored only
with at least two votes, or a shared document number, or when a query token's exact key has
at most ``rare_cap`` holders (a rare name part selects on its own: the event's other parts may
all be misspelt, ``GAUTSMI BUMB`` ~ ``Gautami Bumb``; not for words picked out of tip text). Keys whose posting is longer than
``token_cap`` are skipped (too common to select anything); when fewer than two query tokens
find anything (a one-part name, a typo in every key of a part, or a part too common to use),
one vote suffices, so a rare name part alone can still select. Work per event is therefore bounded
by the caps, not by the list size.

Removal is lazy: the slot is marked dead at once, and a posting list is compacted in place
when more than half of it is dead. Nothing is ever rebuilt wholesale.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import jellyfish

from . import _core
from ._dates import PartialDate
from ._features import Entry
from ._names import NameForm
from ._short_parts import initial_pair_keys, query_initial_pair_keys, skeleton_pair_keys
from ._text import PARTICLES, join_keys, make_room, squeeze, token_key

if TYPE_CHECKING:
    from ._fast import Postings

__all__ = ["CandidateIndex", "QueryKeys", "name_keys", "query_keys", "key_id", "dated_key", "abjad_key"]

Posting = int | array  # type: ignore[type-arg]
PostingTable = dict[int, Posting]
"""The postings as a Python dict (the reference); ``_fast.Postings`` holds the same natively."""


NO_YEARS = -(2 ** 31)
"""``CandidateIndex.born``'s first int for a slot without birth years (then 0) or removed (then 1)."""


def key_id(key: str) -> int:
    """The index's integer id of a key string (stable within one process)."""
    return hash(key)


def _token_group(form: NameForm, i: int) -> list[str]:
    return list(_group_strings(form.keys[i], form.cons[i]))


@lru_cache(maxsize=200_000)
def _group_strings(k: str, c: str) -> tuple[str, ...]:
    group = ["t:" + k]
    if len(c) >= 3:
        group.append("c:" + c)
    if "b" in c and len(c) >= 3:  # found by an abjad notice whose waw/vav was read as "v"
        group.append("w:" + c.replace("b", ""))
    if len(k) >= 4:
        group.append("m:" + _metaphone(k))
    if len(k) >= 5:  # a one-letter typo leaves the head or the tail intact
        group.append("f:" + k[:4])
        group.append("s:" + k[-4:])
        group.append("k:" + k[:2] + k[-2:])  # ... or both ends: "BOUATIA" ~ "Bouafia"
    return tuple(group)


_GROUP_IDS: dict[str, tuple[int, ...]] = {}


def _group_ids(k: str, c: str) -> tuple[int, ...]:
    """An event token's key ids: its group, and (query side only) its skeleton looked up among
    the waw/vav-free skeletons of abjad notices (``a:``, held by abjad notices only), so
    ``MANSOUR`` (mnsr) finds ``منصور`` (mnsvr) and ``SAID`` (sd) finds ``سعيد``: the letters
    an abjad writes for long vowels are consonants in the notice's reading and absent from the
    Latin spelling. Cached by ``k`` alone: ``c`` is its skeleton (``NameForm.cons``)."""
    ids = _GROUP_IDS.get(k)
    if ids is None:
        make_room(_GROUP_IDS, 200_000)
        ids = _GROUP_IDS[k] = _new_group_ids(k, c)
    return ids


def _new_group_ids(k: str, c: str) -> tuple[int, ...]:
    group = _group_strings(k, c)
    if a := abjad_key(c):
        group = (*group, a)
    if k[1] == "l" and k[0] in "ae" and len(k) >= 6 and c[0] == "l":
        # an article written onto the name (ELMASRY, ALQAHTANI): the name's own skeleton, as
        # a notice holds it (``al-Qahtani``, and ``القحطاني`` read as ``al qhtani``)
        rest = c[1:]
        group = (*group, "c:" + rest) if len(rest) >= 3 else group
        if a := abjad_key(rest):
            group = (*group, a)
    return tuple(key_id(x) for x in group)


def abjad_key(c: str, shortest: int = 2) -> str:
    """The key under which abjad notices hold a Latin word's consonant skeleton ``c`` (``a:``,
    their skeletons without waw/vav), or ``""``: a skeleton with ``b`` (a ``v`` or ``w`` the
    abjad may write as a vowel) is looked up as ``w:`` by the notice's side instead, and one
    shorter than ``shortest`` selects nothing."""
    return "a:" + c if "b" not in c and len(c) >= shortest else ""


def _join_id(a: str, b: str) -> int:
    return key_id("t:" + token_key(a + b))


_JOIN_IDS: dict[tuple[str, str], tuple[int, ...]] = {}


def _join_ids(a: str, b: str, ca: str, cb: str) -> tuple[int, ...]:
    """Two adjacent event tokens written together: the join's key, and (like ``_group_ids``) its
    skeleton among abjad notices' skeletons, where a compound is one word (``محمدرضا``). The
    join's skeleton is its parts' skeletons written together, as the alignment's
    (``_names._units``). Cached by ``(a, b)``: ``ca`` and ``cb`` are their skeletons."""
    ids = _JOIN_IDS.get((a, b))
    if ids is None:
        joined = _join_id(a, b)
        abjad = abjad_key(squeeze(ca + cb), 4)
        make_room(_JOIN_IDS, 200_000)
        ids = _JOIN_IDS[(a, b)] = (joined, key_id(abjad)) if abjad else (joined,)
    return ids


def name_keys(form: NameForm) -> set[str]:
    """Index keys of one name form (what a notice is found by)."""
    keys = form.keys
    out: set[str] = set()
    for i, k in enumerate(keys):
        if len(k) >= 2:
            out.update(_token_group(form, i))
            if form.abjad and k not in PARTICLES and len(w := form.cons[i].replace("b", "")) >= 2:
                out.add("w:" + w)  # waw/vav may be a vowel: "נועם" (nvm) ~ "Noam" (nm)
                out.add("a:" + w)  # ... found by any Latin skeleton (``_group_ids``), abjad notices only
    out.update(["t:" + joined for joined in join_keys(keys)])
    uniq = sorted({k for k in keys[:8] if len(k) >= 2 and k not in PARTICLES})
    for i, a in enumerate(uniq):
        for b in uniq[i + 1:]:
            out.add("p:" + a + "|" + b)
    out.update(initial_pair_keys(form))
    if form.abjad:
        out.update(skeleton_pair_keys(form.keys, form.cons))
        cons = form.cons
        for i in range(len(keys) - 1):  # "محمد رضا" found by MOHAMMADREZA's skeleton (``_group_ids``)
            if len(w := squeeze(cons[i] + cons[i + 1]).replace("b", "")) >= 4:
                out.add("a:" + w)
    return out


class QueryKeys:
    """An event's look-up keys: per-token groups, token pairs, document numbers."""

    __slots__ = ("groups", "pairs", "picks", "docs")

    def __init__(self) -> None:
        self.groups: dict[tuple[int, ...], bool] = {}
        """Per query token, its key ids; the value says whether a rare exact key may select
        on its own (the event's subject, not words picked out of a tip's text)."""
        self.pairs: set[int] = set()
        self.picks: dict[int, int | None] = {}
        """``_short_parts`` keys (and a repeated part's join with itself): select their holders
        when few hold them, without a vote; each with a guard key: when that key has holders
        (the short part is spelt as some notice spells it), the look-up is skipped."""
        self.docs: set[int] = set()


def query_keys(forms: Iterable[NameForm], qk: QueryKeys | None = None, solo: bool = True) -> QueryKeys:
    qk = qk or QueryKeys()
    groups = qk.groups
    for form in forms:
        keys = form.keys
        cons = form.cons
        n = len(keys)
        for i, k in enumerate(keys):
            if len(k) >= 2 and k not in PARTICLES:
                g = _group_ids(k, cons[i])
                groups[g] = solo or groups.get(g, False)
            if i + 1 < n:
                if solo and keys[i + 1] == k:
                    # a part repeated (named after the grandfather: TESFAYE TESFAYE): its join
                    # with itself is no second part that must find the same notice
                    qk.picks[_join_id(k, k)] = None
                    continue
                g = _join_ids(k, keys[i + 1], cons[i], cons[i + 1])
                groups[g] = solo or groups.get(g, False)
        uniq = sorted({k for k in keys[:8] if len(k) >= 2 and k not in PARTICLES})
        for i, a in enumerate(uniq):
            for b in uniq[i + 1:]:
                qk.pairs.add(key_id("p:" + a + "|" + b))
        if solo:
            qk.picks.update(_pick_ids(keys, cons))
    return qk


@lru_cache(maxsize=100_000)
def _pick_ids(keys: tuple[str, ...], cons: tuple[str, ...]) -> tuple[tuple[int, int | None], ...]:
    """An event name's ``_short_parts`` look-ups with their guards (cached per name: travellers
    share names)."""
    out: list[tuple[int, int | None]] = [(key_id(x), key_id(guard)) for x, guard in query_initial_pair_keys(keys)]
    out.extend((key_id(x), None) for x in skeleton_pair_keys(keys, cons))
    return tuple(out)


_MP: dict[str, str] = {}


def _metaphone(key: str) -> str:
    code = _MP.get(key)
    if code is None:
        make_room(_MP, 500_000)
        code = _MP[key] = jellyfish.metaphone(key)
    return code


class CandidateIndex:
    """Postings from key ids to entry slots."""

    __slots__ = ("postings", "live", "born", "token_cap", "pair_cap", "rare_cap", "pick_cap", "n_live",
                 "nationality_sizes", "_by_nationality")

    def __init__(self, token_cap: int = 400, pair_cap: int = 5000, rare_cap: int = 6, pick_cap: int = 12,
                 native: bool = False) -> None:
        table = _core.postings() if native else None
        self.postings: PostingTable | Postings = {} if table is None else table
        """Key id -> holders; natively (``_fast.Postings``) when ``native`` and the core is built."""
        self.live: list[Entry | None] = []
        self.born = array("i")
        """Per slot, two ints: the entry's birth years (``Entry.years``), ``NO_YEARS, 0`` when it
        has none, ``NO_YEARS, 1`` once removed. The compiled core ranks a long candidate list by
        them without touching each entry (a cache miss per notice); the reference reads the
        entries."""
        self.token_cap = token_cap
        self.pair_cap = pair_cap
        self.rare_cap = rare_cap
        """A query token whose exact key has at most this many holders selects them alone."""
        self.pick_cap = pick_cap
        """A ``_short_parts`` key held by at most this many notices selects them (no vote)."""
        self.n_live = 0
        self.nationality_sizes: dict[str, int] = {}
        """Active notices per nationality (a notice with two nationalities counts in both)."""
        self._by_nationality: dict[int, dict[str, int] | None] = {}
        """Cache of ``holders_by_nationality`` over all holders; emptied on every change."""

    def get(self, key: str, default: int = 0) -> int:
        """Document frequency: how many entries hold ``key`` (an upper bound while dead slots
        await compaction). Mapping-like, so rules can read it as ``df.get(key, 0)``."""
        postings = self.postings
        if not isinstance(postings, dict):
            return postings.count(key_id(key)) or default
        p = postings.get(key_id(key))
        if p is None:
            return default
        return 1 if isinstance(p, int) else len(p)

    def holders_by_nationality(self, key: str, exclude: int, cap: int) -> dict[str, int] | None:
        """Per nationality, how many active notices other than slot ``exclude`` hold ``key``;
        ``None`` when more than ``cap`` notices hold it (too common to matter). The counts over
        all holders are cached until the index next changes."""
        kid = key_id(key)
        counts = self._by_nationality.get(kid, _MISSING)
        if counts is _MISSING:
            counts = self._count_nationalities(kid, cap)
            if len(self._by_nationality) >= 50_000:
                self._by_nationality.clear()
            self._by_nationality[kid] = counts
        if not counts:
            return counts
        e = self.live[exclude] if 0 <= exclude < len(self.live) else None
        if e is None or not e.nationalities:
            return counts
        out = dict(counts)
        for c in e.nationalities:
            n = out.get(c, 0) - 1
            if n > 0:
                out[c] = n
            else:
                out.pop(c, None)
        return out

    def _count_nationalities(self, kid: int, cap: int) -> dict[str, int] | None:
        slots = self._posting(kid, cap)
        if slots is None:
            return None
        live = self.live
        out: dict[str, int] = {}
        for s in slots:
            e = live[s]
            if e is not None:
                for c in e.nationalities:
                    out[c] = out.get(c, 0) + 1
        return out

    @staticmethod
    def keys_of(entry: Entry) -> set[int]:
        keys: set[str] = set()
        for form in entry.forms:
            keys |= name_keys(form)
        for number, _country, _type in entry.docs:
            keys.add("d:" + number)
        for d in entry.dobs:
            for c in entry.nationalities:
                k = dated_key(d, c)
                if k is not None:
                    keys.add(k)
        return {key_id(k) for k in keys}

    def dated(self, dob: PartialDate, nationality: str) -> list[int]:
        """The slots of the notices born on ``dob`` (a full date) with ``nationality`` among theirs,
        when at most ``pick_cap`` hold that pair (more: too common a date to single anyone out)."""
        k = dated_key(dob, nationality)
        if k is None:
            return []
        p = self.postings.get(key_id(k))
        if p is None:
            return []
        if isinstance(p, int):
            return [p]
        return list(p) if len(p) <= self.pick_cap else []

    def misspelt(self, forms: Iterable[NameForm]) -> bool:
        """Whether a part of a name is spelt as no notice spells it (its exact key, ``t:``, has no
        holders): a typo, or a name no one on the list bears."""
        postings = self.postings
        for form in forms:
            for k, c in zip(form.keys, form.cons, strict=True):
                if len(k) >= 2 and k not in PARTICLES and _group_ids(k, c)[0] not in postings:
                    return True
        return False

    def add(self, entry: Entry) -> None:
        assert entry.slot == len(self.live)
        self.live.append(entry)
        self.born.extend(entry.years or (NO_YEARS, 0))
        self.n_live += 1
        if self._by_nationality:
            self._by_nationality.clear()
        sizes = self.nationality_sizes
        for c in entry.nationalities:
            sizes[c] = sizes.get(c, 0) + 1
        postings = self.postings
        if isinstance(postings, dict):
            _dict_add(postings, self.keys_of(entry), entry.slot)
        else:
            postings.add(self.keys_of(entry), entry.slot)

    def remove(self, slot: int) -> None:
        entry = self.live[slot]
        if entry is None:
            return
        self.live[slot] = None
        self.born[2 * slot:2 * slot + 2] = array("i", (NO_YEARS, 1))
        self.n_live -= 1
        if self._by_nationality:
            self._by_nationality.clear()
        sizes = self.nationality_sizes
        for c in entry.nationalities:
            sizes[c] -= 1
            if not sizes[c]:
                del sizes[c]
        postings = self.postings
        if isinstance(postings, dict):
            _dict_remove(postings, self.keys_of(entry), slot, self.live)
        else:
            postings.remove(self.keys_of(entry), slot, self.live)

    def _posting(self, key: int, cap: int) -> Sequence[int] | None:
        """The slots holding ``key`` (empty when none), or None when more than ``cap`` hold it."""
        postings = self.postings
        if not isinstance(postings, dict):
            return postings.posting(key, cap)
        p = postings.get(key)
        if p is None:
            return ()
        if isinstance(p, int):
            return (p,)
        return p if len(p) <= cap else None

    def candidates(self, qk: QueryKeys, limit: int, years: tuple[int, int] | None = None,
                   compiled: bool = False) -> list[Entry]:
        """Entries with enough votes (see module docstring), best-voted first, at most ``limit``.

        Set algebra in C: a notice found by two query tokens lies in the intersection of their
        holder sets. When only one token finds anything, its holders are taken key by key in
        the group's order (exact key, skeleton, Metaphone, then head/tail), up to ``limit``.
        Votes are counted only to rank a candidate list longer than ``limit``; among notices
        with as many votes, those born nearest the event's birth year come first (``MOHAMMAD
        REZA HOSEINI`` found 43 notices, most with two votes, and the person's, born that very
        year, came 35th by its slot).

        ``years``: the birth years a hit may have (the matcher's far-birth-year rejection).
        When the list is longer than ``limit``, notices born outside them (and not found by a
        document) are left out before the cut: they could only be rejected, and they took the
        places of notices that could match (a common Arabic name found 52 notices, and the
        Arabic-script notice of the person, with fewer votes than Latin namesakes born decades
        apart, was not among the first 24).

        ``compiled``: in the compiled core (``_core``), which returns the same list (or, should it
        fail, leaves the selection to this code)."""
        if compiled:
            got = _core.candidates(self, qk, limit, years)
            if got is not None:
                return got
        postings = self.postings
        cap = self.token_cap
        rare_cap = self.rare_cap
        groups: list[list[Sequence[int]]] = []
        strong: set[int] = set()  # selected without a second part: rare parts, pairs, documents
        for group, solo in qk.groups.items():
            found: list[Sequence[int]] = []
            for key in group:
                p = postings.get(key)
                if p is None:
                    continue
                if isinstance(p, int):
                    found.append((p,))
                    if solo and key == group[0]:
                        strong.add(p)  # a rare exact part selects on its own (see docstring)
                elif len(p) <= cap:
                    found.append(p)
                    if solo and key == group[0] and len(p) <= rare_cap:
                        strong.update(p)
            if found:
                groups.append(found)
        for key in qk.pairs:
            p = postings.get(key)
            if p is None:
                continue
            if isinstance(p, int):
                strong.add(p)
            elif len(p) <= self.pair_cap:
                strong.update(p)
        for key in qk.docs:
            p = postings.get(key)
            if p is not None:
                if isinstance(p, int):
                    strong.add(p + _DOC_BIT)
                else:
                    strong.update(s + _DOC_BIT for s in p)
        docs = {s - _DOC_BIT for s in strong if s >= _DOC_BIT}
        if docs:
            strong = {s for s in strong if s < _DOC_BIT} | docs
        picked: set[int] = set()
        for key, guard in qk.picks.items():
            if guard is not None and guard in postings:
                continue
            p = postings.get(key)
            if p is not None:
                if isinstance(p, int):
                    picked.add(p)
                elif len(p) <= self.pick_cap:
                    picked.update(p)
        n_groups = len(groups)
        sets: list[set[int]] = []
        if n_groups >= 2:
            # A notice found by two tokens: build the holder sets of all tokens but the one with
            # the longest postings, and only probe that one's postings against them (a look-up
            # costs less than an insert, and that token's postings are the most numerous).
            groups.sort(key=lambda g: sum(map(len, g)))
            for g in groups[:-1]:
                st: set[int] = set()
                for seq in g:
                    st.update(seq)
                sets.append(st)
            cand: set[int] = set()
            for i in range(n_groups - 2):
                a = sets[i]
                for j in range(i + 1, n_groups - 1):
                    cand |= a & sets[j]
            for a in sets:
                for seq in groups[-1]:
                    cand.update(a.intersection(seq))
            cand |= strong | picked
        elif n_groups == 1:
            cand = strong | picked
            for seq in groups[0]:
                if len(cand) >= limit:
                    break
                cand.update(seq[:limit])
            sets = [cand]
        else:
            cand = strong | picked
        if not cand:
            return []
        live = self.live
        if len(cand) <= limit:
            ranked = sorted(cand)
        else:
            if n_groups >= 2:  # the probed token's holders, now needed to count its votes
                last: set[int] = set()
                for seq in groups[-1]:
                    last.update(seq)
                sets.append(last)

            def votes(s: int) -> int:
                v = 2 * (s in strong) + 100 * (s in docs)
                for st in sets:
                    if s in st:
                        v += 1
                return v
            if years is not None:
                lo, hi = years
                mid = (lo + hi) // 2
                cand = {s for s in cand if s in docs or _born_within(live[s], lo, hi)}
                ranked = sorted(cand, key=lambda s: (-votes(s), _year_gap(live[s], mid), s))
            else:
                ranked = sorted(cand, key=lambda s: (-votes(s), s))
        out: list[Entry] = []
        for s in ranked:
            e = live[s]
            if e is not None:
                out.append(e)
                if len(out) >= limit:
                    break
        return out


def _dict_add(postings: PostingTable, keys: Iterable[int], slot: int) -> None:
    """``slot`` now holds each of ``keys``: a bare slot on the first holder, an array on the second."""
    for key in keys:
        p = postings.get(key)
        if p is None:
            postings[key] = slot
        elif isinstance(p, int):
            postings[key] = array("I", (p, slot))
        else:
            p.append(slot)


def _dict_remove(postings: PostingTable, keys: Iterable[int], slot: int, live: Sequence[Entry | None]) -> None:
    """``slot`` (already dead in ``live``) no longer holds ``keys``. Removal is lazy: a list is
    compacted when more than half of it is dead (a long one, over 64 slots, checked only when its
    length is a multiple of 64)."""
    for key in keys:
        p = postings.get(key)
        if p is None:
            continue
        if isinstance(p, int):
            if p == slot:
                del postings[key]
            continue
        n_live = sum(1 for s in p if live[s] is not None) if len(p) < 64 else None
        if n_live == 0:
            del postings[key]
        elif n_live is not None and len(p) > 2 * n_live:
            postings[key] = array("I", (s for s in p if live[s] is not None))
        elif n_live is None and len(p) % 64 == 0:  # long list: compact now and then
            kept = array("I", (s for s in p if live[s] is not None))
            if len(kept) * 2 < len(p):
                postings[key] = kept


def dated_key(dob: PartialDate, nationality: str) -> str | None:
    """The ``b:`` key of a full birth date and a nationality; ``None`` for a partial date or a
    1 January (the usual placeholder for an unknown day: it singles no one out)."""
    y, m, d = dob
    if not m or not d or (m == 1 and d == 1) or not nationality:
        return None
    return f"b:{y:04d}{m:02d}{d:02d}{nationality}"


def _year_gap(entry: Entry | None, year: int) -> int:
    """Years between ``year`` and a notice's birth years (0 within them, or with no birth date)."""
    y = None if entry is None else entry.years
    return 0 if y is None else max(0, y[0] - year, year - y[1])


def _born_within(entry: Entry | None, lo: int, hi: int) -> bool:
    """Whether a notice may be born in ``lo..hi`` (no birth date: it may)."""
    if entry is None:
        return False
    y = entry.years
    return y is None or (y[1] >= lo and y[0] <= hi)


_DOC_BIT = 1 << 40
_MISSING: dict[str, int] = {"": -1}  # a sentinel: "not cached" (``None`` is a cached answer)
