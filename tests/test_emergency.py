"""The emergency flow as people meet it: numbers in the very first reply, for where they
probably are; the family path for a relative at home; urgent cases from the danger buttons;
the answer in the message's language; honesty when no person can answer soon."""

import re
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import limits
from conftest import CLEAN_ENV, ROOT
from bot.engine import Engine
from bot.engine.emergency import T_DISTRESS, T_FAMILY_ALERT
from bot.engine.loader import load_dialogs
from bot.engine.places import load_places
from bot.engine.testing import ChatClient
from bot.i18n import SUPPORTED, translator

# One cry for help per language, as people write it (no language chosen, nothing told).
FIRST_CRIES = {
    "en": "help!! they took my passport and wont let us leave the building",
    "my": "ကယ်ပါဦး!!! ချုပ်ထားခံရတယ်",
    "th": "ช่วยด้วย!!! โดนขังอยู่",
    "km": "ជួយខ្ញុំផង!!! គេឃុំខ្លួនខ្ញុំ",
    "lo": "ຊ່ວຍແດ່!!! ຖືກຂັງຢູ່",
    "vi": "cứu em với, em bị nhốt ở campuchia",
    "id": "tolong saya, paspor saya ditahan bos dan saya tidak boleh keluar",
    "fil": "tulungan nyo po ako, kinuha nila passport ko at di kami pinapalabas",
    "ne": "दाइ मलाई बचाउनुस् प्लिज 🙏 यिनीहरुले कोठामा थुनेर राखेका छन्",
    "bn": "ভাই আমাকে বাঁচান 🙏 ওরা আমাকে রুমে আটকে রেখেছে",
    "si": "අනේ මාව බේරගන්න 🙏 මෙයාලා මාව කාමරේක හිර කරලා",
    "hi": "भाई प्लीज मुझे बचाओ 🙏 ये लोग मुझे कमरे में बंद करके रखे हैं",
    "zh_Hans": "救命啊，我被骗到缅甸了",
}
PHONE = re.compile(r"\d{3,}")


def number_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.startswith("• ") and PHONE.search(line)]


def test_every_language_has_a_first_cry():
    assert set(FIRST_CRIES) == set(SUPPORTED)


@pytest.mark.parametrize("lang", SUPPORTED)
def test_a_cry_for_help_as_the_very_first_message_gets_numbers_in_its_language(engine, lang):
    chat = ChatClient(engine, user_id=f"tg:first-{lang}", lang_hint=None)  # a new chat, nothing known
    chat.send(FIRST_CRIES[lang])
    first = chat.replies[0]
    assert number_lines(first.text), first.text  # a number to call in the first message
    assert len(first.text) <= limits.EMERGENCY_REPLY_CHARS
    case = engine.store.open_case_for(f"tg:first-{lang}")
    assert case is not None and case["priority"] == "urgent" and case["lang"] == lang
    assert engine.store.load(f"tg:first-{lang}").lang == lang  # answered in the message's language
    assert f"#{case['id']}" in first.text
    location_buttons = [b.data for b in chat.buttons if b.data.startswith("c:location:")]
    assert len(location_buttons) >= 2  # "Which country are you in now?" with the likely ones first


def test_a_held_worker_who_told_nothing_gets_numbers_then_exact_ones_for_the_place(engine):
    chat = ChatClient(engine, user_id="tg:held")
    chat.send("help me they took my passport")
    assert number_lines(chat.replies[0].text)
    assert "Which country are you in now?" in chat.text
    chat.press("Malaysia") if "Malaysia" in chat.labels else chat.press("Another country")
    if chat.screen == "ask_location":
        chat.press("Malaysia")
    lines = number_lines(chat.text)
    assert lines and all(line.startswith("• Malaysia") for line in lines)


def test_a_vietnamese_worker_in_poipet_sees_cambodia_first(engine):
    chat = ChatClient(engine, user_id="tg:vn", lang_hint="vi")
    chat.send("cứu tôi với, họ nhốt tôi ở Poipet và lấy hộ chiếu")
    first = chat.replies[0].text
    lines = number_lines(first)
    assert lines[0].startswith("• Campuchia"), lines
    assert "+84" in first  # Viet Nam's line for citizens abroad, in its international form
    assert not re.search(r"\b111\b", first)  # not Viet Nam's short code, which works only at home
    assert chat.buttons[0].data == "c:location:KH"  # the likely country first


def test_a_person_held_in_myawaddy_is_given_the_police_first_with_its_caveat(engine):
    chat = ChatClient(engine, user_id="tg:mwd", lang_hint="en")
    chat.send("please help me they took my passport and lock me in room in myawaddy")
    lines = number_lines(chat.replies[0].text)
    assert lines[0].startswith("• Myanmar") and "199 for the police" in lines[0], lines
    assert "not confirmed" in lines[0]  # an unconfirmed number is never shown as a firm one


def test_a_vietnamese_worker_whose_route_says_thailand_but_writes_cambodia(engine):
    chat = ChatClient(engine, user_id="tg:vn2")
    chat.onboard(origin="Vietnam", destination="Thailand")
    chat.send("help me, I am Vietnamese, they lock us in a building in Cambodia")
    lines = number_lines(chat.replies[0].text)
    assert lines[0].startswith("• Cambodia"), lines
    assert not any(line.startswith("• Thailand") for line in lines[:2])


def test_a_mother_at_home_gets_the_family_path_not_the_captives_advice(engine):
    chat = ChatClient(engine, user_id="tg:mother", lang_hint="my")
    chat.send("/start")
    chat.press_data("c:role:family")
    chat.press_data("c:origin:MM")
    chat.press_data("c:destination:TH")
    chat.send("ကျွန်မသား မြဝတီကနေ ဖုန်းမကိုင်တော့ဘူး ကူညီပေးပါ")  # my son in Myawaddy stopped answering
    my = translator("my")
    assert my(T_DISTRESS).split("\n")[1] not in chat.text  # never "do not argue with the people holding you"
    assert my(T_FAMILY_ALERT).format(case=1)[:40] in chat.text
    assert "family_urgent" in [r.screen for r in chat.replies]
    lines = number_lines(chat.replies[0].text)
    assert lines[0].startswith("• " + my.country("MM")), lines  # Myawaddy is in Myanmar, not Thailand
    assert engine.store.case(1)["priority"] == "urgent"


def test_a_message_about_my_son_is_the_family_path_even_without_a_profile(engine):
    chat = ChatClient(engine, user_id="tg:father")
    chat.send("please help, my son is held in KK Park and they want money")
    assert "do not argue with the people holding you" not in chat.text
    assert "What to do now for your family member" in chat.text
    assert "Which country is your family member in now?" in chat.text
    assert number_lines(chat.replies[0].text)[0].startswith("• Myanmar")
    chat.press("Another country")
    assert chat.text.startswith("Which country is your family member in now?") and len(chat.buttons) > 20
    chat.press_data("c:location:KH")  # the relative's place: his numbers, the caller's stays unset
    assert number_lines(chat.text)[0].startswith("• Cambodia")
    assert engine.store.load("tg:father").data.get("location") is None


@pytest.mark.parametrize("path", [
    ["Emergency help", "Safety when you are held", "Talk to a person now"],
    ["Emergency help", "My family member is held", "Talk to a person now"],
    ["Emergency help", "Someone is hurt or sick", "Talk to a person now"],
    ["Emergency help", "My passport was taken", "Talk to a person now"],
    ["Help for a family member", "Held or forced to work", "Talk to a person now"],
    ["Is this job offer safe?", "I am trapped now", "Talk to a person now"],
])
def test_danger_buttons_open_an_urgent_case_at_once(engine, path):
    chat = ChatClient(engine, user_id="tg:buttons")
    chat.onboard()
    seen = []
    for label in path:
        chat.press(label)
        seen.append(chat.text)
    case = engine.store.open_case_for("tg:buttons")
    assert case is not None and case["priority"] == "urgent"
    assert not any("may take some hours" in text for text in seen)
    assert "urgent case" in chat.text and number_lines(chat.replies[0].text)


def test_every_danger_screen_is_marked_in_the_dialogs(bundle):
    marked = {s.id for s in bundle.screens.values() if s.urgent}
    assert {"emergency", "emergency_held", "emergency_relative", "emergency_hurt", "emergency_passport",
            "family_held", "family_urgent", "scam_inside"} <= marked
    assert bundle.screens["family_held"].urgent == "relative" and bundle.screens["scam_inside"].urgent == "self"


def test_a_wrong_urgent_value_is_a_content_error(tmp_path):
    (tmp_path / "x.yaml").write_text("screens:\n  x:\n    text: Hi\n    urgent: maybe\n", encoding="utf-8")
    problems = []
    load_dialogs(tmp_path, problems)
    assert any("urgent" in p.message for p in problems)


def test_a_khmer_message_at_the_language_picker_gets_khmer_and_a_button_back(engine):
    chat = ChatClient(engine, user_id="tg:km", lang_hint=None)
    chat.send("/start")
    assert chat.screen == "ask_language"
    chat.send("ខ្ញុំនៅប៉ោយប៉ែត គេមិនឲ្យខ្ញុំចេញទេ ជួយខ្ញុំផង")
    km = translator("km")
    assert km(T_DISTRESS).format(case=1).split("\n")[0] in chat.text
    assert number_lines(chat.replies[0].text)[0].startswith("• " + km.country("KH"))
    back = [b for b in chat.buttons if b.data.startswith("c:lang:")]
    assert [b.data for b in back] == ["c:lang:en"]
    chat.press_data("c:lang:en")
    assert "Which country are you in now?" in chat.text  # back in English, where the answer was


def test_a_chosen_language_is_kept_for_an_english_cry_naming_a_burmese_town(engine):
    chat = ChatClient(engine, user_id="tg:en")
    chat.onboard()
    chat.send("pls someone help me im in myawaddy")
    assert engine.store.load("tg:en").lang == "en" and "urgent case" in chat.text
    assert not any(b.data.startswith("c:lang:") for b in chat.buttons)


def test_when_no_person_can_answer_soon_the_user_is_told_and_gets_the_numbers(bundle, store):
    engine = Engine(bundle, store, moderators_reachable=False)
    chat = ChatClient(engine, user_id="tg:alone")
    chat.send("they locked me in, help me")
    assert "may not be able to answer soon" in chat.replies[0].text
    assert "A person will answer you here as soon as they can" not in chat.text
    assert number_lines(chat.replies[0].text)
    case = store.open_case_for("tg:alone")
    assert case is not None and case["priority"] == "urgent"  # stored all the same



def test_places_in_every_script_and_spelling(bundle):
    places = bundle.extra["places"]
    assert places.mentioned("bong khnhom nov poipet ke min oy chenh") == ["KH"]
    assert places.mentioned("ខ្ញុំនៅប៉ោយប៉ែត") == ["KH"]
    assert places.mentioned("သားက မြဝတီနားမှာတဲ့") == ["MM"]
    assert places.mentioned("我在西港被关") == ["KH"]
    assert places.mentioned("from Myanmar, now at O Smach") == ["KH", "MM"]  # the town first
    assert places.mentioned("Tôi đang ở Cam pu chia") == places.mentioned("toi o campuchia") == ["KH"]
    assert places.mentioned("मेरो छोरा म्यानमारमा छ") == ["MM"]  # CLDR's name, in Nepali
    assert places.mentioned("a woman from indiana") == []  # whole words only
    assert places.about_relative("ang anak ko nasa Cambodia") and not places.about_relative("help me")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=limits.USER_TEXT_CHARS))
def test_any_text_is_read_for_places_without_crashing(bundle, text):
    places = bundle.extra["places"]
    assert set(places.mentioned(text)) <= set(bundle.all_countries)
    places.about_relative(text)


def test_a_place_with_an_unknown_country_is_a_content_error(tmp_path):
    (tmp_path / "places.yaml").write_text(
        "places:\n  atlantis: {country: XX, names: [Atlantis]}\nunknown: [TH]\n", encoding="utf-8")
    problems = []
    load_places(tmp_path, ["TH"], problems)
    assert any("unknown country 'XX'" in p.message for p in problems)


def test_the_terminal_chat_says_honestly_that_no_person_is_there_and_gives_numbers(safebot_cmd, tmp_path):
    result = subprocess.run([*safebot_cmd, "chat", "--db", str(tmp_path / "t.db")], input="help me they took my passport\n",
                            capture_output=True, text=True, timeout=60, cwd=ROOT, env=CLEAN_ENV)
    assert result.returncode == 0, result.stderr
    assert "urgent case (#1)" in result.stdout and "may not be able to answer soon" in result.stdout
    assert number_lines(result.stdout) and "Which country are you in now?" in result.stdout
