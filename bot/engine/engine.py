"""The dialog engine: one event from any channel in, the replies to show out.

Order of work for every event: load the user's state → (free text) the check-in duress
word first (answered exactly like an OK, silently urgent: bot/engine/checkin_flow.py), then
the distress check → commands / buttons / text → save the state → replies.
Button payloads are short ids ("g:costs", "c:origin:MM") checked against the loaded
content; anything unknown or stale gets a kind "this menu has expired" and the menu.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable

from .. import cases, checkins, forget, limits
from ..checkins_store import CheckinStore
from ..i18n import N_, SUPPORTED, Nn_, Translator, negotiate, translator
from ..safety.distress import DistressMatcher
from ..safety.scan import RedFlags, scan
from ..safety.scan_report import legit_lines
from ..store import State, Store
from . import checkin_flow, emergency, privacy
from .model import Bundle, Button, Event, Reply
from .render import BACK, EMERGENCY, MAIN, ROLE_LABELS, render_screen, split_long
from .quiz import QUIZ_PREFIX, RISK, T_TALK, Quiz
from .typed import T_COUNTRIES_FIRST, TypedText
from .understand import QuestionIndex

log = logging.getLogger(__name__)

# Python-side texts (the rest is in dialogs/). Marked for extraction with N_.
T_EXPIRED = N_("This menu has expired. Here is the main menu.")
T_UNKNOWN_COMMAND = N_("I do not know that command. Here is the main menu.")
T_MEDIA = N_("I can only read text and button presses. Please write in words, or choose from the menu.")
T_TOO_LONG = N_("Your message was very long, so I read only the first part.")
T_CASE_OPENED = N_("Thank you. Your case number is #{case}.\nA person from our team will write to you here. They will not see your name or phone number.\nYou can keep writing here: your messages go to them.\nIf you are in danger now, open Emergency help.")
T_CASE_ALREADY = N_("You already have an open case, #{case}. A person will answer you here. Your messages go to them.")
T_CASE_SENT = N_("Sent to the person helping you (case #{case}). Please wait for their answer.")
T_FORGET_YES = N_("Yes, delete everything")
T_FORGET_NO = N_("No, keep my data")
T_FORGOTTEN = N_("Your data is deleted. If you write again, I will start from the beginning.")
T_SCAN_ASK = N_("Send me the job ad or the message you got, as text. I will look for warning signs. I do not keep the text.")
T_SCAN_EMPTY = N_("I found no warning signs in this text. This does not prove the job is safe: check the agency's licence with the official body, and never give your passport to anyone.")
T_SCAN_RESULT = Nn_("Risk: {risk}. I found {n} warning sign:", "Risk: {risk}. I found {n} warning signs:")
T_SCAN_CONTACT = N_("Contacts to watch (a recruiter who only talks on chat apps is a warning sign): {evidence}")
T_SCAN_NEXT = N_("What to do now: do not pay anything and do not give your passport. Check the agency's licence with the official body for your country. Talk to a person if you are not sure.")
T_CHECK_AGAIN = N_("Check another ad")


@dataclass
class Engine(TypedText):
    bundle: Bundle
    store: Store
    # Set by the channel: False when no person can answer an urgent case soon (no moderator
    # chat, the bot removed from it, or the terminal chat); the user is told so honestly.
    moderators_reachable: bool = True
    retention_days: int = 30  # Settings.retention_days: the privacy screen says it
    # Safety check-ins: SAFEBOT_CHECKIN_SECONDS and the bot's username (set by the entry point).
    checkin_config: checkins.Config = field(default_factory=checkins.Config)
    clock: Callable[[], float] = time.time  # epoch seconds; tests pass their own

    def __post_init__(self) -> None:
        # loader.load() always provides these (empty matchers when content/ has no phrases)
        self.distress: DistressMatcher = self.bundle.extra["distress"]  # type: ignore[assignment]
        self.redflags: RedFlags = self.bundle.extra["redflags"]  # type: ignore[assignment]
        self.vocab = self.bundle.extra["vocab"]
        self.jobad = self.bundle.extra["jobad"]
        self.quiz = Quiz(self.bundle)
        if "questions" not in self.bundle.extra:  # built once for the loaded content, all languages
            self.bundle.extra["questions"] = QuestionIndex(self.bundle, ignore=set(self.vocab.country_names))
        self.questions: QuestionIndex = self.bundle.extra["questions"]  # type: ignore[assignment]

    # entry point ----------------------------------------------------------------------
    def handle(self, user_id: str, event: Event) -> list[Reply]:
        state = self.store.load(user_id)
        if state.lang is None:
            state.lang = negotiate(event.lang_hint)
            if state.lang is None:
                state.data["ask_language"] = True
                state.lang = "en"
        t = translator(state.lang)
        replies = self._dispatch(state, event, t)
        privacy.mark_quiet(replies, state)
        if state.data.pop("forgotten", False):
            return replies  # nothing of this user may be written again
        privacy.keep_address(self.store, user_id, event.address)
        CheckinStore(self.store).keep_address(user_id, event.address)  # to send check-ins and alerts
        shown = [[b.label, b.data] for r in replies for b in r.flat_buttons()]
        if shown:
            state.data["shown"] = shown  # what a typed number or label refers to next
        self.store.save(state)
        return replies

    def _dispatch(self, state: State, event: Event, t: Translator) -> list[Reply]:
        if event.kind == "text":
            return self._on_text(state, event.value, t)
        if event.kind == "command":
            return self._on_command(state, event.value.lower(), event.arg.strip(), t)
        if event.kind == "button":
            return self._on_button(state, event.value, t)
        return self._on_media(state, event.value, t, event.ref)

    # rendering ------------------------------------------------------------------------
    def show(self, state: State, screen_id: str, t: Translator, notice: str | None = None, page: int = 0) -> list[Reply]:
        ask = self.countries_first(state, screen_id)  # never "no facts for your route" for want of asking
        if ask:
            screen_id, notice = ask, notice or t(T_COUNTRIES_FIRST)
        screen = self.bundle.screens[screen_id]
        state.visit(screen_id)
        if page:
            state.data["page"] = page  # what "More" shows next
        else:
            state.data.pop("page", None)
        replies = render_screen(self.bundle, screen, state, t, page)
        if screen_id == "forget_confirm":
            replies[-1].buttons[:0] = [[Button(t(T_FORGET_YES), "x:forget")], [Button(t(T_FORGET_NO), "g:main")]]
        if privacy.wants_privacy_buttons(screen_id):
            privacy.add_privacy_buttons(replies[-1], state, t)
            privacy.fill_retention(replies, self.retention_days, t)
        if notice:
            replies.insert(0, Reply(text=notice, kind="notice"))
        return replies

    # commands -------------------------------------------------------------------------
    def _on_command(self, state: State, name: str, arg: str, t: Translator) -> list[Reply]:
        state.pending = None  # a command leaves any question the bot was waiting on
        if name == "start":
            return self._start(state, arg, t)
        if name == "checkin":
            return checkin_flow.home(self, state, t)
        targets = {"menu": "main", "language": "ask_language", "human": "human", "forget": "forget_confirm",
                   "help": "help", "settings": "settings", "privacy": privacy.PRIVACY_SCREEN}
        if name in targets:
            return self.show(state, targets[name], t)
        if name == "clear":
            return [privacy.clear_request(t)]
        return self.show(state, "main", t, notice=t(T_UNKNOWN_COMMAND))

    def _start(self, state: State, arg: str, t: Translator) -> list[Reply]:
        if arg.lower().startswith(checkins.LINK_PREFIX):
            return checkin_flow.start_link(self, state, arg[len(checkins.LINK_PREFIX):], t)
        target = self.bundle.deep_links.get(arg.lower()) if arg else None
        if target in self.bundle.screens:
            return self.show(state, target, t)  # NGOs' QR codes open the screen at once
        if state.data.get("ask_language"):  # until a language is chosen, "start" asks it
            state.data["onboarding"] = True
            return self.show(state, "ask_language", t)
        if not (state.role and state.origin and state.destination):
            state.data["onboarding"] = True
            return self._next_profile_step(state, t)
        return self.show(state, "main", t)

    def _next_profile_step(self, state: State, t: Translator) -> list[Reply]:
        for name, screen in (("role", "ask_role"), ("origin", "ask_origin"), ("destination", "ask_destination")):
            if not getattr(state, name):
                return self.show(state, screen, t)
        state.data.pop("onboarding", None)
        return self.show(state, state.data.pop("after", None) or "main", t)

    # buttons --------------------------------------------------------------------------
    def _on_button(self, state: State, data: str, t: Translator) -> list[Reply]:
        if len(data.encode()) > limits.CALLBACK_DATA_BYTES:
            return self._expired(state, t)
        kind, _, rest = data.partition(":")
        if data == "g:" + checkin_flow.INTRO:
            return checkin_flow.home(self, state, t)  # the set-up, or the plan and links
        if kind == "g" and rest in self.bundle.screens:
            state.pending = None
            return self.show(state, rest, t)
        if kind == "a":
            return self._action(state, rest, t)
        if kind == "c":
            return self._choice(state, rest, t)
        if kind == "k":
            return checkin_flow.button(self, state, rest, t) or self._expired(state, t)
        if kind == QUIZ_PREFIX.rstrip(":"):
            return self.quiz.answer(state, rest, t) or self._expired(state, t)
        if data == "x:leave":
            return self._leave_case(state, t)
        if data == "x:return":
            return self.return_to(state, t)
        if kind == "f":
            return self._feedback(state, rest, t)
        if data == "x:forget" and state.screen == "forget_confirm":
            checkins.forget(self.store, state.user_id, self.clock())  # linked people are told
            forget.forget_user(self.store, state.user_id)  # also in the moderators' topics
            state.data["forgotten"] = True
            return [Reply(text=t(T_FORGOTTEN), kind="notice")]
        return self._expired(state, t)

    def _leave_case(self, state: State, t: Translator) -> list[Reply]:
        case = self.store.open_case_for(state.user_id)
        if case is None:
            return self._expired(state, t)
        cases.close_case(self.store, case, by="user")
        return self.show(state, "main", t, notice=t(cases.T_LEFT))

    def _feedback(self, state: State, rest: str, t: Translator) -> list[Reply]:
        case_id, _, value = rest.partition(":")
        case = self.store.case(int(case_id)) if case_id.isascii() and case_id.isdigit() and len(case_id) < 19 else None
        if case is None or case["user_id"] != state.user_id or value not in ("y", "n"):
            return self._expired(state, t)
        self.store.update_case(case["id"], helpful=value)
        return self.show(state, "main", t, notice=t(cases.T_FEEDBACK_THANKS))

    def _expired(self, state: State, t: Translator) -> list[Reply]:
        state.pending = None
        replies = self.show(state, "main", t)
        return [Reply(text=t(T_EXPIRED), kind="alert"), *replies]

    def _action(self, state: State, action: str, t: Translator) -> list[Reply]:
        state.pending = None
        if action == "human":
            screen = self.bundle.screens.get(state.screen or "")
            if screen is not None and screen.urgent:
                # From a screen that says danger: urgent, shared at once, and the user is told so.
                return self.open_urgent_case(state, t, reason="emergency", about=screen.urgent)
            if state.screen != "human":
                return self.show(state, "human", t)  # first: what is shared, and one button to agree
            checks = (state.data.get("quiz_result"), state.data.get("scan_result"))
            scam_high = any(c and c.get("risk") == "high" for c in checks)
            return self.open_human_case(state, t, reason="scam" if scam_high else "asked")
        if action == "language":
            return self.show(state, "ask_language", t)
        if action == "location" and state.data.get("asking_where") == emergency.RELATIVE:
            return emergency.ask_where_relative(self.bundle, state, t)
        if action in ("countries", "role", "location"):
            state.data["after"] = state.screen or "main"
            return self.show(state, {"countries": "ask_origin", "role": "ask_role", "location": "ask_location"}[action], t)
        if action == "scan":
            state.pending = "scan"
            return [Reply(text=t(T_SCAN_ASK), buttons=[[Button(t(MAIN), "g:main")]], screen=state.screen)]
        if action == "quiz":
            return self.quiz.start(state, t)
        if action == "forget":
            return self.show(state, "forget_confirm", t)
        if action == "more" and state.screen in self.bundle.screens:
            return self.show(state, state.screen, t, page=state.data.get("page", 0) + 1)
        if action == "clear":
            return [privacy.clear_request(t)]
        if action == "quiet":
            notice = privacy.toggle_quiet(state, t)
            screen = state.screen if state.screen in self.bundle.screens else privacy.PRIVACY_SCREEN
            return self.show(state, screen, t, notice=notice)
        return self._expired(state, t)

    def _choice(self, state: State, rest: str, t: Translator) -> list[Reply]:
        kind, _, value = rest.partition(":")
        allowed = {
            "role": set(ROLE_LABELS), "lang": set(SUPPORTED),
            "origin": {*self.bundle.origins, "other"}, "destination": {*self.bundle.destinations, "other"},
            "location": {*self.bundle.all_countries, "other"},
        }
        if value not in allowed.get(kind, ()):
            return self._expired(state, t)
        if kind == "lang":
            state.data.pop("ask_language", None)
            state.lang = value
            t = translator(value)
        elif kind == "location":
            # After an alarm: the numbers for exactly that place (theirs, or their relative's).
            chosen = emergency.place_chosen(self.bundle, state, t, value)
            if chosen is not None:
                return chosen
            state.data["location"] = value  # where they are now: the numbers come next
            return self.show(state, state.data.pop("after", None) or "emergency", t)
        else:
            setattr(state, kind, value)
        if kind == "origin" and not state.data.get("onboarding"):
            # changing countries asks both, then returns where the user was
            return self.show(state, "ask_destination", t)
        if state.data.get("onboarding"):
            return self._next_profile_step(state, t)
        return self.show(state, state.data.pop("after", None) or "settings", t)

    # free text ------------------------------------------------------------------------
    def _on_text(self, state: State, text: str, t: Translator) -> list[Reply]:
        """What wins when several things apply to one message, in this order (DESIGN.md):
        1. a check-in duress word: exactly the OK reply, and a silent urgent case
           (bot/engine/checkin_flow.py);
        2. distress: safety first, whatever the user was doing;
        3. commands and buttons: /command, a typed number or label, a named option, the
           job ad the bot asked for;
        4. an open case's relay: other text goes to the moderators;
        5. a pasted job ad: the scam check;
        6. typed navigation: menu, back, start again, yes, no, stop;
        7. question matching (which also keeps a quiz or onboarding question).
        """
        # First of all: a check-in duress word gets exactly the OK reply, and a silent urgent case.
        duress = checkin_flow.duress(self, state, text, t)
        if duress is not None:
            return duress
        notices = []
        if len(text) > limits.USER_TEXT_CHARS:
            text = text[: limits.USER_TEXT_CHARS]
            notices.append(Reply(text=t(T_TOO_LONG), kind="notice"))
        stripped = text.strip()
        if stripped.startswith("/"):
            name, _, arg = stripped[1:].partition(" ")
            return self._on_command(state, name.split("@")[0], arg, t)
        open_case = self.store.open_case_for(state.user_id)
        # Safety first: a distress message interrupts whatever the user was doing (once:
        # when a person already handles it as urgent, it goes to them like any message).
        urgent_already = open_case is not None and open_case["priority"] == cases.URGENT
        hit = None if urgent_already else self.distress.match(stripped)
        if hit:
            # Answered in the message's language, with one button back to the chat's.
            old = emergency.switch_to_message_language(state, stripped, hit)
            t = translator(state.lang)
            replies = self.open_urgent_case(state, t, reason="distress", text=stripped, hit=hit)
            if old:
                replies[-1].buttons.append(emergency.switch_back_row(state, old))
            return notices + replies
        for step in (self.checkin_answer, self.typed_button, self.case_relay, self.pasted_job_ad, self.first_message,
                     self.typed_navigation, self.typed_question):
            replies = step(state, stripped, t, open_case)
            if replies is not None:
                return notices + replies
        return notices  # not reached: typed_question always answers

    def checkin_answer(self, state: State, text: str, t: Translator, open_case: dict | None) -> list[Reply] | None:
        """A name or a word the check-in set-up asked for."""
        if state.pending and state.pending.startswith("checkin"):
            return checkin_flow.on_text(self, state, text, t)
        return None

    def first_message(self, state: State, text: str, t: Translator, open_case: dict | None) -> list[Reply] | None:
        """A first message, or the first after /forget: start from the beginning."""
        return self._start(state, "", t) if state.is_new else None

    def _on_media(self, state: State, kind: str, t: Translator, ref: dict | None) -> list[Reply]:
        open_case = self.store.open_case_for(state.user_id)
        if open_case:
            # photos of a contract, a voice message, a location: relayed as they are
            cases.add_user_message(self.store, open_case, kind, None, ref)
            return self._case_ack(state, open_case, t)
        return self.show(state, state.screen if state.screen in self.bundle.screens else "main", t, notice=t(T_MEDIA))

    def _case_ack(self, state: State, case: dict, t: Translator) -> list[Reply]:
        """Say once that messages go to a person; then stay quiet (no bot talking over them)."""
        if state.data.get("case_ack") == case["id"]:
            return []
        state.data["case_ack"] = case["id"]
        return [Reply(text=t(T_CASE_SENT).format(case=case["id"]), kind="notice",
                      buttons=[[Button(t(cases.T_LEAVE), "x:leave")]])]

    # safety and people ----------------------------------------------------------------
    def open_urgent_case(self, state: State, t: Translator, reason: str, text: str | None = None,
                         hit: object = None, about: str | None = None) -> list[Reply]:
        """One message that is enough: an urgent case, what to do now, and the numbers for
        where the person in danger probably is (bot/engine/emergency.py)."""
        state.data["discreet"] = True  # someone may see their phone: no sound, no telling preview
        case, _ = cases.open_case(self.store, state, reason=reason, priority=cases.URGENT, first_message=text)
        # no case_ack here: their next message is acknowledged once, with a way to end the talk
        sit = emergency.situation(self.bundle, state, text or "", hit, about)
        log.warning("urgent_case case=%s reason=%s lang=%s about=%s", case["id"], reason, state.lang, sit.about)
        return emergency.urgent_replies(self.bundle, state, t, case, sit, self.moderators_reachable)

    def open_human_case(self, state: State, t: Translator, reason: str) -> list[Reply]:
        case, created = cases.open_case(self.store, state, reason=reason)
        state.data["case_ack"] = case["id"]
        text = (T_CASE_OPENED if created else T_CASE_ALREADY)
        rows = [[Button(t(EMERGENCY), "g:emergency")], [Button(t(cases.T_LEAVE), "x:leave")],
                [Button(t(MAIN), "g:main")]]
        return [Reply(text=t(text).format(case=case["id"]), buttons=rows, screen=state.screen)]

    def scan_reply(self, state: State, text: str, t: Translator) -> list[Reply]:
        result = scan(text, self.redflags, lang_hint=state.lang)
        state.data["scan_result"] = {"risk": result.risk, "flags": [f.id for f in result.flags]}
        parts: list[str] = []
        if not result.flags:
            parts.append(t(T_SCAN_EMPTY))
        else:
            count = len(result.flags)
            parts.append(t.ngettext(*T_SCAN_RESULT, count).format(risk=t(RISK[result.risk]), n=count))
            for finding in result.flags:
                if finding.id == "contact_offplatform":
                    parts.append("• " + t(T_SCAN_CONTACT).format(evidence=finding.evidence))
                    continue
                flag = self.redflags.flags.get(finding.id)
                why = t(flag.why) if flag else finding.id
                parts.append(f"• {why}\n   «{finding.evidence}»")
            parts.append(t(T_SCAN_NEXT))
        parts += legit_lines(result, self.redflags, t)  # what made it look legitimate, if anything
        rows = [[Button(t(T_CHECK_AGAIN), "a:scan")]]
        if result.risk == "high":
            rows.insert(0, [Button(t(T_TALK), "g:human")])  # via the screen that says what is shared
        rows.append([Button(t(BACK), "g:scam"), Button(t(MAIN), "g:main")])
        return split_long(parts, rows, state.screen)
