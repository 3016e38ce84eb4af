"""Property-based fuzzing (Hypothesis) of the engine and of the Telegram handlers.

Any Unicode (control characters, lone surrogates, right-to-left marks), huge lengths,
random and forged button data, unknown kinds of updates and missing or mistyped fields:
no exception escapes, and a usable menu always follows.

Fast by default; the long profile runs at least 10,000 examples of each:
    HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py -p no:cacheprovider
"""

import itertools
import json
import logging
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import limits
from bot.engine import Engine
from bot.engine.model import Event
from bot.store import Store

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "fast")
EXAMPLES = {"fast": 40, "mid": 1_500, "long": 10_000}[PROFILE]
fuzz_settings = settings(max_examples=EXAMPLES, deadline=None, derandomize=PROFILE == "fast",
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                HealthCheck.data_too_large])

# Every code point but lone surrogates: the channels hand the engine valid Unicode only
# (bot.channels.inbox replaces a lone surrogate; the Telegram fuzz below sends them).
any_char = st.characters(exclude_categories=("Cs",))
texts = st.one_of(
    st.text(any_char, max_size=60),
    st.builds(lambda c, n: c * n, any_char, st.integers(4_000, 20_000)),  # huge messages
    st.text(st.sampled_from("\x00\x07\x1b\u200b\u200d\u202e\u2066\ufeff\ufffe\U0010ffff a1/"), max_size=30),
    st.sampled_from(["/start", "/menu", "/human", "/forget", "/language", "/help", "/start scam", "/start link_x",
                     "/note\nline", "²", "/START", "/start@safe_test_bot", "1", "2", "3", "0", "-1", "99999999999999999999",
                     "help me they took my passport", "they locked me in, help", "yes", "no", "menu"]),
    st.builds(lambda t: "/" + t, st.text(any_char, max_size=20)),
)
button_data = st.one_of(
    st.text(any_char, max_size=80),
    st.builds(lambda p, t: p + t, st.sampled_from(["g:", "c:", "a:", "f:", "x:", "q:", "k:", "c:lang:", "c:origin:",
                                                   "c:location:", "f:1:", "g:emergency"]), st.text(any_char, max_size=40)),
    st.builds(lambda n, v: f"f:{n}:{v}", st.integers(-2 ** 80, 2 ** 80), st.sampled_from(["y", "n", "x"])),
    st.sampled_from(["x:forget", "x:leave", "a:human", "a:scan", "a:quiz", "g:main", "g:human", "c:role:self"]),
)
events = st.one_of(
    st.builds(lambda t: ("text", t), texts),
    st.builds(lambda t: ("button", t), button_data),
    st.builds(lambda k: ("media", k), st.sampled_from(["sticker", "photo", "voice", "document", "location", "other"])),
    st.builds(lambda i: ("shown", i), st.integers(0, 12)),  # press one of the buttons on screen
)


class Shared:
    """One engine for all examples (a short repr keeps Hypothesis' reports readable)."""

    def __init__(self, engine):
        self.engine = engine

    def __repr__(self) -> str:
        return "<engine>"


@pytest.fixture(scope="module")
def fuzz_engine(bundle, tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("fuzz") / "engine.db")
    yield Shared(Engine(bundle, store))
    store.close()


users = itertools.count(1)


def to_event(kind, value, shown) -> Event:
    if kind == "shown":
        if not shown:
            return Event("command", "menu")
        return Event("button", shown[value % len(shown)].data)
    if kind == "text" and value.startswith("/"):
        name, _, arg = value[1:].partition(" ")
        return Event("command", name, arg)
    return Event(kind, value)


def assert_usable(replies, engine, user_id) -> None:
    for reply in replies:
        assert reply.text.strip() and len(reply.text) <= limits.MESSAGE_TEXT_CHARS
        for button in reply.flat_buttons():
            assert 0 < len(button.data.encode()) <= limits.CALLBACK_DATA_BYTES
    in_case = engine.store.open_case_for(user_id) is not None
    # silence is right only while a person handles the case (no bot talking over them)
    assert in_case or any(r.buttons for r in replies), [r.text[:80] for r in replies]


@fuzz_settings
@given(steps=st.lists(events, min_size=1, max_size=12))
def test_engine_survives_anything_and_a_menu_follows(fuzz_engine, steps):
    fuzz_engine = fuzz_engine.engine
    user_id = f"fuzz:{next(users)}"
    shown = []
    for kind, value in steps:
        event = to_event(kind, value, shown)
        replies = fuzz_engine.handle(user_id, event)
        if replies is not None and not fuzz_engine.store.load(user_id).is_new:
            assert_usable(replies, fuzz_engine, user_id)
        shown = [b for r in replies for b in r.flat_buttons()] or shown
    menu = fuzz_engine.handle(user_id, Event("command", "menu"))
    assert any(r.buttons for r in menu)


# --- the Telegram handlers, through the webhook, the inbox and the fake Bot API ------------

PRIVATE_USERS = [7300001, 7300002, 7300003, 7300004]
MOD_TEXTS = ["/claim", "/close", "/close 2", "/close 99999999999999999999", "/note internal", "/cases", "/stats",
             "/CLAIM@safe_test_bot", "a reply to the user", "/unknown"]
if PROFILE == "long":  # moderators' side (channels/moderators.py): multi-line commands too
    MOD_TEXTS += ["/note\nline one", "/close\n1"]
json_values = st.recursive(st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) | st.floats(allow_nan=False)
                           | st.text(st.characters(exclude_categories=()), max_size=20),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                           max_leaves=8)
ids = itertools.count(10_000)


def sender(user_id):
    return {"id": user_id, "is_bot": False, "first_name": "F", "language_code": "en"}


def private_message(user, **content):
    return {"message_id": next(ids), "date": 1_700_000_000, "chat": {"id": user, "type": "private", "first_name": "F"},
            "from": sender(user), **content}


def with_command_entity(message):
    text = message.get("text")
    if isinstance(text, str) and text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0]) if text.split() else 1}]
    return message


raw_texts = st.one_of(texts, st.text(st.characters(exclude_categories=()), max_size=40))  # lone surrogates too
media = st.sampled_from([{"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1, "is_animated": False,
                                      "is_video": False, "type": "regular"}},
                         {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}], "caption": "x"},
                         {"location": {"latitude": 1.0, "longitude": 2.0}}, {"dice": {"emoji": "🎲", "value": 3}},
                         {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}}, {}])


@st.composite
def raw_update(draw):
    user = draw(st.sampled_from(PRIVATE_USERS))
    kind = draw(st.sampled_from(["text", "text", "media", "button", "button", "edited", "channel", "member",
                                 "unknown", "moderators", "group"]))
    if kind == "text":
        body = {"message": with_command_entity(private_message(user, text=draw(raw_texts)))}
    elif kind == "media":
        body = {"message": private_message(user, **draw(media))}
    elif kind == "button":
        query = {"id": str(next(ids)), "from": sender(user), "chat_instance": "ci", "data": draw(button_data)}
        shape = draw(st.sampled_from(["message", "none", "inline", "inaccessible", "other-chat"]))
        if shape == "message":
            query["message"] = private_message(user, text="old screen")
            query["message"]["from"] = {"id": 123456, "is_bot": True, "first_name": "SafeBot"}
        elif shape == "inline":
            query["inline_message_id"] = "im"
        elif shape == "inaccessible":
            query["message"] = {"chat": {"id": user, "type": "private"}, "message_id": 1, "date": 0}
        elif shape == "other-chat":
            query["message"] = {**private_message(-1009999, text="x"),
                                "chat": {"id": -1009999, "type": "supergroup", "title": "G"}}
        body = {"callback_query": query}
    elif kind == "edited":
        body = {"edited_message": {**private_message(user, text=draw(texts)), "edit_date": 1_700_000_001}}
    elif kind == "channel":
        body = {"channel_post": {"message_id": next(ids), "date": 0, "text": draw(st.sampled_from(MOD_TEXTS)),
                                 "chat": {"id": draw(st.sampled_from([-1001000000001, -100555])), "type": "channel"}}}
    elif kind == "member":
        status = draw(st.sampled_from(["kicked", "member", "left", "administrator"]))
        chat = draw(st.sampled_from([{"id": user, "type": "private"}, {"id": -100777, "type": "supergroup", "title": "G"}]))
        member = {"user": {"id": 123456, "is_bot": True, "first_name": "SafeBot"}, "status": status}
        if status == "administrator":
            member.update(can_be_edited=False, is_anonymous=False, can_manage_chat=True, can_delete_messages=True,
                          can_manage_video_chats=True, can_restrict_members=True, can_promote_members=False,
                          can_change_info=True, can_invite_users=True, can_post_stories=False, can_edit_stories=False,
                          can_delete_stories=False)
        body = {"my_chat_member": {"chat": chat, "from": sender(user), "date": 0, "new_chat_member": member,
                                   "old_chat_member": {"user": member["user"], "status": "left"}}}
    elif kind == "unknown":
        body = {draw(st.sampled_from(["business_message", "future_kind", "poll", "message_reaction"])): draw(json_values)}
    else:
        chat_id = -1001000000001 if kind == "moderators" else -100888
        message = {"message_id": next(ids), "date": 0, "text": draw(st.sampled_from(MOD_TEXTS)),
                   "chat": {"id": chat_id, "type": "supergroup", "title": "Mods", "is_forum": True},
                   "from": draw(st.sampled_from([sender(555), {"id": 1087968824, "is_bot": True, "first_name": "Group"}]))}
        if draw(st.booleans()):
            message.update(is_topic_message=True, message_thread_id=draw(st.integers(1, 2 ** 40)))
        body = {"message": with_command_entity(message)}
    # then, sometimes, break it: a field missing or of the wrong type
    inner = next(iter(body.values()))
    if isinstance(inner, dict) and inner and draw(st.integers(0, 3)) == 0:
        key = draw(st.sampled_from(sorted(inner)))
        if draw(st.booleans()):
            del inner[key]
        else:
            inner[key] = draw(json_values)
    return {"update_id": next(ids), **body}


@pytest.fixture
async def webhook_bot(bundle, server, tmp_path):
    from aiohttp.test_utils import TestClient, TestServer

    from bot.channels.telegram import TelegramChannel
    from bot.channels.web import INBOX, make_web_app
    from telegram_harness import MOD_CHAT, settings_for

    server.forum_chats.add(MOD_CHAT)
    server.admin_chats.add(MOD_CHAT)
    store = Store(tmp_path / "fuzz-tg.db")
    channel = TelegramChannel(Engine(bundle, store), settings_for(server, tmp_path / "fuzz-tg.db",
                                                                 user_messages_per_minute=1_000_000))
    app = channel.build(with_updater=False)
    client = TestClient(TestServer(make_web_app(app, store, "fuzz-secret-0123456789"), host="127.0.0.1"))
    await client.start_server()
    await app.initialize()
    await app.start()
    yield Shared((client, client.server.app[INBOX], store))
    await client.server.app[INBOX].drain(timeout=10)
    await app.stop()
    await app.shutdown()
    await client.close()
    store.close()


@fuzz_settings
@given(batch=st.lists(raw_update(), min_size=1, max_size=8))
async def test_telegram_handlers_survive_anything_and_a_menu_follows(webhook_bot, server, caplog, batch):
    import asyncio

    from bot.channels.web import webhook_path

    client, inbox, store = webhook_bot.engine
    caplog.set_level(logging.WARNING)
    caplog.clear()
    headers = {"X-Telegram-Bot-Api-Secret-Token": "fuzz-secret-0123456789"}
    for update in batch:
        response = await client.post(webhook_path("fuzz-secret-0123456789"), data=json.dumps(update), headers=headers)
        assert response.status in (200, 400), (response.status, update)
    await server.wait_for(lambda: not inbox.busy and store.inbox_depth() == 0, timeout=30)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [(r.name, r.getMessage(), r.exc_info and r.exc_info[1]) for r in errors]
    touched = {u for u in PRIVATE_USERS if f'"id": {u}' in json.dumps(batch)}
    for user in touched:  # whatever happened, /menu brings a usable menu
        await client.post(webhook_path("fuzz-secret-0123456789"), headers=headers, data=json.dumps(
            {"update_id": next(ids), "message": with_command_entity(private_message(user, text="/menu"))}))
    await server.wait_for(lambda: not inbox.busy and store.inbox_depth() == 0, timeout=30)
    for user in touched:
        assert server.last_keyboard(user), user
    await asyncio.sleep(0)
