"""Calibrated probability of a hit: a logistic model over the rules' findings.

The rules (``rules.py``) give each hit a score and a band; the score is not a probability (hits
held back by the evidence gate at 0.79 are the person far less often than 79 times in 100).
Following nomenklatura's regression matcher, a logistic model over the rules' features turns
a hit into P(the event's person is the notice's person). The coefficients are fitted offline
by ``tools/calibrate.py`` (cross-validated across sets from two generators) and shipped as
``calibration.json`` next to this module: nothing is trained at run time.

``features`` reads only what the rules already found (``Evidence`` kinds, deltas, weights and
similarities), so the model adds no comparison and the reasons stay the rules' reasons.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from math import exp
from pathlib import Path

from .rules import EVIDENCE_MIN, EXACT_DATE_WEIGHT, Evidence

__all__ = ["FEATURES", "features", "probability", "Model", "load_model"]

FEATURES = (
    "name_sim",          # best alignment similarity of the names (0..1)
    "name_weight",       # name rarity less the dissimilarity penalty (log10 units, clipped)
    "name_in_text",      # the name was found in a tip's free text
    "name_alias",        # the best form is an alias, not the primary name
    "date_weight",       # the birth-date finding's weight (0 when either side has none)
    "date_exact",        # exact birth date
    "date_missing",      # no birth-date finding
    "date_against",      # birth-date finding lowers the score
    "sex_weight",        # +0.3 / -1.0 / 0
    "nat_weight",        # +0.7 / -1.0 / 0
    "doc_match",         # an exact document number
    "doc_other",         # a passport of the same country with another number
    "evidence_margin",   # summed weights minus the evidence gate (clipped)
    "rule_score",        # the rules' score
    "is_tip",            # the event is a tip
    "name_exact",        # the names agree fully (similarity >= 0.99)
    "tip_margin",        # evidence_margin for tips (0 otherwise): tips name people without dates
    "name_only",         # nothing but sex or nationality supports the name
)

_CLIP = 8.0


def features(evidence: Sequence[Evidence], score: float, is_tip: bool) -> tuple[float, ...]:
    """The feature vector of one hit, in ``FEATURES`` order, from the rules' evidence.
    The name's rarity is computed here if the rules did not need it (only for hits that
    reach the review band, so the cost is per hit, not per candidate)."""
    name_sim = name_weight = in_text = alias = 0.0
    date_w = exact = against = sex_w = nat_w = doc = other = 0.0
    dated = False
    total = 0.0
    for ev in evidence:
        kind = ev.kind
        if kind == "name":
            name_sim = ev.sim
            name_weight = ev.weigh()
            in_text = 1.0 if "(named in tip text)" in ev.reason else 0.0
            alias = 1.0 if "(alias " in ev.reason else 0.0
            total += name_weight
            continue
        total += ev.weight
        if kind == "birth_date":
            dated = True
            date_w = ev.weight
            exact = 1.0 if ev.weight >= EXACT_DATE_WEIGHT else 0.0
            against = 1.0 if ev.delta < 0 else 0.0
        elif kind == "sex":
            sex_w = ev.weight
        elif kind == "nationality":
            nat_w = ev.weight
        elif kind == "document":
            doc = 1.0
        elif kind == "document_differs":
            other = 1.0
    clip = _CLIP
    margin = max(-clip, min(clip, total - EVIDENCE_MIN))
    name_only = 1.0 if date_w <= 0.0 and not doc else 0.0
    return (name_sim, max(-clip, min(clip * 2, name_weight)), in_text, alias,
            date_w, exact, 0.0 if dated else 1.0, against, sex_w, nat_w, doc, other,
            margin, score, 1.0 if is_tip else 0.0, 1.0 if name_sim >= 0.99 else 0.0,
            margin if is_tip else 0.0, name_only)


class Model:
    """Logistic model: ``intercept + sum(coef * (x - mean) / scale)`` through a sigmoid."""

    __slots__ = ("intercept", "coef", "mean", "scale")

    def __init__(self, intercept: float, coef: Sequence[float], mean: Sequence[float],
                 scale: Sequence[float]) -> None:
        if not len(coef) == len(mean) == len(scale) == len(FEATURES):
            raise ValueError(f"calibration model needs {len(FEATURES)} coefficients")
        self.intercept = float(intercept)
        # fold the standardisation into the coefficients: one dot product per hit
        self.coef = tuple(float(c) / (float(s) or 1.0) for c, s in zip(coef, scale, strict=True))
        self.intercept -= sum(c * float(m) for c, m in zip(self.coef, mean, strict=True))
        self.mean = tuple(float(m) for m in mean)
        self.scale = tuple(float(s) for s in scale)

    def predict(self, x: Sequence[float]) -> float:
        z = self.intercept + sum(c * v for c, v in zip(self.coef, x, strict=True))
        if z < -30.0:
            return 0.0
        if z > 30.0:
            return 1.0
        return 1.0 / (1.0 + exp(-z))


MODEL_FILE = Path(__file__).with_name("calibration.json")


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_FILE) -> Model:
    """The shipped model (``calibration.json``: features, intercept, coef, mean, scale)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path.name} was fitted on other features: rerun tools/calibrate.py")
    return Model(data["intercept"], data["coef"], data["mean"], data["scale"])


def probability(evidence: Sequence[Evidence], score: float, is_tip: bool) -> float:
    """P(same person) for one hit under the shipped model."""
    return load_model().predict(features(evidence, score, is_tip))
