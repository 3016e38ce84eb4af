"""The one place where user text is made comparable, for every language.

- Burmese typed in the legacy Zawgyi encoding is detected (Google's myanmartools) and
  converted to Unicode with ICU's own Zawgyi-my transliterator before anything else.
- NFKC folds compatibility forms (full-width Latin, ligatures); zero-width characters
  (often pasted from apps, or typed between Thai/Burmese words) are removed.
- casefold() for scripts with case; whitespace collapsed.
- `compact()` drops all spaces and punctuation: Thai, Lao, Khmer and Burmese write words
  without spaces (and people insert them randomly), so phrases are matched without them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from myanmartools import ZawgyiDetector

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
BURMESE = re.compile(r"[\u1000-\u109f]")
SPACE = re.compile(r"\s+")
# Spaces, punctuation, symbols and controls: dropped for compact matching. (Not \W, which
# would also drop the vowel signs of Thai, Burmese, Khmer and the Indic scripts.)
ZAWGYI_THRESHOLD = 0.95  # myanmartools' recommended cut-off for "this is Zawgyi"


@lru_cache(maxsize=1)
def _detector() -> ZawgyiDetector:
    return ZawgyiDetector()


@lru_cache(maxsize=1)
def _zawgyi_to_unicode():
    import icu  # PyICU: ICU ships the reference Zawgyi→Unicode rules

    return icu.Transliterator.createInstance("Zawgyi-my")


def is_zawgyi(text: str) -> bool:
    return bool(BURMESE.search(text)) and _detector().get_zawgyi_probability(text) > ZAWGYI_THRESHOLD


def to_unicode_burmese(text: str) -> str:
    """Zawgyi text converted to Unicode; any other text unchanged."""
    if is_zawgyi(text):
        return _zawgyi_to_unicode().transliterate(text)
    return text


@lru_cache(maxsize=8192)
def _fold(ch: str) -> str:
    """One character made comparable: compatibility form, lower case, no zero-width."""
    return unicodedata.normalize("NFKC", ch).casefold().translate(ZERO_WIDTH)


@lru_cache(maxsize=8192)
def _keep(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"  # letters, marks (vowel signs), numbers


def _prepare(text: str) -> str:
    # Zawgyi first (it reorders marks), then composed forms, so folding char by char is safe.
    return unicodedata.normalize("NFC", to_unicode_burmese(text))


def normalize(text: str) -> str:
    """Text as typed → comparable text (Unicode Burmese, NFKC, no zero-width, casefolded)."""
    folded = "".join(_fold(ch) for ch in _prepare(text))
    return SPACE.sub(" ", folded).strip()


def compact_map(text: str) -> tuple[str, list[int], str]:
    """compact() of the text, where each of its characters came from in the prepared text,
    and the prepared text itself (to quote what matched)."""
    prepared = _prepare(text)
    flat: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(prepared):
        for c in _fold(ch):
            if _keep(c):
                flat.append(c)
                origin.append(i)
    return "".join(flat), origin, prepared


def compact(text: str) -> str:
    """normalize() without spaces or punctuation: the form phrases are matched in."""
    return compact_map(text)[0]


def phrase_pattern(phrases: list[str] | set[str]) -> re.Pattern[str] | None:
    """One regular expression matching any of the phrases, built as a trie so that phrases
    sharing a beginning are tried together: a 1 KB text against thousands of phrases in
    well under a millisecond (a flat a|b|c alternation tries every phrase at every place).
    Longer phrases win over their own prefixes."""
    trie: dict = {}
    for phrase in phrases:
        if not phrase:
            continue
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        ends_here = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends_here else body

    return re.compile(build(trie)) if trie else None


@lru_cache(maxsize=1)
def _simplifier():
    import opencc  # OpenCC: Traditional Chinese written as Simplified, phrase by phrase

    return opencc.OpenCC("t2s")


HAN = re.compile(r"[\u3400-\u9fff]")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters as Simplified (our phrases are Simplified); other text unchanged."""
    return _simplifier().convert(text) if HAN.search(text) else text


@lru_cache(maxsize=1)
def _word_breaker():
    import icu

    # The root locale's rules break Thai, Lao, Khmer and Burmese with ICU's dictionaries.
    return icu.BreakIterator.createWordInstance(icu.Locale.getRoot())


def words(text: str) -> list[str]:
    """The words of a text, normalised (Zawgyi converted, casefolded, Simplified Chinese):
    ICU word boundaries, so scripts written without spaces are split into words too.
    Punctuation and spaces are dropped; numbers are kept."""
    plain = to_simplified(normalize(text))
    breaker = _word_breaker()
    breaker.setText(plain)
    found, start = [], breaker.first()
    for end in breaker:
        if breaker.getRuleStatus() != 0:  # 0 = not a word (space, punctuation)
            found.append(plain[start:end])
        start = end
    return found
