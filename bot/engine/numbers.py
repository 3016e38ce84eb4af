"""Counts written into a fact's text ("{workers} Nepali workers"), formatted for the reader
like money: 119,768 in English, 119.768 in Vietnamese, 1,19,768 in Hindi.

A fact lists them under `numbers:` (content/README.md); years and law numbers stay plain
in the text, since no locale groups them.
"""

from __future__ import annotations

import re

from ..i18n import Translator
from .model import Problem


def parse_numbers(spec: object, here: str, problems: list[Problem]) -> dict[str, float]:
    """`numbers: {workers: 119768}` -> {"workers": 119768}; a problem for anything else."""
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        problems.append(Problem("error", here, "numbers: must map placeholder names to numbers"))
        return {}
    numbers: dict[str, float] = {}
    for name, value in spec.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(Problem("error", here, f"number '{name}' must be a plain number (119768), got {value!r}"))
            continue
        numbers[str(name)] = value
    return numbers


def number_values(numbers: dict[str, float], t: Translator) -> dict[str, str]:
    """Each placeholder's number in the reader's locale (CLDR grouping and decimal marks)."""
    return {name: t.number(value) for name, value in numbers.items()}



# A number written with group separators (119,768 / 119.768 / 1,19,768 / 120 000), or
# five digits or more without them; four plain digits are a year.
WRITTEN_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:[,.\u00a0\u202f ]\d{2,3})+(?!\d)|(?<![\d.,])\d{5,}(?!\d)")


def misformatted_numbers(text: str, t: Translator) -> list[tuple[str, str]]:
    """Numbers of 1000 or more in a rendered text that are not written the way the
    reader's locale writes them, as (shown, wanted): ("119,768", "119.768") in Vietnamese,
    ("119768", "119,768") in English. Plain 4-digit numbers are years ("2023")."""
    wrong = []
    for match in WRITTEN_NUMBER.finditer(text):
        shown = match[0].rstrip()
        value = int(re.sub(r"\D", "", shown))
        if value >= 1000 and shown != t.number(value):
            wrong.append((shown, t.number(value)))
    return wrong
