"""The durable inbox: every Telegram update is written to SQLite before it is acknowledged
(the webhook answers 200, long polling confirms the offset), and acknowledging never waits
for a handler. Handlers then take the updates from the inbox, per chat:

- one chat's updates in order, one at a time;
- different chats independently (up to `concurrency` handlers at once, each slot held for
  one update only), so a chat that floods or waits on Telegram never holds up another;
- after a crash or restart, what was written down but not handled is handled then.

Keyed by Telegram's update_id: a resent update is recognised and not handled twice.
A handled update's text is deleted at once (only the bare id stays as a tombstone).
When another process holds the SQLite write lock, the update stays in the inbox and is
tried again later (the loop is never frozen for long: SQLITE_BUSY_MS per try).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import time
from collections import deque

from telegram import Update
from telegram.ext import Application, ContextTypes

from ..limits import (INBOX_DRAIN_SECONDS, INBOX_PARSED_UPDATES, INBOX_TOMBSTONE_SECONDS,
                      STORE_RETRY_MAX_SECONDS, STORE_RETRY_SECONDS)
from ..metrics import metrics
from ..store import Store

log = logging.getLogger(__name__)

PRUNE_EVERY = 1000  # accepted updates between two prunes of old tombstones
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(value):
    """A lone surrogate (possible in JSON, never valid text) becomes U+FFFD everywhere, so
    no handler, SQLite write or Bot API call trips over it."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {valid_unicode(k): valid_unicode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [valid_unicode(v) for v in value]
    return value


def store_is_busy(error: BaseException | None) -> bool:
    """SQLite's transient lock errors (another connection holds the write lock)."""
    return isinstance(error, sqlite3.OperationalError) and any(
        word in str(error).lower() for word in ("locked", "busy"))


def _typed(value, *kinds) -> bool:
    return value is None or (isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds))


def shape_problem(update: Update) -> str | None:
    """What our handlers read, with the wrong type (python-telegram-bot does not check
    types). Telegram never sends such updates; a forged or broken one is refused here
    instead of failing in a handler. None when the update is fine."""
    try:
        chat, user, message = update.effective_chat, update.effective_user, update.effective_message
        if chat is not None and not (isinstance(chat.id, int) and isinstance(chat.type, str)):
            return "chat"
        if user is not None and not (isinstance(user.id, int) and _typed(user.language_code, str)):
            return "from"
        if message is not None:
            if getattr(message, "chat", None) is None:
                return "message without chat"
            for name, kinds in (("text", (str,)), ("caption", (str,)), ("message_id", (int,)),
                                ("message_thread_id", (int,)), ("is_topic_message", (bool,))):
                if not _typed(getattr(message, name, None), *kinds):
                    return f"message.{name}"
            reply = getattr(message, "reply_to_message", None)
            if reply is not None and not _typed(getattr(reply, "message_id", None), int):
                return "reply_to_message"
        query = update.callback_query
        if query is not None and not (_typed(query.data, str) and isinstance(query.id, str) and user is not None):
            return "callback_query"
        change = update.my_chat_member
        if change is not None and (chat is None or not isinstance(getattr(change.new_chat_member, "status", None), str)):
            return "my_chat_member"
    except (AttributeError, TypeError, ValueError) as exc:
        return type(exc).__name__
    return None


def chat_key(update: Update) -> str:
    """What must stay in order: the chat (or the user, or nothing: the update alone)."""
    try:
        chat = update.effective_chat
        if chat is not None and chat.id is not None:
            return f"c{chat.id}"
        user = update.effective_user
        if user is not None and user.id is not None:
            return f"u{user.id}"
    except (AttributeError, TypeError, ValueError):  # odd but authenticated shapes: handle it alone
        pass
    return f"x{update.update_id}"


class Inbox:
    def __init__(self, app: Application, store: Store, concurrency: int):
        self.app = app
        self.store = store
        self.slots = asyncio.Semaphore(concurrency)
        self.queues: dict[str, deque[int]] = {}
        self.workers: dict[str, asyncio.Task] = {}
        self.store_failed: set[int] = set()  # update_ids whose handler met a locked store
        # Updates written down in this process, kept parsed for their handler: the stored
        # JSON is read back only after a restart (parsing it again cost more than the write).
        self.parsed: dict[int, Update] = {}
        self.accepted = 0
        self.stuck_since: float | None = None  # the store refused us since then (for /healthz)
        app.add_error_handler(self.on_error)
        metrics.gauges["safebot_inbox_depth"] = store.inbox_depth
        metrics.gauges["safebot_inbox_oldest_age_seconds"] = self.oldest_age

    # taking updates in ------------------------------------------------------------------
    def accept(self, update: Update, raw: dict | None = None) -> bool:
        """Write the update down (`raw`: the JSON as Telegram sent it, when we have it) and
        hand it to its chat's worker. True: new; False: a resend already known. Raises
        sqlite3.OperationalError when the store is locked: the caller must then not
        acknowledge the update (Telegram sends it again)."""
        return self.accept_all([(update, raw)])[0]

    def accept_all(self, updates: list[tuple[Update, dict | None]]) -> list[bool]:
        """accept() for a batch (a getUpdates answer), in one durable commit: all are
        written down or none (then the same sqlite3.OperationalError is raised)."""
        rows, keys, as_sent = [], [], []
        for update, raw in updates:
            keys.append(chat_key(update))
            raw = raw if raw is not None else update.to_dict()
            clean = valid_unicode(raw)
            as_sent.append(clean == raw)  # else the handler gets the mended text, parsed again
            rows.append((update.update_id, keys[-1], json.dumps(clean), time.time()))
        try:
            added = self.store.inbox_add_all(rows)
        except sqlite3.OperationalError as exc:
            self._note_store(exc)
            raise
        self._note_store(None)
        for (update, _), key, new, pristine in zip(updates, keys, added, as_sent):
            if new:
                if pristine and len(self.parsed) < INBOX_PARSED_UPDATES:
                    self.parsed[update.update_id] = update
                self._schedule(key, update.update_id)
                self.accepted += 1
                if self.accepted % PRUNE_EVERY == 0:
                    self.prune()
        return added

    def resume(self) -> int:
        """At start: hand out everything written down but not handled before the stop."""
        waiting = self.store.inbox_waiting()
        for update_id, key in waiting:
            self._schedule(key or f"x{update_id}", update_id)
        if waiting:
            log.info("inbox_resumed updates=%d", len(waiting))
        self.prune()
        return len(waiting)

    def prune(self) -> None:
        try:
            self.store.inbox_prune(time.time() - INBOX_TOMBSTONE_SECONDS)
        except sqlite3.OperationalError:
            pass  # next time

    def _schedule(self, key: str, update_id: int) -> None:
        self.queues.setdefault(key, deque()).append(update_id)
        if key not in self.workers:
            self.workers[key] = asyncio.create_task(self._work(key), name="inbox-chat")

    # handling ---------------------------------------------------------------------------
    async def _work(self, key: str) -> None:
        queue = self.queues[key]
        wait = STORE_RETRY_SECONDS
        try:
            while queue:
                async with self.slots:
                    try:
                        handled = await self._handle(queue[0])
                    except Exception:  # a bug, not the store: log it and keep the chat moving
                        log.exception("inbox_handle_failed update=%d", queue[0])
                        await self._mark_done(queue[0])
                        handled = True
                if handled:
                    queue.popleft()
                    wait = STORE_RETRY_SECONDS
                else:  # the store was locked: this chat waits (in order), the others go on
                    await asyncio.sleep(wait)
                    wait = min(wait * 2, STORE_RETRY_MAX_SECONDS)
        finally:
            del self.queues[key]
            del self.workers[key]

    async def _handle(self, update_id: int) -> bool:
        """Handle one update; False when it must be tried again later (store locked)."""
        try:
            body = self.store.inbox_body(update_id)
        except sqlite3.OperationalError as exc:
            self._note_store(exc)
            return False
        if body is None:
            self.parsed.pop(update_id, None)
            return True  # handled already
        update = self.parsed.pop(update_id, None)
        if update is None:
            try:
                update = Update.de_json(json.loads(body), self.app.bot)
            except Exception as exc:  # it was parsed once before it was written: should not happen
                log.warning("inbox_unreadable update=%d error=%s", update_id, type(exc).__name__)
        if update is not None:
            await self.app.process_update(update)  # handler errors go to the error handlers
            if update_id in self.store_failed:
                self.store_failed.discard(update_id)
                log.warning("inbox_retry_later update=%d reason=store_locked", update_id)
                return False
        await self._mark_done(update_id)
        return True

    async def _mark_done(self, update_id: int) -> None:
        wait = STORE_RETRY_SECONDS
        while True:
            try:
                self.store.inbox_done(update_id, time.time())
                self._note_store(None)
                return
            except sqlite3.OperationalError as exc:  # handled: only the bookkeeping waits
                self._note_store(exc)
                await asyncio.sleep(wait)
                wait = min(wait * 2, STORE_RETRY_MAX_SECONDS)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if store_is_busy(context.error) and isinstance(update, Update):
            self.store_failed.add(update.update_id)
            self._note_store(context.error)

    # state ------------------------------------------------------------------------------
    def _note_store(self, error: BaseException | None) -> None:
        if error is None:
            self.stuck_since = None
        elif store_is_busy(error) and self.stuck_since is None:
            self.stuck_since = time.monotonic()

    def store_stuck_for(self) -> float:
        return 0.0 if self.stuck_since is None else time.monotonic() - self.stuck_since

    def oldest_age(self) -> float:
        oldest = self.store.inbox_oldest()
        return 0.0 if oldest is None else round(max(0.0, time.time() - oldest), 3)

    @property
    def busy(self) -> bool:
        return bool(self.workers)

    async def drain(self, timeout: float = INBOX_DRAIN_SECONDS) -> None:
        """On stop: let the running chats finish; whatever is left waits in the inbox."""
        deadline = time.monotonic() + timeout
        while self.workers and time.monotonic() < deadline:
            await asyncio.wait(list(self.workers.values()), timeout=max(0.01, deadline - time.monotonic()))
        for task in list(self.workers.values()):
            task.cancel()
        await asyncio.gather(*self.workers.values(), return_exceptions=True)
