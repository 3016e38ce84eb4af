"""Locale formats (issue 16, systemic 2, 6 and 8): numbers in facts through babel, source
kinds and dates in the reader's language, addresses never glued to the next word, and the
Telegram profile within its limits; each `safebot content check` check fails on a broken
catalog or fact."""

import dataclasses
import shutil

import pytest

from bot import limits
from bot.engine.check import check_fact_numbers, check_glued_links, check_profile_lengths
from bot.engine.numbers import misformatted_numbers
from bot.engine.links import glued
from bot.engine.model import Bundle
from bot.engine.testing import ChatClient
from bot.i18n import translator
from conftest import ROOT


def screen(engine, lang, origin, destination, screen_id):
    chat = ChatClient(engine, user_id=f"tg:format-{lang}-{screen_id}", lang_hint=lang)
    chat.send("/start")
    chat.press_data("c:role:self")
    chat.press_data(f"c:origin:{origin}")
    chat.press_data(f"c:destination:{destination}")
    chat.press_data(f"g:{screen_id}")
    assert chat.screen == screen_id
    return chat.read_all()


@pytest.mark.parametrize("lang, origin, destination", [("vi", "VN", "TH"), ("id", "ID", "MY")])
def test_big_numbers_in_facts_use_the_locales_separators(engine, lang, origin, destination):
    # "120,000" would read as 120 point 000 people in Vietnamese and Indonesian
    text = screen(engine, lang, origin, destination, "scam_how")
    assert "120.000" in text and "100.000" in text
    assert "120,000" not in text and "100,000" not in text


def test_big_numbers_follow_each_locale(engine):
    assert "1,19,768" in screen(engine, "hi", "NP", "KR", "pathways_route")  # Indian grouping
    assert "119,768" in screen(engine, "en", "NP", "KR", "pathways_route")


@pytest.mark.parametrize("lang, origin, label, english", [
    ("id", "ID", "Jabar News (berita)", "from the Cianjur"),
    ("vi", "VN", "Vietnam.vn (tin tức)", "DOLAB warning")])
def test_source_kind_is_translated(engine, lang, origin, label, english):
    text = screen(engine, lang, origin, "MY", "pathways_agency_check")
    assert label in text
    assert english not in text  # the editors' note on where the text came from stays in English only


def test_english_keeps_the_whole_source_name(engine):
    assert "Jabar News (news, from the Cianjur labour office)" in screen(engine, "en", "ID", "MY", "pathways_agency_check")


def test_dates_readers_understand():
    assert translator("my").date("2023-10") == "2023 အောက်တိုဘာ"  # not "အောက်" (also "below")
    assert translator("si").date("2023-10-11") == "2023-10-11"  # not the traditional "වප්"
    assert translator("th").date("2023-10") == "ตุลาคม ค.ศ. 2023"  # the era is said: not พ.ศ.
    assert translator("bn").date("2016-08") == "আগস্ট 2016"  # not "আগ"
    assert translator("en").date("2023-10") == "October 2023"


def test_glued_addresses_are_found():
    assert glued("ពិនិត្យ jtksm.mohr.gov.my។") == ["jtksm.mohr.gov.my។"]
    assert glued("ইমেইল jtksm@mohr.gov.my-এ করুন")
    assert glued("网站是 feb.gov.np。看清楚")
    for fine in ("See feb.gov.np.", "(musaned.com.sa)-এর", "dmw.gov.ph, or call", "jtksm.mohr.gov.my ។",
                 "e.g. a licence", "HK$5.100 a month"):
        assert not glued(fine), fine


@pytest.fixture
def locales_copy(tmp_path):
    copy = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", copy, ignore=shutil.ignore_patterns("*.mo"))
    return copy


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_real_catalogs_pass_the_new_checks():
    assert check_glued_links() == []
    assert check_profile_lengths() == []


def test_a_glued_address_in_a_catalog_fails_the_check(locales_copy):
    edit(locales_copy / "km" / "LC_MESSAGES" / "bot.po", "feb.gov.np ។", "feb.gov.np។")
    problems = check_glued_links(locales_copy)
    assert len(problems) == 1 and "locales/km/" in problems[0].where and "feb.gov.np។" in problems[0].message


def test_a_long_short_description_fails_the_check(locales_copy):
    edit(locales_copy / "th" / "LC_MESSAGES" / "bot.po", "มีคนช่วยได้\"", "มีเจ้าหน้าที่ช่วยเมื่อจำเป็นเมื่อไรก็ได้ทุกวัน\"")
    problems = check_profile_lengths(locales_copy)
    assert [p.where for p in problems] == ["locales/th/LC_MESSAGES/bot.po"]
    assert "short description" in problems[0].message and f"at most {limits.SHORT_DESCRIPTION_TARGET}" in problems[0].message


def test_a_number_written_into_a_fact_fails_the_check(bundle):
    fact = bundle.facts["np_eps_numbers"]
    raw = dataclasses.replace(fact, text=fact.text.replace("{workers}", "119,768"), numbers={})
    problems = check_fact_numbers(Bundle(screens={}, facts={raw.id: raw}, origins=[], destinations=[], deep_links={}))
    failing = {p.message.split(" in ")[1].split(",")[0] for p in problems}
    assert failing == {"vi", "id", "lo", "ne", "bn", "hi"}  # English grouping is right in the others
    assert check_fact_numbers(Bundle(screens={}, facts={fact.id: fact}, origins=[], destinations=[], deep_links={})) == []


def test_years_and_phone_like_numbers_are_not_counts():
    vi = translator("vi")
    assert misformatted_numbers("Từ năm 2008 đến 2025, 119.768 người", vi) == []
    assert misformatted_numbers("ít nhất 120,000 người", vi) == [("120,000", "120.000")]
    assert misformatted_numbers("119768 người", vi) == [("119768", "119.768")]


def test_a_number_must_be_a_plain_number():
    from bot.engine.numbers import parse_numbers
    problems = []
    assert parse_numbers({"workers": 119768, "people": "120,000"}, "here", problems) == {"workers": 119768}
    assert len(problems) == 1 and "people" in problems[0].message


def test_a_currency_code_after_the_amount_is_not_glued_to_it():
    assert translator("bn").money(10000, "NPR") == "10,000\u00a0NPR"  # not "10,000NPR"
    assert translator("km").money(5100, "HKD") == "5,100\u00a0HK$"
    assert translator("vi").money(400000, "KRW") == "400.000\u00a0₩"  # already spaced: unchanged
    assert translator("en").money(5100, "HKD") == "HK$5,100"
