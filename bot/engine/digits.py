"""Numbers in a translation must be the numbers of its source text: a phone number, an
amount or a year that changes in translation is a wrong fact, fuzzy entry or not.
Native digits (Burmese, Khmer, Devanagari, Bengali, Thai, Lao) count as the same digits."""

from __future__ import annotations

import re
from collections import Counter

NATIVE_ZEROS = "\u1040\u17e0\u0966\u09e6\u0e50\u0ed0"  # ၀ ០ ० ০ ๐ ໐
TO_ASCII = str.maketrans({chr(ord(zero) + i): str(i) for zero in NATIVE_ZEROS for i in range(10)})
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# A number as people write it: digits with thousands separators or a decimal point inside.
NUMBER = re.compile(r"\d+(?:[.,\u066c\u00a0 ]\d{3})*(?:[.,]\d+)?")


def ascii_digits(text: str) -> str:
    return text.translate(TO_ASCII)


def numbers(text: str) -> Counter[str]:
    """The digit sequences of a text (placeholders left out; separators ignored)."""
    plain = PLACEHOLDER.sub(" ", ascii_digits(text))
    return Counter(re.sub(r"\D", "", m.group()) for m in NUMBER.finditer(plain))


def digits_differ(source: str, translation: str) -> str | None:
    """What is wrong with the translation's numbers, or None.

    Every number of the source must be in the translation (as often). A translation may
    repeat one of them, or add a small number (1-2 digits: a month or day written as a
    number), never a new 3+ digit one (a phone number, an amount, a year)."""
    want, have = numbers(source), numbers(translation)
    missing = want - have
    extra = [n for n in set(have) - set(want) if len(n.lstrip("0") or "0") >= 3  # repeats are fine
             and not any(w.startswith(n) and not w[len(n):].strip("0") for w in want)]  # "120 ribu" = 120,000
    if not missing and not extra:
        return None
    parts = []
    if missing:
        parts.append(f"missing {', '.join(sorted(missing))}")
    if extra:
        parts.append(f"has {', '.join(sorted(extra))} that the source does not")
    return "; ".join(parts)
