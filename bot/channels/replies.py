"""The engine's answers to a user, sent so that a passing 5xx, time-out or 429 does not lose
them (security review finding 4: one 502 used to drop the whole emergency answer).

Each reply is tried a few times at once, in order (the chat's handler waits, so the chat's
order holds). For a user with an open urgent case the replies are first written to the
outbox (durable: a crash while sending them leaves them for the outbox worker, which takes
them after a short lease); what cannot be sent at once is left to the worker, which keeps
trying with its own back-off and notes in the case what it finally cannot deliver. Replies
of a chat that still has queued replies join the queue behind them, so nothing overtakes.
Without an urgent case, a reply that cannot be sent is noted in the case if there is one.
"""

from __future__ import annotations

import asyncio
import logging
import time

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from .. import cases
from ..engine import Reply
from .tg import chat_ref, retry_after_seconds
from .tg_privacy import carry_out_and_send

log = logging.getLogger(__name__)

REPLY_ATTEMPTS = 3        # tries at once before the reply is left to the outbox (or given up)
REPLY_RETRY_BASE = 0.5    # seconds: 0.5, 1 between those tries
REPLY_MAX_WAIT = 10.0     # a RetryAfter longer than this is not waited out in the handler
LEASE_SECONDS = 30.0      # the outbox worker leaves a reply alone this long while the handler sends it

SENT, BLOCKED, REFUSED, FAILED = "sent", "blocked", "refused", "failed"


async def try_send(bot, store, user_id: str, chat_id: int, reply: Reply,
                   retry_base: float = REPLY_RETRY_BASE) -> tuple[str, str]:
    """Send one reply (its action done first, e.g. the chat cleared; quiet mode kept),
    retrying transient errors a few times. Returns (outcome, error)."""
    error = ""
    for attempt in range(REPLY_ATTEMPTS):
        try:
            await carry_out_and_send(bot, store, user_id, chat_id, reply)
            return SENT, ""
        except Forbidden:
            return BLOCKED, "blocked"
        except BadRequest as exc:
            return REFUSED, str(exc)
        except RetryAfter as exc:
            error, wait = "RetryAfter", retry_after_seconds(exc)
            if wait > REPLY_MAX_WAIT:
                break
            await asyncio.sleep(wait)
            continue
        except TelegramError as exc:  # 5xx, time-outs, network
            error = f"{type(exc).__name__}: {exc}"
        if attempt < REPLY_ATTEMPTS - 1:
            await asyncio.sleep(retry_base * 2 ** attempt)
    return FAILED, error


def reply_payload(reply: Reply) -> dict:
    """A reply as the outbox keeps it (the worker adds the quiet line itself, from the case)."""
    return {"text": reply.text, "buttons": [[[b.label, b.data] for b in row] for row in reply.buttons]}


async def send_replies(channel, bot, chat_id: int, replies: list[Reply]) -> None:
    store = channel.engine.store
    user_id = channel.user_id(chat_id)
    case = store.open_case_for(user_id)
    outbox = channel.outbox
    retry_base = getattr(channel, "reply_retry_base", REPLY_RETRY_BASE)
    behind = case is not None and store.pending_kind(case["id"], cases.TO_USER, "reply")
    durable = case is not None and (case["priority"] == cases.URGENT or behind)
    if not durable:
        for reply in replies:
            outcome, error = await try_send(bot, store, user_id, chat_id, reply, retry_base)
            if outcome == BLOCKED:
                store.set_active(user_id, False)  # the user blocked the bot: stop, retry nothing
                log.info("user_blocked_bot chat=%s", chat_ref(chat_id, channel.log_key))
                return
            if outcome != SENT:
                log.warning("reply_not_delivered chat=%s error=%s", chat_ref(chat_id, channel.log_key), error[:80])
                if case is not None:
                    await outbox.note(case, f"⚠️ An answer of the bot could not be delivered to the user: {error}")
                if outcome == FAILED:
                    return  # Telegram is failing: the next replies would fail too
        return

    # Urgent: written down first, then sent at once; the worker takes over what is left.
    stamp = time.time_ns()
    items = [store.enqueue(f"reply:{case['id']}:{stamp}:{n}", case["id"], cases.TO_USER, "reply",
                           reply_payload(reply), cases.PRIORITY[case["priority"]], not_before=time.time() + LEASE_SECONDS)
             for n, reply in enumerate(replies)]
    if behind:  # earlier replies still wait: these go after them, through the worker
        _release(store, items, "queued behind earlier replies")
        outbox.wake.set()
        return
    for n, (reply, item_id) in enumerate(zip(replies, items)):
        outcome, error = await try_send(bot, store, user_id, chat_id, reply, retry_base)
        if outcome == SENT:
            store.mark_sent(item_id)
            continue
        if outcome == BLOCKED:
            for left in items[n:]:
                store.mark_failed(left, "Forbidden: blocked by the user")
            store.set_active(user_id, False)
            await outbox.note(case, "⚠️ The user has blocked the bot: nothing more can be delivered to them.")
            return
        if outcome == REFUSED:
            store.mark_failed(item_id, f"BadRequest: {error}")
            await outbox.note(case, f"⚠️ An answer of the bot could not be delivered to the user: {error}")
            continue
        log.warning("reply_left_to_outbox chat=%s error=%s", chat_ref(chat_id, channel.log_key), error[:80])
        _release(store, items[n:], error)
        outbox.wake.set()
        return


def _release(store, items: list[int | None], error: str) -> None:
    """Hand the replies to the outbox worker now (their lease ends)."""
    for item_id in items:
        if item_id is not None:
            store.retry_later(item_id, 0.0, error[:200], count_attempt=False)
