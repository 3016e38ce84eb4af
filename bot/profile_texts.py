"""The bot's profile on Telegram in every language: its descriptions and the command menu.

Here, not in channels.telegram, so that `safebot content check` (core, no telegram import)
can hold every translation of them to Telegram's limits (limits.py).
"""

from __future__ import annotations

from .i18n import N_

DESCRIPTION = N_("Free advice on safe work abroad, in your language: legal ways to go, real costs, your rights, and the warning signs of fake job offers. If you are in danger, write to us: a person from a help organisation will answer.")
SHORT_DESCRIPTION = N_("Safe work abroad: legal ways, costs, your rights, fake job warnings. A person can help.")
COMMANDS = {
    "start": N_("Start"),
    "menu": N_("Main menu"),
    "language": N_("Change language"),
    "human": N_("Talk to a person"),
    "checkin": N_("Safety check-ins"),
    "help": N_("Help"),
    "forget": N_("Delete my data"),
    "clear": N_("Clear this chat"),
    "privacy": N_("Privacy and your data"),
}


def utf16_length(text: str) -> int:
    """Telegram counts these lengths in UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2
