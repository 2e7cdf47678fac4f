"""A second, independent evaluation generator for the matcher (see README.md).

    .venv/bin/python tools/evalgen/gen_eval.py --seed 1 --out /tmp/eval1 [--wanted 3000 --events 10000]

Writes ``wanted.jsonl``, ``events.jsonl``, ``truth.jsonl`` and ``truth_meta.jsonl`` in the dev
set's contract, so its ``score.py`` scores them. Deterministic per seed (``random.Random`` per
record, keyed by seed and record number). Every person is fictional: names are drawn at random
from pools of common given and family names per culture (``names.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import unicodedata
from pathlib import Path
from typing import Any

import extra
import names as N
import pykakasi
from korean_romanizer.romanizer import Romanizer
from pypinyin import Style, lazy_pinyin

Person = dict[str, Any]

CULTURES = {  # culture: (weight among notices, weight among travellers, nationalities)
    "jp": (6, 6, ["JP"]), "cn": (6, 8, ["CN", "TW"]), "kr": (5, 5, ["KR", "KP"]), "ru": (8, 8, ["RU", "BY"]),
    "sa": (7, 5, ["SA", "AE", "QA"]), "eg": (6, 6, ["EG", "DZ", "MA"]), "he": (3, 3, ["IL"]),
    "et": (7, 4, ["ET", "ER"]), "so": (4, 3, ["SO"]), "is": (2, 2, ["IS"]), "vn": (6, 7, ["VN"]),
    "hu": (4, 4, ["HU"]), "es": (8, 9, ["ES", "MX", "CO"]), "de": (5, 8, ["DE", "AT"]),
    "ng": (6, 6, ["NG"]), "tr": (6, 7, ["TR"]),
}
NATIVE = {"jp", "cn", "kr", "ru", "sa", "eg", "he"}
TWINS = False  # --twins
_KKS = pykakasi.kakasi()


# ------------------------------------------------------------------ romanisation (generator's own)

_ICAO = {"Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS", "Å": "AA", "Ø": "OE", "Æ": "AE", "Þ": "TH", "Ð": "D",
         "Đ": "D", "ı": "I", "İ": "I", "Ł": "L"}
_EXPAND = {"de", "is"}  # cultures whose passports use the ICAO expansions


def passport(text: str, cult: str) -> str:
    """ICAO 9303 upper-case Latin."""
    up = text.upper()
    if cult in _EXPAND:
        up = "".join(_ICAO.get(ch, ch) for ch in up)
    else:
        up = "".join({"Đ": "D", "ı": "I", "İ": "I", "Þ": "TH", "Ð": "D", "ẞ": "SS"}.get(ch, ch) for ch in up)
    up = unicodedata.normalize("NFKD", up.replace("ß", "SS"))
    up = "".join(ch for ch in up if not unicodedata.combining(ch))
    return re.sub(r"[^A-Z' -]", "", up).replace("'", "")


_RU_ICAO = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s",
                     "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "", "e", "iu", "ia"], strict=True))
_RU_BGN = dict(_RU_ICAO, е="e", ё="yo", й="y", ъ="", ю="yu", я="ya", ы="y")


def ru_latin(word: str, table: dict[str, str]) -> str:
    out = []
    for i, ch in enumerate(word.lower()):
        t = table.get(ch, ch)
        if table is _RU_BGN and ch == "е" and (i == 0 or word.lower()[i - 1] in "аеёиоуыэюяьъ"):
            t = "ye"
        out.append(t)
    return "".join(out).capitalize()


_LONG_O = re.compile(r"o[ou](?![aeiou])")


def jp_latin(kana: str, system: str) -> str:
    segs = _KKS.convert(kana)
    hep = "".join(s["hepburn"] for s in segs).replace("'", "")
    if system == "hepburn":
        return hep
    if system == "none":
        return _LONG_O.sub("o", hep).replace("uu", "u")
    if system == "oh":
        return _LONG_O.sub("oh", hep).replace("uu", "u")
    kun = "".join(s["kunrei"] for s in segs).replace("'", "")
    if system == "nihon":
        return kun.replace("zi", "di") if "ぢ" in kana else kun.replace("zu", "du") if "づ" in kana else kun
    return kun


def cn_latin(han: str, wade: bool, rng: random.Random) -> str:
    if not wade:
        return "".join(lazy_pinyin(han, style=Style.NORMAL))
    syl = [s.replace("ü", "u") for s in lazy_pinyin(han, style=Style.WADEGILES)]
    syl = [s.replace("'", "") if rng.random() < 0.7 else s for s in syl]
    return rng.choice(["-", "", " "]).join(syl) if len(syl) > 1 else syl[0]


_MR_INI = ["K", "KK", "N", "T", "TT", "R", "M", "P", "PP", "S", "SS", "", "CH", "TCH", "CH'", "K'", "T'", "P'", "H"]
_MR_VOW = ["A", "AE", "YA", "YAE", "Ŏ", "E", "YŎ", "YE", "O", "WA", "WAE", "OE", "YO", "U", "WŎ", "WE", "WI", "YU",
           "Ŭ", "ŬI", "I"]
_MR_FIN = ["", "K", "K", "K", "N", "N", "N", "T", "L", "K", "M", "L", "L", "L", "P", "L", "M", "P", "P", "T", "T",
           "NG", "T", "T", "K", "T", "P", "T"]


def kr_mr(hangul: str) -> list[str]:
    """North Korean passport practice: McCune–Reischauer per syllable, each syllable a word,
    breves and apostrophes dropped."""
    out = []
    for ch in hangul:
        c = ord(ch) - 0xAC00
        ini, vow, fin = c // 588, (c % 588) // 28, c % 28
        ini_s = "SH" if ini == 9 and vow in (20, 16) else _MR_INI[ini]
        out.append(passport(ini_s + _MR_VOW[vow] + _MR_FIN[fin], "kr"))
    return out


# ------------------------------------------------------------------ people

def _pick(rng: random.Random, pool: list[Any]) -> Any:
    return pool[rng.randrange(len(pool))]


def make_person(cult: str, sex: str, rng: random.Random) -> Person:
    """A fictional person of a culture: the parts each renderer needs."""
    p: Person = {"cult": cult, "sex": sex, "nat": _pick(rng, CULTURES[cult][2])}
    if cult in extra.EXTRA_CULTURES:
        return extra.make_person(p, rng)
    m = sex == "M"
    if cult == "jp":
        p["g"] = _pick(rng, N.JP_GIVEN_M if m else N.JP_GIVEN_F)
        p["f"] = _pick(rng, N.JP_FAMILY)
    elif cult == "cn":
        p["g"] = _pick(rng, N.CN_GIVEN_M if m else N.CN_GIVEN_F)
        p["f"] = _pick(rng, N.CN_FAMILY)
    elif cult == "kr":
        p["g"] = _pick(rng, N.KR_GIVEN_M if m else N.KR_GIVEN_F)
        p["f"] = _pick(rng, list(N.KR_FAMILY))
    elif cult == "ru":
        fam = _pick(rng, N.RU_FAMILY_M)
        father = _pick(rng, N.RU_GIVEN_M)
        p["g"] = _pick(rng, N.RU_GIVEN_M if m else N.RU_GIVEN_F)
        p["f"] = fam if m else fam + "а"
        p["father"] = father
    elif cult in ("sa", "eg"):
        p["g"] = _pick(rng, N.AR_GIVEN_M if m else N.AR_GIVEN_F)
        p["father"] = _pick(rng, N.AR_GIVEN_M)
        p["grandfather"] = _pick(rng, N.AR_GIVEN_M)
        p["f"] = _pick(rng, N.AR_FAMILY if cult == "sa" else N.EG_FAMILY)
    elif cult == "he":
        p["g"] = _pick(rng, N.HE_GIVEN_M if m else N.HE_GIVEN_F)
        p["f"] = _pick(rng, N.HE_FAMILY)
    elif cult in ("et", "so"):
        males = N.ET_MALE if cult == "et" else N.SO_MALE
        p["g"] = _pick(rng, males if m else (N.ET_FEMALE if cult == "et" else N.SO_FEMALE))
        p["father"] = _pick(rng, males)
        p["grandfather"] = _pick(rng, males)
    elif cult == "is":
        p["g"] = _pick(rng, N.IS_MALE if m else N.IS_FEMALE)
        p["father"] = _pick(rng, N.IS_MALE)
    elif cult == "vn":
        p["f"] = _pick(rng, N.VN_FAMILY)
        p["mid"] = _pick(rng, N.VN_MIDDLE_M if m else N.VN_MIDDLE_F)
        p["g"] = _pick(rng, N.VN_GIVEN)
    elif cult == "es":
        p["g"] = _pick(rng, N.ES_MALE if m else N.ES_FEMALE)
        a, b = rng.sample(N.ES_FAMILY, 2)
        p["f"] = [a, b]
    else:
        pools = {"hu": (N.HU_MALE, N.HU_FEMALE, N.HU_FAMILY), "de": (N.DE_MALE, N.DE_FEMALE, N.DE_FAMILY),
                 "ng": (N.NG_MALE, N.NG_FEMALE, N.NG_FAMILY), "tr": (N.TR_MALE, N.TR_FEMALE, N.TR_FAMILY)}[cult]
        p["g"] = _pick(rng, pools[0] if m else pools[1])
        p["f"] = _pick(rng, pools[2])
    return p


_IS_GEN = {"Jón": "Jóns", "Sigurður": "Sigurðar", "Guðmundur": "Guðmundar", "Gunnar": "Gunnars", "Ólafur": "Ólafs",
           "Einar": "Einars", "Kristján": "Kristjáns", "Magnús": "Magnúsar", "Stefán": "Stefáns", "Þórður": "Þórðar"}


def notice_names(p: Person, rng: random.Random) -> tuple[list[dict[str, str]], bool]:
    """The notice's names (primary first) and whether the only name is in a native script."""
    c = p["cult"]
    native_only = c in NATIVE and rng.random() < 0.3
    if c in extra.EXTRA_CULTURES:
        return extra.notice_names(p, rng, native_only)
    if c == "jp":
        nat = {"given": p["g"][0], "family": p["f"][0]}
        lat = {"given": jp_latin(p["g"][1], "none").title(), "family": jp_latin(p["f"][1], "none").title()}
    elif c == "cn":
        nat = {"given": p["g"], "family": p["f"]}
        lat = {"given": cn_latin(p["g"], False, rng).title(), "family": cn_latin(p["f"], False, rng).title()}
    elif c == "kr":
        nat = {"given": p["g"], "family": p["f"]}
        lat = {"given": Romanizer(p["g"]).romanize().title(), "family": N.KR_FAMILY[p["f"]][-1].title()}
    elif c == "ru":
        pat = p["father"] + ("ович" if p["sex"] == "M" else "овна")
        nat = {"given": f"{p['g']} {pat}", "family": p["f"]}
        lat = {"given": f"{ru_latin(p['g'], _RU_BGN)} {ru_latin(pat, _RU_BGN)}", "family": ru_latin(p["f"], _RU_BGN)}
    elif c in ("sa", "eg"):
        g, fa, gf, fam = p["g"], p["father"], p["grandfather"], p["f"]
        if c == "sa":
            lat = {"given": f"{g[0][0]} bin {fa[0][0]} bin {gf[0][0]}", "family": fam[0][0]}
            nat = {"given": f"{g[1]} بن {fa[1]} بن {gf[1]}", "family": fam[1]}
        else:
            lat = {"given": f"{g[0][0]} {fa[0][0]}", "family": fam[0][0]}
            nat = {"given": f"{g[1]} {fa[1]}", "family": fam[1]}
    elif c == "he":
        lat = {"given": p["g"][0][0], "family": p["f"][0][0]}
        nat = {"given": p["g"][1], "family": p["f"][1]}
    elif c in ("et", "so"):
        if rng.random() < 0.5:
            return [{"given": p["g"], "family": f"{p['father']} {p['grandfather']}"}], False
        return [{"given": f"{p['g']} {p['father']}", "family": p["grandfather"]}], False
    elif c == "is":
        suffix = "son" if p["sex"] == "M" else "dóttir"
        return [{"given": p["g"], "family": _IS_GEN[p["father"]] + suffix}], False
    elif c == "vn":
        return [{"given": f"{p['mid']} {p['g']}", "family": p["f"]}], False
    elif c == "es":
        return [{"given": p["g"], "family": " ".join(p["f"])}], False
    else:
        return [{"given": p["g"], "family": p["f"]}], False
    return ([nat] if native_only else [lat, nat]), native_only


def render(p: Person, rng: random.Random, labels: list[str]) -> tuple[str, str]:
    """How a document prints the person's name (ICAO upper case), with the culture's
    romanisation and conventions; appends what it did to ``labels``."""
    c = p["cult"]
    if c in extra.EXTRA_CULTURES:
        return extra.render(p, rng, labels, passport)  # type: ignore[no-any-return]
    if c == "jp":
        system = rng.choices(["none", "oh", "hepburn", "kunrei", "nihon"], [45, 15, 15, 20, 5])[0]
        if system != "none":
            labels.append("romanisation")
        return passport(jp_latin(p["g"][1], system), c), passport(jp_latin(p["f"][1], system), c)
    if c == "cn":
        wade = p["nat"] == "TW" or rng.random() < 0.1
        if wade:
            labels.append("romanisation")
        return passport(cn_latin(p["g"], wade, rng), c), passport(cn_latin(p["f"], wade, rng), c)
    if c == "kr":
        if p["nat"] == "KP":
            labels.append("romanisation")
            return " ".join(kr_mr(p["g"])), kr_mr(p["f"])[0]
        fam = _pick(rng, N.KR_FAMILY[p["f"]])
        return passport(Romanizer(p["g"]).romanize(), c), fam
    if c == "ru":
        table = _RU_ICAO if rng.random() < 0.6 else _RU_BGN
        if table is _RU_BGN:
            labels.append("romanisation")
        return passport(ru_latin(p["g"], table), c), passport(ru_latin(p["f"], table), c)
    if c in ("sa", "eg"):
        g = _pick(rng, p["g"][0])
        fam = _pick(rng, p["f"][0])
        if g != p["g"][0][0] or fam != p["f"][0][0]:
            labels.append("arabic_variant")
        if c == "sa":
            fa, gf = p["father"][0][0], p["grandfather"][0][0]
            shape = rng.choice(["full", "nolinks", "father", "father_family"])
            labels.append("nasab_" + shape)
            if shape == "full":
                return passport(f"{g} bin {fa} bin {gf}", c), passport(fam, c)
            if shape == "nolinks":
                return passport(f"{g} {fa} {gf}", c), passport(fam, c)
            if shape == "father":
                return passport(g, c), passport(fa, c)
            return passport(f"{g} {fa}", c), passport(fam, c)
        fa = p["father"][0][0]
        if rng.random() < 0.5:
            labels.append("middle_name_dropped")
            return passport(g, c), passport(fam, c)
        return passport(f"{g} {fa}", c), passport(fam, c)
    if c == "he":
        g, fam = _pick(rng, p["g"][0]), _pick(rng, p["f"][0])
        if g != p["g"][0][0] or fam != p["f"][0][0]:
            labels.append("romanisation")
        return passport(g, c), passport(fam, c)
    if c in ("et", "so"):
        shape = rng.choices(["father", "grandfather", "all"], [60, 20, 20])[0]
        labels.append("fathers_name_" + shape)
        if shape == "father":
            return passport(p["g"], c), passport(p["father"], c)
        if shape == "grandfather":
            return passport(p["g"], c), passport(p["grandfather"], c)
        return passport(f"{p['g']} {p['father']}", c), passport(p["grandfather"], c)
    if c == "is":
        return passport(p["g"], c), passport(_IS_GEN[p["father"]] + ("son" if p["sex"] == "M" else "dóttir"), c)
    if c == "vn":
        if rng.random() < 0.3:
            labels.append("name_order_swapped")
            return passport(p["g"], c), passport(f"{p['f']} {p['mid']}", c)
        return passport(f"{p['mid']} {p['g']}", c), passport(p["f"], c)
    if c == "hu":
        if rng.random() < 0.3:
            labels.append("name_order_swapped")
            return passport(p["f"], c), passport(p["g"], c)
        return passport(p["g"], c), passport(p["f"], c)
    if c == "es":
        a, b = p["f"]
        shape = rng.choices(["both", "first", "hyphen", "second"], [55, 30, 10, 5])[0]
        if shape != "both":
            labels.append("surname_" + shape)
        fam = {"both": f"{a} {b}", "first": a, "hyphen": f"{a}-{b}", "second": b}[shape]
        return passport(p["g"], c), passport(fam, c)
    return passport(p["g"], c), passport(p["f"], c)


def full_name(p: Person, rng: random.Random, native: bool) -> str:
    """A name as a tip writes it: in the native script, or in Latin letters, mixed case."""
    c = p["cult"]
    if native and c in NATIVE:
        if c in extra.EXTRA_NATIVE:
            return extra.native_full_name(p, rng)
        if c == "jp":
            return p["f"][0] + rng.choice(["", " "]) + p["g"][0]
        if c in ("cn",):
            return p["f"] + p["g"]
        if c == "kr":
            return p["f"] + p["g"]
        if c == "ru":
            return f"{p['g']} {p['f']}"
        if c in ("sa", "eg"):
            return f"{p['g'][1]} {p['f'][1]}"
        return f"{p['g'][1]} {p['f'][1]}"
    g, f = render(p, rng, [])
    parts = [x.title() for x in (g, f) if x]
    return " ".join(parts) if rng.random() < 0.8 else " ".join(reversed(parts))


# ------------------------------------------------------------------ perturbations

def typo(word: str, rng: random.Random) -> str:
    if not word:
        return word
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    if len(letters) < 3:
        return word
    i = _pick(rng, letters[1:])
    op = rng.choice(["sub", "del", "swap", "ins"])
    alpha = "AEIOUNRSTLMK"
    if op == "sub":
        return word[:i] + rng.choice([a for a in alpha if a != word[i]]) + word[i + 1:]
    if op == "del":
        return word[:i] + word[i + 1:]
    if op == "swap" and i + 1 < len(word) and word[i + 1].isalpha():
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + rng.choice(alpha) + word[i:]


def rdate(rng: random.Random, lo: int = 1950, hi: int = 2004) -> dt.date:
    return dt.date(rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28))


def other_date(d: dt.date, rng: random.Random, years: tuple[int, int]) -> dt.date:
    """A namesake's birth date: ``years`` apart, another month and another day."""
    y = d.year + rng.choice([-1, 1]) * rng.randint(*years)
    m = rng.choice([x for x in range(1, 13) if x != d.month])
    day = rng.choice([x for x in range(2, 29) if x != d.day])
    return dt.date(y, m, day)


def doc_no(cc: str, rng: random.Random) -> str:
    return cc + "".join(str(rng.randint(0, 9)) for _ in range(7))


# ------------------------------------------------------------------ the set

class Generator:
    def __init__(self, seed: int, n_wanted: int, n_events: int) -> None:
        self.seed, self.n_wanted, self.n_events = seed, n_wanted, n_events
        self.cults = list(CULTURES)

    def rng(self, tag: str) -> random.Random:
        return random.Random(f"evalgen:{self.seed}:{tag}")

    def wanted(self) -> None:
        self.notices: list[tuple[dict[str, Any], Person, dt.date]] = []
        for i in range(self.n_wanted):
            rng = self.rng(f"w{i}")
            cult = rng.choices(self.cults, [CULTURES[c][0] for c in self.cults])[0]
            sex = rng.choices(["M", "F"], [80, 20])[0]
            p = make_person(cult, sex, rng)
            dob = rdate(rng, 1950, 2002)
            names, _ = notice_names(p, rng)
            r = rng.random()
            bds = [dob.isoformat()] if r < 0.75 else [str(dob.year)] if r < 0.85 else [dob.isoformat()[:7]] \
                if r < 0.9 else [dob.isoformat(), str(dob.year + rng.choice([-1, 1]))]
            docs = [{"type": "passport", "number": doc_no(p["nat"], rng), "country": p["nat"]}] \
                if rng.random() < 0.7 else []
            status = "active" if rng.random() < 0.95 else rng.choice(["withdrawn", "cancelled"])
            rec = {"notice_id": f"{2000 + i % 26}/{i:06d}", "notice_type": "red", "status": status,
                   "requesting_country": p["nat"], "names": names, "birth_dates": bds, "sex": sex,
                   "nationalities": [p["nat"]], "documents": docs, "offences": ["fraud"], "caution": None}
            self.notices.append((rec, p, dob))

    def skeleton(self, i: int, etype: str, rng: random.Random) -> dict[str, Any]:
        at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=7 * i)
        country = rng.choice(["FR", "DE", "KE", "TR", "AE", "JP", "US", "BR", "ES", "IT"])
        prefix = {"border_crossing": "bc", "visa_application": "va", "tip": "tip"}[etype]
        ev: dict[str, Any] = {"event_id": f"{prefix}-{i:06d}", "event_type": etype,
                              "occurred_at": at.isoformat().replace("+00:00", "Z"), "country": country,
                              "agency": f"{country.lower()}-agency"}
        if etype == "border_crossing":
            ev.update(post=f"{country}-POST-1", direction=rng.choice(["entry", "exit"]))
        elif etype == "visa_application":
            ev.update(post=f"{country}-CONSULATE", destination_country=country)
        else:
            ev.update(channel=rng.choice(["hotline", "informant", "web"]))
        return ev

    def person_event(self, ev: dict[str, Any], given: str, family: str, dob: str, sex: str | None, nat: str,
                     doc: dict[str, str] | None) -> None:
        key = "traveler" if ev["event_type"] == "border_crossing" else "applicant"
        ev[key] = {"given": given, "family": family, "birth_date": dob, "sex": sex, "nationality": nat,
                   "document": doc}

    def tip_event(self, ev: dict[str, Any], name: str, in_text: bool, dob: str | None, rng: random.Random,
                  sex: str | None) -> None:
        place = rng.choice(["the bus station", "a hotel in the old town", "the harbour", "a market stall"])
        templates = [f"Caller says {name} has been staying at {place} for two weeks.",
                     f"Neighbour reports that {name} works at {place}.",
                     f"Anonymous: the man known as {name} was seen near {place}."]
        text = _pick(rng, templates) if in_text else f"Seen near {place}; caller gave the name."
        ev["subject"] = {"full_name": None if in_text else name, "birth_date": dob, "sex": sex,
                         "nationality": None, "document": None}
        ev["text"] = text
        ev["location"] = {"city": "Unknown"}

    def sighting(self, i: int, etype: str, rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
        active = [n for n in self.notices if n[0]["status"] == "active"]
        rec, p, dob = _pick(rng, active)
        ev = self.skeleton(i, etype, rng)
        labels: list[str] = []
        if etype == "tip":
            mode = rng.random()
            native = p["cult"] in NATIVE and mode < 0.35
            in_text = not native and mode > 0.75
            labels.append("tip_native_script" if native else "tip_text_only" if in_text else "tip_full_name")
            tip_dob = str(dob.year) if rng.random() < 0.4 else None
            self.tip_event(ev, full_name(p, rng, native), in_text, tip_dob, rng, None)
            return ev, {"event_id": ev["event_id"], "notice_id": rec["notice_id"], "event_type": etype,
                        "kind": "sighting", "primary": labels[0], "perturbations": labels}
        g, f = render(p, rng, labels)
        r = rng.random()
        if r < 0.08:
            if rng.random() < 0.5:
                g = typo(g, rng)
            else:
                f = typo(f, rng)
            labels.append("typo")
        elif r < 0.12 and f and len(f) <= 6:
            f = typo(typo(f, rng), rng)
            labels.append("two_typos_short_family")
        if rng.random() < 0.05 and "name_order_swapped" not in labels:
            g, f = f, g
            labels.append("name_order_swapped")
        d = dob
        r = rng.random()
        bdate = d.isoformat()
        if r < 0.07:
            bdate = d.replace(year=d.year + rng.choice([-1, 1])).isoformat()
            labels.append("dob_year_off")
        elif r < 0.12 and d.day <= 12 and d.day != d.month:
            bdate = dt.date(d.year, d.day, d.month).isoformat()
            labels.append("dob_day_month_swap")
        elif r < 0.17:
            bdate = f"{d.year}-01-01" if etype == "border_crossing" else str(d.year)
            labels.append("dob_partial")
        if len(rec["birth_dates"][0]) < 10:
            labels.append("dob_partial")
        nat = p["nat"]
        doc = dict(rec["documents"][0]) if rec["documents"] and rng.random() < 0.2 else \
            {"type": "passport", "number": doc_no(nat, rng), "country": nat}
        self.person_event(ev, g, f, bdate, p["sex"], nat, doc)
        return ev, {"event_id": ev["event_id"], "notice_id": rec["notice_id"], "event_type": etype,
                    "kind": "sighting", "primary": labels[0] if labels else "none", "perturbations": labels or ["none"]}

    def innocent(self, i: int, etype: str, rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
        ev = self.skeleton(i, etype, rng)
        r = rng.random()
        if r < 0.08:
            kind = "namesake"
            _rec, p, dob = _pick(rng, self.notices)
            d = other_date(dob, rng, (1, 3))
        elif r < 0.12:
            kind = "relative"
            _rec, p0, dob = _pick(rng, self.notices)
            p = dict(p0)
            other = make_person(p0["cult"], p0["sex"], rng)
            if other["g"] == p0["g"]:
                other = make_person(p0["cult"], p0["sex"], rng)
            p["g"] = other["g"]
            d = rdate(rng, 1950, 2004)
            if TWINS and rng.random() < 0.5:
                kind, d = "twin", dob
        else:
            kind = "random"
            cult = rng.choices(self.cults, [CULTURES[c][1] for c in self.cults])[0]
            p = make_person(cult, rng.choice("MF"), rng)
            d = rdate(rng, 1950, 2006)
        meta = {"event_id": ev["event_id"], "notice_id": None, "event_type": etype, "kind": "innocent",
                "negative_type": kind}
        if etype == "tip":
            native = p["cult"] in NATIVE and rng.random() < 0.3
            self.tip_event(ev, full_name(p, rng, native), rng.random() < 0.25,
                           str(d.year) if rng.random() < 0.4 else None, rng, None)
            return ev, meta
        g, f = render(p, rng, [])
        self.person_event(ev, g, f, d.isoformat(), p["sex"], p["nat"],
                          {"type": "passport", "number": doc_no(p["nat"], rng), "country": p["nat"]})
        return ev, meta

    def events(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        evs, metas = [], []
        for i in range(self.n_events):
            rng = self.rng(f"e{i}")
            etype = rng.choices(["border_crossing", "visa_application", "tip"], [60, 28, 12])[0]
            ev, meta = (self.sighting if rng.random() < 0.06 else self.innocent)(i, etype, rng)
            evs.append(ev)
            metas.append(meta)
        return evs, metas


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--wanted", type=int, default=3000)
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--twins", action="store_true",
                    help="half the relatives are twins: the notice's birth date, another given name; "
                         "without it the sets are as before")
    ap.add_argument("--extra-cultures", action="store_true",
                    help="add seven cultures (extra.py: Persian, Ethiopic script, Hong Kong, Indonesian mononyms, "
                         "Malaysian, Bangladeshi, Tamil initials); without it the sets are as before")
    a = ap.parse_args()
    global TWINS
    TWINS = a.twins
    if a.extra_cultures:
        CULTURES.update(extra.EXTRA_CULTURES)
        NATIVE.update(extra.EXTRA_NATIVE)
    g = Generator(a.seed, a.wanted, a.events)
    g.wanted()
    evs, metas = g.events()
    a.out.mkdir(parents=True, exist_ok=True)
    _write(a.out / "wanted.jsonl", [n[0] for n in g.notices])
    _write(a.out / "events.jsonl", evs)
    _write(a.out / "truth.jsonl", [{"event_id": m["event_id"], "notice_id": m["notice_id"]} for m in metas])
    _write(a.out / "truth_meta.jsonl", metas)


if __name__ == "__main__":
    main()
