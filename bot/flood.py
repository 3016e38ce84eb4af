"""Per-user flood control: a token bucket per user, kept in memory.

A user may send USER_MESSAGES_PER_MINUTE messages a minute, in bursts of half that.
Above it the bot stops answering each message and says so once, kindly; nothing that
matters is lost:
- a distress message is never held back (checked with the engine's distress matcher);
- a user with an open case still reaches the moderators: the message goes through the
  engine as always (the case's relay), only the bot's own replies are left out.
Button presses are not counted: they edit the screen in place and add no message.
The limits live in memory only, so /forget (which deletes the stored data) does not reset
them, and a restart does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum
from typing import Callable

from .engine.model import Event, Reply
from .i18n import N_, translator

T_FLOOD = N_("You are sending many messages quickly. I will wait a little before I answer again. If you are in danger, write it: that message always reaches our team.")

# Buckets at rest (full) are dropped once this many users are tracked: memory stays bounded.
TRACKED_USERS = 10_000


class Verdict(Enum):
    PASS = "pass"    # handle and answer as usual
    QUIET = "quiet"  # handle (a case's relay), but send none of the bot's replies
    HOLD = "hold"    # not handled; at most one notice per stretch of flooding


@dataclass
class _Bucket:
    tokens: float
    at: float
    noticed: bool = False


class FloodGate:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.rate = max(1, per_minute) / 60.0  # tokens per second
        self.burst = max(1, per_minute // 2)
        self.clock = clock
        self.buckets: dict[str, _Bucket] = {}

    def take(self, user_id: str) -> bool:
        """One message; False when the user is over the limit."""
        now = self.clock()
        bucket = self.buckets.get(user_id)
        if bucket is None:
            if len(self.buckets) >= TRACKED_USERS:
                self._drop_full(now)
            bucket = self.buckets[user_id] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.noticed = False  # a new stretch of flooding gets its own notice
            return True
        return False

    def first_notice(self, user_id: str) -> bool:
        """True once per stretch of flooding: the moment to tell the user."""
        bucket = self.buckets.get(user_id)
        if bucket is None or bucket.noticed:
            return False
        bucket.noticed = True
        return True

    def _drop_full(self, now: float) -> None:
        for user_id, b in list(self.buckets.items()):
            if b.tokens + (now - b.at) * self.rate >= self.burst:
                del self.buckets[user_id]

    def decide(self, user_id: str, event: Event, is_distress: Callable[[str], object],
               has_open_case: Callable[[str], object]) -> Verdict:
        if event.kind == "button" or self.take(user_id):
            return Verdict.PASS
        if event.kind == "text" and is_distress(event.value):
            return Verdict.PASS  # never held back
        if has_open_case(user_id):
            return Verdict.QUIET
        return Verdict.HOLD

    def notice(self, user_id: str, lang: str | None) -> list[Reply]:
        if not self.first_notice(user_id):
            return []
        return [Reply(text=translator(lang or "en")(T_FLOOD), kind="notice")]
