"""Small text tools shared by question matching and the word lists (understand, vocab).

- `tokens()`: the words of a message (bot.safety.normalize.words: ICU splits for Thai, Lao,
  Khmer, Burmese; Zawgyi converted; Simplified Chinese), Latin letters without accents
  ("Hàn Quốc" and "han quoc" are the same), and the language's own digits as 0-9.
- `PhraseFinder`: which of many phrases occur in a message, compared without spaces (people
  write "hongkong" and "hong kong", and Thai or Burmese with random spaces). A phrase in Latin
  letters must start at the start of a word, so "fee" is not found in "coffee".
- `romanised()`: Hindi, Nepali, Bengali and Sinhala words in Latin letters (ICU), since many
  people type their language that way ("kitna paisa").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from ..safety.normalize import compact_map, phrase_pattern, words

LATIN_WORD = re.compile(r"^[a-z0-9]")
# Latin phrases this short must also end at a word end ("hk" in "hkd", Vietnamese "con" in "công").
SHORT_LATIN = 3


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    """A Latin letter without its accent (đ→d as Vietnamese people type without marks);
    a decimal digit of any script (၃ ៣ ३ ৩ ๓) as 0-9; anything else unchanged."""
    if ch.isdecimal():
        return str(unicodedata.decimal(ch, ch))
    if ch in "đĐ":
        return "d"
    if "a" <= ch <= "z" or ch < "\u00c0" or ch > "\u1eff":
        return ch
    base = unicodedata.normalize("NFD", ch)[0]
    return base if base.isascii() else ch


def fold(text: str) -> str:
    return "".join(_fold_char(ch) for ch in text)


def tokens(text: str) -> list[str]:
    return [fold(w) for w in words(text)]


def is_latin(term: str) -> bool:
    return bool(LATIN_WORD.match(term))


@lru_cache(maxsize=1)
def _romaniser():
    import icu

    return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")


ROMANISED_LANGS = {"hi", "ne", "bn", "si"}


def romanised(text: str) -> str:
    return _romaniser().transliterate(text)


class PhraseFinder:
    """Find every known phrase in a text (compared without spaces or punctuation)."""

    def __init__(self, phrases: Iterable[str]):
        self.phrases = {p for p in (compact_form(p) for p in phrases) if p}
        trie = phrase_pattern(self.phrases)
        # a lookahead finds overlapping phrases: the longest one starting at each place
        self._pattern = re.compile(f"(?=({trie.pattern}))") if trie else None

    def find(self, text: str) -> list[str]:
        if self._pattern is None:
            return []
        flat, starts = compact_with_starts(text)
        found: list[str] = []
        covered = 0  # end of the last phrase found: a phrase inside it is not counted again
        for match in self._pattern.finditer(flat):
            piece, i = match.group(1), match.start()
            if not piece or piece not in self.phrases or i + len(piece) <= covered:
                continue  # the trie also matches a prefix that is no phrase of its own
            if is_latin(piece):
                end = i + len(piece)
                if i not in starts or (len(piece) <= SHORT_LATIN and end < len(flat) and end not in starts):
                    continue
            found.append(piece)
            covered = i + len(piece)
        return found


def compact_form(text: str) -> str:
    return fold(compact_map(text)[0])


def compact_with_starts(text: str) -> tuple[str, set[int]]:
    """The text without spaces and punctuation, and where its words started (for Latin phrases)."""
    flat, origin, _ = compact_map(text)
    starts = {0} | {i for i in range(1, len(origin)) if origin[i] - origin[i - 1] > 1
                    or is_latin(flat[i]) != is_latin(flat[i - 1])}
    return fold(flat), starts
