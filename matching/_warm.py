"""Load the romanisation machinery once, before the first real notice needs it.

PyICU's transliterators, pykakasi's dictionaries and the Korean and Chinese readings are built on
first use: the first notice with a name in kanji, hanzi or hangul took about a second each (3.6 s
for the demo's list on this machine). In a worker that is a second during which its event loop
screens nothing. :func:`warm_up` pays that cost up front, on a throwaway matcher, so a worker does
it before it reports ready.
"""

from __future__ import annotations

import time

from schemas import WantedPerson

__all__ = ["warm_up"]

# Fictional names, one per script the matcher reads (never a real person's).
_NAMES = [
    {"given": "Quillon", "family": "Marsebrook"},
    {"given": "Chih-wen", "family": "Ts'ao"},        # Wade-Giles (its table comes from pypinyin)
    {"given": "Аверий", "family": "Злотницкий"},   # Cyrillic
    {"given": "Ξενοφών", "family": "Καλλιβρέτης"},  # Greek
    {"given": "曉峰", "family": "歐陽"},             # Han (Chinese readings)
    {"given": "健之助", "family": "御手洗"},          # Han (Japanese readings), with kana below
    {"given": "しのぶ", "family": "カタギリ"},
    {"given": "서윤", "family": "남궁"},             # Hangul
    {"given": "مروان", "family": "الزبيدي"},         # Arabic
    {"given": "فرامرز", "family": "کیانفر"},         # Persian
    {"given": "אליעזר", "family": "בן־שושן"},        # Hebrew
    {"given": "विक्रमादित्य", "family": "पटवर्धन"},     # Devanagari
    {"given": "সুবর্ণ", "family": "ঘোষাল"},          # Bengali
    {"given": "ประยูร", "family": "ศรีสวัสดิ์"},       # Thai
    {"given": "Արտավազդ", "family": "Մելիքսեթյան"},  # Armenian
    {"given": "ተክለሃይማኖት", "family": "ገብረመድህን"},   # Ethiopic
]


def warm_up() -> float:
    """Build every lazy romanisation table the matcher uses; return the seconds it took."""
    from . import Matcher

    started = time.perf_counter()
    matcher = Matcher()
    matcher.upsert(WantedPerson.model_validate({
        "notice_id": "warm-up/0", "notice_type": "red", "status": "active", "requesting_country": "FR",
        "names": _NAMES, "birth_dates": ["1970"], "nationalities": ["FR"],
    }))
    return time.perf_counter() - started
