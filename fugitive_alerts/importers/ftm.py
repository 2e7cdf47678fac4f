"""FollowTheMoney entities (OpenSanctions exports): JSON lines, one entity per line.

Each ``Person`` entity becomes a notice; its properties are lists of strings:

| FtM (``properties``) | WantedPerson |
|---|---|
| entity ``id`` | ``notice_id`` |
| ``firstName`` + ``lastName`` | ``names[0]`` as ``given`` + ``family`` |
| ``name``, then ``alias`` | more names, ``full_name`` (without first/last name the first is primary) |
| ``birthDate`` | ``birth_dates`` |
| ``nationality`` | ``nationalities`` |
| ``gender`` male, female, other | ``sex`` M, F, U |
| ``passportNumber`` | ``documents`` of type ``passport`` |
| ``idNumber`` | ``documents`` of type ``id`` |
| ``topics`` (``crime.war``, ...) | ``offences`` (``_TOPIC_OFFENCES``); ``crime.war``: type ``war_crimes`` |

OpenSanctions often models the warrant and the identity documents as entities of their own,
linked to the person. Those in the same file are joined in:
- ``Sanction`` (``entity`` -> the person): its ``country`` is the ``requesting_country``, its
  ``reason`` values are offences; ``authority`` or ``program`` naming INTERPOL make the notice ``red``.
- ``Passport`` and ``Identification`` (``holder`` -> the person): ``number``, ``country``, ``type``.

Other entities (companies, addresses, ...) are skipped, not rejected. Without a war-crimes topic
or an INTERPOL sanction, the notice type is ``national``.
"""

from __future__ import annotations

from collections import defaultdict
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
    document,
    offence,
    partial_date,
    sex,
    unique_names,
)
from ._read import json_lines

__all__ = ["read", "convert"]

_TOPIC_OFFENCES = {
    "crime.war": "war crimes",
    "crime.terror": "terrorism",
    "crime.traffick": "trafficking",
    "crime.traffick.drug": "drug trafficking",
    "crime.traffick.human": "human trafficking",
    "crime.fin": "financial crime",
    "crime.fraud": "fraud",
    "crime.cyber": "cybercrime",
    "crime.theft": "theft",
    "crime.boss": "organised crime",
}
_LINKS = {"Sanction": "entity", "Passport": "holder", "Identification": "holder"}


def _values(props: dict[str, Any], name: str) -> list[str]:
    value = props.get(name)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and v.strip()]


def read(path: Path) -> list[Row]:
    """Person rows, each with the Sanction/Passport/Identification entities that point at it.

    Rows of other schemas come back with ``skip`` set: they are counted, not rejected.
    """
    rows = list(json_lines(path))  # two passes: linked entities may come after their Person
    linked: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        entity = row.data
        if (
            isinstance(entity, dict)
            and entity.get("schema") in _LINKS
            and isinstance(entity.get("properties"), dict)
        ):
            for target in _values(entity["properties"], _LINKS[entity["schema"]]):
                linked[target].append(entity)
    out: list[Row] = []
    for row in rows:
        entity = row.data
        if row.error or not isinstance(entity, dict):
            out.append(row if row.error else Row(row.where, error="not a JSON object"))
        elif entity.get("schema") == "Person":
            out.append(Row(row.where, {"entity": entity, "linked": linked.get(str(entity.get("id")), [])}))
        else:
            schema = entity.get("schema")
            label = (
                schema if isinstance(schema, str) and schema.isalnum() and len(schema) <= 40 else "unknown"
            )
            why = "joined to their Person" if schema in _LINKS else "not a Person"
            out.append(Row(row.where, skip=f"{label} entities ({why})"))
    return out


def _notice_type(topics: list[str], sanctions: list[dict[str, Any]], datasets: list[str]) -> str:
    if "crime.war" in topics:
        return "war_crimes"
    authorities = [
        v for s in sanctions for k in ("authority", "program") for v in _values(s["properties"], k)
    ]
    if any("interpol" in v.lower() for v in authorities + datasets):
        return "red"
    return "national"


def convert(data: dict[str, Any], warn: Warnings, source: str | None) -> WantedPerson:
    entity, linked = data["entity"], data["linked"]
    notice_id = entity.get("id")
    if not isinstance(notice_id, str) or not notice_id.strip():
        raise RowError("no id")
    notice_id = notice_id.strip()
    props = entity.get("properties")
    if not isinstance(props, dict):
        raise RowError("no properties", notice_id)
    first, last = _values(props, "firstName"), _values(props, "lastName")
    split = [{"given": first[0] if first else None, "family": last[0] if last else None}]
    names = unique_names(split + [{"full_name": n} for n in _values(props, "name") + _values(props, "alias")])
    if not names:
        raise RowError("no name (name, alias, firstName or lastName)", notice_id)

    sanctions = [e for e in linked if e.get("schema") == "Sanction"]
    requesting = None
    for s in sanctions:
        for c in _values(s["properties"], "country"):
            code = country(c, "Sanction.country", warn)
            requesting = requesting or code
    topics = _values(props, "topics")
    offences: list[str] = []
    for text in [r for s in sanctions for r in _values(s["properties"], "reason")] + [
        _TOPIC_OFFENCES[t] for t in topics if t in _TOPIC_OFFENCES
    ]:
        o = offence(text)
        if o and o.casefold() not in {x.casefold() for x in offences}:
            offences.append(o)

    documents = [
        document("passport", n, None, "passportNumber", warn) for n in _values(props, "passportNumber")
    ]
    documents += [document("id", n, None, "idNumber", warn) for n in _values(props, "idNumber")]
    for ident in (e for e in linked if e.get("schema") in ("Passport", "Identification")):
        p = ident["properties"]
        kind = "passport" if ident["schema"] == "Passport" else (_values(p, "type") or ["id"])[0].lower()[:40]
        issuer = next(
            (c for c in (country(v, f"{ident['schema']}.country", warn) for v in _values(p, "country")) if c),
            None,
        )
        documents += [
            document(kind, n, issuer, f"{ident['schema']}.number", warn) for n in _values(p, "number")
        ]
    unique_docs: dict[str, dict[str, Any]] = {}
    for d in documents:
        if d is not None:
            key = d["number"].upper()
            if key not in unique_docs or (unique_docs[key]["country"] is None and d["country"]):
                unique_docs[key] = d

    genders = [g for g in (sex(v, "gender", warn) for v in _values(props, "gender")) if g]
    births = [b for b in (partial_date(v, "birthDate", warn) for v in _values(props, "birthDate")) if b]
    datasets = [d for d in entity.get("datasets") or [] if isinstance(d, str)]
    return build_notice(
        {
            "notice_id": notice_id,
            "notice_type": _notice_type(topics, sanctions, datasets),
            "status": "active",
            "requesting_country": requesting,
            "names": names[:100],
            "birth_dates": list(dict.fromkeys(births))[:20],
            "sex": genders[0] if len(set(genders)) == 1 else None,
            "nationalities": countries(_values(props, "nationality"), "nationality", warn)[:20],
            "documents": list(unique_docs.values())[:50],
            "offences": offences[:50],
            "source": source,
        }
    )
