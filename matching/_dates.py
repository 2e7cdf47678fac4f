"""Birth dates: partial ISO dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) and how two agree."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

__all__ = ["PartialDate", "parse_date", "compare_dates"]

PartialDate = tuple[int, int, int]
"""(year, month or 0, day or 0)."""


@lru_cache(maxsize=100_000)
def parse_date(value: str | None) -> PartialDate | None:
    """``"1935-03"`` -> ``(1935, 3, 0)``; ``None`` or garbage -> ``None``."""
    if not value:
        return None
    parts = value.split("-")
    try:
        y = int(parts[0])
        m = int(parts[1]) if len(parts) > 1 else 0
        d = int(parts[2]) if len(parts) > 2 else 0
    except ValueError:
        return None
    return (y, m, d)


# Outcomes, strongest first: (delta, label, weight). ``delta`` is the score adjustment;
# ``weight`` is the evidence in log10 units (how many times likelier the agreement is for the
# same person than for a stranger, roughly: a stranger shares a birth year about 1 time in 60,
# a full date about 1 in 20,000), used by the matcher's evidence gate (``rules.combine``).
EXACT = (0.10, "birth date exact", 4.0)
YEAR_MONTH = (0.06, "birth year-month agrees", 2.9)
YEAR = (0.04, "birth year agrees", 1.8)
DAY_MONTH_SWAP = (0.03, "birth date agrees with day/month swapped", 3.0)
YEAR_OFF_BY_ONE = (0.03, "birth date agrees but for the year (off by one)", 2.5)
YEAR_OFF_BY_TWO = (0.01, "birth date agrees but for the year (off by two)", 2.0)
SWAP_YEAR_OFF = (0.01, "birth date agrees with day/month swapped and the year off", 0.3)
"""Two fields changed at once (a typo changes one): weak evidence (was 1.5: on evalgen seeds
1-3 it alerted 4 namesakes and no true sighting)."""
SAME_YEAR_OTHER_DAY = (-0.06, "birth year agrees, day differs", 0.5)
SAME_YEAR_OTHER_MONTH = (-0.12, "birth year agrees, month and day differ", -0.5)
"""Two full dates of one year that differ in day and month: the year is no agreement then."""
NEAR_YEAR = (0.02, "birth date about a year off", 0.5)
NEAR_YEAR_PARTIAL = (0.01, "birth year off by one", 0.0)
"""A year off by one where either date is partial (``1996`` vs ``1997-05-13``): no evidence
either way (weight 0, was 0.3). A stranger of the same name is born a year before or after the
person about 2 times in 60, about as often as a record gets the person's year wrong by one, so
it neither lifts a frequent name over the evidence gate nor argues against it; a rare name
still alerts on its own. Round 5: on evalgen seeds 1-3 the 0.3 alerted 5 namesakes born a
year apart (exact names, a passport of the notice's country with another number) and one true
sighting on the dev generator's sets (docs/matching.md)."""
NEAR_YEAR_FULL = (-0.10, "birth date differs (year off by one, other day)", -0.5)
YEAR_OFF_2 = (-0.04, "birth year off by two", -0.5)
FULL_DATE_DIFFERS = (-0.20, "birth date differs (year off by two or more, other day and month)", -3.0)
"""Two full dates whose year is two or more apart and whose day and month both differ: a
namesake born in another year, not a typo (a typo changes one field, not three)."""
CONFLICT = (-0.18, "birth date conflicts", -2.0)
FAR_CONFLICT = (-0.32, "birth date conflicts", -4.0)

Outcome = tuple[float, str, float]


def _pair(q: PartialDate, c: PartialDate) -> Outcome:
    """How two dates agree. 1 January is the usual placeholder for a date whose day and month
    are unknown: it may agree, but it never argues against the other date (``1998-01-01`` vs
    ``1998-10`` is the year agreeing, not "month and day differ")."""
    outcome = _pair_as_written(q, c)
    if outcome[0] < 0 and (q[1:] == (1, 1) or c[1:] == (1, 1)):
        return max(outcome, _pair_as_written(_unless_placeholder(q), _unless_placeholder(c)), key=lambda t: t[0])
    return outcome


def _unless_placeholder(d: PartialDate) -> PartialDate:
    return (d[0], 0, 0) if d[1:] == (1, 1) else d


def _pair_as_written(q: PartialDate, c: PartialDate) -> Outcome:
    qy, qm, qd = q
    cy, cm, cd = c
    if qy == cy:
        if qm and cm:
            if qd and cd:
                if qm == cm and qd == cd:
                    return EXACT
                if qm == cd and qd == cm:
                    return DAY_MONTH_SWAP
                return SAME_YEAR_OTHER_DAY if qm == cm else SAME_YEAR_OTHER_MONTH
            if qm == cm:
                return YEAR_MONTH
            if (qd and qd == cm) or (cd and cd == qm):
                return DAY_MONTH_SWAP
            return SAME_YEAR_OTHER_MONTH
        return YEAR
    dy = abs(qy - cy)
    if dy <= 2 and qm and cm and qd and cd:
        if (qm, qd) == (cm, cd):
            return YEAR_OFF_BY_ONE if dy == 1 else YEAR_OFF_BY_TWO
        if (qm, qd) == (cd, cm):
            return SWAP_YEAR_OFF
    if dy == 1:
        if qd and cd and (qm, qd) != (1, 1) and (cm, cd) != (1, 1):
            apart = abs((date(qy, qm, qd) - date(cy, cm, cd)).days)
            return NEAR_YEAR if abs(apart - 365) <= 7 else NEAR_YEAR_FULL
        return NEAR_YEAR_PARTIAL
    if dy >= 2 and qm and cm and qd and cd and qm != cm and qd != cd:
        return FULL_DATE_DIFFERS
    if dy == 2:
        return YEAR_OFF_2
    return CONFLICT if dy <= 3 else FAR_CONFLICT


def _full(d: PartialDate) -> bool:
    return bool(d[2]) and (d[1], d[2]) != (1, 1)


def compare_dates(query: PartialDate, candidates: tuple[PartialDate, ...]) -> Outcome:
    """Best agreement of a query date with any of a notice's dates: ``(delta, label, weight)``.

    A full query date that agrees with a notice's partial date only weakly (the year, or a
    year off by one), while every full date of the same notice disagrees with it, is compared
    with the full dates only: the notice knows the full date, and it is another one."""
    if len(candidates) == 1:
        return _pair(query, candidates[0])
    outcomes = [_pair(query, c) for c in candidates]
    best = max(outcomes, key=lambda t: t[0])
    if 0 < best[0] <= YEAR[0] and _full(query):
        full = [o for c, o in zip(candidates, outcomes, strict=True) if _full(c)]
        if full and max(o[0] for o in full) < 0:  # only a partial date agrees, weakly; every full one differs
            return max(full, key=lambda t: t[0])
    return best
