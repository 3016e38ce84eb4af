"""The worker that delivers the durable outbox (store) to Telegram.

Two workers, one per direction, so a full moderator group (Telegram allows a bot about
20 messages a minute there) never holds up answers to users.

Order and fairness: a case's items go strictly in the order they were queued (by id);
across cases, urgent cases first, then the case served longest ago, one item at a time,
so one case's backlog never delays another case's first message (store.next_due). A case
waiting out a back-off takes no turn. Consecutive texts of a user are joined into one relay
(up to Telegram's length limit) so a flood becomes a few messages; a text too long for one
message is sent in parts, its prefix included in the limit.

Failures: 5xx and time-outs back off and retry; RetryAfter is waited out; a permanent error
(400, 403, or retries used up) moves the item aside with a note in the case's topic, and
the rest flows on. A user whose message could not reach the team is told once, with the
numbers to call. A case's forum topic is opened on its first relay.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from .. import cases, limits
from ..engine.render import EMERGENCY, case_closed_reply, case_waiting_reply, render_fact, select_facts
from ..metrics import metrics
from ..store import Store
from .moderators import chat_for, header_text, topic_name
from .tg import keyboard, retry_after_seconds, split_text, utf16_len
from . import tg_calls
from .tg_privacy import UserChat, erase_copies, record_copy

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12          # 5xx/time-outs: about 25 minutes of backing off, then a note
BACKOFF_BASE = 2.0         # seconds: 2, 4, 8, ... after each failed try
MAX_BACKOFF = 300.0        # seconds
COALESCE_MAX = 50          # a user's queued texts joined into one relay, at most this many
ITEMS_PER_PASS = 50        # items a worker delivers before it looks at the clock again
USER_WORDS = ("text", "copy", "header")  # relays that carry what the user wrote
EMERGENCY_SCREEN = "emergency"


def add_store_gauges(store: Store) -> None:
    metrics.gauges["safebot_open_cases"] = store.count_open_cases
    metrics.gauges["safebot_outbox_backlog"] = store.backlog


@dataclass
class Part:
    """One message of a relay: a text (with buttons), or a copy of a message."""
    text: str | None = None
    markup: InlineKeyboardMarkup | None = None
    copy_of: dict | None = None  # {"chat_id", "message_id"}


def text_parts(intro: str, text: str, continued: str | None = None) -> list[Part]:
    """`intro` + text in as many messages as needed; later ones start with `continued`."""
    whole = f"{intro}{text}"
    if utf16_len(whole) <= limits.MESSAGE_TEXT_CHARS:
        return [Part(whole)]
    later = continued if continued is not None else ""
    room = limits.MESSAGE_TEXT_CHARS - max(utf16_len(intro), utf16_len(later))
    pieces = split_text(text, room)
    return [Part((intro if i == 0 else later) + piece) for i, piece in enumerate(pieces)]


def buttons_markup(rows: list[list[list[str]]] | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in rows])


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

    # the workers ---------------------------------------------------------------------------
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

    async def deliver_due(self, direction: str, max_items: int = ITEMS_PER_PASS) -> int:
        """Try up to `max_items` items, each time the one whose turn it is (store.next_due).
        Every try changes the item (sent, failed or a later try), so this always moves on."""
        tried = 0
        while tried < max_items:
            item = self.store.next_due(direction, time.time())
            if item is None:
                break
            await self.deliver(item)
            tried += 1
        return tried

    async def deliver(self, item: dict) -> bool:
        case = self.store.case(item["case_id"])
        if case is None:
            self.store.mark_failed(item["id"], "case deleted")
            return False
        try:
            joined = await self.send_item(item, case)
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
                return await self._backoff(item, case, f"BadRequest: {exc}")
            self.store.mark_failed(item["id"], f"BadRequest: {exc}")
            await self.gave_up(item, case, str(exc))
            return False
        except _Wait:
            return False
        except (TimedOut, NetworkError) as exc:
            return await self._backoff(item, case, f"{type(exc).__name__}: {exc}")
        except TelegramError as exc:  # 5xx arrive as plain TelegramError
            return await self._backoff(item, case, f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a bug, not the network: retrying would not help
            log.exception("outbox_item_broken item=%s case=%s", item["id"], case["id"])
            self.store.mark_failed(item["id"], f"{type(exc).__name__}: {exc}")
            await self.gave_up(item, case, "internal error")
            return False
        with self.store.transaction():
            for done in [item, *joined]:
                self.store.mark_sent(done["id"])
        return True

    async def _backoff(self, item: dict, case: dict, error: str) -> bool:
        attempts = item["attempts"] + 1
        if attempts >= MAX_ATTEMPTS:
            self.store.mark_failed(item["id"], error)
            log.error("outbox_gave_up item=%s case=%s error=%s", item["id"], case["id"], error)
            await self.gave_up(item, case, f"no answer from Telegram after {attempts} tries")
            return False
        self.store.retry_later(item["id"], time.time() + min(MAX_BACKOFF, self.backoff_base ** attempts), error)
        log.warning("outbox_retry item=%s attempt=%s error=%s", item["id"], attempts, error)
        return False

    # when an item cannot be delivered ----------------------------------------------------------
    async def gave_up(self, item: dict, case: dict, reason: str) -> None:
        """The item is set aside for good: the moderators are told in the case's topic, and a
        user whose own words did not reach the team is told once."""
        if item["direction"] == cases.TO_USER:
            await self.note(case, f"⚠️ A message could not be delivered to the user: {reason}")
            return
        if item["kind"] in USER_WORDS:
            self.tell_user_not_delivered(case)
        if item["kind"] != "note":
            await self.note(case, f"⚠️ A message could not be delivered: {reason}")

    def tell_user_not_delivered(self, case: dict) -> None:
        # The key makes it once per case, however many messages are lost.
        self.store.enqueue(f"case:{case['id']}:not_delivered", case["id"], cases.TO_USER, "not_delivered", {},
                           cases.PRIORITY[case["priority"]])
        self.wake.set()

    async def on_forbidden(self, item: dict, case: dict) -> None:
        if item["direction"] == cases.TO_USER:
            user = self.store.user_chat(case["user_id"])
            if user and user.get("active"):  # say it once, not for every undelivered message
                self.store.set_active(case["user_id"], False)
                await self.note(case, "⚠️ The user has blocked the bot: nothing more can be delivered to them.")
        else:
            log.error("moderator_chat_forbidden case=%s (the bot was removed or blocked in the moderator chat)", case["id"])
            if item["kind"] in USER_WORDS:
                self.tell_user_not_delivered(case)

    async def note(self, case: dict, text: str) -> None:
        """A note for the moderators in the case's topic: queued behind the case's other items,
        with the case's own priority (a note must never jump its own case's queue)."""
        self.store.enqueue(f"note:{case['id']}:{time.time_ns()}", case["id"], cases.TO_MODERATORS, "note",
                           {"text": text}, cases.PRIORITY[case["priority"]])
        self.wake.set()

    # sending ------------------------------------------------------------------------------------
    async def send_item(self, item: dict, case: dict) -> list[dict]:
        """Send one item; returns the further items that were joined into it (sent with it)."""
        payload = json.loads(item["payload"] or "{}")
        if item["direction"] == cases.TO_USER:
            await self.send_to_user(item, case, payload)
            return []
        return await self.send_to_moderators(item, case, payload)

    def _remember(self, item: dict, payload: dict, **done: object) -> dict:
        """Record a finished step of a relay in several messages, so a retry does not repeat it."""
        payload = {**payload, **done}
        self.store.db["outbox"].update(item["id"], {"payload": json.dumps(payload, ensure_ascii=False)})
        return payload

    async def send_parts(self, item: dict, payload: dict, chat_id: int, parts: list[Part],
                         thread_id: int | None = None, user: UserChat | None = None) -> list[int]:
        """Send the parts not sent yet (a retry starts where the last try stopped)."""
        bot = self.app.bot
        done = payload.get("done", 1 if payload.get("intro_sent") else 0)
        sent_ids: list[int] = []
        for number, part in enumerate(parts):
            if number < done:
                continue
            if user is not None:  # to the user: quiet mode, ids kept for "Clear this chat"
                sent = (await user.copy_message(part.copy_of["chat_id"], part.copy_of["message_id"]) if part.copy_of
                        else await user.send_message(part.text, reply_markup=part.markup))
            elif part.copy_of:
                sent = await bot.copy_message(chat_id, part.copy_of["chat_id"], part.copy_of["message_id"],
                                              message_thread_id=thread_id)
            else:
                sent = await tg_calls.send_message(bot, chat_id, part.text, reply_markup=part.markup,
                                                   message_thread_id=thread_id)
            if user is None and item["kind"] in USER_WORDS:  # to erase them if the user asks (/forget)
                record_copy(self.store, {"id": item["case_id"]}, chat_id, sent, kind="media" if part.copy_of else "text")
            sent_ids.append(sent.message_id)
            self.store.add_copy(item["case_id"], item["direction"], payload.get("ref"), chat_id, sent.message_id)
            if number < len(parts) - 1:
                payload = self._remember(item, payload, done=number + 1)
        return sent_ids

    async def send_to_user(self, item: dict, case: dict, payload: dict) -> None:
        user = UserChat(self.app.bot, self.store, case)  # the case's address; quiet mode; ids for /clear
        chat_id, t = user.chat_id, user.t
        kind = item["kind"]
        intro = t(cases.T_FROM_MODERATOR).format(case=case["id"])
        if kind == "edit":
            await self.edit_for_user(case, chat_id, intro, payload)
            return
        if kind == "closed":
            reply = case_closed_reply(case, t)
            parts = [Part(reply.text, keyboard(reply))]
        elif kind == "waiting":
            reply = case_waiting_reply(t)
            parts = [Part(reply.text, keyboard(reply))]
        elif kind == "reply":  # the bot's own answer, queued when sending it at once failed
            parts = [Part(payload["text"], buttons_markup(payload.get("buttons")))]
        elif kind == "not_delivered":
            parts = self.not_delivered_parts(case, t)
        elif kind == "text":
            parts = text_parts(f"{intro}\n\n", payload["text"])
        else:  # media: an introduction, then a copy (a copy carries no sender name)
            parts = [Part(intro), Part(copy_of=payload["ref"])]
        await self.send_parts(item, payload, chat_id, parts, user=user)

    def not_delivered_parts(self, case: dict, t) -> list[Part]:
        """Sorry, and the numbers to call where the user is (those of the emergency screen)."""
        bundle = self.channel.engine.bundle
        screen = bundle.screens.get(EMERGENCY_SCREEN)
        facts = select_facts(bundle, screen.facts, self.store.load(case["user_id"])) if screen else []
        text = "\n\n".join([t(cases.T_NOT_DELIVERED), *(render_fact(fact, t) for fact in facts)])
        parts = text_parts("", text)
        parts[-1].markup = InlineKeyboardMarkup([[InlineKeyboardButton(t(EMERGENCY), callback_data="g:emergency")]])
        return parts

    async def edit_for_user(self, case: dict, chat_id: int, intro: str, payload: dict) -> None:
        """A moderator corrected a message: correct the user's copy (or send it anew when the
        correction no longer fits one message, or the copy cannot be edited any more)."""
        ref = payload.get("ref") or {}
        copies = [c for c in self.store.copies_of(ref.get("chat_id"), ref.get("message_id"))
                  if c["direction"] == cases.TO_USER and c["copy_chat_id"] == chat_id]
        if not copies:
            return  # the message itself never reached the user: nothing to correct
        parts = text_parts(f"{intro}\n\n", payload["text"])
        if len(parts) == 1 and len(copies) == 1:
            try:
                await self.app.bot.edit_message_text(parts[0].text, chat_id=chat_id,
                                                     message_id=copies[0]["copy_message_id"])
                return
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return
                log.info("edit_not_possible case=%s error=%s", case["id"], type(exc).__name__)
        for part in parts:
            await self.app.bot.send_message(chat_id, part.text)

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

    def joinable(self, item: dict, payload: dict, prefix: str) -> list[dict]:
        """The user's texts queued right after this one, joined while one message holds them."""
        if item["kind"] != "text" or payload.get("done"):
            return []
        total = utf16_len(prefix + payload["text"])
        joined = []
        for follower in self.store.pending_after(item, COALESCE_MAX):
            if follower["kind"] != "text" or follower["next_try_at"] > time.time():
                break
            text = json.loads(follower["payload"] or "{}").get("text") or ""
            total += 2 + utf16_len(text)
            if total > limits.MESSAGE_TEXT_CHARS:
                break
            joined.append({**follower, "text": text})
        return joined

    async def send_to_moderators(self, item: dict, case: dict, payload: dict) -> list[dict]:
        bot = self.app.bot
        chat_id = chat_for(case, self.settings)
        if not chat_id:
            # No moderator chat configured: the relay stays stored; look again in a minute.
            self.store.retry_later(item["id"], time.time() + 60, "MODERATOR_CHAT_ID not set", count_attempt=False)
            raise _Wait()
        if not case.get("moderator_chat_id"):
            self.store.update_case(case["id"], moderator_chat_id=chat_id)
        kind = item["kind"]
        if kind in ("close_topic", "reopen_topic"):
            if case.get("topic_id"):
                action = bot.close_forum_topic if kind == "close_topic" else bot.reopen_forum_topic
                try:
                    await action(chat_id, case["topic_id"])
                except BadRequest:
                    pass  # already closed (or open), or deleted
            return []
        if kind == "erase":  # /forget: the user's words leave the topic
            await erase_copies(bot, self.store, case, chat_id)
            return []
        had_topic = bool(case.get("topic_id"))
        thread_id = await self.ensure_topic(case, chat_id)
        if kind == "topic":
            return []
        if thread_id and not had_topic and kind != "header":
            # a topic opened again after moderators deleted the first one: context first
            sent = await bot.send_message(chat_id, header_text(case, None), message_thread_id=thread_id)
            self.store.link(chat_id, sent.message_id, case["id"])
        joined: list[dict] = []
        if kind == "header":
            parts = text_parts("", header_text(case, payload.get("first_message")))
        elif kind == "note":
            parts = text_parts("", payload["text"])
        elif kind == "text":
            prefix = f"#{case['id']} · user:\n"
            joined = self.joinable(item, payload, prefix)
            text = "\n\n".join([payload["text"], *(j["text"] for j in joined)])
            parts = text_parts(prefix, text, continued=f"#{case['id']} · user (continued):\n")
        else:  # media from the user
            parts = [Part(f"#{case['id']} · user sent a {payload.get('kind', 'file')}:"), Part(copy_of=payload["ref"])]
        sent_ids = await self.send_parts(item, payload, chat_id, parts, thread_id)
        if kind == "header" and sent_ids and not payload.get("done"):
            self.store.update_case(case["id"], header_message_id=sent_ids[0])
        # Replies to any of the case's messages reach the user (groups without topics).
        for message_id in sent_ids:
            self.store.link(chat_id, message_id, case["id"])
        return joined

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
