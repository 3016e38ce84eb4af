"""The worker that delivers the durable outbox (store) to Telegram.

Two workers, one per direction, so a full moderator group (Telegram allows a bot about
20 messages a minute there) never holds up answers to users. Urgent cases go first.
5xx and time-outs back off and retry; RetryAfter is waited out; 403/400 end the item
with a note where one can be written. A case's forum topic is opened on its first relay.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from .. import cases
from ..engine.render import case_closed_reply, case_waiting_reply
from ..metrics import metrics
from ..store import Store
from .moderators import chat_for, header_text, topic_name
from .tg import keyboard, retry_after_seconds
from .tg_privacy import UserChat, erase_copies, record_copy

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12          # 5xx/time-outs: about an hour of backing off, then a note
BACKOFF_BASE = 2.0         # seconds: 2, 4, 8, ... after each failed try
MAX_BACKOFF = 300.0        # seconds


def add_store_gauges(store: Store) -> None:
    metrics.gauges["safebot_open_cases"] = store.count_open_cases
    metrics.gauges["safebot_outbox_backlog"] = store.backlog


class Outbox:
    def __init__(self, channel, app: Application):
        self.channel = channel
        self.app = app
        self.store: Store = channel.engine.store
        self.settings = channel.settings
        self.wake = asyncio.Event()
        self.tasks: list[asyncio.Task] = []
        self.backoff_base = BACKOFF_BASE
        add_store_gauges(self.store)

    async def deliver_forever(self, direction: str) -> None:
        while True:
            try:
                delivered = await self.deliver_due(direction)
            except asyncio.CancelledError:
                raise
            except Exception:  # never let one bad item stop delivery
                log.exception("outbox_worker_error direction=%s", direction)
                delivered = 0
            if not delivered:
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), timeout=1.0)
                except asyncio.TimeoutError:
                    pass

    async def deliver_due(self, direction: str) -> int:
        delivered = 0
        blocked: set[int] = set()
        for item in self.store.due(direction, time.time()):
            if item["case_id"] in blocked or self.store.pending_before(item):
                blocked.add(item["case_id"])  # keep each case's messages in order
                continue
            ok = await self.deliver(item)
            delivered += 1
            if not ok:
                blocked.add(item["case_id"])
        return delivered

    async def deliver(self, item: dict) -> bool:
        case = self.store.case(item["case_id"])
        if case is None:
            self.store.mark_failed(item["id"], "case deleted")
            return False
        try:
            await self.send_item(item, case)
        except RetryAfter as exc:
            self.store.retry_later(item["id"], time.time() + retry_after_seconds(exc), "RetryAfter", count_attempt=False)
            return False
        except Forbidden as exc:
            self.store.mark_failed(item["id"], f"Forbidden: {exc}")
            await self.on_forbidden(item, case)
            return False
        except BadRequest as exc:
            if item["direction"] == cases.TO_MODERATORS and "thread not found" in str(exc).lower():
                # The topic was deleted: the next attempt opens a new topic for the case.
                self.store.update_case(case["id"], topic_id=None)
                return self._backoff(item, case, f"BadRequest: {exc}")
            self.store.mark_failed(item["id"], f"BadRequest: {exc}")
            await self.note(case, f"⚠️ A message could not be delivered ({exc}).")
            return False
        except _Wait:
            return False
        except (TimedOut, NetworkError) as exc:
            return self._backoff(item, case, f"{type(exc).__name__}: {exc}")
        except TelegramError as exc:  # 5xx arrive as plain TelegramError
            return self._backoff(item, case, f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a bug, not the network: retrying would not help
            log.exception("outbox_item_broken item=%s case=%s", item["id"], case["id"])
            self.store.mark_failed(item["id"], f"{type(exc).__name__}: {exc}")
            return False
        self.store.mark_sent(item["id"])
        return True

    def _backoff(self, item: dict, case: dict, error: str) -> bool:
        attempts = item["attempts"] + 1
        if attempts >= MAX_ATTEMPTS:
            self.store.mark_failed(item["id"], error)
            log.error("outbox_gave_up item=%s case=%s error=%s", item["id"], case["id"], error)
            return False
        self.store.retry_later(item["id"], time.time() + min(MAX_BACKOFF, self.backoff_base ** attempts), error)
        log.warning("outbox_retry item=%s attempt=%s error=%s", item["id"], attempts, error)
        return False

    async def on_forbidden(self, item: dict, case: dict) -> None:
        if item["direction"] == cases.TO_USER:
            user = self.store.user_chat(case["user_id"])
            if user and user.get("active"):  # say it once, not for every undelivered message
                self.store.set_active(case["user_id"], False)
                await self.note(case, "⚠️ The user has blocked the bot: nothing more can be delivered to them.")
        else:
            log.error("moderator_chat_forbidden case=%s (the bot was removed or blocked in the moderator chat)", case["id"])

    async def note(self, case: dict, text: str) -> None:
        """A note for the moderators in the case's topic (queued, like everything else)."""
        self.store.enqueue(f"note:{case['id']}:{time.time_ns()}", case["id"], cases.TO_MODERATORS, "note",
                           {"text": text}, 0)
        self.wake.set()

    async def send_item(self, item: dict, case: dict) -> None:
        payload = json.loads(item["payload"] or "{}")
        if item["direction"] == cases.TO_USER:
            await self.send_to_user(item, case, payload)
        else:
            await self.send_to_moderators(item, case, payload)

    def _remember(self, item: dict, payload: dict, **done: object) -> dict:
        """Record a finished step of a two-step relay, so a retry does not repeat it."""
        payload = {**payload, **done}
        self.store.db["outbox"].update(item["id"], {"payload": json.dumps(payload, ensure_ascii=False)})
        return payload

    async def send_to_user(self, item: dict, case: dict, payload: dict) -> None:
        user = UserChat(self.app.bot, self.store, case)  # the case's address; quiet mode; ids for /clear
        t = user.t
        kind = item["kind"]
        if kind == "closed":
            reply = case_closed_reply(case, t)
            await user.send_message(reply.text, reply_markup=keyboard(reply))
        elif kind == "waiting":
            reply = case_waiting_reply(t)
            await user.send_message(reply.text, reply_markup=keyboard(reply))
        elif kind == "text":
            await user.send_message(f"{t(cases.T_FROM_MODERATOR).format(case=case['id'])}\n\n{payload['text']}")
        else:  # media: an introduction, then a copy (a copy carries no sender name)
            if not payload.get("intro_sent"):
                await user.send_message(t(cases.T_FROM_MODERATOR).format(case=case["id"]))
                payload = self._remember(item, payload, intro_sent=True)
            await user.copy_message(payload["ref"]["chat_id"], payload["ref"]["message_id"])

    async def ensure_topic(self, case: dict, chat_id: int) -> int | None:
        """The case's forum topic, opened now if the chat has topics and the case has none."""
        if case.get("topic_id"):
            return case["topic_id"]
        try:
            is_forum = bool((await self.app.bot.get_chat(chat_id)).is_forum)
        except TelegramError:
            is_forum = False
        if not is_forum:
            return None
        topic = await self.app.bot.create_forum_topic(chat_id, topic_name(case))
        self.store.update_case(case["id"], topic_id=topic.message_thread_id)
        case["topic_id"] = topic.message_thread_id
        return topic.message_thread_id

    async def send_to_moderators(self, item: dict, case: dict, payload: dict) -> None:
        bot = self.app.bot
        chat_id = chat_for(case, self.settings)
        if not chat_id:
            # No moderator chat configured: the relay stays stored; look again in a minute.
            self.store.retry_later(item["id"], time.time() + 60, "MODERATOR_CHAT_ID not set", count_attempt=False)
            raise _Wait()
        if not case.get("moderator_chat_id"):
            self.store.update_case(case["id"], moderator_chat_id=chat_id)
        kind = item["kind"]
        if kind == "close_topic":
            if case.get("topic_id"):
                try:
                    await bot.close_forum_topic(chat_id, case["topic_id"])
                except BadRequest:
                    pass  # already closed or deleted
            return
        if kind == "erase":  # /forget: the user's words leave the topic
            await erase_copies(bot, self.store, case, chat_id)
            return
        had_topic = bool(case.get("topic_id"))
        thread_id = await self.ensure_topic(case, chat_id)
        if kind == "topic":
            return
        if thread_id and not had_topic and kind != "header":
            # a topic opened again after moderators deleted the first one: context first
            sent = await bot.send_message(chat_id, header_text(case, None), message_thread_id=thread_id)
            self.store.link(chat_id, sent.message_id, case["id"])
            record_copy(self.store, case, chat_id, sent)
        if kind == "header":
            sent = await bot.send_message(chat_id, header_text(case, payload.get("first_message")),
                                          message_thread_id=thread_id)
            self.store.update_case(case["id"], header_message_id=sent.message_id)
            record_copy(self.store, case, chat_id, sent)
        elif kind in ("text", "note"):
            prefix = "" if kind == "note" else f"#{case['id']} · user:\n"
            sent = await bot.send_message(chat_id, prefix + payload["text"], message_thread_id=thread_id)
            if kind == "text":
                record_copy(self.store, case, chat_id, sent)
        else:  # media from the user
            if not payload.get("intro_sent"):
                sent = await bot.send_message(chat_id, f"#{case['id']} · user sent a {payload.get('kind', 'file')}:",
                                              message_thread_id=thread_id)
                self.store.link(chat_id, sent.message_id, case["id"])
                payload = self._remember(item, payload, intro_sent=True)
            ref = payload["ref"]
            sent = await bot.copy_message(chat_id, ref["chat_id"], ref["message_id"], message_thread_id=thread_id)
            record_copy(self.store, case, chat_id, sent, kind="media")
        # Replies to any of the case's messages reach the user (groups without topics).
        self.store.link(chat_id, sent.message_id, case["id"])

    # lifecycle ----------------------------------------------------------------------------------
    def start(self) -> None:
        self.tasks = [asyncio.create_task(self.deliver_forever(cases.TO_MODERATORS), name="outbox-moderators"),
                      asyncio.create_task(self.deliver_forever(cases.TO_USER), name="outbox-users")]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class _Wait(Exception):
    """Not an error: the item waits (e.g. no moderator chat configured yet)."""
