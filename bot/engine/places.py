"""Where a person probably is: the countries, towns and scam hubs a message names, and the
likely places for a speaker of each language (content/places.yaml; country names in all
our languages from CLDR).

    places.mentioned("I am Vietnamese, they keep me in Poipet") == ["KH"]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel import Locale

from ..i18n import SUPPORTED
from ..safety.normalize import compact, normalize
from .model import Problem

PLACES_KEYS = {"countries", "not_places", "places", "languages", "unknown", "relatives"}
WORD = re.compile(r"[^\W_]+")


def _plain_latin(text: str) -> str:
    """Without accents: people type "Viet Nam" as often as "Việt Nam"."""
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)).replace("đ", "d")


def _is_latin(text: str) -> bool:
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text)


def _alternation(names: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(sorted(names, key=len, reverse=True))) if names else None


@dataclass
class Names:
    """Names found in a text: Latin ones as whole words, with or without accents and the
    spaces between them; other scripts anywhere (no spaces between words in Thai, Khmer...)."""

    latin: dict[str, str] = field(default_factory=dict)  # plain Latin words joined by " " -> value
    script: dict[str, str] = field(default_factory=dict)  # compact name in another script -> value
    first: set[str] = field(default_factory=set)  # names that count before the others (towns)
    skip: set[str] = field(default_factory=set)  # compact names that are also everyday words

    def add(self, name: str, value: str, first: bool = False) -> None:
        plain = normalize(name)
        if _is_latin(plain):
            key = " ".join(WORD.findall(_plain_latin(plain)))
            if len(key.replace(" ", "")) >= 2:
                self.latin.setdefault(key, value)
                self.first.update([key] if first else [])
        else:
            flat = compact(plain)
            if len(flat) >= 2 and flat not in self.skip:
                self.script.setdefault(flat, value)
                self.first.update([flat] if first else [])

    def build(self) -> "Names":
        # "o'smach", "o smach" and "osmach" all match: words joined by any non-letters, or none.
        self._latin = _alternation([r"\b" + r"[\W_]*".join(map(re.escape, n.split())) + r"\b" for n in self.latin])
        self._script = _alternation([re.escape(n) for n in self.script])
        self._joined = {n.replace(" ", ""): n for n in self.latin}
        return self

    def found(self, text: str) -> list[str]:
        """The values of the names in the text: the `first` names, then the others, each in
        the order written."""
        hits: list[tuple[bool, int, str]] = []
        plain = normalize(text)
        if self._latin is not None:
            for m in self._latin.finditer(_plain_latin(plain)):
                name = self._joined.get("".join(WORD.findall(m.group(0))), "")
                hits.append((name not in self.first, m.start(), self.latin.get(name, "")))
        if self._script is not None:
            for m in self._script.finditer(compact(plain)):
                hits.append((m.group(0) not in self.first, m.start(), self.script[m.group(0)]))
        return list(dict.fromkeys(value for _, _, value in sorted(hits) if value))


@dataclass
class Places:
    names: Names = field(default_factory=lambda: Names().build())  # place name -> country code
    home: dict[str, str] = field(default_factory=dict)  # language -> likely home country
    likely: dict[str, list[str]] = field(default_factory=dict)  # language -> likely places now
    unknown: list[str] = field(default_factory=list)
    relatives: Names = field(default_factory=lambda: Names().build())  # "my son" -> "relative"

    def mentioned(self, text: str) -> list[str]:
        """Countries the text names, most telling first: towns and hubs, then countries."""
        return self.names.found(text)

    def about_relative(self, text: str) -> bool:
        """Does the text speak of a family member ("my son", "ကျွန်မသား", "anak ko")?"""
        return bool(self.relatives.found(text))


def _names(raw: object, where: str, problems: list[Problem]) -> list[str]:
    if not isinstance(raw, list) or not raw:
        problems.append(Problem("error", where, "expected a list of names"))
        return []
    return [str(n) for n in raw]


def load_places(content_dir: Path, countries: list[str], problems: list[Problem]) -> Places:
    where = "content/places.yaml"
    path = content_dir / "places.yaml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    except yaml.YAMLError as exc:
        problems.append(Problem("error", where, f"not valid YAML: {exc}".replace("\n", " ")))
        doc = None
    if not isinstance(doc, dict):
        problems.append(Problem("error", where, "missing, or not a mapping with countries:, places:, languages:"))
        return Places()
    for key in set(doc) - PLACES_KEYS:
        problems.append(Problem("error", where, f"unknown key '{key}'"))
    known = set(countries)
    places = Places()
    names = Names(skip={compact(str(n)) for n in doc.get("not_places") or []})

    def check(code: object, here: str) -> str | None:
        if str(code) not in known:
            problems.append(Problem("error", here, f"unknown country '{code}' (not in content/countries.yaml)"))
            return None
        return str(code)

    # Towns first: a town's name wins over a country's that is spelt the same.
    for place_id, spec in (doc.get("places") or {}).items():
        here = f"{where}: places: {place_id}"
        spec = spec if isinstance(spec, dict) else {}
        code = check(spec.get("country"), here)
        for name in _names(spec.get("names"), here, problems):
            if code:
                names.add(name, code, first=True)
    for code, spellings in (doc.get("countries") or {}).items():
        if check(code, f"{where}: countries"):
            for name in _names(spellings, f"{where}: countries: {code}", problems):
                names.add(name, str(code))
    for lang in SUPPORTED:  # CLDR's name of each country, in each of our languages
        territories = Locale.parse(lang).territories
        for code in countries:
            # "म्यान्मार (बर्मा)": the name, and the other name in brackets
            for name in re.split(r"[()（）]", territories.get(code, "")):
                if name.strip():
                    names.add(name.strip(), code)
    for lang, spec in (doc.get("languages") or {}).items():
        here = f"{where}: languages: {lang}"
        if lang not in SUPPORTED:
            problems.append(Problem("error", here, f"unknown language '{lang}'"))
            continue
        spec = spec if isinstance(spec, dict) else {}
        home = check(spec.get("home"), here)
        if home:
            places.home[lang] = home
        places.likely[lang] = [c for c in (check(c, here) for c in spec.get("likely") or []) if c]
    places.unknown = [c for c in (check(c, f"{where}: unknown") for c in doc.get("unknown") or []) if c]
    if not places.unknown:
        problems.append(Problem("error", where, "'unknown:' needs at least one country (where to look when nothing is known)"))
    places.names = names.build()
    relatives = Names()
    for lang, words in (doc.get("relatives") or {}).items():
        for word in _names(words, f"{where}: relatives: {lang}", problems):
            relatives.add(word, "relative")
    places.relatives = relatives.build()
    return places
