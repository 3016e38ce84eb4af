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

from .limits import HISTORY_LENGTH, SQLITE_BUSY_MS


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


def _v3_outbox_fairness_and_copies(db: sqlite_utils.Database) -> None:
    """Outbox: each case's oldest pending item found fast; relayed copies (for edits)."""
    db["outbox"].create_index(["case_id", "direction", "status", "id"])
    db["relay_copies"].create(
        {"case_id": int, "direction": str, "source_chat_id": int, "source_message_id": int,
         "copy_chat_id": int, "copy_message_id": int, "created_at": str},
        pk=("copy_chat_id", "copy_message_id"), foreign_keys=[("case_id", "cases", "id")])
    db["relay_copies"].create_index(["source_chat_id", "source_message_id"])



def _v4_privacy(db: sqlite_utils.Database) -> None:
    """Privacy: case numbers that never repeat (a counter in meta, so a deleted case's
    number is not given again), the chat address kept on a case only while messages must
    reach the user, ids (never texts) of the bot's copies in moderators' topics (to erase
    them on /forget) and of the messages of a private chat (for "Clear this chat")."""
    last = db.execute("SELECT coalesce(max(id), 0) FROM cases").fetchone()[0]
    db["meta"].upsert({"key": "last_case_number", "value": str(last)}, pk="key")
    db["cases"].add_column("address", str)
    db["relayed_copies"].create({"chat_id": int, "message_id": int, "case_id": int, "sent_at": float, "kind": str},
                                pk=("chat_id", "message_id"), foreign_keys=[("case_id", "cases", "id")])
    db["relayed_copies"].create_index(["case_id"])
    db["chat_messages"].create({"user_id": str, "message_id": int, "sent_at": float}, pk=("user_id", "message_id"))




def _v5_inbox(db: sqlite_utils.Database) -> None:
    """The durable inbox: Telegram updates written down before they are acknowledged.
    Keyed by Telegram's update_id so a resent update is recognised. Once handled, the body
    and chat are cleared at once; the bare id stays a day (Telegram's own window) as a
    tombstone, so a late resend is not handled twice."""
    db["inbox"].create({"update_id": int, "chat": str, "body": str, "received_at": float, "done_at": float},
                       pk="update_id")
    db["inbox"].create_index(["done_at", "update_id"])


# Forward migrations, in order. Never edit a released one: append a new function.


def _v6_checkins(db: sqlite_utils.Database) -> None:
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
    # Where to reach each person (a raw chat id), kept only while the plan or link exists:
    # users are known by keyed hashes elsewhere (bot/idhash.py).
    db["checkin_plans"].add_column("address", str)
    db["checkin_links"].add_column("person_address", str)
    db["checkin_outgoing"].add_column("address", str)  # taken at enqueue: a link may end before it goes


# Forward migrations, in order. Never edit a released one: append a new function.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3_outbox_fairness_and_copies, _v4_privacy, _v5_inbox,
                                                                _v6_checkins]


class Store:
    checkpoint_after_inbox = False  # set by forget(): see inbox_done

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, factory=_Connection)
        # secure_delete must be set before any page is written so no deleted byte survives.
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")  # short: the event loop must not freeze; callers retry
        if self.path != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit survives a crash of the process (kill -9) but is fsynced
            # only at checkpoints, not each time (an fsync per commit blocked the event loop
            # for most of an update's time). What must survive a power cut too, the inbox's
            # updates before Telegram is told they arrived, is committed with durable().
            # The WAL is replayed in order, so a power cut can only lose the latest writes,
            # never an older one with a newer kept: an update marked handled still has the
            # effects of its handling, and one whose handling was lost is handled again.
            conn.execute("PRAGMA synchronous=NORMAL")
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

    @contextmanager
    def durable(self):
        """A transaction fsynced before it returns (and with it everything committed
        before): for writes that must survive a power cut, not only a crash."""
        conn: _Connection = self.db.conn  # type: ignore[assignment]
        outermost = conn.depth == 0 and self.path != ":memory:"
        if outermost:
            conn.execute("PRAGMA synchronous=FULL")
        try:
            with self.transaction():
                yield
        finally:
            if outermost:
                conn.execute("PRAGMA synchronous=NORMAL")

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
    # The per-update reads and writes below are plain SQL: sqlite-utils' table helpers
    # read the schema (sqlite_master, table_info) on every call, which cost more than
    # the writes themselves (bench/README.md, profile). Same statements, same effects.
    def load(self, user_id: str) -> State:
        user = self._row("SELECT lang, role, origin, destination FROM users WHERE id = ?", [user_id])
        if user is None:
            return State(user_id=user_id)
        session = self._row("SELECT screen, history, pending, data FROM sessions WHERE user_id = ?", [user_id]) or {}
        return State(
            user_id=user_id, lang=user["lang"], role=user["role"], origin=user["origin"],
            destination=user["destination"], screen=session.get("screen"),
            history=json.loads(session.get("history") or "[]"), pending=session.get("pending"),
            data=json.loads(session.get("data") or "{}"), is_new=False,
        )

    def save(self, state: State) -> None:
        stamp = now()
        profile = [state.lang, state.role, state.origin, state.destination, stamp]
        with self.transaction():
            if state.is_new:
                self.db.execute("INSERT OR REPLACE INTO users (id, created_at, lang, role, origin, destination, seen_at, "
                                "active) VALUES (?, ?, ?, ?, ?, ?, ?, 1)", [state.user_id, stamp, *profile])
            elif not self.db.execute("UPDATE users SET lang = ?, role = ?, origin = ?, destination = ?, seen_at = ?, "
                                     "active = 1 WHERE id = ?", [*profile, state.user_id]).rowcount:
                raise sqlite_utils.db.NotFoundError  # as sqlite-utils' update did
            self.db.execute(
                "INSERT INTO sessions (user_id, screen, history, pending, data, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET screen = excluded.screen, history = excluded.history, "
                "pending = excluded.pending, data = excluded.data, updated_at = excluded.updated_at",
                [state.user_id, state.screen, json.dumps(state.history), state.pending,
                 json.dumps(state.data, ensure_ascii=False), stamp])
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
            self.db.execute("DELETE FROM chat_messages WHERE user_id = ?", [user_id])
            self.db.execute("DELETE FROM users WHERE id = ?", [user_id])
        self.checkpoint()
        # The update that asked for this still sits in the inbox (with the chat id); once it
        # is cleared, the WAL is truncated again so no copy of it stays behind.
        self.checkpoint_after_inbox = True

    def checkpoint(self) -> None:
        """Copy the WAL into the file and truncate it, so no deleted byte stays in -wal."""
        if self.path != ":memory:":
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # cases ----------------------------------------------------------------------------
    def open_case_for(self, user_id: str) -> dict | None:
        return self._row("SELECT * FROM cases WHERE user_id = ? AND status != 'closed' ORDER BY id DESC LIMIT 1",
                         [user_id])

    def count_cases_since(self, user_id: str, since_iso: str, exclude_priority: str | None = None) -> int:
        return self.db.execute(
            "SELECT count(*) FROM cases WHERE user_id = ? AND opened_at >= ? AND priority IS NOT ?",
            [user_id, since_iso, exclude_priority]).fetchone()[0]

    def last_case_for(self, user_id: str) -> dict | None:
        rows = list(self.db["cases"].rows_where("user_id = ?", [user_id], order_by="id desc", limit=1))
        return rows[0] if rows else None

    def insert_case(self, record: dict) -> dict:
        record = {**record, "opened_at": now()}
        with self.transaction():
            record["id"] = self._next_case_number()
            case_id = self.db["cases"].insert(record).last_pk
        return self.case(case_id)

    def keep_case_address(self, user_id: str, address: str) -> None:
        """Where to reach the user, on their open case: one statement, no row read per update."""
        self.db.execute("UPDATE cases SET address = ? WHERE user_id = ? AND status != 'closed' "
                        "AND coalesce(address, '') != ?", [address, user_id, address])

    def update_case(self, case_id: int, **fields: Any) -> None:
        self.db["cases"].update(case_id, fields)

    def case(self, case_id: int) -> dict | None:
        if not -2**63 <= case_id < 2**63:
            return None  # forged data (a huge number in a button): no such case, and no OverflowError
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
    def enqueue(self, key: str, case_id: int, direction: str, kind: str, payload: dict, priority: int,
                not_before: float = 0.0) -> int | None:
        """Add a relay to the durable outbox; the idempotency key makes a repeat a no-op.
        `not_before`: the workers leave it alone until then (a handler is sending it itself)."""
        table = self.db["outbox"].insert(
            {"key": key, "case_id": case_id, "direction": direction, "kind": kind,
             "payload": json.dumps(payload, ensure_ascii=False), "priority": priority, "status": "pending",
             "attempts": 0, "next_try_at": not_before, "created_at": now()},
            ignore=True,
        )
        return table.last_pk if table.last_rowid else None

    def pending_kind(self, case_id: int, direction: str, kind: str) -> bool:
        """Is an item of this kind still waiting for this case?"""
        return self.db.execute(
            "SELECT 1 FROM outbox WHERE case_id = ? AND direction = ? AND kind = ? AND status = 'pending' LIMIT 1",
            [case_id, direction, kind]).fetchone() is not None

    def next_due(self, direction: str, at: float) -> dict | None:
        """The next relay to try: only the oldest pending item of each case counts (a case's
        items go strictly in order), and only if it is due (a case waiting out a back-off
        takes no turn). Urgent cases first; among the rest, the case served longest ago
        (a new case first), so one case's backlog never holds up another case."""
        rows = list(self.db.query(
            """SELECT o.*, (SELECT max(s.sent_at) FROM outbox s WHERE s.case_id = o.case_id
                            AND s.direction = o.direction AND s.status = 'sent') AS served_at
               FROM outbox o JOIN (SELECT min(id) AS head FROM outbox
                                   WHERE status = 'pending' AND direction = ? GROUP BY case_id) h ON o.id = h.head
               WHERE o.next_try_at <= ?
               ORDER BY o.priority, served_at IS NOT NULL, served_at, o.id LIMIT 1""", [direction, at]))
        return rows[0] if rows else None

    def pending_after(self, item: dict, limit: int) -> list[dict]:
        """The items of the same case and direction queued right after this one."""
        return list(self.db["outbox"].rows_where(
            "case_id = ? AND direction = ? AND status = 'pending' AND id > ?",
            [item["case_id"], item["direction"], item["id"]], order_by="id", limit=limit))

    def mark_sent(self, item_id: int) -> None:
        # The text is not needed any more once delivered: keep only the bookkeeping.
        self.db["outbox"].update(item_id, {"status": "sent", "sent_at": now(), "payload": "{}"})

    def add_copy(self, case_id: int, direction: str, source: dict | None, chat_id: int, message_id: int) -> None:
        """Remember which message a relay produced (moderators' edits are relayed as edits)."""
        source = source or {}
        self.db["relay_copies"].insert(
            {"case_id": case_id, "direction": direction, "source_chat_id": source.get("chat_id"),
             "source_message_id": source.get("message_id"), "copy_chat_id": chat_id, "copy_message_id": message_id,
             "created_at": now()}, pk=("copy_chat_id", "copy_message_id"), replace=True)

    def copies_of(self, source_chat_id: int, source_message_id: int) -> list[dict]:
        return list(self.db["relay_copies"].rows_where(
            "source_chat_id = ? AND source_message_id = ?", [source_chat_id, source_message_id],
            order_by="rowid"))

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

    def backlog_of(self, case_ids: list[int], direction: str) -> int:
        """Pending relays of these cases (one team's share of the backlog)."""
        if not case_ids:
            return 0
        marks = ",".join("?" * len(case_ids))
        return self.db.execute(f"SELECT count(*) FROM outbox WHERE status = 'pending' AND direction = ? "
                               f"AND case_id IN ({marks})", [direction, *case_ids]).fetchone()[0]

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

    def delete_cases(self, case_ids: list[int]) -> None:
        with self.transaction():
            self._delete_cases(case_ids)

    def _next_case_number(self) -> int:
        """One more than any number ever given: a deleted case's number is never reused."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'last_case_number'").fetchone()
        highest = self.db.execute("SELECT coalesce(max(id), 0) FROM cases").fetchone()[0]
        number = max(int(row[0]) if row else 0, highest) + 1
        self.db["meta"].upsert({"key": "last_case_number", "value": str(number)}, pk="key")
        return number

    def _delete_cases(self, case_ids: list[int]) -> None:
        """Cases and everything that hangs off them (messages, relays, message links)."""
        for case_id in case_ids:  # ids of the bot's copies in topics (bot.message_ids)
            self.db.execute("DELETE FROM relayed_copies WHERE case_id = ?", [case_id])
        for case_id in case_ids:
            for table in ("case_messages", "outbox", "case_links", "relay_copies"):
                self.db.execute(f"DELETE FROM {table} WHERE case_id = ?", [case_id])
            self.db.execute("DELETE FROM cases WHERE id = ?", [case_id])

    # helpers --------------------------------------------------------------------------
    def _row(self, sql: str, params: list) -> dict | None:
        cursor = self.db.execute(sql, params)
        row = cursor.fetchone()
        return None if row is None else dict(zip([c[0] for c in cursor.description], row))

    def _get(self, table: str, pk: Any) -> dict | None:
        try:
            return self.db[table].get(pk)
        except sqlite_utils.db.NotFoundError:
            return None

    def close(self) -> None:
        self.db.conn.close()

    # inbox (bot.channels.inbox) -------------------------------------------------------
    def inbox_add(self, update_id: int, chat: str, body: str, at: float) -> bool:
        """Write an update down; False when this update_id was seen already (a resend)."""
        return self.inbox_add_all([(update_id, chat, body, at)])[0]

    def inbox_add_all(self, rows: list[tuple[int, str, str, float]]) -> list[bool]:
        """Write updates down (update_id, chat, body, received_at) in one durable commit:
        all or none. For each, False when its update_id was seen already (a resend)."""
        with self.durable():
            return [self.db.execute("INSERT OR IGNORE INTO inbox (update_id, chat, body, received_at) "
                                    "VALUES (?, ?, ?, ?)", row).rowcount == 1 for row in rows]

    def inbox_waiting(self) -> list[tuple[int, str]]:
        """(update_id, chat) of every update not handled yet, oldest first."""
        return [tuple(r) for r in self.db.execute(
            "SELECT update_id, chat FROM inbox WHERE done_at IS NULL ORDER BY update_id")]

    def inbox_body(self, update_id: int) -> str | None:
        row = self.db.execute("SELECT body FROM inbox WHERE update_id = ? AND done_at IS NULL", [update_id]).fetchone()
        return row[0] if row else None

    def inbox_done(self, update_id: int, at: float) -> None:
        """Handled: the text and the chat go at once; only the bare id stays (a tombstone)."""
        self.db.execute("UPDATE inbox SET body = NULL, chat = NULL, done_at = ? WHERE update_id = ?", [at, update_id])
        if self.checkpoint_after_inbox:
            self.checkpoint_after_inbox = False
            self.checkpoint()

    def inbox_prune(self, before: float) -> int:
        return self.db.execute("DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", [before]).rowcount

    def inbox_depth(self) -> int:
        return self.db.execute("SELECT count(*) FROM inbox WHERE done_at IS NULL").fetchone()[0]

    def inbox_oldest(self) -> float | None:
        """When the oldest waiting update arrived (epoch seconds), None when none waits."""
        return self.db.execute("SELECT min(received_at) FROM inbox WHERE done_at IS NULL").fetchone()[0]

    def writable(self) -> bool:
        """Can we take the write lock now? (False while another process holds it too long.)"""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return False
        self.db.execute("ROLLBACK")
        return True
