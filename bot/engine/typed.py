"""Typed text that is not a cry for help: the steps of Engine._on_text after the safety checks.

Each step returns the replies when the text is its business, or None to let the next step
try. Their order is written once, in Engine._on_text (and in DESIGN.md, "Principles"):
commands and buttons → an open case's relay → a pasted job ad → typed navigation → questions.
"""

from __future__ import annotations

from .. import cases
from ..i18n import N_, Translator, translator
from ..safety.language import detect
from ..store import State
from .jobad import looks_like_job_ad
from .model import Button, Reply
from .quiz import QUIZ_PREFIX, T_TALK
from .render import MAIN
from .textmatch import compact_form, fold
from .understand import Answer

T_NOT_FOUND = N_("Sorry, I did not find an answer to that. You can choose from the menu, or ask a person from our team.")
T_WHICH = N_("Is it one of these?")
T_QUIZ_ANSWER = N_("Please answer this question first: yes, no, or I don't know. Or type \"menu\" to stop.")
T_RETURN = N_("⬅ Back to where I was")
T_COUNTRIES_FIRST = N_("To show what fits your route, I need your two countries first.")

# The questions asked at the start, and what a typed answer is matched against.
CHOICE_SCREENS = {"ask_role": "role", "ask_origin": "origin", "ask_destination": "destination",
                  "ask_location": "location", "ask_language": "lang"}
# Longest typed answer to such a question ("I am from Nepal, I want to go to Malaysia"), and
# while a case is open (then longer messages go to the person helping).
ANSWER_WORDS, ANSWER_WORDS_IN_CASE = 12, 4
LANGUAGE_ANSWER_WORDS = 4  # "Tagalog po", "I speak Khmer": longer messages say something else
# Screens whose facts depend on the route: asked for the countries first when they are unknown.
ROUTE_TOPICS = ("costs", "pathways", "rights")


class TypedText:
    """Mixin for Engine: needs bundle, store, vocab, jobad, questions, quiz, show, scan_reply,
    _on_button, _start."""

    # 3. commands and buttons: a typed number, a button's label, a named option -------------
    def typed_button(self, state: State, text: str, t: Translator, open_case: dict | None) -> list[Reply] | None:
        shown = [Button(label, data) for label, data in state.data.get("shown", [])]
        typed = fold(text.strip().rstrip(".)"))  # "2", "2.", "2)", "၂"
        if typed.isdecimal():  # isdigit() also takes "²", which int() refuses
            index = int(typed) - 1
            if 0 <= index < len(shown):
                return self._on_button(state, shown[index].data, t)
            return None
        wanted = compact_form(text)
        button = next((b for b in shown if wanted and compact_form(b.label) == wanted), None)
        if button is not None:
            return self._on_button(state, button.data, t)
        choice = self.typed_choice(state, text, t, open_case)
        if choice is not None:
            replies = self._on_button(state, choice, t)
            if choice.startswith("c:lang:") and self.named_language(text) is None:
                # they wrote in their language instead of naming it: that chose it, and what
                # they asked is answered too, before the next question of the start
                return self._read_too(state, text, translator(state.lang)) or replies
            return replies
        if state.pending == "scan" and self.vocab.intent(text, state.lang or "en") is None:
            # the job ad the user was asked to send ("menu" or "back" is no job ad)
            state.pending = None
            return self.scan_reply(state, text, t)
        return None

    def _read_too(self, state: State, text: str, t: Translator) -> list[Reply] | None:
        answer = self.questions.answer(text, (t.lang,))
        if not answer.screens:
            return None
        asking = state.screen or "main"
        return self._answer_replies(state, answer, t) + self.show(state, asking, t)

    def named_language(self, text: str) -> str | None:
        """A short answer that names a language ("Tagalog po", "नेपाली"). In a longer message a
        name is part of what is said ("the visa fee for Thailand"): its own language counts."""
        return self.vocab.language_answer(text) if len(text.split()) <= LANGUAGE_ANSWER_WORDS else None

    def typed_choice(self, state: State, text: str, t: Translator, open_case: dict | None = None) -> str | None:
        """The payload of the option a typed answer names on a question screen, e.g. "c:origin:NP".
        An answer is short: a longer message while a person helps (a story that names a
        country) is theirs to read, not an answer to the bot."""
        kind = CHOICE_SCREENS.get(state.screen or "")
        limit = ANSWER_WORDS_IN_CASE if open_case else None if kind == "lang" else ANSWER_WORDS
        if kind is None or (limit and len(text.split()) > limit):
            return None  # (at the language picker, any message tells its language)
        if kind == "role":
            intent = self.vocab.intent(text, state.lang or "en")
            return f"c:role:{intent}" if intent in ("self", "family") else None
        if kind == "lang":
            lang = self.named_language(text) or detect(text)
            return f"c:lang:{lang}" if lang else None
        allowed = {"origin": self.bundle.origins, "destination": self.bundle.destinations,
                   "location": self.bundle.all_countries}[kind]
        code = self.vocab.country_answer(text, set(allowed))
        return f"c:{kind}:{code}" if code else None

    # 4. an open case: the person's words go to the person helping them -----------------------
    def case_relay(self, state: State, text: str, t: Translator, open_case: dict | None) -> list[Reply] | None:
        if open_case is None:
            return None
        cases.add_user_message(self.store, open_case, "text", text)
        return self._case_ack(state, open_case, t)

    # 5. a pasted job ad, anywhere ------------------------------------------------------------
    def pasted_job_ad(self, state: State, text: str, t: Translator, open_case: dict | None) -> list[Reply] | None:
        if not looks_like_job_ad(text, self.jobad, self.vocab):
            return None
        state.data["return_to"] = state.screen or "main"
        replies = self.scan_reply(state, text, t)
        replies[-1].buttons.insert(0, [Button(t(T_RETURN), "x:return")])
        return replies

    def return_to(self, state: State, t: Translator) -> list[Reply]:
        """The button under a job ad's result: back to the quiz question or the screen."""
        if (state.pending or "").startswith(QUIZ_PREFIX):
            return self.quiz.render(state, t)
        screen = state.data.pop("return_to", None)
        return self.show(state, screen if screen in self.bundle.screens else "main", t)

    # 6. typed navigation: menu, back, start again, yes, no, stop ------------------------------
    def typed_navigation(self, state: State, text: str, t: Translator, open_case: dict | None) -> list[Reply] | None:
        intent = self.vocab.intent(text, state.lang or "en")
        if intent is None or intent in ("self", "family"):
            return None
        in_quiz = (state.pending or "").startswith(QUIZ_PREFIX)
        answer = {"yes": "y", "no": "n", "dont_know": "u"}.get(intent)
        if answer and in_quiz:
            return self.quiz.answer(state, f"{state.pending.removeprefix(QUIZ_PREFIX)}:{answer}", t)
        if answer in ("y", "n"):
            confirm = {"forget_confirm": ("x:forget", "g:main"), "human": ("a:human", "g:main")}.get(state.screen or "")
            if confirm:
                return self._on_button(state, confirm[0] if answer == "y" else confirm[1], t)
        if answer and state.screen in CHOICE_SCREENS:
            return None  # "yes" is no answer to "which country?": asked again below
        state.pending = None
        if intent == "restart":
            return self._start(state, "", t)
        if intent == "back":
            parent = self.bundle.parents.get(state.screen or "", "main")
            return self.show(state, parent if parent in self.bundle.screens else "main", t)
        return self.show(state, "main", t)  # menu, stop, and a yes or no with nothing to answer

    # 7. a question: find the screen that answers it ------------------------------------------
    def typed_question(self, state: State, text: str, t: Translator, open_case: dict | None) -> list[Reply]:
        if (state.pending or "").startswith(QUIZ_PREFIX):
            # in the quiz, anything else keeps the question (the place is not lost)
            return [Reply(text=t(T_QUIZ_ANSWER), kind="notice"), *self.quiz.render(state, t)]
        asking = state.screen if state.screen in CHOICE_SCREENS else None
        langs = tuple(dict.fromkeys(lang for lang in (state.lang, detect(text)) if lang))
        answer = self.questions.answer(text, langs)
        if answer.sure and self._needs_route(answer.screens[0]):
            self._route_from_question(state, text)
        if asking and answer.sure and self.countries_first(state, answer.screens[0]):
            # the answer needs the countries this start is about to ask: they come first, and
            # then the answer (countries_first remembered it), not two questions at once
            return [Reply(text=t(T_COUNTRIES_FIRST), kind="notice"), *self.show(state, asking, t)]
        replies = self._answer_replies(state, answer, t)
        if asking:
            # answered (or not), then the question the bot was asking, again
            replies += self.show(state, asking, t)
        return replies

    def _answer_replies(self, state: State, answer: Answer, t: Translator) -> list[Reply]:
        if answer.sure:
            return self.show(state, answer.screens[0], t)
        if answer.screens:
            rows = [[Button(t(self.questions.titles[s]), f"g:{s}")] for s in answer.screens]
            rows += [[Button(t(T_TALK), "g:human")], [Button(t(MAIN), "g:main")]]
            return [Reply(text=t(T_WHICH), buttons=rows, screen=state.screen)]
        rows = [[Button(t(T_TALK), "g:human")], [Button(t(MAIN), "g:main")]]
        return [Reply(text=t(T_NOT_FOUND), buttons=rows, screen=state.screen)]

    def _route_from_question(self, state: State, text: str) -> None:
        """A country named in a question about the route sets it ("fees for Hong Kong"): a
        country of work replaces the one we had; a home country fills only a blank one."""
        named = self.vocab.countries(text)
        destinations = [c for c in named if c in self.bundle.destinations and c != state.origin]
        if len(destinations) == 1:
            state.destination = destinations[0]
        origins = [c for c in named if c in self.bundle.origins and c not in self.bundle.destinations]
        if len(origins) == 1 and not state.origin:
            state.origin = origins[0]

    # never a route screen without the route --------------------------------------------------
    def _needs_route(self, screen_id: str) -> bool:
        screen = self.bundle.screens.get(screen_id)
        return screen is not None and bool(screen.facts) and screen_id.startswith(ROUTE_TOPICS)

    def countries_first(self, state: State, screen_id: str) -> str | None:
        """The country question to ask before a screen whose facts need the route, if any."""
        if not self._needs_route(screen_id):
            return None
        missing = "ask_origin" if not state.origin else "ask_destination" if not state.destination else None
        if missing:
            state.data["after"] = screen_id
        return missing
