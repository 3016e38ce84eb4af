"""Ids and send times (never texts) of messages the bot may have to delete later.

- relayed copies: the bot's messages in a moderators' topic that carry a user's words or
  context (the header, relayed texts, copied media), erased when the user uses /forget;
- chat messages: a private chat's messages, both ways, for "Clear this chat"; Telegram lets
  a bot delete them only within DELETE_WINDOW_SECONDS, so older ids are purged.
"""

from __future__ import annotations

from .limits import DELETE_WINDOW_SECONDS
from .store import Store


def record_copy(store: Store, case_id: int, chat_id: int, message_id: int, sent_at: float, kind: str) -> None:
    """kind "text" (can be edited to "[erased]" later) or "media" (can only be deleted)."""
    store.db["relayed_copies"].insert({"chat_id": chat_id, "message_id": message_id, "case_id": case_id,
                                       "sent_at": sent_at, "kind": kind}, pk=("chat_id", "message_id"), replace=True)


def copies_of(store: Store, case_id: int) -> list[dict]:
    return list(store.db["relayed_copies"].rows_where("case_id = ?", [case_id], order_by="message_id"))


def drop_copy(store: Store, chat_id: int, message_id: int) -> None:
    store.db.execute("DELETE FROM relayed_copies WHERE chat_id = ? AND message_id = ?", [chat_id, message_id])


def record_chat_message(store: Store, user_id: str, message_id: int, sent_at: float) -> None:
    # plain SQL: sqlite-utils' insert reads the schema each time (once per message here)
    store.db.execute("INSERT OR REPLACE INTO chat_messages (user_id, message_id, sent_at) VALUES (?, ?, ?)",
                     [user_id, message_id, sent_at])


def chat_messages(store: Store, user_id: str) -> list[dict]:
    return list(store.db["chat_messages"].rows_where("user_id = ?", [user_id], order_by="message_id"))


def drop_chat_messages(store: Store, user_id: str, message_ids: list[int]) -> None:
    with store.transaction():
        for message_id in message_ids:
            store.db.execute("DELETE FROM chat_messages WHERE user_id = ? AND message_id = ?", [user_id, message_id])


def purge_old_chat_messages(store: Store, now: float) -> int:
    """Ids Telegram no longer lets the bot delete are of no use: drop them."""
    cursor = store.db.execute("DELETE FROM chat_messages WHERE sent_at < ?", [now - DELETE_WINDOW_SECONDS])
    return cursor.rowcount
