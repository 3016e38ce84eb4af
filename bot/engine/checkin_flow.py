"""Safety check-ins on screen: the set-up, the invitation, accepting it, and the answers.
The rules and the storage are in bot/checkins.py and bot/checkins_store.py.

Payloads (all `k:`): k:every:<day|3days|week>, k:invite, k:pause, k:resume, k:secret,
k:labels, k:end:<link id>, k:stop, k:accept:<code>, k:ok, k:help.
Typed answers the engine hands here while `state.pending` starts with "checkin".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import checkins, limits
from ..checkins_store import CheckinStore
from ..i18n import N_, Translator
from ..store import State
from .model import Button, Reply
from .render import EMERGENCY, MAIN

if TYPE_CHECKING:
    from .engine import Engine

INTRO = "checkin"  # dialogs/checkin.yaml
CHOICES = {"day": N_("Every day"), "3days": N_("Every 3 days"), "week": N_("Every week")}
T_ASK_NAME = N_("What name should your trusted people see for you? For example: Aye, or Son. Type it:")
T_BAD_NAME = N_("Please type a short name or word, up to 30 letters.")
T_STATUS = N_("Safety check-ins are on.\nHow often: {how}\nNext check-in: {when}\nYour name for them: {name}\nYour trusted people: {people}")
T_PAUSED_UNTIL = N_("Check-ins are paused until {when}. Your trusted people are not told anything.")
T_NOBODY = N_("nobody yet. Invite someone you trust.")
T_LINKED_TO = N_("You are a trusted person for: {names}")
T_INVITE = N_("Invite a trusted person")
T_PAUSE = N_("No phone for 3 days")
T_RESUME = N_("Start check-ins again")
T_SECRET = N_("Secret danger word")
T_LABELS = N_("Change the button words")
T_END = N_("End the link with {name}")
T_STOP = N_("Stop all check-ins")
T_INVITE_HOW = N_("Forward the next message to a person you trust. It works once, for 48 hours.")
T_INVITE_MESSAGE = N_("Please be my trusted person for safety check-ins. Open this link, or send the last line to the bot:")
T_FULL = N_("You already have 3 trusted people or open invitations. End a link before you invite someone new.")
T_ASK_SECRET = N_("Type a secret word. If someone forces you to answer a check-in, type this word instead of pressing the button. You will see the normal answer, but our team is told at once. We keep only a scrambled form of the word.")
T_SECRET_SAVED = N_("Your secret word is saved. Now delete your message with the word from this chat.")
T_ASK_OK_LABEL = N_("Type the words for the button that means \"I am OK\" (for example: Good morning):")
T_ASK_HELP_LABEL = N_("Now type the words for the button that means \"I need help\" (for example: Call me later):")
T_SAVED = N_("Saved.")
T_STOPPED_ALL = N_("Check-ins are stopped. Your trusted people were told only that check-ins have stopped.")
T_ENDED = N_("The link is ended.")
T_INVITED = N_("{name} asks you to be a trusted person for safety check-ins.\nYou will get a message if {name} does not answer a check-in, or asks for help.\nYou will NOT get {name}'s messages, location or anything else {name} writes here.\nYou or {name} can end this at any time.")
T_ACCEPT = N_("Accept")
T_NO_THANKS = N_("No, thank you")
T_ASK_PERSON_NAME = N_("What name should {name} see for you? For example: Mum. Type it:")
T_LINKED = N_("Done. You are now a trusted person for {name}. If {name} does not answer a check-in, I will tell you here.")
T_ASK_ZONE = N_("So that the times I send are in your time zone:")
T_BAD_CODE = N_("This invitation does not work: it was already used, it is older than 48 hours, or the code is wrong. Ask for a new invitation.")
T_SELF = N_("This is your own invitation. Send it to a person you trust.")
T_ALREADY = N_("You are already a trusted person for {name}.")
T_PERSON_FULL = N_("{name} already has 3 trusted people, so this invitation cannot be used.")


def _store(engine: "Engine") -> CheckinStore:
    return CheckinStore(engine.store)


def _back(t: Translator) -> list[Button]:
    return [Button(t(MAIN), "g:main")]


def home(engine: "Engine", state: State, t: Translator, notice: str | None = None) -> list[Reply]:
    """/checkin: the migrant's plan and links, the links as trusted person, or the set-up."""
    cs = _store(engine)
    state.pending = None
    plan = cs.plan(state.user_id)
    as_person = cs.links_of_person(state.user_id)
    if plan is None and not as_person:
        replies = engine.show(state, INTRO, t, notice=notice)
        replies[-1].buttons[:0] = [[Button(t(label), f"k:every:{key}")] for key, label in CHOICES.items()]
        return replies
    parts, rows = [], []
    if plan is not None:
        links = cs.links_of_plan(state.user_id)
        people = ", ".join(link["person_name"] for link in links) or t(T_NOBODY)
        choice = next((k for k in CHOICES if limits.CHECKIN_INTERVAL_SECONDS[k] == plan["interval_s"]), None)
        how = t(CHOICES[choice]) if choice else f"{plan['interval_s']} s"
        due = checkins.when(engine.store, plan["waiting_since"] or plan["next_due_at"], state.user_id, state.user_id)
        parts.append(t(T_STATUS).format(how=how, when=due, name=plan["name"], people=people))
        if plan["status"] == "paused":
            parts.append(t(T_PAUSED_UNTIL).format(when=due))
        rows.append([Button(t(T_INVITE), "k:invite")])
        rows.append([Button(t(T_RESUME), "k:resume")] if plan["status"] == "paused" else [Button(t(T_PAUSE), "k:pause")])
        rows.append([Button(t(T_SECRET), "k:secret"), Button(t(T_LABELS), "k:labels")])
        rows += [[Button(t(T_END).format(name=link["person_name"]), f"k:end:{link['id']}")] for link in links]
        rows.append([Button(t(T_STOP), "k:stop")])
    if as_person:
        names = ", ".join((cs.plan(link["plan_user_id"]) or {}).get("name", "?") for link in as_person)
        parts.append(t(T_LINKED_TO).format(names=names))
        rows += [[Button(t(T_END).format(name=(cs.plan(link["plan_user_id"]) or {}).get("name", "?")),
                         f"k:end:{link['id']}")] for link in as_person]
        if plan is None:
            rows += [[Button(t(label), f"k:every:{key}")] for key, label in CHOICES.items()]
    rows.append(_back(t))
    state.visit(INTRO)
    replies = [Reply(text="\n\n".join(parts), buttons=rows, screen=INTRO)]
    if notice:
        replies.insert(0, Reply(text=notice, kind="notice"))
    return replies


def start_link(engine: "Engine", state: State, code: str, t: Translator) -> list[Reply]:
    """/start link_<code>: what the trusted person will and will not receive, and Accept."""
    plan, problem = checkins.check_invite(_store(engine), code, state.user_id, engine.clock())
    if problem:
        return _invite_problem(engine, state, plan, problem, t)
    state.data["checkin_code"] = code
    text = t(T_INVITED).format(name=plan["name"])
    state.visit(INTRO)
    return [Reply(text=text, buttons=[[Button(t(T_ACCEPT), "k:accept")], [Button(t(T_NO_THANKS), "g:main")]],
                  screen=INTRO)]


def _invite_problem(engine: "Engine", state: State, plan: dict | None, problem: str, t: Translator) -> list[Reply]:
    state.pending = None
    state.data.pop("checkin_code", None)
    name = (plan or {}).get("name", "")
    text = {"bad": T_BAD_CODE, "self": T_SELF, "already": T_ALREADY, "full": T_PERSON_FULL}[problem]
    return engine.show(state, "main", t, notice=t(text).format(name=name))


def answer_ok_reply(t: Translator) -> list[Reply]:
    """The same reply for OK and for the duress word: nothing a watcher could tell apart."""
    return [Reply(text=t(checkins.T_OK_REPLY), kind="notice")]


def duress(engine: "Engine", state: State, text: str, t: Translator) -> list[Reply] | None:
    """The first check on typed text: the duress word answers like OK and opens an urgent case."""
    if not checkins.is_duress(engine.store, state.user_id, text.strip()):
        return None
    state.pending = None
    checkins.answer_help(engine.store, state, engine.clock(), duress=True)
    return answer_ok_reply(t)


def button(engine: "Engine", state: State, rest: str, t: Translator) -> list[Reply] | None:
    """A `k:` button; None when it is stale or forged (the engine says "expired")."""
    cs, now = _store(engine), engine.clock()
    action, _, arg = rest.partition(":")
    plan = cs.plan(state.user_id)
    if action == "every" and arg in CHOICES:
        if plan is not None:  # changing how often keeps the name
            checkins.create_plan(cs, state.user_id, plan["name"], arg, engine.checkin_config, now)
            return home(engine, state, t, notice=t(T_SAVED))
        state.pending, state.data["checkin_choice"] = "checkin_name", arg
        return [Reply(text=t(T_ASK_NAME), buttons=[_back(t)], screen=state.screen)]
    if action == "accept" and state.data.get("checkin_code"):
        plan, problem = checkins.check_invite(cs, state.data["checkin_code"], state.user_id, now)
        if problem:
            return _invite_problem(engine, state, plan, problem, t)
        state.pending = "checkin_person_name"
        return [Reply(text=t(T_ASK_PERSON_NAME).format(name=plan["name"]), buttons=[_back(t)], screen=state.screen)]
    if action == "end" and arg.isdigit():
        link = cs.link(int(arg))
        if link is None or state.user_id not in (link["plan_user_id"], link["person_user_id"]):
            return None
        checkins.end_link(cs, link, state.user_id, now)
        return home(engine, state, t, notice=t(T_ENDED))
    if action == "ok":
        return answer_ok_reply(t) if checkins.answer_ok(engine.store, state.user_id, now) else None
    if action == "help":
        case = checkins.answer_help(engine.store, state, now)
        if case is None:
            return None
        return [Reply(text=t(checkins.T_HELP_REPLY).format(case=case["id"]),
                      buttons=[[Button(t(EMERGENCY), "g:emergency")]], kind="notice")]
    if plan is None:
        return None
    if action == "invite":
        return _invite(engine, state, t)
    if action == "pause":
        checkins.pause(cs, state.user_id, now)
        return home(engine, state, t)
    if action == "resume":
        checkins.resume(cs, state.user_id, now)
        return home(engine, state, t, notice=t(T_SAVED))
    if action == "secret":
        state.pending = "checkin_secret"
        return [Reply(text=t(T_ASK_SECRET), buttons=[_back(t)], screen=state.screen)]
    if action == "labels":
        state.pending = "checkin_ok_label"
        return [Reply(text=t(T_ASK_OK_LABEL), buttons=[_back(t)], screen=state.screen)]
    if action == "stop":
        checkins.stop_plan(cs, state.user_id, now)
        return home(engine, state, t, notice=t(T_STOPPED_ALL))
    return None


def _invite(engine: "Engine", state: State, t: Translator) -> list[Reply]:
    code = checkins.new_invite(_store(engine), state.user_id, engine.clock())
    if code is None:
        return home(engine, state, t, notice=t(T_FULL))
    lines = [t(T_INVITE_MESSAGE)]
    if engine.checkin_config.bot_username:
        lines.append(f"https://t.me/{engine.checkin_config.bot_username}?start={checkins.LINK_PREFIX}{code} ")
    lines.append(f"/start {checkins.LINK_PREFIX}{code}")
    return [Reply(text=t(T_INVITE_HOW), kind="notice"), Reply(text="\n".join(lines), kind="notice"),
            *home(engine, state, t)]


def on_text(engine: "Engine", state: State, text: str, t: Translator) -> list[Reply]:
    """A typed answer to one of the set-up questions (state.pending starts with "checkin")."""
    cs, now, step = _store(engine), engine.clock(), state.pending
    state.pending = None
    if step == "checkin_secret":
        if not text.strip() or len(text) > limits.CHECKIN_NAME_CHARS:
            state.pending = step
            return [Reply(text=t(T_BAD_NAME), buttons=[_back(t)], screen=state.screen)]
        cs.save_plan(state.user_id, duress_hash=checkins.hash_word(text))
        return home(engine, state, t, notice=t(T_SECRET_SAVED))
    value = checkins.clean_name(text)
    if value is None:
        state.pending = step
        return [Reply(text=t(T_BAD_NAME), buttons=[_back(t)], screen=state.screen)]
    if step == "checkin_name" and state.data.get("checkin_choice") in CHOICES:
        checkins.create_plan(cs, state.user_id, value, state.data.pop("checkin_choice"), engine.checkin_config, now)
        return _invite(engine, state, t)
    if step == "checkin_person_name" and state.data.get("checkin_code"):
        plan, problem = checkins.accept(cs, state.data.pop("checkin_code"), state.user_id, value, now)
        if problem:
            return _invite_problem(engine, state, plan, problem, t)
        notice = t(T_LINKED).format(name=plan["name"])
        if state.data.get("location"):
            return engine.show(state, "main", t, notice=notice)
        state.data["after"] = "main"  # asked once: the time zone of the alerts
        return engine.show(state, "ask_location", t, notice=notice + "\n\n" + t(T_ASK_ZONE))
    if step == "checkin_ok_label" and cs.plan(state.user_id):
        cs.save_plan(state.user_id, ok_label=value)
        state.pending = "checkin_help_label"
        return [Reply(text=t(T_ASK_HELP_LABEL), buttons=[_back(t)], screen=state.screen)]
    if step == "checkin_help_label" and cs.plan(state.user_id):
        cs.save_plan(state.user_id, help_label=value)
        return home(engine, state, t, notice=t(T_SAVED))
    return home(engine, state, t)
