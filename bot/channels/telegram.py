"""Telegram channel: python-telegram-bot 22 glue around the engine.

- Private chats only talk to the engine; every other group is ignored (and left), except
  the moderators' chat, whose handlers live in channels.moderators (delivery: channels.outbox).
- Inline keyboards; a button press edits the screen in place and always answers the
  callback query. A stale or forged payload is the engine's business ("expired" + menu).
- Updates of one chat run in order, one at a time; different chats run concurrently up
  to CONCURRENT_UPDATES (the durable inbox, channels.inbox, in both modes), with an HTTP
  pool sized to match.
- Long polling confirms an update to Telegram only after it was handled (Poller).
- Outgoing calls go through AIORateLimiter (Telegram's per-chat, per-group and global
  limits, RetryAfter waited out). A user who blocked the bot is marked inactive.
- Logs: one line per event; chat ids are keyed hashes, never message text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import signal
import time

from telegram import BotCommand, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder,
                          CallbackQueryHandler, ChatMemberHandler, CommandHandler, ContextTypes,
                          MessageHandler, filters)

from .. import idhash
from ..config import Settings
from ..engine import Engine, Event, Reply
from ..i18n import SOURCE_LANGUAGE, SUPPORTED, translator
from ..flood import FloodGate, Verdict
from ..limits import CONCURRENT_UPDATES, HASHED_CHATS_CACHED, STORE_RETRY_MAX_SECONDS, STORE_RETRY_SECONDS, USER_TEXT_CHARS
from ..metrics import metrics
from ..safety import language
from . import moderators, outbox
from .aiohttp_request import AiohttpRequest, UpdatesRequest
from .replies import send_replies
from .inbox import Inbox, shape_problem, store_is_busy
from .tg import (allowed_updates, chat_ref, keyboard, media_kind, retry_after_seconds,  # noqa: F401 (re-exported)
                 token_looks_valid)
from .tg_privacy import record_incoming
from . import tg_calls
from .. import limits
from ..profile_texts import COMMANDS, DESCRIPTION, SHORT_DESCRIPTION  # re-exported

log = logging.getLogger(__name__)

# Telegram's language_code for our locales (it uses ISO 639-1: Filipino is "tl").
TELEGRAM_LANGUAGE_CODE = {"fil": "tl", "zh_Hans": "zh"}

# HTTP pool: two connections per concurrent update (a button press answers the query and
# edits the screen at once; with one each, calls queued for a connection: 390-430 against
# 480-500 updates/s at 50 ms, issue 17), plus room for the outbox workers.
CALLS_PER_UPDATE = 2
POOL_HEADROOM = 8


class TelegramChannel:
    """Wires the engine into an Application. One per process."""

    def __init__(self, engine: Engine, settings: Settings, concurrency: int = CONCURRENT_UPDATES):
        self.engine = engine
        self.settings = settings
        self.concurrency = concurrency
        # Users are known by a keyed hash of their chat id (bot.idhash); old rows are rehashed.
        self.id_key = idhash.load_key(engine.store.path, settings.secret_key)
        idhash.rehash_legacy_ids(engine.store, self.id_key)
        self.log_key = self.id_key.decode("utf-8", "replace")  # logs: chats as keyed hashes, not by the token
        self.flood = FloodGate(settings.user_messages_per_minute)

    def is_distress(self, text: str) -> bool:
        return bool(self.engine.distress.match(text[:USER_TEXT_CHARS]))

    # building -------------------------------------------------------------------------
    def build(self, with_updater: bool = True) -> Application:
        self.updates_request = UpdatesRequest(1)
        builder = (ApplicationBuilder().token(self.settings.token)
                   .base_url(self.settings.api_base_url)
                   .base_file_url(self.settings.api_base_url.replace("/bot", "/file/bot"))
                   .concurrent_updates(self.concurrency)
                   # aiohttp instead of PTB's httpx: a fraction of the CPU per call (aiohttp_request)
                   .request(AiohttpRequest(CALLS_PER_UPDATE * self.concurrency + POOL_HEADROOM))
                   .get_updates_request(self.updates_request)
                   .post_init(self.post_init)
                   .post_stop(self.post_stop))
        if self.settings.rate_limit:
            builder = builder.rate_limiter(AIORateLimiter(max_retries=2))
        if not with_updater:
            builder = builder.updater(None)
        app = builder.build()
        app.bot_data["channel"] = self
        self.register(app)
        return app

    def register(self, app: Application) -> None:
        private = filters.ChatType.PRIVATE
        app.add_handler(CommandHandler(list(COMMANDS), self.on_command, filters=private & filters.UpdateType.MESSAGE))
        app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.TEXT, self.on_media))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(ChatMemberHandler(self.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
        self.outbox = outbox.Outbox(self, app)  # durable delivery to moderators and users
        self.moderators = moderators.register(app, self, self.outbox)  # the moderators' group
        app.add_error_handler(self.on_error)

    async def post_init(self, app: Application) -> None:
        """Commands and descriptions in every language, and a plain check of the set-up."""
        bot = app.bot
        for lang in SUPPORTED:
            t = translator(lang)
            code = None if lang == SOURCE_LANGUAGE else TELEGRAM_LANGUAGE_CODE.get(lang, lang)
            commands = [BotCommand(name, t(text)[:limits.COMMAND_DESCRIPTION_CHARS]) for name, text in COMMANDS.items()]
            try:
                await bot.set_my_commands(commands, language_code=code)
                await bot.set_my_description(t(DESCRIPTION)[:limits.DESCRIPTION_CHARS], language_code=code)
                await bot.set_my_short_description(t(SHORT_DESCRIPTION)[:limits.SHORT_DESCRIPTION_CHARS], language_code=code)
            except TelegramError as exc:
                log.warning("set_commands_failed lang=%s error=%s", lang, exc)
        for problem in await self.check_setup(app):
            log.warning("setup_problem %s", problem)
            print(f"safebot: {problem}", flush=True)
        self.outbox.start()  # the outbox workers: relays survive restarts
        self.moderators.start()  # reminders and retention
        from .checkin_sender import CheckinSender  # due check-ins and alerts, from SQLite

        self.engine.checkin_config.bot_username = app.bot.username
        self.checkin_sender = CheckinSender(self, app)
        self.checkin_sender.start()

    async def post_stop(self, app: Application) -> None:
        if getattr(self, "checkin_sender", None):
            await self.checkin_sender.stop()
        await self.moderators.stop()
        await self.outbox.stop()

    async def check_setup(self, app: Application) -> list[str]:
        problems = []
        chats = {"": self.settings.moderator_chat_id, **{f" for {k}": v for k, v in self.settings.moderator_chats_by_lang.items()}}
        if not self.settings.moderator_chat_id:
            problems.append("MODERATOR_CHAT_ID is not set: cases are stored, but no moderator will see them.")
            self.engine.moderators_reachable = False  # users in danger are told so, with the numbers
        for label, chat_id in chats.items():
            if not chat_id:
                continue
            try:
                chat = await app.bot.get_chat(chat_id)
                member = await app.bot.get_chat_member(chat_id, app.bot.id)
            except TelegramError as exc:
                problems.append(f"the moderator chat{label} ({chat_id}) cannot be reached: {exc}. Add the bot to the group.")
                if chat_id == self.settings.moderator_chat_id:
                    self.engine.moderators_reachable = False
                continue
            if chat.type != ChatType.SUPERGROUP:
                problems.append(f"the moderator chat{label} is not a supergroup: moderators reply to the case message.")
            elif not chat.is_forum:
                problems.append(f"the moderator chat{label} is not a forum (topics are off): one message per case, moderators reply to it.")
            if member.status != ChatMemberStatus.ADMINISTRATOR:
                problems.append(f"the bot is not an admin in the moderator chat{label}: make it an administrator with 'Manage topics'.")
            elif chat.is_forum and not getattr(member, "can_manage_topics", False):
                problems.append(f"the bot cannot manage topics in the moderator chat{label}: give it the 'Manage topics' right.")
        return problems

    # handlers -------------------------------------------------------------------------
    def user_id(self, chat_id: int) -> str:
        return _hashed_user_id(self.id_key, chat_id)

    async def run_engine(self, update: Update, event: Event) -> list[Reply]:
        started = time.perf_counter()
        chat = update.effective_chat
        user_id = self.user_id(chat.id)
        record_incoming(self.engine.store, user_id, update)  # for "Clear this chat"
        event = dataclasses.replace(event, address=str(chat.id))  # kept only on an open case
        verdict = self.flood.decide(user_id, event, self.is_distress, self.engine.store.open_case_for)
        if verdict is Verdict.HOLD:  # over the limit: no answer per message, one kind notice
            metrics.inc("safebot_flood_held_total")
            log.info("update_held kind=%s chat=%s", event.kind, chat_ref(chat.id, self.log_key))
            return self.flood.notice(user_id, self.engine.store.load(user_id).lang)
        replies = self.engine.handle(user_id, event)
        if verdict is Verdict.QUIET:  # relayed to the person on the case; the bot stays quiet
            replies = []
        if getattr(self, "checkin_sender", None):
            self.checkin_sender.wake()  # check-in notices for other people go out now
        metrics.inc("safebot_updates_handled_total")
        metrics.observe_latency(time.perf_counter() - started)
        log.info("update_handled kind=%s chat=%s replies=%d", event.kind, chat_ref(chat.id, self.log_key), len(replies))
        return replies

    def lang_hint(self, update: Update) -> str | None:
        user = update.effective_user
        return user.language_code if user else None

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        name, _, arg = (message.text or "").lstrip("/").partition(" ")
        event = Event("command", name.split("@")[0].lower(), arg, lang_hint=self.lang_hint(update))
        await self.send(update, context, await self.run_engine(update, event))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        event = Event("text", update.effective_message.text, lang_hint=self.lang_hint(update))
        replies = await self.run_engine(update, event)
        await self.send(update, context, replies)

    async def on_media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        kind = media_kind(update)
        message = update.effective_message
        ref = {"chat_id": message.chat_id, "message_id": message.message_id}
        replies = await self.run_engine(update, Event("media", kind, lang_hint=self.lang_hint(update), ref=ref))
        await self.send(update, context, replies)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            await self.answer(query)
            return
        replies = await self.run_engine(update, Event("button", query.data or "", lang_hint=self.lang_hint(update)))
        alert = next((r.text for r in replies if r.kind == "alert"), None)
        # The answer and the edit go out together: one round trip to Telegram, not two.
        answering = asyncio.create_task(self.answer(query, alert))
        try:
            await self.show_screens(update, context, query, [r for r in replies if r.kind != "alert"])
        finally:
            await answering

    async def show_screens(self, update: Update, context: ContextTypes.DEFAULT_TYPE, query, screens: list[Reply]) -> None:
        chat = update.effective_chat
        # The screen replaces the one whose button was pressed; anything else is new.
        if screens and screens[0].kind == "screen" and query.message is not None:
            first = screens.pop(0)
            try:
                await tg_calls.edit_message_text(context.bot, query.message.chat.id, query.message.message_id,
                                                 first.text, reply_markup=tg_calls.reply_markup(first))
            except BadRequest as exc:
                if "not modified" not in str(exc).lower():
                    screens.insert(0, first)  # too old to edit: send it instead
            except Forbidden:
                self.engine.store.set_active(self.user_id(chat.id), False)
                return
            except TelegramError:
                screens.insert(0, first)  # Telegram failed the edit: send it instead (retried)
        await self.send(update, context, screens)

    async def answer(self, query, text: str | None = None) -> None:
        try:
            await tg_calls.answer_callback_query(query.get_bot(), query.id, text[:200] if text else None)
        except TelegramError as exc:  # an old query cannot be answered; nothing is lost
            log.info("callback_answer_failed error=%s", type(exc).__name__)

    async def send(self, update: Update, context: ContextTypes.DEFAULT_TYPE, replies: list[Reply]) -> None:
        # Retried on 5xx, time-outs and 429; durable for urgent cases (channels.replies).
        await send_replies(self, context.bot, update.effective_chat.id, replies)

    async def on_my_chat_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        change = update.my_chat_member
        if chat.type == ChatType.PRIVATE:
            blocked = change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
            self.engine.store.set_active(self.user_id(chat.id), not blocked)
            return
        if chat.id in self.moderator_chat_ids:
            if chat.id == self.settings.moderator_chat_id:
                # Removed from the moderators' chat: urgent cases are still stored, and users
                # in danger are told honestly that a person may not answer soon.
                removed = change.new_chat_member.status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
                self.engine.moderators_reachable = not removed
                log.log(logging.ERROR if removed else logging.INFO, "moderator_chat_membership removed=%s", removed)
            return
        if change.new_chat_member.status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR):
            # Added to some other group: the bot has nothing to say there and must not read it.
            log.info("left_foreign_group chat=%s", chat_ref(chat.id, self.log_key))
            try:
                await context.bot.leave_chat(chat.id)
            except TelegramError:
                pass

    @property
    def moderator_chat_ids(self) -> set[int]:
        ids = {self.settings.moderator_chat_id, *self.settings.moderator_chats_by_lang.values()}
        return {i for i in ids if i}

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        metrics.inc("safebot_errors_total")
        error = context.error
        if isinstance(error, (TimedOut, RetryAfter)):
            log.warning("telegram_transient_error error=%s", type(error).__name__)
            return
        if store_is_busy(error):  # the inbox keeps the update and tries again later
            log.warning("store_busy_retry_later")
            return
        log.error("handler_error error=%s", type(error).__name__, exc_info=error)


@functools.lru_cache(maxsize=HASHED_CHATS_CACHED)
def _hashed_user_id(key: bytes, chat_id: int) -> str:
    """idhash.user_id, remembered for recent chats: an update asks for it several times."""
    return idhash.user_id(key, chat_id)


POLL_TIMEOUT = 25  # seconds Telegram may hold a getUpdates call open (long polling)


class Poller:
    """Long polling through the durable inbox (bot.channels.inbox).

    Each fetched batch is written to the inbox and the next getUpdates (which confirms it
    to Telegram) goes out at once: fetching never waits for a handler, so one slow or
    flooding chat cannot hold up the others. A batch is confirmed only once it is written
    down; after a crash the inbox hands out what was left, and a resend is recognised by
    its update_id.
    """

    def __init__(self, channel: "TelegramChannel", app: Application):
        self.channel = channel
        self.app = app
        self.offset: int | None = None
        self.stopping = asyncio.Event()
        self.inbox = Inbox(app, channel.engine.store, channel.concurrency)

    async def write_down(self, updates: list[Update], raw: list[dict | None] | None = None) -> None:
        """Into the inbox, in order, in one durable commit; then the offset moves past the
        batch (a locked store is waited out: what is not written is not confirmed)."""
        good = []
        for update, as_sent in zip(updates, raw or [None] * len(updates)):
            problem = shape_problem(update)
            if problem:  # not from Telegram as documented: nothing to handle, confirm it
                log.warning("update_malformed update=%s reason=%s", update.update_id, problem)
            else:
                good.append((update, as_sent))
        written = await self._write(good)
        if written is None:
            return  # stopping: not confirmed, Telegram keeps them for the next start
        if not written and len(good) > 1:  # one update cannot be stored: keep the others
            for update in good:
                if await self._write([update]) is None:
                    return
        if updates:
            self.offset = updates[-1].update_id + 1

    async def _write(self, updates: list[tuple[Update, dict | None]]) -> bool | None:
        """True: written; False: cannot be written at all (logged); None: stopping."""
        wait = STORE_RETRY_SECONDS
        while updates:
            try:
                self.inbox.accept_all(updates)
                return True
            except Exception as exc:
                if not store_is_busy(exc):  # cannot be written at all: do not stop polling for it
                    log.error("inbox_unstorable updates=%s error=%s", ",".join(str(u.update_id) for u, _ in updates),
                              type(exc).__name__)
                    return False
                if self.stopping.is_set():
                    return None
                await asyncio.sleep(wait)
                wait = min(wait * 2, STORE_RETRY_MAX_SECONDS)
        return True

    async def run(self) -> None:
        self.inbox.resume()
        failures = 0
        while not self.stopping.is_set():
            fetch = asyncio.ensure_future(self.app.bot.get_updates(
                offset=self.offset, timeout=POLL_TIMEOUT, allowed_updates=allowed_updates()))
            stop = asyncio.ensure_future(self.stopping.wait())
            await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not fetch.done():
                fetch.cancel()  # stopping while waiting: nothing was fetched, nothing is lost
                break
            stop.cancel()
            try:
                updates = fetch.result()
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
                continue
            except TelegramError as exc:
                failures += 1
                log.warning("get_updates_failed error=%s", type(exc).__name__)
                await asyncio.sleep(min(30, 2 ** failures))
                continue
            failures = 0
            if updates:
                await self.write_down(list(updates), self.channel.updates_request.raw_of(updates))
        if self.offset is not None:
            # Confirm what was written down; anything newer stays with Telegram for next time.
            try:
                await self.app.bot.get_updates(offset=self.offset, timeout=0, limit=1)
            except TelegramError:
                pass
        await self.inbox.drain()  # finish what was taken in; the rest waits in the inbox


async def poll(channel: "TelegramChannel", stop: asyncio.Event | None = None) -> int:
    app = channel.build(with_updater=False)
    poller = Poller(channel, app)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, poller.stopping.set)
    if stop is not None:
        loop.create_task(stop.wait()).add_done_callback(lambda _: poller.stopping.set())
    async with app:
        await app.bot.delete_webhook(drop_pending_updates=False)  # polling and a webhook exclude each other
        await app.start()
        await channel.post_init(app)
        log.info("polling_start")
        await poller.run()
        await channel.post_stop(app)
        await app.stop()
    log.info("polling_stopped")
    return 0


def run_polling(engine: Engine, settings: Settings) -> int:
    language.warm_up()
    return asyncio.run(poll(TelegramChannel(engine, settings)))


def run_webhook(engine: Engine, settings: Settings) -> int:
    from .web import serve

    language.warm_up()
    return asyncio.run(serve(TelegramChannel(engine, settings), settings))
