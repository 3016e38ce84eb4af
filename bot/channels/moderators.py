"""The moderators' side on Telegram: one forum topic per case (or one header message to
reply to, in a group without topics), two-way anonymous relay, commands, reminders —
and the worker that delivers the durable outbox.

Moderators → user: any plain message in a case's topic (or a reply to a case's message)
is queued for the user, introduced in the user's language as coming from "a person on
our team"; text is re-sent and media copied (copyMessage), so no name or username travels.
/note stays internal. Commands and relays count only inside a moderator chat and from
people, not bots.

Delivery: the outbox (store) is drained by two workers, one per direction, so a full
moderator group (Telegram allows a bot about 20 messages a minute there) never holds up
answers to users. Urgent cases go first. 5xx and time-outs back off and retry;
RetryAfter is waited out; 403/400 end the item with a note where one can be written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import statistics
import time

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from .. import cases
from ..engine.render import case_closed_reply, case_waiting_reply
from ..i18n import translator
from ..metrics import metrics
from ..store import Store, now
from .telegram import keyboard, media_kind, retry_after_seconds

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12          # 5xx/time-outs: about an hour of backing off, then a note
BACKOFF_BASE = 2.0         # seconds: 2, 4, 8, ... after each failed try
MAX_BACKOFF = 300.0        # seconds
RETENTION_DAYS = 30        # closed cases (and their messages) are deleted after this
HOUSEKEEPING_SECONDS = 30  # how often reminders and retention are looked at
TOPIC_NAME_CHARS = 128     # Telegram's limit for a forum topic name
MODERATOR_COMMANDS = ("claim", "note", "close", "cases", "stats")


REASONS = {"distress": "a distress message was detected", "asked": "the user asked for a person",
           "scam": "the user asked for a person after a high-risk scam check",
           "emergency": "the user asked for a person from the emergency screen"}


def topic_name(case: dict) -> str:
    route = f"{case.get('origin') or '?'}→{case.get('destination') or '?'}"
    parts = [f"#{case['id']}", case.get("lang") or "?", route]
    if case["priority"] == cases.URGENT:
        parts.append("URGENT")
    return " · ".join(parts)[:TOPIC_NAME_CHARS]


def header_text(case: dict, first_message: str | None) -> str:
    """The context handoff, so nobody asks the user to repeat a painful story."""
    context = json.loads(case.get("context") or "{}")
    en = translator("en")
    who = {"self": "the person themself", "family": "a family member"}.get(case.get("role") or "", "not said")
    lines = [
        topic_name(case),
        f"Opened because: {REASONS.get(case['reason'], case['reason'])}",
        f"Who is asking: {who}",
        f"Language: {en.language_name(case['lang']) if case.get('lang') else '?'} ({case.get('lang')})",
        f"From: {en.country(case.get('origin'))} → to: {en.country(case.get('destination'))}",
    ]
    if context.get("location"):
        lines.append(f"Says they are now in: {en.country(context['location'])}")
    if context.get("screens"):
        lines.append("Last screens: " + " → ".join(context["screens"]))
    scam = context.get("scam_check")
    if scam:
        lines.append(f"Scam check: risk {scam.get('risk', '?').upper()}; warning signs: "
                     + (", ".join(scam.get("yes") or scam.get("flags") or []) or "none")
                     + (f"; did not know: {', '.join(scam['unknown'])}" if scam.get("unknown") else ""))
    if first_message:
        lines.append(f"Their message: «{first_message}»")
    lines.append("Write here to answer (the user sees 'a person on our team', never your name). "
                 "/note TEXT stays internal · /claim · /close")
    return "\n".join(lines)


class Moderators:
    def __init__(self, channel, app: Application):
        self.channel = channel
        self.app = app
        self.store: Store = channel.engine.store
        self.settings = channel.settings
        self.wake = asyncio.Event()
        self.tasks: list[asyncio.Task] = []
        self.backoff_base = BACKOFF_BASE
        self.housekeeping_every = HOUSEKEEPING_SECONDS

    # routing ----------------------------------------------------------------------------
    def chat_for(self, case: dict) -> int | None:
        if case.get("moderator_chat_id"):
            return case["moderator_chat_id"]
        lang = (case.get("lang") or "").lower()
        return self.settings.moderator_chats_by_lang.get(lang) or self.settings.moderator_chat_id

    def is_moderator_chat(self, chat_id: int) -> bool:
        return chat_id in self.channel.moderator_chat_ids

    def case_of(self, update: Update) -> dict | None:
        message = update.effective_message
        chat_id = update.effective_chat.id
        if message.is_topic_message and message.message_thread_id:
            return self.store.case_by_topic(chat_id, message.message_thread_id)
        if message.reply_to_message is not None:
            case_id = self.store.linked_case(chat_id, message.reply_to_message.message_id)
            return self.store.case(case_id) if case_id else None
        return None

    # moderators' messages and commands -------------------------------------------------------
    async def on_group_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if user is None or user.is_bot or not self.is_moderator_chat(update.effective_chat.id):
            return
        case = self.case_of(update)
        if case is None or case["status"] == "closed":
            return  # ordinary talk among moderators stays in the group
        kind = "text" if message.text else media_kind(update)
        ref = {"chat_id": message.chat_id, "message_id": message.message_id}
        cases.add_moderator_message(self.store, case, kind, message.text, ref)
        log.info("moderator_reply case=%s kind=%s", case["id"], kind)
        self.wake.set()

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user, chat = update.effective_message, update.effective_user, update.effective_chat
        if user is None or user.is_bot or not self.is_moderator_chat(chat.id):
            return  # anyone claiming to be a moderator elsewhere is ignored
        name, _, arg = (message.text or "").lstrip("/").partition(" ")
        name = name.split("@")[0].lower()
        reply = await getattr(self, f"cmd_{name}")(update, arg.strip())
        if reply:
            await self.say(chat.id, message.message_thread_id if message.is_topic_message else None, reply)

    async def cmd_claim(self, update: Update, arg: str) -> str:
        case = self.case_of(update)
        if case is None:
            return "Use /claim inside a case's topic (or as a reply to its message)."
        name = update.effective_user.full_name
        self.store.update_case(case["id"], claimed_by=name)
        return f"Case #{case['id']} is handled by {name}. (Only moderators see this.)"

    async def cmd_note(self, update: Update, arg: str) -> str:
        case = self.case_of(update)
        if case is None:
            return "Use /note inside a case's topic (or as a reply to its message)."
        if not arg:
            return "Write the note after the command: /note TEXT"
        cases.add_note(self.store, case, arg)
        return f"Note saved in case #{case['id']}. It is not sent to the user."

    async def cmd_close(self, update: Update, arg: str) -> str:
        case = self.case_of(update)
        if case is None:
            return "Use /close inside a case's topic (or as a reply to its message)."
        if case["status"] == "closed":
            return f"Case #{case['id']} is already closed."
        cases.close_case(self.store, case, by="moderator")
        self.wake.set()
        return f"Case #{case['id']} is closed. The user gets a closing message and can ask for a person again."

    async def cmd_cases(self, update: Update, arg: str) -> str:
        open_cases = self.store.open_cases()
        if not open_cases:
            return "No open cases."
        now_ = dt.datetime.now(dt.timezone.utc)
        lines = [f"Open cases ({len(open_cases)}), urgent first, then oldest:"]
        for case in open_cases[:50]:
            age = now_ - dt.datetime.fromisoformat(case["opened_at"])
            waiting = "" if case.get("first_response_at") else " · no reply yet"
            claimed = f" · {case['claimed_by']}" if case.get("claimed_by") else ""
            lines.append(f"{topic_name(case)} · {_age(age)}{waiting}{claimed}")
        return "\n".join(lines)

    async def cmd_stats(self, update: Update, arg: str) -> str:
        rows = list(self.store.db["cases"].rows)
        open_ = [c for c in rows if c["status"] != "closed"]
        urgent = [c for c in open_ if c["priority"] == cases.URGENT]
        waits = [(dt.datetime.fromisoformat(c["first_response_at"]) - dt.datetime.fromisoformat(c["opened_at"])).total_seconds()
                 for c in rows if c.get("first_response_at")]
        median = _age(dt.timedelta(seconds=statistics.median(waits))) if waits else "no replies yet"
        return (f"Open cases: {len(open_)} (urgent: {len(urgent)})\n"
                f"Median time to first reply: {median}\n"
                f"Waiting to be delivered: to moderators {self.store.backlog(cases.TO_MODERATORS)}, "
                f"to users {self.store.backlog(cases.TO_USER)}")

    async def say(self, chat_id: int, thread_id: int | None, text: str) -> None:
        try:
            await self.app.bot.send_message(chat_id, text, message_thread_id=thread_id)
        except TelegramError as exc:
            log.warning("moderator_reply_failed error=%s", type(exc).__name__)

    # the outbox ---------------------------------------------------------------------------
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
        bot = self.app.bot
        user = self.store.user_chat(case["user_id"])
        if user is None or not case["user_id"].startswith("tg:"):
            raise Forbidden("the user's data is gone")
        chat_id = int(case["user_id"].removeprefix("tg:"))
        t = translator(user.get("lang") or case.get("lang"))
        kind = item["kind"]
        if kind == "closed":
            reply = case_closed_reply(case, t)
            await bot.send_message(chat_id, reply.text, reply_markup=keyboard(reply))
        elif kind == "waiting":
            reply = case_waiting_reply(t)
            await bot.send_message(chat_id, reply.text, reply_markup=keyboard(reply))
        elif kind == "text":
            await bot.send_message(chat_id, f"{t(cases.T_FROM_MODERATOR).format(case=case['id'])}\n\n{payload['text']}")
        else:  # media: an introduction, then a copy (a copy carries no sender name)
            if not payload.get("intro_sent"):
                await bot.send_message(chat_id, t(cases.T_FROM_MODERATOR).format(case=case["id"]))
                payload = self._remember(item, payload, intro_sent=True)
            await bot.copy_message(chat_id, payload["ref"]["chat_id"], payload["ref"]["message_id"])

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
        chat_id = self.chat_for(case)
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
        had_topic = bool(case.get("topic_id"))
        thread_id = await self.ensure_topic(case, chat_id)
        if kind == "topic":
            return
        if thread_id and not had_topic and kind != "header":
            # a topic opened again after moderators deleted the first one: context first
            sent = await bot.send_message(chat_id, header_text(case, None), message_thread_id=thread_id)
            self.store.link(chat_id, sent.message_id, case["id"])
        if kind == "header":
            sent = await bot.send_message(chat_id, header_text(case, payload.get("first_message")),
                                          message_thread_id=thread_id)
            self.store.update_case(case["id"], header_message_id=sent.message_id)
        elif kind in ("text", "note"):
            prefix = "" if kind == "note" else f"#{case['id']} · user:\n"
            sent = await bot.send_message(chat_id, prefix + payload["text"], message_thread_id=thread_id)
        else:  # media from the user
            if not payload.get("intro_sent"):
                sent = await bot.send_message(chat_id, f"#{case['id']} · user sent a {payload.get('kind', 'file')}:",
                                              message_thread_id=thread_id)
                self.store.link(chat_id, sent.message_id, case["id"])
                payload = self._remember(item, payload, intro_sent=True)
            ref = payload["ref"]
            sent = await bot.copy_message(chat_id, ref["chat_id"], ref["message_id"], message_thread_id=thread_id)
        # Replies to any of the case's messages reach the user (groups without topics).
        self.store.link(chat_id, sent.message_id, case["id"])

    # reminders and retention ------------------------------------------------------------------
    async def housekeeping_forever(self) -> None:
        while True:
            try:
                self.remind_urgent()
                self.store.purge_closed((dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=RETENTION_DAYS)).isoformat())
            except Exception:
                log.exception("housekeeping_error")
            await asyncio.sleep(self.housekeeping_every)

    def remind_urgent(self) -> None:
        limit = dt.timedelta(minutes=self.settings.urgent_reminder_minutes)
        now_ = dt.datetime.now(dt.timezone.utc)
        for case in self.store.open_cases():
            if case["priority"] != cases.URGENT or case.get("first_response_at") or case.get("reminded_at"):
                continue
            if now_ - dt.datetime.fromisoformat(case["opened_at"]) < limit:
                continue
            self.store.update_case(case["id"], reminded_at=now())
            self.store.enqueue(f"case:{case['id']}:reminder", case["id"], cases.TO_MODERATORS, "note",
                               {"text": f"⏰ Urgent case #{case['id']} has waited {self.settings.urgent_reminder_minutes} minutes with no reply."}, 0)
            self.store.enqueue(f"case:{case['id']}:waiting", case["id"], cases.TO_USER, "waiting", {}, 0)
            self.wake.set()

    # lifecycle ----------------------------------------------------------------------------------
    def start(self) -> None:
        self.tasks = [asyncio.create_task(self.deliver_forever(cases.TO_MODERATORS), name="outbox-moderators"),
                      asyncio.create_task(self.deliver_forever(cases.TO_USER), name="outbox-users"),
                      asyncio.create_task(self.housekeeping_forever(), name="housekeeping")]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class _Wait(Exception):
    """Not an error: the item waits (e.g. no moderator chat configured yet)."""


def _age(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h {minutes % 60} min" if hours < 48 else f"{hours // 24} days"


def add_store_gauges(store: Store) -> None:
    metrics.gauges["safebot_open_cases"] = store.count_open_cases
    metrics.gauges["safebot_outbox_backlog"] = store.backlog


def register(app: Application, channel) -> "Moderators":
    moderators = Moderators(channel, app)
    app.bot_data["moderators"] = moderators
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler(list(MODERATOR_COMMANDS), moderators.on_command, filters=groups))
    app.add_handler(MessageHandler(groups & ~filters.COMMAND & ~filters.StatusUpdate.ALL, moderators.on_group_message))
    add_store_gauges(channel.engine.store)

    return moderators
