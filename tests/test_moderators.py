"""Moderators end to end: cases, a topic per case, anonymous relay both ways, commands,
routing, failures — the real Application against the fake Bot API."""

import asyncio


from telegram_harness import MOD_CHAT, button_data, running_bot

USER = 7770001
ALICE = 9001  # a moderator


def to_chat(server, chat_id, method="sendMessage"):
    return [c.params for c in server.calls if c.ok and c.method == method and str(c.params.get("chat_id")) == str(chat_id)]


async def open_case_by_human(server, user=USER, lang="en", origin="Myanmar", destination="Thailand"):
    server.user_sends(user, "/start", language_code=lang)
    await server.wait_for(lambda: server.texts_to(user))
    for label in ("For myself", origin, destination):
        count = len(server.texts_to(user))
        last = [c.params for c in server.calls if c.ok and c.method in ("sendMessage", "editMessageText")
                and str(c.params.get("chat_id")) == str(user)][-1]
        server.user_presses(user, server.last_message_id(user), button_data(last, label))
        await server.wait_for(lambda: len(server.texts_to(user)) > count)
    server.user_sends(user, "/human", language_code=lang)
    await server.wait_for(lambda: "Yes, talk to a person" in str(to_chat(server, user)[-1].get("reply_markup")))
    server.user_presses(user, server.last_message_id(user), "a:human", language_code=lang)
    await server.wait_for(lambda: any("Your case number is #" in t for t in server.texts_to(user)))


async def wait_topic(server, chat=MOD_CHAT):
    await server.wait_for(lambda: to_chat(server, chat, "createForumTopic"))
    await server.wait_for(lambda: to_chat(server, chat))
    return to_chat(server, chat, "createForumTopic")[-1], to_chat(server, chat)[0]


async def test_human_opens_a_topic_with_the_context_and_relays_both_ways_anonymously(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db"):
        await open_case_by_human(server)
        topic_call, header = await wait_topic(server)
        assert topic_call["name"] == "#1 · en · MM→TH"
        topic_id = 50  # the fake's first topic id
        assert int(header["message_thread_id"]) == topic_id
        for part in ("Who is asking: the person themself", "From: Myanmar (Burma) → to: Thailand",
                     "Last screens:", "the user asked for a person"):
            assert part in header["text"]
        assert str(USER) not in header["text"] and "user7770001" not in header["text"]

        # user → moderators
        before = len(server.texts_to(USER))
        server.user_sends(USER, "I have a question about my contract")
        await server.wait_for(lambda: any("question about my contract" in p["text"] for p in to_chat(server, MOD_CHAT)))
        relayed = [p for p in to_chat(server, MOD_CHAT) if "question about my contract" in p["text"]][0]
        assert int(relayed["message_thread_id"]) == topic_id
        # the bot does not talk over the person: no menu reply, no "I did not understand"
        await asyncio.sleep(0.2)
        assert len(server.texts_to(USER)) == before

        # moderators → user, as "a person on our team", never Alice's name
        server.user_sends(MOD_CHAT, "Hello, I can help you read it.", user_id=ALICE, thread_id=topic_id,
                          first_name="Alice Moderator")
        await server.wait_for(lambda: any("I can help you read it" in t for t in server.texts_to(USER)))
        message = [t for t in server.texts_to(USER) if "I can help you read it" in t][0]
        assert message.startswith("Message from a person on our team (case #1):")
        # /note stays internal, /claim is visible only in the group
        server.user_sends(MOD_CHAT, "/note she sounds scared, call back", user_id=ALICE, thread_id=topic_id,
                          first_name="Alice Moderator")
        server.user_sends(MOD_CHAT, "/claim", user_id=ALICE, thread_id=topic_id, first_name="Alice Moderator")
        await server.wait_for(lambda: any("handled by Alice" in p["text"] for p in to_chat(server, MOD_CHAT)))
        assert any("Note saved" in p["text"] for p in to_chat(server, MOD_CHAT))

        # media both ways are copied, not forwarded (no sender shown)
        server.user_sends_media(USER, "photo")
        await server.wait_for(lambda: to_chat(server, MOD_CHAT, "copyMessage"))
        assert int(to_chat(server, MOD_CHAT, "copyMessage")[-1]["message_thread_id"]) == topic_id
        server.user_sends_media(MOD_CHAT, "document", user_id=ALICE, thread_id=topic_id)
        await server.wait_for(lambda: to_chat(server, USER, "copyMessage"))

        # /close: the user is thanked and asked if it helped; the topic is closed
        server.user_sends(MOD_CHAT, "/close", user_id=ALICE, thread_id=topic_id, first_name="Alice Moderator")
        await server.wait_for(lambda: any("is closed" in t for t in server.texts_to(USER)))
        await server.wait_for(lambda: to_chat(server, MOD_CHAT, "closeForumTopic"))
        closing = [p for p in to_chat(server, USER) if "is closed" in p["text"]][-1]
        assert "Yes, it helped" in str(closing["reply_markup"])

        everything_to_user = " ".join(str(p) for p in server.sent(chat_id=USER))
        assert "Alice" not in everything_to_user and "call back" not in everything_to_user


async def test_distress_opens_an_urgent_case_at_once(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db"):
        server.user_sends(USER, "/start", language_code="en")
        await server.wait_for(lambda: server.texts_to(USER))
        server.user_sends(USER, "please help they took my passport and I cannot leave")
        await server.wait_for(lambda: any("urgent case" in t for t in server.texts_to(USER)))
        # one message is enough: the safety text and numbers come at once, no menu to navigate
        await server.wait_for(lambda: any("Emergency help" in t for t in server.texts_to(USER)))
        topic_call, header = await wait_topic(server)
        assert topic_call["name"].endswith("URGENT")
        assert "a distress message was detected" in header["text"]
        assert "they took my passport" in header["text"]


async def test_commands_from_other_groups_and_bots_are_ignored(bundle, server, tmp_path):
    other = -1005555
    async with running_bot(bundle, server, tmp_path / "m.db"):
        await open_case_by_human(server)
        await wait_topic(server)
        server.user_sends(other, "/close", user_id=ALICE, thread_id=50)
        server.user_sends(other, "/cases", user_id=ALICE)
        server.user_sends(other, "pretending to be a moderator", user_id=ALICE, thread_id=50)
        server.user_sends(MOD_CHAT, "/cases", user_id=ALICE)
        await server.wait_for(lambda: any("Open cases (1)" in p["text"] for p in to_chat(server, MOD_CHAT)))
        await asyncio.sleep(0.3)
        assert not to_chat(server, other)
        assert not any("is closed" in t or "pretending" in t for t in server.texts_to(USER))
        server.user_sends(MOD_CHAT, "/stats", user_id=ALICE)
        await server.wait_for(lambda: any("Open cases: 1" in p["text"] for p in to_chat(server, MOD_CHAT)))


async def test_cases_are_routed_by_language(bundle, server, tmp_path):
    burmese_team = -1007777
    server.forum_chats.add(burmese_team)
    server.admin_chats.add(burmese_team)
    async with running_bot(bundle, server, tmp_path / "m.db", moderator_chats_by_lang={"my": burmese_team}):
        server.user_sends(USER, "/start human", language_code="my")  # a Burmese phone
        await server.wait_for(lambda: server.texts_to(USER))
        server.user_presses(USER, server.last_message_id(USER), "a:human", language_code="my")
        await server.wait_for(lambda: to_chat(server, burmese_team, "createForumTopic"), timeout=10)
        assert " · my · " in to_chat(server, burmese_team, "createForumTopic")[0]["name"]
        assert not to_chat(server, MOD_CHAT, "createForumTopic")


async def test_a_group_without_topics_relays_by_reply(bundle, server, tmp_path):
    plain_group = -1008888
    server.admin_chats.add(plain_group)
    async with running_bot(bundle, server, tmp_path / "m.db", moderator_chat_id=plain_group):
        await open_case_by_human(server)
        await server.wait_for(lambda: to_chat(server, plain_group))
        header_id = [m for (c, m), msg in server.messages.items() if c == plain_group][0]
        assert not to_chat(server, plain_group, "createForumTopic")
        server.user_sends(plain_group, "Reply to the header", user_id=ALICE, reply_to=header_id)
        await server.wait_for(lambda: any("Reply to the header" in t for t in server.texts_to(USER)))
        server.user_sends(plain_group, "Just talking among us", user_id=ALICE)
        await asyncio.sleep(0.3)
        assert not any("among us" in t for t in server.texts_to(USER))


async def test_5xx_and_429_are_retried_and_delivered_once(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db") as (channel, app):
        channel.outbox.backoff_base = 0.05
        await open_case_by_human(server)
        await wait_topic(server)
        server.fail("sendMessage", status=500, times=2, chat_id=MOD_CHAT)
        server.user_sends(USER, "first try fails twice")
        await server.wait_for(lambda: any("fails twice" in p["text"] for p in to_chat(server, MOD_CHAT)))
        server.fail("sendMessage", status=429, retry_after=1, chat_id=MOD_CHAT)
        server.user_sends(USER, "then a flood limit")
        await server.wait_for(lambda: any("flood limit" in p["text"] for p in to_chat(server, MOD_CHAT)), timeout=15)
        await asyncio.sleep(0.5)
        assert sum("fails twice" in p["text"] for p in to_chat(server, MOD_CHAT)) == 1
        assert sum("flood limit" in p["text"] for p in to_chat(server, MOD_CHAT)) == 1
        failed = [c for c in server.calls if not c.ok and c.method == "sendMessage"]
        assert len(failed) == 3


async def test_a_user_who_blocked_the_bot_gets_a_note_in_the_topic(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db"):
        await open_case_by_human(server)
        await wait_topic(server)
        server.fail("sendMessage", status=403, chat_id=USER)
        server.user_sends(MOD_CHAT, "Are you there?", user_id=ALICE, thread_id=50)
        await server.wait_for(lambda: any("blocked the bot" in p["text"] for p in to_chat(server, MOD_CHAT)))
        await asyncio.sleep(0.3)
        assert len([c for c in server.calls if c.method == "sendMessage" and str(c.params["chat_id"]) == str(USER)
                    and "Are you there" in c.params.get("text", "")]) == 1, "not retried"


async def test_a_deleted_topic_is_opened_again_with_the_context(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db") as (channel, app):
        channel.outbox.backoff_base = 0.05
        await open_case_by_human(server)
        await wait_topic(server)
        server.fail("sendMessage", status=400, description="Bad Request: message thread not found", chat_id=MOD_CHAT)
        server.user_sends(USER, "after the topic was deleted")
        await server.wait_for(lambda: len(to_chat(server, MOD_CHAT, "createForumTopic")) == 2)
        await server.wait_for(lambda: any("after the topic was deleted" in p["text"] for p in to_chat(server, MOD_CHAT)))
        again = [p for p in to_chat(server, MOD_CHAT) if int(p.get("message_thread_id") or 0) == 51]
        assert "Who is asking" in again[0]["text"], "the new topic starts with the context"


async def test_user_can_leave_and_moderators_see_it(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db"):
        await open_case_by_human(server)
        await wait_topic(server)
        server.user_presses(USER, server.last_message_id(USER), "x:leave")
        await server.wait_for(lambda: any("ended the conversation" in p["text"] for p in to_chat(server, MOD_CHAT)))
        await server.wait_for(lambda: to_chat(server, MOD_CHAT, "closeForumTopic"))


async def test_an_unanswered_urgent_case_is_reminded_and_the_user_told_honestly(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db", urgent_reminder_minutes=0) as (channel, app):
        channel.moderators.housekeeping_every = 0.1
        server.user_sends(USER, "/start", language_code="en")
        await server.wait_for(lambda: server.texts_to(USER))
        server.user_sends(USER, "help me, they beat me")
        await server.wait_for(lambda: any("has waited" in p["text"] for p in to_chat(server, MOD_CHAT)))
        await server.wait_for(lambda: any("will answer here as soon as they can" in t for t in server.texts_to(USER)))
        await asyncio.sleep(0.5)
        assert sum("has waited" in p["text"] for p in to_chat(server, MOD_CHAT)) == 1, "reminded once"


async def test_closed_cases_are_purged_after_the_retention_period(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db") as (channel, app):
        store = channel.engine.store
        await open_case_by_human(server)
        server.user_sends(USER, "a private detail")
        await server.wait_for(lambda: any("private detail" in p["text"] for p in to_chat(server, MOD_CHAT)))
        store.update_case(1, status="closed", closed_at="2020-01-01T00:00:00+00:00")
        assert store.purge_closed("2021-01-01T00:00:00+00:00") == 1
        assert store.case(1) is None and not store.case_messages(1)


async def test_a_hanging_moderator_chat_times_out_and_is_retried(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db") as (channel, app):
        channel.outbox.backoff_base = 0.05
        await open_case_by_human(server)
        await wait_topic(server)
        server.fail("sendMessage", status=502, hang=6, chat_id=MOD_CHAT)  # longer than the read timeout
        server.user_sends(USER, "sent while Telegram hangs")
        await server.wait_for(lambda: any("while Telegram hangs" in p["text"] for p in to_chat(server, MOD_CHAT)),
                              timeout=30)
        assert sum("while Telegram hangs" in p["text"] for p in to_chat(server, MOD_CHAT)) == 1


async def test_talk_to_a_person_from_the_emergency_screen_is_urgent_at_once(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db"):
        server.user_sends(USER, "/start emergency", language_code="en")
        await server.wait_for(lambda: server.texts_to(USER))
        server.user_presses(USER, server.last_message_id(USER), "a:human")
        await server.wait_for(lambda: any("urgent case" in t for t in server.texts_to(USER)))
        topic_call, header = await wait_topic(server)
        assert topic_call["name"].endswith("URGENT") and "from the emergency screen" in header["text"]
