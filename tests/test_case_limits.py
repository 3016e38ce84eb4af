"""Abuse through cases (security review finding 6): a daily limit on new non-urgent cases per
user, the last case reused above it, urgent cases never refused; a flood in an open case
reaches the moderators joined into few messages and never holds up another user's new case."""

import asyncio

from bot import cases
from bot.engine.testing import ChatClient
from telegram_harness import MOD_CHAT, running_bot
from test_moderators import USER, open_case_by_human, to_chat, wait_topic


def ask_for_a_person(client):
    client.press_data("g:human")
    return client.press("Yes, talk to a person")


def case_rows(store):
    return list(store.db["cases"].rows_where(order_by="id"))


def test_above_the_daily_limit_the_last_case_is_opened_again_and_urgent_is_never_refused(chat, store):
    chat.onboard()
    for _ in range(5):  # talk to a person, end the talk, again and again
        ask_for_a_person(chat)
        chat.press_data("x:leave")
    assert len(case_rows(store)) == cases.cases_per_user_per_day == 3
    reply = ask_for_a_person(chat)
    assert "You already have an open case, #3" in reply[0].text, "a kind answer: the last case, open again"
    assert store.case(3)["status"] == "open" and len(case_rows(store)) == 3
    kinds = [r["kind"] for r in store.db["outbox"].rows_where("case_id = 3", order_by="id")]
    assert "reopen_topic" in kinds
    chat.press_data("x:leave")
    chat.send("please help they took my passport and I cannot leave")
    rows = case_rows(store)
    assert len(rows) == 4 and rows[-1]["priority"] == cases.URGENT, "urgent is never refused"


def test_the_limit_is_per_user(engine, store):
    for user in ("test:a", "test:b"):
        client = ChatClient(engine, user_id=user)
        client.onboard()
        for _ in range(3):
            ask_for_a_person(client)
            client.press_data("x:leave")
    assert len(case_rows(store)) == 6


async def test_a_flood_in_an_open_case_is_joined_and_never_delays_a_new_case(bundle, server, tmp_path):
    other = 7770009
    async with running_bot(bundle, server, tmp_path / "m.db") as (channel, app):
        await open_case_by_human(server)
        await wait_topic(server)
        await channel.outbox.stop()  # the group is slow (Telegram: ~20 messages a minute): all queue up
        for n in range(200):
            server.user_sends(USER, f"flood message {n:03d}")
        await server.wait_for(lambda: channel.engine.store.backlog(cases.TO_MODERATORS) >= 200, timeout=30)
        await open_case_by_human(server, user=other)
        channel.outbox.start()
        await server.wait_for(lambda: any("flood message 199" in p["text"] for p in to_chat(server, MOD_CHAT)), timeout=30)
        calls = [c for c in server.calls if c.ok and str(c.params.get("chat_id")) == str(MOD_CHAT)
                 and c.method in ("sendMessage", "createForumTopic")]
        flood = [i for i, c in enumerate(calls) if "flood message" in c.params.get("text", "")]
        new_topic = next(i for i, c in enumerate(calls) if c.method == "createForumTopic" and "#2" in c.params["name"])
        print(f"\nflood of 200 messages: {len(flood)} relays to the moderators; flood relays sent before "
              f"the new case's topic: {sum(i < new_topic for i in flood)}")
        assert new_topic < flood[1], "the new case did not wait behind the flood"
        assert len(flood) <= 5
        joined = "\n".join(calls[i].params["text"] for i in flood)
        positions = [joined.index(f"flood message {n:03d}") for n in range(200)]
        assert positions == sorted(positions), "every message, in order"
        await asyncio.sleep(0.1)
