"""Load dialogs/ and content/ once at start-up, and validate them.

`load()` never raises on bad content: it returns the bundle it could build and a list of
problems, so `safebot content check` can report every problem at once and the bot can
refuse to start with a readable message instead of a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections import deque
from pathlib import Path
from urllib.parse import urlparse

import yaml

from .. import CONTENT_DIR, DIALOGS_DIR
from .. import limits
from .model import Bundle, ButtonSpec, Fact, Problem, Screen
from .phones import parse_phones, validate_phones

SCREEN_KEYS = {"text", "buttons", "facts", "no_facts", "choices", "back", "urgent", "keywords"}
# urgent: true (who is in danger: whoever is asking), self, or relative
URGENT_VALUES = {True: "any", "self": "self", "relative": "relative"}
BUTTON_KEYS = {"label", "go", "action"}
FACT_KEYS = {"id", "topic", "origin", "destination", "country", "text", "amounts", "source",
             "source_name", "as_of", "checked", "confidence", "phones", "serves",
             "located_in", "note"}  # note: for maintainers (e.g. "compared with a stored copy"), never shown
REQUIRED_FACT_KEYS = ("id", "topic", "text", "source", "source_name", "as_of", "checked")
ROUTE_TOPICS = {"pathway", "fees", "no_fee", "rights", "rights_ilo", "scam_pattern", "nonpunishment"}
COUNTRY_TOPICS = {"agency_check", "hotline", "emergency", "consular"}
TOPICS = ROUTE_TOPICS | COUNTRY_TOPICS
# Which country a `topic@role` reference means; "here" is where the user is now.
FACT_ROLES = {"origin", "destination", "here"}
ACTIONS = {"human", "language", "countries", "role", "scan", "quiz", "forget", "location", "more",
           "clear", "quiet"}
CHOICES = {"role", "origin", "destination", "location", "language"}
# Screens the engine itself opens (by command or action): they must exist.
REQUIRED_SCREENS = ("main", "help", "ask_language", "ask_role", "ask_origin", "ask_destination",
                    "ask_location", "forget_confirm", "human", "settings_privacy")
SCREEN_PLACEHOLDERS = {"origin", "destination", "role", "language", "here", "retention_days",
                       "route", "say_to_police"}  # the last two: bot/engine/slots.py
ID_RE = re.compile(rf"^[a-z0-9_]{{1,{limits.SCREEN_ID_CHARS}}}$")
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
# unconfirmed: the sources do not confirm it; shown with a visible caveat, never as firm.
CONFIDENCE = ("primary", "secondary", "unconfirmed")
UNDATED = "undated"  # as_of for a source page that gives no date (said so to the reader)


def placeholders(text: str) -> set[str]:
    """The {names} a text uses (format fields)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return {"<unbalanced braces>"}


def _read_yaml(path: Path, problems: list[Problem], root: Path) -> object:
    where = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    try:
        with path.open(encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(Problem("error", where, f"not valid YAML: {exc}".replace("\n", " ")))
        return None


def _as_list(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _date_text(value: object) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value) if value is not None else ""


def _keywords(value: object, here: str, problems: list[Problem]) -> str | None:
    """`keywords:` is one translatable line of comma-separated words (translators add theirs)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem("error", here, "keywords: write one line of words separated by commas"))
        return None
    return value.strip()


def load_dialogs(dialogs_dir: Path, problems: list[Problem]) -> tuple[dict[str, Screen], dict[str, str]]:
    screens: dict[str, Screen] = {}
    deep_links: dict[str, str] = {}
    for path in sorted(dialogs_dir.glob("*.yaml")):
        where = f"dialogs/{path.name}"
        doc = _read_yaml(path, problems, dialogs_dir)
        if doc is None:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("screens"), dict):
            problems.append(Problem("error", where, "expected a mapping with 'screens:'"))
            continue
        for key in set(doc) - {"screens", "deep_links"}:
            problems.append(Problem("error", where, f"unknown key '{key}'"))
        for name, target in (doc.get("deep_links") or {}).items():
            deep_links[str(name)] = str(target)
        for screen_id, spec in doc["screens"].items():
            screen_id = str(screen_id)
            here = f"{where}: {screen_id}"
            if not ID_RE.match(screen_id):
                problems.append(Problem("error", here, f"screen id must be a-z 0-9 _ and at most {limits.SCREEN_ID_CHARS} characters"))
            if screen_id in screens:
                problems.append(Problem("error", here, f"duplicate screen id (also in {screens[screen_id].source})"))
                continue
            if not isinstance(spec, dict):
                problems.append(Problem("error", here, "a screen must be a mapping with 'text:'"))
                continue
            for key in set(spec) - SCREEN_KEYS:
                problems.append(Problem("error", here, f"unknown key '{key}'"))
            buttons = []
            for i, b in enumerate(spec.get("buttons") or []):
                if not isinstance(b, dict):
                    problems.append(Problem("error", here, f"button {i + 1} must be a mapping"))
                    continue
                for key in set(b) - BUTTON_KEYS:
                    problems.append(Problem("error", here, f"button {i + 1}: unknown key '{key}'"))
                buttons.append(ButtonSpec(label=str(b.get("label") or ""), go=b.get("go"), action=b.get("action")))
            screens[screen_id] = Screen(
                id=screen_id, source=where, text=str(spec.get("text") or "").strip(), buttons=buttons,
                facts=[str(f) for f in _as_list(spec.get("facts"))],
                no_facts=str(spec["no_facts"]).strip() if spec.get("no_facts") else None,
                choices=spec.get("choices"), back=spec.get("back"),
                urgent=URGENT_VALUES.get(spec.get("urgent")) if spec.get("urgent") else None,
                keywords=_keywords(spec.get("keywords"), here, problems),
            )
            if spec.get("urgent") not in (None, False, *URGENT_VALUES):
                problems.append(Problem("error", here, "urgent: must be true, self or relative"))
    return screens, deep_links


def load_facts(content_dir: Path, problems: list[Problem]) -> dict[str, Fact]:
    facts: dict[str, Fact] = {}
    for path in sorted((content_dir / "facts").glob("*.yaml")):
        where = f"content/facts/{path.name}"
        doc = _read_yaml(path, problems, content_dir)
        if doc is None:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("facts"), list):
            problems.append(Problem("error", where, "expected a mapping with a 'facts:' list"))
            continue
        for i, spec in enumerate(doc["facts"]):
            if not isinstance(spec, dict):
                problems.append(Problem("error", f"{where}: fact {i + 1}", "a fact must be a mapping"))
                continue
            fact_id = str(spec.get("id") or f"#{i + 1}")
            here = f"{where}: {fact_id}"
            for key in set(spec) - FACT_KEYS:
                problems.append(Problem("error", here, f"unknown key '{key}'"))
            missing = [k for k in REQUIRED_FACT_KEYS if not spec.get(k)]
            if missing:
                problems.append(Problem("error", here, f"missing {', '.join(missing)} (every fact needs its source and dates)"))
                continue
            if fact_id in facts:
                problems.append(Problem("error", here, f"duplicate fact id (also in {facts[fact_id].source_file})"))
                continue
            amounts = {}
            for name, amount in (spec.get("amounts") or {}).items():
                try:
                    amounts[str(name)] = (float(amount["value"]), str(amount["currency"]).upper())
                except (TypeError, KeyError, ValueError):
                    problems.append(Problem("error", here, f"amount '{name}' needs value: NUMBER and currency: CODE"))
            facts[fact_id] = Fact(
                id=fact_id, topic=str(spec["topic"]), source_file=where, text=str(spec["text"]).strip(),
                source=str(spec["source"]), source_name=str(spec["source_name"]),
                as_of=_date_text(spec["as_of"]), checked=_date_text(spec["checked"]),
                confidence=str(spec.get("confidence") or "secondary"),
                origin=_as_list(spec.get("origin")), destination=_as_list(spec.get("destination")),
                country=spec.get("country"), amounts=amounts,
                phones=parse_phones(spec.get("phones"), here, problems),
                serves=str(spec["serves"]) if spec.get("serves") else None,
                located_in=str(spec["located_in"]) if spec.get("located_in") else None,
            )
    return facts


def compute_parents(screens: dict[str, Screen], roots: list[str]) -> dict[str, str]:
    """Back goes to the screen that first links here, walking breadth-first from main."""
    parents: dict[str, str] = {}
    queue = deque(r for r in roots if r in screens)
    seen = set(queue)
    while queue:
        current = queue.popleft()
        for b in screens[current].buttons:
            if b.go in screens and b.go not in seen:
                seen.add(b.go)
                parents[b.go] = current
                queue.append(b.go)
    for screen in screens.values():
        if screen.back:
            parents[screen.id] = screen.back
        elif screen.id not in parents and screen.id != "main":
            parents[screen.id] = "main"
    return parents


def load(dialogs_dir: Path = DIALOGS_DIR, content_dir: Path = CONTENT_DIR) -> tuple[Bundle, list[Problem]]:
    problems: list[Problem] = []
    screens, deep_links = load_dialogs(dialogs_dir, problems)
    facts = load_facts(content_dir, problems)
    countries = _read_yaml(content_dir / "countries.yaml", problems, content_dir) or {}
    if not isinstance(countries, dict):
        problems.append(Problem("error", "content/countries.yaml", "expected origins: and destinations: lists"))
        countries = {}
    bundle = Bundle(
        screens=screens, facts=facts,
        origins=[str(c) for c in countries.get("origins") or []],
        destinations=[str(c) for c in countries.get("destinations") or []],
        deep_links=deep_links,
    )
    bundle.parents = compute_parents(screens, ["main"])
    from ..safety import load_safety_content  # safety data lives in content/ too

    bundle.extra.update(load_safety_content(content_dir, problems))
    from .places import load_places  # where a person in danger probably is

    bundle.extra["places"] = load_places(content_dir, bundle.all_countries, problems)
    from .vocab import load_vocab  # typed words and country names (content/words/)

    bundle.extra["vocab"] = load_vocab(bundle.all_countries, content_dir, problems)
    from .jobad import load_job_ad_signs

    bundle.extra["jobad"] = load_job_ad_signs(content_dir, problems)
    problems.extend(validate(bundle))
    return bundle, problems


def reachable(bundle: Bundle) -> set[str]:
    roots = ["main", *REQUIRED_SCREENS, *bundle.deep_links.values()]
    seen: set[str] = set()
    queue = deque(r for r in roots if r in bundle.screens)
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        queue.extend(b.go for b in bundle.screens[current].buttons if b.go in bundle.screens)
    return seen


def validate(bundle: Bundle) -> list[Problem]:
    problems: list[Problem] = []
    screens, facts = bundle.screens, bundle.facts
    known_countries = set(bundle.all_countries)
    for code in bundle.all_countries:
        if not COUNTRY_RE.match(code):
            problems.append(Problem("error", "content/countries.yaml", f"'{code}' is not a two-letter country code"))
    for required in REQUIRED_SCREENS:
        if required not in screens:
            problems.append(Problem("error", "dialogs", f"screen '{required}' is missing (the bot opens it itself)"))
    for name, target in bundle.deep_links.items():
        if target not in screens:
            problems.append(Problem("error", "dialogs/main.yaml: deep_links", f"'{name}' goes to missing screen '{target}'"))
        if len(f"/start {name}".encode()) > limits.CALLBACK_DATA_BYTES:
            problems.append(Problem("error", "dialogs/main.yaml: deep_links", f"'{name}' is too long for a link"))

    for screen in screens.values():
        here = f"{screen.source}: {screen.id}"
        if not screen.text:
            problems.append(Problem("error", here, "has no text"))
        if len(screen.text) > limits.SCREEN_TEXT_TARGET:
            problems.append(Problem("error", here, f"text is {len(screen.text)} characters; keep it under {limits.SCREEN_TEXT_TARGET} for a phone"))
        for text, what in ((screen.text, "text"), (screen.no_facts or "", "no_facts")):
            unknown = placeholders(text) - SCREEN_PLACEHOLDERS
            if unknown:
                problems.append(Problem("error", here, f"{what} uses unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(SCREEN_PLACEHOLDERS)}"))
        if screen.choices and screen.choices not in CHOICES:
            problems.append(Problem("error", here, f"unknown choices '{screen.choices}' (one of {sorted(CHOICES)})"))
        if screen.back and screen.back not in screens:
            problems.append(Problem("error", here, f"back goes to missing screen '{screen.back}'"))
        if not screen.buttons and not screen.choices and screen.id != "forget_confirm":
            problems.append(Problem("error", here, "dead end: no buttons of its own (add a next step, e.g. a related screen or 'Ask a person')"))
        if len(screen.buttons) > limits.BUTTONS_PER_SCREEN:
            problems.append(Problem("error", here, f"{len(screen.buttons)} buttons; at most {limits.BUTTONS_PER_SCREEN} fit a phone"))
        for i, b in enumerate(screen.buttons, start=1):
            where = f"{here}: button {i}"
            if not b.label.strip():
                problems.append(Problem("error", where, "has no label"))
            elif len(b.label) > limits.BUTTON_LABEL_CHARS:
                problems.append(Problem("error", where, f"label '{b.label}' is {len(b.label)} characters (max {limits.BUTTON_LABEL_CHARS})"))
            if bool(b.go) == bool(b.action):
                problems.append(Problem("error", where, "needs exactly one of 'go' or 'action'"))
            elif b.go and b.go not in screens:
                problems.append(Problem("error", where, f"goes to missing screen '{b.go}'"))
            elif b.action and b.action not in ACTIONS:
                problems.append(Problem("error", where, f"unknown action '{b.action}' (one of {sorted(ACTIONS)})"))
            payload = f"g:{b.go}" if b.go else f"a:{b.action}"
            if len(payload.encode()) > limits.CALLBACK_DATA_BYTES:
                problems.append(Problem("error", where, f"button payload is over {limits.CALLBACK_DATA_BYTES} bytes"))
        for ref in screen.facts:
            topic, _, role = ref.partition("@")
            if ref in facts:
                continue
            if topic not in TOPICS:
                problems.append(Problem("error", here, f"facts: '{ref}' is neither a fact id nor a topic"))
            elif role and role not in FACT_ROLES:
                problems.append(Problem("error", here, f"facts: '{ref}': after @ use one of {sorted(FACT_ROLES)}"))
            elif topic in COUNTRY_TOPICS and not role:
                problems.append(Problem("error", here, f"facts: '{ref}' is about one country: write {topic}@origin, @destination or @here"))
            elif topic in ROUTE_TOPICS and role:
                problems.append(Problem("error", here, f"facts: '{ref}' is a route topic: write it without @"))
        if screen.facts and not screen.no_facts:
            problems.append(Problem("error", here, "shows facts but has no 'no_facts:' text for routes we have no facts for"))

    unreachable = set(screens) - reachable(bundle)
    for screen_id in sorted(unreachable):
        problems.append(Problem("error", f"{screens[screen_id].source}: {screen_id}", "unreachable: no button or link leads here"))

    today = dt.date.today()
    for fact in facts.values():
        here = f"{fact.source_file}: {fact.id}"
        if not ID_RE.match(fact.id):
            problems.append(Problem("error", here, "fact id must be a-z 0-9 _ (max 40)"))
        if fact.topic not in TOPICS:
            problems.append(Problem("error", here, f"unknown topic '{fact.topic}' (one of {sorted(TOPICS)})"))
        elif fact.topic in COUNTRY_TOPICS and not fact.country:
            problems.append(Problem("error", here, f"topic '{fact.topic}' needs country:"))
        elif fact.topic in ROUTE_TOPICS and fact.country:
            problems.append(Problem("error", here, f"topic '{fact.topic}' is about a route: use origin:/destination:, not country:"))
        if fact.located_in and fact.topic != "consular":
            problems.append(Problem("error", here, "located_in: is for consular facts (an embassy in that country)"))
        for code in (*fact.origin, *fact.destination, *([fact.country] if fact.country else []),
                     *([fact.located_in] if fact.located_in else [])):
            if code not in known_countries:
                problems.append(Problem("error", here, f"unknown country '{code}' (not in content/countries.yaml)"))
        url = urlparse(fact.source)
        if url.scheme not in ("http", "https") or not url.netloc:
            problems.append(Problem("error", here, f"source must be a URL, got '{fact.source}'"))
        if fact.confidence not in CONFIDENCE:
            problems.append(Problem("error", here, f"confidence must be one of {list(CONFIDENCE)}"))
        if set(fact.amounts) & set(fact.phones):
            problems.append(Problem("error", here, f"{sorted(set(fact.amounts) & set(fact.phones))} is both an amount and a phone"))
        wanted, given = placeholders(fact.text), set(fact.amounts) | set(fact.phones)
        if wanted - given:
            problems.append(Problem("error", here, f"text uses {sorted(wanted - given)} but amounts has no such entry, nor phones"))
        if given - wanted:
            problems.append(Problem("error", here, f"amounts or phones {sorted(given - wanted)} are not used in the text"))
        for name, value in (("as_of", fact.as_of), ("checked", fact.checked)):
            if name == "as_of" and value == UNDATED:
                continue
            if not DATE_RE.match(value):
                problems.append(Problem("error", here, f"{name} must be YYYY, YYYY-MM or YYYY-MM-DD, got '{value}'"))
        if DATE_RE.match(fact.checked) and len(fact.checked) == 10:
            if dt.date.fromisoformat(fact.checked) > today:
                problems.append(Problem("error", here, f"checked {fact.checked} is in the future"))
        elif DATE_RE.match(fact.checked):
            problems.append(Problem("error", here, "checked must be a full date YYYY-MM-DD"))
        problems.extend(Problem("warning", here, f"stale: {reason}") for reason in staleness(fact, today))
    problems.extend(validate_phones(bundle))
    return problems


def staleness(fact: Fact, today: dt.date) -> list[str]:
    """Why a fact needs re-checking (empty when it does not): not checked for a year, or a
    source date over three years old."""
    reasons = []
    if DATE_RE.match(fact.checked) and len(fact.checked) == 10:
        if (today - dt.date.fromisoformat(fact.checked)).days > limits.CHECKED_MAX_AGE_DAYS:
            reasons.append(f"last checked {fact.checked}, over a year ago")
    if DATE_RE.match(fact.as_of):
        year, month, day = (fact.as_of.split("-") + ["12", "28"])[:3]
        as_of = dt.date(int(year), int(month), min(int(day), 28))
        if (today - as_of).days > limits.AS_OF_MAX_AGE_DAYS:
            reasons.append(f"the source's date {fact.as_of} is over three years old; check it is still true")
    return reasons


# Re-check order for maintainers: what people dial in danger first.
RECHECK_ORDER = ("emergency", "hotline", "consular", "agency_check", "fees", "no_fee", "rights", "pathway")


def recheck_list(bundle: Bundle, today: dt.date | None = None) -> list[tuple[Fact, list[str]]]:
    """Stale facts, emergency numbers first, then the oldest check and the oldest source."""
    today = today or dt.date.today()
    stale = [(fact, reasons) for fact in bundle.facts.values() if (reasons := staleness(fact, today))]
    rank = {topic: i for i, topic in enumerate(RECHECK_ORDER)}
    return sorted(stale, key=lambda item: (rank.get(item[0].topic, len(rank)), item[0].checked,
                                           item[0].as_of if item[0].as_of != UNDATED else "0"))
