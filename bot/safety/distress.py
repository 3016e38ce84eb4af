"""Distress detection: does this message say that someone is in danger now?

Scored, not any-phrase. Each language file in content/distress/ sorts its terms into kinds
(README there): kinds of danger (held, beaten, sold, a price to leave, silence from a scam
area...), context (I or we, a relative, now) and what lowers the score (a question about
fees or rules, "what if", the news, "I am safe now"). content/distress/scoring.yaml says what
each kind weighs. A message alarms when its danger kinds, raised by being found together
and by their context and lowered by the rest, reach the threshold there:

    "help me"                                   plea 0.4                   → no alarm
    "help me, they locked us in"                plea + held + both + we    → alarm
    "is it legal to keep workers' passports?"   passport taken x question  → no alarm

Every language is checked on every message, because people mix languages and write in
the script their phone has: each language's terms are scored together with the English
ones (the language everyone mixes in) and those of close neighbours (scoring.yaml: mix).
Latin-letter terms match whole words, after typos are mended toward the words the terms
use (rapidfuzz); other scripts match on compact text
(no spaces: Thai, Lao, Khmer and Burmese write none between words).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from .. import limits
from ..engine.model import Problem
from .normalize import compact, normalize, phrase_pattern

ENGLISH = "en"  # named when its words weigh as much as another's ("SOS")
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
QUOTES = str.maketrans("’`´", "'''")
GAP = " .. "  # in a term: a few words (or, in scripts without spaces, characters) between


def is_latin(phrase: str) -> bool:
    """Written in Latin letters (English, Vietnamese, Indonesian, romanised Nepali...)."""
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in phrase)


def too_short(flat: str) -> bool:
    """Under 3 letters matches inside too many words; 2 Chinese characters (救命) are a word."""
    cjk = all("\u3400" <= ch <= "\u9fff" for ch in flat)
    return len(flat) < (2 if cjk else 3)


def latin_words(text: str) -> str:
    """Normalised text as words separated by single spaces ("Can't-leave!!" → "can't leave")."""
    return " ".join(WORD.findall(text.translate(QUOTES)))


ESCAPE = re.compile(r"\\[A-Za-z]")
# What compact() drops from normalised text: spaces, punctuation, symbols, controls (not the
# vowel signs of Thai, Burmese, Khmer and the Indic scripts, which \W would drop too).
KEEP_LETTERS = re.compile(r"[^\w\u0300-\u036f\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]|_")


def scripts_of(text: str) -> frozenset[str]:
    """The scripts of the letters outside ASCII in a text ("DEVANAGARI", "THAI", "CJK"...)."""
    return frozenset(unicodedata.name(ch, "?").split()[0] for ch in set(text) if ord(ch) > 127 and ch.isalpha())


def pattern_scripts(pattern: str) -> frozenset[str] | None:
    """The scripts a pattern needs, when all its letters are outside ASCII; else None (try always)."""
    letters = ESCAPE.sub("", pattern)
    if any(ch.isascii() and ch.isalpha() for ch in letters):
        return None
    return scripts_of(letters) or None


@dataclass(frozen=True)
class Distress:
    """A message that reads as danger. Always truthy, so `if matcher.match(text):` works."""

    lang: str | None  # locale of the language the danger words were in (bot.i18n.SUPPORTED)
    evidence: str  # the words that raised it, for moderators
    about: str | None  # "self", "relative", or None when unclear
    score: float

    def __bool__(self) -> bool:
        return True


@dataclass
class Scoring:
    threshold: float
    danger: dict[str, float]
    context: dict[str, float]
    lower: dict[str, float]  # factors: a question about fees keeps part of the score
    together: float  # added when two or more kinds of danger are found together
    negatable: set[str]  # danger kinds that a negation just before cancels ("did not beat me")
    mix: dict[str, list[str]]  # languages scored together with a language ("*": with every one)

    def mixed_with(self, lang: str) -> list[str]:
        return [other for other in self.mix.get("*", []) + self.mix.get(lang, []) if other != lang]

    @property
    def kinds(self) -> set[str]:
        return {*self.danger, *self.context, *self.lower}

    def score(self, kinds: set[str]) -> float:
        danger = kinds & set(self.danger)
        if not danger:
            return 0.0
        total = sum(self.danger[k] for k in danger) + (self.together if len(danger) > 1 else 0.0)
        total += sum(self.context[k] for k in kinds & set(self.context))
        for kind in kinds & set(self.lower):
            total *= self.lower[kind]
        return round(total, 3)


@dataclass(frozen=True)
class Hit:
    lang: str
    kind: str
    words: str  # as found in the text
    at: int
    where: str  # which form of the text: "latin", "compact" or "plain"


@dataclass
class Terms:
    """Everything the matcher looks for, from all languages."""

    latin: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # words → [(lang, kind)]
    compact: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # compact → [(lang, kind)]
    # Regular expressions, each with what the text must contain for it to be worth trying
    # (a first word, a first syllable, a script), so that most are skipped for most messages.
    latin_regex: list[tuple[re.Pattern[str], str, str, frozenset[str] | None]] = field(default_factory=list)
    compact_regex: list[tuple[re.Pattern[str], str, str, tuple[str, ...]]] = field(default_factory=list)
    plain_regex: list[tuple[re.Pattern[str], str, str, frozenset[str] | None]] = field(default_factory=list)
    negation: dict[str, tuple[set[str], list[str]]] = field(default_factory=dict)  # lang → (words, compact)
    exclusions: list[str] = field(default_factory=list)
    vocabulary: set[str] = field(default_factory=set)  # Latin words the terms use (typos mend toward them)


class DistressMatcher:
    def __init__(self, terms: Terms, scoring: Scoring) -> None:
        self.terms, self.scoring = terms, scoring
        latin = phrase_pattern(set(terms.latin))
        flat = phrase_pattern(set(terms.compact))
        # Lookahead: every place a term starts, the longest term there (terms may overlap).
        self._latin = re.compile(rf"(?=\b({latin.pattern})\b)") if latin else None
        self._compact = re.compile(f"(?=({flat.pattern}))") if flat else None
        by_letter: dict[str, list[str]] = {}
        for word in terms.vocabulary:
            if len(word) >= limits.DISTRESS_TYPO_MIN_CHARS:
                by_letter.setdefault(word[0], []).append(word)
        self._by_letter = by_letter
        self.mend = lru_cache(maxsize=65536)(self._mend)
        self.languages = sorted({lang for hits in [*terms.latin.values(), *terms.compact.values()]
                                 for lang, _ in hits})

    def _mend(self, word: str) -> str:
        """A typo of one of our words, mended ("pasport" → "passport"); other words unchanged."""
        if len(word) < limits.DISTRESS_TYPO_MIN_CHARS or word in self.terms.vocabulary or word.isdigit():
            return word
        found = process.extractOne(word, self._by_letter.get(word[0], ()), scorer=fuzz.ratio,
                                   score_cutoff=limits.DISTRESS_TYPO_MIN_SIMILARITY)
        return found[0] if found else word

    def hits(self, text: str) -> list[Hit]:
        plain = normalize(text[: limits.USER_TEXT_CHARS])
        for exclusion in self.terms.exclusions:
            plain = plain.replace(exclusion, " ")
        latin = " ".join(self.mend(w) for w in latin_words(plain).split(" "))
        flat = KEEP_LETTERS.sub("", plain)  # compact(), without converting Zawgyi a second time
        found: list[Hit] = []
        for pattern, form, table, where in ((self._latin, latin, self.terms.latin, "latin"),
                                            (self._compact, flat, self.terms.compact, "compact")):
            if pattern is None:
                continue
            for m in pattern.finditer(form):
                # The longest term starting here, and the shorter terms it begins with
                # ("ठगी गर्न लगाउ", forced, begins with "ठगी", scam work).
                longest = m.group(1)
                for end in range(1, len(longest) + 1):
                    if end < len(longest) and (where == "latin" and longest[end] != " "):
                        continue
                    for lang, kind in table.get(longest[:end], ()):
                        found.append(Hit(lang, kind, longest[:end], m.start(), where))
        texts = {"latin": latin, "compact": flat, "plain": plain}
        words, scripts = set(latin.split(" ")), scripts_of(plain)
        tries = [(p, lang, kind, "latin") for p, lang, kind, first in self.terms.latin_regex
                 if first is None or not first.isdisjoint(words)]
        tries += [(p, lang, kind, "compact") for p, lang, kind, first in self.terms.compact_regex
                  if any(f in flat for f in first)]
        tries += [(p, lang, kind, "plain") for p, lang, kind, needs in self.terms.plain_regex
                  if needs is None or not needs.isdisjoint(scripts)]
        for pattern, lang, kind, where in tries:
            found += [Hit(lang, kind, m.group(0), m.start(), where) for m in pattern.finditer(texts[where])]
        return [h for h in found if not (h.kind in self.scoring.negatable and self._negated(h, texts[h.where]))]

    def _negated(self, hit: Hit, text: str) -> bool:
        """'they did not take my passport': a negation word just before a danger term."""
        words, flats = self.terms.negation.get(hit.lang, (set(), []))
        before = text[:hit.at]
        if hit.where == "compact":
            return any(before.endswith(n) for n in flats)
        return bool(words & set(latin_words(before).split(" ")[-limits.DISTRESS_NEGATION_WORDS:]))

    def match(self, text: str) -> Distress | None:
        """A Distress when the text reads as someone in danger, else None. Never raises on text."""
        if not isinstance(text, str) or not text.strip():
            return None
        text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates from bad clients
        hits = self.hits(text)
        by_lang: dict[str, list[Hit]] = {}
        for hit in hits:
            by_lang.setdefault(hit.lang, []).append(hit)
        lowering = [hit for hit in hits if hit.kind in self.scoring.lower]
        best: tuple[float, str, list[Hit]] | None = None
        for lang, own in by_lang.items():
            mixed = own + [hit for other in self.scoring.mixed_with(lang) for hit in by_lang.get(other, [])]
            mixed += lowering  # "how much", "news", "what if" lower the score in any language
            score = self.scoring.score({h.kind for h in mixed})
            if best is None or score > best[0] or (score == best[0] and lang != ENGLISH):
                best = (score, lang, mixed)
        if best is None or best[0] < self.scoring.threshold:
            return None
        score, _, used = best
        return Distress(lang=self._danger_language(used, text), evidence=self._evidence(used),
                        about=self._about(used), score=score)

    def _danger_language(self, hits: list[Hit], text: str) -> str | None:
        """The language whose danger words were found; when the same words are in several
        languages' lists ("SOS", "passport", Devanagari shared by Nepali and Hindi), the
        language the message is written in (bot.safety.language.detect) decides."""
        from .language import detect  # loads Lingua: only when there is an alarm

        weight: dict[str, float] = {}
        for lang, kind in {(h.lang, h.kind) for h in hits if h.kind in self.scoring.danger}:
            weight[lang] = weight.get(lang, 0.0) + self.scoring.danger[kind]
        written_in = detect(text)
        if written_in in weight:
            return written_in
        return max(weight, key=lambda lang: (weight[lang], lang == ENGLISH), default=None)

    def _evidence(self, hits: list[Hit]) -> str:
        seen: dict[str, None] = {}
        for hit in sorted(hits, key=lambda h: h.at):
            if hit.kind in self.scoring.danger or hit.kind == "relative":
                seen.setdefault(hit.words.strip(), None)
        return " · ".join(seen)[: limits.DISTRESS_EVIDENCE_CHARS]

    @staticmethod
    def _about(hits: list[Hit]) -> str | None:
        kinds = {h.kind for h in hits}
        return "relative" if "relative" in kinds else "self" if "self" in kinds else None


# loading ------------------------------------------------------------------------------
FILE_KEYS = {"language", "terms", "patterns", "negation", "not"}


def load_scoring(path: Path, problems: list[Problem]) -> Scoring:
    where = "content/distress/scoring.yaml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Scoring(threshold=float(doc["threshold"]), together=float(doc["together"]),
                       negatable={str(k) for k in doc.get("negatable") or []},
                       mix={str(k): [str(x) for x in v] for k, v in (doc.get("mix") or {}).items()},
                       **{part: {str(k): float(v) for k, v in doc[part].items()}
                          for part in ("danger", "context", "lower")})
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        problems.append(Problem("error", where, f"expected threshold, together, danger, context, lower: {exc}"))
        return Scoring(threshold=1.0, danger={}, context={}, lower={}, together=0.0, negatable=set(), mix={})


def term_regex(term: str, latin: bool) -> str | None:
    """'took|kept .. passport' → a regular expression; None for a plain term.
    Words are separated by spaces; "a|b" is a choice of one word; " .. " a short gap."""
    parts = [[word.split("|") for word in part.split()] for part in term.split(GAP)]
    if len(parts) == 1 and all(len(alts) == 1 for alts in parts[0]) and not (latin and "*" in term):
        return None
    if latin:
        def one(alt: str) -> str:
            return re.escape(alt.replace("*", "")) + (r"\w*" if alt.endswith("*") else "")
        gap = rf"(?: \S+){{0,{limits.DISTRESS_GAP_WORDS}}}? "
        return gap.join(r"\b" + " ".join("(?:" + "|".join(map(one, alts)) + ")" for alts in part) + r"\b"
                        for part in parts)
    gap = f".{{0,{limits.DISTRESS_GAP_CHARS}}}?"
    return gap.join("".join("(?:" + "|".join(re.escape(compact(a)) for a in alts if compact(a)) + ")"
                            for alts in part) for part in parts)


def add_term(terms: Terms, raw: str, lang: str, kind: str, strict: bool, where: str,
             problems: list[Problem]) -> None:
    term = normalize(raw)
    latin = is_latin(term)
    for part in term.split(GAP):
        choices = [word for slot in part.split() if "|" in slot for word in slot.split("|")]
        if len(choices) != len(set(choices)):  # "ga boleh|tidak boleh": choices are one word
            problems.append(Problem("warning", where, f"{kind} term '{raw}': a choice a|b is one word each"))
    if latin:
        terms.vocabulary.update(w for w in latin_words(term.replace("*", "")).split(" ") if w)
    regex = term_regex(term, latin)
    if regex is not None:
        first = term.split(GAP)[0].split()[0].split("|")
        if latin:
            anchors = None if any("*" in f for f in first) else frozenset(first)
            terms.latin_regex.append((re.compile(regex), lang, kind, anchors))
        else:
            terms.compact_regex.append((re.compile(regex), lang, kind, tuple(compact(f) for f in first)))
        return
    key = latin_words(term) if latin else compact(term)
    if not key or (strict and not latin and too_short(key)):
        problems.append(Problem("error", where, f"{kind} term '{raw}' is too short to match safely"))
        return
    (terms.latin if latin else terms.compact).setdefault(key, []).append((lang, kind))


def load_language(path: Path, terms: Terms, scoring: Scoring, problems: list[Problem]) -> None:
    where = f"content/distress/{path.name}"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        problems.append(Problem("error", where, f"not valid YAML: {exc}".replace("\n", " ")))
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("terms") or {}, dict):
        problems.append(Problem("error", where, "expected language:, terms: (kind → list), patterns:, negation:"))
        return
    for key in set(doc) - FILE_KEYS:
        problems.append(Problem("error", where, f"unknown key '{key}'"))
    lang = str(doc.get("language") or path.stem)
    for part in ("terms", "patterns"):
        for kind, items in (doc.get(part) or {}).items():
            if kind not in scoring.kinds:
                problems.append(Problem("error", where, f"{part}: unknown kind '{kind}' (see scoring.yaml)"))
                continue
            for item in items or []:
                if part == "terms":
                    add_term(terms, str(item), lang, kind, kind in scoring.danger, where, problems)
                    continue
                try:
                    terms.plain_regex.append((re.compile(str(item)), lang, kind, pattern_scripts(str(item))))
                except re.error as exc:
                    problems.append(Problem("error", where, f"pattern '{item}' is not a valid regular expression: {exc}"))
    negation = [normalize(str(n)) for n in doc.get("negation") or []]
    terms.negation[lang] = ({latin_words(n) for n in negation if is_latin(n)},
                            [compact(n) for n in negation if not is_latin(n)])
    terms.exclusions.extend(e for e in (normalize(str(p)) for p in doc.get("not") or []) if e)


def load_distress(content_dir: Path, problems: list[Problem]) -> DistressMatcher:
    folder = content_dir / "distress"
    scoring = load_scoring(folder / "scoring.yaml", problems)
    terms = Terms()
    for path in sorted(folder.glob("*.yaml")):
        if path.name != "scoring.yaml":
            load_language(path, terms, scoring, problems)
    return DistressMatcher(terms, scoring)
