"""INTERPOL's public Red Notice API (``ws-public.interpol.int/notices/v1/red``), as saved JSON.

Accepted files: a list response (``{total, _embedded: {notices: [...]}}``), a detail response
(one notice, with ``arrest_warrants``), a JSON array of either, or JSON lines of either (a
harvester's output, one response per line). A list item carries fewer fields than a detail
response; both map the same way:

| INTERPOL | WantedPerson |
|---|---|
| ``entity_id`` ``2019/48213`` | ``notice_id`` |
| ``forename``, ``name`` | ``names[0]``: ``given``, ``family`` |
| ``date_of_birth`` ``YYYY/MM/DD``, ``YYYY/MM``, ``YYYY`` | ``birth_dates`` (ISO, partial) |
| ``nationalities`` | ``nationalities`` |
| ``sex_id`` F, M, U | ``sex`` |
| ``arrest_warrants[].issuing_country_id`` (the first) | ``requesting_country`` |
| ``arrest_warrants[].charge_translation`` or ``charge`` | ``offences`` |

``place_of_birth``, ``country_of_birth_id``, ``languages_spoken_ids``, ``distinguishing_marks``,
height, weight, eyes and hair have no field in a notice and are not imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from schemas import WantedPerson

from ._common import (
    Row,
    RowError,
    Warnings,
    build_notice,
    countries,
    country,
    offence,
    partial_date,
    sex,
    unique_names,
)
from ._read import InputError, json_document_or_lines

__all__ = ["read", "convert"]


def _items(doc: Any, where: str) -> list[Row]:
    """The notices of one response: a list page's ``_embedded.notices``, or the detail itself."""
    if isinstance(doc, dict) and isinstance(doc.get("_embedded"), dict) and "notices" in doc["_embedded"]:
        notices = doc["_embedded"]["notices"]
        if not isinstance(notices, list):
            return [Row(where, error="_embedded.notices is not a list")]
        prefix = f"{where}, " if where else ""
        return [Row(f"{prefix}notice {k}", item) for k, item in enumerate(notices, start=1)]
    return [Row(where or "notice 1", doc)]


def read(path: Path) -> list[Row]:
    doc, lines = json_document_or_lines(path)
    if lines is not None:
        return [r2 for r in lines for r2 in ([r] if r.error else _items(r.data, r.where))]
    if isinstance(doc, list):
        return [r for k, item in enumerate(doc, start=1) for r in _items(item, f"item {k}")]
    if isinstance(doc, dict):
        return _items(doc, "")
    raise InputError(f"{path.name}: expected an INTERPOL notices response (a JSON object)")


def convert(item: Any, warn: Warnings, source: str | None) -> WantedPerson:
    if not isinstance(item, dict):
        raise RowError("not a JSON object")
    notice_id = item.get("entity_id")
    if not isinstance(notice_id, str) or not notice_id.strip():
        raise RowError("no entity_id")
    notice_id = notice_id.strip()
    names = unique_names([{"given": item.get("forename"), "family": item.get("name")}])
    if not names:
        raise RowError("no name (forename or name)", notice_id)
    warrants = item.get("arrest_warrants") or []
    if not isinstance(warrants, list):
        warn("arrest_warrants is not a list, left out")
        warrants = []
    requesting: str | None = None
    offences: list[str] = []
    for warrant in warrants:
        if not isinstance(warrant, dict):
            continue
        issuer = country(warrant.get("issuing_country_id"), "arrest_warrants.issuing_country_id", warn)
        if requesting is None:
            requesting = issuer
        elif issuer is not None and issuer != requesting:
            warn("warrants from more than one country: the first is the requesting country")
        charge = offence(warrant.get("charge_translation")) or offence(warrant.get("charge"))
        if charge and charge.casefold() not in {o.casefold() for o in offences}:
            offences.append(charge)
    nationalities = item.get("nationalities") or []
    if not isinstance(nationalities, list):
        warn("nationalities is not a list, left out")
        nationalities = []
    born = partial_date(item.get("date_of_birth"), "date_of_birth", warn)
    return build_notice(
        {
            "notice_id": notice_id,
            "notice_type": "red",
            "status": "active",
            "requesting_country": requesting,
            "names": names,
            "birth_dates": [born] if born else [],
            "sex": sex(item.get("sex_id"), "sex_id", warn),
            "nationalities": countries(nationalities, "nationalities", warn),
            "offences": offences[:50],
            "source": source,
        }
    )
