"""Naming conventions and scripts neither evaluation generator makes: one sighting each.

    .venv/bin/python tools/phenomena.py --wanted WANTED.jsonl

Each case is a fictional person on a notice and a border crossing (or a tip) that names them
as a document or a caller would: a mononym with a placeholder, a South Indian initial, a name
only in Persian, Ethiopic or Thai script, a Hong Kong (Cantonese) spelling, a native-script
name inside a tip's text. The notice is screened against a background list (such as the
labelled dev set's ``wanted.jsonl``, so that name frequencies are realistic) with an exact birth date and
nationality for crossings and a birth year for tips; the table prints the band, the score and
the first reason. To compare two checkouts, run it with ``PYTHONPATH`` set to each.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import schemas  # noqa: E402
from matching import Matcher  # noqa: E402

_ids = itertools.count(1)

# (phenomenon, notice (given, family, nationality), event: ("bc", given, family) or ("tip", text))
CASES: list[tuple[str, tuple[str | None, str | None, str], tuple[str, ...]]] = [
    ("mononym, FNU in the given field", ("Suharyadi", None, "ID"), ("bc", "FNU", "SUHARYADI")),
    ("mononym printed in both fields", ("Suharyadi", None, "ID"), ("bc", "SUHARYADI", "SUHARYADI")),
    ("initial for the father's name, after", ("Selvakumar", "Manikandan", "IN"), ("bc", "SELVAKUMAR", "M")),
    ("initial for the father's name, before", ("Selvakumar", "Manikandan", "IN"), ("bc", "M", "SELVAKUMAR")),
    ("son of, Malaysian (A/L)", ("Muthu", "Ramasamy", "MY"), ("bc", "MUTHU A/L RAMASAMY", None)),
    ("daughter of, abbreviated (BT)", ("Nur Aminah", "binti Yusof", "MY"), ("bc", "NUR AMINAH BT YUSOF", None)),
    ("Muhammad abbreviated (MD)", ("Mohammad Rafiqul", "Islam", "BD"), ("bc", "MD RAFIQUL", "ISLAM")),
    ("Muhammad abbreviated (MOHD)", ("Mohamad Faizal", "Ismail", "MY"), ("bc", "MOHD FAIZAL", "ISMAIL")),
    ("Persian-only notice", ("محمدرضا", "کاظمی", "IR"), ("bc", "MOHAMMADREZA", "KAZEMI")),
    ("Persian-only notice, zal as z", ("ذبیح", "نوروزی", "AF"), ("bc", "ZABIH", "NOROUZI")),
    ("Ethiopic-only notice", ("ተስፋዬ", "ገብረመድህን", "ET"), ("bc", "TESFAYE", "GEBREMEDHIN")),
    ("Ethiopic-only notice, laryngeal", ("ሐጎስ", "ብርሃኑ", "ER"), ("bc", "HAGOS", "BIRHANU")),
    ("Thai-only notice (RTGS passport)", ("สมชาย", "ศรีสุข", "TH"), ("bc", "SOMCHAI", "SRISUK")),
    ("Hong Kong notice in Han, Cantonese passport", ("大文", "陳", "HK"), ("bc", "TAI MAN", "CHAN")),
    ("tip text, kanji name", ("Taro", "Yamashiro", "JP"), ("tip", "Caller says 山城太郎 rents a room near the port.")),
    ("tip text, Hangul name", ("Minjun", "Seo", "KR"), ("tip", "Caller says 서민준 rents a room near the port.")),
    ("tip text, Georgian name", ("Giorgi", "Tsiklauri", "GE"), ("tip", "Caller says გიორგი წიკლაური rents a room.")),
    ("tip text, Ethiopic name", ("Tesfaye", "Gebremedhin", "ET"), ("tip", "Caller says ተስፋዬ ገብረመድህን rents a room.")),
    ("tip text, Persian name", ("Mohammadreza", "Kazemi", "IR"), ("tip", "Caller says محمدرضا کاظمی rents a room.")),
    ("tip text, SURNAME, Given", ("Mihail", "Dobrescu", "RO"), ("tip", "Caller says DOBRESCU, Mihail rents a room.")),
    ("tip text typed without capitals", ("Mihail", "Dobrescu", "RO"), ("tip", "caller says mihail dobrescu rents a room")),
    ("tip text, Arabic name with article", ("Khalid", "Al-Mansouri", "AE"), ("tip", "Caller says خالد المنصوري rents a room.")),
]


def _notice(given: str | None, family: str | None, nat: str) -> schemas.WantedPerson:
    return schemas.WantedPerson.model_validate({
        "notice_id": f"PHEN/{next(_ids):04d}", "status": "active", "names": [{"given": given, "family": family}],
        "birth_dates": ["1971-05-14"], "sex": "M", "nationalities": [nat], "documents": []})


def _event(spec: tuple[str, ...], nat: str) -> Any:
    common = {"event_id": f"ph-{next(_ids)}", "occurred_at": "2026-04-14T08:12:00Z", "agency": "probe"}
    if spec[0] == "tip":
        return schemas.EVENT_ADAPTER.validate_python({
            **common, "event_type": "tip", "country": "CD", "channel": "hotline",
            "subject": {"birth_date": "1971"}, "text": spec[1]})
    person = {k: v for k, v in {"given": spec[1], "family": spec[2]}.items() if v}
    return schemas.EVENT_ADAPTER.validate_python({
        **common, "event_type": "border_crossing", "country": "KE", "post": "NBO-T1", "direction": "entry",
        "traveler": {**person, "birth_date": "1971-05-14", "sex": "M", "nationality": nat}})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wanted", type=Path, required=True,
                    help="background wanted list (JSONL): the labelled dev set's wanted.jsonl, or one written by "
                         "tools/evalgen/gen_eval.py")
    a = ap.parse_args()
    if not a.wanted.is_file():
        ap.error(f"no such file: {a.wanted}")
    m = Matcher()
    with a.wanted.open("rb") as f:
        for line in f:
            m.upsert(schemas.WantedPerson.model_validate_json(line))
    print(f"background list: {len(m):,} notices ({a.wanted})\n")
    print("| phenomenon | band | score | first reason |")
    print("|---|---|---:|---|")
    for label, (given, family, nat), spec in CASES:
        notice = _notice(given, family, nat)
        m.upsert(notice)
        hit = next((h for h in m.screen(_event(spec, nat)) if h.notice_id == notice.notice_id), None)
        m.remove(notice.notice_id)
        if hit is None:
            print(f"| {label} | none | | |")
        else:
            print(f"| {label} | {hit.band} | {hit.score:.2f} | {hit.reasons[0][:90]} |")


if __name__ == "__main__":
    main()
