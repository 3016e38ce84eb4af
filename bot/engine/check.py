"""`safebot content check`: everything a content editor or translator can break, in one
report. Exit 1 on any error.

1. dialogs and content load and validate (loader.validate);
2. every screen renders for every route (origin × destination) within Telegram's limit,
   with a warning when facts make it long for a phone;
3. catalogs: the template is current, every locale parses, keeps placeholders, and is
   fully translated (coverage per locale; below 100% is an error).
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from .. import LOCALES_DIR, ROOT, limits
from ..i18n import DOMAIN, SOURCE_LANGUAGE, SUPPORTED, translator
from ..store import State
from .digits import digits_differ
from .loader import load, placeholders
from .model import Bundle, Problem
from .caveat import needs_caveat, stale_caveat
from .render import paginate, render_fact, screen_parts
from .slots import SAY_TO_POLICE

METHOD_MAP = [("bot/**.py", "python"), ("dialogs/*.yaml", "bot.i18n_extract:extract_yaml"),
              ("content/facts/*.yaml", "bot.i18n_extract:extract_yaml"),
              ("content/redflags/flags.yaml", "bot.i18n_extract:extract_yaml")]
KEYWORDS = {"N_": None, "Nn_": (1, 2)}


def source_messages(root: Path = ROOT) -> dict[str, str]:
    """Every translatable string in the project now -> where it is (first place).
    A message with plural forms is keyed by its singular, as in a catalog."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(root), METHOD_MAP, {}, keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True):
        if isinstance(message, tuple):
            message = message[0]
        found.setdefault(message, f"{filename}:{lineno}")
    return found


def _forms(value: str | tuple | list) -> list[str]:
    return list(value) if isinstance(value, (tuple, list)) else [value]


@dataclass
class Coverage:
    locale: str
    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def as_json(self) -> dict:
        return {"translated": self.translated, "total": self.total, "fuzzy": self.fuzzy,
                "missing": len(self.missing), "percent": round(self.percent, 1)}


def check_catalogs(messages: dict[str, str], locales_dir: Path = LOCALES_DIR) -> tuple[list[Problem], dict[str, Coverage]]:
    problems: list[Problem] = []
    coverage: dict[str, Coverage] = {}
    pot = locales_dir / f"{DOMAIN}.pot"
    if not pot.exists():
        problems.append(Problem("error", "locales/bot.pot", "missing: run `pybabel extract -F babel.cfg -k N_ --no-default-keywords -o locales/bot.pot .`"))
    else:
        with pot.open("rb") as f:
            template = read_po(f)
        stale = [m for m in messages if m not in template]
        if stale:
            problems.append(Problem("error", "locales/bot.pot", f"out of date: {len(stale)} new string(s), e.g. '{stale[0][:60]}' ({messages[stale[0]]}); run pybabel extract then pybabel update"))
    for lang in SUPPORTED:
        if lang == SOURCE_LANGUAGE:
            continue
        where = f"locales/{lang}/LC_MESSAGES/{DOMAIN}.po"
        cov = coverage[lang] = Coverage(lang, total=len(messages))
        path = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.exists():
            cov.missing = list(messages)
            problems.append(Problem("error", where, "missing catalog"))
            continue
        try:
            with path.open("rb") as f:
                catalog: Catalog = read_po(f, locale=lang, abort_invalid=True)
        except Exception as exc:
            problems.append(Problem("error", where, f"cannot be read: {exc}"))
            cov.missing = list(messages)
            continue
        if "machine" not in (catalog.header_comment or "").lower() and "reviewed" not in (catalog.header_comment or "").lower():
            problems.append(Problem("warning", where, "header does not say whether it is machine-drafted or reviewed"))
        for msgid, location in messages.items():
            entry = catalog.get(msgid)
            if entry is None or not all(_forms(entry.string)):
                cov.missing.append(msgid)
                continue
            for form in _forms(entry.string):  # fuzzy or not: a wrong number is never harmless
                wrong = digits_differ(msgid, form)
                if wrong:
                    problems.append(Problem("error", f"{where}: {location}",
                                            f"numbers differ from the source text: translation {wrong} ('{msgid[:50]}')"))
            if entry.fuzzy:
                cov.fuzzy += 1
                cov.missing.append(msgid)
                continue
            cov.translated += 1
            for form in _forms(entry.string):
                if placeholders(form) != placeholders(msgid):
                    problems.append(Problem("error", f"{where}: {location}",
                                            f"placeholders differ: source has {sorted(placeholders(msgid))}, translation has {sorted(placeholders(form))}"))
        if cov.missing:
            problems.append(Problem("error", where, f"{cov.percent:.1f}% translated ({cov.translated}/{cov.total}, {cov.fuzzy} fuzzy); first missing: '{cov.missing[0][:60]}' ({messages[cov.missing[0]]})"))
    return problems, coverage


def check_rendering(bundle: Bundle) -> list[Problem]:
    """Render every screen for every route in every locale, and report what is too long."""
    problems: list[Problem] = []
    longest: dict[str, tuple[int, str]] = {}
    for lang, origin, destination in ((lang, o, d) for lang in SUPPORTED for o in [*bundle.origins, "other"]
                                      for d in [*bundle.destinations, "other"]):
        t = translator(lang)
        state = State(user_id="check", lang=lang, role="self", origin=origin, destination=destination)
        for screen in bundle.screens.values():
            try:
                pages = paginate(screen_parts(bundle, screen, state, t))
            except Exception as exc:  # a broken screen must be reported, not crash the check
                problems.append(Problem("error", f"{screen.source}: {screen.id}", f"does not render for {origin}→{destination}: {exc!r}"))
                continue
            # the longest page: what a reader scrolls through before the buttons
            size = max(len("\n\n".join(page)) for page in pages)
            if size > longest.get(screen.id, (0, ""))[0]:
                longest[screen.id] = (size, f"{origin}→{destination} in {lang}")
    for screen_id, (size, route) in sorted(longest.items()):
        screen = bundle.screens[screen_id]
        if size > limits.SCREEN_TEXT_TARGET:
            problems.append(Problem("warning", f"{screen.source}: {screen_id}", f"a page of it is {size} characters for {route} (one fact too long?): long for a phone, keep pages under {limits.SCREEN_TEXT_TARGET}"))
    return problems


def check_caveats(bundle: Bundle) -> list[Problem]:
    """A stale emergency, hotline or consular fact must reach the reader with its caveat
    and date, in every locale, from anywhere it can be dialled."""
    problems: list[Problem] = []
    for fact in (f for f in bundle.facts.values() if needs_caveat(f)):
        for lang in SUPPORTED:
            t = translator(lang)
            caveat = stale_caveat(fact, t)
            shown = [render_fact(fact, t, caller) for caller in (None, fact.country)]
            if not caveat or any(text is not None and caveat not in text for text in shown):
                problems.append(Problem("error", f"{fact.source_file}: {fact.id}",
                                        f"stale, but shown without its caveat and date in {lang}"))
                break
    return problems


@dataclass
class Report:
    problems: list[Problem]
    coverage: dict[str, Coverage]
    bundle: Bundle

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def stale_facts(self) -> list[dict]:
        return [{"where": p.where, "message": p.message} for p in self.problems
                if p.level == "warning" and p.message.startswith("stale")]

    def as_json(self) -> dict:
        return {
            "ok": not self.errors,
            "errors": [{"where": p.where, "message": p.message} for p in self.errors],
            "warnings": [{"where": p.where, "message": p.message} for p in self.problems if p.level == "warning"],
            "screens": len(self.bundle.screens), "facts": len(self.bundle.facts),
            "coverage": {lang: c.as_json() for lang, c in self.coverage.items()},
            "stale_facts": self.stale_facts(),
        }

    def as_text(self) -> str:
        out = io.StringIO()
        stale = [p for p in self.problems if p.level == "warning" and p.message.startswith("stale")]
        for p in sorted(self.problems, key=lambda p: (p.level != "error", p.where)):
            if p not in stale:
                out.write(f"{p}\n")
        if stale:
            out.write(f"\n{len(stale)} fact(s) to re-check: the source's date is over three years old or it was not "
                      f"checked for a year (all of them: --json, 'stale_facts'). The first few:\n")
            for p in stale[:5]:
                out.write(f"  {p.where}: {p.message}\n")
        out.write(f"\n{len(self.bundle.screens)} screens, {len(self.bundle.facts)} facts.\n")
        if self.coverage:
            out.write("Translations: " + ", ".join(f"{lang} {c.percent:.4g}%" for lang, c in self.coverage.items()) + "\n")
        warnings = len(self.problems) - len(self.errors)
        out.write(f"{len(self.errors)} error(s), {warnings} warning(s).\n" if self.errors
                  else f"OK: no errors, {warnings} warning(s).\n")
        return out.getvalue()


def run_check(dialogs_dir: Path | None = None, content_dir: Path | None = None,
              locales_dir: Path = LOCALES_DIR, root: Path = ROOT) -> Report:
    kwargs = {k: v for k, v in (("dialogs_dir", dialogs_dir), ("content_dir", content_dir)) if v is not None}
    bundle, problems = load(**kwargs)
    if not [p for p in problems if p.level == "error"]:
        problems.extend(check_rendering(bundle))
        problems.extend(check_caveats(bundle))
        problems.extend(check_police_sentence(bundle))
    messages = source_messages(root)
    catalog_problems, coverage = check_catalogs(messages, locales_dir)
    problems.extend(catalog_problems)
    problems.extend(check_glued_country_names(messages, locales_dir) + check_route_line(messages, locales_dir))
    return Report(problems=problems, coverage=coverage, bundle=bundle)


def print_report(report: Report, as_json: bool) -> int:
    print(json.dumps(report.as_json(), ensure_ascii=False, indent=2) if as_json else report.as_text(), end="")
    return 1 if report.errors else 0


# ---- grammar-safe sentences (issue 16): country names and the English police sentence ----
COUNTRY_PLACEHOLDERS = ("origin", "destination", "here", "route")
# Scripts that write no spaces between words: a name glued to the next word is normal there.
UNSPACED_LOCALES = ("my", "th", "km", "lo", "zh_Hans")
# "{origin}को", "{origin}-এর": a case ending glued to a name we cannot inflect.
GLUED_ENDING = re.compile(r"\{(" + "|".join(COUNTRY_PLACEHOLDERS) + r")\}-?(.)")


def _translations(live: Iterable[str], locales_dir: Path) -> Iterator[tuple[str, str, str]]:
    """(locale, msgid, msgstr) of every translated entry in use (obsolete ones wait for the next update)."""
    live = set(live)
    for lang in SUPPORTED:
        path = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if lang == SOURCE_LANGUAGE or not path.exists():
            continue
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang)
        for entry in catalog:
            msgid = entry.id if isinstance(entry.id, str) else entry.id[0]
            if msgid in live and entry.string:
                for form in _forms(entry.string):
                    yield lang, msgid, form


def check_glued_country_names(live: Iterable[str], locales_dir: Path = LOCALES_DIR) -> list[Problem]:
    """In scripts that separate words with spaces, a country placeholder is never directly
    followed by a letter: the name cannot take a case ending (write "your country's embassy")."""
    problems: list[Problem] = []
    for lang, msgid, msgstr in _translations(live, locales_dir):
        if lang in UNSPACED_LOCALES:
            continue
        for match in GLUED_ENDING.finditer(msgstr):
            if unicodedata.category(match.group(2))[0] in "LM":
                problems.append(Problem("error", f"locales/{lang}/LC_MESSAGES/{DOMAIN}.po",
                                        f"'{match.group(0)}' glues an ending to a country name; write the sentence "
                                        f"without the name ('{msgid[:50]}')"))
    return problems


def check_route_line(live: Iterable[str], locales_dir: Path = LOCALES_DIR) -> list[Problem]:
    """`{route}` stands on a line of its own (the renderer drops that line when the route is unknown)."""
    return [Problem("error", f"locales/{lang}/LC_MESSAGES/{DOMAIN}.po",
                    f"{{route}} must be a line of its own ('{msgid[:50]}')")
            for lang, msgid, msgstr in _translations(live, locales_dir)
            if "{route}" in msgstr and "{route}" not in (line.strip() for line in msgstr.split("\n"))]


def check_police_sentence(bundle: Bundle) -> list[Problem]:
    """The sentence to say to the police is shown in English in every locale: a screen holds
    `{say_to_police}` (bot/engine/slots.py), and it renders with the English words."""
    screens = [s for s in bundle.screens.values() if "{say_to_police}" in s.text]
    if not screens:
        return [Problem("error", "dialogs/scam.yaml", "no screen shows {say_to_police}: the sentence to say to the police is gone")]
    problems: list[Problem] = []
    for screen, lang in ((s, lang) for s in screens for lang in SUPPORTED):
        state = State(user_id="check", lang=lang, role="self", origin=bundle.origins[0], destination=bundle.destinations[0])
        if SAY_TO_POLICE not in "\n".join(screen_parts(bundle, screen, state, translator(lang))):
            problems.append(Problem("error", f"{screen.source}: {screen.id}", f"the English police sentence is missing in {lang}"))
    return problems
