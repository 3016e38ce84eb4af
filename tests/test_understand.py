"""Typed text is understood: questions find screens in all 13 languages (measured on the
labelled questions in tests/data/questions/), and typing never breaks the flow."""

from pathlib import Path

import pytest
import yaml

from bot.i18n import SUPPORTED

QUESTIONS = Path(__file__).parent / "data" / "questions"
MIN_TOP3 = 0.8


def labelled(lang: str) -> dict[str, list[tuple[str, list[str]]]]:
    doc = yaml.safe_load((QUESTIONS / f"{lang}.yaml").read_text(encoding="utf-8"))
    return {part: [(str(item[0]), list(item[1])) for item in doc.get(part) or []] for part in ("tuned", "heldout", "review")}


def measure(index, lang: str, items: list[tuple[str, list[str]]]) -> dict[str, float]:
    """top1/top3: an expected screen ranked first / in the first three; topic: the reply
    (the screen shown, or the ones offered) has a screen of an expected topic."""
    top1 = top3 = topic = 0
    for question, expected in items:
        ranked = [s for s, _ in index.rank(question, (lang,)) if s in index.titles]
        top1 += bool(ranked[:1] and ranked[0] in expected)
        top3 += any(s in expected for s in ranked[:3])
        offered = index.answer(question, (lang,)).screens
        topics = {e.split("_")[0] for e in expected}
        topic += any(s.split("_")[0] in topics for s in offered)
    n = max(len(items), 1)
    return {"n": len(items), "top1": top1 / n, "top3": top3 / n, "topic": topic / n}


def test_questions_find_screens_in_every_language(engine, capsys):
    rows, failing = [], []
    for lang in SUPPORTED:
        parts = labelled(lang)
        assert len(parts["tuned"]) + len(parts["heldout"]) >= 30, f"{lang}: at least 30 labelled questions"
        everything = parts["tuned"] + parts["heldout"] + parts["review"]
        result = {name: measure(engine.questions, lang, items) for name, items in
                  (("all", everything), ("tuned", parts["tuned"]), ("heldout", parts["heldout"]))}
        rows.append((lang, result))
        if result["all"]["top3"] < MIN_TOP3:
            failing.append(lang)
    with capsys.disabled():
        print("\nquestion matching   all: n top1 top3 topic | tuned: top1 top3 | held-out: n top1 top3 topic")
        for lang, r in rows:
            a, t, h = r["all"], r["tuned"], r["heldout"]
            print(f"  {lang:8} {a['n']:4} {a['top1']:5.0%} {a['top3']:5.0%} {a['topic']:5.0%} | "
                  f"{t['top1']:5.0%} {t['top3']:5.0%} | {h['n']:3} {h['top1']:5.0%} {h['top3']:5.0%} {h['topic']:5.0%}")
    assert not failing, f"top-3 accuracy under {MIN_TOP3:.0%} in {failing}"


# --- typing never breaks the flow (the engine, as a user types) ---------------------------------
from bot.engine.testing import ChatClient  # noqa: E402


@pytest.fixture
def fil(engine):
    chat = ChatClient(engine, user_id="test:fil", lang_hint="fil")
    chat.send("/start")
    return chat


def test_filipino_question_shows_the_fees_for_the_route_it_names(fil):
    fil.send("para sa sarili ko po")  # not the label: understood
    assert fil.screen == "ask_origin"
    fil.send("Pilipinas")
    fil.send("5")  # a button number still works: Taiwan
    fil.send("magkano ang placement fee sa hongkong")
    assert fil.screen == "costs_fees"
    assert "Hong Kong" in fil.text and "Pinagkunan" in fil.text  # the HK facts, with sources
    state = fil.engine.store.load("test:fil")
    assert (state.origin, state.destination) == ("PH", "HK")


def test_a_country_in_a_question_changes_no_route_unless_the_answer_is_about_it(fil):
    fil.send("para sa sarili ko")
    fil.send("Pilipinas")
    fil.send("Hong Kong")
    fil.send("may nag offer sa fb ng typing job sa cambodia")  # a scam question, Cambodia in it
    state = fil.engine.store.load("test:fil")
    assert (state.origin, state.destination) == ("PH", "HK")
    fil.send("magkano ang placement fee sa taiwan")
    assert fil.engine.store.load("test:fil").destination == "TW"


def test_typed_navigation_menu_and_back(fil):
    fil.send("menu")
    assert fil.screen == "main"
    fil.press_data("g:costs_fees")
    assert fil.screen != "costs_fees"  # the route is not known yet: asked first
    assert "ask_origin" == fil.screen
    fil.send("Nepal")
    assert fil.screen == "ask_role"  # the start was left half done: its questions come back
    fil.send("para sa sarili ko")
    assert fil.screen == "ask_destination"
    fil.send("Malaysiya")
    assert fil.screen == "costs_fees"  # and then the screen that was asked for
    fil.send("balik po")
    assert fil.screen == "costs"


def test_nepal_typed_at_the_origin_question_sets_it(engine):
    chat = ChatClient(engine, user_id="test:np", lang_hint="ne")
    chat.send("/start")
    chat.send("आफ्नो लागि")
    chat.send("Nepal")
    chat.send("मलेसिया")
    state = engine.store.load("test:np")
    assert (state.role, state.origin, state.destination) == ("self", "NP", "MY")
    assert chat.screen == "main"


def test_a_question_during_onboarding_is_answered_then_asked_again(fil):
    fil.send("sino magbabayad ng visa at ticket")
    screens = [r.screen for r in fil.replies]
    assert "costs_who_pays" in screens or "Is it one of these?" not in fil.text
    assert fil.screen == "ask_role"  # the question is asked again, not dropped
    fil.send("asdfghjkl")
    assert "Paumanhin" in fil.text or "Pasensya" in fil.text  # said plainly: not found
    assert fil.screen == "ask_role"


def test_a_route_question_during_the_start_is_answered_once_the_countries_are_known(fil):
    fil.send("magkano ang placement fee")
    assert fil.screen == "ask_role" and "dalawang bansa" in fil.text  # one question at a time
    fil.send("1")
    fil.send("Pilipinas")
    fil.send("Hong Kong")
    assert fil.screen == "costs_fees" and "Pinagkunan" in fil.text


def test_quiz_goes_on_with_typed_yes_and_no_and_keeps_its_question(fil):
    fil.send("menu")
    fil.press_data("g:scam")
    fil.press_data("a:quiz")
    assert "1 sa 13" in fil.text
    fil.send("oo")
    assert "2 sa 13" in fil.text
    fil.send("ano ba to?")  # anything else: the same question, not the main menu
    assert "2 sa 13" in fil.text
    fil.send("opo")
    assert "3 sa 13" in fil.text
    fil.send("hindi po")
    assert "4 sa 13" in fil.text
    state = fil.engine.store.load("test:fil")
    assert list(state.data["quiz"].values()) == ["y", "y", "n"]


def test_numbers_in_the_languages_own_digits(engine):
    chat = ChatClient(engine, user_id="test:my", lang_hint="my")
    chat.send("/start")
    chat.send("၁")  # Burmese one: for myself
    assert chat.screen == "ask_origin"
    chat.send("၁")
    chat.send("၁")
    assert chat.screen == "main"
    chat.send("၂")
    assert chat.screen == "costs"


JOB_AD = ("URGENT HIRING customer service in Cambodia. Salary 1500 USD per month, no experience, "
          "free ticket and hotel. Contact us on Telegram @fastjobs_kh or WhatsApp +855 96 555 0192")


def test_a_pasted_job_ad_is_scanned_anywhere_and_leads_back(fil):
    fil.send("menu")
    fil.press_data("g:scam")
    fil.press_data("a:quiz")
    fil.send(JOB_AD)
    assert "MATAAS" in fil.text  # risk HIGH, in Filipino
    fil.press("Bumalik sa dati")
    assert "1 sa 13" in fil.text  # back in the quiz, at the same question


def test_menu_typed_after_send_me_the_ad_is_navigation_not_an_ad(fil):
    fil.send("menu")
    fil.press_data("a:scan")
    fil.send("menu")
    assert fil.screen == "main"
    fil.press_data("a:scan")
    fil.send(JOB_AD)
    assert "MATAAS" in fil.text


def test_not_found_says_so_and_offers_a_person(fil):
    fil.send("menu")
    fil.send("zxqv wpln")
    assert any(b.data == "g:human" for b in fil.buttons)
    assert fil.text.startswith("Pasensya na, wala akong nakitang sagot")


def test_unsure_match_offers_up_to_three_screens(engine):
    chat = ChatClient(engine, user_id="test:en")
    chat.onboard()
    chat.send("passport")
    if chat.text.startswith("Is it one of these?"):
        offered = [b for b in chat.buttons if b.data.startswith("g:") and b.data not in ("g:human", "g:main")]
        assert 1 <= len(offered) <= 3
    else:
        assert "passport" in chat.text.lower()


def test_an_open_case_takes_text_but_numbers_labels_and_forget_still_work(engine):
    chat = ChatClient(engine, user_id="test:case")
    chat.onboard()
    chat.send("/human")
    chat.press_data("a:human")
    case = engine.store.open_case_for("test:case")
    assert case is not None
    chat.send("my employer has not paid me for 3 months")
    assert [m["body"] for m in engine.store.case_messages(case["id"])][-1] == "my employer has not paid me for 3 months"
    chat.send("1")  # a button number: pressed, not relayed
    assert "1" not in [m["body"] for m in engine.store.case_messages(case["id"])]
    chat.send("/forget")
    chat.send("1")  # "Yes, delete everything"
    assert "Your data is deleted" in chat.text
    assert engine.store.open_case_for("test:case") is None


def test_in_a_case_a_story_naming_a_country_goes_to_the_person_and_a_short_answer_is_taken(engine):
    chat = ChatClient(engine, user_id="test:loc")
    chat.onboard()
    chat.send("/human")
    chat.press_data("a:human")
    case = engine.store.open_case_for("test:loc")
    chat.press_data("a:location")
    assert chat.screen == "ask_location"
    story = "they moved us from Thailand to a building in Cambodia last night"
    chat.send(story)
    assert engine.store.case_messages(case["id"])[-1]["body"] == story
    assert engine.store.load("test:loc").data.get("location") is None
    chat.send("cambodia po")
    assert engine.store.load("test:loc").data.get("location") == "KH"


@pytest.mark.parametrize("typed,code", [
    ("Malaysia", "MY"), ("Malaysiya", "MY"), ("malasia", "MY"), ("မလေးရှား", "MY"), ("मलेसिया", "MY"),
    ("মালয়েশিয়া", "MY"), ("马来西亚", "MY"), ("Korea", "KR"), ("Hàn Quốc", "KR"), ("han quoc", "KR"),
    ("เกาหลีใต้", "KR"), ("hongkong", "HK"), ("Hong Kong po", "HK"), ("香港", "HK"), ("dubai", "AE"),
    ("Saudi", "SA"), ("ไต้หวัน", "TW"), ("ជប៉ុន", "JP"), ("සිංගප්පූරුව", "SG"), ("qatar", "QA"),
])
def test_country_names_in_any_language_and_common_spellings(bundle, typed, code):
    assert bundle.extra["vocab"].country_answer(typed, set(bundle.destinations)) == code


@pytest.mark.parametrize("lang,typed,intent", [
    ("fil", "oo", "yes"), ("fil", "opo", "yes"), ("fil", "balik", "back"), ("fil", "menu", "menu"),
    ("hi", "ha ji", "yes"), ("hi", "nahi", "no"), ("ne", "hajur", "yes"), ("my", "ဟုတ်ကဲ့", "yes"),
    ("th", "ไม่ครับ", "no"), ("km", "ចាស", "yes"), ("vi", "không", "no"), ("id", "kembali", "back"),
    ("zh_Hans", "菜单", "menu"), ("en", "start again", "restart"), ("bn", "না", "no"), ("si", "ඔව්", "yes"),
    ("lo", "ບໍ່", "no"), ("en", "stop", "stop"), ("en", "ok", "yes"),
])
def test_navigation_words_in_every_language(bundle, lang, typed, intent):
    assert bundle.extra["vocab"].intent(typed, lang) == intent


def test_keywords_must_be_one_line_of_words(tmp_path):
    from bot.engine.loader import load_dialogs

    (tmp_path / "x.yaml").write_text("screens:\n  a:\n    text: Hi\n    keywords: [fee, cost]\n"
                                     "  b:\n    text: Hi\n    keywords: \"fee, cost\"\n", encoding="utf-8")
    problems = []
    screens, _ = load_dialogs(tmp_path, problems)
    assert [p.where for p in problems] == ["dialogs/x.yaml: a"]
    assert screens["b"].keywords == "fee, cost"


def test_keywords_are_extracted_for_translators():
    import io

    from bot.i18n_extract import extract_yaml

    doc = b"screens:\n  costs:\n    text: Costs\n    keywords: \"fee, how much\"\n"
    found = [(msg, notes) for _, _, msg, notes in extract_yaml(io.BytesIO(doc), None, None, {})]
    assert ("fee, how much", [found[1][1][0]]) == found[1] and "people type" in found[1][1][0]


def test_writing_at_the_language_picker_chooses_the_language_and_is_answered(engine):
    chat = ChatClient(engine, user_id="test:picker", lang_hint=None)
    chat.send("/start")
    assert chat.screen == "ask_language"
    chat.send("hi po! ask ko lang if legal ba ang 80,000 pesos na placement fee ng agency ko for HK?")
    assert engine.store.load("test:picker").lang == "fil"
    assert chat.screen == "ask_role"  # the start goes on, in Filipino
    assert any(b.data in ("g:costs_fees", "g:costs_illegal") for b in chat.buttons)  # and the question was read
    chat2 = ChatClient(engine, user_id="test:picker2", lang_hint=None)
    chat2.send("/start")
    chat2.send("Tagalog po")
    assert engine.store.load("test:picker2").lang == "fil" and chat2.screen == "ask_role"


async def test_on_telegram_a_typed_question_and_a_typed_word_are_understood(bundle, server, tmp_path):
    from telegram_harness import running_bot

    user = 5550777
    async with running_bot(bundle, server, tmp_path / "t.db"):
        server.user_sends(user, "/start", language_code="fil")
        await server.wait_for(lambda: server.texts_to(user))
        server.user_sends(user, "para sa sarili ko po")
        await server.wait_for(lambda: any("Saang bansa" in t for t in server.texts_to(user)))
        server.user_sends(user, "Pilipinas")
        server.user_sends(user, "hongkong")
        await server.wait_for(lambda: any("Pangunahing menu" in t for t in server.texts_to(user)))
        server.user_sends(user, "magkano ang placement fee")
        await server.wait_for(lambda: any("Pinagkunan" in t for t in server.texts_to(user)))
        assert any("Hong Kong" in t and "Pinagkunan" in t for t in server.texts_to(user))


def test_an_english_question_at_the_language_picker_is_answered_in_english(engine):
    """A country's name inside a question ("...for Thailand") does not pick that language."""
    chat = ChatClient(engine, user_id="tg:picker-question", lang_hint=None)
    chat.send("/start")
    assert chat.screen == "ask_language"
    chat.send("how much is the visa fee for thailand")
    assert engine.store.load("tg:picker-question").lang == "en"
    chat.send("/start")
    chat.send("Tagalog po")  # a short answer that names a language still chooses it
    assert engine.store.load("tg:picker-question").lang == "fil"
