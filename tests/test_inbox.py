"""The durable inbox and per-chat dispatch, through the real Application and the fake
Bot API: one chat's flood never holds up another; a resend is handled once; what was
written down before a stop is handled after the restart; per-user flood control."""

import asyncio
import time

import pytest

from bot.channels.inbox import Inbox
from bot.flood import T_FLOOD, FloodGate, Verdict
from bot.engine.model import Event
from bot.store import Store
from telegram_harness import MOD_CHAT, running_bot

A, B = 7100001, 7100002


async def flood_and_time_b(server, a_messages=200, seconds=2.0) -> float:
    """A sends `a_messages` in `seconds`; half way B sends /start. B's wait for an answer."""
    b_sent = b_answered = None
    for i in range(a_messages):
        server.user_sends(A, f"hello number {i}")
        if i == a_messages // 2:
            server.user_sends(B, "/start")
            b_sent = time.monotonic()
        if b_answered is None and b_sent and server.texts_to(B):
            b_answered = time.monotonic()
        await asyncio.sleep(seconds / a_messages)
    if b_answered is None:
        await server.wait_for(lambda: server.texts_to(B), timeout=30)
        b_answered = time.monotonic()
    return b_answered - b_sent


@pytest.mark.parametrize("per_minute", [20, 100_000], ids=["flood-limit", "no-flood-limit"])
async def test_b_is_answered_within_a_second_while_a_floods(bundle, server, tmp_path, per_minute):
    server.delay = 0.05  # every Bot API call takes 50 ms: A's answers alone take many seconds
    async with running_bot(bundle, server, tmp_path / "f.db", user_messages_per_minute=per_minute):
        wait = await flood_and_time_b(server)
        print(f"\nB's /start answered after {wait:.3f} s while A sent 200 messages in 2 s "
              f"(USER_MESSAGES_PER_MINUTE={per_minute}, 50 ms per API call)")
        server.delay = 0.0  # let A's backlog drain quickly
        assert wait < 1.0
        if per_minute == 20:
            a_texts = server.texts_to(A)
            # the burst (10) answered, then one notice, not 200 answers; on a slow machine a
            # token refills (one every 3 s), one more message is answered and a new stretch
            # of flooding gets its own notice
            notices = sum(T_FLOOD in t for t in a_texts)
            answered_after_burst = len(a_texts) - notices - 10
            assert 1 <= notices <= 1 + max(0, answered_after_burst)
            assert len(a_texts) < 40


async def test_flood_never_holds_back_distress_nor_a_case_relay(bundle, server, tmp_path):
    async with running_bot(bundle, server, tmp_path / "d.db", user_messages_per_minute=2) as (channel, app):
        for i in range(5):
            server.user_sends(A, f"hello {i}")
        await server.wait_for(lambda: any(T_FLOOD in t for t in server.texts_to(A)))
        server.user_sends(A, "help me they took my passport")
        await server.wait_for(lambda: any("worried about you" in t for t in server.texts_to(A)), timeout=15)
        await server.wait_for(lambda: any("URGENT" in t for t in server.texts_to(MOD_CHAT)))
        before = len(server.texts_to(A))
        for i in range(6):
            server.user_sends(A, f"case words {i}")
        # all six reach the moderators (the outbox may join them into fewer relays)
        await server.wait_for(lambda: sum(t.count("case words") for t in server.texts_to(MOD_CHAT)) == 6, timeout=20)
        assert len(server.texts_to(A)) <= before + 1  # at most the "sent to the person" note
        # /forget does not reset the limit (it lives in memory, apart from the stored data)
        channel.engine.store.forget(channel.user_id(A))
        assert channel.flood.decide(channel.user_id(A), Event("text", "hi"), lambda t: False, lambda u: None) is Verdict.HOLD


def test_token_bucket_refills_and_notices_once_per_stretch():
    now = [0.0]
    gate = FloodGate(20, clock=lambda: now[0])
    assert [gate.take("u") for _ in range(11)] == [True] * 10 + [False]
    notice = gate.notice("u", "th")
    assert len(notice) == 1 and notice[0].text != T_FLOOD  # translated
    assert not gate.notice("u", "th")  # once per stretch
    now[0] += 3.0  # 20 a minute: one more every 3 s
    assert gate.take("u") and not gate.take("u")
    assert gate.take("v")  # others are not affected
    assert gate.decide("u", Event("button", "g:main"), lambda t: False, lambda u: None) is Verdict.PASS


async def test_a_resent_update_is_handled_once_and_leaves_no_text(bundle, server, tmp_path):
    db = tmp_path / "r.db"
    async with running_bot(bundle, server, db) as (channel, app):
        update = server.user_sends(A, "/start scam")
        await server.wait_for(lambda: server.texts_to(A))
        server.updates.append(dict(update))  # Telegram sends it again (e.g. after a crash)
        server._new_update.set()
        await asyncio.sleep(1.0)
        assert len(server.texts_to(A)) == 1
        store = channel.engine.store
        assert store.inbox_depth() == 0
        row = store.db.execute("SELECT body, chat FROM inbox WHERE update_id = ?", [update["update_id"]]).fetchone()
        assert row == (None, None)  # handled: only the bare id stays, no text


async def test_updates_written_down_before_a_stop_are_handled_after_restart(bundle, server, tmp_path):
    db = tmp_path / "s.db"
    store = Store(db)
    from telegram import Update

    # as if the process died right after writing these down (the offset was confirmed)
    for n, text in enumerate(["/start scam", "/menu"], start=1):
        raw = server._push({"message": server._new_message(A, server._user(A), text=text, entities=[
            {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}])})
        server.updates.remove(raw)
        store.inbox_add(raw["update_id"], f"c{A}", __import__("json").dumps(raw), time.time())
    store.close()
    async with running_bot(bundle, server, db) as (channel, app):
        await server.wait_for(lambda: len(server.texts_to(A)) == 2)
        assert "job offers" in server.texts_to(A)[0] and "Main menu" in server.texts_to(A)[1]
        assert channel.engine.store.inbox_depth() == 0
