"""Distress detection: does this message say someone is in danger?

Phrases live in content/distress/<lang>.yaml (all languages are checked on every message,
because people mix languages and write in the script they have on their phone). Matching
is on compact text (normalize.compact: Zawgyi converted, no spaces or punctuation), so
"ช่วย ด้วย", "ช่วยด้วย!!" and "HELP me" all match. A false alarm costs a moderator a minute;
a miss can cost a life, so phrases are short and broad.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..engine.model import Problem
from .normalize import compact, normalize

DISTRESS_KEYS = {"language", "phrases", "patterns", "not"}


@dataclass
class DistressMatcher:
    phrases: dict[str, str]  # compact phrase -> language
    patterns: list[tuple[re.Pattern[str], str]]
    exclusions: list[str]  # compact phrases that look alike but are not distress
    _joined: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        if self.phrases:
            # One alternation, longest first: a single pass over the text.
            ordered = sorted(self.phrases, key=len, reverse=True)
            self._joined = re.compile("|".join(map(re.escape, ordered)))

    def match(self, text: str) -> tuple[str, str] | None:
        """(language, what matched) if the text reads as distress, else None."""
        flat = compact(text)
        for exclusion in self.exclusions:
            flat = flat.replace(exclusion, "")
        if self._joined is not None:
            found = self._joined.search(flat)
            if found:
                return self.phrases[found.group(0)], found.group(0)
        if self.patterns:
            plain = normalize(text)
            for pattern, lang in self.patterns:
                if pattern.search(plain):
                    return lang, pattern.pattern
        return None


def load_distress(content_dir: Path, problems: list[Problem]) -> DistressMatcher:
    phrases: dict[str, str] = {}
    patterns: list[tuple[re.Pattern[str], str]] = []
    exclusions: list[str] = []
    for path in sorted((content_dir / "distress").glob("*.yaml")):
        where = f"content/distress/{path.name}"
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            problems.append(Problem("error", where, f"not valid YAML: {exc}".replace("\n", " ")))
            continue
        if not isinstance(doc, dict):
            problems.append(Problem("error", where, "expected language:, phrases: and patterns:"))
            continue
        for key in set(doc) - DISTRESS_KEYS:
            problems.append(Problem("error", where, f"unknown key '{key}'"))
        lang = str(doc.get("language") or path.stem)
        for phrase in doc.get("phrases") or []:
            flat = compact(str(phrase))
            if len(flat) < 3:
                problems.append(Problem("error", where, f"phrase '{phrase}' is too short to match safely"))
                continue
            phrases.setdefault(flat, lang)
        for raw in doc.get("patterns") or []:
            try:
                patterns.append((re.compile(str(raw)), lang))
            except re.error as exc:
                problems.append(Problem("error", where, f"pattern '{raw}' is not a valid regular expression: {exc}"))
        exclusions.extend(compact(str(p)) for p in doc.get("not") or [])
    return DistressMatcher(phrases=phrases, patterns=patterns, exclusions=[e for e in exclusions if e])
