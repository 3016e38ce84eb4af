"""The durable outbox: order per case, fairness across cases, long texts in parts, and a
permanent error that moves one item aside while the rest flows (security review finding 1)."""

import asyncio

from bot import cases
from bot.channels.outbox import text_parts
from bot.channels.tg import split_text, utf16_len
from bot.limits import MESSAGE_TEXT_CHARS
from bot.store import State
from telegram_harness import MOD_CHAT, running_bot
from test_moderators import USER, open_case_by_human, to_chat, wait_topic


def make_case(store, n: int, priority: str = cases.NORMAL) -> dict:
    state = State(user_id=f"tg:{1000 + n}")
    store.save(state)
    return store.insert_case({"user_id": state.user_id, "status": "open", "priority": priority, "reason": "asked"})


def queue_text(store, case: dict, key: str, text: str = "hello") -> None:
    store.enqueue(key, case["id"], cases.TO_MODERATORS, "text", {"text": text}, cases.PRIORITY[case["priority"]])


def next_key(store) -> str | None:
    item = store.next_due(cases.TO_MODERATORS, 1e12)
    return item and item["key"]


def test_a_note_that_outranks_its_case_waits_its_turn_instead_of_blocking_the_case(store):
    """The deadlock of the review: a priority-0 note queued behind priority-1 items of the
    same normal case. Old code skipped the note (older items pending) and then skipped the
    older items (case blocked): the case never moved again. Order within a case is by id."""
    case = make_case(store, 1)
    for key in ("PART-2", "AFTER-1", "AFTER-2"):
        queue_text(store, case, key)
    store.enqueue("note", case["id"], cases.TO_MODERATORS, "note", {"text": "could not be delivered"}, 0)
    delivered = []
    while (item := store.next_due(cases.TO_MODERATORS, 1e12)) is not None:
        delivered.append(item["key"])
        store.mark_sent(item["id"])
    assert delivered == ["PART-2", "AFTER-1", "AFTER-2", "note"]


def test_cases_waiting_out_a_back_off_never_fill_the_window(store):
    """60 cases whose next item waits for a retry later take no turn: a new case is next."""
    for n in range(60):
        case = make_case(store, n)
        queue_text(store, case, f"stuck-{n}")
        item = store.next_due(cases.TO_MODERATORS, 1e12)
        store.retry_later(item["id"], 2e12, "502")
    fresh = make_case(store, 99)
    queue_text(store, fresh, "first message of a new case")
    assert next_key(store) == "first message of a new case"


def test_one_cases_backlog_never_delays_another_cases_first_message(store):
    flooder = make_case(store, 1)
    for n in range(30):
        queue_text(store, flooder, f"flood-{n}")
    store.mark_sent(store.next_due(cases.TO_MODERATORS, 1e12)["id"])  # the flooder has been served
    newcomer = make_case(store, 2)
    queue_text(store, newcomer, "newcomer")
    urgent = make_case(store, 3, cases.URGENT)
    queue_text(store, urgent, "urgent")
    order = []
    for _ in range(4):
        item = store.next_due(cases.TO_MODERATORS, 1e12)
        order.append(item["key"])
        store.mark_sent(item["id"])
    assert order == ["urgent", "newcomer", "flood-1", "flood-2"]


def test_long_texts_are_cut_to_telegrams_limit_including_the_prefix():
    words = " ".join(f"w{n:04d}" for n in range(1000))  # 5,999 characters
    parts = text_parts("#12 · user:\n", words, continued="#12 · user (continued):\n")
    assert len(parts) == 2 and all(utf16_len(p.text) <= MESSAGE_TEXT_CHARS for p in parts)
    body = [parts[0].text.removeprefix("#12 · user:\n"), parts[1].text.removeprefix("#12 · user (continued):\n")]
    assert " ".join(body) == words
    emoji = "😀" * 3000  # 6,000 UTF-16 units: Telegram counts each emoji twice
    pieces = split_text(emoji, 4000)
    assert "".join(pieces) == emoji and all(utf16_len(p) <= 4000 for p in pieces) and len(pieces) == 2


async def test_a_4096_character_message_arrives_whole_and_later_messages_follow(bundle, server, tmp_path):
    long_text = " ".join(f"c{n:04d}" for n in range(683))[:4096]  # what Telegram's client sends at most
    assert len(long_text) == 4096
    async with running_bot(bundle, server, tmp_path / "m.db"):
        await open_case_by_human(server)
        await wait_topic(server)
        server.user_sends(USER, long_text)
        server.user_sends(USER, "AFTER-1")
        server.user_sends(USER, "AFTER-2")
        await server.wait_for(lambda: any("AFTER-2" in p["text"] for p in to_chat(server, MOD_CHAT)))
        relays = [p["text"] for p in to_chat(server, MOD_CHAT) if p["text"].startswith("#1 · user")]
        print(f"\n4,096-character message: {len(relays)} relays, sizes {[utf16_len(r) for r in relays]}")
        assert all(utf16_len(r) <= MESSAGE_TEXT_CHARS for r in relays)
        bodies = [r.split(":\n", 1)[1] for r in relays]
        assert " ".join(bodies[:2]) == long_text, "the long message arrives whole, in two parts"
        assert "AFTER-1" in "".join(bodies[2:]) and "AFTER-2" in "".join(bodies[2:]), "later messages follow it"
        assert not [c for c in server.calls if not c.ok], "nothing was refused by Telegram"


async def test_a_permanent_error_moves_one_item_aside_and_the_rest_flows(bundle, server, tmp_path):
    """The review's scenario end to end: a relay refused with 400 in a normal case, with more
    messages queued behind it. They all arrive, then a note says what was lost."""
    async with running_bot(bundle, server, tmp_path / "m.db") as (channel, app):
        await open_case_by_human(server)
        await wait_topic(server)
        await channel.outbox.stop()  # queue everything first, as during an outage
        for text in ("CONTRACT-PART-1", "CONTRACT-PART-2", "AFTER-1"):
            server.user_sends(USER, text)
        await server.wait_for(lambda: channel.engine.store.backlog(cases.TO_MODERATORS) == 3)
        server.fail("sendMessage", status=400, description="Bad Request: message is too long", chat_id=MOD_CHAT)
        store = channel.engine.store
        channel.outbox.start()
        await server.wait_for(lambda: any("could not be delivered" in p["text"] for p in to_chat(server, MOD_CHAT)))
        texts = [p["text"] for p in to_chat(server, MOD_CHAT)]
        flowed = [t for t in texts if "CONTRACT-PART-2" in t or "AFTER-1" in t]
        assert flowed and "message is too long" in texts[-1].lower()
        # the note itself is marked sent once Telegram's answer to it is back
        await server.wait_for(lambda: store.backlog(cases.TO_MODERATORS) == 0)
        await asyncio.sleep(0.2)


async def test_a_user_whose_messages_cannot_reach_the_team_is_told_once_with_numbers(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "m.db") as (channel, app):
        await open_case_by_human(server)  # Myanmar → Thailand
        await wait_topic(server)
        def notes():
            return [p for p in to_chat(server, MOD_CHAT) if "could not be delivered" in p["text"]]

        for n, text in enumerate(("first lost message", "second lost message"), start=1):
            server.fail("sendMessage", status=400, description="Bad Request: chat not found", chat_id=MOD_CHAT)
            server.user_sends(USER, text)
            await server.wait_for(lambda: len(notes()) == n)
        assert any("could not reach our team" in t for t in server.texts_to(USER))
        server.user_sends(USER, "this one arrives")
        await server.wait_for(lambda: any("this one arrives" in p["text"] for p in to_chat(server, MOD_CHAT)))
        await asyncio.sleep(0.3)
        told = [p for p in to_chat(server, USER) if "could not reach our team" in p["text"]]
        assert len(told) == 1, "told once, not for every lost message"
        assert "Source:" in told[0]["text"], "with the numbers to call where they are"
        assert "g:emergency" in str(told[0]["reply_markup"])
