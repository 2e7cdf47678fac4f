"""The ``Matcher``: an in-place-updatable index of active notices, and ``screen(event)``.

``screen`` is CPU-only and bounded (a few dictionary look-ups, then full scoring of at most
``max_candidates`` notices), so it can run inline in an asyncio agent.
"""

from __future__ import annotations

import schemas

from . import _calibration, _core
from . import rules as _rules
from ._features import Entry, Query, query_of
from ._index import CandidateIndex, key_id, query_keys
from ._names import NameForm
from ._text import PARTICLES
from ._tips import cjk_forms, text_forms
from .rules import RULES, Context, Evidence, combine, far_dates_reject, rule_name, upper_bound

__all__ = ["Matcher", "Hit"]


class Hit:
    """One notice matched by one event."""

    __slots__ = ("notice_id", "score", "band", "reasons", "_entry", "_notice", "_evidence", "_is_tip",
                 "_probability")

    def __init__(self, entry: Entry, score: float, band: str, reasons: list[str],
                 evidence: list[Evidence] | None = None, is_tip: bool = False) -> None:
        self.notice_id = entry.notice_id
        self.score = score
        self.band = band
        self.reasons = reasons
        self._entry = entry
        self._notice: schemas.WantedPerson | None = None
        self._evidence = evidence or []
        self._is_tip = is_tip
        self._probability: float | None = None

    @property
    def features(self) -> tuple[float, ...]:
        """The rules' findings as the calibration model's features (``_calibration.FEATURES``)."""
        return _calibration.features(self._evidence, self.score, self._is_tip)

    @property
    def probability(self) -> float:
        """Calibrated P(the event's person is the notice's person), from a logistic model over
        the rules' findings fitted offline (``tools/calibrate.py``); computed on first access."""
        if self._probability is None:
            self._probability = round(_calibration.load_model().predict(self.features), 4)
        return self._probability

    @property
    def notice(self) -> schemas.WantedPerson:
        """The matched notice (rebuilt from the index's compact copy on first access)."""
        if self._notice is None:
            self._notice = self._entry.notice()
        return self._notice

    def __repr__(self) -> str:
        return f"Hit({self.notice_id!r}, {self.score:.3f}, {self.band!r}, {self.reasons!r})"


class Matcher:
    """Screens events against the active notices of a wanted list.

    ``upsert`` adds or replaces a notice (an inactive one is removed), ``remove`` withdraws
    one; both update the index in place.
    """

    def __init__(self, alert_threshold: float = 0.80, review_threshold: float = 0.60,
                 *, tip_alert_threshold: float | None = None, max_candidates: int = 24,
                 compiled: bool | None = None) -> None:
        if not 0.0 <= review_threshold <= alert_threshold <= 1.0:
            raise ValueError("need 0 <= review_threshold <= alert_threshold <= 1")
        tip = alert_threshold if tip_alert_threshold is None else tip_alert_threshold
        if not review_threshold <= tip <= 1.0:
            raise ValueError("need review_threshold <= tip_alert_threshold <= 1")
        self.alert_threshold = alert_threshold
        self.tip_alert_threshold = tip
        """Alert threshold for tips (read by analysts, not by a desk officer): tips also pass
        a lower evidence gate (``rules.TIP_EVIDENCE_MIN``)."""
        self.review_threshold = review_threshold
        self.max_candidates = max_candidates
        if compiled and not _core.available():
            raise ValueError("the compiled matching core is not built (run scripts/bootstrap)")
        self.compiled = _core.enabled_by_default() if compiled is None else compiled
        """Select candidates and align names in the compiled core (``matching/core-rs``): the
        same hits, faster. By default when it is built, unless
        ``FUGITIVE_ALERTS_MATCHING_CORE=python``."""
        self._index = CandidateIndex(native=self.compiled)
        self._slots: dict[str, int] = {}
        self._far_years = far_dates_reject(review_threshold)

    def upsert(self, notice: schemas.WantedPerson) -> None:
        """Add or replace a notice by ``notice_id``; a withdrawn or cancelled one is removed."""
        self.remove(notice.notice_id)
        if notice.status != "active":
            return
        slot = len(self._index.live)
        self._index.add(Entry(slot, notice))
        self._slots[notice.notice_id] = slot

    def remove(self, notice_id: str) -> None:
        """Take a notice out of the index (tombstone). No error if it is absent."""
        slot = self._slots.pop(notice_id, None)
        if slot is not None:
            self._index.remove(slot)

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, notice_id: object) -> bool:
        return notice_id in self._slots

    def get(self, notice_id: str) -> schemas.WantedPerson | None:
        """The indexed (active) notice, or ``None``."""
        slot = self._slots.get(notice_id)
        if slot is None:
            return None
        entry = self._index.live[slot]
        return entry.notice() if entry is not None else None

    def screen(self, event: schemas.BorderCrossing | schemas.VisaApplication | schemas.Tip) -> list[Hit]:
        """Hits with score >= the review threshold, best first."""
        q = query_of(event)
        return self.screen_query(q)

    def screen_query(self, q: Query) -> list[Hit]:
        index = self._index
        ctx = Context(index, len(self._slots), self.compiled)
        qk = query_keys(q.forms)
        if q.text:
            forms, anchors = text_forms(q.text, index, index.token_cap, index.rare_cap)
            cjk = cjk_forms(q.text)
            ctx.text_forms = forms + cjk
            query_keys([f for f in forms if not f.derived] + list(cjk), qk, solo=False)
            for k in anchors:  # a rare part next to an unknown word: its holders only
                qk.groups[(key_id("t:" + k),)] = True
        if q.doc is not None:
            qk.docs.add(key_id("d:" + q.doc[0]))
        far = self._far_years
        years = None if far is None or q.dob is None else (q.dob[0] - far, q.dob[0] + far)
        hits: list[Hit] = []
        found = index.candidates(qk, self.max_candidates, years, self.compiled)
        if q.dob is not None and q.nationality:
            one = _one_part(q.forms)
            if one or index.misspelt(q.forms):
                dated = index.dated(q.dob, q.nationality)
                if one:  # no pair of parts selects such a name: a birth year off by one is looked up too
                    y, m, d = q.dob
                    dated += index.dated((y - 1, m, d), q.nationality) + index.dated((y + 1, m, d), q.nationality)
                found = _with_dated(found, dated, index.live, q.sex)
        for entry in found:
            hit = self._score(q, entry, ctx)
            if hit is not None:
                hits.append(hit)
        _explained_away(hits, self.tip_alert_threshold if q.is_tip else self.alert_threshold)
        hits.sort(key=lambda h: -h.score)
        return hits

    def _score(self, q: Query, entry: Entry, ctx: Context) -> Hit | None:
        # The cheap rules first: if even an exact name could not lift the candidate to the
        # review band, skip the name comparison (most candidates of innocent events end here).
        far = self._far_years
        if far is not None and q.dob is not None and entry.years is not None:
            qy = q.dob[0]
            if (qy < entry.years[0] - far or qy > entry.years[1] + far) and (
                    q.doc is None or not entry.may_hold(q.doc[0])):
                return None
        others: list[Evidence] = []
        for rule in _OTHER_RULES:
            ev = rule(q, entry, ctx)
            if ev is not None:
                others.append(ev)
        if upper_bound(others) < self.review_threshold:
            return None
        name = rule_name(q, entry, ctx)
        evidence = others if name is None else [name, *others]
        threshold = self.tip_alert_threshold if q.is_tip else self.alert_threshold
        score = combine(evidence, threshold, _rules.TIP_EVIDENCE_MIN if q.is_tip else None)
        if score < self.review_threshold:
            return None
        band = "alert" if score >= threshold else "review"
        return Hit(entry, round(score, 4), band, [ev.reason for ev in evidence], evidence, q.is_tip)


_OTHER_RULES = [r for r in RULES if r is not rule_name]


def _agreement(hit: Hit) -> tuple[float, float, bool]:
    """How well a hit agrees with the event: the name rule's similarity, the birth date rule's
    weight (0 when either is missing), and whether the document number matches."""
    sim = date = 0.0
    doc = False
    for ev in hit._evidence:
        if ev.kind == "name":
            sim = ev.sim
        elif ev.kind == "birth_date":
            date = ev.weight
        elif ev.kind == "document":
            doc = True
    return sim, date, doc


def _explained_away(hits: list[Hit], threshold: float) -> None:
    """One traveller is one person. Of two alerts, a notice whose name, birth date and document
    all agree with the event at least as well as the other's, and one of them better, explains
    the event: the other notice is a namesake of it (the list holds both `Uwe Weber` born
    1971-03-05 and another `Uwe Weber` born in 1971; a traveller with that exact date is the
    first, as is one who carries the first's passport). The other goes to review, at most just
    under the alert threshold, with the notice that explains the event in its reasons; an
    analyst still sees it (the same person listed twice, once with less, is the case this
    costs). A notice whose name and exact birth date both agree is never demoted: that is the
    same person on two lists far more often than a namesake born the same day. Alerts that agree
    equally both stay: nothing tells them apart."""
    alerts = [(h, _agreement(h)) for h in hits if h.band == "alert"]
    if len(alerts) < 2:
        return
    for hit, a in alerts:
        if a[0] >= _rules.EXACT_NAME and a[1] >= _rules.EXACT_DATE_WEIGHT:
            continue
        better = next((other for other, b in alerts
                       if other is not hit and b != a and all(x >= y for x, y in zip(b, a, strict=True))), None)
        if better is not None:
            hit.score = min(hit.score, round(threshold - 0.01, 4))
            hit.band = "review"
            hit.reasons.append(f"another notice agrees better on name, birth date or document: {better.notice_id}")


def _one_part(forms: tuple[NameForm, ...]) -> bool:
    """Whether a name has one distinct part (``MOHAMMED MOHAMMED``, a mononym): no pair of parts
    selects its notice, and a common part alone selects too many."""
    for form in forms:
        if len({k for k in form.keys if len(k) >= 2 and k not in PARTICLES}) > 1:
            return False
    return bool(forms)


def _with_dated(found: list[Entry], dated: list[int], live: list[Entry | None], sex: str | None) -> list[Entry]:
    """``found`` and, after them, the notices born on the event's date with its nationality (and
    not of the other sex) that the name's keys did not select (``CandidateIndex.dated``): a name
    too misspelt for its keys (``TAE YUN HLAN`` ~ ``Taeyun Han``: no key of ``HLAN``, and
    ``TAEYUN`` too common to select alone) is still compared when the birth date, the nationality
    and the sex single the notice out (only when a part of the name is spelt as no notice spells
    it, ``CandidateIndex.misspelt``, or the name has one distinct part, ``_one_part``; for the
    latter the same day and month a year either side too, as ``screen_query`` looks them up).
    A slot found twice is compared once."""
    if not dated:
        return found
    have = {e.slot for e in found}
    extra = [e for s in dict.fromkeys(dated) if s not in have and (e := live[s]) is not None
             and (sex is None or e.sex is None or e.sex == sex)]
    return found + extra if extra else found
