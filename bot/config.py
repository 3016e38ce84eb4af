"""Settings from the environment (and a .env file in the working directory), as named in
the design's contract. Nothing else reads os.environ."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_BASE = "https://api.telegram.org/bot"


def load_dotenv(path: Path = Path(".env")) -> None:
    """KEY=VALUE lines; the real environment wins over the file."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@dataclass
class Settings:
    token: str | None = None
    api_base_url: str = DEFAULT_API_BASE
    moderator_chat_id: int | None = None
    moderator_chats_by_lang: dict[str, int] = field(default_factory=dict)
    db_path: str = "data/safebot.db"
    retention_days: int = 30  # closed cases and their texts are purged after this
    secret_key: str | None = None  # for hashing Telegram ids at rest (else a key file beside the DB)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    port: int = 8080
    rate_limit: bool = True
    urgent_reminder_minutes: int = 10
    cases_per_user_per_day: int = 3
    user_messages_per_minute: int = 20  # per-user flood limit (bot/flood.py), bursts of half that
    metrics_token: str | None = None  # when set, /metrics needs "Authorization: Bearer <token>"
    checkin_seconds: int | None = None  # SAFEBOT_CHECKIN_SECONDS: tests and demonstrations only

    @classmethod
    def from_env(cls) -> "Settings":
        load_dotenv()
        env = os.environ
        by_lang = {key.removeprefix("MODERATOR_CHAT_ID_").lower(): int(v)
                   for key, v in env.items() if key.startswith("MODERATOR_CHAT_ID_") and _int_or_none(v) is not None}
        return cls(
            token=env.get("TELEGRAM_BOT_TOKEN") or None,
            api_base_url=env.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE,
            moderator_chat_id=_int_or_none(env.get("MODERATOR_CHAT_ID")),
            moderator_chats_by_lang=by_lang,
            db_path=env.get("SAFEBOT_DB") or "data/safebot.db",
            retention_days=_int_or_none(env.get("RETENTION_DAYS")) or 30,
            secret_key=env.get("SAFEBOT_SECRET_KEY") or None,
            webhook_url=env.get("WEBHOOK_URL") or None,
            webhook_secret=env.get("WEBHOOK_SECRET") or None,
            port=_int_or_none(env.get("PORT")) or 8080,
            rate_limit=(env.get("SAFEBOT_RATE_LIMIT") or "on").lower() != "off",
            urgent_reminder_minutes=_int_or_none(env.get("URGENT_REMINDER_MINUTES")) or 10,
            cases_per_user_per_day=_int_or_none(env.get("CASES_PER_USER_PER_DAY")) or 3,
            user_messages_per_minute=_int_or_none(env.get("USER_MESSAGES_PER_MINUTE")) or 20,
            metrics_token=env.get("METRICS_TOKEN") or None,
            checkin_seconds=_int_or_none(env.get("SAFEBOT_CHECKIN_SECONDS")),
        )
