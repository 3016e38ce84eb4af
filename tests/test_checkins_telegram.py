"""Safety check-ins on Telegram: the real Application against the fake Bot API, with
SAFEBOT_CHECKIN_SECONDS-like short intervals (engine.checkin_config.seconds)."""

import re

from telegram_harness import running_bot

MIGRANT, MUM = 8800101, 8800102
SECONDS = 1


def texts(server, chat):
    return server.texts_to(chat)


def has(server, chat, words):
    return lambda: any(words in t for t in texts(server, chat))


async def press(server, chat, data):
    server.user_presses(chat, server.last_message_id(chat), data)


def has_button(server, chat, data):
    return lambda: any(b["callback_data"] == data for row in server.last_keyboard(chat) for b in row)


async def link_up(server, channel, seconds=SECONDS):
    channel.engine.checkin_config.seconds = seconds
    server.user_sends(MIGRANT, "/checkin")
    await server.wait_for(has(server, MIGRANT, "How often"))
    await press(server, MIGRANT, "k:every:day")
    await server.wait_for(has(server, MIGRANT, "What name"))
    server.user_sends(MIGRANT, "Aye")
    await server.wait_for(has(server, MIGRANT, "?start=link_"))
    invite = next(t for t in texts(server, MIGRANT) if "?start=link_" in t)
    code = re.search(r"start=link_([A-Z0-9]+)", invite).group(1)
    assert "https://t.me/safe_test_bot?start=link_" + code in invite and f"/start link_{code}" in invite
    server.user_sends(MUM, f"/start link_{code}")
    await server.wait_for(has(server, MUM, "will NOT get"))
    await press(server, MUM, "k:accept")
    await server.wait_for(has(server, MUM, "What name should Aye see"))
    server.user_sends(MUM, "Mum")
    await server.wait_for(has(server, MUM, "You are now a trusted person for Aye"))
    await server.wait_for(has(server, MIGRANT, "Mum is now one of your trusted people"))
    return code


async def test_link_accept_check_in_ok_then_silence_alerts_and_a_second_opens_a_case(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "c.db") as (channel, app):
        await link_up(server, channel)
        await server.wait_for(has(server, MIGRANT, "Hello! How is your day?"))
        check = next(c for c in server.sent("sendMessage", MIGRANT) if c.get("text") == "Hello! How is your day?")
        assert str(check.get("disable_notification")).lower() == "true"
        await press(server, MIGRANT, "k:ok")
        await server.wait_for(has(server, MIGRANT, "Thank you! Have a good day."))
        # from now on nobody answers
        await server.wait_for(has(server, MUM, "Aye did not answer the safety check-in"))
        alert = next(t for t in texts(server, MUM) if "did not answer" in t)
        assert "Last answer:" in alert and "no answer yet" not in alert
        await server.wait_for(lambda: channel.engine.store.open_case_for(channel.user_id(MIGRANT)) is not None, timeout=15)
        case = channel.engine.store.open_case_for(channel.user_id(MIGRANT))
        assert case["reason"] == "checkin_silent"
        await server.wait_for(has(server, MUM, "Our team has been told"))
        body = channel.engine.store.case_messages(case["id"])[0]["body"]
        assert "Mum" in body and str(MUM) not in body and str(MIGRANT) not in body


async def test_restart_keeps_the_schedule(bundle, server, tmp_path):
    db = tmp_path / "r.db"
    async with running_bot(bundle, server, db) as (channel, app):
        await link_up(server, channel, seconds=3600)  # nothing due while the first run lasts
        channel.engine.checkin_config.seconds = SECONDS
        # the plan's interval is stored (3600 s): make it due now, as if the night passed
        channel.engine.store.db.execute("UPDATE checkin_plans SET next_due_at = 0")
    assert not has(server, MIGRANT, "Hello! How is your day?")()
    async with running_bot(bundle, server, db) as (channel, app):
        await server.wait_for(has(server, MIGRANT, "Hello! How is your day?"))
    assert sum(t == "Hello! How is your day?" for t in texts(server, MIGRANT)) == 1


async def test_help_opens_an_urgent_case_and_tells_the_family(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "h.db") as (channel, app):
        await link_up(server, channel)
        await server.wait_for(has(server, MIGRANT, "Hello! How is your day?"))
        await press(server, MIGRANT, "k:help")
        await server.wait_for(has(server, MIGRANT, "A person from our team will write to you here soon"))
        case = channel.engine.store.open_case_for(channel.user_id(MIGRANT))
        assert case["priority"] == "urgent" and case["reason"] == "checkin_help"
        await server.wait_for(has(server, MUM, "Aye asked for help"))


async def test_duress_word_answers_exactly_like_ok_and_opens_an_urgent_case(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "d.db") as (channel, app):
        await link_up(server, channel)
        await press(server, MIGRANT, "k:secret")
        await server.wait_for(has(server, MIGRANT, "Type a secret word"))
        server.user_sends(MIGRANT, "blue river")
        await server.wait_for(has(server, MIGRANT, "secret word is saved"))
        await server.wait_for(has(server, MIGRANT, "Hello! How is your day?"))
        await press(server, MIGRANT, "k:ok")
        await server.wait_for(has(server, MIGRANT, "Thank you! Have a good day."))
        ok = [c for c in server.sent("sendMessage", MIGRANT) if c.get("text") == "Thank you! Have a good day."]
        server.user_sends(MIGRANT, "Blue River")
        await server.wait_for(lambda: len([c for c in server.sent("sendMessage", MIGRANT)
                                           if c.get("text") == "Thank you! Have a good day."]) == 2)
        again = [c for c in server.sent("sendMessage", MIGRANT) if c.get("text") == "Thank you! Have a good day."]
        assert again[0] == again[1] == ok[0]  # byte for byte: text and (no) keyboard
        case = channel.engine.store.open_case_for(channel.user_id(MIGRANT))
        assert case["priority"] == "urgent" and case["reason"] == "checkin_duress"


async def test_a_blocked_bot_counts_as_silence_after_the_grace_period_and_says_so(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "b.db") as (channel, app):
        await link_up(server, channel)
        server.fail("sendMessage", status=403, chat_id=MIGRANT, times=1)
        await server.wait_for(has(server, MUM, "could not be delivered"), timeout=15)


async def test_forget_on_either_side(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "f.db") as (channel, app):
        await link_up(server, channel, seconds=3600)
        server.user_sends(MUM, "/forget")
        await server.wait_for(has_button(server, MUM, "x:forget"))
        await press(server, MUM, "x:forget")
        await server.wait_for(has(server, MIGRANT, "Mum is no longer one of your trusted people"))
        other = 8800103
        server.user_sends(MIGRANT, "/checkin")
        await server.wait_for(has_button(server, MIGRANT, "k:invite"))
        await press(server, MIGRANT, "k:invite")
        await server.wait_for(lambda: sum("?start=link_" in t for t in texts(server, MIGRANT)) == 2)
        code = re.findall(r"start=link_([A-Z0-9]+)", texts(server, MIGRANT)[-2] + texts(server, MIGRANT)[-1])[0]
        server.user_sends(other, f"/start link_{code}")
        await server.wait_for(has(server, other, "will NOT get"))
        await press(server, other, "k:accept")
        await server.wait_for(has(server, other, "What name"))
        server.user_sends(other, "Ko Ko")
        await server.wait_for(has(server, other, "You are now a trusted person"))
        server.user_sends(MIGRANT, "/forget")
        await server.wait_for(has_button(server, MIGRANT, "x:forget"))
        await press(server, MIGRANT, "x:forget")
        await server.wait_for(has(server, other, "Safety check-ins with Aye have stopped."))
        assert channel.engine.store.db.execute("SELECT count(*) FROM checkin_links").fetchone()[0] == 0
