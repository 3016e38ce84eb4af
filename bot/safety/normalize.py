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


def normalize(text: str) -> str:
    """Text as typed → comparable text (Unicode Burmese, NFKC, no zero-width, casefolded)."""
    text = to_unicode_burmese(text)
    text = unicodedata.normalize("NFKC", text).translate(ZERO_WIDTH)
    return SPACE.sub(" ", text.casefold()).strip()


def compact(text: str) -> str:
    """normalize() without spaces or punctuation: the form phrases are matched in."""
    return "".join(ch for ch in normalize(text) if unicodedata.category(ch)[0] in _KEEP)


_KEEP = frozenset("LMN")  # letters, marks (vowel signs), numbers
