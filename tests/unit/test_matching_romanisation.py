"""Romanisation systems from libraries (Japanese via pykakasi; pinyin and Wade–Giles via
pypinyin) and from the official tables (Korean McCune–Reischauer; Greek ELOT 743 against
BGN/PCGN). All persons are invented."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching._greek import common_spelling
from matching._japanese import japanese_readings
from matching._korean import korean_skeleton, mr_reading
from matching._text import token_key
from tests.unit.test_matching import best, person, screen, tip, traveller


def test_japanese_readings_in_each_system() -> None:
    systems = dict(japanese_readings("翔太"))
    assert systems["Hepburn"] == "shouta"
    assert systems["passport Hepburn"] == "shota"
    assert systems["Kunrei-shiki"] == "syouta"
    assert dict(japanese_readings("ちづる"))["Nihon-shiki"] == "tiduru"
    assert dict(japanese_readings("大野"))["passport Hepburn (oh)"] == "ohno"


@pytest.mark.parametrize(("given", "family", "system"), [
    pytest.param("SHOTA", "SATO", "passport Hepburn", id="passport-no-long-vowel"),
    pytest.param("SHOTA", "SATOH", "passport Hepburn", id="passport-oh"),
    pytest.param("SYOUTA", "SATOU", "Kunrei-shiki", id="kunrei"),
    pytest.param("SHOUTA", "SATOU", "Hepburn", id="hepburn"),
])
def test_kanji_only_notice_is_found_from_a_latin_passport(given: str, family: str, system: str) -> None:
    n = person("佐藤", "翔太", dob="1990-04-02", nationalities=["JP"])
    h = best(screen(n, event=traveller(given, family, dob="1990-04-02", nationality="JP")), n)
    assert h is not None and h.band == "alert", h
    assert f"via {system} reading" in h.reasons[0]


def test_nihon_shiki_spelling_of_a_kana_name() -> None:
    n = person("水沢", "ちづる", dob="1987-11-30", nationalities=["JP"])
    h = best(screen(n, event=traveller("TIDURU", "MIZUSAWA", dob="1987-11-30", nationality="JP")), n)
    assert h is not None and h.band == "alert" and "Nihon-shiki" in h.reasons[0]


def test_native_script_tip_reaches_a_latin_only_notice() -> None:
    n = person("Mizusawa", "Chizuru", dob="1987-11-30", nationalities=["JP"])
    h = best(screen(n, event=tip("", full_name="水沢ちづる", dob="1987")), n)
    assert h is not None and h.score >= 0.80, h


def test_chinese_notice_gets_no_japanese_reading() -> None:
    """A CN holder's kanji are read as Chinese only: no Japanese reading to collide with."""
    n = person("佐藤", "翔太", dob="1990-04-02", nationalities=["CN"])
    assert best(screen(n, event=traveller("SHOTA", "SATO", dob="1990-04-02", nationality="CN")), n) is None


@pytest.mark.parametrize(("hangul", "mr"), [
    ("정은", "chongun"), ("건우", "konu"), ("김", "kim"), ("한별", "hanbyol"), ("신", "shin"),
    ("설주", "solju"), ("최", "choe"), ("리", "ri"),
])
def test_mccune_reischauer_from_the_official_tables(hangul: str, mr: str) -> None:
    assert mr_reading(hangul) == mr


def test_mr_and_rr_spellings_share_a_skeleton() -> None:
    assert korean_skeleton("jeongeun") == korean_skeleton("chongun")
    assert korean_skeleton("geonu") == korean_skeleton("konu")
    assert korean_skeleton("jeongeun") != korean_skeleton("kimun")


def test_north_korean_mr_passport_finds_a_notice_in_revised_romanization() -> None:
    n = person("Jeong", "Geon-u", dob="1990-04-02", nationalities=["KR"])
    h = best(screen(n, event=traveller("KON U", "CHONG", dob="1990-04-02", nationality="KP")), n)
    assert h is not None and h.band == "alert" and "Korean MR/RR" in h.reasons[0]


def test_hangul_only_notice_is_found_from_an_mr_passport() -> None:
    n = person("정", "건우", dob="1990-04-02")
    h = best(screen(n, event=traveller("KONU", "CHONG", dob="1990-04-02", nationality="KP")), n)
    assert h is not None and h.band == "alert" and "McCune–Reischauer" in h.reasons[0]


@pytest.mark.parametrize(("wg", "pinyin"), [
    ("Hsin-Yu", "xinyu"), ("CHIAHAO", "jiahao"), ("HSIAOMING", "xiaoming"), ("Tzu-hsuan", "zixuan"),
    ("Ch'iung", "qiong"), ("KUO", "guo"), ("Jui", "rui"),
])
def test_wade_giles_to_pinyin_from_pypinyin_table(wg: str, pinyin: str) -> None:
    from matching._wadegiles import to_pinyin

    assert to_pinyin(wg) == pinyin


def test_han_only_notice_found_from_a_wade_giles_passport() -> None:
    """A mainland passport printed in Wade–Giles (no hyphen, no apostrophe): the notice's Han
    name is read in Wade–Giles by pypinyin."""
    n = person("周", "嘉豪", dob="1998-12-11", nationalities=["CN"])
    h = best(screen(n, event=traveller("CHIAHAO", "CHOU", dob="1998-12-11", nationality="CN")), n)
    assert h is not None and h.band == "alert", h


def test_arabic_only_nasab_notice_found_from_given_and_father() -> None:
    n = person("السبيعي", "طارق بن خالد بن بلال", dob="1971-11-17", nationalities=["SA"])
    h = best(screen(n, event=traveller("TARIQ", "KHALID", dob="1971-11-17", nationality="SA")), n)
    assert h is not None and h.band == "alert", h


def test_reason_shows_the_written_word_each_part_was_read_from() -> None:
    """A nasab written in Arabic script in one given-name field: the reason pairs each event
    part with the word it matched (``NABIL~نبيل``), not with the whole field."""
    n = person("الزويري", "نبيل بن رائد بن حمد", dob="1968-02-11", nationalities=["SA"])
    h = best(screen(n, event=traveller("NABIL", "RAED", dob="1968-02-11", nationality="SA")), n)
    assert h is not None
    assert "NABIL~نبيل" in h.reasons[0] and "RAED~رائد" in h.reasons[0], h.reasons
    assert "بن" not in h.reasons[0]


def test_hebrew_only_notice_found_when_vav_is_a_vowel() -> None:
    n = person("ביטון", "נועם", dob="1987-03-20", nationalities=["IL"])
    h = best(screen(n, event=traveller("NOAM", "BITON", dob="1987-03-20", nationality="IL")), n)
    assert h is not None and h.band == "alert", h


def test_latin_name_finds_an_arabic_script_notice_whose_long_vowels_are_letters() -> None:
    """``منصور`` is read ``mnsvr`` (its waw a letter) and ``سعيد`` ``sid``: the Latin
    ``MANSOUR`` (mnsr) and ``SAID`` (sd) must still select the notice as a candidate."""
    n = person("الزرقاني", "منصور بن سعيد", dob="1979-04-15", nationalities=["SA"])
    h = best(screen(n, event=traveller("MANSOUR", "SAID", dob="1979-04-15", nationality="SA")), n)
    assert h is not None
    assert any("MANSOUR" in r and "SAID" in r for r in h.reasons)


def test_joined_parts_do_not_read_a_digraph_across_the_seam() -> None:
    """``رشيد حداد``: written together the keys ``...d`` + ``hd...`` read a ``dh`` at the seam,
    and that join (skeleton collapsed to the given name's) took both parts for ``RASHID``
    alone. A join's skeleton is now its parts' skeletons written together."""
    n = person("حداد", "رشيد", dob="1979-06-02", nationalities=["JO"])
    h = best(screen(n, event=traveller("RASHID", "HADAD", dob="1979-06-02", nationality="JO")), n)
    assert h is not None and h.band == "alert"
    assert "RASHID~رشيد" in h.reasons[0] and "HADAD~حداد" in h.reasons[0]


def test_abjad_letter_table_readings() -> None:
    from matching._abjad import abjad_readings, arabic_reading, hebrew_reading

    assert arabic_reading("عمر") == "amr"  # the ayin written as a vowel: Omar/Umar/Omer
    assert arabic_reading("فاطمة") == "fatma"  # ta marbuta
    assert arabic_reading("حسن") == "hasn"  # not the digraph "hs"
    assert arabic_reading("الزهراني") == "al zahrani"  # article split, no "zh"; a final ya is the vowel
    assert arabic_reading("مروان") == "mrwan"  # waw before alif is a consonant
    assert hebrew_reading("דהן") == "dahn"
    assert hebrew_reading("יעקב", j_for_yod=True) == "jakb"
    assert dict(abjad_readings("יעקב")).keys() == {"Hebrew letter table", "Hebrew letter table, J for yod"}
    assert abjad_readings("Omar") == ()


@pytest.mark.parametrize(("given", "family"), [
    pytest.param("OMER FAISAL", "EL-MARZOUQI", id="omer"),
    pytest.param("UMAR FAISAL", "ALMARZOUQI", id="umar"),
    pytest.param("OMAR FAYSAL", "AL MARZUQI", id="omar"),
])
def test_arabic_only_notice_found_through_ayin_and_article_variants(given: str, family: str) -> None:
    n = person("المرزوقي", "عمر فيصل", dob="1988-02-14", nationalities=["AE"])
    h = best(screen(n, event=traveller(given, family, dob="1988-02-14", nationality="AE")), n)
    assert h is not None and h.band == "alert", h
    assert "via Arabic letter table reading" in h.reasons[0]


def test_arabic_only_notice_hassan_is_not_read_as_a_digraph() -> None:
    n = person("الزهراني", "حسن", dob="1975-09-30", nationalities=["SA"])
    h = best(screen(n, event=traveller("HASSAN", "ALZAHRANI", dob="1975-09-30", nationality="SA")), n)
    assert h is not None and h.band == "alert", h


@pytest.mark.parametrize(("given", "family", "system"), [
    pytest.param("JACOB", "DAHAN", "Hebrew letter table, J for yod", id="english-j"),
    pytest.param("YAAKOV", "DAHAN", "Hebrew letter table", id="israeli-y"),
])
def test_hebrew_only_notice_found_from_a_latin_passport(given: str, family: str, system: str) -> None:
    n = person("דהן", "יעקב", dob="1969-07-08", nationalities=["IL"])
    h = best(screen(n, event=traveller(given, family, dob="1969-07-08", nationality="IL")), n)
    assert h is not None and h.band == "alert", h
    assert f"via {system} reading" in h.reasons[0]


def test_arabic_only_notice_final_h_and_qaf_ha() -> None:
    """``صالح``: a final h after a consonant is read with a vowel before it (``Salih``, whose
    key drops the final h); ``القحطاني``: qaf + ha are not read as the digraph ``kh``."""
    from matching._abjad import arabic_reading

    assert arabic_reading("صالح") == "salah"
    assert arabic_reading("القحطاني") == "al qahtani"
    n = person("القحطاني", "صالح بن منصور", dob="1993-05-21", nationalities=["QA"])
    h = best(screen(n, event=traveller("SALIH", "ALQAHTANI", dob="1993-05-21", nationality="QA")), n)
    assert h is not None and h.band == "alert", h


def test_kanji_given_name_read_in_another_dictionary_reading() -> None:
    """``亮`` is read Akira first; Ryou/Ryo is another reading pykakasi's dictionary lists."""
    systems = dict(japanese_readings("亮"))
    assert systems["Hepburn"] == "akira"
    assert systems["passport Hepburn of りょう"] == "ryo"
    n = person("森下", "亮", dob="1984-10-03", nationalities=["JP"])
    h = best(screen(n, event=traveller("RYO", "MORISHITA", dob="1984-10-03", nationality="JP")), n)
    assert h is not None and h.band == "alert", h
    assert "via passport Hepburn of りょう reading" in h.reasons[0]


def test_arabic_only_notice_with_a_real_hs_still_found_through_icu() -> None:
    """The table keeps ``ح`` + ``س`` apart (Hassan); ``Mohsen`` writes them together, and
    ICU's reading, kept for such names, meets it."""
    n = person("الدباغ", "محسن", dob="1966-12-01", nationalities=["IQ"])
    h = best(screen(n, event=traveller("MOHSEN", "ALDABBAGH", dob="1966-12-01", nationality="IQ")), n)
    assert h is not None and h.band == "alert", h


def test_tip_in_arabic_script_finds_an_arabic_only_notice() -> None:
    n = person("الصباغي", "فاطمة", dob="1990-02-11", sex="F", nationalities=["MA"])
    h = best(screen(n, event=tip("رأيت فاطمة الصباغي في المحطة", dob="1990-02-11")), n)
    assert h is not None, h


def test_a_soft_c_is_not_a_k_celik_is_not_kilic() -> None:
    """ICAO prints Turkish Ç as C: ``ÇELIK`` is ``CELIK``, a soft c, never a k. Read as k, it had
    ``KILIC``'s skeleton, and another man of the same given name and year alerted (0.885)."""
    n = person("Çelik", "Orhun", dob="1975", nationalities=["TR"])
    other = best(screen(n, event=traveller("ORHUN", "KILIC", dob="1975-05-05", nationality="TR")), n)
    assert other is None or other.band == "review", other
    same = best(screen(n, event=traveller("ORHUN", "CELIK", dob="1975-05-05", nationality="TR")), n)
    assert same is not None and same.band == "alert", same


def test_a_soft_c_spelt_with_an_s_is_the_same_sound() -> None:
    """Spanish c before e or i is an s: ``VISENTE GARSIA`` is ``Vicente García`` (it was review, 0.78)."""
    n = person("García", "Vicente", dob="1968-02-11", nationalities=["ES"])
    h = best(screen(n, event=traveller("VISENTE", "GARSIA", dob="1968", nationality="ES")), n)
    assert h is not None and h.band == "alert", h
    assert h.reasons[0].startswith("name 0.90"), h.reasons


# --- Greek: ELOT 743 passports and BGN/PCGN spellings (matching/_greek.py) ---------------------

GREEK_SPELLINGS = [  # (ELOT 743 as a Greek or Cypriot passport prints it, BGN/PCGN or by ear)
    pytest.param("LAMPROS ZACHOS", "Lambros Zakhos", id="mp-mb-ch-kh"),
    pytest.param("ACHILLEAS GEORGIADIS", "Akhilleas Yeoryiadhis", id="gamma-y-delta-dh"),
    pytest.param("PANAGIOTIS KOUTSOGIANNIS", "Panayiotis Koutsoyiannis", id="gamma-before-i"),
    pytest.param("CHARALAMPOS PANTELIDIS", "Kharalambos Pandelidhis", id="nt-nd"),
    pytest.param("EVAGGELIA ZAFEIROPOULOU", "Evangelia Zafiropoulou", id="gg-ng-ei-i"),
    pytest.param("MPAMPIS NTOKOS", "Bambis Dokos", id="initial-mp-nt"),
    pytest.param("EFTHYMIOS AVGERINOS", "Evthimios Avyerinos", id="ef-ev"),
    pytest.param("STAVROS GKIKAS", "Stavros Gikas", id="initial-gk"),
    pytest.param("DAMIANOS ZAFEIROPOULOS", "Damianos Zafeiropoylos", id="ou-letter-by-letter"),
]


@pytest.mark.parametrize(("elot", "bgn"), GREEK_SPELLINGS)
def test_elot_and_bgn_spellings_of_a_greek_name_share_their_keys(elot: str, bgn: str) -> None:
    def keys(text: str) -> list[str]:
        return [token_key(w) for w in common_spelling(text).split()]

    assert keys(elot) == keys(bgn)


@pytest.mark.parametrize(("elot", "bgn"), GREEK_SPELLINGS[:4])
def test_a_notice_spelt_by_bgn_is_found_from_an_elot_passport(elot: str, bgn: str) -> None:
    n_given, n_family = bgn.split()  # not ``given``: hypothesis's decorator of that name is imported here
    n = person(n_family, n_given, dob="1974", nationalities=["CY"])
    e_given, e_family = elot.split()
    h = best(screen(n, event=traveller(e_given, e_family, dob="1974-05-21", nationality="CY")), n)
    assert h is not None and h.band == "alert", h
    assert h.reasons[0].startswith("name 1.00 via ELOT/BGN Greek reading")


def test_an_elot_notice_is_found_from_a_bgn_spelling() -> None:
    n = person("ZACHOS", "LAMPROS", dob="1969", nationalities=["GR"])
    h = best(screen(n, event=traveller("LAMBROS", "ZAKHOS", dob="1969-02-11", nationality="GR")), n)
    assert h is not None and h.band == "alert", h


def test_the_greek_spellings_are_read_only_for_greek_and_cypriot_holders() -> None:
    """``Zakhos`` on a British notice is not respelt: there a ``ch`` may be an English one."""
    n = person("Zakhos", "Lambros", dob="1969", nationalities=["GB"])
    h = best(screen(n, event=traveller("LAMPROS", "ZACHOS", dob="1969-02-11", nationality="GB")), n)
    assert h is None or h.band == "review", h


def test_the_greek_spelling_leaves_th_ph_and_kh_whole() -> None:
    """``nt``, ``mp`` and ``gk`` before an ``h`` are ``ν θ``, ``μ φ``, ``γ χ``, not ``ντ``, ``μπ``, ``γκ``."""
    assert common_spelling("ANTHI NYMPHI") == "anthi nymphi"


@settings(max_examples=300)
@given(st.text(alphabet="abcdefghiklmnoprstuvxyz ", min_size=1, max_size=24))
def test_the_greek_spelling_read_twice_is_the_same(text: str) -> None:
    once = common_spelling(text)
    assert common_spelling(once) == once
