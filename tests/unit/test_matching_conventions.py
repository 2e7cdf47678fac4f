"""Naming conventions: which parts may be dropped or moved. All persons are invented."""

from __future__ import annotations

import pytest

from tests.unit.test_matching import best, person, screen, traveller


@pytest.mark.parametrize(("given", "family"), [
    pytest.param("TEWODROS", "HAILEMARIAM", id="given+father"),
    pytest.param("TEWODROS", "WOLDEGIORGIS", id="given+grandfather"),
    pytest.param("TEWODROS HAILEMARIAM", "WOLDEGIORGIS", id="all-three"),
])
def test_ethiopian_name_any_two_parts_with_the_given_name_alert(given: str, family: str) -> None:
    n = person("Woldegiorgis", "Tewodros Hailemariam", dob="1979-06-11", nationalities=["ET"])
    h = best(screen(n, event=traveller(given, family, dob="1979-06-11", nationality="ET")), n)
    assert h is not None and h.band == "alert", h


def test_ethiopian_relative_with_the_same_father_and_grandfather_does_not_alert() -> None:
    """A brother: same father's and grandfather's names, another given name."""
    n = person("Woldegiorgis", "Tewodros Hailemariam", dob="1979-06-11", nationalities=["ET"])
    h = best(screen(n, event=traveller("YONAS HAILEMARIAM", "WOLDEGIORGIS", dob="1979-06-11",
                                       nationality="ET")), n)
    assert h is None or h.band == "review"


def test_nasab_printed_without_links_or_tribal_name_alerts() -> None:
    n = person("Al-Dosari", "Faisal bin Nasser bin Hamad", dob="1983-02-19", nationalities=["SA"])
    h = best(screen(n, event=traveller("FAISAL", "NASSER", dob="1983-02-19", nationality="SA")), n)
    assert h is not None and h.band == "alert", h


def test_without_a_chain_convention_a_missing_family_name_still_costs() -> None:
    """The same shape for a Norwegian holder is a different person's name."""
    n = person("Brennhaug", "Torvald Eirik", dob="1983-02-19", nationalities=["NO"])
    h = best(screen(n, event=traveller("TORVALD", "EIRIK", dob="1983-02-19", nationality="NO")), n)
    assert h is None or h.band == "review"


@pytest.mark.parametrize(("notice", "event"), [
    pytest.param(("Vsevolodov", "Arkady Timofeyevich"), ("ARKADII", "VSEVOLODOV"), id="russian-patronymic-dropped"),
    pytest.param(("Garrido Montalbán", "Leocadia"), ("LEOCADIA", "GARRIDO"), id="spanish-second-surname-dropped"),
    pytest.param(("Garrido Montalbán", "Leocadia"), ("LEOCADIA", "MONTALBAN"), id="spanish-first-surname-dropped"),
    pytest.param(("Thorvaldsdóttir", "Sigrún"), ("SIGRUN", "THORVALDSDOTTIR"), id="icelandic"),
    pytest.param(("Trịnh", "Văn Khiêm"), ("TRINH VAN", "KHIEM"), id="vietnamese-order"),
    pytest.param(("Bódizs", "Lőrinc"), ("BODIZS", "LORINC"), id="hungarian-order-swapped-fields"),
])
def test_conventional_variants_alert(notice: tuple[str, str], event: tuple[str, str]) -> None:
    n = person(notice[0], notice[1], dob="1968-10-23")
    h = best(screen(n, event=traveller(event[0], event[1], dob="1968-10-23")), n)
    assert h is not None and h.band == "alert", h
