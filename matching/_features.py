"""Slotted, precomputed views of a notice (``Entry``) and of an event's subject (``Query``).

The matcher keeps one ``Entry`` per active notice (the pydantic model is kept as compact JSON
bytes and rebuilt only for hits), and builds one ``Query`` per event.
"""

from __future__ import annotations

import re
import sys
import zlib
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

import orjson
from mypy_extensions import mypyc_attr

import schemas

from ._abjad import abjad_readings, is_arabic, is_persian, persian_readings
from ._cantonese import cantonese_readings, is_cantonese_holder
from ._conventions import chain_roles, is_chain_name
from ._dates import PartialDate, parse_date
from ._documents import doc_key
from ._ethiopic import ethiopic_readings, has_ethiopic
from ._greek import common_spelling, is_greek_holder
from ._indic import indic_spellings, is_indic_holder
from ._japanese import PASSPORT_HEPBURN, has_japanese, is_japanese_holder, japanese_readings, passport_hepburn
from ._korean import is_korean, korean_readings
from ._names import NameForm, forms_of
from ._spellings import PARTICLES_JOINED, joined_particles, letter_systems, respell
from ._text import PARTICLES, is_indic, join_keys
from ._titles import without_title
from ._wadegiles import looks_wade_giles, to_pinyin, wade_giles_readings

__all__ = ["Entry", "Query", "DocRef", "entry_of", "query_of"]

DocRef = tuple[str, str | None, str]
"""(normalised number, issuing country or None, document type)."""


_ZDICT = (b'{"notice_id":"","notice_type":"red","status":"active","requesting_country":"",'
          b'"names":[{"given":"","family":""},{"full_name":""}],"birth_dates":["19"],"sex":"M",'
          b'"nationalities":[""],"documents":[{"type":"passport","number":"","country":""}],'
          b'"offences":["murder","genocide","war_crimes","drug_trafficking","terrorism"],"caution":null}')
"""Preset dictionary for the per-notice zlib stream: field names and common values, so a
~330-byte notice compresses to about half."""

_SHARED: dict[object, object] = {}


def _share(value: Any) -> Any:
    """One copy of equal small immutable values (nationality tuples, year ranges)."""
    return _SHARED.setdefault(value, value) if len(_SHARED) < 200_000 else value


def _pack(form: NameForm) -> str:
    """One name form as a string: keys, roles, name index, flags, originals, how it was read, and
    the keys of adjacent parts joined (``join_keys``: for the compiled core, which would otherwise
    ask Python for them on every comparison; the Python reference computes its own)."""
    return "\x1f".join((" ".join(form.keys), "".join(form.roles), str(form.name_index),
                        ("a" if form.abjad else "") + ("d" if form.derived else ""), "\x1e".join(form.originals),
                        form.via, " ".join(join_keys(form.keys))))


def _unpack(packed: str) -> NameForm:
    keys, roles, index, flags, originals, via, _joins = packed.split("\x1f")
    return NameForm(tuple(keys.split(" ")), tuple(originals.split("\x1e")), int(index),
                    tuple(roles), "a" in flags, "d" in flags, via)


@mypyc_attr(serializable=True)  # compiled (``_compiled``), it is pickled in a snapshot without calling __init__
class Entry:
    """What the matcher needs of one active notice, stored compactly (a 1M-notice list must fit
    in memory): name forms packed as one string each and unpacked when compared, the notice
    itself as zlib-compressed JSON rebuilt only for hits."""

    __slots__ = ("slot", "notice_id", "_forms", "dobs", "years", "sex", "nationalities", "_docs", "_z")

    def __init__(self, slot: int, notice: schemas.WantedPerson) -> None:
        self.slot = slot
        self.notice_id = notice.notice_id
        forms: list[NameForm] = []
        indic = is_indic_holder(tuple(notice.nationalities)) or any(
            is_indic(p) for name in notice.names for p in (name.given, name.family, name.full_name) if p)
        for i, name in enumerate(notice.names):
            forms.extend(name_forms(name.given, name.family, name.full_name, tuple(notice.nationalities), i,
                                    indic=indic))
            forms.extend(_dropped_letter_forms(name.given, name.family, name.full_name, i, forms))
        packed = tuple(_pack(f) for f in forms)
        self._forms: str | tuple[str, ...] = packed[0] if len(packed) == 1 else packed
        self.dobs: tuple[PartialDate, ...] = _share(tuple(
            d for d in (parse_date(b) for b in notice.birth_dates) if d is not None
        ))
        self.years: tuple[int, int] | None = _share(
            (min(d[0] for d in self.dobs), max(d[0] for d in self.dobs))) if self.dobs else None
        """(earliest, latest) birth year, for a quick far-apart check."""
        self.sex = notice.sex if notice.sex in ("M", "F") else None
        self.nationalities: tuple[str, ...] = _share(tuple(sys.intern(c) for c in notice.nationalities))
        self._docs = "\x1e".join(f"{doc_key(d.number)}\x1f{d.country or ''}\x1f{d.type}"
                                 for d in notice.documents if doc_key(d.number)) or None
        comp = zlib.compressobj(9, zdict=_ZDICT)
        self._z = comp.compress(orjson.dumps(notice.model_dump(mode="json", exclude_none=True))) + comp.flush()

    @property
    def forms(self) -> tuple[NameForm, ...]:
        """The notice's name forms (every name and alias, every romanisation)."""
        f = self._forms
        return (_unpack(f),) if isinstance(f, str) else tuple(_unpack(x) for x in f)

    @property
    def packed_forms(self) -> str | tuple[str, ...]:
        """The name forms as packed (one string, or a tuple of them), for the compiled core."""
        return self._forms

    def form(self, i: int) -> NameForm:
        """The ``i``-th name form (``forms[i]``), unpacked alone."""
        f = self._forms
        return _unpack(f if isinstance(f, str) else f[i])

    @property
    def docs(self) -> tuple[DocRef, ...]:
        """(normalised number, issuing country or None, type) per document of the notice."""
        if self._docs is None:
            return ()
        out = []
        for d in self._docs.split("\x1e"):
            number, country, dtype = d.split("\x1f")
            out.append((number, country or None, dtype))
        return tuple(out)

    def may_hold(self, number: str) -> bool:
        """Whether a document number may be among the notice's (a substring test: false
        positives only cost the full check)."""
        return self._docs is not None and number in self._docs

    @property
    def raw(self) -> bytes:
        """The notice as JSON."""
        d = zlib.decompressobj(zdict=_ZDICT)
        return d.decompress(self._z) + d.flush()

    def notice(self) -> schemas.WantedPerson:
        return schemas.WantedPerson.model_validate_json(self.raw)


def name_forms(given: str | None, family: str | None, full: str | None,
               nationality: str | tuple[str, ...] | None, name_index: int = 0,
               indic: bool | None = None) -> list[NameForm]:
    """The name's forms, plus a pinyin reading when it looks Wade–Giles (``_wadegiles``), a
    form without word-final inherent vowels for a South Asian name (``_indic``; ``indic``
    defaults to whether the nationality is one of ``INDIC_COUNTRIES``), and a Greek or
    Cypriot holder's name in the spelling ELOT 743 and BGN/PCGN are both read into (``_greek``)."""
    parts = _parts(given, family, full)
    forms = forms_of(parts, name_index)
    mononym = given and family and " " not in given.strip() and given.strip().casefold() == family.strip().casefold()
    if forms and mononym:  # a mononym printed in both fields (``SUTRISNO SUTRISNO``): also the name alone
        forms.extend(_variant_forms([(family, "f")], [(family, "f")], name_index, forms))
    untitled = without_title(parts, nationality) if forms else None
    if untitled is not None:  # ``SYED IMRAN HAIDER``: also the name without its title (``_titles``)
        forms.extend(f for f in forms_of(untitled, name_index) if all(f.keys != x.keys for x in forms))
    if forms and forms[0].abjad:
        table = _reading_forms(parts, name_index, [], abjad_readings, False, abjad=True)
        # Arabic: the table's reading replaces ICU's (a second form per name cost ~25% more
        # screening CPU on evalgen's list, for one true pair), except where ICU's has the
        # ``hs`` the table keeps apart and Latin spellings sometimes share (``Mohsen`` ~
        # ``محسن``). Hebrew keeps ICU's beside it (``ץ`` read ``z``: ``Perez``; ``ו`` as ``v``).
        if table and any(is_arabic(p) for p, _ in parts if p):
            forms = table + [f for f in forms if any("x" in k for k in f.keys)]
            if is_persian(" ".join(p for p, _ in parts if p), nationality):
                forms.extend(_reading_forms(parts, name_index, forms, persian_readings, False, abjad=True))
        else:
            forms.extend(f for f in table if all(f.keys != x.keys for x in forms))
    if forms and forms[0].roles[0] != "?" and is_chain_name(
            [w for p, _ in parts if p for w in p.replace("-", " ").split()], nationality):
        forms = [NameForm(f.keys, f.originals, f.name_index,
                          chain_roles(f.roles, tuple(k in PARTICLES for k in f.keys), f.keys), f.abjad, f.derived,
                          f.via)
                 for f in forms]
    text = " ".join(p for p, _ in parts if p)
    if full and not (given or family) and _HAN_RUN.match(full.strip()):
        # a Chinese full name written without a space: surname first (a Japanese one is
        # split by its reading below)
        han = full.strip()
        forms.extend(f for f in forms_of([(han[1:], "g"), (han[0], "f")], name_index)
                     if all(f.keys != x.keys for x in forms))
    if forms and not text.isascii():
        if has_japanese(text, nationality):
            forms.extend(_reading_forms(parts, name_index, forms, japanese_readings, _HAN.search(text) is not None))
        if _HAN.search(text) and not is_japanese_holder(nationality):
            forms.extend(_reading_forms(parts, name_index, forms, wade_giles_readings, False))
        if _HAN.search(text) and is_cantonese_holder(nationality):
            forms.extend(_reading_forms(parts, name_index, forms, cantonese_readings, False))
    if forms and has_ethiopic(text):
        forms.extend(_reading_forms(parts, name_index, forms, ethiopic_readings, False))
    if forms and is_korean(text, nationality):
        forms.extend(_reading_forms(parts, name_index, forms, korean_readings, True))
    if forms and (is_indic_holder(nationality) if indic is None else indic):
        for v in range(2):
            forms.extend(_respelt_forms(parts, partial(_indic_spelling, v=v), name_index, forms))
    if forms:  # ``Đ`` as DJ, ``Ə`` as A, Somali ``C`` and ``X`` (``_spellings``)
        for system in letter_systems(text, nationality):
            forms.extend(_respelt_forms(parts, partial(respell, system=system), name_index, forms, via=system))
    if forms and text.count(" ") + text.count("-") >= 2:  # ``de la Cruz`` as ``delacruz`` (``_spellings``)
        forms.extend(_respelt_forms(parts, joined_particles, name_index, forms, via=PARTICLES_JOINED))
    if forms and is_japanese_holder(nationality):  # long vowels unmarked: ``Satou`` ~ ``SATOH`` (``_japanese``)
        forms.extend(_respelt_forms(parts, passport_hepburn, name_index, forms, via=PASSPORT_HEPBURN))
    if forms and is_greek_holder(nationality):  # ELOT 743 and BGN/PCGN spellings (``_greek``)
        forms.extend(_respelt_forms(parts, common_spelling, name_index, forms, via="ELOT/BGN Greek"))
    if forms and looks_wade_giles(text, nationality):
        converted = [(" ".join(to_pinyin(w) for w in p.split()) if role == "?" else to_pinyin(p), role)
                     if p else (p, role) for p, role in parts]
        forms.extend(_variant_forms(converted, parts, name_index, forms))
    return forms


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

_NO_ASCII = "əƏıßøØłŁđĐæÆœŒþÞðÐ"
"""Latin letters with no ASCII decomposition: a passport printer that cannot map one may
leave it out (``Azər`` printed ``AZR``)."""
_DROP = str.maketrans("", "", _NO_ASCII)


def _dropped_letter_forms(given: str | None, family: str | None, full: str | None, name_index: int,
                          have: list[NameForm]) -> list[NameForm]:
    """Forms of a Latin name with its non-ASCII-mappable letters left out (see ``_NO_ASCII``)."""
    parts = _parts(given, family, full)
    if not any(p and any(ch in _NO_ASCII for ch in p) for p, _ in parts):
        return []
    dropped = [(p.translate(_DROP) if p else p, role) for p, role in parts]
    return [f for f in _variant_forms(dropped, parts, name_index, have) if all(len(k) >= 2 for k in f.keys)]


def _indic_spelling(text: str, v: int) -> str:
    """The ``v``-th of ``indic_spellings(text)`` (its last when there are fewer; ``text`` when none)."""
    spellings = indic_spellings(text)
    return spellings[min(v, len(spellings) - 1)] if spellings else text


def _respelt_forms(parts: Sequence[tuple[str | None, str]], respelt: Callable[[str], str], name_index: int,
                   have: list[NameForm], via: str = "") -> list[NameForm]:
    """``_variant_forms`` of the name with each part respelt by ``respelt`` (none when no part
    changes)."""
    converted = [(respelt(p) if p else p, role) for p, role in parts]
    return _variant_forms(converted, parts, name_index, have, via) if converted != parts else []


def _variant_forms(converted: Sequence[tuple[str | None, str]], parts: Sequence[tuple[str | None, str]],
                   name_index: int, have: list[NameForm], via: str = "") -> list[NameForm]:
    """Forms of a respelt name (``converted``) not already among ``have``, marked derived and
    showing the original words (and ``via``, the spelling read into, in the reason)."""
    seen = {f.keys for f in have}
    shown = {role: p for p, role in parts if p}
    out = []
    for f in forms_of(converted, name_index):
        if f.keys not in seen:
            originals = tuple(shown.get(r, o) if r != "?" else o for r, o in zip(f.roles, f.originals, strict=False))
            out.append(NameForm(f.keys, originals, name_index, f.roles, f.abjad, derived=True, via=via))
    return out


def _reading_forms(parts: Sequence[tuple[str | None, str]], name_index: int, have: list[NameForm],
                   readings: Callable[[str, bool], tuple[tuple[str, str], ...]], guess: bool,
                   abjad: bool = False) -> list[NameForm]:
    """Forms of a native-script name read in each romanisation system ``readings`` gives per
    word (a word without a reading in a system keeps its first one), each form marked with
    its system (``via``) and, when the reading is a guess (kanji), derived; ``abjad`` when the
    reading's vowels are guesses (an Arabic or Hebrew letter table: compare skeletons)."""
    per_word: dict[str, dict[str, str]] = {}
    systems: list[str] = []
    for p, role in parts:
        ws = (p or "").split()
        for w in ws:
            rs = readings(w, role == "?" and len(ws) == 1)
            if rs:
                per_word[w] = dict(rs)
                systems.extend(s for s, _ in rs if s not in systems)
    seen = {f.keys for f in have}
    out: list[NameForm] = []
    for system in systems:
        def read(w: str, system: str = system) -> str:
            r = per_word.get(w)
            return w if r is None else r.get(system, next(iter(r.values())))
        respelt = [(" ".join(read(w) for w in p.split()) if p else p, role) for p, role in parts]
        written = [(piece, w) for p, _ in parts for w in (p or "").split()
                   for piece in read(w).replace("-", " ").split()]
        for f in forms_of(respelt, name_index):
            if f.keys not in seen:
                seen.add(f.keys)
                out.append(NameForm(f.keys, _shown(parts, f, written), name_index, f.roles, abjad, guess, system))
    return out


def _shown(parts: Sequence[tuple[str | None, str]], form: NameForm,
           written: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The written (native-script) word each token of a form was read from, so a reason shows
    ``TARIK~طارق``, not the whole field ``TARIK~طارق بن خالد``. ``written``: each word of the
    reading, in order, with the word it reads (``forms_of`` keeps that order; a word read into
    several keys repeats its original). Without a match, the token's whole written part."""
    whole = {role: p for p, role in parts if p}
    out: list[str] = []
    j = 0
    prev = native = ""
    for r, o in zip(form.roles, form.originals, strict=False):
        if o != prev or not native:
            native = ""
            for k in range(j, len(written)):
                if written[k][0] == o:
                    native, j = written[k][1], k + 1
                    break
        prev = o
        out.append(native or (whole.get(r, o) if r != "?" else o))
    return tuple(out)


_HANGUL_RUN = re.compile(r"^[\uac00-\ud7a3]{2,4}$")
_HAN_RUN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]{2,4}$")


PLACEHOLDERS = frozenset({"FNU", "LNU", "NFN", "NLN", "XXX", "UNKNOWN", "UNK", "-", "--", "."})
"""What a document or a form prints for a name field the person does not have (a mononym:
US and other visas write ``FNU``, "first name unknown"; some passports ``XXX`` or a dash).
Such a field counts as empty, so ``FNU SUTRISNO`` is the mononym ``Sutrisno``."""


def _field(value: str | None) -> str | None:
    return None if value is None or value.strip().upper() in PLACEHOLDERS else value


def _parts(given: str | None, family: str | None, full: str | None) -> list[tuple[str | None, str]]:
    given, family = _field(given), _field(family)
    if given or family:
        return [(given, "g"), (family, "f")]
    if full and _HANGUL_RUN.match(full.strip()):
        # a Korean full name written without a space: the surname is the first syllable
        full = full.strip()
        return [(full[1:], "g"), (full[0], "f")]
    return [(full, "?")]


def entry_of(slot: int, notice: schemas.WantedPerson) -> Entry:
    return Entry(slot, notice)


class Query:
    """What the matcher needs of one event."""

    __slots__ = ("forms", "dob", "sex", "nationality", "doc", "text", "ages", "is_tip")

    def __init__(self) -> None:
        self.forms: tuple[NameForm, ...] = ()
        self.dob: PartialDate | None = None
        self.sex: str | None = None
        self.nationality: str | None = None
        self.doc: DocRef | None = None
        self.text: str = ""
        self.ages: tuple[int, int] | None = None
        self.is_tip = False


_AGE = re.compile(r"(?<![\d/.:,-])(\d{2})(?!\d)(?![.:/,-]\d)")
_DECADE = re.compile(r"(?<![\d/.:-])(\d)0\s*(?:s\b|'s\b|-?ies\b|er\b|-?х\b)")


def _age_range(text: str, at: datetime) -> tuple[int, int] | None:
    """Birth-year range implied by an age in free text ("about 30", "(45)", "in their 60s")."""
    m = _DECADE.search(text)
    if m:
        lo = int(m.group(1)) * 10
        return (at.year - lo - 10, at.year - lo)
    ages = [int(a) for a in _AGE.findall(text) if 16 <= int(a) <= 95]
    if len(ages) != 1:
        return None
    return (at.year - ages[0] - 3, at.year - ages[0] + 2)


def query_of(event: schemas.BorderCrossing | schemas.VisaApplication | schemas.Tip) -> Query:
    """Build the ``Query`` of an event (its subject's name forms, facts, and a tip's text)."""
    person = schemas.event_subject(event)
    q = Query()
    q.forms = tuple(name_forms(person.given, person.family, person.full_name, person.nationality))
    q.dob = parse_date(person.birth_date)
    q.sex = person.sex if person.sex in ("M", "F") else None
    q.nationality = person.nationality
    if person.document is not None:
        key = doc_key(person.document.number)
        if key:
            q.doc = (key, person.document.country, person.document.type)
    if isinstance(event, schemas.Tip):
        q.is_tip = True
        q.text = event.text or ""
        if q.text:
            q.ages = _age_range(q.text, event.occurred_at)
    return q
