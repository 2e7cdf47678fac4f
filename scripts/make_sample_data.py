"""Write the demo's sample data into fugitive_alerts/sample/ (deterministic; every person is fictional).

    .venv/bin/python scripts/make_sample_data.py

- ``wanted.jsonl``: a few dozen invented wanted persons, names in several scripts, aliases, documents.
- ``events.jsonl``: a few hundred events (border crossings, visa applications, tips), a handful of
  them true sightings of the wanted persons above; the rest invented travellers.
- ``bureaus.yaml``: a bureau per country the events touch, plus a war-crimes unit. Phone numbers
  are libphonenumber's example numbers; email domains are under ``.example`` (RFC 2606).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import phonenumbers
import yaml

OUT = Path(__file__).resolve().parent.parent / "fugitive_alerts" / "sample"

# (notice_id, requesting, names[(given, family)], dob, sex, nationality, passport, offences, caution, type)
WANTED = [
    ("2019/48213", "RW", [("Théogène", "Ndagijimanza"), ("Theogene", "Ndagijimanza")], "1951-03-01", "M", "RW", "RW1234567", ["genocide"], None, "red"),
    ("2021/10001", "RU", [("Аркадий Петрович", "Зорькин"), ("Arkadiy Petrovich", "Zorkin"), ("Arkadij", "Sorkin")], "1968-11-04", "M", "RU", "7512345678", ["fraud", "money laundering"], None, "red"),
    ("2022/10002", "UA", [("Олеся", "Кравчукевич"), ("Olesia", "Kravchukevych")], "1979-06-21", "F", "UA", "FE123456", ["human trafficking"], "violent", "red"),
    ("2020/10003", "CN", [("晓明", "司徒"), ("Xiaoming", "Situ"), ("Hiu Ming", "Szeto")], "1972-02-14", "M", "CN", "E12345678", ["corruption"], None, "red"),
    ("2023/10004", "KR", [("민준", "황보"), ("Min-jun", "Hwangbo"), ("Minjun", "Hwang Bo")], "1985-09-09", "M", "KR", "M12345678", ["fraud"], None, "red"),
    ("2018/10005", "GR", [("Σπυρίδων", "Καραβασίλης"), ("Spyridon", "Karavasilis")], "1966-12-30", "M", "GR", "AK1234567", ["murder"], "armed", "red"),
    ("2024/10006", "IL", [("נתנאל", "בן־שושן"), ("Netanel", "Ben-Shushan")], "1990-04-17", "M", "IL", "31234567", ["armed robbery"], "armed", "red"),
    ("2017/10007", "IN", [("राजेश्वर", "कुलकर्णीकर"), ("Rajeshwar", "Kulkarnikar")], "1975-01-26", "M", "IN", "K1234567", ["fraud"], None, "red"),
    ("2016/10008", "EG", [("Mohamed Abdel", "El-Sayyadi"), ("محمد عبد", "الصيادي")], "1970", "M", "EG", "A12345678", ["terrorism"], "armed", "red"),
    ("2015/10009", "IR", [("Farhad", "Rostamkhani"), ("فرهاد", "رستم‌خانی")], "1963-07-07", "M", "IR", "Y12345678", ["war crimes"], None, "war_crimes"),
    ("2025/10010", "TH", [("สมศักดิ์", "วงศ์ทองดี"), ("Somsak", "Wongthongdee")], "1982-08-12", "M", "TH", "AA1234567", ["drug trafficking"], None, "red"),
    ("2019/10011", "JP", [("健太郎", "鷹司"), ("Kentaro", "Takatsukasa")], "1977-05-05", "M", "JP", "TK1234567", ["fraud"], None, "red"),
    ("2014/10012", "DE", [("Jürgen", "Großkämper"), ("Juergen", "Grosskaemper")], "1961-10-10", "M", "DE", "C01X00T47", ["fraud"], None, "red"),
    ("2013/10013", "SE", [("Åsa", "Ødegårdsson")], "1983-03-13", "F", "SE", "91234567", ["kidnapping"], None, "red"),
    ("2012/10014", "BA", [("Dragoljub", "Vukašinović")], "1958-02-02", "M", "BA", "B1234567", ["war crimes", "crimes against humanity"], None, "war_crimes"),
    ("2011/10015", "RW", [("Athanase", "Mbarushimanaho")], "1949-12-12", "M", "RW", "RW7654321", ["genocide", "crimes against humanity"], None, "red"),
    ("2020/10016", "SA", [("Abdulrahman", "Al-Qahtanir"), ("عبد الرحمن", "القحطانير")], "1986-06-06", "M", "SA", "S1234567", ["terrorism financing"], None, "red"),
    ("2021/10017", "CO", [("María José", "Quintero Valderrama")], "1980-09-19", "F", "CO", "AR123456", ["drug trafficking"], "violent", "red"),
    ("2022/10018", "NG", [("Chukwuemeka", "Okonkwojo")], "1974-11-30", "M", "NG", "A01234567", ["fraud"], None, "red"),
    ("2023/10019", "PL", [("Grzegorz", "Brzęczyszczykiewski")], "1969-04-01", "M", "PL", "EA1234567", ["murder"], "armed", "red"),
    ("2018/10020", "TR", [("Şükrü", "Öztürkoğlu"), ("Sukru", "Ozturkoglu")], "1978-07-15", "M", "TR", "U12345678", ["smuggling"], None, "red"),
    ("2017/10021", "FR", [("Jean-Baptiste", "Lemaréchalot")], "1965-01-31", "M", "FR", "12AB34567", ["fraud"], None, "red"),
    ("2016/10022", "BR", [("João Paulo", "Conceição Ferrazini")], "1971-03-03", "M", "BR", "FA123456", ["corruption"], None, "red"),
    ("2015/10023", "KE", [("Wanjiru", "Kamaunderi")], "1988-08-08", "F", "KE", "AK0123456", ["fraud"], None, "red"),
    ("2014/10024", "CD", [("Kasongo", "Mwambalukasa")], "1960", "M", "CD", "OP0123456", ["war crimes"], None, "war_crimes"),
    ("2013/10025", "AM", [("Արամ", "Պետրոսյանց"), ("Aram", "Petrosyants")], "1973-12-24", "M", "AM", "AN1234567", ["fraud"], None, "red"),
    ("2012/10026", "ET", [("ተስፋዬ", "ወልደማርያምዮ"), ("Tesfaye", "Weldemariamyo")], "1967-05-28", "M", "ET", "EP1234567", ["crimes against humanity"], None, "war_crimes"),
    ("2011/10027", "BD", [("রফিকুল", "ইসলামাবাদী"), ("Rafiqul", "Islamabadi")], "1981-10-02", "M", "BD", "BX1234567", ["human trafficking"], None, "red"),
    ("2010/10028", "RU", [("Людмила", "Громовская"), ("Lyudmila", "Gromovskaya")], "1959-09-09", "F", "RU", "7598765432", ["murder"], None, "red", "withdrawn"),
    ("2019/10029", "MX", [("Joaquín", "Altamirano Cienfuegos")], "1976-02-29", "M", "MX", "G12345678", ["kidnapping"], "armed", "red"),
]

SIGHTINGS = [  # (notice_id, event_type, country, post, given, family, dob, sex, nat, doc)
    ("2019/48213", "border_crossing", "KE", "NBO-JKIA-T1", "THEOGENE", "NDAGIJIMANZA", "1951-03-01", "M", "RW", "RW1234567"),
    ("2021/10001", "border_crossing", "TR", "IST-T1", "ARKADII", "ZORKIN", "1968-11-04", "M", "RU", "7512345678"),
    ("2014/10012", "border_crossing", "FR", "CDG-T2E", "JUERGEN", "GROSSKAEMPER", "1961-10-10", "M", "DE", "C01X00T47"),
    ("2018/10020", "border_crossing", "DE", "FRA-T1", "SUKRU", "OZTURKOGLU", "1978-07-15", "M", "TR", "U12345678"),
    ("2023/10004", "visa_application", "FR", "FR-CONSULATE-SEOUL", "MINJUN", "HWANGBO", "1985-09-09", "M", "KR", "M12345678"),
    ("2012/10014", "visa_application", "DE", "DE-CONSULATE-BELGRADE", "DRAGOLJUB", "VUKASINOVIC", "1958-02-02", "M", "BA", "B1234567"),
    ("2021/10017", "border_crossing", "BR", "GRU-T3", "MARIA JOSE", "QUINTERO VALDERRAMA", "1980-09-19", "F", "CO", "AR123456"),
    ("2016/10008", "border_crossing", "AE", "DXB-T3", "MOHAMMED ABDUL", "ALSAYYADI", "1970-05-14", "M", "EG", "A12345678"),
]
TIPS = [  # (notice_id, country, city, full_name or None, text)
    ("2014/10024", "CD", "Goma", "Kasongo Mwambalukasa", "Caller says Kasongo Mwambalukasa rents a house near the lake."),
    ("2022/10002", "PL", "Warszawa", None, "Informant: a woman introducing herself as Olesia Kravchukevych recruits cleaners for jobs abroad."),
]

GIVEN = ["ANNA", "PETER", "LUCIA", "OMAR", "MEI", "KOFI", "ELENA", "RAVI", "SOFIA", "YUSUF", "HANNA", "DIEGO",
         "AMARA", "LIAM", "NORA", "TARIQ", "INES", "KENJI", "ZARA", "MATEO", "FATIMA", "OSKAR", "LEILA", "IVAN"]
FAMILY = ["BERGMANN", "ROSSI", "OKAFOR", "NAKAMURA", "HADDAD", "SILVA", "NOWAK", "DUBOIS", "MWANGI", "KOVAC",
          "PETERSEN", "ALVAREZ", "CHENG", "SANTOS", "LINDQVIST", "MORENO", "ABARA", "FISCHER", "YILMAZ", "PARK"]
POSTS = {"KE": "NBO-JKIA-T1", "FR": "CDG-T2E", "DE": "FRA-T1", "TR": "IST-T1", "AE": "DXB-T3", "BR": "GRU-T3",
         "TH": "BKK-SUVARNABHUMI"}
AGENCY = {"KE": "ke-immigration", "FR": "fr-paf", "DE": "de-bpol", "TR": "tr-police", "AE": "ae-gdrfa",
          "BR": "br-pf", "TH": "th-immigration", "CD": "cd-police", "PL": "pl-police"}
NATS = ["GB", "US", "IT", "ES", "NL", "JP", "IN", "NG", "KE", "BR", "CA", "AU", "ZA", "MX", "SE", "PL"]


def wanted_records() -> list[dict]:
    out = []
    for row in WANTED:
        nid, req, names, dob, sex, nat, doc, offences, caution, ntype, *status = row
        out.append({
            "notice_id": nid, "notice_type": ntype, "status": status[0] if status else "active",
            "requesting_country": req, "names": [{"given": g, "family": f} for g, f in names],
            "birth_dates": [dob], "sex": sex, "nationalities": [nat],
            "documents": [{"type": "passport", "number": doc, "country": nat}],
            "offences": offences, "caution": caution,
        })
    return out


def events(rng: random.Random) -> list[dict]:
    start = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    out: list[dict] = []
    n = 0

    def stamp() -> str:
        return (start + timedelta(seconds=37 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def innocent(i: int) -> dict:
        nat = rng.choice(NATS)
        return {"given": rng.choice(GIVEN), "family": rng.choice(FAMILY),
                "birth_date": f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "sex": rng.choice("MF"), "nationality": nat,
                "document": {"type": "passport", "number": f"{nat}{rng.randint(10**6, 10**7 - 1)}", "country": nat}}

    sighting_at = {40 + 37 * i: s for i, s in enumerate(SIGHTINGS)}
    tip_at = {130 + 90 * i: t for i, t in enumerate(TIPS)}
    for i in range(300):
        n = i
        if i in sighting_at:
            _nid, etype, country, post, given, family, dob, sex, nat, doc = sighting_at[i]
            person = {"given": given, "family": family, "birth_date": dob, "sex": sex, "nationality": nat,
                      "document": {"type": "passport", "number": doc, "country": nat}}
        elif i in tip_at:
            _nid, country, city, full_name, text = tip_at[i]
            out.append({"event_id": f"tip-{i:06d}", "event_type": "tip", "occurred_at": stamp(), "country": country,
                        "agency": AGENCY[country], "channel": "hotline",
                        "subject": {"full_name": full_name}, "text": text, "location": {"city": city}})
            continue
        else:
            country = rng.choice(sorted(POSTS))
            post = POSTS[country]
            etype = "border_crossing" if rng.random() < 0.75 else "visa_application"
            person = innocent(i)
        if etype == "border_crossing":
            out.append({"event_id": f"bc-{i:06d}", "event_type": "border_crossing", "occurred_at": stamp(),
                        "country": country, "post": post, "direction": rng.choice(["entry", "exit"]),
                        "agency": AGENCY[country], "traveler": person})
        else:
            out.append({"event_id": f"va-{i:06d}", "event_type": "visa_application", "occurred_at": stamp(),
                        "country": country, "post": f"{country}-CONSULATE-{rng.choice(['NAIROBI', 'LIMA', 'HANOI'])}",
                        "agency": AGENCY[country], "destination_country": country, "applicant": person})
    return out


def example_phone(region: str, kind: int = phonenumbers.PhoneNumberType.MOBILE, n: int = 0) -> str:
    """libphonenumber's example number for the region, its last digits varied by ``n`` (kept valid)."""
    base = phonenumbers.format_number(phonenumbers.example_number_for_type(region, kind),
                                      phonenumbers.PhoneNumberFormat.E164)
    for step in range(n, n + 50):
        candidate = base[:-2] + f"{(int(base[-2:]) + step) % 100:02d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
            return candidate
    raise ValueError(f"no valid example number for {region}")


def bureaus(countries: list[str]) -> dict:
    zones = {"KE": "Africa/Nairobi", "FR": "Europe/Paris", "DE": "Europe/Berlin", "TR": "Europe/Istanbul",
             "AE": "Asia/Dubai", "BR": "America/Sao_Paulo", "TH": "Asia/Bangkok", "CD": "Africa/Kinshasa",
             "PL": "Europe/Warsaw", "RW": "Africa/Kigali", "RU": "Europe/Moscow", "UA": "Europe/Kyiv",
             "CN": "Asia/Shanghai", "KR": "Asia/Seoul", "GR": "Europe/Athens", "BA": "Europe/Sarajevo",
             "CO": "America/Bogota", "EG": "Africa/Cairo"}
    out = []
    for c in countries:
        lc = c.lower()
        out.append({
            "id": f"ncb-{lc}", "name": f"NCB {c} (fictional)", "country": c, "timezone": zones.get(c, "UTC"),
            "hotline": example_phone(c, phonenumbers.PhoneNumberType.FIXED_LINE),
            "officers": [
                {"id": f"{lc}-duty-1", "name": f"Duty Officer {c}-1 (day)", "phone": example_phone(c, n=0),
                 "email": f"duty1@ncb-{lc}.example", "role": "duty"},
                {"id": f"{lc}-duty-2", "name": f"Duty Officer {c}-2 (night)", "phone": example_phone(c, n=1),
                 "email": f"duty2@ncb-{lc}.example", "role": "duty"},
                {"id": f"{lc}-analyst-1", "name": f"Analyst {c}-1", "email": f"analyst1@ncb-{lc}.example",
                 "role": "analyst"},
                {"id": f"{lc}-supervisor", "name": f"Supervisor {c}", "phone": example_phone(c, n=2),
                 "email": f"supervisor@ncb-{lc}.example", "role": "supervisor"},
                {"id": f"{lc}-head", "name": f"Head of NCB {c}", "phone": example_phone(c, n=3),
                 "email": f"head@ncb-{lc}.example", "role": "head"},
            ],
            "roster": [
                {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "07:00", "end": "19:00",
                 "officers": [f"{lc}-duty-1"]},
                {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "19:00", "end": "07:00",
                 "officers": [f"{lc}-duty-2"]},
            ],
            "on_call": [f"{lc}-supervisor"],
            "escalation": [f"{lc}-supervisor"],
            "head": f"{lc}-head",
        })
    out.append({
        "id": "war-crimes-unit", "name": "War Crimes Unit (fictional)", "timezone": "Europe/Amsterdam",
        "officers": [{"id": "wcu-duty-1", "name": "WCU Duty Officer", "phone": example_phone("NL"),
                      "email": "duty@wcu.example", "role": "duty"},
                     {"id": "wcu-head", "name": "Head of the War Crimes Unit", "phone": example_phone("NL", n=1),
                      "email": "head@wcu.example", "role": "head"}],
        "escalation": [], "head": "wcu-head",
        "subscription": {"offences": ["genocide", "war crimes", "crimes against humanity"],
                         "notice_types": ["war_crimes"]},
    })
    return {"bureaus": out}


def main() -> None:
    rng = random.Random(20261128)
    wanted = wanted_records()
    evs = events(rng)
    countries = sorted({e["country"] for e in evs} | {w["requesting_country"] for w in wanted if w["requesting_country"]})
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "wanted.jsonl").write_text("".join(json.dumps(w, ensure_ascii=False) + "\n" for w in wanted), "utf-8")
    (OUT / "events.jsonl").write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in evs), "utf-8")
    header = "# Sample bureau directory for the demo. Every officer is fictional; numbers are example numbers.\n"
    (OUT / "bureaus.yaml").write_text(header + yaml.safe_dump(bureaus(countries), allow_unicode=True, sort_keys=False), "utf-8")
    print(f"{len(wanted)} wanted, {len(evs)} events, {len(countries) + 1} bureaus -> {OUT}")


if __name__ == "__main__":
    main()
