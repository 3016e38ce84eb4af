"""`safebot chat`: the whole bot in a terminal, same engine, store and safety code.

Each screen's buttons are numbered lines ("1) Label"); type a number or any text.
/quit leaves. Works on a terminal and with piped stdin (one message per line), so a
conversation can be scripted; both show the first screen before the first line is read,
so a script's first "1" picks the first language, as a person's would.
"""

from __future__ import annotations

import sys
from typing import TextIO

from ..engine import Engine, Event, Reply
from ..i18n import negotiate

USER_ID = "console:local"


def print_replies(replies: list[Reply], out: TextIO) -> None:
    number = 0
    for reply in replies:
        prefix = "(!) " if reply.kind == "alert" else ""
        out.write(f"\n{prefix}{reply.text}\n")
        for button in reply.flat_buttons():
            number += 1
            out.write(f"  {number}) {button.label}\n")
    out.flush()


def to_event(line: str, lang: str | None) -> Event:
    text = line.strip()
    if text.startswith("/"):
        name, _, arg = text[1:].partition(" ")
        return Event("command", name.lower(), arg, lang_hint=lang)
    return Event("text", text, lang_hint=lang)


def run(engine: Engine, lang: str | None, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    interactive = stdin.isatty()
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
        print_replies(engine.handle(USER_ID, to_event(line, lang)), out)
