"""Telegram ids at rest: keyed hashes, so a leaked database does not say who wrote.

A user's row is keyed by `tgh:<HMAC-SHA256(key, chat id)>`. The raw chat id is kept only
where a message must still be sent (a case's `address`, while the case needs it) and is
erased with it. The key is `SAFEBOT_SECRET_KEY`, or a random key generated once and kept
beside the database file (`<db>.key`, mode 0600): without the key the hashes cannot be
checked against a list of known ids.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from .store import Store

PREFIX = "tgh:"
LEGACY_PREFIX = "tg:"  # rows written before ids were hashed: "tg:<chat id>"


def key_path(db_path: str) -> Path:
    return Path(f"{db_path}.key")


def load_key(db_path: str, configured: str | None = None) -> bytes:
    """The configured key, else the one kept beside the database (made on first use)."""
    if configured:
        return configured.encode()
    if db_path == ":memory:":
        return secrets.token_bytes(32)  # nothing is kept: nothing to match later
    path = key_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip().encode()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode()


def user_id(key: bytes, chat_id: int) -> str:
    return PREFIX + hmac.new(key, str(chat_id).encode(), hashlib.sha256).hexdigest()[:32]


def rehash_legacy_ids(store: Store, key: bytes) -> int:
    """Turn rows keyed by a raw Telegram id into hashed ones (once, at start).

    Open cases (and closed ones with a message still to deliver) get the raw id as their
    address, since a reply must reach the user; nothing else keeps it."""
    legacy = [r[0] for r in store.db.execute("SELECT id FROM users WHERE id LIKE 'tg:%'")
              if r[0].removeprefix(LEGACY_PREFIX).lstrip("-").isdigit()]
    if not legacy:
        return 0
    with store.transaction():
        store.db.execute("PRAGMA defer_foreign_keys = ON")  # the key changes in three tables at once
        for old in legacy:
            raw = old.removeprefix(LEGACY_PREFIX)
            new = user_id(key, int(raw))
            store.db.execute(
                "UPDATE cases SET address = ? WHERE user_id = ? AND (status != 'closed' OR id IN "
                "(SELECT case_id FROM outbox WHERE direction = 'to_user' AND status = 'pending'))", [raw, old])
            store.db.execute("UPDATE users SET id = ? WHERE id = ?", [new, old])
            for table, column in (("sessions", "user_id"), ("cases", "user_id"), ("chat_messages", "user_id")):
                store.db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", [new, old])
    store.checkpoint()
    return len(legacy)
