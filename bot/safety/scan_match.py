"""Word-level phrase matching for the job-ad scan: forgiving where real ads differ from our
phrase lists, strict where a loose match would be a false alarm.

Text and phrases are split into words the same way (`normalize.words`: ICU word breaks, so
Thai, Lao, Khmer and Burmese are split too; casefolded; Traditional Chinese as Simplified).
A phrase matches when its words appear in order with at most `MAX_GAP` other words between
two of them ("no experience needed" matches "no prior experience is needed"), and Latin words
are compared by a light stem ("agents" = "agent", "typing" = "type", "bonuses" = "bonus").

A phrase can be negated: a fee that is "free" or "no" is not a fee. Negator words are data,
per language (`negators:` in content/redflags/<lang>.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .normalize import words

MAX_GAP = 2  # other words allowed between two words of a phrase
NEGATION_REACH = 3  # a negator this many words before a phrase cancels it
LATIN_WORD = re.compile(r"^[a-z\u00c0-\u024f\u1e00-\u1eff'’]+$")
# Longest suffixes first; a stem keeps at least 3 letters.
SUFFIXES = ("ings", "ing", "ies", "es", "ed", "s")


def stem(word: str) -> str:
    """'agents' -> 'agent', 'typing' -> 'typ', 'bonuses' -> 'bonus'; other scripts unchanged."""
    if len(word) < 5 or not LATIN_WORD.match(word):
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix == "ies":
                return base + "y"
            if suffix == "es" and not base.endswith(("s", "x", "z", "ch", "sh")):
                return base + "e"
            return base
    return word


@lru_cache(maxsize=65536)
def _base(word: str) -> str:
    """typing/type/typed/types all become 'typ' (trailing e dropped after stemming)."""
    stemmed = stem(word)
    if LATIN_WORD.match(stemmed) and len(stemmed) > 4 and stemmed.endswith("e"):
        return stemmed[:-1]
    return stemmed


ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def tokens(text: str) -> list[str]:
    """normalize.words() of the text. Emoji and other characters outside the Basic
    Multilingual Plane are replaced by spaces first: ICU counts them as two positions,
    which would cut the words after them in the wrong places."""
    return words(ASTRAL.sub(" ", text))


# The end of a sentence: . ! ? ; followed by a space (not "3.500" or "e-mail.com"), a line
# break, or a full stop of another script (Chinese, Burmese, Devanagari/Bengali, Khmer, Thai's
# none: Thai ends sentences with a space and is left whole).
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|[\n\u3002\uff01\uff1f\u104b\u0964\u17d4]+")


def sentences(text: str) -> list[str]:
    """The text cut where its sentences end; negations do not reach across."""
    return [part for part in SENTENCE_END.split(text) if part.strip()]


def in_original(text: str, said: str) -> str:
    """The matched words as the ad writes them (its capitals and hyphens), when found."""
    parts = said.split()
    if not parts:
        return said
    m = re.search(r"\W{0,3}".join(map(re.escape, parts)), text, re.I)
    return m.group(0) if m else said


@dataclass
class Hit:
    key: str  # what the phrase points to (a flag id, a country code, a job type...)
    start: int  # first and last word of the match in the text's word list
    end: int
    lang: str


@dataclass
class PhraseIndex:
    """Phrases by their first word, each as its list of word bases."""

    by_first: dict[str, list[tuple[tuple[str, ...], str, str, bool]]] = field(default_factory=dict)
    negators: set[str] = field(default_factory=set)
    count: int = 0

    def add(self, phrase: str, key: str, lang: str = "", negatable: bool = False) -> bool:
        bases = tuple(_base(w) for w in words(phrase))
        if not bases:
            return False
        self.by_first.setdefault(bases[0], []).append((bases, key, lang, negatable))
        self.count += 1
        return True

    def add_negators(self, items) -> None:
        for item in items:
            self.negators.update(_base(w) for w in words(str(item)))

    def find(self, text_words: list[str]) -> list[Hit]:
        """Every phrase found, longest first at each place; negated phrases are left out."""
        bases = [_base(w) for w in text_words]
        hits: list[Hit] = []
        negated_until = -NEGATION_REACH - 1  # a negation carries over a list: "no fee, deposit or ..."
        for i, first in enumerate(bases):
            candidates = self.by_first.get(first)
            if not candidates:
                continue
            near = set(bases[i + 1:i + MAX_GAP + 2])  # the second word must be this close
            for phrase, key, lang, negatable in candidates:
                if len(phrase) > 1 and phrase[1] not in near:
                    continue
                end = _match_rest(bases, i, phrase, self.negators if negatable else frozenset())
                if end is None:
                    continue
                if negatable and (self._negated(bases, i, end) or i - negated_until <= NEGATION_REACH):
                    negated_until = end
                    continue
                hits.append(Hit(key, i, end, lang))
        return hits

    def _negated(self, bases: list[str], start: int, end: int) -> bool:
        return any(b in self.negators for b in bases[max(0, start - NEGATION_REACH):start])


def _match_rest(bases: list[str], start: int, phrase: tuple[str, ...], negators=frozenset()) -> int | None:
    """Index of the text word matching the phrase's last word, or None. A skipped word may
    not be a negator ("company does NOT keep your passport" is not "company keeps")."""
    pos = start
    for word in phrase[1:]:
        for step in range(1, MAX_GAP + 2):
            if pos + step >= len(bases) or bases[pos + step] in negators:
                return None
            if bases[pos + step] == word:
                pos += step
                break
        else:
            return None
    return pos


def _latinish(ch: str) -> bool:
    return ch.isdigit() or bool(LATIN_WORD.match(ch))


def quote(text_words: list[str], start: int, end: int) -> str:
    """The matched words as the user can recognise them (spaces only between Latin words)."""
    out = ""
    for word in text_words[start:end + 1]:
        if out and _latinish(out[-1]) and _latinish(word[0]):
            out += " "
        out += word
    return out
