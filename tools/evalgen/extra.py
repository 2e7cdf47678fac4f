"""Seven more cultures for ``gen_eval.py --extra-cultures``, with the conventions their documents
follow (every person fictional: random combinations of common names).

README.md ("More cultures") has the table of each culture, its notices and its documents.

The spellings are the generator's own, from the conventions above, not the matcher's readers.
"""

from __future__ import annotations

import random
from typing import Any

Person = dict[str, Any]

EXTRA_CULTURES = {  # culture: (weight among notices, weight among travellers, nationalities)
    "ir": (5, 5, ["IR", "AF"]), "am": (4, 3, ["ET", "ER"]), "hk": (3, 3, ["HK", "MO"]), "id": (3, 4, ["ID"]),
    "my": (3, 3, ["MY"]), "bd": (4, 4, ["BD"]), "ta": (4, 4, ["IN"]),
}
EXTRA_NATIVE = {"ir", "am", "hk"}

IR_MALE = [(["Mohammad", "Mohammed"], "محمد"), (["Ali"], "علی"), (["Reza"], "رضا"), (["Hossein", "Hosein"], "حسین"),
           (["Mehdi", "Mahdi"], "مهدی"), (["Amir"], "امیر"), (["Mohammadreza", "Mohammad Reza"], "محمدرضا"),
           (["Alireza", "Ali Reza"], "علیرضا"), (["Hamid"], "حمید"), (["Saeed", "Said"], "سعید"), (["Majid"], "مجید"),
           (["Javad"], "جواد"), (["Ghasem", "Qasem"], "قاسم"), (["Kazem"], "کاظم")]
IR_FEMALE = [(["Fatemeh"], "فاطمه"), (["Zahra"], "زهرا"), (["Maryam"], "مریم"), (["Zeinab", "Zaynab"], "زینب"),
             (["Narges"], "نرگس"), (["Leila", "Leyla"], "لیلا")]
IR_FAMILY = [(["Hosseini", "Hoseini"], "حسینی"), (["Mohammadi"], "محمدی"), (["Rezaei", "Rezaee", "Rezai"], "رضایی"),
             (["Ahmadi"], "احمدی"), (["Karimi"], "کریمی"), (["Mousavi", "Musavi"], "موسوی"),
             (["Jafari", "Jaafari"], "جعفری"), (["Ghasemi", "Qasemi"], "قاسمی"), (["Rahimi"], "رحیمی"),
             (["Kazemi"], "کاظمی"), (["Norouzi", "Nowruzi"], "نوروزی"), (["Sadeghi", "Sadeqi"], "صادقی"),
             (["Heydari", "Heidari"], "حیدری"), (["Zarei"], "زارعی")]

AM_MALE = [(["Tesfaye"], "ተስፋዬ"), (["Girma"], "ግርማ"), (["Haile"], "ኃይሌ"), (["Abebe"], "አበበ"), (["Kebede"], "ከበደ"),
           (["Birhanu", "Berhanu"], "ብርሃኑ"), (["Mulugeta"], "ሙሉጌታ"), (["Dawit"], "ዳዊት"), (["Solomon"], "ሰለሞን"),
           (["Tadesse", "Tadese"], "ታደሰ"), (["Getachew"], "ጌታቸው"), (["Zewdu"], "ዘውዱ"), (["Hagos"], "ሐጎስ"),
           (["Alemu"], "አለሙ"), (["Bekele"], "በቀለ"), (["Desta"], "ደስታ"), (["Fikru"], "ፍቅሩ"), (["Tekle"], "ተክሌ"),
           (["Yohannes"], "ዮሐንስ")]
AM_FEMALE = [(["Meseret"], "መሰረት"), (["Hiwot"], "ሕይወት"), (["Almaz"], "አልማዝ"), (["Selamawit"], "ሰላማዊት"),
             (["Tsehay"], "ፀሐይ"), (["Genet"], "ገነት")]

HK_FAMILY = [("陳", "CHAN"), ("黃", "WONG"), ("李", "LEE"), ("張", "CHEUNG"), ("梁", "LEUNG"), ("林", "LAM"),
             ("劉", "LAU"), ("何", "HO"), ("吳", "NG"), ("鄭", "CHENG"), ("楊", "YEUNG"), ("謝", "TSE"), ("曾", "TSANG"),
             ("周", "CHOW"), ("黎", "LAI"), ("馮", "FUNG")]
HK_MALE = [("大文", "TAI MAN"), ("家輝", "KA FAI"), ("志明", "CHI MING"), ("偉強", "WAI KEUNG"), ("國強", "KWOK KEUNG"),
           ("俊傑", "CHUN KIT"), ("子聰", "TSZ CHUNG"), ("永康", "WING HONG"), ("建國", "KIN KWOK")]
HK_FEMALE = [("嘉欣", "KA YAN"), ("詠詩", "WING SZE"), ("美玲", "MEI LING"), ("麗華", "LAI WAH"), ("秀英", "SAU YING"),
             ("淑儀", "SUK YEE")]

ID_NAMES = ["Suharyadi", "Sutrisno", "Purnomo", "Hartono", "Slamet", "Supriyadi", "Mulyadi", "Sugiarto", "Budiono",
            "Wahyudi", "Haryanto", "Sunarto", "Setiawan", "Kurniawan", "Hidayat", "Sulastri", "Suryani", "Wulandari"]

MY_MALE = ["Muhammad Hafiz", "Muhammad Faizal", "Ahmad Zaki", "Muhammad Amir", "Ahmad Firdaus", "Mohd Azlan"]
MY_FEMALE = ["Nur Aisyah", "Siti Aminah", "Nurul Huda", "Siti Zulaikha"]
MY_FATHER = ["Ismail", "Abdullah", "Yusof", "Hassan", "Osman", "Rahman", "Ibrahim", "Razak"]
MY_TAMIL_MALE = ["Muthu", "Ganesan", "Rajendran", "Suresh", "Kumaran"]
MY_TAMIL_FEMALE = ["Kavitha", "Devi", "Malar"]
MY_TAMIL_FATHER = ["Ramasamy", "Subramaniam", "Krishnan", "Murugan", "Arumugam"]

BD_MIDDLE = ["Rafiqul", "Shafiqul", "Aminul", "Nazrul", "Mizanur", "Habibur", "Kamrul", "Jahangir"]
BD_FAMILY = ["Islam", "Rahman", "Hossain", "Alam", "Uddin", "Ahmed", "Chowdhury", "Sarkar"]

TA_MALE = ["Selvakumar", "Karthik", "Senthil", "Prakash", "Saravanan", "Murali", "Dinesh"]
TA_FEMALE = ["Lakshmi", "Priya", "Meena", "Revathi"]
TA_FATHER = ["Manikandan", "Raman", "Subramanian", "Natarajan", "Venkatesan", "Palanisamy", "Govindan", "Shanmugam"]


def _pick(rng: random.Random, pool: list[Any]) -> Any:
    return pool[rng.randrange(len(pool))]


def make_person(p: Person, rng: random.Random) -> Person:
    c, m = p["cult"], p["sex"] == "M"
    if c == "ir":
        p["g"], p["f"] = _pick(rng, IR_MALE if m else IR_FEMALE), _pick(rng, IR_FAMILY)
    elif c == "am":
        p["g"], p["father"] = _pick(rng, AM_MALE if m else AM_FEMALE), _pick(rng, AM_MALE)
    elif c == "hk":
        p["g"], p["f"] = _pick(rng, HK_MALE if m else HK_FEMALE), _pick(rng, HK_FAMILY)
    elif c == "id":
        p["g"] = _pick(rng, ID_NAMES)
    elif c == "my":
        tamil = rng.random() < 0.3
        p["tamil"] = tamil
        p["g"] = _pick(rng, (MY_TAMIL_MALE if m else MY_TAMIL_FEMALE) if tamil else (MY_MALE if m else MY_FEMALE))
        p["father"] = _pick(rng, MY_TAMIL_FATHER if tamil else MY_FATHER)
    elif c == "bd":
        p["g"] = "Mohammad " + _pick(rng, BD_MIDDLE) if m else _pick(rng, ["Nasrin", "Shirin", "Farida", "Rokeya"])
        p["f"] = _pick(rng, BD_FAMILY)
    else:  # ta
        p["g"], p["father"] = _pick(rng, TA_MALE if m else TA_FEMALE), _pick(rng, TA_FATHER)
    return p


def _relation(p: Person) -> str:
    if p.get("tamil"):
        return "A/L" if p["sex"] == "M" else "A/P"
    return "bin" if p["sex"] == "M" else "binti"


def notice_names(p: Person, rng: random.Random, native_only: bool) -> tuple[list[dict[str, Any]], bool]:
    c = p["cult"]
    if c == "ir":
        lat = {"given": p["g"][0][0], "family": p["f"][0][0]}
        nat = {"given": p["g"][1], "family": p["f"][1]}
    elif c == "am":
        native_only = rng.random() < 0.4
        lat = {"given": p["g"][0][0], "family": p["father"][0][0]}
        nat = {"given": p["g"][1], "family": p["father"][1]}
    elif c == "hk":
        lat = {"given": p["g"][1].title(), "family": p["f"][1].title()}
        nat = {"given": p["g"][0], "family": p["f"][0]}
    elif c == "id":
        return [{"given": p["g"]} if rng.random() < 0.5 else {"family": p["g"]}], False
    elif c == "my":
        return [{"given": f"{p['g']} {_relation(p)} {p['father']}"}], False
    elif c == "bd":
        return [{"given": p["g"], "family": p["f"]}], False
    else:
        return [{"given": p["g"], "family": p["father"]}], False
    return ([nat] if native_only else [lat, nat]), native_only


def render(p: Person, rng: random.Random, labels: list[str], passport: Any) -> tuple[str | None, str | None]:
    c = p["cult"]
    if c == "ir":
        g, fam = _pick(rng, p["g"][0]), _pick(rng, p["f"][0])
        if g != p["g"][0][0] or fam != p["f"][0][0]:
            labels.append("romanisation")
        return passport(g, c), passport(fam, c)
    if c == "am":
        labels.append("fathers_name_father")
        return passport(_pick(rng, p["g"][0]), c), passport(_pick(rng, p["father"][0]), c)
    if c == "hk":
        given = p["g"][1]
        shape = rng.choices([" ", "-", ""], [60, 25, 15])[0]
        if shape != " ":
            labels.append("romanisation")
        return given.replace(" ", shape), p["f"][1]
    if c == "id":
        shape = rng.choice(["FNU", "XXX", "", "both"])
        labels.append("mononym_" + (shape.lower() or "empty"))
        return (passport(p["g"], c) if shape == "both" else shape or None), passport(p["g"], c)
    if c == "my":
        given = p["g"]
        if given.startswith(("Muhammad ", "Mohd ")) and rng.random() < 0.6:
            given = "MOHD " + given.split(" ", 1)[1]
            labels.append("abbreviation")
        rel = _relation(p).upper()  # "/" is kept: documents print A/L
        if rel == "BINTI" and rng.random() < 0.4:
            rel = "BT"
            labels.append("abbreviation")
        if rng.random() < 0.5:  # one name field, or the relation and father in the second
            return f"{passport(given, c)} {rel} {passport(p['father'], c)}", None
        return passport(given, c), f"{rel} {passport(p['father'], c)}"
    if c == "bd":
        if p["g"].startswith("Mohammad ") and rng.random() < 0.7:
            labels.append("abbreviation")
            return passport("MD " + p["g"].split(" ", 1)[1], c), passport(p["f"], c)
        return passport(p["g"], c), passport(p["f"], c)
    shape = rng.choices(["full", "after", "before"], [40, 30, 30])[0]
    if shape != "full":
        labels.append("initial_" + shape)
    initial = p["father"][0]
    if shape == "after":
        return passport(p["g"], c), initial
    if shape == "before":
        return initial, passport(p["g"], c)
    return passport(p["g"], c), passport(p["father"], c)


def native_full_name(p: Person, rng: random.Random) -> str:
    c = p["cult"]
    if c == "hk":
        return p["f"][0] + p["g"][0]
    if c == "am":
        return f"{p['g'][1]} {p['father'][1]}"
    return f"{p['g'][1]} {p['f'][1]}"
