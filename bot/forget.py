"""/forget everywhere: the user's texts and identity leave the database and the moderators'
topics, while the moderators are told what happened.

Each of the user's cases keeps only a shell (number, route, times, topic) so the channel
can still erase the copies in the topic, post the note and close the topic (queued in the
durable outbox like any relay); shells are purged with the closed cases (retention).

An open URGENT case is not closed: someone may have been forced to erase their data. It
stays open with no texts and no identity, and keeps its chat address only, so the
moderators can still write to the person while Telegram allows it.
"""

from __future__ import annotations

from . import cases
from .store import Store, now

FORGOTTEN = "forgotten"  # closed_by of a case whose user used /forget
ERASED = "[erased]"  # what an old copy in a topic says instead of the user's words

NOTE_ERASED = "🧹 The user erased their data (/forget). Their messages in this topic were deleted, or replaced by [erased] where Telegram no longer allows deleting."
NOTE_CLOSED = "This case is closed. Nothing more can be sent to this person."
NOTE_URGENT_OPEN = ("This URGENT case stays open: someone may have been made to erase their data. "
                    "You can still write here; it reaches the person's chat while Telegram allows it.")
TOLD_GONE = "The user erased their data (/forget): this message was not sent. Nothing more can reach them from this case."


def forget_user(store: Store, user_id: str) -> None:
    """Erase a user everywhere; the topics are cleaned up by the outbox afterwards."""
    with store.transaction():
        for case in list(store.db["cases"].rows_where("user_id = ?", [user_id], order_by="id")):
            _erase_case(store, case)
    store.forget(user_id)  # profile, session, chat ids; then the WAL is checkpointed


def _erase_case(store: Store, case: dict) -> None:
    keep_open = case["status"] != "closed" and case["priority"] == cases.URGENT
    store.db.execute("DELETE FROM case_messages WHERE case_id = ?", [case["id"]])
    # Relays to the moderators not yet sent carry the user's words: they never go out now
    # (an urgent case's topic and header still do, without the first message).
    store.db.execute("DELETE FROM outbox WHERE case_id = ? AND direction = ? AND status = 'pending' "
                     "AND kind NOT IN ('topic', 'header')", [case["id"], cases.TO_MODERATORS])
    store.db.execute("UPDATE outbox SET payload = '{}' WHERE case_id = ? AND (status != 'pending' OR kind = 'header')",
                     [case["id"]])
    fields: dict = {"user_id": None, "context": None, "claimed_by": None}
    if not keep_open:
        fields |= {"address": None}
        if case["status"] != "closed":
            fields |= {"status": "closed", "closed_by": FORGOTTEN}
        fields |= {"closed_at": now()}  # the shell lives until the topic is cleaned up, then retention
        store.db.execute("DELETE FROM outbox WHERE case_id = ? AND status = 'pending'", [case["id"]])
    store.update_case(case["id"], **fields)
    if not keep_open and not case.get("moderator_chat_id") and not store.db.execute(
            "SELECT 1 FROM outbox WHERE case_id = ? AND status = 'sent' LIMIT 1", [case["id"]]).fetchone():
        store.delete_cases([case["id"]])  # nothing ever reached the moderators: no shell needed
        return
    priority = cases.PRIORITY[case["priority"]]
    key = f"case:{case['id']}:forget"
    store.enqueue(f"{key}:erase", case["id"], cases.TO_MODERATORS, "erase", {}, priority)
    note = NOTE_ERASED + "\n" + (NOTE_URGENT_OPEN if keep_open else NOTE_CLOSED)
    store.enqueue(f"{key}:note", case["id"], cases.TO_MODERATORS, "note", {"text": note}, priority)
    if not keep_open:
        store.enqueue(f"{key}:close_topic", case["id"], cases.TO_MODERATORS, "close_topic", {}, priority)


def is_forgotten(case: dict) -> bool:
    return case.get("user_id") is None
