"""Turn a screen into a Reply for one reader: translated text, the facts that fit their
route with source and date, and buttons with short, validated payloads."""

from __future__ import annotations

from urllib.parse import urlparse

from .. import cases, limits
from ..i18n import N_, SUPPORTED, Translator
from ..store import State
from .caveat import stale_caveat
from .model import Bundle, Button, Fact, Reply, Screen
from .phones import BOTH, CITIZENS, DEFAULT_SERVES, HERE, dial_forms
from .slots import drop_empty_route, sentence_values

ROLE_LABELS = {"self": N_("For myself"), "family": N_("For a family member")}
BACK, MAIN = N_("⬅ Back"), N_("🏠 Main menu")
MORE = N_("More ▸")  # the rest of a long screen
EMERGENCY = N_("Emergency help")  # the same words as the main menu's button
# A number whose from-abroad form differs, when we do not know where the reader is.
T_FROM_ABROAD = N_("{number} (from abroad: {abroad})")
# After a fact marked `confidence: unconfirmed`: never shown as a firm number.
T_UNCONFIRMED = N_("(not confirmed recently: check before you rely on it)")


class SafeDict(dict):
    """Format map that leaves unknown {names} as they are instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def here_country(state: State) -> str | None:
    """Where the person is now: the country they told us; else, for a worker, where they
    work; else, for a family member (at home), their own country. None when unknown."""
    place = state.data.get("location")
    if not place:
        place = state.origin if state.role == "family" else state.destination
    return place if place and place != "other" else None


def serves(fact: Fact) -> str:
    return fact.serves or DEFAULT_SERVES.get(fact.topic, BOTH)


def country_facts(bundle: Bundle, topic: str, role: str, state: State) -> list[Fact]:
    """`topic@role`: @here = the facts of the country where the person is now, @origin =
    the origin's facts for its citizens, @destination = the destination's facts for people
    who are there. Facts follow the person: a country's facts for people there are added
    when the person is there now, its facts for citizens when it is their own country."""
    here = here_country(state)
    country = {"origin": state.origin, "destination": state.destination, "here": here}[role]
    if not country or country == "other":
        return []
    wanted = {BOTH, {"origin": CITIZENS, "destination": HERE, "here": HERE}[role]}
    if country == here:
        wanted.add(HERE)
    if country == state.origin:
        wanted.add(CITIZENS)
    found = [f for f in bundle.by_topic.get(topic, []) if f.country == country and serves(f) in wanted]
    # the embassy where the worker is: family at home need the one in their relative's country
    return by_place(found, state.destination if state.role == "family" else here)


def by_place(facts: list[Fact], here: str | None) -> list[Fact]:
    """An embassy or consulate (`located_in`) only for people in that country, first."""
    return sorted((f for f in facts if f.located_in in (None, here)), key=lambda f: f.located_in != here)


def select_facts(bundle: Bundle, refs: list[str], state: State) -> list[Fact]:
    chosen: list[Fact] = []
    for ref in refs:
        if ref in bundle.facts:
            chosen.append(bundle.facts[ref])
            continue
        topic, _, role = ref.partition("@")
        if role:
            found = country_facts(bundle, topic, role, state)
        else:
            found = [f for f in bundle.by_topic.get(topic, []) if not f.country
                     and f.fits_route(state.origin, state.destination)]
            found.sort(key=lambda f: -f.specificity)  # stable: file order within a level
        chosen.extend(f for f in found if f not in chosen)
    return chosen


def phone_values(fact: Fact, t: Translator, caller_in: str | None) -> dict[str, str] | None:
    """Each phone as the caller must dial it; None when one cannot be dialled from there."""
    values: dict[str, str] = {}
    for name, phone in fact.phones.items():
        forms = dial_forms(phone, fact.country or "", caller_in)
        if forms is None:
            return None
        number, abroad = forms
        values[name] = t(T_FROM_ABROAD).format(number=number, abroad=abroad) if abroad else number
    return values


def render_fact(fact: Fact, t: Translator, caller_in: str | None = None) -> str | None:
    """The fact for a reader who will dial from `caller_in` (None: unknown, numbers as
    written). None when a number in it cannot be dialled from there: leave the fact out."""
    phones = phone_values(fact, t, caller_in)
    if phones is None:
        return None
    values = SafeDict({name: t.money(value, currency) for name, (value, currency) in fact.amounts.items()})
    values.update(phones)
    text = t(fact.text).format_map(values)
    if caveat := stale_caveat(fact, t):  # says "not confirmed recently", with the date
        text = f"{text} {caveat}"
    elif fact.confidence == "unconfirmed":
        text = f"{text} {t(T_UNCONFIRMED)}"
    domain = urlparse(fact.source).netloc.removeprefix("www.")
    if fact.as_of == "undated":
        source = t(N_("Source: {name} ({site}), page not dated, checked {checked}")).format_map(
            SafeDict(name=fact.source_name, site=domain, checked=t.date(fact.checked)))
    else:
        source = t(N_("Source: {name} ({site}), as of {date}")).format_map(
            SafeDict(name=fact.source_name, site=domain, date=t.date(fact.as_of)))
    return f"• {text}\n   {source}"


NOT_CHOSEN = N_("Not chosen yet")


def screen_values(state: State, t: Translator) -> SafeDict:
    def place(code: str | None) -> str:
        # a label's value ("From: Nepal"); sentences never hold a country name (slots.py)
        return t.country(code) if code else t(NOT_CHOSEN)

    return SafeDict(
        origin=place(state.origin), destination=place(state.destination), here=place(here_country(state)),
        role=t(ROLE_LABELS.get(state.role or "", NOT_CHOSEN)), language=t.language_name(t.lang),
        **sentence_values(state, t),
    )


def choice_buttons(bundle: Bundle, screen: Screen, t: Translator) -> list[list[Button]]:
    kind = screen.choices
    if kind == "role":
        return [[Button(t(label), f"c:role:{value}")] for value, label in ROLE_LABELS.items()]
    if kind == "language":
        items = [Button(t.language_name(lang), f"c:lang:{lang}") for lang in SUPPORTED]
    else:
        codes = {"origin": bundle.origins, "destination": bundle.destinations, "location": bundle.all_countries}[kind]
        items = [Button(t.country(code), f"c:{kind}:{code}") for code in codes]
        items.append(Button(t.country("other"), f"c:{kind}:other"))
    return [items[i:i + 2] for i in range(0, len(items), 2)]


def screen_parts(bundle: Bundle, screen: Screen, state: State, t: Translator) -> list[str]:
    """The screen's text, then its facts (or the no_facts text), each a paragraph."""
    values = screen_values(state, t)
    parts = [drop_empty_route(t(screen.text), values["route"]).format_map(values)]
    if screen.facts:
        caller_in = here_country(state)  # screens pick and dial by where the person is now
        facts = [text for f in select_facts(bundle, screen.facts, state)
                 if (text := render_fact(f, t, caller_in)) is not None]
        if facts:
            parts.extend(facts)
        elif screen.no_facts:
            parts.append(t(screen.no_facts).format_map(values))
    return parts


def paginate(parts: list[str], limit: int = limits.SCREEN_TEXT_TARGET) -> list[list[str]]:
    """Paragraphs into pages of at most `limit` characters (a longer paragraph is a page
    of its own), in order: what matters most comes first on the screen."""
    pages: list[list[str]] = [[]]
    size = 0
    for part in parts:
        if pages[-1] and size + 2 + len(part) > limit:
            pages.append([])
            size = 0
        size += (2 if pages[-1] else 0) + len(part)
        pages[-1].append(part)
    return pages


def render_screen(bundle: Bundle, screen: Screen, state: State, t: Translator, page: int = 0) -> list[Reply]:
    """One page of the screen (a phone screen's worth); "More" shows the next."""
    pages = paginate(screen_parts(bundle, screen, state, t))
    page = min(max(page, 0), len(pages) - 1)
    rows: list[list[Button]] = []
    if page + 1 < len(pages):
        rows.append([Button(t(MORE), "a:more")])
    if screen.choices:
        rows.extend(choice_buttons(bundle, screen, t))
    for b in screen.buttons:
        rows.append([Button(t(b.label), f"g:{b.go}" if b.go else f"a:{b.action}")])
    if screen.id != "main":
        parent = bundle.parents.get(screen.id, "main")
        nav = [Button(t(BACK), f"g:{parent}")] if parent != "main" else []
        rows.append(nav + [Button(t(MAIN), "g:main")])
    return split_long(pages[page], rows, screen.id)


def split_long(parts: list[str], rows: list[list[Button]], screen_id: str | None) -> list[Reply]:
    """One message when it fits; otherwise several, cut between paragraphs, buttons on the last."""
    messages: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}\n\n{part}" if current else part
        if len(candidate) <= limits.MESSAGE_TEXT_CHARS:
            current = candidate
            continue
        if current:
            messages.append(current)
        while len(part) > limits.MESSAGE_TEXT_CHARS:
            messages.append(part[: limits.MESSAGE_TEXT_CHARS])
            part = part[limits.MESSAGE_TEXT_CHARS:]
        current = part
    messages.append(current)
    replies = [Reply(text=m, screen=screen_id) for m in messages]
    replies[-1].buttons = rows
    return replies


def case_waiting_reply(t: Translator) -> Reply:
    """Told honestly while an urgent case waits: a person will answer; meanwhile, the numbers."""
    return Reply(text=t(cases.T_STILL_WAITING), kind="notice", buttons=[
        [Button(t(EMERGENCY), "g:emergency")], [Button(t(cases.T_LEAVE), "x:leave")], [Button(t(MAIN), "g:main")]])


def case_closed_reply(case: dict, t: Translator) -> Reply:
    """What the user sees when a moderator closes their case: thanks, and was it helpful?"""
    return Reply(text=t(cases.T_CASE_CLOSED).format(case=case["id"]), kind="notice", buttons=[
        [Button(t(cases.T_HELPFUL_YES), f"f:{case['id']}:y"), Button(t(cases.T_HELPFUL_NO), f"f:{case['id']}:n")],
        [Button(t(MAIN), "g:main")]])
