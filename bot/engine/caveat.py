"""A visible caveat on a stale number: an emergency, hotline or consular fact whose source
is over three years old, or that nobody compared with its source for a year, is still
shown (a number that may work beats none) but never as a firm number: with its date."""

from __future__ import annotations

import datetime as dt

from ..i18n import N_, Translator
from .loader import UNDATED, staleness
from .model import Fact

# Facts people dial in a bad moment; other topics are flagged for maintainers only.
CAVEAT_TOPICS = ("emergency", "hotline", "consular")
T_STALE_SOURCE = N_("We could not confirm this recently (source from {date}): check before you rely on it.")
T_STALE_CHECKED = N_("We could not confirm this recently (last checked {date}): check before you rely on it.")


def needs_caveat(fact: Fact, today: dt.date | None = None) -> bool:
    return fact.topic in CAVEAT_TOPICS and bool(staleness(fact, today or dt.date.today()))


def stale_caveat(fact: Fact, t: Translator, today: dt.date | None = None) -> str | None:
    """The caveat to show after the fact's text, or None when the fact is current."""
    if not needs_caveat(fact, today):
        return None
    if fact.as_of == UNDATED:
        return t(T_STALE_CHECKED).format(date=t.date(fact.checked))
    return t(T_STALE_SOURCE).format(date=t.date(fact.as_of))
