"""Questions find screens: a typed question is matched against the content people can read.

    index = QuestionIndex(bundle)            # once, at start-up: every language
    index.answer("magkano ang placement fee", "fil")  -> Answer(screens=["costs_fees"], sure=True)

What a screen is known by, in the chat's language and in English (people mix in English
loan words everywhere), each term weighted by how rare it is among the screens (idf):
- its `keywords:` (dialogs/*.yaml, translated like all text: the words people really use),
  found as phrases anywhere in the message, spaces or none;
- the labels of the buttons that lead to it, as phrases and as words;
- the words of its text.
Typos are mended with rapidfuzz against the words the index knows; Hindi, Nepali, Bengali and
Sinhala terms are also known in Latin letters (ICU transliteration), as many people type them.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ..i18n import SOURCE_LANGUAGE, SUPPORTED, Translator, translator
from .model import Bundle
from .textmatch import ROMANISED_LANGS, PhraseFinder, compact_form, romanised, tokens

# Screens that are questions the bot asks or need a button to confirm: never an answer.
NOT_ANSWERS = {"main", "forget_confirm"}
# How much each kind of term counts (times its idf).
KEYWORD, LABEL, LABEL_WORD, KEYWORD_WORD, TEXT_WORD = 3.0, 2.5, 1.5, 1.5, 0.6
# A word on more than this share of the screens says nothing about any of them.
MAX_SCREEN_SHARE = 0.2
# What the second language's index adds to the first's (see rank).
OTHER_LANGUAGES = 0.5
# Typos: a word this similar (rapidfuzz ratio) to a known word is taken for it.
TYPO_SIMILARITY = 84
TYPO_MIN_CHARS = 4
# The question is read up to here (a question is short; a long text is an ad or a story).
QUESTION_CHARS = 300
# One screen is shown when it scores at least SURE and this many times the next one.
SURE, SURE_LEAD = 4.0, 2.0
# Screens offered as "Is it one of these?": score at least OFFER and this share of the best.
OFFER, OFFER_SHARE, OFFER_COUNT = 1.5, 0.35, 3
KEYWORD_SPLIT = re.compile(r"[,;/|\n،、，၊။។;]+")
CACHE_SIZE = 20000


@dataclass
class Answer:
    screens: list[str] = field(default_factory=list)  # best first; empty: nothing found
    sure: bool = False  # one screen clearly wins


class _LanguageIndex:
    """Terms of one language (or English) -> {screen: weight}."""

    def __init__(self, bundle: Bundle, screens: list[str], t: Translator, incoming: dict[str, list[str]]):
        self.lang = t.lang
        phrases: dict[str, dict[str, float]] = defaultdict(dict)
        words: dict[str, dict[str, float]] = defaultdict(dict)

        def add(table: dict, term: str, screen: str, weight: float) -> None:
            if term and weight > table[term].get(screen, 0.0):
                table[term][screen] = weight

        roman = self.lang in ROMANISED_LANGS
        for screen_id in screens:
            screen = bundle.screens[screen_id]
            keywords = [k.strip() for k in KEYWORD_SPLIT.split(t(screen.keywords)) if k.strip()] if screen.keywords else []
            labels = [t(label) for label in incoming.get(screen_id, [])]
            for phrase, weight in [(k, KEYWORD) for k in keywords] + [(lab, LABEL) for lab in labels]:
                add(phrases, compact_form(phrase), screen_id, weight)
                if roman:
                    add(phrases, compact_form(romanised(phrase)), screen_id, weight)
            for text, weight in [(k, KEYWORD_WORD) for k in keywords] + [(lab, LABEL_WORD) for lab in labels] \
                    + [(t(screen.text), TEXT_WORD)]:
                for word in tokens(text):
                    add(words, word, screen_id, weight)
                    if roman and weight > TEXT_WORD:
                        add(words, romanised(word), screen_id, weight)
        count = len(screens)
        # how rare a one-word keyword is counts the screens whose text uses it too: "money"
        # as a keyword of costs says less than "receipt", because every other screen says money
        used = {term: set(on) for term, on in words.items()}
        self.phrases = self._weigh(phrases, count, used)
        self.words = self._weigh(words, count, used)
        self.finder = PhraseFinder(self.phrases)
        self.known = [w for w in self.words if len(w) >= TYPO_MIN_CHARS]
        self._mended: dict[str, str] = {}

    @staticmethod
    def _weigh(table: dict[str, dict[str, float]], count: int,
               used: dict[str, set[str]]) -> dict[str, dict[str, float]]:
        weighed = {}
        for term, screens in table.items():
            idf = math.log(1 + count / len(set(screens) | used.get(term, set())))
            if len(screens) > max(2, MAX_SCREEN_SHARE * count):
                # a common word ("passport") still points to the screens that name it in a
                # keyword or label, not to every screen whose text mentions it
                screens = {s: w for s, w in screens.items() if w > TEXT_WORD}
            if screens:
                weighed[term] = {s: w * idf for s, w in screens.items()}
        return weighed

    def mend(self, word: str) -> str:
        """The known word this one was meant to be (typos), else the word itself."""
        if word in self.words or len(word) < TYPO_MIN_CHARS or word.isdigit():
            return word
        if word not in self._mended:
            best = process.extractOne(word, self.known, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY)
            if len(self._mended) > CACHE_SIZE:
                self._mended.clear()
            self._mended[word] = best[0] if best else word
        return self._mended[word]

    def terms(self, words: list[str]) -> dict[str, dict[str, float]]:
        mended = [self.mend(w) for w in words]
        found = {w: self.words[w] for w in mended if w in self.words}
        for phrase in self.finder.find(" ".join(mended)):
            found[phrase] = self.phrases[phrase]  # a one-word phrase outweighs the word
        return found


class QuestionIndex:
    def __init__(self, bundle: Bundle, ignore: set[str] = frozenset()):
        self.ignore = ignore  # words that name no topic (country names)
        incoming: dict[str, list[str]] = defaultdict(list)
        for screen in bundle.screens.values():
            for b in screen.buttons:
                if b.go and b.label not in incoming[b.go]:
                    incoming[b.go].append(b.label)
        screens = [s for s, sc in bundle.screens.items() if s not in NOT_ANSWERS and not sc.choices]
        # the title offered for a screen: the label of the button its parent shows for it
        self.titles: dict[str, str] = {}
        for screen_id in screens:
            parent = bundle.screens.get(bundle.parents.get(screen_id, ""))
            from_parent = [b.label for b in (parent.buttons if parent else []) if b.go == screen_id]
            label = (from_parent or incoming.get(screen_id) or [None])[0]
            if label:
                self.titles[screen_id] = label
        # a screen's parents, grandparents...: "costs" scoring close behind "costs_fees" only
        # says the question is about costs, so it does not make the answer less sure
        self.ancestors: dict[str, set[str]] = {}
        for screen_id in screens:
            seen, current = set(), bundle.parents.get(screen_id)
            while current and current not in seen and current != "main":
                seen.add(current)
                current = bundle.parents.get(current)
            self.ancestors[screen_id] = seen
        self.languages = {lang: _LanguageIndex(bundle, screens, translator(lang), incoming) for lang in SUPPORTED}

    def rank(self, text: str, langs: tuple[str, ...]) -> list[tuple[str, float]]:
        words = [w for w in tokens(text[:QUESTION_CHARS]) if w not in self.ignore]
        if not words:
            return []
        # each language's index scores the screens; the best language counts in full and the
        # others (English loan words in Taglish) at OTHER_LANGUAGES, so that one word found in
        # two languages ("agen", "agent") does not count twice
        per_language: list[dict[str, float]] = []
        seen: set[str] = set()
        for lang in dict.fromkeys((*langs, SOURCE_LANGUAGE)):
            index = self.languages.get(lang)
            scores: dict[str, float] = defaultdict(float)
            for term, screens in (index.terms(words) if index else {}).items():
                if term in seen:
                    continue  # the same word in both indexes ("visa"): once
                seen.add(term)
                for screen, weight in screens.items():
                    scores[screen] += weight
            per_language.append(scores)
        total: dict[str, float] = defaultdict(float)
        for screen in set().union(*per_language):
            values = sorted((scores.get(screen, 0.0) for scores in per_language), reverse=True)
            total[screen] = values[0] + OTHER_LANGUAGES * sum(values[1:])
        return sorted(total.items(), key=lambda item: -item[1])

    def answer(self, text: str, langs: tuple[str, ...]) -> Answer:
        ranked = [(s, score) for s, score in self.rank(text, langs) if s in self.titles]
        if not ranked or ranked[0][1] < OFFER:
            return Answer()
        best, top = ranked[0]
        second = next((score for s, score in ranked[1:] if s not in self.ancestors.get(best, ())), 0.0)
        if top >= SURE and top >= SURE_LEAD * second:
            return Answer(screens=[ranked[0][0]], sure=True)
        offered = [s for s, score in ranked[:OFFER_COUNT] if score >= max(OFFER, OFFER_SHARE * top)]
        return Answer(screens=offered)

