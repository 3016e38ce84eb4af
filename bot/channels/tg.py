"""Small Telegram helpers shared by the channel, the moderators' side, the outbox and the
web server, so none of those has to import another: keyboards, media kinds, RetryAfter,
hashed chat references for logs, the token check, the update kinds we ask for, and
cutting a text to Telegram's length limit."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import RetryAfter
from telegram.ext import filters

from ..engine import Reply
from ..limits import HASHED_CHATS_CACHED

TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")

MEDIA_KINDS = (("sticker", filters.Sticker.ALL), ("photo", filters.PHOTO), ("voice", filters.VOICE),
               ("video", filters.VIDEO), ("document", filters.Document.ALL), ("location", filters.LOCATION),
               ("contact", filters.CONTACT), ("audio", filters.AUDIO), ("video_note", filters.VIDEO_NOTE))


def retry_after_seconds(exc: RetryAfter) -> float:
    """RetryAfter's wait in seconds (python-telegram-bot 22 moves it from int to timedelta)."""
    wait = exc.retry_after
    return wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)


def token_looks_valid(token: str | None) -> bool:
    return bool(token and TOKEN_RE.match(token))


@functools.lru_cache(maxsize=HASHED_CHATS_CACHED)
def chat_ref(chat_id: int, secret: str) -> str:
    """A stable, non-reversible id for logs (keyed by the bot token)."""
    return hmac.new(secret.encode(), str(chat_id).encode(), hashlib.sha256).hexdigest()[:10]


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                                 for row in reply.buttons])


def media_kind(update: Update) -> str:
    message = update.effective_message
    for kind, flt in MEDIA_KINDS:
        if message is not None and flt.check_update(update):
            return kind
    return "other"


def allowed_updates() -> list[str]:
    return [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER, Update.CHANNEL_POST]


def utf16_len(text: str) -> int:
    """Telegram measures texts in UTF-16 code units (an emoji can count two)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, size: int) -> list[str]:
    """Pieces of at most `size` UTF-16 units, cut at a line break or space near the end when
    there is one. Nothing is lost: the pieces joined with the break they were cut at are the text."""
    pieces: list[str] = []
    while utf16_len(text) > size:
        units, end = 0, 0
        for end, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > size:
                break
        cut = max(text.rfind("\n", end * 4 // 5, end), text.rfind(" ", end * 4 // 5, end))
        if cut > 0:
            pieces.append(text[:cut])
            text = text[cut + 1:]  # the break itself is where the message ends
        else:
            pieces.append(text[:end])
            text = text[end:]
    pieces.append(text)
    return pieces
