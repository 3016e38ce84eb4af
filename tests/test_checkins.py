"""Safety check-ins through the engine, with a clock the test moves (no waiting)."""

import pytest

from bot import checkins
from bot.checkins_store import CheckinStore
from bot.engine import Engine
from bot.engine.testing import ChatClient

DAY = 24 * 3600


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def bot(bundle, store, clock):
    return Engine(bundle, store, clock=clock)


def outgoing(engine, user_id=None):
    """Queued messages (as the channel would send them), removed from the queue."""
    messages = checkins.pending(engine.store)
    for m in messages:
        checkins.sent(engine.store, m)
    return [m for m in messages if user_id is None or m["user_id"] == user_id]


def linked_pair(bot, name="Aye", person_name="Mum", person_id="test:mum"):
    migrant = ChatClient(bot, "test:migrant")
    migrant.onboard()
    migrant.send("/checkin")
    migrant.press("Every day")
    migrant.send(name)
    code = next(line for line in migrant.text.splitlines() if line.startswith("/start link_")).split("link_")[1]
    family = ChatClient(bot, person_id)
    family.onboard(role="For a family member")
    family.send(f"/start link_{code}")
    assert "will NOT get" in family.text and name in family.text
    family.press("Accept")
    family.send(person_name)
    assert "You are now a trusted person for " + name in family.text
    assert family.screen == "ask_location" and "time zone" in family.text  # asked once
    family.press_data("c:location:MM")
    return migrant, family, code


def test_link_accept_and_both_see_only_display_names(bot):
    migrant, family, code = linked_pair(bot)
    notices = outgoing(bot, "test:migrant")
    assert [m["text"] for m in notices] == ["Mum is now one of your trusted people. They will be told if you do not answer a check-in."]
    migrant.send("/checkin")
    assert "Your trusted people: Mum" in migrant.text and "test:mum" not in migrant.text
    family.send("/checkin")
    assert "You are a trusted person for: Aye" in family.text
    # the code was single use
    other = ChatClient(bot, "test:other")
    other.send(f"/start link_{code}")
    assert "does not work" in other.text


def test_bad_codes_self_link_and_a_fourth_person(bot, clock):
    migrant, family, _ = linked_pair(bot)
    stranger = ChatClient(bot, "test:x")
    stranger.send("/start link_FORGED1234")
    assert "does not work" in stranger.text
    migrant.send("/checkin")
    migrant.press("Invite a trusted person")
    own = next(line for line in migrant.text.splitlines() if line.startswith("/start link_"))
    migrant.send(own)
    assert "your own invitation" in migrant.text
    clock.now += 49 * 3600  # expired
    stranger.send(own)
    assert "does not work" in stranger.text
    for n in (2, 3):
        migrant.send("/checkin")
        migrant.press("Invite a trusted person")
        code = next(line for line in migrant.text.splitlines() if line.startswith("/start link_"))
        person = ChatClient(bot, f"test:p{n}")
        person.send(code)
        person.press("Accept")
        person.send(f"Person {n}")
    migrant.send("/checkin")
    migrant.press("Invite a trusted person")
    assert "already have 3 trusted people" in migrant.text


def test_ok_answers_silence_nothing(bot, clock):
    migrant, family, _ = linked_pair(bot)
    outgoing(bot)
    for _ in range(3):
        clock.now += DAY
        checkins.tick(bot.store, clock.now)
        [check] = outgoing(bot)
        assert check["user_id"] == "test:migrant" and check["text"] == "Hello! How is your day?"
        migrant.press_data("k:ok")
        assert migrant.text == "Thank you! Have a good day."
        clock.now += DAY / 2
        checkins.tick(bot.store, clock.now)
        assert outgoing(bot) == []
    assert bot.store.open_case_for("test:migrant") is None


def test_missed_check_in_reaches_every_linked_person_and_a_second_opens_a_case(bot, clock):
    migrant, family, _ = linked_pair(bot)
    ChatClient(bot, "test:brother")
    migrant.send("/checkin")
    migrant.press("Invite a trusted person")
    code = next(line for line in migrant.text.splitlines() if line.startswith("/start link_"))
    brother = ChatClient(bot, "test:brother", lang_hint="my")
    brother.send(code)
    brother.press_data("k:accept")
    brother.send("Ko Ko")
    outgoing(bot)
    clock.now += DAY
    checkins.tick(bot.store, clock.now)
    outgoing(bot)  # the check-in, not answered
    clock.now += 7 * 3600
    checkins.tick(bot.store, clock.now)
    alerts = {m["user_id"]: m for m in outgoing(bot)}
    assert set(alerts) == {"test:mum", "test:brother"}
    assert "Aye did not answer the safety check-in" in alerts["test:mum"]["text"]
    assert "Aye" in alerts["test:brother"]["text"] and "did not answer" not in alerts["test:brother"]["text"]
    assert ["What to do now", "g:family_silent"] in [b for row in alerts["test:mum"]["buttons"] for b in row]
    assert bot.store.open_case_for("test:migrant") is None
    clock.now += DAY
    checkins.tick(bot.store, clock.now)
    outgoing(bot)
    clock.now += 7 * 3600
    checkins.tick(bot.store, clock.now)
    alerts = {m["user_id"]: m for m in outgoing(bot)}
    assert "Our team has been told" in alerts["test:mum"]["text"]
    case = bot.store.open_case_for("test:migrant")
    assert case["priority"] == "normal" and case["reason"] == "checkin_silent"
    first = bot.store.case_messages(case["id"])[0]["body"]
    assert "Mum, Ko Ko" in first and "2 check-ins in a row" in first and "test:" not in first


def test_help_and_duress_open_urgent_cases_and_duress_looks_like_ok(bot, clock):
    migrant, family, _ = linked_pair(bot)
    migrant.send("/checkin")
    migrant.press("Secret danger word")
    migrant.send("Mango Tree")
    assert "secret word is saved" in migrant.text
    row = CheckinStore(bot.store).plan("test:migrant")
    assert "mango" not in str(row).lower() and row["duress_hash"].startswith("scrypt$")
    outgoing(bot)
    clock.now += DAY
    checkins.tick(bot.store, clock.now)
    migrant.press_data("k:ok")
    ok_reply = [(r.text, r.buttons, r.kind) for r in migrant.replies]
    clock.now += DAY
    checkins.tick(bot.store, clock.now)
    outgoing(bot)
    migrant.send("  mango   tree ")
    assert [(r.text, r.buttons, r.kind) for r in migrant.replies] == ok_reply
    case = bot.store.open_case_for("test:migrant")
    assert case["priority"] == "urgent" and case["reason"] == "checkin_duress"
    [alert] = outgoing(bot, "test:mum")
    assert "asked for help" in alert["text"]
    bot.store.update_case(case["id"], status="closed")
    migrant.press_data("k:help")
    assert "our team" in migrant.text
    case = bot.store.open_case_for("test:migrant")
    assert case["priority"] == "urgent" and case["reason"] == "checkin_help"


def test_after_downtime_one_check_in_not_one_per_interval(bot, clock):
    linked_pair(bot)
    outgoing(bot)
    clock.now += 10 * DAY  # the bot was down for ten days
    checkins.tick(bot.store, clock.now)
    checkins.tick(bot.store, clock.now)
    assert len(outgoing(bot, "test:migrant")) == 1


def test_pause_sends_nothing_for_three_days(bot, clock):
    migrant, _, _ = linked_pair(bot)
    migrant.send("/checkin")
    migrant.press("No phone for 3 days")
    outgoing(bot)
    clock.now += 2.5 * DAY
    checkins.tick(bot.store, clock.now)
    assert outgoing(bot) == []
    clock.now += DAY
    checkins.tick(bot.store, clock.now)
    assert [m["kind"] for m in outgoing(bot)] == ["checkin"]


def test_forget_by_the_migrant_ends_every_link_and_says_only_that(bot, clock):
    migrant, family, _ = linked_pair(bot)
    outgoing(bot)
    migrant.send("/forget")
    migrant.press_data("x:forget")
    [notice] = outgoing(bot)
    assert notice["user_id"] == "test:mum" and notice["text"] == "Safety check-ins with Aye have stopped."
    cs = CheckinStore(bot.store)
    assert cs.plan("test:migrant") is None and cs.links_of_person("test:mum") == []
    clock.now += 3 * DAY
    checkins.tick(bot.store, clock.now)
    assert outgoing(bot) == []


def test_forget_by_a_linked_person_removes_them(bot, clock):
    migrant, family, _ = linked_pair(bot)
    outgoing(bot)
    family.send("/forget")
    family.press_data("x:forget")
    [notice] = outgoing(bot)
    assert notice["user_id"] == "test:migrant" and "Mum is no longer one of your trusted people" in notice["text"]
    migrant.send("/checkin")
    assert "nobody yet" in migrant.text
    clock.now += 3 * DAY
    checkins.tick(bot.store, clock.now)
    assert outgoing(bot) == []  # nobody to tell: no check-ins are sent


def test_either_side_ends_a_link(bot):
    migrant, family, _ = linked_pair(bot)
    outgoing(bot)
    family.send("/checkin")
    family.press("End the link with Aye")
    assert "The link is ended" in family.text
    assert "Mum is no longer" in outgoing(bot, "test:migrant")[0]["text"]


def test_stale_check_in_buttons_are_expired_without_a_plan(bot):
    chat = ChatClient(bot, "test:nobody")
    chat.onboard()
    chat.press_data("k:ok")
    assert "expired" in chat.text
    chat.press_data("k:end:999")
    assert "expired" in chat.text


def test_alert_times_are_in_the_readers_time_zone(bot, clock):
    migrant, family, _ = linked_pair(bot)  # Mum said she is in Myanmar (UTC+6:30)
    clock.now = 1_800_000_000.0 + DAY  # 08:00 UTC
    checkins.tick(bot.store, clock.now)
    migrant.press_data("k:ok")
    clock.now += DAY
    checkins.tick(bot.store, clock.now)
    clock.now += 7 * 3600
    checkins.tick(bot.store, clock.now)
    [alert] = outgoing(bot, "test:mum")
    assert "Last answer: Sat, Jan 16 2:30" in alert["text"]


def test_the_migrant_ending_a_link_tells_the_person_only_that_check_ins_stopped(bot):
    migrant, family, _ = linked_pair(bot)
    outgoing(bot)
    migrant.send("/checkin")
    migrant.press("End the link with Mum")
    [notice] = outgoing(bot)
    assert notice["user_id"] == "test:mum" and notice["text"] == "Safety check-ins with Aye have stopped."
    assert CheckinStore(bot.store).links_of_person("test:mum") == []


def test_a_trusted_person_who_blocked_the_bot_is_reported_to_the_migrant(bot, clock):
    migrant, family, _ = linked_pair(bot)
    outgoing(bot)
    clock.now += DAY
    checkins.tick(bot.store, clock.now)
    outgoing(bot)
    clock.now += 7 * 3600
    checkins.tick(bot.store, clock.now)
    [alert] = checkins.pending(bot.store)
    checkins.undeliverable(bot.store, alert, clock.now)  # what the channel does on a 403
    [notice] = outgoing(bot)
    assert notice["user_id"] == "test:migrant" and "could not be delivered" in notice["text"] and "Mum" in notice["text"]


def test_a_typed_name_is_checked(bot):
    migrant = ChatClient(bot, "test:migrant")
    migrant.onboard()
    migrant.send("/checkin")
    migrant.press("Every week")
    migrant.send("x" * 200)
    assert "up to 30 letters" in migrant.text
    migrant.send("Aye")
    assert any(line.startswith("/start link_") for line in migrant.text.splitlines())
