"""Words people type instead of pressing a button, in every language (data in content/words/).

    vocab.intent("balik po", "fil") == "back";  vocab.intent("၃", "my") is None (a number)
    vocab.countries("magkano sa hongkong") == ["HK"]
    vocab.country_answer("Malaysiya") == "MY";  vocab.language_answer("tagalog po") == "fil"

- content/words/<lang>.yaml: menu, back, restart, yes, no, dont_know, stop, and the
  answers to "who is asking?" (self, family); `particles` are polite words that may come
  with them ("po", "ji", "ครับ") and are ignored.
- Country names: CLDR's names (babel) in all our languages and English, plus the spellings in
  content/words/countries.yaml. Language names likewise (content/words/languages.yaml).
Numbers in any script's digits are read by textmatch.fold (unicodedata), so no list is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel import Locale
from rapidfuzz import fuzz, process

from .. import CONTENT_DIR
from ..i18n import SUPPORTED
from .model import Problem
from .textmatch import PhraseFinder, compact_form, is_latin, tokens

INTENTS = ("menu", "back", "restart", "yes", "no", "dont_know", "stop", "self", "family")
# A typed answer this close to a name (rapidfuzz ratio, 0-100) is taken for it: "Malaysiya".
NAME_SIMILARITY = 80
# Fuzzy names only for typed answers at least this long (short ones are too easily confused).
FUZZY_MIN_CHARS = 4


@dataclass
class Vocab:
    # lang -> compact word -> intent
    intents: dict[str, dict[str, str]] = field(default_factory=dict)
    particles: dict[str, set[str]] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)  # compact name -> code
    language_names: dict[str, str] = field(default_factory=dict)  # compact name -> locale

    def __post_init__(self) -> None:
        self._countries = PhraseFinder(self.country_names)
        self._languages = PhraseFinder(self.language_names)
        self._latin_countries = [n for n in self.country_names if is_latin(n) and len(n) >= FUZZY_MIN_CHARS]

    # typed navigation -------------------------------------------------------------------
    def intent(self, text: str, lang: str) -> str | None:
        """What a short message means as navigation ("menu", "back", "yes"...), else None."""
        langs = (lang, "en") if lang != "en" else ("en",)
        filler = set().union(*(self.particles.get(code, set()) for code in langs))
        typed_words = tokens(text)
        # "po" alone is no answer, but Khmer "ចាស" is both a polite word and "yes"
        words = [w for w in typed_words if w not in filler] or typed_words
        if not words or len(words) > 4:
            return None
        typed = compact_form(" ".join(words))
        for code in langs:
            found = self.intents.get(code, {}).get(typed)
            if found:
                return found
        return None

    # countries and languages ------------------------------------------------------------
    def countries(self, text: str) -> list[str]:
        """Codes of the countries named in a text, in order, each once."""
        return list(dict.fromkeys(self.country_names[p] for p in self._countries.find(text)))

    def country_answer(self, text: str, allowed: set[str]) -> str | None:
        """The one allowed country a typed answer names (also misspelt), else None."""
        named = [c for c in self.countries(text) if c in allowed]
        if len(set(named)) == 1:
            return named[0]
        if named:
            return None  # two countries: not an answer to "which country"
        typed = compact_form(text)
        if len(typed) < FUZZY_MIN_CHARS or not is_latin(typed):
            return None
        candidates = [n for n in self._latin_countries if self.country_names[n] in allowed]
        best = process.extractOne(typed, candidates, scorer=fuzz.ratio, score_cutoff=NAME_SIMILARITY)
        return self.country_names[best[0]] if best else None

    def language_answer(self, text: str) -> str | None:
        found = {self.language_names[p] for p in self._languages.find(text)}
        return found.pop() if len(found) == 1 else None


def _read(path: Path, problems: list[Problem]) -> dict:
    where = f"content/words/{path.name}"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        problems.append(Problem("error", where, f"cannot read: {exc}".replace("\n", " ")))
        return {}
    if not isinstance(doc, dict):
        problems.append(Problem("error", where, "expected a mapping"))
        return {}
    return doc


def _names(doc: dict, where: str, problems: list[Problem]) -> dict[str, list[str]]:
    out = {}
    for key, names in doc.items():
        if not isinstance(names, list):
            problems.append(Problem("error", where, f"{key}: expected a list of names"))
            continue
        out[str(key)] = [str(n) for n in names]
    return out


def load_vocab(country_codes: list[str], content_dir: Path = CONTENT_DIR,
               problems: list[Problem] | None = None) -> Vocab:
    problems = problems if problems is not None else []
    words_dir = content_dir / "words"
    intents: dict[str, dict[str, str]] = {}
    particles: dict[str, set[str]] = {}
    for lang in SUPPORTED:
        path = words_dir / f"{lang}.yaml"
        if not path.exists():
            problems.append(Problem("error", f"content/words/{lang}.yaml", "missing (typed menu/back/yes/no words)"))
            continue
        doc = _read(path, problems)
        for key in set(doc) - {*INTENTS, "particles"}:
            problems.append(Problem("error", f"content/words/{lang}.yaml", f"unknown key '{key}'"))
        table: dict[str, str] = {}
        for intent in INTENTS:
            for word in doc.get(intent) or []:
                table.setdefault(compact_form(str(word)), intent)
        intents[lang] = table
        particles[lang] = {w for p in doc.get("particles") or [] for w in tokens(str(p))}

    countries: dict[str, str] = {}
    for lang in SUPPORTED:
        territories = Locale.parse(lang).territories
        for code in country_codes:
            if code in territories:
                countries.setdefault(compact_form(territories[code]), code)
    extra = _names(_read(words_dir / "countries.yaml", problems), "content/words/countries.yaml", problems)
    for code, names in extra.items():
        if code not in country_codes:
            problems.append(Problem("error", "content/words/countries.yaml", f"'{code}' is not in content/countries.yaml"))
        for name in names:
            countries[compact_form(name)] = code  # data wins over CLDR (e.g. short forms)

    languages: dict[str, str] = {}
    for lang in SUPPORTED:
        names = Locale.parse(lang).languages
        for code in SUPPORTED:
            name = names.get(code) or names.get(code.split("_")[0])
            if name:
                languages.setdefault(compact_form(name), code)
    for code, names in _names(_read(words_dir / "languages.yaml", problems), "content/words/languages.yaml", problems).items():
        if code not in SUPPORTED:
            problems.append(Problem("error", "content/words/languages.yaml", f"'{code}' is not one of our languages"))
        for name in names:
            languages[compact_form(name)] = code
    return Vocab(intents=intents, particles=particles, country_names=countries, language_names=languages)
