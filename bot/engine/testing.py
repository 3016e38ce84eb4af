"""A user's side of a conversation, for tests and transcripts: send text, press buttons by
their label, read what the bot showed. Shipped in the package so content editors' transcript
files and any channel's tests drive the engine the same way a person does."""

from __future__ import annotations

from .engine import Engine
from .model import Button, Event, Reply


class ChatClient:
    def __init__(self, engine: Engine, user_id: str = "test:1", lang_hint: str | None = "en"):
        self.engine = engine
        self.user_id = user_id
        self.lang_hint = lang_hint
        self.replies: list[Reply] = []

    # acting ---------------------------------------------------------------------------
    def _handle(self, event: Event) -> list[Reply]:
        self.replies = self.engine.handle(self.user_id, event)
        return self.replies

    def send(self, text: str) -> list[Reply]:
        text = text.strip()
        if text.startswith("/"):
            name, _, arg = text[1:].partition(" ")
            return self._handle(Event("command", name, arg, lang_hint=self.lang_hint))
        return self._handle(Event("text", text, lang_hint=self.lang_hint))

    def press(self, label: str) -> list[Reply]:
        """Press the button whose label is `label` (exactly, else the only one containing it)."""
        return self.press_data(self.button(label).data)

    def press_data(self, data: str) -> list[Reply]:
        return self._handle(Event("button", data, lang_hint=self.lang_hint))

    def media(self, kind: str) -> list[Reply]:
        return self._handle(Event("media", kind, lang_hint=self.lang_hint))

    # reading --------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return "\n\n".join(r.text for r in self.replies)

    @property
    def shown(self) -> str:
        """Everything on the screen: texts and button labels."""
        return "\n".join([self.text, *self.labels])

    @property
    def buttons(self) -> list[Button]:
        return [b for r in self.replies for b in r.flat_buttons()]

    @property
    def labels(self) -> list[str]:
        return [b.label for b in self.buttons]

    @property
    def screen(self) -> str | None:
        screens = [r.screen for r in self.replies if r.screen]
        return screens[-1] if screens else None

    def read_all(self) -> str:
        """The whole screen: presses "More" until the last page, and returns every page's text."""
        pages = [self.text]
        while any(b.data == "a:more" for b in self.buttons):
            self.press_data("a:more")
            pages.append(self.text)
        return "\n\n".join(pages)

    def button(self, label: str) -> Button:
        exact = [b for b in self.buttons if b.label == label]
        if exact:
            return exact[0]
        partial = [b for b in self.buttons if label.casefold() in b.label.casefold()]
        if len(partial) == 1:
            return partial[0]
        raise LookupError(f"no single button {label!r} on screen {self.screen}; buttons: {self.labels}")

    def onboard(self, role: str = "For myself", origin: str = "Myanmar", destination: str = "Thailand") -> None:
        """/start and answer the three questions (English labels by default)."""
        self.send("/start")
        if self.screen == "ask_language":
            self.press_data("c:lang:en")
        self.press(role)
        self.press(origin)
        self.press(destination)
