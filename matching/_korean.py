"""Korean names: McCune–Reischauer readings of Hangul, and a key shared by MR and RR.

South Korean documents write names in Revised Romanization (RR, ``Jeong-eun``, ``Geon-u``)
or in older personal spellings; North Korean documents and older records use
McCune–Reischauer (MR, ``Chŏng-ŭn``, ``Kŏn-u``; passports drop the breves and apostrophes:
``CHONG UN``). ICU's ``Hangul-Latin`` reads Hangul close to RR. No maintained Python library
writes MR (``korean-romanizer`` and ``hangul-romanize`` on PyPI write RR and the academic
Yale-like system only), so ``mr_reading`` follows the official MR tables (McCune and
Reischauer 1939, as tabulated by the Library of Congress ALA-LC romanization tables for
Korean): syllable by syllable, ``ㄱ ㄷ ㅂ ㅈ`` voiced (``g d b j``) after a vowel or a voiced
final inside a word and ``k t p ch`` elsewhere, ``ㅅ`` before ``i`` written ``sh``, ``ㄹ``
as ``r`` before a vowel and ``l`` at the end, ``ㅓ``/``ㅡ`` as ``o``/``u`` (breves dropped as
in passports).

Family names are spelt by custom more than by either system, and the commonest differ most:
``이`` is ``Lee``, ``Yi``, ``Rhee``, ``I`` in the South and ``Ri`` in the North (which keeps
an initial ``ㄹ`` the South drops: ``류`` ``Ryu`` and ``유`` ``Yu``, ``림`` ``Rim`` and ``임``
``Im``/``Lim``), ``박`` is ``Park``, ``Pak`` or ``Bak``. ``SURNAME_SPELLINGS`` is a kept table
of the spellings in common use of the family names whose spellings the skeleton below does not
already merge (the RR form, the North's, and the customary English ones); a word of a Korean
name found in it also gets a reading in Revised Romanization, as a name in Hangul is written,
so ``LEE``, ``YI``, ``RHEE`` and ``Ri`` all meet ``이`` and one another (``via Korean surname
spelling reading``). The name keeps its own reading beside it, so a given-name syllable spelt
like one of them (``WOO`` in ``JI WOO``) is not read as the family name.

Given names too: South Korean passports issued before Revised Romanization, and many since,
keep the customary vowels, ``ㅓ`` as ``u`` (``Hyun``, ``Sung``, ``Suk`` for RR ``Hyeon``,
``Seong``, ``Seok``), ``ㅜ`` as ``oo`` (``Joon``, ``Hoon``, ``Soo``), ``영`` as ``Young``. Every
Korean word also gets a reading with those vowels merged (``via Korean customary spelling
reading``); for Hangul it starts from ICU's RR reading. ``o`` stays ``o``, so ``Song`` (송) and
``Sung`` (성) stay apart in it.

Latin spellings of one Korean name in the two systems differ in ways our general token keys
must not merge for other languages (``eo``/``o``, ``g``/``k``, ``j``/``ch``, ``r``/``l``), so
Korean names (a KR or KP holder, or a name in Hangul) also get a form keyed by
``korean_skeleton``, in which MR and RR spellings of one syllable collide (``Jeong`` and
``Chong`` -> ``cong``).
"""

from __future__ import annotations

from functools import lru_cache

from ._nationality import holds

__all__ = ["KOREAN_COUNTRIES", "KOREAN_CUSTOMARY", "KOREAN_SURNAME", "SURNAME_SPELLINGS", "is_korean", "has_hangul", "mr_reading",
           "korean_skeleton", "korean_readings"]

KOREAN_COUNTRIES = frozenset({"KR", "KP"})

_INITIAL = ("k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch", "k", "t", "p", "h")
_VOICED = {0: "g", 3: "d", 7: "b", 12: "j"}
_VOWEL = ("a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
          "yu", "u", "ui", "i")
_FINAL = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
          "ng", "t", "t", "k", "t", "p", "t")
_VOICED_FINALS = frozenset({"n", "l", "m", "ng"})
_S_BEFORE_I = (20, 16)  # ㅣ, ㅟ: ㅅ is "sh"


def has_hangul(text: str) -> bool:
    return not text.isascii() and any("\uac00" <= ch <= "\ud7a3" for ch in text)


def is_korean(text: str, nationality: str | tuple[str, ...] | None) -> bool:
    """Whether a name is Korean: in Hangul, or held by a KR or KP national."""
    return has_hangul(text) or holds(nationality, KOREAN_COUNTRIES)


@lru_cache(maxsize=20_000)
def mr_reading(word: str) -> str:
    """McCune–Reischauer reading of one Hangul word (passport form: no breves, no
    apostrophes): ``정은`` -> ``chongun``, ``김`` -> ``kim``. Other characters are kept."""
    out: list[str] = []
    prev_final: str | None = None  # None: start of word or after a non-Hangul character
    for ch in word:
        code = ord(ch) - 0xAC00
        if not 0 <= code < 11172:
            out.append(ch)
            prev_final = None
            continue
        ini, vow, fin = code // 588, (code % 588) // 28, code % 28
        if prev_final is not None and ini in _VOICED and (prev_final == "" or prev_final in _VOICED_FINALS):
            consonant = _VOICED[ini]
        elif ini == 5:  # ㄹ: "r" before a vowel, "l" after l or n
            consonant = "l" if prev_final in ("l", "n") else "r"
        elif ini == 9 and vow in _S_BEFORE_I:
            consonant = "sh"
        else:
            consonant = _INITIAL[ini]
        final = _FINAL[fin]
        out.append(consonant + _VOWEL[vow] + final)
        prev_final = final
    return "".join(out)


SURNAME_SPELLINGS: tuple[tuple[str, ...], ...] = (
    ("i", "lee", "yi", "rhee", "ri", "li", "rhie", "yie"),      # 이/리
    ("bak", "park", "pak", "bahk", "pahk"),                      # 박
    ("choe", "choi", "chey", "choy"),                           # 최
    ("yu", "yoo", "ryu", "rhyu", "lyu", "you"),                 # 유/류
    ("im", "lim", "rim", "yim", "leem"),                         # 임/림
    ("u", "woo", "wu"),                                         # 우
    ("no", "noh", "roh", "ro"),                                 # 노/로
    ("na", "ra", "rah", "nah"),                                 # 나/라
    ("seo", "suh", "so", "sur"),                                # 서
    ("heo", "huh", "hur", "ho"),                                # 허
    ("an", "ahn"),                                              # 안
    ("son", "sohn"),                                            # 손
    ("eom", "um", "uhm", "eum"),                                # 엄
    ("yang", "ryang"),                                          # 양/량
    ("yuk", "yook", "ryuk"),                                    # 육/륙
    ("yeom", "yum", "yom", "ryeom"),                            # 염/렴
    ("yeo", "yuh", "yo", "ryeo"),                               # 여/려
    ("ju", "joo", "chu", "choo"),                               # 주
    ("gu", "koo", "ku"),                                        # 구
    ("baek", "paek", "baik", "paik"),                           # 백
)
"""Spellings of one Korean family name, its Revised Romanization first (see the module)."""
_SURNAME: dict[str, str] = {v: names[0] for names in SURNAME_SPELLINGS for v in names}

_SKELETON = (("eo", "o"), ("eu", "u"), ("sh", "s"), ("tch", "c"), ("ch", "c"), ("j", "c"), ("g", "k"),
             ("d", "t"), ("b", "p"), ("r", "l"), ("'", ""))


@lru_cache(maxsize=50_000)
def korean_skeleton(word: str) -> str:
    """A lower-case Latin Korean name word with MR and RR differences merged: ``eo``/``o``,
    ``eu``/``u``, ``j``/``ch``, ``g``/``k``, ``d``/``t``, ``b``/``p``, ``r``/``l``, ``sh``/``s``
    (``jeongeun`` and ``chongun`` -> ``congun``)."""
    w = word.lower()
    for src, dst in _SKELETON:
        w = w.replace(src, dst)
    return w


KOREAN_SURNAME = "Korean surname spelling"
KOREAN_CUSTOMARY = "Korean customary spelling"


def korean_readings(word: str, split: bool = False) -> tuple[tuple[str, str], ...]:
    """``(system, reading)`` of one written word: for Hangul its McCune–Reischauer reading and
    that reading's MR/RR skeleton; for a Latin word its skeleton; and the skeleton of its
    customary spelling (``_customary``) when that differs. A word spelt as a family
    name of ``SURNAME_SPELLINGS`` (other than its Revised Romanization) also has the skeleton of
    that name's Revised Romanization (``Rhee`` -> ``i``), as a system of its own: a given-name
    syllable spelt the same (``WOO`` in ``JI WOO``) keeps its own reading in the other form."""
    from ._text import fold_ascii, romanise

    if has_hangul(word):
        mr = mr_reading(word)
        latin = fold_ascii(mr)
        out = [("McCune–Reischauer", mr), ("Korean MR/RR", korean_skeleton(latin))]
        rr = romanise(word)[0].replace("-", "").replace(" ", "")  # ICU's RR, for the customary vowels
    else:
        latin = rr = fold_ascii(word)
        out = [("Korean MR/RR", korean_skeleton(latin))]
    surname = _SURNAME.get(latin)
    if surname is not None and surname != latin:
        out.append((KOREAN_SURNAME, korean_skeleton(surname)))
    custom = korean_skeleton(_customary(rr))
    if all(custom != r for _, r in out):
        out.append((KOREAN_CUSTOMARY, custom))
    return tuple(out)


def _customary(latin: str) -> str:
    """A Korean word's vowels as South Korean passports write them by custom: ``eo`` as ``u``
    (``Hyeon`` ``Hyun``, ``Seong`` ``Sung``), ``oo``/``ou`` as ``u`` (``Joon``, ``Young``), and
    ``wu`` (``woo`` after a syllable) as ``u``."""
    return latin.replace("eo", "u").replace("oo", "u").replace("ou", "u").replace("wu", "u")
