"""Synthetic load for ``pipeline_bench.py``: the wanted list, the bureaus, and border crossings.

Fictional persons only, made by the matching bench's generator (``matching_bench.make_wanted``:
syllable-made names with a Zipf-like skew). Travellers are drawn from the same name pools, so
namesakes and review-band hits happen as they would; a share of the events (``sightings``) are
listed persons crossing (upper-case passport names, some typos, half with the notice's passport).
"""

from __future__ import annotations

import random
from typing import Any

import orjson
from matching_bench import _dob, _Pool, _typo, make_wanted

__all__ = ["AGENCY", "COUNTRY", "bureaus", "wanted_records", "EventMaker"]

AGENCY = "ke-immigration"
COUNTRY = "KE"
REQUESTING = "FR"


def bureaus() -> dict[str, Any]:
    """Two bureaus (where the traveller is, who wants them), each with a duty officer and an analyst.

    A critical alert goes by SMS and email to both duty officers (4 messages); a review-band hit by
    email to both analysts. No roster: everyone is on duty around the clock.
    """
    def bureau(code: str, tz: str, phone: str, hotline: str) -> dict[str, Any]:
        low = code.lower()
        return {"id": f"ncb-{low}", "name": f"NCB {code} (fictional)", "country": code, "timezone": tz,
                "hotline": hotline, "officers": [
                    {"id": f"{low}-duty", "name": f"Duty {code}", "phone": phone, "email": f"duty@ncb-{low}.example"},
                    {"id": f"{low}-analyst", "name": f"Analyst {code}", "email": f"analyst@ncb-{low}.example",
                     "role": "analyst"}]}
    return {"bureaus": [bureau(COUNTRY, "Africa/Nairobi", "+254712345678", "+254202012345"),
                        bureau(REQUESTING, "Europe/Paris", "+33612345678", "+33140001234")]}


def wanted_records(n: int, seed: int = 7) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``n`` fictional notices (requested by FR) and the name pools travellers are drawn from."""
    raw = make_wanted(n, seed)
    pools = raw.pop()
    for w in raw:
        w["requesting_country"] = REQUESTING
        w["notice_type"] = "red"
    return raw, pools


class EventMaker:
    """Border crossings at ``posts`` posts of one agency; ``sightings`` of them are listed persons."""

    def __init__(self, notices: list[dict[str, Any]], pools: dict[str, Any], sightings: float,
                 seed: int = 11, posts: int = 400) -> None:
        self.rng = random.Random(seed)
        self.notices, self.sightings, self.posts = notices, sightings, posts
        self.given = _Pool(self.rng, 10, (2, 3))
        self.family = _Pool(self.rng, 10, (2, 3))
        self.given.names, self.family.names = pools["pools"]
        for p in (self.given, self.family):  # Zipf weights over the real pools
            total, p.cum = 0.0, []
            for rank in range(1, len(p.names) + 1):
                total += 1.0 / rank ** 0.85
                p.cum.append(total)

    def person(self) -> tuple[dict[str, Any], bool]:
        rng = self.rng
        if rng.random() >= self.sightings:
            return {"given": self.given.draw().upper(), "family": self.family.draw().upper(), "birth_date": _dob(rng),
                    "sex": rng.choice("MF"), "nationality": "FR",
                    "document": {"type": "passport", "number": f"X{rng.randrange(10**8):08d}", "country": "FR"}}, False
        w = rng.choice(self.notices)
        nm = w["names"][0]
        g, f = nm["given"].upper(), nm["family"].upper()
        if rng.random() < 0.2:
            f = _typo(rng, f)
        person: dict[str, Any] = {"given": g, "family": f, "birth_date": w["birth_dates"][0], "sex": w["sex"],
                                  "nationality": "FR"}
        if w["documents"] and rng.random() < 0.5:
            person["document"] = dict(w["documents"][0])
        return person, True

    def event(self, event_id: str) -> tuple[bytes, bool]:
        """One border crossing as the JSON bytes an agency publishes; True if a listed person."""
        person, listed = self.person()
        return orjson.dumps({
            "event_id": event_id, "event_type": "border_crossing", "occurred_at": "2026-04-14T08:12:00Z",
            "country": COUNTRY, "post": f"KE-POST-{self.rng.randrange(self.posts):03d}",
            "direction": self.rng.choice(("entry", "exit")), "agency": AGENCY, "traveler": person,
        }), listed
