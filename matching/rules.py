"""Scoring rules: pure functions ``(query, entry, context) -> Evidence | None``.

Each rule checks one kind of evidence and says so in one line a duty officer can read.
``RULES`` lists them in the order their reasons are printed. ``combine`` turns the evidence
into a score in [0, 1]:

* the name rule gives the base (0 when no name agrees);
* birth date, sex, nationality and tip-text age add or subtract;
* an exact document match lifts the score to at least ``DOCUMENT_SCORE`` on its own (a stolen
  or fraudulent identity travels under another name);
* the **evidence gate**: every finding also carries a *weight* in log10 units (roughly, how
  many times likelier it is for the same person than for a stranger: a shared birth year
  1.8, an exact birth date 4, nationality 0.7), and the name's weight is its *rarity*
  (``name_rarity``: how frequent its agreeing parts are among the listed names). A hit alerts
  only when the weights reach ``EVIDENCE_MIN``: an exact but frequent name with a shared
  birth year goes to review, a rare one alerts;
* when nothing but sex or nationality agrees, a name that does not agree fully alerts only
  with a very rare name (``FUZZY_EVIDENCE_MIN``); a name whose birth date disagrees (even
  only a year off by two), or with another contradicting fact and no birth date, never;
* a close name (``CLOSE_NAME``) with the exact birth date and the nationality alerts, unless
  the sex differs or each name keeps a part of the same role the other lacks (two different
  given names: a twin or a sibling, not a misspelling);
* a hit whose name pairs two different listed names (``_two_names``: ``DUNG~Hương``, Latin
  script, the event's word borne by other notices too) does not alert: a relative, not a typo.
"""

from __future__ import annotations

from collections.abc import Callable
from math import log10
from typing import Protocol

from . import _core
from ._common import COMMON
from ._dates import FAR_CONFLICT, compare_dates
from ._features import Entry, Query
from ._names import Alignment, NameForm, align
from ._text import PARTICLES, is_latin, token_key

__all__ = ["Evidence", "Context", "RULES", "combine", "upper_bound", "name_base", "rule_name", "name_rarity",
           "DOCUMENT_SCORE", "EVIDENCE_MIN", "TIP_EVIDENCE_MIN"]

DOCUMENT_SCORE = 0.95
CORROBORATION = 0.05
"""Support (sum of positive score deltas) below which a hit counts as name-only (e.g. birth
year and sex agree is enough; sex and nationality alone are not)."""
EXACT_NAME = 0.94
"""A name-only hit alerts with a name agreeing at least this well (or a very rare name)."""

EVIDENCE_MIN = 5.25
"""The evidence gate: a hit alerts only when the rarity of the agreeing name (``name_rarity``,
less ``SIM_PENALTY`` per unit of name dissimilarity) plus the other rules' weights (birth
date, sex, nationality, age in a tip) reach this many log10 units; below, it goes to review.
An exact document match passes on its own. Two name parts each held by 1 in 3,000 people
(7.0) alert alone; two held by 1 in 100 (4.0) need the birth year (1.8) as well. Was 5.75
before the pair of parts was rated within shared nationalities (``clustered_frequency``),
which lowers the weight of exactly the names strangers share; chosen on a grid over the
pooled tuning sets (docs/matching.md)."""
TIP_EVIDENCE_MIN = 5.25
"""The evidence gate for tips (read by analysts, who can afford to look at more)."""
SIM_PENALTY = 10.0
"""Weight taken off per unit of name dissimilarity (a 0.95 name: -0.5)."""
FUZZY_EVIDENCE_MIN = 7.0
"""A name-only hit whose name does not agree fully alerts only at this much evidence."""
EXACT_DATE_WEIGHT = 4.0
"""Weight of an exact birth date (``_dates.EXACT``)."""
CLOSE_NAME = 0.75
"""A name at least this similar alerts with the exact birth date and the nationality: a
stranger shares a full birth date about 1 time in 20,000. A relative does far more often: a
twin shares it, and a sibling the family name too, so not when the sex differs or when the
names disagree in a part (``Alignment.conflict``)."""

NATIONALITY_WEIGHT = 0.7
"""Evidence of an agreeing nationality (a stranger shares it about 1 time in 5)."""
NATIONALITY_DIFFERS = -1.0
"""Evidence of a nationality not among the notice's (was -0.5). A stranger who shares a name
often holds another passport (among the hits of the six tuning sets, 60% of the dev
generator's and 19% of evalgen's false hits), the person rarely (3.5% and 0% of their true
hits: a second passport): a likelihood ratio of about 1 in 15, log10 -1.2. Round 5, chosen on
the pooled tuning sets (docs/matching.md)."""
NATIONALITY_ONCE = 1.0
"""Whether a name rated within the shared nationality (``clustered_frequency``) takes the
nationality's weight back (1.0) or counts it twice (0.0, before round 3). Counted once: on
dev + dev seeds 2, 5 + evalgen seeds 1, 2 pooled (gate 5.25), border+visa went from 0.984 /
0.961 / 8.6 false alerts per 10k to 0.990 / 0.948 / 5.1 (docs/matching.md)."""

DERIVED_PENALTY = 0.05
"""Taken off an inexact name similarity reached only through a romanisation we converted
(Wade–Giles to pinyin, a letter a passport may leave out), or a word of a tip next to a
known name part: a guess plus a spelling difference is weak evidence."""


class Evidence:
    """One rule's finding: ``delta`` to the score (the name rule: the base), and the reason."""

    __slots__ = ("kind", "delta", "reason", "sim", "weight", "_weigh", "conflict", "apart")

    def __init__(self, kind: str, delta: float, reason: str, sim: float = 0.0, weight: float = 0.0,
                 weigh: Callable[[float], float] | None = None, conflict: bool = False, apart: str = "") -> None:
        self.kind = kind
        self.delta = delta
        self.reason = reason
        self.sim = sim
        self.conflict = conflict
        """The name rule's: the names disagree in a part (``_names.Alignment.conflict``)."""
        self.apart = apart
        """The name rule's: a pair of the alignment that is two different names (``_two_names``,
        shown as ``DUNG~Hương``); such a hit does not alert."""
        self.weight = weight
        """Evidence in log10 units (roughly: log10 of how much likelier the finding is for the
        same person than for a stranger), summed by ``combine`` for the evidence gate."""
        self._weigh = weigh

    def weigh(self, need: float = float("-inf")) -> float:
        """``weight``, computed on first use when the rule gave a function for it (the name
        rule's rarity needs index look-ups that most candidates never need). ``need``: the
        weight that would make a difference; a function may stop refining an estimate that
        only falls as it is refined once it is below ``need``."""
        if self._weigh is not None:
            self.weight = self._weigh(need)
            self._weigh = None
        return self.weight

    def __repr__(self) -> str:
        return f"Evidence({self.kind!r}, {self.delta:+.2f}, {self.reason!r})"


class _Frequencies(Protocol):
    def get(self, key: str, default: int = 0) -> int: ...


class Context:
    """What rules may read beyond the pair: key frequencies of the indexed list."""

    __slots__ = ("df", "size", "text_forms", "compiled")

    def __init__(self, df: _Frequencies, size: int, compiled: bool = False) -> None:
        self.df = df
        self.size = size
        self.text_forms: tuple[NameForm, ...] = ()
        self.compiled = compiled
        """Align names in the compiled core (``_core``): the same result as the Python code."""


def name_base(sim: float) -> float:
    """Map a name similarity to the base score: 1.0 -> 0.85, 0.9 -> 0.80, 0.7 -> 0.50."""
    if sim >= 0.9:
        return 0.80 + (sim - 0.9) * 0.5
    return max(0.0, 0.80 - (0.9 - sim) * 1.5)


def best_alignment(forms: tuple[NameForm, ...], entry: Entry, compiled: bool = False
                   ) -> tuple[Alignment, NameForm | None, str]:
    """The best alignment of any query form with any of the entry's forms, the entry's form,
    and the romanisation system either side was read in (``NameForm.via``). ``compiled``: in
    the compiled core (``_core``), which gives the same result."""
    if compiled:
        got = _core.best_alignment(forms, entry)
        if got is not None:
            return got
    best = Alignment(0.0, [], 0)
    best_form: NameForm | None = None
    via = ""
    for qf in forms:
        for cf in entry.forms:
            a = align(qf, cf)
            if a.score > best.score or (a.score == best.score and best_form is None and a.score > 0):
                best, best_form, via = a, cf, cf.via or qf.via
                if a.score >= 1.0:
                    return best, best_form, via
    return best, best_form, via


def rule_name(q: Query, e: Entry, ctx: Context) -> Evidence | None:
    """Names: best order-free token alignment of the event's name (or a name found in a tip's
    text) with any name or alias of the notice, in any script or romanisation."""
    a, form, via = best_alignment(q.forms, e, ctx.compiled)
    where = ""
    if ctx.text_forms:
        ta, tform, tvia = best_alignment(ctx.text_forms, e, ctx.compiled)
        if ta.score > a.score:
            a, form, via, where = ta, tform, tvia, " (named in tip text)"
    if form is None or a.score <= 0.0:
        return None
    if form.derived and a.score < 1.0:
        a.score = max(0.0, a.score - DERIVED_PENALTY)
    alias = "" if form.name_index == 0 else f" (alias {form.name_index})"
    shown = ", ".join(f"{qo}~{co}" for qo, co, _ in a.pairs)
    sim = a.score
    via = f" via {via} reading" if via else ""
    credit = NATIONALITY_WEIGHT if NATIONALITY_ONCE and q.nationality in e.nationalities else 0.0
    return Evidence("name", name_base(sim), f"name {sim:.2f}{via}{where}{alias}: {shown}", sim=sim,
                    conflict=a.conflict, apart=_two_names(a, ctx),
                    weigh=lambda need: name_rarity(form, a, ctx, e, need + SIM_PENALTY * (1.0 - sim), credit)
                    - SIM_PENALTY * (1.0 - sim))


DISTINCT_NAMES = 0.75
"""Two Latin-script words paired less similar than this are two names, not one misspelt, when
the event's word is itself a name other notices of the list bear (``DISTINCT_NAMES_HOLDERS``):
a typo seldom lands on another listed name (``PAPNP`` ~ ``Papp``), a relative's own name does."""
DISTINCT_NAMES_HOLDERS = 2


def _two_names(a: Alignment, ctx: Context) -> str:
    """The first pair of the alignment that is two different names (``DUNG~Hương``,
    ``ANASTASIYA~Natalya``), or ``""``. Only Latin-script words of four letters or more on both
    sides: a reading of another script pairs at a lower similarity for one name (``LEVY~לוי``),
    and a short word is a listed name by chance."""
    for qo, co, s in a.pairs:
        if s >= DISTINCT_NAMES or len(qo) < 4 or len(co) < 4 or not qo.isalpha() or not is_latin(co):
            continue
        if ctx.df.get("t:" + token_key(qo), 0) >= DISTINCT_NAMES_HOLDERS:
            return f"{qo}~{co}"
    return ""


RARITY_MIN_LIST = 3000
"""Below this many notices the list says little about how common a name part is: frequencies
are taken per this many, so every part of a small list counts as rare (no gating)."""
RARITY_FLOOR = 1e-5
"""No name part is credited as rarer than 1 in 100,000 (at most 5 per part)."""
COMMON_FREQUENCY = 1 / 200
"""A world-frequent name part (``_common.COMMON``), or one of two letters (``Li``, ``Wu``),
counts as at least this frequent."""
SHARED_PAIR = 4
"""A pair of name parts held by this many notices is rated by the pair's own frequency."""
THIRD_PART = 0.5
"""Weight of a third agreeing part: name parts are not independent (one culture's given and
family names travel together), so only the two rarest count in full."""


CLUSTER_CAP = 400
"""Parts held by more notices than this are not split by nationality (``clustered_frequency``)."""


def clustered_frequency(ctx: Context, a: str, b: str, entry: Entry | None) -> float:
    """How often a stranger carries both parts ``a`` and ``b``, when names cluster by
    culture: the sum over nationalities of P(nationality) x P(a | nationality) x
    P(b | nationality), each estimated from the *other* notices of the list (the notice being
    scored is left out: it is the person, not a stranger). Two Ethiopian parts each held by 5
    of 120 Ethiopian notices are 1 in 580 together among Ethiopians, far likelier than the
    product of their list-wide frequencies says. 0.0 when no other notice of a shared
    nationality holds both parts (then only the list-wide product is known)."""
    sizes = getattr(ctx.df, "nationality_sizes", None)
    holders = getattr(ctx.df, "holders_by_nationality", None)
    if not sizes or holders is None:
        return 0.0
    exclude = entry.slot if entry is not None else -1
    ca = holders("t:" + a, exclude, CLUSTER_CAP)
    if not ca:
        return 0.0
    cb = holders("t:" + b, exclude, CLUSTER_CAP)
    if not cb:
        return 0.0
    n = max(ctx.size, RARITY_MIN_LIST)
    f = 0.0
    for nat, x in ca.items():
        y = cb.get(nat)
        if y:
            f += x * y / (n * max(sizes.get(nat, 1), x, y))
    return f


def _nationality_taken_back(ctx: Context, part: str, entry: Entry | None, credit: float) -> float:
    """How much of the nationality's agreement (``credit``, log10 units) a name of one agreeing
    part already implies. The credit says a stranger holds the notice's nationality about 1 time
    in 10**credit; a stranger who carries this very name holds it as often as the part's other
    holders in the list do (``Slamet``, a mononym, is held by Indonesians only: sharing the
    nationality then says nothing more). Taken back: ``credit + log10(share)``, between 0 and
    ``credit``."""
    holders = getattr(ctx.df, "holders_by_nationality", None)
    if holders is None or entry is None or not entry.nationalities:
        return 0.0
    by_nat = holders("t:" + part, entry.slot, CLUSTER_CAP)
    total = sum(by_nat.values()) if by_nat else 0
    if not total:
        return 0.0
    share = max(by_nat.get(n, 0) for n in entry.nationalities) / total
    return max(0.0, credit + log10(max(share, 10 ** -credit)))


def name_rarity(form: NameForm, a: Alignment, ctx: Context, entry: Entry | None = None,
                need: float = float("-inf"), nationality_credit: float = 0.0) -> float:
    """Evidence (log10 units) that an agreeing name gives: the sum over the two rarest
    agreeing parts (half for a third) of -log10 of the part's frequency among the listed
    names, i.e. roughly log10 of how many strangers one would expect to pass before one
    carries this name by chance. A name held by 1 in 3,000 and 1 in 5,000 gives 7.2; two
    parts each held by 1 in 200 give 4.6. Parts are not independent: the pair is rated at
    most as rare as ``clustered_frequency`` says (names cluster by nationality); that look-up,
    which can only lower the rarity, is skipped when the list-wide estimate is below
    ``need`` already. When it applies, the pair is already rated *within* the nationality,
    so the nationality rule's agreement (``nationality_credit``, passed by the name rule when
    the event's nationality is the notice's) is taken back: counted once, not twice."""
    n = max(ctx.size, RARITY_MIN_LIST)
    vals: list[tuple[float, str]] = []
    keys = form.keys
    for unit in a.units:
        best: tuple[float, str] | None = None
        for i in unit:  # a joined compound is as frequent as its commoner part
            k = keys[i]
            if len(k) < 2 or k in PARTICLES:
                continue
            f = max(1, ctx.df.get("t:" + k, 0)) / n
            if (len(k) <= 2 or k in COMMON) and f < COMMON_FREQUENCY:
                f = COMMON_FREQUENCY
            v = (-log10(max(f, RARITY_FLOOR)), k)
            if best is None or v < best:
                best = v
        if best is not None:
            vals.append(best)
    vals.sort(reverse=True)
    third = THIRD_PART * sum(v for v, _ in vals[2:3])
    rarity = sum(v for v, _ in vals[:2]) + third
    if len(vals) == 1 and nationality_credit and rarity >= need:
        return rarity - _nationality_taken_back(ctx, vals[0][1], entry, nationality_credit)
    if len(vals) < 2 or vals[0][1] == vals[1][1]:
        return rarity
    # several notices with this very pair of parts: the pair itself is that frequent
    x, y = sorted((vals[0][1], vals[1][1]))
    shared = ctx.df.get("p:" + x + "|" + y, 0)
    if shared >= SHARED_PAIR:
        rarity = min(rarity, -log10(shared / n))
    if rarity >= need:
        f = clustered_frequency(ctx, vals[0][1], vals[1][1], entry)
        if f > 0.0:
            clustered = -log10(max(f, RARITY_FLOOR ** 2)) + third
            if clustered < rarity:
                rarity = clustered - nationality_credit
    return rarity


def rule_birth_date(q: Query, e: Entry, ctx: Context) -> Evidence | None:
    """Birth date: exact agrees strongly; year-month or year weakly; day/month swapped or the
    year off by one weaker still; a different year lowers the score. Tips: an age in the text."""
    if q.dob is not None and e.dobs:
        delta, label, weight = compare_dates(q.dob, e.dobs)
        return Evidence("birth_date", delta, label, weight=weight)
    if q.ages is not None and e.dobs:
        lo, hi = q.ages
        if any(lo - 1 <= d[0] <= hi + 1 for d in e.dobs):
            return Evidence("birth_date", 0.02, "age in tip consistent with birth date", weight=0.8)
        if all(d[0] < lo - 3 or d[0] > hi + 3 for d in e.dobs):
            return Evidence("birth_date", -0.20, "age in tip conflicts with birth date", weight=-2.0)
    return None


def rule_sex(q: Query, e: Entry, ctx: Context) -> Evidence | None:
    """Sex: agreement supports a little, a contradiction weighs more."""
    if q.sex is None or e.sex is None:
        return None
    if q.sex == e.sex:
        return Evidence("sex", 0.01, "sex agrees", weight=0.3)
    return Evidence("sex", -0.15, "sex differs", weight=-1.0)


def rule_nationality(q: Query, e: Entry, ctx: Context) -> Evidence | None:
    """Nationality: one of the notice's nationalities supports; another one contradicts
    (``NATIONALITY_DIFFERS``; not more, since fugitives do travel on a second passport)."""
    if q.nationality is None or not e.nationalities:
        return None
    if q.nationality in e.nationalities:
        return Evidence("nationality", 0.02, f"nationality {q.nationality} agrees", weight=NATIONALITY_WEIGHT)
    return Evidence("nationality", -0.03, f"nationality {q.nationality} not among the notice's",
                    weight=NATIONALITY_DIFFERS)


def rule_document(q: Query, e: Entry, ctx: Context) -> Evidence | None:
    """Document number: a normalised exact match (same issuing country when both are known)
    is a hit on its own, whatever the name (stolen or fraudulent identity). A passport of the
    same issuing country as the notice's passport with another number argues weakly against
    (people renew passports, so it only keeps a name-only hit from alerting)."""
    if q.doc is None:
        return None
    number, country, dtype = q.doc
    other = False
    for n, c, t in e.docs:
        if n == number and (country is None or c is None or country == c):
            return Evidence("document", 0.0, f"{t} {number} matches", weight=10.0)
        if country is not None and c == country and t == "passport" and dtype == "passport":
            other = True
    if other:
        return Evidence("document_differs", -0.02, f"another passport number of the same country ({country})",
                        weight=0.0)
    return None


Rule = Callable[[Query, Entry, Context], Evidence | None]
RULES: list[Rule] = [rule_name, rule_birth_date, rule_sex, rule_nationality, rule_document]


NAME_MAX = 0.85
"""The highest base the name rule gives (``name_base(1.0)``)."""


def upper_bound(others: list[Evidence]) -> float:
    """The best score ``combine`` could reach given every rule's evidence but the name's:
    an exact name (``NAME_MAX``) plus the others' deltas, or ``DOCUMENT_SCORE`` with a
    document match. A candidate whose bound is under the review threshold is dropped before
    the (costlier) name comparison."""
    bound = NAME_MAX
    for ev in others:
        if ev.kind == "document":
            return 1.0
        bound += ev.delta
    return bound


def far_dates_reject(review_threshold: float) -> int | None:
    """Birth years further apart than this many years rule a candidate out (no document
    match) before any other rule runs: the same outcome as ``upper_bound`` with the birth
    date rule's far conflict (an exact name plus every other support cannot reach the review
    band). ``None`` when the threshold is too low for the shortcut."""
    best_rest = NAME_MAX + FAR_CONFLICT[0] + 0.01 + 0.02  # + sex agrees + nationality agrees
    return 3 if best_rest < review_threshold else None


def combine(evidence: list[Evidence], alert_threshold: float, evidence_min: float | None = None) -> float:
    """Score in [0, 1] from the rules' evidence (see module docstring). ``evidence_min``:
    the evidence gate (default ``EVIDENCE_MIN``)."""
    gate = EVIDENCE_MIN if evidence_min is None else evidence_min
    score = 0.0
    doc = False
    support = 0.0
    name_sim = 0.0
    against = False
    weight = 0.0
    name: Evidence | None = None
    exact_date = same_country = other_doc = date_agrees = date_against = dated = sex_differs = False
    for ev in evidence:
        kind = ev.kind
        if kind == "name":
            score += ev.delta
            name_sim = ev.sim
            name = ev
            continue
        weight += ev.weight
        if kind == "document":
            doc = True
            continue
        if kind == "birth_date":
            dated = True
            exact_date = ev.weight >= EXACT_DATE_WEIGHT
            date_agrees = ev.delta > 0
            date_against = ev.delta < 0
        elif kind == "nationality" and ev.delta > 0:
            same_country = True
        elif kind == "sex" and ev.delta < 0:
            sex_differs = True
        elif kind == "document_differs":
            other_doc = True
        score += ev.delta
        if ev.delta > 0:
            support += ev.delta
        elif ev.delta <= -0.03:
            against = True
    if doc:
        return max(DOCUMENT_SCORE, min(1.0, score))
    if name is not None and (support < CORROBORATION or score >= alert_threshold):
        weight += name.weigh(min(gate, FUZZY_EVIDENCE_MIN) - weight)  # looked up only when it can matter
    if support < CORROBORATION and ((name_sim < EXACT_NAME and weight < FUZZY_EVIDENCE_MIN)
                                    or (against and not dated) or date_against
                                    or (other_doc and not date_agrees)):
        score = min(score, alert_threshold - 0.01)
    elif name is not None and score >= alert_threshold and weight < gate:
        score = alert_threshold - 0.01
        name.reason += f" (name too frequent for the other evidence: {weight:.1f} < {gate})"
    if (exact_date and same_country and name_sim >= CLOSE_NAME and score < alert_threshold and not sex_differs
            and name is not None and not name.conflict and not name.apart):
        score = alert_threshold + 0.01
        name.reason += " (close name, exact birth date and nationality)"
    if name is not None and name.apart and score >= alert_threshold:
        score = alert_threshold - 0.01
        name.reason += f" (two names: {name.apart})"
    return max(0.0, min(1.0, score))
