"""Importers: INTERPOL, FollowTheMoney, CSV and our JSONL into notices, with reasons free of personal data."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fugitive_alerts.cli import app
from fugitive_alerts.importers import (
    ImportReport,
    InputError,
    Warnings,
    parse_csv_map,
    read_notices,
    render_report,
)
from fugitive_alerts.importers._common import country, partial_date
from fugitive_alerts.wanted_import import plan_withdrawals

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "wanted"
CSV_MAP = [
    "notice_id=Reference,family=Surname,given=First name,alias=Also known as,birth_date=Date of birth",
    "sex=Sex,nationality=Nationality,passport=Passport No,requesting_country=Requested by,offence=Charges",
    "caution=Warning",
]
# Every name, birth date and document number in the fixtures: none may appear in a reason or warning.
PERSONAL = [
    "ZEFIRINO",
    "CAPPELLACCIONE",
    "KRASNIQARI",
    "OSWIN",
    "THELWALLBY",
    "1958",
    "1970/01/01",
    "VASILESCUNU",
    "BROKEN",
    "Dorotea",
    "Kwiatkowska",
    "Oberwiesenthal",
    "1961-02-30",
    "T22000129",
    "Nobody",
    "Zonderref",
    "Pieter",
    "Brouwersgracht",
    "19/05/1977",
    "Tobiah",
    "Quarrington",
    "not-a-date",
    "suhh",
]


def _by_id(notices: list) -> dict:  # type: ignore[type-arg]
    return {n.notice_id: n for n in notices}


def _assert_no_personal_data(report: ImportReport) -> None:
    text = "\n".join(render_report(report))
    leaked = [p for p in PERSONAL if p in text]
    assert not leaked, f"personal data in the report: {leaked}"


# --- INTERPOL ---------------------------------------------------------------------------------------


def test_interpol_list_response_maps_ids_names_dates_and_nationalities() -> None:
    notices, _report = read_notices("interpol", FIXTURES / "interpol_list.json")
    got = _by_id(notices)
    assert set(got) == {"2025/90001", "2025/90002"}
    first = got["2025/90001"]
    assert first.names[0].given == "ZEFIRINO" and first.names[0].family == "CAPPELLACCIONE"
    assert first.birth_dates == ["1966-04-12"] and first.nationalities == ["IT"]
    assert first.notice_type == "red" and first.source == "interpol"
    assert got["2025/90002"].birth_dates == ["1981"]


def test_interpol_unknown_country_becomes_null_with_a_counted_warning() -> None:
    notices, report = read_notices("interpol", FIXTURES / "interpol_list.json")
    assert _by_id(notices)["2025/90002"].nationalities == ["AL"]
    assert report.warnings.counts == {"unknown country code 'XK' in nationalities, left out": 1}
    assert report.warnings.first_at["unknown country code 'XK' in nationalities, left out"] == "notice 2"


def test_interpol_rejected_notices_say_where_and_why_without_personal_data() -> None:
    _, report = read_notices("interpol", FIXTURES / "interpol_list.json")
    assert [(r.where, r.reason) for r in report.rejected] == [
        ("notice 3", "no name (forename or name)"),
        ("notice 4", "no entity_id"),
    ]
    assert "2025/90003" in report.seen_ids and report.unidentified == 1
    _assert_no_personal_data(report)


def test_interpol_detail_maps_warrant_country_charges_and_sex() -> None:
    [notice], report = read_notices("interpol", FIXTURES / "interpol_detail.json")
    assert notice.notice_id == "2024/77123" and notice.requesting_country == "AR"
    assert notice.offences == ["Aggravated homicide and criminal conspiracy", "Homicidio"]
    assert notice.sex == "F" and notice.nationalities == ["AR", "ES"] and notice.birth_dates == ["1984-02-29"]
    assert (
        "warrants from more than one country: the first is the requesting country" in report.warnings.counts
    )


def test_interpol_json_lines_mix_details_and_pages_and_report_bad_lines() -> None:
    notices, report = read_notices("interpol", FIXTURES / "interpol_details.jsonl")
    got = _by_id(notices)
    assert set(got) == {"2023/55501", "2023/55502", "2023/55504"}
    assert got["2023/55501"].birth_dates == ["1972-07"] and got["2023/55501"].requesting_country is None
    assert got["2023/55502"].birth_dates == ["1990"] and got["2023/55502"].sex is None  # 1990/00/00; sex X
    assert [(r.where, r.reason) for r in report.rejected] == [("line 3", "not valid JSON")]
    assert (
        "unknown country code 'ZZ' in arrest_warrants.issuing_country_id, left out" in report.warnings.counts
    )
    _assert_no_personal_data(report)


# --- FollowTheMoney ---------------------------------------------------------------------------------


def test_ftm_person_maps_split_name_aliases_dates_gender_and_documents() -> None:
    notices, _ = read_notices("ftm", FIXTURES / "people.ftm.jsonl")
    dorotea = _by_id(notices)["os-fict-0001"]
    assert [n.model_dump(exclude_none=True) for n in dorotea.names] == [
        {"given": "Dorotea", "family": "Kwiatkowska-Ulm"},
        {"full_name": "Dora Ulm"},
        {"full_name": "Доротея Квятковская"},
    ]  # the `name` equal to first + last is not repeated
    assert dorotea.birth_dates == ["1975-09-03"] and dorotea.sex == "F" and dorotea.nationalities == ["PL"]
    assert [(d.type, d.number) for d in dorotea.documents] == [("passport", "EZ4455667")]
    assert (
        dorotea.offences == ["fraud"]
        and dorotea.notice_type == "national"
        and dorotea.source == "opensanctions"
    )


def test_ftm_joins_sanction_and_passport_entities_to_their_person() -> None:
    notices, report = read_notices("ftm", FIXTURES / "people.ftm.jsonl")
    faustin = _by_id(notices)["os-fict-0002"]
    assert faustin.requesting_country == "RW" and faustin.notice_type == "war_crimes"
    assert faustin.offences == ["Genocide", "Crimes against humanity", "war crimes"]
    assert [(d.type, d.number, d.country) for d in faustin.documents] == [("passport", "PC9081726", "RW")]
    assert report.skipped == {
        "Company entities (not a Person)": 1,
        "Sanction entities (joined to their Person)": 1,
        "Passport entities (joined to their Person)": 1,
    }


def test_ftm_bad_values_are_left_out_with_warnings_and_bad_entities_rejected() -> None:
    notices, report = read_notices("ftm", FIXTURES / "people.ftm.jsonl")
    kasimir = _by_id(notices)["os-fict-0003"]
    assert kasimir.birth_dates == ["1961"] and kasimir.nationalities == ["DE"] and kasimir.sex == "U"
    assert [(d.type, d.number) for d in kasimir.documents] == [("id", "T22000129")]
    assert report.warnings.counts == {
        "birthDate is not a date (YYYY, YYYY-MM or YYYY-MM-DD), left out": 1,
        "nationality is not a country code, left out": 1,
    }
    assert [(r.where, r.reason) for r in report.rejected] == [
        ("line 7", "no name (name, alias, firstName or lastName)"),
        ("line 8", "no id"),
        ("line 9", "not valid JSON"),
    ]
    assert "os-fict-0004" in report.seen_ids and report.unidentified == 2
    _assert_no_personal_data(report)


# --- CSV --------------------------------------------------------------------------------------------


def test_csv_with_header_mapping() -> None:
    notices, report = read_notices("csv", FIXTURES / "national_list.csv", csv_map=parse_csv_map(CSV_MAP))
    got = _by_id(notices)
    assert set(got) == {"NL-2026-001", "NL-2026-002", "NL-2026-005"}
    jorien = got["NL-2026-001"]
    assert [n.display() for n in jorien.names] == [
        "Jorien Van der Vlietkamp",
        "Jo Vliet",
        "J. van der Vlietkamp",
    ]
    assert jorien.offences == ["Armed robbery", "Assault, aggravated"] and jorien.caution == "armed"
    assert (
        jorien.documents[0].number == "NXC123456"
        and jorien.sex == "F"
        and jorien.source == "csv:national_list"
    )
    assert got["NL-2026-002"].nationalities == ["NL"] and got["NL-2026-002"].sex == "M"  # NLD, male
    assert got["NL-2026-002"].birth_dates == []  # 19/05/1977 is not accepted: left out, warned
    assert got["NL-2026-005"].birth_dates == ["1969-03"] and got["NL-2026-005"].requesting_country == "BE"
    assert [(r.where, r.reason) for r in report.rejected] == [
        ("line 4", "no name (given, family or full_name)"),
        ("line 5", "no notice_id"),
    ]
    _assert_no_personal_data(report)


def test_csv_without_map_uses_columns_named_after_fields_and_sniffs_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "notice_id;full_name;birth_date;nationality\nX-1;Ottoline Marchbanks;1950;GB;\n", encoding="utf-8"
    )
    [notice], _report = read_notices("csv", path)
    assert notice.names[0].full_name == "Ottoline Marchbanks" and notice.birth_dates == ["1950"]
    assert notice.source == "csv:list"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (["given First Name"], "is not field=Column"),
        (["forename=First name"], "unknown field 'forename'; the fields are: notice_id, given"),
        (["given=A,given=B"], "field 'given' is mapped twice"),
        (["given=First name"], None),
    ],
)
def test_csv_map_syntax_errors_are_clear(spec: list[str], message: str | None) -> None:
    if message is None:
        assert parse_csv_map(spec) == {"given": "First name"}
        return
    with pytest.raises(InputError, match=message):
        parse_csv_map(spec)


def test_csv_map_must_name_an_id_a_name_and_existing_columns() -> None:
    path = FIXTURES / "national_list.csv"
    with pytest.raises(InputError, match="notice_id is required"):
        read_notices("csv", path, csv_map=parse_csv_map(["family=Surname"]))
    with pytest.raises(InputError, match="map a name"):
        read_notices("csv", path, csv_map=parse_csv_map(["notice_id=Reference"]))
    with pytest.raises(InputError, match="column 'Nom' \\(for family\\) is not in the header"):
        read_notices("csv", path, csv_map=parse_csv_map(["notice_id=Reference,family=Nom"]))


def test_csv_map_column_with_a_comma_takes_a_map_of_its_own() -> None:
    assert parse_csv_map(["offence=Charges, translated", "notice_id=Ref,given=Name"]) == {
        "offence": "Charges, translated",
        "notice_id": "Ref",
        "given": "Name",
    }


# --- JSONL and shared converters -------------------------------------------------------------------


def test_jsonl_keeps_record_source_unless_overridden() -> None:
    notices, report = read_notices("jsonl", FIXTURES / "wanted.jsonl")
    assert [n.source for n in notices] == [None, "scotland-list"]
    assert [r.where for r in report.rejected] == ["line 3", "line 4"]
    _assert_no_personal_data(report)
    notices, _ = read_notices("jsonl", FIXTURES / "wanted.jsonl", source="nat")
    assert {n.source for n in notices} == {"nat"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1970/00/00", "1970"),
        ("1970/05/00", "1970-05"),
        ("1970/5/7", "1970-05-07"),
        ("2019-05-01T00:00:00", "2019-05-01"),
        ("1961-02-30", None),
        ("1700", None),
        ("12.03.1970", None),
        ("", None),
        (None, None),
    ],
)
def test_partial_dates(value: str | None, expected: str | None) -> None:
    assert partial_date(value, "d", Warnings()) == expected


def test_country_codes_alpha2_alpha3_and_unknown() -> None:
    warn = Warnings()
    assert (country("rw", "c", warn), country("RWA", "c", warn), country("XK", "c", warn)) == (
        "RW",
        "RW",
        None,
    )
    assert country("Ottoline", "c", warn) is None
    assert list(warn.counts) == [
        "unknown country code 'XK' in c, left out",
        "c is not a country code, left out",
    ]


# --- full snapshot planning -------------------------------------------------------------------------


def _report(source: str | None, seen: set[str], valid: int = 1, unidentified: int = 0) -> ImportReport:
    report = ImportReport(Path("x"), "csv", source, full_snapshot=True)
    report.seen_ids, report.valid, report.unidentified = seen, valid, unidentified
    return report


def test_snapshot_withdraws_only_absent_notices_of_its_own_source() -> None:
    existing = {"A1": "csv:a", "A2": "csv:a", "A3": "csv:a", "B1": "interpol", "N1": ""}
    report = _report("csv:a", {"A1", "A3"})
    plan_withdrawals(report, existing)
    assert report.withdrawn == ["A2"]
    sourceless = _report(None, {"N2"})
    plan_withdrawals(sourceless, existing)
    assert sourceless.withdrawn == ["N1"]


def test_snapshot_holds_back_when_empty_or_a_row_has_no_readable_id() -> None:
    existing = {"A1": "csv:a"}
    empty = _report("csv:a", set(), valid=0)
    plan_withdrawals(empty, existing)
    assert empty.withdrawn == [] and empty.withdraw_blocked == "the snapshot holds no valid notice"
    unreadable = _report("csv:a", {"A9"}, unidentified=1)
    plan_withdrawals(unreadable, existing)
    assert unreadable.withdrawn == [] and "no readable notice id" in (unreadable.withdraw_blocked or "")


# --- the command line (dry runs need no broker) -----------------------------------------------------


@pytest.fixture(autouse=True)
def _keep_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI configures structlog onto CliRunner's stream, which closes after the call: keep it out."""
    monkeypatch.setattr("fugitive_alerts.common.configure_logging", lambda **kw: None)


def test_cli_dry_run_prints_the_report_and_exits_2_on_rejections() -> None:
    result = CliRunner().invoke(
        app, ["wanted", "import", "--format", "interpol", "--dry-run", str(FIXTURES / "interpol_list.json")]
    )
    assert result.exit_code == 2, result.output
    assert "dry run (nothing sent): interpol_list.json as interpol, source interpol" in result.output
    assert "valid notices         2" in result.output and "rejected              2" in result.output
    assert "interpol_list.json, notice 3: no name (forename or name)" in result.output
    assert "1 x unknown country code 'XK' in nationalities" in result.output


def test_cli_dry_run_of_a_clean_file_exits_0() -> None:
    result = CliRunner().invoke(
        app, ["wanted", "import", "--format", "interpol", "--dry-run", str(FIXTURES / "interpol_detail.json")]
    )
    assert result.exit_code == 0, result.output
    assert "valid notices         1" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv", "--map", "given First"], "is not field=Column"),
        (
            ["--format", "csv", "--map", "notice_id=Reference,family=Nom"],
            "column 'Nom' (for family) is not in the header",
        ),
        (["--format", "interpol", "--map", "given=A"], "--map is for --format csv only"),
        (["--format", "xml"], "unknown --format 'xml'"),
        (["--format", "csv", "--source", "bad source!"], "--source:"),
    ],
)
def test_cli_usage_errors_exit_2_with_a_message(args: list[str], message: str) -> None:
    result = CliRunner().invoke(
        app, ["wanted", "import", *args, "--dry-run", str(FIXTURES / "national_list.csv")]
    )
    assert result.exit_code == 2
    assert message in result.output


# --- the demo's sample in FollowTheMoney form -------------------------------------------------------


def test_ftm_sample_is_the_jsonl_sample_through_the_ftm_importer() -> None:
    """sample/wanted.ftm.jsonl (scripts/sample_to_ftm.py) holds the active sample notices, unchanged
    except what FtM cannot carry (caution) or adds (the war-crimes topic as an offence)."""
    from schemas import WantedPerson

    sample = Path(__file__).resolve().parent.parent.parent / "fugitive_alerts" / "sample"
    notices, report = read_notices("ftm", sample / "wanted.ftm.jsonl", source="sample")
    assert not report.rejected and not report.warnings.counts
    jsonl = [
        WantedPerson.model_validate_json(line) for line in (sample / "wanted.jsonl").read_bytes().splitlines()
    ]
    active = {n.notice_id: n for n in jsonl if n.active}
    assert {n.notice_id for n in notices} == set(active), (
        "regenerate it: .venv/bin/python scripts/sample_to_ftm.py"
    )
    for notice in notices:
        original = active[notice.notice_id]
        assert notice.source == "sample"
        assert (
            notice.notice_type,
            notice.requesting_country,
            notice.birth_dates,
            notice.sex,
            notice.nationalities,
            notice.documents,
        ) == (
            original.notice_type,
            original.requesting_country,
            original.birth_dates,
            original.sex,
            original.nationalities,
            original.documents,
        )
        assert [n.display() for n in notice.names] == [n.display() for n in original.names]
        assert set(original.offences) <= set(notice.offences)
