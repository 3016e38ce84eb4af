"""Web and e-mail addresses in a text, and the ones glued to what follows them.

Telegram links an address only up to where it ends; a letter, case ending or script
punctuation right after it ("gov.my-এ", "feb.gov.np।", "dmw.gov.ph၊") is read as part of
the address or stops the link, so a reader taps a broken link. A space must follow.
"""

from __future__ import annotations

import re

# An address: optional scheme or "name@", dotted labels, a lower-case top-level domain
# (two letters, or a generic one), then an optional ASCII path.
ADDRESS = re.compile(
    r"(?<![A-Za-z0-9@._%+-])(?:https?://)?(?:[A-Za-z0-9._%+-]+@)?"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+(?P<tld>[a-z]{2,})(?![A-Za-z0-9])"
    r"(?:/[A-Za-z0-9._~%/?#=&+:@-]*)?")
GENERIC_TLDS = {"com", "org", "net", "gov", "edu", "int", "info", "asia", "io"}
# What may follow an address directly: an ASCII closing bracket or quote (the link ends
# there, whatever comes next), or ASCII punctuation followed by a space or the end.
_CLOSING = set(")]}'\"")
_PUNCTUATION = set(".,;:!?")


def addresses(text: str) -> list[re.Match]:
    return [m for m in ADDRESS.finditer(text)
            if len(m["tld"]) == 2 or m["tld"] in GENERIC_TLDS or m[0].startswith(("http", "www."))]


def glued_at(text: str) -> list[int]:
    """Where an address ends with something other than a space after it."""
    found = []
    for match in addresses(text):
        end = i = match.end()
        while i < len(text) and text[i] in _PUNCTUATION:
            i += 1
        if i < len(text) and not text[i].isspace() and text[i] not in _CLOSING:
            found.append(end)
    return found


def glued(text: str) -> list[str]:
    """The glued spots, each as the address and what follows it ("feb.gov.np।")."""
    ends = set(glued_at(text))
    return [text[m.start():m.end() + 3] for m in addresses(text) if m.end() in ends]
