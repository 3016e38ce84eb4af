"""`safebot chat`: the whole bot in a terminal, same engine, store and safety code.

Each screen's buttons are numbered lines ("1) Label"); type a number or any text.
/quit leaves. Works on a terminal and with piped stdin (one message per line), so a
conversation can be scripted; both show the first screen before the first line is read,
so a script's first "1" picks the first language, as a person's would.

Safety check-ins can be shown too (best with SAFEBOT_CHECKIN_SECONDS=N): due check-ins and
alerts are printed between turns; `/wait N` lets N seconds pass; `/switch` talks as a
second person (to accept an invitation) and back.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .. import checkins
from ..engine import Engine, Event, Reply
from ..engine.model import Button
from ..i18n import negotiate

USER_ID = "console:local"
OTHER_ID = "console:other"  # the second person, after /switch


def print_replies(replies: list[Reply], out: TextIO) -> None:
    number = 0
    for reply in replies:
        prefix = "(!) " if reply.kind == "alert" else ""
        out.write(f"\n{prefix}{reply.text}\n")
        for button in reply.flat_buttons():
            number += 1
            out.write(f"  {number}) {button.label}\n")
    out.flush()


def print_checkins(engine: Engine, user_id: str, out: TextIO) -> None:
    """What the check-ins sent since the last turn (a Telegram chat would show them as messages)."""
    checkins.tick(engine.store, engine.clock())
    for message in checkins.pending(engine.store):
        checkins.sent(engine.store, message)
        reply = Reply(text=message["text"], buttons=[[Button(label, data) for label, data in row]
                                                     for row in message["buttons"]])
        who = {USER_ID: "the first person", OTHER_ID: "the second person (/switch)"}.get(message["user_id"], "someone else")
        out.write(f"\n[check-ins: a message for {who}]")
        print_replies([reply], out)
        if message["user_id"] == user_id and reply.buttons:
            state = engine.store.load(user_id)  # so that typing "1" presses its first button
            state.data["shown"] = [[b.label, b.data] for b in reply.flat_buttons()]
            engine.store.save(state)


def to_event(line: str, lang: str | None) -> Event:
    text = line.strip()
    if text.startswith("/"):
        name, _, arg = text[1:].partition(" ")
        return Event("command", name.lower(), arg, lang_hint=lang)
    return Event("text", text, lang_hint=lang)


def run(engine: Engine, lang: str | None, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    interactive = stdin.isatty()
    user_id = USER_ID
    engine.moderators_reachable = False  # no moderators in a terminal: an alarm says so, with the numbers
    if lang:
        state = engine.store.load(USER_ID)
        state.lang = negotiate(lang) or "en"
        engine.store.save(state)
    if interactive:
        out.write("Safe Migration Bot — terminal chat. Type a number to press a button, /quit to leave.\n")
    print_replies(engine.handle(USER_ID, Event("command", "start", lang_hint=lang)), out)
    while True:
        if interactive:
            try:
                line = input("\n> ")
            except (EOFError, KeyboardInterrupt):
                out.write("\n")
                return 0
        else:
            line = stdin.readline()
            if not line:
                return 0
            out.write(f"\n> {line.rstrip()}\n")
        if not line.strip():
            continue
        if line.strip().lower() in ("/quit", "/exit"):
            return 0
        command, _, arg = line.strip().partition(" ")
        if command == "/wait" and arg.strip().isdigit():
            time.sleep(int(arg))
        elif command == "/switch":
            user_id = OTHER_ID if user_id == USER_ID else USER_ID
            out.write(f"\n[now talking as {'the other person' if user_id == OTHER_ID else 'yourself'}]\n")
        else:
            print_replies(engine.handle(user_id, to_event(line, lang)), out)
        print_checkins(engine, user_id, out)
