"""A fake Telegram Bot API server (aiohttp on 127.0.0.1, random port) for end-to-end tests.

python-telegram-bot talks real HTTP to it: set the builder's base_url (or
TELEGRAM_API_BASE_URL) to `server.base_url`. It keeps chats and messages, answers enough
methods for the bot to run, records every call, and can be told to fail:

    server.fail("sendMessage", status=500, times=2)
    server.fail("sendMessage", status=429, retry_after=1)
    server.fail("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    server.fail("sendMessage", hang=5)        # answer after 5 s (time-outs)

Users act through it: `server.user_sends(chat_id, "text")`, `server.user_presses(chat_id,
message_id, "g:costs")`, `server.user_sends_sticker(chat_id)`; the bot's long poll picks
them up as with Telegram.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 123456
TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz012"


class ApiError(Exception):
    """A 400 with Telegram's description (e.g. editing a message that does not exist)."""


@dataclass
class Failure:
    status: int = 500
    times: int = 1
    retry_after: int | None = None
    description: str = "Internal Server Error"
    hang: float = 0.0
    chat_id: int | None = None  # only calls to this chat fail


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    ok: bool = True  # False when the fake answered with an error


@dataclass
class FakeBotAPI:
    """Start with `await server.start()`, stop with `await server.stop()`."""

    calls: list[Call] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    messages: dict[tuple[int, int], dict] = field(default_factory=dict)  # (chat_id, message_id) -> message
    chats: dict[int, dict] = field(default_factory=dict)
    forum_chats: set[int] = field(default_factory=set)
    admin_chats: set[int] = field(default_factory=set)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    delay: float = 0.0  # added to every answer (a slow network)
    webhook: dict | None = None

    def __post_init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._topic_ids = itertools.count(50)
        self._new_update = asyncio.Event()
        self._closing = False
        self._closed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # lifecycle ------------------------------------------------------------------------
    async def start(self) -> "FakeBotAPI":
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._closing = True
        self._new_update.set()  # wake long polls still held open by a stopped bot
        self._closed.set()  # and end injected hangs
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # test controls --------------------------------------------------------------------
    def fail(self, method: str, status: int = 500, times: int = 1, retry_after: int | None = None,
             description: str | None = None, hang: float = 0.0, chat_id: int | None = None) -> None:
        default = {403: "Forbidden: bot was blocked by the user", 429: "Too Many Requests: retry later",
                   400: "Bad Request: message thread not found"}.get(status, "Internal Server Error")
        self.failures.setdefault(method, []).append(
            Failure(status, times, retry_after, description or default, hang, chat_id))

    def _user(self, user_id: int, language_code: str | None = "en", first_name: str = "Test") -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "username": f"user{user_id}"}
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat(self, chat_id: int) -> dict:
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Test"}
        return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}", "is_forum": chat_id in self.forum_chats}

    def _push(self, update: dict) -> dict:
        update["update_id"] = next(self._update_ids)
        self.updates.append(update)
        self._new_update.set()
        return update

    def _new_message(self, chat_id: int, from_user: dict, **content: Any) -> dict:
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": self._chat(chat_id),
                   "from": from_user, **content}
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def user_sends(self, chat_id: int, text: str, language_code: str | None = "en", user_id: int | None = None,
                   thread_id: int | None = None, first_name: str = "Test", reply_to: int | None = None) -> dict:
        extra: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            extra["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if thread_id is not None:
            extra["message_thread_id"] = thread_id
            extra["is_topic_message"] = True
        if reply_to is not None:
            extra["reply_to_message"] = self.messages.get((chat_id, reply_to), {"message_id": reply_to, "date": 0,
                                                                                "chat": self._chat(chat_id)})
        message = self._new_message(chat_id, self._user(user_id or chat_id, language_code, first_name), **extra)
        return self._push({"message": message})

    def user_sends_media(self, chat_id: int, kind: str = "sticker", user_id: int | None = None,
                         thread_id: int | None = None) -> dict:
        payloads = {
            "sticker": {"sticker": {"file_id": "S1", "file_unique_id": "s1", "type": "regular", "width": 512,
                                    "height": 512, "is_animated": False, "is_video": False}},
            "photo": {"photo": [{"file_id": "P1", "file_unique_id": "p1", "width": 90, "height": 90}]},
            "voice": {"voice": {"file_id": "V1", "file_unique_id": "v1", "duration": 3}},
            "location": {"location": {"latitude": 16.7, "longitude": 98.5}},
            "document": {"document": {"file_id": "D1", "file_unique_id": "d1", "file_name": "contract.pdf"}},
            "contact": {"contact": {"phone_number": "+10000000", "first_name": "X"}},
        }
        extra = dict(payloads[kind])
        if thread_id is not None:
            extra |= {"message_thread_id": thread_id, "is_topic_message": True}
        message = self._new_message(chat_id, self._user(user_id or chat_id), **extra)
        return self._push({"message": message})

    def user_presses(self, chat_id: int, message_id: int, data: str, language_code: str | None = "en") -> dict:
        message = self.messages.get((chat_id, message_id)) or {"message_id": message_id, "date": 0, "chat": self._chat(chat_id)}
        return self._push({"callback_query": {"id": str(next(self._update_ids) * 7), "from": self._user(chat_id, language_code),
                                              "chat_instance": "ci", "message": message, "data": data}})

    def user_edits(self, chat_id: int, message_id: int, text: str) -> dict:
        message = {**self.messages[(chat_id, message_id)], "text": text, "edit_date": int(time.time())}
        return self._push({"edited_message": message})

    def channel_post(self, chat_id: int, text: str) -> dict:
        return self._push({"channel_post": {"message_id": next(self._message_ids), "date": int(time.time()),
                                            "chat": {"id": chat_id, "type": "channel", "title": "C"}, "text": text}})

    def bot_added_to_group(self, chat_id: int, by_user: int = 1) -> dict:
        chat = {"id": chat_id, "type": "group", "title": "Random group"}
        me = {"id": BOT_ID, "is_bot": True, "first_name": "SafeBot", "username": "safe_test_bot"}
        return self._push({"my_chat_member": {"chat": chat, "from": self._user(by_user), "date": int(time.time()),
                                              "old_chat_member": {"status": "left", "user": me},
                                              "new_chat_member": {"status": "member", "user": me}}})

    # reading what the bot did ---------------------------------------------------------
    def sent(self, method: str | None = None, chat_id: int | None = None, ok_only: bool = True) -> list[dict]:
        """Parameters of the calls the bot made (by default only those that succeeded)."""
        return [c.params for c in self.calls
                if (method is None or c.method == method) and (c.ok or not ok_only)
                and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))]

    def texts_to(self, chat_id: int) -> list[str]:
        """Texts of messages sent and edited in a chat, in order."""
        return [c.params.get("text", "") for c in self.calls
                if c.ok and c.method in ("sendMessage", "editMessageText") and str(c.params.get("chat_id")) == str(chat_id)]

    def last_keyboard(self, chat_id: int) -> list[list[dict]]:
        for c in reversed(self.calls):
            if c.method in ("sendMessage", "editMessageText") and str(c.params.get("chat_id")) == str(chat_id):
                markup = c.params.get("reply_markup")
                if markup:
                    return json.loads(markup)["inline_keyboard"] if isinstance(markup, str) else markup["inline_keyboard"]
        return []

    def last_message_id(self, chat_id: int) -> int:
        ids = [mid for (cid, mid), m in self.messages.items() if cid == chat_id and m["from"].get("is_bot")]
        return max(ids)

    async def wait_for(self, predicate, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            await asyncio.sleep(0.02)
        raise AssertionError("timed out waiting for the bot")

    # the API --------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = await request.json()
        elif request.can_read_body:
            form = await request.post()
            params = {k: v for k, v in form.items() if isinstance(v, str)}
        params.update(request.query)
        if request.match_info["token"] != TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        failure = self._take_failure(method, params)
        call = Call(method, params, time.monotonic(), ok=not (failure and failure.status))
        if method != "getUpdates":
            self.calls.append(call)
        if self.delay:
            await asyncio.sleep(self.delay)
        if failure:
            if failure.hang:
                try:
                    await asyncio.wait_for(self._closed.wait(), timeout=failure.hang)
                except asyncio.TimeoutError:
                    pass
            if failure.status:
                body: dict[str, Any] = {"ok": False, "error_code": failure.status, "description": failure.description}
                if failure.retry_after is not None:
                    body["parameters"] = {"retry_after": failure.retry_after}
                    body["description"] = f"Too Many Requests: retry after {failure.retry_after}"
                return web.json_response(body, status=failure.status)
        handler = getattr(self, f"api_{method}", None)
        try:
            result = await handler(params) if handler else True
        except ApiError as exc:  # as Telegram answers: JSON with the reason
            call.ok = False
            return web.json_response({"ok": False, "error_code": 400, "description": str(exc)}, status=400)
        return web.json_response({"ok": True, "result": result})

    def _take_failure(self, method: str, params: dict) -> Failure | None:
        queue = self.failures.get(method)
        if not queue:
            return None
        for failure in queue:
            if failure.chat_id is None or str(failure.chat_id) == str(params.get("chat_id")):
                failure.times -= 1
                if failure.times <= 0:
                    queue.remove(failure)
                return failure
        return None

    def _bot_message(self, params: dict, **content: Any) -> dict:
        chat_id = int(params["chat_id"])
        me = {"id": BOT_ID, "is_bot": True, "first_name": "SafeBot", "username": "safe_test_bot"}
        extra = {}
        if params.get("message_thread_id"):
            extra["message_thread_id"] = int(params["message_thread_id"])
        if params.get("reply_markup"):
            markup = params["reply_markup"]
            extra["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        return self._new_message(chat_id, me, **content, **extra)

    async def api_getMe(self, params: dict) -> dict:
        return {"id": BOT_ID, "is_bot": True, "first_name": "SafeBot", "username": "safe_test_bot",
                "can_join_groups": True, "can_read_all_group_messages": True, "supports_inline_queries": False}

    async def api_getUpdates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            self.confirmed_offset = offset
        deadline = time.monotonic() + timeout
        while True:
            pending = [u for u in self.updates if u["update_id"] >= offset]
            if pending or time.monotonic() >= deadline or self._closing:
                limit = int(params.get("limit") or 100)
                return pending[:limit]
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout=max(0.01, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                pass

    async def api_sendMessage(self, params: dict) -> dict:
        return self._bot_message(params, text=params.get("text", ""))

    async def api_editMessageText(self, params: dict) -> dict:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise ApiError("Bad Request: message to edit not found")
        self.messages[key]["text"] = params.get("text", "")
        if params.get("reply_markup"):
            markup = params["reply_markup"]
            self.messages[key]["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
        return self.messages[key]

    async def api_copyMessage(self, params: dict) -> dict:
        copied = self._bot_message(params, text="(copy)")
        return {"message_id": copied["message_id"]}

    async def api_createForumTopic(self, params: dict) -> dict:
        return {"message_thread_id": next(self._topic_ids), "name": params.get("name", ""), "icon_color": 7322096}

    async def api_getChat(self, params: dict) -> dict:
        chat = self._chat(int(params["chat_id"]))
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": {
            "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False, "premium_subscription": False,
            "gifts_from_channels": False}}

    async def api_getChatMember(self, params: dict) -> dict:
        chat_id = int(params["chat_id"])
        me = await self.api_getMe({})
        if chat_id in self.admin_chats:
            return {"status": "administrator", "user": me, "can_be_edited": False, "is_anonymous": False,
                    "can_manage_chat": True, "can_delete_messages": True, "can_manage_video_chats": True,
                    "can_restrict_members": True, "can_promote_members": False, "can_change_info": True,
                    "can_invite_users": True, "can_post_stories": False, "can_edit_stories": False,
                    "can_delete_stories": False, "can_manage_topics": True}
        return {"status": "member", "user": me}

    async def api_setWebhook(self, params: dict) -> bool:
        self.webhook = params
        return True

    async def api_deleteWebhook(self, params: dict) -> bool:
        self.webhook = None
        return True

    async def api_getWebhookInfo(self, params: dict) -> dict:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}
