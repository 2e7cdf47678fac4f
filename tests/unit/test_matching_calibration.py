"""Calibrated probability of a hit (``matching/_calibration.py``, ``calibration.json``).
All persons are invented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matching._calibration import FEATURES, MODEL_FILE, Model, load_model
from tests.unit.test_matching import best, person, screen, traveller


def test_shipped_model_matches_the_feature_list() -> None:
    """calibration.json was fitted on the features the code computes, in the same order."""
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert tuple(data["features"]) == FEATURES
    assert len(data["coef"]) == len(FEATURES)
    assert any(abs(c) > 0.1 for c in data["coef"])  # a fitted model, not a placeholder


def test_model_on_other_features_is_refused(tmp_path: Path) -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["features"] = list(reversed(data["features"]))
    p = tmp_path / "calibration.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="other features"):
        load_model.__wrapped__(p)


def test_standardisation_is_folded_into_the_coefficients() -> None:
    """(x - mean) / scale with coef 2 on the first feature: x = mean + scale gives z = 2."""
    n = len(FEATURES)
    m = Model(0.0, [2.0] + [0.0] * (n - 1), [0.5] * n, [0.25] * n)
    x = [0.75] + [0.0] * (n - 1)
    assert m.predict(x) == pytest.approx(1 / (1 + 2.718281828459045 ** -2.0))


def test_same_person_scores_a_higher_probability_than_a_namesake() -> None:
    """Exact name, exact birth date and the notice's passport: near certain; the same name
    born two years apart on another date (a namesake): far less likely, and still a hit with
    reasons."""
    doc = [{"type": "passport", "number": "NO4471203", "country": "NO"}]
    n = person("Brennhaug", "Torvald", dob="1981-03-14", sex="M", nationalities=["NO"], documents=doc)
    same = best(screen(n, event=traveller("TORVALD", "BRENNHAUG", dob="1981-03-14", sex="M", nationality="NO",
                                          doc=("NO4471203", "NO"))), n)
    namesake = best(screen(n, event=traveller("TORVALD", "BRENNHAUG", dob="1983-07-22", sex="M",
                                              nationality="NO")), n)
    assert same is not None and namesake is not None
    assert same.probability > 0.95
    assert namesake.probability < 0.5 < same.probability
    assert 0.0 <= namesake.probability <= 1.0
    assert namesake.reasons and same.reasons


def test_probability_follows_the_birth_date_evidence() -> None:
    """The same name with an exact birth date is likelier the person than with the year only."""
    n = person("Kalvendrup", "Ysolde", dob="1990-06-02", sex="F")
    exact = best(screen(n, event=traveller("YSOLDE", "KALVENDRUP", dob="1990-06-02", sex="F")), n)
    year = best(screen(n, event=traveller("YSOLDE", "KALVENDRUP", dob="1990", sex="F")), n)
    assert exact is not None and year is not None
    assert exact.probability > year.probability
