"""Screen placeholders that must read well in every language.

A country name cannot be pasted into a sentence: Bengali, Sinhala and Hindi need a case
form of it that no catalog supplies, and "Other / not sure" reads as nonsense in a sentence.
So a screen shows the route as a line of its own ("Nepal → Qatar", `{route}`) and its
sentences say "your country". A sentence the reader must say to someone who does not read
their language (`{say_to_police}`) is shown in their language and then in English,
from the source text, so that no catalog can lose the English.
"""

from __future__ import annotations

from ..i18n import N_, SOURCE_LANGUAGE, Translator
from ..store import State

ROUTE = "route"
ARROW, UNKNOWN_END = "→", "…"
# What a victim of a scam compound should say to the police abroad.
SAY_TO_POLICE = N_("I came for a fake job. I was held and forced to work. I want to talk to my embassy.")
T_IN_ENGLISH = N_("In English:")


def route_line(state: State, t: Translator) -> str:
    """'Nepal → Qatar'; an unknown end is '…'; empty when both are unknown (the line is
    then left out, see drop_empty_route)."""
    names = [t.country(code) if code and code != "other" else "" for code in (state.origin, state.destination)]
    if not any(names):
        return ""
    return f"{names[0] or UNKNOWN_END} {ARROW} {names[1] or UNKNOWN_END}"


def drop_empty_route(template: str, route: str) -> str:
    """Without a route, the `{route}` line goes, rather than an empty line or a guess."""
    if route:
        return template
    return "\n".join(line for line in template.split("\n") if line.strip() != "{" + ROUTE + "}")


def say_in_both(sentence: str, t: Translator) -> str:
    """The sentence in quotes in the reader's language, then the English on its own line."""
    said = f'"{t(sentence)}"'
    if t.lang == SOURCE_LANGUAGE:
        return said
    return f'{said}\n{t(T_IN_ENGLISH)} "{sentence}"'


def sentence_values(state: State, t: Translator) -> dict[str, str]:
    return {ROUTE: route_line(state, t), "say_to_police": say_in_both(SAY_TO_POLICE, t)}
