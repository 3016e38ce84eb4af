"""Which of our languages a message is written in: the script tells most of them; for Latin
letters (English, Indonesian, Filipino, Vietnamese, and romanised Burmese, Khmer, Nepali,
Hindi...) Lingua decides between the written languages and the marker words in
content/languages.yaml catch the romanised ones.

    detect("ខ្ញុំនៅប៉ោយប៉ែត") == "km";  detect("tulungan niyo po ako") == "fil"

Returns a locale code as in bot.i18n.SUPPORTED, or None when it cannot tell (a number,
"ok", an emoji): the caller keeps the chat's language then.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from .. import CONTENT_DIR
from .normalize import normalize, words

SCRIPTS = [(lang, re.compile(f"[{block}]")) for lang, block in (
    ("my", "\u1000-\u109f\uaa60-\uaa7f"), ("th", "\u0e00-\u0e7f"), ("lo", "\u0e80-\u0eff"),
    ("km", "\u1780-\u17ff\u19e0-\u19ff"), ("bn", "\u0980-\u09ff"), ("si", "\u0d80-\u0dff"),
    ("deva", "\u0900-\u097f"), ("zh_Hans", "\u3400-\u9fff"))]
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
# Lingua's verdict counts only when it is this sure, and this far ahead of the next language.
LINGUA_MIN_CONFIDENCE = 0.5
LINGUA_MIN_MARGIN = 0.2


@lru_cache(maxsize=1)
def markers(path: Path = CONTENT_DIR / "languages.yaml") -> dict[str, dict[str, set[str]]]:
    """{"devanagari": {"ne": {...}, "hi": {...}}, "romanised": {"my": {...}, ...}}"""
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {group: {lang: {normalize(str(w)) for w in words or []} for lang, words in (langs or {}).items()}
            for group, langs in (doc or {}).items()}


@lru_cache(maxsize=1)
def _lingua():
    from lingua import Language, LanguageDetectorBuilder

    # Preloaded: otherwise each n-gram model loads on first need, costing the first
    # messages in Latin letters seconds of CPU between them (bench/README.md, profile).
    return LanguageDetectorBuilder.from_languages(
        Language.ENGLISH, Language.INDONESIAN, Language.MALAY, Language.TAGALOG, Language.VIETNAMESE
    ).with_preloaded_language_models().build()


def warm_up() -> None:
    """Load Lingua's models now (at start-up) rather than while a person waits."""
    _lingua()


LINGUA_LOCALE = {"ENGLISH": "en", "INDONESIAN": "id", "MALAY": "id", "TAGALOG": "fil", "VIETNAMESE": "vi"}


def _by_markers(tokens: list[str], group: str) -> str | None:
    scores = {lang: sum(t in words for t in tokens) for lang, words in markers().get(group, {}).items()}
    best = max(scores, key=scores.get, default=None)
    if best is None or not scores[best]:
        return None
    return best if list(scores.values()).count(scores[best]) == 1 else None


def detect(text: str) -> str | None:
    counts = {lang: len(pattern.findall(text)) for lang, pattern in SCRIPTS}
    script = max(counts, key=counts.get)
    latin = len(LATIN.findall(text))
    tokens = words(text)
    if counts[script] and counts[script] >= latin / 2:
        if script != "deva":
            return script
        return _by_markers(tokens, "devanagari") or "hi"  # Hindi is the likelier default
    if latin < 3:
        return None
    romanised = _by_markers(tokens, "romanised")
    if romanised:
        return romanised
    scores: dict[str, float] = {}
    for value in _lingua().compute_language_confidence_values(text):
        locale = LINGUA_LOCALE[value.language.name]  # Malay counts for Indonesian: same words
        scores[locale] = scores.get(locale, 0.0) + value.value
    ranked = sorted(scores.items(), key=lambda item: -item[1]) + [("", 0.0)]
    (best, confidence), (_, second) = ranked[0], ranked[1]
    if confidence >= LINGUA_MIN_CONFIDENCE and confidence - second >= LINGUA_MIN_MARGIN:
        return best
    return None
