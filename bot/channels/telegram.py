"""Telegram channel (python-telegram-bot 22). Texts the bot sets on Telegram itself."""

from ..i18n import N_

DESCRIPTION = N_("Free advice on safe work abroad, in your language: legal ways to go, real costs, your rights, and the warning signs of fake job offers. If you are in danger, write to us: a person from a help organisation will answer.")
SHORT_DESCRIPTION = N_("Safe work abroad: legal ways, real costs, your rights, fake job warnings. A person helps when needed.")
COMMANDS = {
    "start": N_("Start"),
    "menu": N_("Main menu"),
    "language": N_("Change language"),
    "human": N_("Talk to a person"),
    "help": N_("Help"),
    "forget": N_("Delete my data"),
}
