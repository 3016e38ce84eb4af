"""The moderators' side on Telegram: one forum topic per case (or one header message to
reply to, in a group without topics), two-way anonymous relay, commands, reminders.
Delivery of what is queued, both ways, is channels.outbox's job.

Moderators → user: any plain message in a case's topic (or a reply to a case's message)
is queued for the user, introduced in the user's language as coming from "a person on
our team"; text is re-sent and media copied (copyMessage), so no name or username travels.
/note stays internal. Commands and relays count only inside a moderator chat and from
people, not bots.

"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import statistics
import time

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from .. import cases, forget, limits, retention
from ..config import Settings
from ..i18n import translator
from ..store import Store, now
from .tg import media_kind

log = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 30  # how often reminders and retention are looked at
TOPIC_NAME_CHARS = 128     # Telegram's limit for a forum topic name
MODERATOR_COMMANDS = ("claim", "note", "close", "cases", "stats")
COMMAND_RE = re.compile(r"/(\S+)\s*(.*)", re.DOTALL)  # "/note\nline one" is a note too
CASE_NUMBER_RE = re.compile(r"#?(\d{1,18})")  # /close 12 or /close #12


REASONS = {"distress": "a distress message was detected", "asked": "the user asked for a person",
           "scam": "the user asked for a person after a high-risk scam check",
           "emergency": "the user asked for a person from the emergency screen"}


def chat_for(case: dict, settings: Settings) -> int | None:
    """The moderator chat a case belongs to: the one it was routed to, else by language."""
    if case.get("moderator_chat_id"):
        return case["moderator_chat_id"]
    lang = (case.get("lang") or "").lower()
    return settings.moderator_chats_by_lang.get(lang) or settings.moderator_chat_id


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
    def __init__(self, channel, app: Application, outbox):
        self.channel = channel
        self.app = app
        self.store: Store = channel.engine.store
        self.settings = channel.settings
        self.wake = outbox.wake  # set when something was queued: the outbox delivers it
        self.tasks: list[asyncio.Task] = []
        self.housekeeping_every = HOUSEKEEPING_SECONDS
        self.retention_ran_at: float | None = None  # at start, then daily

    # routing ----------------------------------------------------------------------------
    def is_moderator_chat(self, chat_id: int) -> bool:
        return chat_id in self.channel.moderator_chat_ids

    def from_moderator(self, update: Update) -> bool:
        """A person in a moderator chat, or an anonymous admin of that chat (Telegram sends
        their messages from the group itself). Bots, channels and other chats never count."""
        chat, message, user = update.effective_chat, update.effective_message, update.effective_user
        if chat is None or message is None or not self.is_moderator_chat(chat.id):
            return False
        if message.sender_chat is not None:
            return message.sender_chat.id == chat.id
        return user is not None and not user.is_bot

    def routed_here(self, case: dict, chat_id: int) -> bool:
        return chat_for(case, self.settings) == chat_id

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
        message = update.effective_message
        if not self.from_moderator(update):
            return
        case = self.case_of(update)
        if case is not None and case.get("closed_by") == forget.FORGOTTEN:
            await self.say(update.effective_chat.id, message.message_thread_id if message.is_topic_message else None,
                           forget.TOLD_GONE)
            return
        if case is None or case["status"] == "closed":
            return  # ordinary talk among moderators stays in the group
        kind = "text" if message.text else media_kind(update)
        ref = {"chat_id": message.chat_id, "message_id": message.message_id}
        cases.add_moderator_message(self.store, case, kind, message.text, ref)
        log.info("moderator_reply case=%s kind=%s", case["id"], kind)
        self.wake.set()

    async def on_group_edit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A moderator corrected a message: the user's copy is corrected too (an edit)."""
        message = update.effective_message
        if not self.from_moderator(update) or not message.text or message.text.startswith("/"):
            return
        case = self.case_of(update)
        if case is None or case["status"] == "closed":
            return
        ref = {"chat_id": message.chat_id, "message_id": message.message_id}
        self.store.enqueue(f"edit:{message.chat_id}:{message.message_id}:{time.time_ns()}", case["id"], cases.TO_USER,
                           "edit", {"text": message.text, "ref": ref}, cases.PRIORITY[case["priority"]])
        log.info("moderator_edit case=%s", case["id"])
        self.wake.set()

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat = update.effective_message, update.effective_chat
        if not self.from_moderator(update):
            return  # anyone claiming to be a moderator elsewhere is ignored
        match = COMMAND_RE.match(message.text or "")
        name = match.group(1).split("@")[0].lower() if match else ""
        if name not in MODERATOR_COMMANDS:
            return
        reply = await getattr(self, f"cmd_{name}")(update, match.group(2).strip())
        if reply:
            await self.say(chat.id, message.message_thread_id if message.is_topic_message else None, reply)

    async def cmd_claim(self, update: Update, arg: str) -> str:
        case = self.case_of(update)
        if case is None:
            return "Use /claim inside a case's topic (or as a reply to its message)."
        sender = update.effective_message.sender_chat
        name = "an anonymous admin" if sender is not None else update.effective_user.full_name
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
        if arg:  # /close N acts on case N, wherever it is typed in the team's chat
            number = CASE_NUMBER_RE.fullmatch(arg)
            if number is None:
                return "Write /close alone in the case's topic, or /close followed by the case number, e.g. /close 12."
            case = self.store.case(int(number.group(1)))
            if case is None or not self.routed_here(case, update.effective_chat.id):
                return f"There is no case #{number.group(1)} for this team. Nothing was closed."
        else:
            case = self.case_of(update)
        if case is None:
            return "Use /close inside a case's topic (or as a reply to its message), or /close NUMBER."
        if case["status"] == "closed":
            return f"Case #{case['id']} is already closed."
        cases.close_case(self.store, case, by="moderator")
        self.wake.set()
        return f"Case #{case['id']} is closed. The user gets a closing message and can ask for a person again."

    async def cmd_cases(self, update: Update, arg: str) -> str:
        chat_id = update.effective_chat.id
        open_cases = [c for c in self.store.open_cases() if self.routed_here(c, chat_id)]  # this team's only
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
        chat_id = update.effective_chat.id
        rows = [c for c in self.store.db["cases"].rows if self.routed_here(c, chat_id)]  # this team's only
        ids = [c["id"] for c in rows]
        open_ = [c for c in rows if c["status"] != "closed"]
        urgent = [c for c in open_ if c["priority"] == cases.URGENT]
        waits = [(dt.datetime.fromisoformat(c["first_response_at"]) - dt.datetime.fromisoformat(c["opened_at"])).total_seconds()
                 for c in rows if c.get("first_response_at")]
        median = _age(dt.timedelta(seconds=statistics.median(waits))) if waits else "no replies yet"
        return (f"Open cases: {len(open_)} (urgent: {len(urgent)})\n"
                f"Median time to first reply: {median}\n"
                f"Waiting to be delivered: to moderators {self.store.backlog_of(ids, cases.TO_MODERATORS)}, "
                f"to users {self.store.backlog_of(ids, cases.TO_USER)}")

    async def say(self, chat_id: int, thread_id: int | None, text: str) -> None:
        try:
            await self.app.bot.send_message(chat_id, text, message_thread_id=thread_id)
        except TelegramError as exc:
            log.warning("moderator_reply_failed error=%s", type(exc).__name__)

    # reminders and retention ------------------------------------------------------------------
    async def housekeeping_forever(self) -> None:
        while True:
            try:
                self.remind_urgent()
                self.run_retention()
            except Exception:
                log.exception("housekeeping_error")
            await asyncio.sleep(self.housekeeping_every)

    def run_retention(self, now: dt.datetime | None = None) -> None:
        """The retention purge at start and daily; a closed case's chat address as soon as
        its last message is out (bot.retention)."""
        now = now or dt.datetime.now(dt.timezone.utc)
        if self.retention_ran_at is None or now.timestamp() - self.retention_ran_at >= limits.RETENTION_EVERY_SECONDS:
            self.retention_ran_at = now.timestamp()
            retention.purge(self.store, now, self.settings.retention_days)
            self.wake.set()  # warnings and closed topics for the moderators
        else:
            retention.drop_addresses(self.store)

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
        self.tasks = [asyncio.create_task(self.housekeeping_forever(), name="housekeeping")]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def _age(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h {minutes % 60} min" if hours < 48 else f"{hours // 24} days"


def register(app: Application, channel, outbox) -> "Moderators":
    moderators = Moderators(channel, app, outbox)
    app.bot_data["moderators"] = moderators
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler(list(MODERATOR_COMMANDS), moderators.on_command, filters=groups))
    app.add_handler(MessageHandler(groups & ~filters.COMMAND & ~filters.StatusUpdate.ALL, moderators.on_group_message))
    edits = filters.ChatType.GROUPS & filters.UpdateType.EDITED_MESSAGE & filters.TEXT
    app.add_handler(MessageHandler(edits, moderators.on_group_edit))
    return moderators
