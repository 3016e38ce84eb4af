"""Rights for workers outside a home (care homes, building sites, factories, farms, fishing
boats) beside the domestic-worker tree; minimum wages that follow the person's destination,
or a plain "there is none"; the Maldives as a destination with its emergency number."""

import re

import pytest

from bot.engine.render import render_fact
from bot.i18n import translator
from bot.limits import SCREEN_TEXT_TARGET

def plain(text: str) -> str:
    """Amounts as "QAR1,000" whether babel puts a (narrow) space after the code or not."""
    return re.sub(r"([A-Z]{3})[\s\u00a0\u202f]?(\d)", r"\1\2", text)


WORK_SCREENS = ["rights_work", "rights_work_basics", "rights_work_pay", "rights_work_safety",
                "rights_work_care", "rights_work_fishing"]


def walk_to_work_rights(chat, origin="Nepal", destination="Qatar"):
    chat.onboard(origin=origin, destination=destination)
    chat.press("Your rights at work")
    assert chat.screen == "rights"
    chat.press("I work outside a home")
    assert chat.screen == "rights_work"


def test_every_work_screen_is_reached_by_buttons_from_the_main_menu(chat):
    walk_to_work_rights(chat)
    seen = {"rights_work"}
    for label, screen in [("Rights every worker has", "rights_work_basics"),
                          ("Lowest pay in my work country", "rights_work_pay"),
                          ("Safety at work", "rights_work_safety"),
                          ("Care home or hospital", "rights_work_care"),
                          ("Fishing boats", "rights_work_fishing")]:
        chat.press(label)
        assert chat.screen == screen
        seen.add(screen)
        chat.press("Back")
        assert chat.screen == "rights_work"
    assert seen == set(WORK_SCREENS)
    chat.press("Where to get help")
    assert chat.screen == "rights_broken"


def test_qatar_minimum_wage_with_food_and_housing_allowances(chat):
    walk_to_work_rights(chat, "Nepal", "Qatar")
    chat.press("Lowest pay in my work country")
    shown = plain(chat.read_all())
    assert plain("Qatar: every worker, domestic workers too, must get a basic wage of at least QAR 1,000 a month") in shown
    assert "QAR300" in shown and "QAR500" in shown
    assert "weekly rest day of at least 24 hours in a row" in shown  # Qatar's Labour Law says it
    assert "Singapore" not in shown and "Kuwait" not in shown  # only the destination's rules


def test_a_country_with_no_minimum_wage_says_so(chat):
    walk_to_work_rights(chat, "Bangladesh", "Singapore")
    chat.press("Lowest pay in my work country")
    assert "Singapore: there is no minimum wage for workers, local or foreign." in chat.read_all()


@pytest.mark.parametrize("destination, expected", [
    ("Thailand", "THB 400 a day for every worker in Bangkok"),
    ("South Korea", "10,320 an hour"),
    ("Japan", "1,023 an hour"),
    ("Taiwan", "29,500 a month"),
    ("Kuwait", "KWD 75 a month"),
    ("Jordan", "JOD 290 a month"),
    ("Saudi Arabia", "there is no general minimum wage for foreign workers"),
    ("United Arab Emirates", "the labour law sets no minimum wage"),
    ("Oman", "the minimum wage is for Omani workers only"),
    ("Malaysia", "at most 45 working hours a week"),  # hours and rest come with the pay rules
])
def test_the_pay_screen_follows_the_destination(chat, destination, expected):
    walk_to_work_rights(chat, "Philippines", destination)
    chat.press("Lowest pay in my work country")
    assert plain(expected) in plain(chat.read_all())


def test_domestic_workers_see_the_general_minimum_wage_beside_their_own_rules(chat):
    chat.onboard(origin="Nepal", destination="Qatar")
    chat.press("Your rights at work")
    chat.press("Rights every worker has")
    chat.press("Rules in my work country")
    assert chat.screen == "rights_local"
    assert "Domestic Workers Law, 2017" in chat.read_all()  # the domestic-worker rule
    chat.press("Lowest pay in my work country")
    assert chat.screen == "rights_work_pay"
    assert "QAR1,000" in plain(chat.read_all())  # and the minimum wage that covers them too


def test_a_destination_with_no_checked_pay_rule_gets_advice_not_a_number(chat):
    walk_to_work_rights(chat, "Nepal", "Hong Kong")  # HK: only the helpers' MAW, a domestic rule
    chat.press("Lowest pay in my work country")
    assert "We have no checked pay rules for your work country yet." in chat.text


def test_fishing_shows_the_ilo_fishing_rules(chat):
    walk_to_work_rights(chat, "Myanmar", "Thailand")
    chat.press("Fishing boats")
    shown = chat.read_all()
    assert "at least 10 hours of rest in every 24 hours, and at least 77 hours in every 7 days" in shown
    assert "the boat owner pays the trip" in shown


def test_rights_every_worker_has_show_fair_recruitment_facts(chat):
    walk_to_work_rights(chat, "Cambodia", "Malaysia")
    chat.press("Rights every worker has")
    shown = chat.read_all()
    assert "IRIS" in shown and "workers keep their own passport and ID" in shown
    assert "principle 7" in shown  # no recruitment fees: ILO fair recruitment


def test_where_to_get_help_lists_the_destination_hotline(chat):
    walk_to_work_rights(chat, "Nepal", "Malaysia")
    chat.press("Where to get help")
    assert chat.screen == "rights_broken"
    assert "Malaysia" in chat.read_all()


def test_work_screens_fit_a_phone_page_in_every_locale(bundle):
    for screen_id in WORK_SCREENS:
        text = bundle.screens[screen_id].text
        for lang in ["en", "my", "th", "km", "lo", "vi", "id", "fil", "ne", "bn", "si", "hi", "zh_Hans"]:
            assert len(translator(lang).gettext(text)) < SCREEN_TEXT_TARGET, (screen_id, lang)


def test_no_legal_figure_is_written_into_a_rights_screen(bundle):
    for screen_id, screen in bundle.screens.items():
        if screen_id.startswith("rights"):
            assert "24 hours" not in screen.text and "once a month" not in screen.text, screen_id


def test_maldives_is_a_destination_with_its_emergency_number(chat, bundle):
    assert "MV" in bundle.destinations
    chat.onboard(origin="Bangladesh", destination="Maldives")
    chat.press_data("g:emergency")
    assert "Maldives: call 911" in chat.read_all()
    fact = bundle.facts["mv_emergency_911"]
    assert "911" in render_fact(fact, translator("bn"), caller_in="MV")


@pytest.mark.parametrize("question", ["how much is minimum salary in qatar", "what is the lowest pay here"])
def test_a_typed_question_about_the_minimum_pay_finds_the_pay_screen(chat, question):
    chat.onboard(origin="Nepal", destination="Qatar")
    chat.send(question)
    if chat.screen != "rights_work_pay":  # a short list of likely screens is also an answer
        chat.press("Lowest pay in my work country")
    assert "QAR" in chat.read_all()
