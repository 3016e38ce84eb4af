"""SQLite storage (sqlite-utils): users' profiles, their place in the dialog, cases.

The schema is created and migrated by code (MIGRATIONS, applied in order, the version kept
in the `meta` table). `secure_delete` is on from the first byte so that /forget really
removes a user's data from the file, and WAL keeps readers and the writer apart.
Menu use stores no message text: only ids of screens, the profile and the language.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import sqlite_utils

from .limits import HISTORY_LENGTH


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class State:
    """One user's profile and place in the dialog."""

    user_id: str
    lang: str | None = None
    role: str | None = None  # "self" or "family"
    origin: str | None = None
    destination: str | None = None
    screen: str | None = None
    history: list[str] = field(default_factory=list)
    pending: str | None = None  # what the next free text answers, e.g. "scan"
    data: dict[str, Any] = field(default_factory=dict)  # e.g. scam-check answers
    is_new: bool = True

    def visit(self, screen: str) -> None:
        self.screen = screen
        if not self.history or self.history[-1] != screen:
            self.history = (self.history + [screen])[-HISTORY_LENGTH:]


class _Connection(sqlite3.Connection):
    """sqlite-utils wraps each write in `with conn:`, which commits. Inside
    Store.transaction() that would commit half of a unit of work, so it waits for the
    outer transaction instead."""

    depth = 0

    def __exit__(self, exc_type, exc, tb):
        if self.depth:
            return False
        return super().__exit__(exc_type, exc, tb)


def _v1(db: sqlite_utils.Database) -> None:
    db["users"].create(
        {"id": str, "lang": str, "role": str, "origin": str, "destination": str,
         "created_at": str, "seen_at": str, "active": int},
        pk="id",
    )
    db["sessions"].create(
        {"user_id": str, "screen": str, "history": str, "pending": str, "data": str, "updated_at": str},
        pk="user_id", foreign_keys=[("user_id", "users", "id")],
    )
    db["cases"].create(
        {"id": int, "user_id": str, "status": str, "priority": str, "reason": str,
         "lang": str, "role": str, "origin": str, "destination": str, "context": str,
         "opened_at": str, "closed_at": str, "claimed_by": str, "first_response_at": str,
         "moderator_chat_id": int, "topic_id": int},
        pk="id", foreign_keys=[("user_id", "users", "id")],
    )
    db["cases"].create_index(["user_id", "status"])
    db["case_messages"].create(
        {"id": int, "case_id": int, "direction": str, "kind": str, "body": str, "created_at": str},
        pk="id", foreign_keys=[("case_id", "cases", "id")],
    )
    db["case_messages"].create_index(["case_id"])


def _v2(db: sqlite_utils.Database) -> None:
    """Moderators: the durable outbox, links from moderators' messages to cases, case fields."""
    db["outbox"].create(
        {"id": int, "key": str, "case_id": int, "direction": str, "kind": str, "payload": str,
         "priority": int, "status": str, "attempts": int, "next_try_at": float, "last_error": str,
         "created_at": str, "sent_at": str},
        pk="id", foreign_keys=[("case_id", "cases", "id")],
    )
    db["outbox"].create_index(["key"], unique=True)
    db["outbox"].create_index(["status", "direction", "priority", "next_try_at"])
    db["case_links"].create({"chat_id": int, "message_id": int, "case_id": int}, pk=("chat_id", "message_id"),
                            foreign_keys=[("case_id", "cases", "id")])
    for column, kind in (("header_message_id", int), ("reminded_at", str), ("helpful", str),
                         ("closed_by", str), ("last_user_message_at", str)):
        db["cases"].add_column(column, kind)


def _v3_checkins(db: sqlite_utils.Database) -> None:
    """Safety check-ins (bot/checkins_store.py): plans, links to trusted people, invitations
    (only a hash of each code) and messages waiting to be sent to someone else."""
    db["checkin_plans"].create(
        {"user_id": str, "name": str, "interval_s": int, "grace_s": int, "pause_s": int, "status": str,
         "next_due_at": float, "waiting_since": float, "deadline_at": float, "missed": int,
         "last_ok_at": float, "undelivered": int, "duress_hash": str, "ok_label": str, "help_label": str,
         "created_at": float},
        pk="user_id",
    )
    db["checkin_plans"].create_index(["status", "next_due_at"])
    db["checkin_links"].create(
        {"id": int, "plan_user_id": str, "person_user_id": str, "person_name": str, "created_at": float}, pk="id")
    db["checkin_links"].create_index(["plan_user_id", "person_user_id"], unique=True)
    db["checkin_links"].create_index(["person_user_id"])
    db["checkin_invites"].create({"code_hash": str, "plan_user_id": str, "expires_at": float}, pk="code_hash")
    db["checkin_outgoing"].create(
        {"id": int, "user_id": str, "kind": str, "text": str, "buttons": str, "created_at": float}, pk="id")
    db["checkin_outgoing"].create_index(["user_id"])


# Forward migrations, in order. Never edit a released one: append a new function.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3_checkins]


class Store:
    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, factory=_Connection)
        # secure_delete must be set before any page is written so no deleted byte survives.
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        if self.path != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
        self.db = sqlite_utils.Database(conn)
        self.migrate()

    @contextmanager
    def transaction(self):
        """All writes inside happen together or not at all (nested use joins the outer one)."""
        conn: _Connection = self.db.conn  # type: ignore[assignment]
        if conn.depth == 0:
            conn.execute("BEGIN IMMEDIATE")
        conn.depth += 1
        try:
            yield
        except BaseException:
            conn.depth -= 1
            if conn.depth == 0:
                conn.execute("ROLLBACK")
            raise
        conn.depth -= 1
        if conn.depth == 0:
            conn.execute("COMMIT")

    # schema ---------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        if "meta" not in self.db.table_names():
            return 0
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def migrate(self) -> None:
        if "meta" not in self.db.table_names():
            self.db["meta"].create({"key": str, "value": str}, pk="key")
        version = self.schema_version
        for number, step in enumerate(MIGRATIONS, start=1):
            if number <= version:
                continue
            with self.transaction():
                step(self.db)
                self.db["meta"].upsert({"key": "schema_version", "value": str(number)}, pk="key")

    def ping(self) -> bool:
        try:
            return self.db.execute("SELECT 1").fetchone() == (1,)
        except sqlite3.Error:
            return False

    # users and sessions ---------------------------------------------------------------
    def load(self, user_id: str) -> State:
        user = self._get("users", user_id)
        if user is None:
            return State(user_id=user_id)
        session = self._get("sessions", user_id) or {}
        return State(
            user_id=user_id, lang=user["lang"], role=user["role"], origin=user["origin"],
            destination=user["destination"], screen=session.get("screen"),
            history=json.loads(session.get("history") or "[]"), pending=session.get("pending"),
            data=json.loads(session.get("data") or "{}"), is_new=False,
        )

    def save(self, state: State) -> None:
        stamp = now()
        with self.transaction():
            users = self.db["users"]
            profile = {"lang": state.lang, "role": state.role, "origin": state.origin,
                       "destination": state.destination, "seen_at": stamp, "active": 1}
            if state.is_new:
                users.insert({"id": state.user_id, "created_at": stamp, **profile}, pk="id", replace=True)
            else:
                users.update(state.user_id, profile)
            self.db["sessions"].upsert(
                {"user_id": state.user_id, "screen": state.screen, "history": json.dumps(state.history),
                 "pending": state.pending, "data": json.dumps(state.data, ensure_ascii=False),
                 "updated_at": stamp},
                pk="user_id",
            )
        state.is_new = False

    def set_active(self, user_id: str, active: bool) -> None:
        if self._get("users", user_id) is not None:
            self.db["users"].update(user_id, {"active": int(active)})

    def forget(self, user_id: str) -> None:
        """Erase everything about a user. secure_delete zeroes the freed pages; the WAL is
        checkpointed and truncated so no copy of the old pages stays in the -wal file."""
        with self.transaction():
            self._delete_cases([r[0] for r in self.db.execute("SELECT id FROM cases WHERE user_id = ?", [user_id])])
            self.db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])
            self.db.execute("DELETE FROM users WHERE id = ?", [user_id])
        if self.path != ":memory:":
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # cases ----------------------------------------------------------------------------
    def open_case_for(self, user_id: str) -> dict | None:
        rows = list(self.db["cases"].rows_where("user_id = ? AND status != 'closed'", [user_id],
                                                order_by="id desc", limit=1))
        return rows[0] if rows else None

    def insert_case(self, record: dict) -> dict:
        record = {**record, "opened_at": now()}
        with self.transaction():
            case_id = self.db["cases"].insert(record).last_pk
        return self.case(case_id)

    def update_case(self, case_id: int, **fields: Any) -> None:
        self.db["cases"].update(case_id, fields)

    def case(self, case_id: int) -> dict | None:
        return self._get("cases", case_id)

    def add_case_message(self, case_id: int, direction: str, kind: str, body: str | None) -> int:
        with self.transaction():
            return self.db["case_messages"].insert(
                {"case_id": case_id, "direction": direction, "kind": kind, "body": body, "created_at": now()}
            ).last_pk

    def case_messages(self, case_id: int) -> list[dict]:
        return list(self.db["case_messages"].rows_where("case_id = ?", [case_id], order_by="id"))

    def count_open_cases(self) -> int:
        return self.db.execute("SELECT count(*) FROM cases WHERE status != 'closed'").fetchone()[0]

    def open_cases(self) -> list[dict]:
        """Open cases, urgent first, then oldest first."""
        return list(self.db["cases"].rows_where("status != 'closed'",
                                                order_by="priority = 'urgent' desc, opened_at asc, id asc"))

    def user_chat(self, user_id: str) -> dict | None:
        return self._get("users", user_id)

    # outbox ---------------------------------------------------------------------------
    def enqueue(self, key: str, case_id: int, direction: str, kind: str, payload: dict, priority: int) -> None:
        """Add a relay to the durable outbox; the idempotency key makes a repeat a no-op."""
        self.db["outbox"].insert(
            {"key": key, "case_id": case_id, "direction": direction, "kind": kind,
             "payload": json.dumps(payload, ensure_ascii=False), "priority": priority, "status": "pending",
             "attempts": 0, "next_try_at": 0.0, "created_at": now()},
            ignore=True,
        )

    def due(self, direction: str, at: float, limit: int = 50) -> list[dict]:
        return list(self.db["outbox"].rows_where(
            "status = 'pending' AND direction = ? AND next_try_at <= ?", [direction, at],
            order_by="priority asc, id asc", limit=limit))

    def pending_before(self, item: dict) -> bool:
        """Is an older item of the same case and direction still waiting? (keeps order per case)"""
        return self.db.execute(
            "SELECT 1 FROM outbox WHERE case_id = ? AND direction = ? AND status = 'pending' AND id < ? LIMIT 1",
            [item["case_id"], item["direction"], item["id"]]).fetchone() is not None

    def mark_sent(self, item_id: int) -> None:
        # The text is not needed any more once delivered: keep only the bookkeeping.
        self.db["outbox"].update(item_id, {"status": "sent", "sent_at": now(), "payload": "{}"})

    def retry_later(self, item_id: int, at: float, error: str, count_attempt: bool = True) -> None:
        row = self.db["outbox"].get(item_id)
        self.db["outbox"].update(item_id, {"next_try_at": at, "last_error": error[:200],
                                           "attempts": row["attempts"] + (1 if count_attempt else 0)})

    def mark_failed(self, item_id: int, error: str) -> None:
        self.db["outbox"].update(item_id, {"status": "failed", "last_error": error[:200], "payload": "{}"})

    def backlog(self, direction: str | None = None) -> int:
        where, args = ("status = 'pending'", [])
        if direction:
            where, args = where + " AND direction = ?", [direction]
        return self.db.execute(f"SELECT count(*) FROM outbox WHERE {where}", args).fetchone()[0]

    def link(self, chat_id: int, message_id: int, case_id: int) -> None:
        self.db["case_links"].insert({"chat_id": chat_id, "message_id": message_id, "case_id": case_id},
                                     pk=("chat_id", "message_id"), replace=True)

    def linked_case(self, chat_id: int, message_id: int) -> int | None:
        row = self.db.execute("SELECT case_id FROM case_links WHERE chat_id = ? AND message_id = ?",
                              [chat_id, message_id]).fetchone()
        return row[0] if row else None

    def case_by_topic(self, chat_id: int, topic_id: int) -> dict | None:
        rows = list(self.db["cases"].rows_where("moderator_chat_id = ? AND topic_id = ?", [chat_id, topic_id],
                                                order_by="id desc", limit=1))
        return rows[0] if rows else None

    def purge_closed(self, before_iso: str) -> int:
        """Delete closed cases (and their messages) closed before the given time."""
        ids = [r[0] for r in self.db.execute("SELECT id FROM cases WHERE status = 'closed' AND closed_at < ?", [before_iso])]
        with self.transaction():
            self._delete_cases(ids)
        return len(ids)

    def _delete_cases(self, case_ids: list[int]) -> None:
        """Cases and everything that hangs off them (messages, relays, message links)."""
        for case_id in case_ids:
            for table in ("case_messages", "outbox", "case_links"):
                self.db.execute(f"DELETE FROM {table} WHERE case_id = ?", [case_id])
            self.db.execute("DELETE FROM cases WHERE id = ?", [case_id])

    # helpers --------------------------------------------------------------------------
    def _get(self, table: str, pk: Any) -> dict | None:
        try:
            return self.db[table].get(pk)
        except sqlite_utils.db.NotFoundError:
            return None

    def close(self) -> None:
        self.db.conn.close()
