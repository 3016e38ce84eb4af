"""Safety: the job-ad scan separates scam-pattern ads from legitimate ones, and both it and
the distress check are wired into the conversation (the distress detector's own measures
are in test_distress.py)."""

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.engine.testing import ChatClient
from bot.safety.scan import scan
from conftest import CLEAN_ENV, ROOT

DATA = Path(__file__).parent / "data"


def job_ads():
    ads = []
    for path in sorted((DATA / "jobads").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        ads += [(path.stem, "scam", ad) for ad in data.get("scam", [])]
        ads += [(path.stem, "legit", ad) for ad in data.get("legit", [])]
    return ads


def test_job_ad_scan_per_class(bundle):
    ads = job_ads()
    languages = {lang for lang, _, _ in ads}
    assert len(ads) >= 60 and len(languages) >= 8, (len(ads), languages)
    results = {"scam": [], "legit": []}
    for lang, label, ad in ads:
        results[label].append((lang, scan(ad, bundle.extra["redflags"]).risk, ad))
    scam_high = sum(r == "high" for _, r, _ in results["scam"]) / len(results["scam"])
    legit_high = sum(r == "high" for _, r, _ in results["legit"]) / len(results["legit"])
    print(f"scam ads rated high: {scam_high:.0%} of {len(results['scam'])}; "
          f"legitimate ads rated high: {legit_high:.0%} of {len(results['legit'])}")
    assert scam_high >= 0.90, [(l, r, a[:60]) for l, r, a in results["scam"] if r != "high"]
    assert legit_high <= 0.10, [(l, r, a[:60]) for l, r, a in results["legit"] if r == "high"]


def test_scan_quotes_evidence_contacts_hubs_and_lookalike_domains(bundle):
    ad = ("Customer service job in Thailand, 1500 USD, no experience. Work in KK Park. "
          "Contact @thaijobs_hr or WhatsApp +66 81 234 5678, see dmw-gov.ph.com")
    result = scan(ad, bundle.extra["redflags"])
    found = {f.id: f.evidence for f in result.flags}
    assert result.risk == "high"
    assert "KK Park" in found["scam_hub"]
    assert "@thaijobs_hr" in found["contact_offplatform"] and "+66 81 234 5678" in found["contact_offplatform"]
    assert "dmw-gov.ph.com" in found["lookalike_domain"]
    assert found["vague_job"].lower().startswith("customer service")


def test_scan_cli_json_contract(safebot_cmd):
    out = subprocess.run([*safebot_cmd, "scan", "--json"], input="Typing job in Myawaddy, free ticket, tourist visa",
                         capture_output=True, text=True, timeout=60, cwd=ROOT, env=CLEAN_ENV)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) == {"risk", "score", "language", "flags"}
    assert result["risk"] in ("high", "medium", "low") and isinstance(result["score"], int)
    assert result["language"] == "en"
    assert all(set(f) == {"id", "evidence"} for f in result["flags"])
    thai = subprocess.run([*safebot_cmd, "scan", "--json", "--lang", "th", "งานพิมพ์เอกสาร"], capture_output=True,
                          text=True, timeout=60, cwd=ROOT, env=CLEAN_ENV)
    assert json.loads(thai.stdout)["language"] == "th"


def test_distress_interrupts_any_flow_even_mid_question(engine):
    chat = ChatClient(engine, user_id="tg:d1")
    chat.send("/start")
    assert chat.screen == "ask_role"
    chat.send("please help me they locked us in")
    assert "urgent case (#1)" in chat.text
    assert "emergency" in [r.screen for r in chat.replies]
    assert engine.store.case(1)["priority"] == "urgent"


def test_guided_check_high_risk_offers_a_person(engine):
    chat = ChatClient(engine, user_id="tg:q1")
    chat.onboard()
    chat.send("/start scam")
    chat.press("Check an offer: questions")
    assert "Question 1 of" in chat.text
    answered = 0
    while "Question" in chat.text:
        chat.press("Yes")
        answered += 1
    assert answered >= 10
    assert "the risk is HIGH" in chat.text
    assert "Talk to a person" in chat.labels
    chat.press("Talk to a person")
    assert chat.screen == "human"  # first: what will be shared, and one button to agree
    chat.press("Yes, talk to a person")
    case = engine.store.open_case_for("tg:q1")
    assert case is not None and case["reason"] == "scam" and '"risk": "high"' in case["context"]


def test_guided_check_low_risk_and_stale_answers(engine):
    chat = ChatClient(engine, user_id="tg:q2")
    chat.onboard()
    chat.send("/start scam")
    chat.press("Check an offer: questions")
    first_question = chat.buttons[0].data
    while "Question" in chat.text:
        chat.press("No")
    assert "the risk is LOW" in chat.text and "Talk to a person" not in chat.labels
    chat.press_data(first_question)  # a button from an old question
    assert "expired" in chat.text


def test_paste_the_offer_in_the_chat(engine):
    chat = ChatClient(engine, user_id="tg:s1")
    chat.onboard()
    chat.send("/start scam")
    chat.press("Send me the job ad")
    chat.send("Hiring typing job in Cambodia Sihanoukville, salary 2000 USD, no experience, free ticket, telegram @hr_boss88")
    assert "Risk: HIGH" in chat.text and "«" in chat.text
    assert "Talk to a person" in chat.labels


def test_an_urgent_case_is_not_flooded_with_safety_screens(engine):
    chat = ChatClient(engine, user_id="tg:d2")
    chat.onboard()
    chat.send("help me, they took my passport")
    assert "emergency" in [r.screen for r in chat.replies] and chat.screen == "ask_location"
    chat.send("help me please, they beat us again")  # goes to the person handling the case
    assert "Sent to the person helping you" in chat.text and chat.screen is None  # no safety screens again
    chat.send("they are coming back")
    assert chat.replies == []  # then quiet: the bot does not talk over the person
    messages = engine.store.case_messages(1)
    assert [m["body"] for m in messages][-2:] == ["help me please, they beat us again", "they are coming back"]


def test_distress_on_an_open_normal_case_makes_it_urgent(engine):
    chat = ChatClient(engine, user_id="tg:d3")
    chat.onboard()
    chat.send("/human")
    chat.press("Yes, talk to a person")
    assert engine.store.case(1)["priority"] == "normal"
    chat.send("they locked me in the room")
    assert engine.store.case(1)["priority"] == "urgent" and "urgent case" in chat.text


def test_distress_from_someone_whose_country_is_unknown_asks_it_with_buttons(engine):
    chat = ChatClient(engine, user_id="tg:d4")
    chat.send("/start")  # a new user, no countries yet
    chat.send("we are locked in and they took our passports")
    assert "urgent case" in chat.text
    assert chat.screen == "ask_location" and "Which country are you in now?" in chat.text
    chat.press("Cambodia")
    assert chat.screen == "emergency"
    assert "117" in chat.text  # Cambodia's police line for illegal detention and trafficking


@pytest.mark.parametrize("lang,ad", [
    ("id", "Lowongan kerja customer service di Kamboja, gaji besar, tanpa pengalaman, tiket gratis"),
    ("fil", "Hiring! Trabaho sa Thailand bilang customer service, malaking sahod, walang experience, libre ang ticket"),
    ("vi", "Tuyển nhân viên chăm sóc khách hàng tại Campuchia, lương cao, không cần kinh nghiệm, bao vé máy bay"),
    ("th", "รับสมัครแอดมินออนไลน์ ทำงานที่กัมพูชา เงินเดือนสูง ไม่ต้องมีประสบการณ์"),
])
def test_scan_tells_the_language_of_the_ad(bundle, lang, ad):
    result = scan(ad, bundle.extra["redflags"])
    assert result.language == lang and result.risk == "high"


@pytest.mark.parametrize("first", ["help me they took my passport", "/forget"])
def test_a_cry_for_help_as_the_very_first_message_opens_an_urgent_case(engine, first):
    chat = ChatClient(engine, user_id="tg:first")
    if first == "/forget":  # right after erasing everything, the same as a new chat
        chat.send("/start")
        chat.send("/forget")
        chat.press("Yes, delete everything")
    chat.send("help me they took my passport")
    assert "urgent case" in chat.text
    case = engine.store.open_case_for("tg:first")
    assert case is not None and case["priority"] == "urgent"
