"""Phone numbers are shown only where they can be dialled, and facts follow the person:
end to end through the engine, plus the renderer and the content checks for numbers."""

import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot.engine.check import check_catalogs
from bot.engine.digits import digits_differ
from bot.engine.loader import load
from bot.engine.render import render_fact
from bot.i18n import translator
from conftest import ROOT

BROKEN = ROOT / "tests" / "fixtures" / "broken"
# Screens that show emergency numbers and hotlines (emergency, family, rights, pathways).
NUMBER_SCREENS = ["emergency", "emergency_hurt", "emergency_passport", "rights_broken", "rights_leave",
                  "rights_abuse", "family_silent"]


def bare(number: str, text: str) -> bool:
    """`number` on its own (not part of a longer number such as +84 ... 111)."""
    return re.search(rf"(?<![\d+] )(?<![\d+]){re.escape(number)}(?!\d)", text) is not None


def visit(chat, screens):
    texts = []
    for screen in screens:
        chat.press_data(f"g:{screen}")
        texts.append(chat.read_all())
    return "\n".join(texts)


def set_location(chat, country):
    chat.press_data("g:emergency")
    chat.press("I am in another country")
    chat.press(country)


def test_vietnamese_worker_in_cambodia_gets_cambodias_numbers_never_a_bare_111(chat):
    chat.onboard(origin="Vietnam", destination="Malaysia")
    set_location(chat, "Cambodia")
    assert chat.screen == "emergency"
    shown = chat.read_all()
    assert "Cambodia: call 117" in shown
    assert "+84 981" in shown  # the home line that works from abroad, in international form
    seen = visit(chat, NUMBER_SCREENS)
    assert not bare("111", seen), seen
    assert not bare("113", seen)  # Viet Nam's police code does not work from Cambodia


def test_sri_lankan_in_saudi_arabia_never_sees_1989(chat):
    chat.onboard(origin="Sri Lanka", destination="Saudi Arabia")
    seen = visit(chat, NUMBER_SCREENS)
    assert "Saudi Arabia: call 911" in seen
    assert "1989" not in seen, seen
    assert "embassy or high commission" in seen  # the advice stays, without the home short code


def test_family_in_china_sees_010_12308(chat):
    chat.onboard(role="For a family member", origin="China", destination="Japan")
    chat.press("Help for a family member")
    chat.press("stopped answering")
    assert chat.screen == "family_silent"
    shown = chat.read_all()
    assert "010-12308" in shown
    assert "(in China: 12308)" not in shown


def test_thai_worker_in_korea_does_not_get_thailands_1694(chat):
    chat.onboard(origin="Thailand", destination="South Korea")
    seen = visit(chat, NUMBER_SCREENS)
    assert "1694" not in seen
    assert "South Korea: call 112" in seen
    assert "+66 99 130 1300" in seen  # Thailand's line for Thais abroad does follow them
    assert not bare("1506", seen)


def test_myanmar_worker_in_thailand_gets_1694(chat):
    chat.onboard(origin="Myanmar", destination="Thailand")
    assert "1694" in visit(chat, ["rights_abuse"])


@pytest.fixture(scope="module")
def en():
    return translator("en")


def test_render_fact_by_where_the_caller_is(bundle, en):
    cn = bundle.facts["cn_consular_12308"]
    assert "010-12308" in render_fact(cn, en, caller_in="CN")
    assert "+86 10 12308" in render_fact(cn, en, caller_in="TH") and "010" not in render_fact(cn, en, caller_in="TH")
    assert "010-12308 (from abroad: +86 10 12308)" in render_fact(cn, en)  # unknown: both
    assert render_fact(bundle.facts["vn_hotline_111"], en, caller_in="KH") is None  # inside only: left out
    assert "111" in render_fact(bundle.facts["vn_hotline_111"], en, caller_in="VN")
    ph = render_fact(bundle.facts["ph_consular_dmw"], en, caller_in="SA")
    assert "+63 2 1348" in ph and "+63 2 8722 1144" in ph and "(02)" not in ph
    assert "(02) 8722 1144" in render_fact(bundle.facts["ph_consular_dmw"], en, caller_in="PH")


def test_unconfirmed_numbers_carry_a_caveat(bundle, en):
    text = render_fact(bundle.facts["mm_emergency_199"], en, caller_in="MM")
    assert "199" in text and "not confirmed recently" in text
    assert "not confirmed" not in render_fact(bundle.facts["mm_emergency_191"], en, caller_in="MM")


def problems():
    _, found = load(BROKEN / "dialogs", BROKEN / "content")
    return [(p.level, p.where, p.message) for p in found]


def has(where_part, message_part):
    return any(level == "error" and where_part in w and message_part in m for level, w, m in problems())


def test_content_check_reports_phone_mistakes():
    assert has("phone_without_works", "does not say from where it works")
    assert has("number_in_text", "'1694' looks like a phone number")
    assert not has("number_in_text", "'191'")
    assert has("tollfree_anywhere", "toll-free")
    assert has("tollfree_anywhere", "say whom it serves")
    assert has("short_code_anywhere", "does not know it as a full number")
    assert has("short_code_anywhere", "abroad: must be the international form, starting +84")
    assert not has("short_code_anywhere", "confidence")  # unconfirmed is a known confidence
    assert has("phone_of_no_country", "phone 'line': a route fact's phone needs country:")
    assert has("phone_of_no_country", "knows no country 'QQ'")
    assert has("content/countries.yaml", "'MM' has no emergency number fact")
    assert not has("content/countries.yaml", "'TH' has no emergency number fact")


def test_translation_whose_numbers_differ_is_an_error_fuzzy_or_not(tmp_path):
    msgid = "Oman: call 9999 in an emergency."
    (tmp_path / "bot.pot").write_bytes(b"")
    for lang, text, fuzzy in [("fil", "Oman: tumawag sa 911 kapag emergency.", True),
                              ("my", "အိုမန်: အရေးပေါ်ဆိုရင် ၉၉၉၉ ကို ခေါ်ပါ။", False)]:
        catalog = Catalog(locale=lang, header_comment="# machine-drafted")
        catalog.add(msgid, text, flags=["fuzzy"] if fuzzy else [])
        path = tmp_path / lang / "LC_MESSAGES"
        path.mkdir(parents=True)
        with (path / "bot.po").open("wb") as f:
            write_po(f, catalog)
    found, _ = check_catalogs({msgid: "content/facts/emergency.yaml:1"}, tmp_path)
    wrong = [p for p in found if "numbers differ" in p.message]
    assert [p.where.split("/")[1] for p in wrong] == ["fil"]  # Burmese digits ၉၉၉၉ are 9999
    assert "missing 9999" in wrong[0].message and "911" in wrong[0].message


def test_digits_compare_native_digits_and_allow_small_additions():
    assert digits_differ("Call 1669 from 2024.", "โทร ๑๖๖๙ ตั้งแต่ 2024") is None
    assert digits_differ("On 1 October 2024.", "Ngày 1 tháng 10 năm 2024.") is None  # month as a number
    assert digits_differ("At least 120,000 people.", "Paling sedikit 120,000 (120 ribu) orang.") is None
    assert digits_differ("Fee: {fee}.", "Phí: {fee}.") is None
    assert "missing 999" in digits_differ("Call 999.", "Gọi 112.")
