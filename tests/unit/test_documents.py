"""Reported travel documents: ICAO Doc 9303 normalisation, country and type codes, the record and its key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas import DocumentStatus, DocumentType, ReportedDocument, describe_validation_error, document_key
from schemas.documents import document_type, issuing_country, normalise_number


@pytest.mark.parametrize(("raw", "expected"), [
    ("AB1234567", "AB1234567"),
    ("ab1234567", "AB1234567"),
    ("AB 123 4567", "AB1234567"),
    ("AB-123-4567", "AB1234567"),
    ("AB1234567<<", "AB1234567"),
    ("  ab-12 34<567< ", "AB1234567"),
    ("L01X00T47", "L01X00T47"),
])
def test_numbers_lose_case_spaces_hyphens_and_fillers(raw: str, expected: str) -> None:
    assert normalise_number(raw) == expected


def test_letter_o_and_digit_zero_stay_distinct() -> None:
    assert normalise_number("O0") != normalise_number("00")


@pytest.mark.parametrize("raw", ["", "<<<", " - ", "AB/123", "AB.123", "ÄB123", "A" * 25])
def test_a_number_that_is_not_letters_and_digits_is_refused_without_echo(raw: str) -> None:
    with pytest.raises(ValueError, match="letters and digits") as exc:
        normalise_number(raw)
    assert raw.strip() == "" or raw not in str(exc.value)


@pytest.mark.parametrize(("code", "expected"), [
    ("FR", "FR"), ("fr", "FR"), ("FRA", "FR"), ("DEU", "DE"), ("D", "DE"), ("D<<", "DE"), ("GBR", "GB"), ("RKS", "XK"),
])
def test_issuing_country_accepts_alpha2_alpha3_and_icao_d(code: str, expected: str) -> None:
    assert issuing_country(code) == expected


@pytest.mark.parametrize("code", ["", "ZZ", "ZZZ", "UTO", "F", "FRAN", "1A"])
def test_an_unknown_country_code_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match="country code"):
        issuing_country(code)


@pytest.mark.parametrize(("code", "expected"), [
    ("P", DocumentType.PASSPORT), ("PD", DocumentType.PASSPORT), ("passport", DocumentType.PASSPORT),
    ("I", DocumentType.IDENTITY_CARD), ("A", DocumentType.IDENTITY_CARD), ("C", DocumentType.IDENTITY_CARD),
    ("identity_card", DocumentType.IDENTITY_CARD), ("V", DocumentType.VISA), ("other", DocumentType.OTHER),
])
def test_document_types_come_from_the_closed_set_or_icao_codes(code: str, expected: DocumentType) -> None:
    assert document_type(code) == expected


@pytest.mark.parametrize("code", ["X", "PPP", "driving licence", "", "P\nV"])
def test_other_document_types_are_refused(code: str) -> None:
    with pytest.raises(ValueError, match="document type"):
        document_type(code)


def _record(**over: object) -> dict[str, object]:
    base: dict[str, object] = {"issuing_country": "DEU", "number": "c01x-00t4<7", "document_type": "P", "status": "stolen",
                               "reporting_country": "DE", "reported_on": "2026-03-02", "reference": "DE-SLTD-000017"}
    return {**base, **over}


def test_a_record_normalises_its_key_fields_and_converts_icao_codes() -> None:
    doc = ReportedDocument.model_validate(_record())
    assert (doc.issuing_country, doc.number, doc.document_type) == ("DE", "C01X00T47", DocumentType.PASSPORT)
    assert doc.key == "DE:C01X00T47" == document_key("D", "C01X 00T47")
    assert doc.status is DocumentStatus.STOLEN


def test_the_key_does_not_depend_on_the_document_type() -> None:
    a = ReportedDocument.model_validate(_record(document_type="P"))
    b = ReportedDocument.model_validate(_record(document_type="identity_card"))
    assert a.key == b.key


@pytest.mark.parametrize(("field", "value"), [
    ("status", "misplaced"), ("reported_on", "2026-02-30"), ("number", "AB/12"), ("issuing_country", "ZZZ"),
    ("reporting_country", "DEU"), ("reference", ""), ("reference", "REF\r\nBcc: x"),
])
def test_a_bad_field_is_named_in_the_reason_never_its_value(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ReportedDocument.model_validate(_record(**{field: value}))
    reason = describe_validation_error(exc.value)
    assert reason.startswith(field)
    assert value == "" or value not in reason


def test_a_record_holds_no_person() -> None:
    with pytest.raises(ValidationError):
        ReportedDocument.model_validate(_record(holder={"given": "Ana", "family": "Ferreira"}))


@given(st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=1, max_size=12),
       st.lists(st.sampled_from([" ", "-", "<"]), max_size=6))
def test_normalisation_is_idempotent_and_ignores_separators(number: str, seps: list[str]) -> None:
    spaced = "".join(c + (seps[i % len(seps)] if seps else "") for i, c in enumerate(number.lower()))
    assert normalise_number(spaced) == number == normalise_number(normalise_number(spaced))


@given(st.sampled_from(["passport", "identity_card", "visa", "other"]),
       st.sampled_from(list(DocumentStatus)), st.dates())
def test_records_round_trip_through_json(kind: str, status: DocumentStatus, day: object) -> None:
    doc = ReportedDocument.model_validate(_record(document_type=kind, status=status.value, reported_on=str(day)))
    assert ReportedDocument.model_validate_json(doc.model_dump_json()) == doc
