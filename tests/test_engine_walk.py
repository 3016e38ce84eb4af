"""Walk every screen of every tree, as a user pressing buttons, for several routes."""

import pytest

from bot import limits
from bot.engine.testing import ChatClient

ROUTES = [("MM", "TH"), ("NP", "MY"), ("PH", "HK"), ("ID", "TW"), ("other", "other"), ("IN", "AE")]


def walk(chat: ChatClient, bundle) -> set[str]:
    """Breadth-first over every 'g:' button reachable from the main menu."""
    seen, queue = set(), ["main"]
    while queue:
        screen_id = queue.pop(0)
        if screen_id in seen:
            continue
        seen.add(screen_id)
        replies = chat.press_data(f"g:{screen_id}")
        assert chat.screen == screen_id, f"pressing g:{screen_id} showed {chat.screen}"
        assert replies and all(r.text.strip() for r in replies)
        for r in replies:
            assert len(r.text) <= limits.MESSAGE_TEXT_CHARS
        labels = chat.labels
        if screen_id != "main":
            assert "🏠 Main menu" in labels, f"{screen_id} has no Main menu button"
            parent = bundle.parents[screen_id]
            if parent != "main":
                assert "⬅ Back" in labels, f"{screen_id} has no Back button"
                assert chat.button("⬅ Back").data == f"g:{parent}"
        for b in chat.buttons:
            assert 0 < len(b.data.encode()) <= limits.CALLBACK_DATA_BYTES
            assert "{" not in b.label, f"unfilled placeholder in a label on {screen_id}: {b.label}"
            if b.data.startswith("g:"):
                queue.append(b.data[2:])
        assert "{origin}" not in chat.text and "{destination}" not in chat.text
    return seen


@pytest.mark.parametrize("origin,destination", ROUTES)
def test_every_screen_reachable_renders_with_navigation(engine, bundle, origin, destination):
    chat = ChatClient(engine, user_id=f"walk:{origin}{destination}")
    chat.send("/start")
    chat.press_data("c:role:self")
    chat.press_data(f"c:origin:{origin}")
    chat.press_data(f"c:destination:{destination}")
    assert chat.screen == "main"
    seen = walk(chat, bundle)
    # every screen (but the question screens the bot opens itself) is reachable by buttons
    own = {s for s in bundle.screens if not bundle.screens[s].choices and s not in ("forget_confirm",)}
    assert own <= seen, f"not reachable by buttons: {sorted(own - seen)}"
    assert len(bundle.screens) >= 60


def test_every_action_button_answers(engine, bundle):
    actions = {b.action for s in bundle.screens.values() for b in s.buttons if b.action}
    for action in sorted(actions):
        chat = ChatClient(engine, user_id=f"action:{action}")
        chat.onboard()
        replies = chat.press_data(f"a:{action}")
        assert replies and replies[0].kind != "alert", f"action {action} was treated as expired"


def test_screens_are_phone_sized(bundle):
    for screen in bundle.screens.values():
        assert len(screen.text) < limits.SCREEN_TEXT_TARGET, screen.id
        for b in screen.buttons:
            assert len(b.label) <= limits.BUTTON_LABEL_CHARS, (screen.id, b.label)


def test_limits_match_python_telegram_bot():
    from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

    assert limits.CALLBACK_DATA_BYTES == InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    assert limits.MESSAGE_TEXT_CHARS == MessageLimit.MAX_TEXT_LENGTH


def test_engine_imports_no_channel():
    import subprocess
    import sys

    code = ("import sys, bot.engine, bot.safety.scan, bot.cases, bot.store; "
            "bad=[m for m in sys.modules if m.startswith(('telegram','aiohttp','bot.channels'))]; print(bad); sys.exit(bool(bad))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_ask_a_person_buttons_first_say_what_is_shared(engine, bundle):
    chat = ChatClient(engine, user_id="tg:consent")
    chat.onboard()
    chat.press_data("g:rights_broken")
    chat.press("Ask a person")
    assert chat.screen == "human" and engine.store.open_case_for("tg:consent") is None
    chat.press("Yes, talk to a person")
    assert engine.store.open_case_for("tg:consent")["priority"] == "normal"


@pytest.mark.parametrize("lang", ["en", "my", "km", "hi"])
def test_long_screens_are_cut_into_phone_sized_pages_behind_more(engine, bundle, lang):
    chat = ChatClient(engine, user_id=f"tg:more-{lang}", lang_hint=lang)
    chat.send("/start")
    chat.press_data("c:role:self")
    chat.press_data("c:origin:IN")
    chat.press_data("c:destination:TH")
    chat.press_data("g:scam_how")  # with facts about 3,000 characters for this route
    seen = [chat.text]
    while "a:more" in [b.data for b in chat.buttons]:
        assert len(chat.text) <= limits.SCREEN_TEXT_TARGET
        chat.press_data("a:more")
        assert chat.screen == "scam_how" and chat.text not in seen
        seen.append(chat.text)
    assert len(seen) >= 2, "the screen was not cut into pages"
    assert "🏠" in " ".join(chat.labels)  # the last page still has the way home
