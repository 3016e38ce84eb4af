"""The emergency flow: the first answer to a person in danger, or to their family.

One short message that is enough on its own: the urgent case, what to do now, and phone
numbers for the one or few places the person in danger probably is (named in the message,
told before, their route, or likely for their language), each line labelled with its
country and dialable from where the caller is; the home country's line that works from
abroad; then "Which country are you in now?" with the likely countries first.

A family member at home gets the family path (never the advice for someone who is held),
with the numbers of the relative's place dialable from home.
"""

from __future__ import annotations

import inspect
import re
import unicodedata
from dataclasses import dataclass

from .. import limits
from ..i18n import N_, SUPPORTED, Translator, translator
from ..safety import language
from ..store import State
from .model import Bundle, Button, Fact, Reply
from .places import Places
from .render import MAIN, by_place, render_fact, render_screen

SELF, RELATIVE = "self", "relative"

# The urgent case, said once, for the person in danger and for their family; and the honest
# version when no person from our team can be reached (no moderator chat, or the terminal).
T_DISTRESS = N_("I am worried about you. Your message is now with our team as an urgent case (#{case}). A person will answer you here as soon as they can.\nIf it is safe: keep your phone hidden and charged, do not argue with the people holding you, and delete this chat if they check your phone.")
T_FAMILY_ALERT = N_("I am sorry this is happening. Your message is now with our team as an urgent case (#{case}). A person will answer you here as soon as they can.\nFor now: do not pay any money yet, keep every message, and call a number below.")
T_SELF_NOBODY = N_("I am worried about you. Your message is saved as an urgent case (#{case}), but a person from our team may not be able to answer soon. Do not wait for us: if you can, call a number below.\nIf it is safe: keep your phone hidden and charged, do not argue with the people holding you, and delete this chat if they check your phone.")
T_FAMILY_NOBODY = N_("I am sorry this is happening. Your message is saved as an urgent case (#{case}), but a person from our team may not be able to answer soon. Do not wait for us: call a number below.\nFor now: do not pay any money yet, and keep every message.")
T_WHERE_RELATIVE = N_("Which country is your family member in now?")
T_OTHER_COUNTRY = N_("Another country")
T_NO_NUMBERS = N_("We have no checked phone numbers for this country yet. Call the local police, or the embassy of your country.")
# Labels that the emergency screens already use (the same words, one translation).
T_HELD = N_("Safety when you are held")
T_ELSEWHERE = N_("I am in another country")

ALERTS = {(SELF, True): T_DISTRESS, (RELATIVE, True): T_FAMILY_ALERT,
          (SELF, False): T_SELF_NOBODY, (RELATIVE, False): T_FAMILY_NOBODY}
FAMILY_SCREEN = "family_urgent"  # what to do now and what to collect (dialogs/family.yaml)
LOCATION_KEY = {SELF: "location", RELATIVE: "relative_location"}
PHONE = re.compile(r"\d[\d -]{1,}\d")  # a phone number in a fact's text: 117, 1300, 02-123 4567


@dataclass
class Situation:
    about: str  # SELF: the writer is in danger; RELATIVE: a family member is
    places: list[str]  # where the person in danger probably is, most likely first
    home: str | None  # their home country
    caller_in: str | None  # where the writer is (for a relative: at home, unless told)
    told: bool  # the writer told us the place (no need to ask it)


# What the distress check found: a Distress (.lang, .about) or, before it, (lang, matched).
def hit_about(hit: object) -> str | None:
    about = getattr(hit, "about", None)
    return about if about in (SELF, RELATIVE) else None


def _mostly_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return sum("LATIN" in unicodedata.name(ch, "") for ch in letters) * 2 >= len(letters)


def message_language(text: str, hit: object, sure_only: bool) -> str | None:
    """The language to answer a cry for help in. A script (Khmer, Burmese...) tells it for
    sure. Latin letters do not: "boss says I must pay" has romanised-Burmese marker words, so
    there the distress check's verdict counts, and only when both agree if the chat already
    has a language."""
    detected = language.detect(text)
    claimed = hit[0] if isinstance(hit, tuple) and hit else getattr(hit, "lang", None)
    claimed = claimed if claimed in SUPPORTED else None
    if detected in SUPPORTED and not _mostly_latin(text):
        return detected
    if sure_only:
        return claimed if claimed and claimed == detected else None
    return claimed or (detected if detected in SUPPORTED else None)


def switch_to_message_language(state: State, text: str, hit: object) -> str | None:
    """Answer in the message's language when it is not the chat's (or none was chosen yet).
    Returns the chat's old language, for a button back, or None when nothing changed."""
    chosen = not state.data.get("ask_language") and state.screen != "ask_language"
    lang = message_language(text, hit, sure_only=chosen)
    if lang is not None:
        state.data.pop("ask_language", None)  # the message chose it
    if lang is None or lang == state.lang:
        return None
    old, state.lang = state.lang or "en", lang
    return old


def switch_back_row(state: State, old: str) -> list[Button]:
    """One button back to the chat's language; it shows where the answer left off."""
    state.data.pop("onboarding", None)  # the alarm ends the first questions; /start resumes them
    state.data["after"] = "ask_location" if state.data.get("asking_where") == SELF else "emergency"
    return [Button("🌐 " + translator(old).language_name(old), f"c:lang:{old}")]


def situation(bundle: Bundle, state: State, text: str, hit: object = None, about: str | None = None) -> Situation:
    places: Places = bundle.extra["places"]  # type: ignore[assignment]
    if about not in (SELF, RELATIVE):
        about = hit_about(hit)
    if about is None:
        about = RELATIVE if places.about_relative(text) or state.role == "family" else SELF
    lang = state.lang or "en"
    home = state.origin if state.origin not in (None, "other") else places.home.get(lang)
    told = state.data.get(LOCATION_KEY[about])
    told = told if told != "other" else None
    candidates = [*places.mentioned(text), told, state.destination, *places.likely.get(lang, []), home]
    known = set(bundle.all_countries)
    found = [c for c in dict.fromkeys(candidates) if c in known] or list(places.unknown)
    caller_in = (state.data.get("location") or home) if about == RELATIVE else None
    return Situation(about=about, places=found, home=home, caller_in=caller_in,
                     told=bool(told) and found[0] == told)


# Numbers -----------------------------------------------------------------------------
_DIALABILITY = "caller_in" in inspect.signature(render_fact).parameters


def dial_line(fact: Fact, t: Translator, caller_in: str | None) -> str | None:
    """The fact as shown to someone calling from `caller_in`, or None if it cannot be dialled
    from there. (The one call into the renderer: it learns dialability in another branch.)"""
    if _DIALABILITY:
        return render_fact(fact, t, caller_in=caller_in)  # type: ignore[call-arg]
    return render_fact(fact, t)


def _first_line(bundle: Bundle, topics: tuple[str, ...], country: str, t: Translator,
                caller_in: str | None, used: set[str], place: str | None = None) -> str | None:
    """The first fact of `country` that can be dialled; an embassy only in `place`, first."""
    for topic in topics:
        for fact in by_place([f for f in bundle.by_topic.get(topic, []) if f.country == country], place):
            if fact.id not in used:
                line = dial_line(fact, t, caller_in)
                if line:
                    used.add(fact.id)
                    return line
    return None


def number_lines(bundle: Bundle, sit: Situation, t: Translator, budget: int) -> list[str]:
    """The lines for the likely places, most useful first, as many as fit the budget
    (at least one): the place's emergency line, its help line, the home country's line that
    works from abroad, then the same for the next place."""
    used: set[str] = set()
    shown = sit.places[:limits.EMERGENCY_PLACES_SHOWN]
    candidates: list[str | None] = []
    for i, place in enumerate(shown):
        caller = sit.caller_in or place
        candidates.append(_first_line(bundle, ("emergency",), place, t, caller, used))
        if i == 0 and sit.home and sit.home != place:
            # consular lines are made for citizens abroad; a home help line may be a short code
            candidates.append(_first_line(bundle, ("consular", "hotline"), sit.home, t, caller, used, place))
        candidates.append(_first_line(bundle, ("hotline",), place, t, caller, used))
    lines: list[str] = []
    numbers: set[str] = set()
    for line in filter(None, candidates):
        found = set(PHONE.findall(line.split("\n")[0]))  # the fact, not its source's date
        if found and found <= numbers:
            continue  # the same number again (a police line that is also the trafficking line)
        if not lines or sum(len(x) + 2 for x in lines) + len(line) <= budget:
            lines.append(line)
            numbers |= found
    return lines


# Replies -----------------------------------------------------------------------------
def country_rows(bundle: Bundle, sit: Situation, t: Translator) -> list[list[Button]]:
    places: Places = bundle.extra["places"]  # type: ignore[assignment]
    known = set(bundle.all_countries)
    codes = [c for c in dict.fromkeys([*sit.places, *places.unknown]) if c in known][:limits.EMERGENCY_COUNTRY_BUTTONS]
    items = [Button(t.country(c), f"c:location:{c}") for c in codes]
    rows = [items[i:i + 2] for i in range(0, len(items), 2)]
    rows.append([Button(t(T_OTHER_COUNTRY), "a:location")])
    return rows


def numbers_reply(bundle: Bundle, sit: Situation, t: Translator, head: str | None) -> Reply:
    budget = limits.EMERGENCY_REPLY_CHARS - (len(head) + 2 if head else 0)
    lines = number_lines(bundle, sit, t, budget) or [t(T_NO_NUMBERS)]
    return Reply(text="\n\n".join([head, *lines] if head else lines), screen="emergency")


def self_rows(t: Translator) -> list[list[Button]]:
    return [[Button(t(T_HELD), "g:emergency_held")], [Button(t(T_ELSEWHERE), "a:location")], [Button(t(MAIN), "g:main")]]


def urgent_replies(bundle: Bundle, state: State, t: Translator, case: dict, sit: Situation,
                   reachable: bool) -> list[Reply]:
    """The first answer once an urgent case is open: the case, the numbers, and the question
    where the person in danger is (unless we were told)."""
    head = t(ALERTS[sit.about, reachable]).format(case=case["id"])
    state.visit("emergency")
    numbers = numbers_reply(bundle, sit, t, head)
    more = follow_up(bundle, state, t, sit)
    if not more:
        numbers.buttons = self_rows(t)
    return [numbers, *more]


def follow_up(bundle: Bundle, state: State, t: Translator, sit: Situation) -> list[Reply]:
    """After the numbers: for a family, what to do now; for both, where the person is."""
    ask = not sit.told
    state.data["asking_where"] = sit.about if ask else None
    if sit.about == RELATIVE:
        state.visit(FAMILY_SCREEN)
        replies = render_screen(bundle, bundle.screens[FAMILY_SCREEN], state, t)
        if ask:
            replies[-1].text += "\n\n" + t(T_WHERE_RELATIVE)
            replies[-1].buttons[:0] = country_rows(bundle, sit, t)
        return replies
    if not ask:
        return []
    state.visit("ask_location")
    rows = country_rows(bundle, sit, t) + [[Button(t(T_HELD), "g:emergency_held")], [Button(t(MAIN), "g:main")]]
    return [Reply(text=t(bundle.screens["ask_location"].text), buttons=rows, screen="ask_location")]


def ask_where_relative(bundle: Bundle, state: State, t: Translator) -> list[Reply]:
    """Every country, for "Which country is your family member in now?" (not "are you")."""
    state.data["after"] = state.screen
    state.visit("ask_location")
    replies = render_screen(bundle, bundle.screens["ask_location"], state, t)
    replies[0].text = t(T_WHERE_RELATIVE)
    return replies


def place_chosen(bundle: Bundle, state: State, t: Translator, code: str) -> list[Reply] | None:
    """The answer to "Which country are you in now?" after an alarm: the numbers for exactly
    that place. None when no alarm asked it (the caller goes on as usual)."""
    about = state.data.pop("asking_where", None)
    came_from = bundle.screens.get(state.data.get("after") or "ask_location")
    if about not in (SELF, RELATIVE) or came_from is None or not (came_from.urgent or came_from.id == "ask_location"):
        return None  # asked from the settings or a menu, long after the alarm: as usual
    state.data[LOCATION_KEY[about]] = code
    state.data.pop("after", None)
    sit = situation(bundle, state, "", about=about)
    if code != "other":
        sit.places = [code]
    sit.told = True
    state.visit("emergency")
    reply = numbers_reply(bundle, sit, t, None)
    if about == RELATIVE:
        return [reply, *follow_up(bundle, state, t, sit)]
    reply.buttons = self_rows(t)
    return [reply]
