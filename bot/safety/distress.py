"""Distress detection: does this message say someone is in danger?

Phrases live in content/distress/<lang>.yaml (all languages are checked on every message,
because people mix languages and write in the script they have on their phone).
- Phrases in Latin letters (English, Indonesian, Filipino, romanised Nepali/Hindi/Bengali)
  match whole words, with or without the spaces between them: "help me" matches "HELP me",
  "helpme" and "help-me", but "sos" does not match "sosial".
- Phrases in other scripts match on compact text (normalize.compact: Zawgyi converted, no
  spaces or punctuation), because Thai, Lao, Khmer and Burmese write no spaces between
  words: "ช่วย ด้วย" and "ช่วยด้วย!!" both match.
A false alarm costs a moderator a minute; a miss can cost a life, so phrases are broad.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..engine.model import Problem
from .normalize import compact, normalize, phrase_pattern

DISTRESS_KEYS = {"language", "phrases", "patterns", "not"}


WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def is_latin(phrase: str) -> bool:
    """Written in Latin letters (English, Vietnamese, Indonesian, romanised Nepali...)."""
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in phrase)


def word_pattern(phrase: str) -> str:
    """'help me' matches 'help me', 'helpme' and 'help-me' as whole words."""
    return r"\b" + r"[\W_]*".join(map(re.escape, WORD.findall(phrase))) + r"\b"


@dataclass
class DistressMatcher:
    phrases: dict[str, str]  # compact phrase (non-Latin scripts) -> language
    words: dict[str, str]  # normalised Latin phrase -> language
    patterns: list[tuple[re.Pattern[str], str]]
    exclusions: list[str]  # normalised phrases that look alike but are not distress

    def __post_init__(self) -> None:
        # One alternation each, longest first: a single pass over the text.
        self._compact = phrase_pattern(set(self.phrases))
        latin = sorted(self.words, key=len, reverse=True)
        self._words = re.compile("|".join(f"(?:{word_pattern(p)})" for p in latin)) if latin else None
        self._word_lang = {compact(p): lang for p, lang in self.words.items()}


    def match(self, text: str) -> tuple[str, str] | None:
        """(language, what matched) if the text reads as distress, else None."""
        plain = normalize(text)
        for exclusion in self.exclusions:
            plain = plain.replace(exclusion, " ")
        if self._words is not None:
            found = self._words.search(plain)
            if found:
                return self._word_lang.get(compact(found.group(0)), "?"), found.group(0)
        if self._compact is not None:
            found = self._compact.search(compact(plain))
            if found:
                return self.phrases[found.group(0)], found.group(0)
        for pattern, lang in self.patterns:
            if pattern.search(plain):
                return lang, pattern.pattern
        return None


def too_short(flat: str) -> bool:
    """Under 3 letters matches inside too many words; 2 Chinese characters (救命) are a word."""
    cjk = all("\u3400" <= ch <= "\u9fff" for ch in flat)
    return len(flat) < (2 if cjk else 3)


def load_distress(content_dir: Path, problems: list[Problem]) -> DistressMatcher:
    phrases: dict[str, str] = {}
    words: dict[str, str] = {}
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
            if too_short(flat):
                problems.append(Problem("error", where, f"phrase '{phrase}' is too short to match safely"))
                continue
            if is_latin(normalize(str(phrase))):
                words.setdefault(normalize(str(phrase)), lang)
            else:
                phrases.setdefault(flat, lang)
        for raw in doc.get("patterns") or []:
            try:
                patterns.append((re.compile(str(raw)), lang))
            except re.error as exc:
                problems.append(Problem("error", where, f"pattern '{raw}' is not a valid regular expression: {exc}"))
        exclusions.extend(normalize(str(p)) for p in doc.get("not") or [])
    return DistressMatcher(phrases=phrases, words=words, patterns=patterns, exclusions=[e for e in exclusions if e])
