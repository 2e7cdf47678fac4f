"""Tiny factories for tests: fictional people only."""

from __future__ import annotations

import re
from typing import Any

_N = [0]


def _next(prefix: str) -> str:
    _N[0] += 1
    return f"{prefix}-{_N[0]:06d}"


def notice(family: str, given: str, *, notice_id: str | None = None, dob: str | None = None, sex: str | None = "M",
           nationality: str | None = None, requesting: str | None = "RW", passport: str | None = None,
           offences: list[str] | None = None, caution: str | None = None, status: str = "active",
           aliases: list[tuple[str, str]] | None = None, notice_type: str = "red") -> dict[str, Any]:
    names = [{"given": given, "family": family}] + [{"given": g, "family": f} for g, f in aliases or []]
    return {
        "notice_id": notice_id or f"2026/{_next('n')[2:]}", "notice_type": notice_type, "status": status,
        "requesting_country": requesting, "names": names, "birth_dates": [dob] if dob else [], "sex": sex,
        "nationalities": [nationality] if nationality else [],
        "documents": [{"type": "passport", "number": passport, "country": nationality}] if passport else [],
        "offences": offences or ["fraud"], "caution": caution,
    }


def traveler(family: str, given: str, *, dob: str | None = None, sex: str | None = "M",
             nationality: str | None = None, passport: str | None = None) -> dict[str, Any]:
    person: dict[str, Any] = {"given": given, "family": family, "birth_date": dob, "sex": sex,
                              "nationality": nationality}
    if passport:
        person["document"] = {"type": "passport", "number": passport, "country": nationality}
    return person


def border_crossing(person: dict[str, Any], *, country: str = "KE", event_id: str | None = None,
                    post: str = "NBO-JKIA-T1") -> dict[str, Any]:
    return {"event_id": event_id or _next("bc"), "event_type": "border_crossing",
            "occurred_at": "2026-11-28T08:12:00Z", "country": country, "post": post, "direction": "entry",
            "agency": "ke-immigration", "traveler": person}


def visa_application(person: dict[str, Any], *, country: str = "FR", event_id: str | None = None) -> dict[str, Any]:
    return {"event_id": event_id or _next("va"), "event_type": "visa_application",
            "occurred_at": "2026-11-28T09:00:00Z", "country": country, "post": "FR-CONSULATE-NAIROBI",
            "agency": "fr-visas", "destination_country": country, "applicant": person}


def tip(full_name: str | None, text: str = "", *, country: str = "CD", event_id: str | None = None) -> dict[str, Any]:
    return {"event_id": event_id or _next("tip"), "event_type": "tip", "occurred_at": "2026-11-28T10:00:00Z",
            "country": country, "agency": "cd-police", "channel": "hotline",
            "subject": {"full_name": full_name}, "text": text, "location": {"city": "Kinshasa"}}


def leaked(text: str, *secrets: str) -> list[str]:
    """The ``secrets`` (names, document numbers, a birth year) found in ``text``. A secret of digits only counts
    as a number of its own, not inside a longer run of letters and digits: "1951" turns up by chance in a
    timestamp's microseconds or in a hexadecimal alert id, and a leaked "1951-03-01" or "born 1951" is still found."""
    return [secret for secret in secrets
            if (re.search(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", text) if secret.isdigit()
                else secret in text)]
