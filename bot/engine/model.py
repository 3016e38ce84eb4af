"""The engine's vocabulary: what comes in (Event), what goes out (Reply), and the loaded
content (Screen, Fact, Bundle). Plain data; no Telegram, no YAML here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .phones import Phone


@dataclass(frozen=True)
class Event:
    """Something a user did, in any channel.

    kind: "command" (value = name without slash, arg = rest), "button" (value = payload),
    "text" (value = the message), "media" (value = "photo", "sticker", ...).
    lang_hint: the client's language tag on first contact (Telegram's language_code).
    """

    kind: Literal["command", "button", "text", "media"]
    value: str
    arg: str = ""
    lang_hint: str | None = None
    # Where the channel can find the original message (to copy media to moderators).
    ref: dict | None = None
    # Where the channel can reach this user (e.g. a Telegram chat id): kept on an open case
    # only, since replies from the moderators must reach them; users are known by user_id.
    address: str | None = None


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # payload, at most limits.CALLBACK_DATA_BYTES bytes


@dataclass
class Reply:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    screen: str | None = None  # the screen shown, None for a short notice
    # "alert": an answer to a stale button (Telegram shows it as the callback answer too)
    kind: Literal["screen", "notice", "alert"] = "screen"
    # Something the channel does instead of showing `text`, e.g. "clear_chat" (delete the
    # chat's messages, then send engine.clear_report()); a channel that cannot shows `text`.
    action: str | None = None
    # Discreet mode: sent without sound, with this neutral line first (the preview on a
    # locked phone must not say "emergency" or "case").
    quiet_line: str | None = None

    def flat_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]


@dataclass(frozen=True)
class ButtonSpec:
    label: str
    go: str | None = None
    action: str | None = None


@dataclass
class Screen:
    id: str
    source: str  # "dialogs/costs.yaml"
    text: str
    buttons: list[ButtonSpec] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    no_facts: str | None = None
    choices: str | None = None  # "role", "origin", "destination", "location", "language"
    back: str | None = None
    # A screen that says danger: "Talk to a person" there opens an urgent case at once.
    # "self" or "relative" says who is in danger; "any" leaves it to who is asking.
    urgent: str | None = None
    keywords: str | None = None  # "fee, cost, how much": words people type for this screen


@dataclass
class Fact:
    id: str
    topic: str
    source_file: str
    text: str
    source: str
    source_name: str
    as_of: str
    checked: str
    confidence: str = "secondary"
    origin: tuple[str, ...] = ()
    destination: tuple[str, ...] = ()
    country: str | None = None
    amounts: dict[str, tuple[float, str]] = field(default_factory=dict)
    # Counts in the text ("{workers} workers"), formatted for the reader's locale.
    numbers: dict[str, float] = field(default_factory=dict)
    # Phone numbers in the text, by placeholder name; where each works (see phones.py).
    phones: dict[str, Phone] = field(default_factory=dict)
    # Country facts: who the fact is for (here / citizens / both); None = the topic's default.
    serves: str | None = None
    # Consular facts: the country the embassy or consulate is in (shown to people there).
    located_in: str | None = None

    def fits_route(self, origin: str | None, destination: str | None) -> bool:
        return (not self.origin or origin in self.origin) and (not self.destination or destination in self.destination)

    @property
    def specificity(self) -> int:
        """Route facts for exactly this route first, general ones last."""
        return (2 if self.origin else 0) + (1 if self.destination else 0)


@dataclass
class Problem:
    level: Literal["error", "warning"]
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


@dataclass
class Bundle:
    screens: dict[str, Screen]
    facts: dict[str, Fact]
    origins: list[str]
    destinations: list[str]
    deep_links: dict[str, str]
    parents: dict[str, str] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)  # other content (safety data)

    def __post_init__(self) -> None:
        # Rendering looks facts up by topic on every screen: index them once, in file order.
        self.by_topic: dict[str, list[Fact]] = {}
        for fact in self.facts.values():
            self.by_topic.setdefault(fact.topic, []).append(fact)

    @property
    def topics(self) -> set[str]:
        return set(self.by_topic)

    @property
    def all_countries(self) -> list[str]:
        return list(dict.fromkeys(self.destinations + self.origins))
