"""Grammar-safe sentences (issue 16): country names only on a route line of their own,
short names ("Hong Kong"), the police sentence in English in every locale, and a quiz
where "Yes" is always the warning sign."""

import dataclasses
import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot.engine.check import (check_glued_country_names, check_police_sentence, check_route_line,
                              source_messages)
from bot.engine.quiz import T_LOW_SOME, T_NONE
from bot.engine.slots import SAY_TO_POLICE, T_IN_ENGLISH
from bot.engine.testing import ChatClient
from bot.i18n import SUPPORTED, translator

# (locale, origin) of readers whose languages need case endings on names
READERS = [("bn", "BD"), ("hi", "IN"), ("si", "LK"), ("vi", "VN"), ("ne", "NP"), ("en", "PH")]
FEE_AND_RIGHTS = ["costs_fees", "costs_fair", "rights_local", "rights_problem", "rights_leave",
                  "pathways_route", "pathways_help", "emergency_passport", "family_silent"]


def reader(engine, lang, origin, destination):
    chat = ChatClient(engine, user_id=f"tg:grammar-{lang}-{origin}-{destination}", lang_hint=lang)
    chat.send("/start")
    chat.press_data("c:role:self")
    chat.press_data(f"c:origin:{origin}")
    chat.press_data(f"c:destination:{destination}")
    return chat


def screen_text(chat, screen_id):
    chat.press_data(f"g:{screen_id}")
    assert chat.screen == screen_id
    return chat.read_all()


@pytest.mark.parametrize("lang,origin", READERS)
def test_country_names_stand_only_on_the_route_line(engine, lang, origin):
    t = translator(lang)
    home, work = t.country(origin), t.country("HK")
    chat = reader(engine, lang, origin, "HK")
    route = f"{home} → {work}"
    assert screen_text(chat, "costs_fees").split("\n")[0] == route
    for screen_id in FEE_AND_RIGHTS:
        # the screen's own paragraphs: a fact has its source on an indented line, and may name a country
        own = [part for part in screen_text(chat, screen_id).split("\n\n") if "\n   " not in part]
        lines = [line for part in own for line in part.split("\n") if line != route]
        pasted = [line for line in lines if home in line or work in line]
        assert not pasted, f"{lang}/{screen_id}: a country name inside a sentence: {pasted}"


@pytest.mark.parametrize("lang,long_name", [("en", "Hong Kong SAR China"), ("bn", "হংকং এসএআর চীন"),
                                            ("hi", "हाँग काँग (चीन विशेष प्रशासनिक क्षेत्र)"), ("id", "Hong Kong DAK Tiongkok")])
def test_hong_kong_gets_its_short_name(engine, lang, long_name):
    chat = ChatClient(engine, user_id=f"tg:hk-{lang}", lang_hint=lang)
    chat.send("/start")
    chat.press_data("c:role:self")
    chat.press_data("c:origin:ID")
    assert long_name not in chat.shown
    assert translator(lang).country("HK") in chat.labels  # the destination button
    chat.press_data("c:destination:HK")
    assert long_name not in screen_text(chat, "costs_fees")
    assert translator("en").country("HK") == "Hong Kong"


def test_an_unknown_country_leaves_out_the_route_line_and_pastes_nothing(engine):
    t = translator("bn")
    both_unknown = screen_text(reader(engine, "bn", "other", "other"), "costs_fees")
    assert "→" not in both_unknown and not both_unknown.startswith("\n")
    assert both_unknown.split("\n")[0] == t("{route}\nOfficial costs that we know for this trip.\nEach line shows where it comes from and its date. Fees change, so look at the date.").split("\n")[1]
    one_known = screen_text(reader(engine, "bn", "BD", "other"), "rights_local")
    assert f"{t.country('BD')} → …" in one_known.split("\n")
    for text in (both_unknown, one_known):
        assert t.country("other") not in text and t("Other / not sure") not in text


@pytest.mark.parametrize("lang", SUPPORTED)
def test_the_police_sentence_is_shown_in_english_and_in_the_readers_language(engine, lang):
    chat = reader(engine, lang, "MM", "TH")
    text = screen_text(chat, "scam_victim")
    t = translator(lang)
    assert SAY_TO_POLICE in text
    assert f'"{t(SAY_TO_POLICE)}"' in text
    if lang != "en":
        assert t(SAY_TO_POLICE) != SAY_TO_POLICE, f"{lang}: the sentence is not translated"
        assert f'{t(T_IN_ENGLISH)} "{SAY_TO_POLICE}"' in text
    else:
        assert text.count(SAY_TO_POLICE) == 1  # not twice in English


# Questions whose natural "No" means "there is none": the reader presses No for a warning sign.
NEGATIVE_OPENING = re.compile(r"^(Is there no|Are there no|Is (it|the \w+) (not|un\w+)|Isn't|Aren't|Don't|Doesn't|"
                              r"Do you not|Does it not|Do they say you need no)\b")


def test_every_quiz_question_asks_so_that_yes_is_the_warning_sign(engine):
    flags = [f for f in engine.bundle.extra["redflags"].flags.values() if f.question]
    assert len(flags) >= 10
    for flag in flags:
        assert not NEGATIVE_OPENING.search(flag.question), f"{flag.id}: a negative question: {flag.question}"
    assert NEGATIVE_OPENING.search("Is there no written contract, or is it not in your language?")
    assert NEGATIVE_OPENING.search("Is the recruiter unlicensed, or do you not know the company's real name?")


def answer_quiz(engine, yes: set[str], lang="en"):
    chat = ChatClient(engine, user_id=f"tg:quiz-{'-'.join(sorted(yes)) or 'none'}", lang_hint=lang)
    chat.onboard()
    chat.press_data("a:quiz")
    flags = [f for f in engine.bundle.extra["redflags"].flags.values() if f.question]
    for flag in flags:
        chat.press_data(f"q:{flag.id}:{'y' if flag.id in yes else 'n'}")
    return chat


def test_the_scorer_counts_yes_as_the_warning_sign_for_every_question(engine):
    t = translator("en")
    for flag in (f for f in engine.bundle.extra["redflags"].flags.values() if f.question):
        chat = answer_quiz(engine, {flag.id})
        assert t(flag.why) in chat.text, f"{flag.id}: Yes did not count as its warning sign"
        assert engine.store.load(chat.user_id).data["quiz_result"]["yes"] == [flag.id]


def test_a_low_result_with_a_warning_sign_never_says_there_are_none(engine):
    chat = answer_quiz(engine, {"free_flight"})  # the lightest sign: LOW risk, but one sign
    assert "LOW" in chat.text
    assert "They pay the flight and hotel" in chat.text
    assert T_LOW_SOME in chat.text and T_NONE not in chat.text
    clean = answer_quiz(engine, set())
    assert "LOW" in clean.text and T_NONE in clean.text and T_LOW_SOME not in clean.text


# ---- the checks of `safebot content check` ----
def write_catalog(tmp_path, lang, entries):
    catalog = Catalog(locale=lang, header_comment="# Machine-drafted")
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr)
    path = tmp_path / lang / "LC_MESSAGES" / "bot.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as f:
        write_po(f, catalog)
    return tmp_path


def test_the_check_finds_a_case_ending_glued_to_a_country_name(tmp_path):
    live = {"From: {origin}", "Embassy of {origin}"}
    write_catalog(tmp_path, "bn", {"Embassy of {origin}": "{origin}-এর দূতাবাস", "From: {origin}": "থেকে: {origin}"})
    write_catalog(tmp_path, "ne", {"Embassy of {origin}": "{origin}को दूतावास"})
    write_catalog(tmp_path, "th", {"Embassy of {origin}": "สถานทูต{origin}ของ"})  # no spaces in Thai: fine
    found = [p.where for p in check_glued_country_names(live, tmp_path)]
    assert sorted(found) == ["locales/bn/LC_MESSAGES/bot.po", "locales/ne/LC_MESSAGES/bot.po"]
    assert check_glued_country_names({"From: {origin}"}, tmp_path) == []  # obsolete entries are not judged


def test_the_check_wants_the_route_on_a_line_of_its_own(tmp_path):
    msgid = "{route}\nOfficial costs."
    write_catalog(tmp_path, "vi", {msgid: "Chi phí {route}."})
    assert [p.level for p in check_route_line({msgid}, tmp_path)] == ["error"]


def test_the_check_fails_when_the_police_sentence_loses_its_placeholder(bundle):
    assert check_police_sentence(bundle) == []
    victim = bundle.screens["scam_victim"]
    text = victim.text.replace("{say_to_police}", '"I came for a fake job."')
    broken = dataclasses.replace(bundle, screens={**bundle.screens, "scam_victim": dataclasses.replace(victim, text=text)})
    assert [p.level for p in check_police_sentence(broken)] == ["error"]


def test_the_real_catalogs_pass_the_grammar_checks():
    live = source_messages()
    assert check_glued_country_names(live) == [] and check_route_line(live) == []
