"""Write fugitive_alerts/sample/wanted.ftm.jsonl from wanted.jsonl: the same fictional people as
FollowTheMoney entities, the way OpenSanctions publishes a wanted list.

    .venv/bin/python scripts/sample_to_ftm.py

Each active notice becomes a ``Person`` (first/last name from the primary name, the other names as
aliases), a ``Sanction`` pointing at it (requesting country, offences; ``authority`` INTERPOL for
a red notice) and a ``Passport`` per document. A ``war_crimes`` notice gets the ``crime.war`` topic.
FtM has no caution flag and no status: cautions are not carried over, and notices that are not
active are left out (a list does not hold people who are no longer wanted).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schemas import WantedPerson

SAMPLE = Path(__file__).resolve().parent.parent / "fugitive_alerts" / "sample"
_GENDER = {"M": "male", "F": "female", "U": "other"}


def entities(notice: WantedPerson) -> list[dict[str, object]]:
    nid, primary = notice.notice_id, notice.names[0]
    props: dict[str, list[str]] = {"name": [primary.display()]}
    if primary.given:
        props["firstName"] = [primary.given]
    if primary.family:
        props["lastName"] = [primary.family]
    if notice.names[1:]:
        props["alias"] = [n.display() for n in notice.names[1:]]
    if notice.birth_dates:
        props["birthDate"] = list(notice.birth_dates)
    if notice.nationalities:
        props["nationality"] = [c.lower() for c in notice.nationalities]
    if notice.sex:
        props["gender"] = [_GENDER[notice.sex]]
    props["topics"] = ["wanted"] + (["crime.war"] if notice.notice_type == "war_crimes" else [])
    meta = {"datasets": ["fugitive_alerts_sample"]}
    out: list[dict[str, object]] = [{"id": nid, "schema": "Person", "properties": props, **meta}]
    sanction: dict[str, list[str]] = {"entity": [nid], "reason": list(notice.offences)}
    if notice.requesting_country:
        sanction["country"] = [notice.requesting_country.lower()]
    if notice.notice_type == "red":
        sanction |= {"authority": ["INTERPOL"], "program": ["Red Notice"]}
    out.append({"id": f"{nid}-sanction", "schema": "Sanction", "properties": sanction, **meta})
    for i, doc in enumerate(notice.documents, start=1):
        p: dict[str, list[str]] = {"holder": [nid], "number": [doc.number], "type": [doc.type]}
        if doc.country:
            p["country"] = [doc.country.lower()]
        schema = "Passport" if doc.type == "passport" else "Identification"
        out.append({"id": f"{nid}-doc{i}", "schema": schema, "properties": p, **meta})
    return out


def main() -> None:
    notices = [
        WantedPerson.model_validate_json(line) for line in (SAMPLE / "wanted.jsonl").read_bytes().splitlines()
    ]
    rows = [e for n in notices if n.active for e in entities(n)]
    (SAMPLE / "wanted.ftm.jsonl").write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in rows), "utf-8"
    )
    print(f"wrote {len(rows)} entities for {sum(n.active for n in notices)} notices")


if __name__ == "__main__":
    main()
