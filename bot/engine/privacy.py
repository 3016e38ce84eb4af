"""Privacy in the dialog, for people whose phone may be checked: the privacy screen's
buttons, "Clear this chat" (an action the channel carries out), discreet mode, /forget.

Discreet mode (state.data["discreet"]) is turned on by a distress message or an urgent
case, and by the user (button `a:quiet`); then every message is sent without sound and
starts with a neutral line, so a locked phone's preview says nothing about the person.
"""

from __future__ import annotations

from babel.numbers import format_decimal

from .. import cases
from ..i18n import N_, Translator, translator
from ..store import State, Store
from .model import Button, Reply

PRIVACY_SCREEN = "settings_privacy"
CLEAR_CHAT = "clear_chat"  # Reply.action

T_CLEAR = N_("Clear this chat")
T_QUIET_TURN_ON = N_("Quiet mode: turn on")
T_QUIET_TURN_OFF = N_("Quiet mode: turn off")
T_QUIET_ON = N_("Quiet mode is on. My messages come without sound, and their first line says nothing about you.")
T_QUIET_OFF = N_("Quiet mode is off. My messages come with sound again.")
T_QUIET_LINE = N_("Hello, a new message for you.")
T_CLEARED = N_("I deleted {deleted} messages from this chat.\nMessages I could not delete: {kept}. Telegram lets me delete only messages from the last 48 hours.\nTo remove the whole chat from your phone: press and hold this chat in your list of chats, then choose Delete.")
T_CANNOT_CLEAR = N_("I cannot clear a terminal window. Close the window, or clear it yourself.")


def is_discreet(state: State) -> bool:
    return bool(state.data.get("discreet"))


def wants_privacy_buttons(screen_id: str) -> bool:
    return screen_id.startswith("emergency") or screen_id == PRIVACY_SCREEN


def add_privacy_buttons(reply: Reply, state: State, t: Translator) -> None:
    """"Clear this chat" and the quiet-mode switch, above the screen's Back/Main row."""
    quiet = Button(t(T_QUIET_TURN_OFF if is_discreet(state) else T_QUIET_TURN_ON), "a:quiet")
    rows = [[Button(t(T_CLEAR), "a:clear")], [quiet]]
    at = len(reply.buttons) - 1 if reply.buttons else 0
    reply.buttons[at:at] = rows


def fill_retention(replies: list[Reply], days: int, t: Translator) -> None:
    """The privacy screen names the configured retention (RETENTION_DAYS)."""
    for reply in replies:
        reply.text = reply.text.replace("{retention_days}", format_decimal(days, locale=t.locale))


def toggle_quiet(state: State, t: Translator) -> str:
    state.data["discreet"] = not is_discreet(state)
    return t(T_QUIET_ON if state.data["discreet"] else T_QUIET_OFF)


def clear_request(t: Translator) -> Reply:
    """The channel deletes what it can and reports with clear_report(); a terminal cannot."""
    return Reply(text=t(T_CANNOT_CLEAR), kind="notice", action=CLEAR_CHAT)


def clear_report(lang: str | None, deleted: int, kept: int) -> Reply:
    t = translator(lang)
    count = {name: format_decimal(n, locale=t.locale) for name, n in (("deleted", deleted), ("kept", kept))}
    return Reply(text=t(T_CLEARED).format(**count), kind="notice")


def mark_quiet(replies: list[Reply], state: State) -> None:
    if is_discreet(state):
        line = translator(state.lang)(T_QUIET_LINE)
        for reply in replies:
            reply.quiet_line = line


def quiet_line_for_case(store: Store, case: dict) -> str | None:
    """For relays to the user: quiet if the user turned quiet mode on, or (unless they turned
    it off) if the case is urgent; a case still open after /forget is urgent."""
    state = store.load(case["user_id"]) if case.get("user_id") else None
    chosen = state.data.get("discreet") if state else None  # the user's own switch wins
    if not (chosen if chosen is not None else case["priority"] == cases.URGENT):
        return None
    return translator((state.lang if state else None) or case.get("lang"))(T_QUIET_LINE)


def keep_address(store: Store, user_id: str, address: str | None) -> None:
    """An open case keeps where to reach its user (the only place a raw chat id is kept)."""
    if not address:
        return
    store.keep_case_address(user_id, address)
