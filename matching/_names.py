"""Names as comparable token forms, and the token-alignment similarity between two of them.

A ``NameForm`` is one Latin rendering of one name: a tuple of canonical token keys
(``_text.token_key``), their consonant skeletons and the original words (for the reasons an
officer reads). A notice name in a native script yields one form per romanisation standard.

``align(query, candidate)`` pairs tokens order-free (so given/family swaps cost nothing),
lets one token match two adjacent joined tokens (``ALOTAIBI`` ~ ``AL OTAIBI``,
``XIAOMING`` ~ ``XIAO MING``), and returns a similarity in [0, 1]: the mean similarity of
the pairs, minus a large penalty for each token of the *shorter* name left unmatched (a
different given name is a different person) and a small one for each extra token of the
longer name (middle names and patronymics come and go).
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz.distance import OSA, Levenshtein

from ._common import COMMON
from ._text import PARTICLES, consonant_key, is_abjad, join_keys, make_room, preprocess, romanise, squeeze, token_key, words

__all__ = ["NameForm", "Alignment", "forms_of", "align", "vocalises"]

_MIN_PAIR = 0.55
MISSING_SHORT = 0.30
"""Penalty per unmatched token of the shorter name."""
EXTRA_LONG = 0.05
"""Penalty per unmatched middle name or patronymic."""
PARTICLE_MISS = 0.01
"""Penalty per unmatched particle (``al``, ``van``, ``bin``)."""
MISSING_FIRST = 0.20
"""Penalty when the first given name is unmatched but a later one matched."""
CONFLICTING_PART = 0.10
"""Extra penalty when both sides keep an unmatched part of the same role (``ALI REDUANE`` vs
``Ali Mustapha``): two different middle names disagree, they are not one omission."""
CROSS_MIN = 0.80
"""A given-name part pairs with a family-name part (order swapped) only at this similarity:
a swap is free when the parts agree, but a weak pairing across roles just to cover every
part (``ALI HASSAN`` given vs ``Hassani`` family) is how namesakes alert. Once a pair has
shown the fields swapped (``VOLKOV`` given ~ ``Волков`` family), a part of the other field
pairs the other way down to ``SWAPPED_CROSS_MIN`` (``ALEKUANDR`` family ~ ``Александр`` given,
0.78; ``RKUI`` ~ ``Rui``, 0.75): that is the same swap, not a second one."""
SWAPPED_CROSS_MIN = 0.75
"""The similarity a crosswise pair needs once the fields are seen swapped the other way: one typo
in a word of four letters or more (``MARTINA`` ~ ``Martinsen``, 0.67, stays apart)."""
CHAIN_MISS = 0.02
"""Penalty per unmatched part of a father's-name chain (``p``): documents routinely print
two or three of its four parts (Ethiopian given + father's name, a nasab without its
grandfather or tribe)."""
_CROSS = frozenset({"gf", "fg"})
"""Role pairs that are crosswise (a father's-name chain part ``p`` may stand for either)."""
EXTRA_UNKNOWN = 0.08
"""Penalty per unmatched token of a name whose given/family split is unknown."""
INITIAL_SIM = 0.75
"""Similarity of an initial (a one-letter consonant part: ``RAJENDRAN M``, the father's name as
South Indian documents print it, before or after the name, or ``J SMITH``) to a left-over part
of at least three letters that starts with it, in either role (the initial often stands in the
other field). Weak evidence: the pair is no agreeing part for the name's rarity, so it only
keeps the part from counting as missing."""


class NameForm:
    """One rendering of one name, ready for comparison."""

    __slots__ = ("keys", "cons", "originals", "roles", "name_index", "abjad", "derived", "via", "core")

    def __init__(self, keys: tuple[str, ...], originals: tuple[str, ...], name_index: int,
                 roles: tuple[str, ...] | None = None, abjad: bool = False, derived: bool = False,
                 via: str = "") -> None:
        self.keys = keys
        self.cons = tuple(consonant_key(k) for k in keys)
        self.originals = originals
        self.roles = roles if roles is not None else ("?",) * len(keys)
        """Per token: ``g`` given, ``f`` family, ``p`` a part of a father's-name chain
        (``_conventions``: Ethiopian father's and grandfather's names, Arabic nasab), ``?``
        unknown (full name, tip text)."""
        self.name_index = name_index
        self.abjad = abjad
        self.derived = derived
        self.via = via
        """The romanisation system this form was read in, when it is not the name as written
        or ICU's default (``Kunrei-shiki``, ``McCune–Reischauer``): shown in the reason."""
        """Converted by us from one Latin romanisation to another (Wade–Giles to pinyin): a
        guess, so only an exact agreement through it counts in full."""
        """Rendered from a script without short vowels (Arabic, Hebrew): compare skeletons."""
        self.core: object | None = None
        """This form in the compiled core (``_core``), made on first use."""

    def __repr__(self) -> str:
        return f"NameForm({' '.join(self.keys)!r})"


_WORD_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {}


def word_keys(word: str) -> tuple[tuple[str, ...], ...]:
    """Per Latin rendering of one written word, its canonical token keys (cached: travellers
    share given and family names, so the event side mostly hits this cache)."""
    got = _WORD_KEYS.get(word)
    if got is None:
        out: list[tuple[str, ...]] = []
        for rendered in romanise(word):
            out.append(tuple(k for k in (token_key(w) for w in words(preprocess(rendered))) if k))
        make_room(_WORD_KEYS, 200_000)
        got = _WORD_KEYS[word] = tuple(out)
    return got


def forms_of(parts: Iterable[tuple[str | None, str]], name_index: int = 0) -> list[NameForm]:
    """All ``NameForm`` renderings of a name given as ``(text, role)`` parts.

    Roles: ``g`` given names, ``f`` family name, ``?`` a full name of unknown order.
    """
    words_orig: list[tuple[str, str]] = []
    for part, role in parts:
        if part:
            # Words are separated by spaces, hyphens, the filler ``<`` of a name copied from a
            # machine-readable zone (``ALHARBI<<SAAD<MOHAMMED``) and the comma after a family name
            # written first (``DOBRESCU, Mihail``), so a reason shows each word, not the whole field.
            # Three replaces: ``str.translate`` looks up every character (1.7% of screening).
            words_orig.extend((w, role) for w in part.replace("-", " ").replace("<", " ").replace(",", " ").split())
    if not words_orig:
        return []
    per_word = [word_keys(w) for w, _ in words_orig]
    abjad = any(is_abjad(w) for w, _ in words_orig)
    n_variants = max(len(r) for r in per_word)
    forms: list[NameForm] = []
    seen: set[tuple[str, ...]] = set()
    for v in range(n_variants):
        keys: list[str] = []
        origs: list[str] = []
        roles: list[str] = []
        for (orig, role), renderings in zip(words_orig, per_word, strict=False):
            if not renderings:
                continue
            for k in renderings[min(v, len(renderings) - 1)]:
                keys.append(k)
                origs.append(orig)
                roles.append(role)
        t = tuple(keys)
        if t and t not in seen:
            seen.add(t)
            forms.append(NameForm(t, tuple(origs), name_index, tuple(roles), abjad))
    return forms


_SHORT_VOWELS = frozenset("aeiou")
_WRITTEN_AS = {"u": "uo", "i": "ie"}
"""The Latin vowels a long vowel written in an abjad may be spelt with: waw (``u``) as u or o
(``يوسف`` ``Youssef``), ya (``i``) as i or e (``سعيد`` ``Saeed``). An ``a`` (alif, ayin, ta
marbuta) may be any vowel (``عمر`` ``Omar``/``Umar``/``Omer``)."""


def _spells(latin: str, reading: str) -> bool:
    """Whether the key ``latin`` is ``reading`` with short vowels written in: every letter of
    the reading in order, each of its vowels as a vowel it may be spelt with, and at most one
    vowel letter added between two of its letters. None before the first: an abjad writes the
    letter (alif, ayin) that carries a name's first vowel, so ``Ahmed`` is ``أحمد``, not
    ``حمد`` (Hamad). None after the last: ``Abdi`` is not ``عبد``."""
    j = 0
    added = False
    for x in latin:
        if j < len(reading):
            y = reading[j]
            if x == y or (x in _SHORT_VOWELS and y in _SHORT_VOWELS and x in _WRITTEN_AS.get(y, "aeiou")):
                j += 1
                added = False
                continue
        if x in _SHORT_VOWELS and not added and 0 < j < len(reading):
            added = True
            continue
        return False
    return j == len(reading)


def vocalises(a: str, b: str) -> bool:
    """Whether one key spells the other's abjad reading in full (round 14): an abjad writes a
    name's consonants and long vowels and leaves its short vowels out, so ``Khalid`` is the
    whole of ``خالد`` (read ``khald``), and ``Mariam``, ``Maryam`` are both ``مريم``
    (``mrim``). A written vowel must be spelt as one: ``جميل`` (``jmil``) is ``Jamil``, not
    ``Jamal``; ``حسن`` (``hasn``) is ``Hassan``, not ``Hussein`` (``حسين``), two vowels
    where one was left out."""
    if len(a) < len(b):
        return _spells(b, a)
    if len(b) < len(a):
        return _spells(a, b)
    return _spells(a, b) or _spells(b, a)


def token_similarity(a: str, b: str, ca: str, cb: str, abjad: bool = False) -> float:
    """Similarity of two token keys: edit distance on the keys; or 0.9 x the similarity of the
    consonant skeletons when one side comes from an abjad script, or when the keys have the
    same length and differ only in vowels (Mohamed/Muhamad), not where they stand
    (``_vowels_elsewhere``: Mahmud/Muhamad). When one side comes from an
    abjad script and the other spells its reading in full (``vocalises``), they agree: 1.0."""
    if a == b:
        return 1.0
    if len(a) < 3 or len(b) < 3:
        return 0.0  # "Li"/"Yi", "in"/"Jin": too short for fuzzy evidence
    if abjad and ca == cb and vocalises(a, b):
        return 1.0
    s = OSA.normalized_similarity(a, b)
    if len(ca) >= 2 and len(cb) >= 2 and ca[0] == cb[0] and (abjad or min(len(ca), len(cb)) >= 3):
        if abjad or abs(len(a) - len(b)) <= 1:
            if abjad or not _vowels_elsewhere(a, b, ca, cb):
                s = max(s, 0.9 * Levenshtein.normalized_similarity(ca, cb))
            if abjad and "b" in ca + cb:  # waw/vav written for a vowel: "qdwry" ~ "Qaddouri"
                s = max(s, 0.9 * Levenshtein.normalized_similarity(ca.replace("b", ""), cb.replace("b", "")))
        elif ca == cb and _letters_left_out(a, b):  # vowels dropped: "MHRRMLI" ~ "Məhərrəmli"
            s = max(s, 0.9 if len(ca) >= 4 else 0.75)
    elif ca == cb and a[0] == b[0] and abs(len(a) - len(b)) <= 1 and min(len(a), len(b)) >= 4:
        s = max(s, 0.9)  # vowel variants of a short skeleton: "Ilias" ~ "Ilyes"
    return 0.0 if _two_names(a, b, s) else s


def _two_names(a: str, b: str, s: float, floor: float = _MIN_PAIR) -> bool:
    """``COMMON_APART``, from ``floor`` up (a token pair under ``_MIN_PAIR`` is no pair anyway, and
    the look-ups cost every pair)."""
    return floor <= s < COMMON_APART and min(len(a), len(b)) >= 5 and a in COMMON and b in COMMON


_SHAPE = str.maketrans("abcdefghijklmnopqrstuvwxyz", "VCCCVCCCVCCCCCVCCCCCVCCCCC")


def _vowels_elsewhere(a: str, b: str, ca: str, cb: str) -> bool:
    """Two names frequent world-wide (``_common.COMMON``) of one skeleton whose vowels stand
    elsewhere or are another number of letters: ``MAHMOUD`` and ``MOHAMMED`` (``mhmd`` both:
    ``CVCCVC`` against ``CVCVCVC``), ``HASSAN`` and ``HUSSEIN`` (``CVCVC`` against ``CVCVVC``) are
    two names, not two spellings of one, as ``MOHAMED`` and ``MUHAMMAD`` are (vowels changed in
    place). Not when one is the other with letters left out (``ALEKSANDR``, ``ALEXANDER``). A word
    that is no such name may be a typo that moved a vowel (``DIMR`` for ``DEMIR``) or a spelling
    of another language (``HOCINE`` for ``HUSSAIN``): for those the skeleton still counts."""
    return (ca == cb and a in COMMON and b in COMMON and a.translate(_SHAPE) != b.translate(_SHAPE)
            and not _letters_left_out(a, b))


def _letters_left_out(a: str, b: str) -> bool:
    """The shorter key is the longer with letters left out (``mhrmli`` in ``maharamli``), not
    with other vowels elsewhere (``mahmud`` is not in ``muhamadu``)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    rest = iter(long)
    return all(ch in rest for ch in short)


COMMON_APART = 0.75
"""Two names frequent world-wide (``_common.COMMON``) of five letters or more (keyed), less similar
than this, are two names, not one misspelt: ``AHMED`` and ``MOHAMMED`` (0.57) do not pair, as two
rare words that close might (a typo in each), and a brother is not aligned with the person part
for part. Shorter names stay apart from the rule: one typo turns ``ZHOU`` or ``KIM`` into
another frequent name."""


class Alignment:
    """Result of ``align``: similarity and the matched (query words, candidate words) pairs."""

    __slots__ = ("score", "pairs", "matched", "units", "conflict")

    def __init__(self, score: float, pairs: list[tuple[str, str, float]], matched: int,
                 units: Iterable[Iterable[int]] = (), conflict: bool = False) -> None:
        self.score = score
        self.pairs = pairs
        self.matched = matched
        self.units = units
        """Per agreeing pair, the indices of the candidate form's tokens in it (two for a
        joined compound: ``XIAOMING`` ~ ``XIAO MING``)."""
        self.conflict = conflict
        """Both sides keep a whole word of the same role unmatched, a given name or a family
        name: two different names in one place, not a part one record left out
        (``_left_out_roles``; a father's-name chain, ``p``, is written to different lengths and
        does not count)."""


def _units(form: NameForm) -> list[tuple[frozenset[int], str, str, str]]:
    """Single tokens and adjacent joins: (indices, key, skeleton, role; ``?`` when mixed).

    A join's skeleton is its parts' skeletons written together, not the skeleton of the joined
    key: keying ``sid`` + ``hdad`` as one word reads a ``dh`` across the seam (``sidad``,
    skeleton ``sd``), and that join then took both parts of ``سعيد حداد`` for ``SAEED`` alone
    (name 0.60 instead of 0.90)."""
    keys, roles, cons = form.keys, form.roles, form.cons
    units = [(frozenset((i,)), k, cons[i], roles[i]) for i, k in enumerate(keys)]
    for i, joined in enumerate(join_keys(keys)):
        role = roles[i] if roles[i] == roles[i + 1] else "?"
        units.append((frozenset((i, i + 1)), joined, squeeze(cons[i] + cons[i + 1]), role))
    return units


def align(q: NameForm, c: NameForm) -> Alignment:
    """Order-free token alignment of two name forms (see module docstring)."""
    if q.keys == c.keys or (len(q.keys) == len(c.keys) and sorted(q.keys) == sorted(c.keys)):
        exact = [(qo, co, 1.0) for qo, co in zip(q.originals, _reorder(q, c), strict=False)]
        every = [(i,) for i in range(len(c.keys))]
        return Alignment(1.0, exact, _substantive(q, set(range(len(q.keys)))), every)
    qu, cu = _units(q), _units(c)
    abjad = q.abjad or c.abjad
    # (similarity, rank among equals, query unit, candidate unit, the roles if crosswise,
    # whether it is a weak crosswise pair: taken only where the fields are seen to be swapped,
    # and whether a part of unknown role pairs with a repeated part not of the family name)
    cands: list[tuple[float, int, frozenset[int], frozenset[int], str, bool, bool]] = []
    for qi, qk, qc, qr in qu:
        for ci, ck, cc, cr in cu:
            if len(qi) > 1 and len(ci) > 1:
                continue
            size = len(qi) + len(ci)
            cross = qr + cr if qr + cr in _CROSS else ""
            if (len(qi) > 1 or len(ci) > 1) and min(len(qk), len(ck)) < 4:
                # a short join only when spelt the same: "JI YE" ~ "JIYE", but "Yi Yu" is not "Yu"
                if qk == ck:
                    cands.append((1.0, -size, qi, ci, cross, False, _repeated(qr, ci, ck, cr, c)))
                continue
            s = token_similarity(qk, ck, qc, cc, abjad)
            if s >= _MIN_PAIR and (not cross or s >= SWAPPED_CROSS_MIN):
                cands.append((s, size if s < 1.0 else -size, qi, ci, cross, bool(cross) and s < CROSS_MIN,
                              _repeated(qr, ci, ck, cr, c)))
    # At equal similarity an exact join first (``HYE LI`` ~ ``Hyeli``, not ``LI`` ~ ``Lee``), but
    # of two inexact pairs the one of fewer parts: a join that scores no better than one of its
    # parts alone takes the other part for nothing (``بلال السيد`` for ``BILAL``, its skeleton
    # squeezed to ``bl``, leaving ``ELSAYED`` no partner but ``سيد`` alone).
    # Of two equally close pairs of one size, the one within a role first: a family name that
    # meets the notice's family name and a middle name spelt the same pairs with the family name
    # (round 14: ``HAMED EBRAHIM`` ~ ``Hamad Ibrahim Ibrahim``), or the family name is "missing";
    # and a part whose role is unknown (a tip's full name) with the family name's occurrence of a
    # part the candidate repeats, for the same reason (round 19: ``ناصر منصور`` ~ ``Nasser
    # Mansour Mansour``, ``محمد السيد`` ~ ``محمد سعيد السيد``, where ``سعيد`` and ``سيد`` read alike).
    cands.sort(key=lambda t: (-t[0], t[1], t[4] != "", t[6]))
    used_q: set[int] = set()
    used_c: set[int] = set()
    units: list[frozenset[int]] = []
    total = 0.0
    weight = 0.0
    pairs: list[tuple[str, str, float]] = []
    swapped = ""  # the roles of the first crosswise pair taken: the fields are swapped that way
    for s, _rank, qi, ci, cross, weak, _other in cands:
        if used_q & qi or used_c & ci:
            continue
        if weak and swapped != cross[::-1]:
            continue  # crosswise on weak similarity, unless the other field went the other way
        if cross and not swapped:
            swapped = cross
        used_q |= qi
        used_c |= ci
        units.append(ci)
        w = float(max(len(qi), len(ci)))
        total += s * w
        weight += w
        pairs.append((_orig(q, qi), _orig(c, ci), s))
    if weight and len(used_q) < len(q.keys) and len(used_c) < len(c.keys):
        lone = _lone_pair(q, c, used_q, used_c)
        if lone is not None:  # two typos in a short name part: a weak pair, not "no family name"
            qj, cj, s = lone
            used_q.add(qj)
            used_c.add(cj)
            units.append(frozenset((cj,)))
            total += s
            weight += 1.0
            pairs.append((q.originals[qj], c.originals[cj], s))
    if not weight:
        return Alignment(0.0, [], 0)
    matched = min(_substantive(q, used_q), _substantive(c, used_c))
    for qj, cj in _initial_pairs(q, c, used_q, used_c):
        used_q.add(qj)
        used_c.add(cj)
        total += INITIAL_SIM
        weight += 1.0
        pairs.append((q.originals[qj], c.originals[cj], INITIAL_SIM))
    score = total / weight - _unmatched_penalty(q, used_q) - _unmatched_penalty(c, used_c)
    clash = _unmatched_roles(q, used_q) & _unmatched_roles(c, used_c)
    if clash:
        score -= CONFLICTING_PART
    conflict = bool(clash) and bool(_left_out_roles(q, used_q) & _left_out_roles(c, used_c))
    return Alignment(max(0.0, min(1.0, score)), pairs, matched, units, conflict)


def _repeated(qr: str, ci: frozenset[int], ck: str, cr: str, c: NameForm) -> bool:
    """Whether a part of unknown role (``qr``) pairs with a part the candidate repeats that is
    not its family name's (``align`` takes the family name's occurrence first)."""
    return qr == "?" and cr != "f" and len(ci) == 1 and ck not in PARTICLES and c.keys.count(ck) > 1


WEAK_PART_MIN = 0.34
"""A lone unmatched family name on each side, or a given name that is the only one of its side,
starting with the same letter, pairs at its own similarity down to this (two typos in a short part: ``KOC`` ~
``Koch``, ``IT`` ~ ``Ito``, ``AAAT`` ~ ``Azat``) when every other part agrees, instead of
counting as "no family name" or "no given name" (0.30 per side). Such a name stays below
``rules.CLOSE_NAME`` unless the part is close, so it reaches the review band, not the alert
band, on a name alone."""


def _lone_pair(q: NameForm, c: NameForm, used_q: set[int], used_c: set[int]) -> tuple[int, int, float] | None:
    """The one unmatched token of each side, when it is the only unmatched substantive token of
    both, both are family names (or both the only given name of their side: a second given name
    left over is a middle name, not "no given name"), both start with the same letter, and they
    are not two names frequent world-wide (``COMMON_APART``): (query index, candidate index,
    similarity)."""
    left_q = [i for i in range(len(q.keys)) if i not in used_q and q.keys[i] not in PARTICLES]
    left_c = [i for i in range(len(c.keys)) if i not in used_c and c.keys[i] not in PARTICLES]
    if len(left_q) != 1 or len(left_c) != 1:
        return None
    qi, ci = left_q[0], left_c[0]
    role = q.roles[qi]
    if role not in ("f", "g") or c.roles[ci] != role:
        return None
    if role == "g" and (_role_count(q, "g") > 1 or _role_count(c, "g") > 1):
        return None
    a, b = q.keys[qi], c.keys[ci]
    if not a or not b or a[0] != b[0]:
        return None
    s = OSA.normalized_similarity(a, b)
    if _two_names(a, b, s, 0.0):
        return None  # two names frequent world-wide, two names (``MAHMUD`` ~ ``Mohamed``), not two typos
    return (qi, ci, s) if s >= WEAK_PART_MIN else None


def _role_count(form: NameForm, role: str) -> int:
    return sum(1 for k, r in zip(form.keys, form.roles, strict=True) if r == role and k not in PARTICLES)


def _initial_pairs(q: NameForm, c: NameForm, used_q: set[int], used_c: set[int]) -> list[tuple[int, int]]:
    """Left-over initials paired with a left-over part they abbreviate (``INITIAL_SIM``), on
    either side: (query index, candidate index) per pair."""
    if not any(len(k) == 1 for k in q.keys) and not any(len(k) == 1 for k in c.keys):
        return []
    out: list[tuple[int, int]] = []
    taken_q, taken_c = set(used_q), set(used_c)
    for qi, qk in enumerate(q.keys):
        if qi in taken_q:
            continue
        for ci, ck in enumerate(c.keys):
            if ci in taken_c:
                continue
            short, full = (qk, ck) if len(qk) == 1 else (ck, qk)
            if len(short) == 1 and short not in _VOWEL_LETTERS and len(full) >= 3 and full[0] == short \
                    and full not in PARTICLES:
                out.append((qi, ci))
                taken_q.add(qi)
                taken_c.add(ci)
                break
    return out


_VOWEL_LETTERS = frozenset("aeiouy")
"""One-letter vowel parts are names, not initials (the Korean surnames ``O``, ``I``, ``U``)."""


def _unmatched_roles(form: NameForm, used: set[int]) -> set[str]:
    """Roles (given ``g``, family ``f``) of a side's unmatched substantive tokens."""
    keys, roles = form.keys, form.roles
    return {roles[i] for i in range(len(keys)) if i not in used and roles[i] != "?" and keys[i] not in PARTICLES}


def _left_out_roles(form: NameForm, used: set[int]) -> set[str]:
    """Roles (``g``, ``f``) of a side's unmatched substantive tokens that are whole written
    words: a token split from a word that also paired (``ABDALLSAH`` read ``abdal`` + ``lsa``) is
    a remnant of that word, not a name the other side lacks."""
    keys, roles, originals = form.keys, form.roles, form.originals
    paired = {originals[i] for i in used}
    return {roles[i] for i in range(len(keys)) if i not in used and roles[i] in ("g", "f") and keys[i] not in PARTICLES
            and originals[i] not in paired}


def _substantive(form: NameForm, used: set[int]) -> int:
    return sum(1 for i in used if form.keys[i] not in PARTICLES)


def _unmatched_penalty(form: NameForm, used: set[int]) -> float:
    """Cost of a side's unmatched tokens.

    With roles known, a side whose given names, or whose family name, found no partner at all
    is a different person (``MISSING_SHORT`` each); a missing *first* given name while a later
    one matched costs ``MISSING_FIRST``; other unmatched tokens are middle names or
    patronymics (``EXTRA_LONG``; particles 0.01). With roles unknown (full names, tip text),
    a side of two or more substantive tokens must match at least two, and each extra token
    costs ``EXTRA_UNKNOWN``.
    """
    penalty = 0.0
    keys, roles = form.keys, form.roles
    groups: dict[str, list[bool]] = {}
    for i, k in enumerate(keys):
        if k in PARTICLES:
            if i not in used:
                penalty += PARTICLE_MISS
            continue
        groups.setdefault(roles[i], []).append(i in used)
    for role, hits in groups.items():
        misses = hits.count(False)
        if role == "?":
            need = min(2, len(hits))
            short = max(0, need - (len(hits) - misses))
            penalty += MISSING_SHORT * short + EXTRA_UNKNOWN * (misses - short)
        elif misses == len(hits):
            penalty += MISSING_SHORT + EXTRA_LONG * (misses - 1)
        elif role == "p":  # a father's-name chain: any one part may be dropped or stand alone
            penalty += CHAIN_MISS * misses
        elif role == "g" and not hits[0]:
            penalty += MISSING_FIRST + EXTRA_LONG * (misses - 1)
        else:
            penalty += EXTRA_LONG * misses
    return penalty


def _orig(form: NameForm, idx: frozenset[int]) -> str:
    seen: list[str] = []
    for i in sorted(idx):
        o = form.originals[i]
        if o not in seen:
            seen.append(o)
    return " ".join(seen)


def _reorder(q: NameForm, c: NameForm) -> list[str]:
    """Candidate originals in the order of the query's keys (for an exact, maybe swapped, match)."""
    remaining = list(range(len(c.keys)))
    out = []
    for k in q.keys:
        for j in remaining:
            if c.keys[j] == k:
                remaining.remove(j)
                out.append(c.originals[j])
                break
    return out
