"""Storage of safety check-ins: every SQL statement about them is here (tables created by
store._v6_checkins). Times are epoch seconds (float), so a clock can be passed in tests.

- checkin_plans: one per migrant: how often, the state of the current check-in, the duress
  word's salted hash (never the word), the button words.
- checkin_links: migrant ↔ trusted person, with the display name the person chose.
- checkin_invites: a sha256 of each invitation code (never the code), until used or expired.
- checkin_outgoing: messages to someone other than the person who acted (a check-in, an
  alert, "check-ins have stopped"), already in the reader's language, until sent.
"""

from __future__ import annotations

import json
from typing import Any

from .store import Store


class CheckinStore:
    def __init__(self, store: Store):
        self.store = store
        self.db = store.db

    # where to reach people (the channel's chat id) --------------------------------------
    def keep_address(self, user_id: str, address: str | None) -> None:
        """The chat a migrant or trusted person writes from, kept on their plan or links only."""
        if not address:
            return
        self.db.execute("UPDATE checkin_plans SET address = ? WHERE user_id = ? AND coalesce(address, '') != ?",
                        [address, user_id, address])
        self.db.execute("UPDATE checkin_links SET person_address = ? WHERE person_user_id = ? "
                        "AND coalesce(person_address, '') != ?", [address, user_id, address])

    def address_of(self, user_id: str) -> str | None:
        row = self.db.execute("SELECT address FROM checkin_plans WHERE user_id = ? AND address IS NOT NULL "
                              "UNION ALL SELECT person_address FROM checkin_links WHERE person_user_id = ? "
                              "AND person_address IS NOT NULL LIMIT 1", [user_id, user_id]).fetchone()
        return row[0] if row else None

    # plans ----------------------------------------------------------------------------
    def plan(self, user_id: str) -> dict | None:
        rows = list(self.db["checkin_plans"].rows_where("user_id = ?", [user_id]))
        return rows[0] if rows else None

    def save_plan(self, user_id: str, **fields: Any) -> None:
        self.db["checkin_plans"].upsert({"user_id": user_id, **fields}, pk="user_id")

    def plans_due(self, now: float) -> list[dict]:
        """Active plans whose next check-in is due, with at least one linked person."""
        return list(self.db.query(
            "SELECT * FROM checkin_plans p WHERE p.status = 'active' AND p.waiting_since IS NULL "
            "AND p.next_due_at <= ? AND EXISTS (SELECT 1 FROM checkin_links l WHERE l.plan_user_id = p.user_id)",
            [now]))

    def plans_overdue(self, now: float) -> list[dict]:
        """Plans with a check-in sent and not answered within the grace period."""
        return list(self.db["checkin_plans"].rows_where(
            "waiting_since IS NOT NULL AND deadline_at <= ?", [now]))

    def paused_until_passed(self, now: float) -> list[dict]:
        return list(self.db["checkin_plans"].rows_where("status = 'paused' AND next_due_at <= ?", [now]))

    # links ----------------------------------------------------------------------------
    def links_of_plan(self, plan_user_id: str) -> list[dict]:
        return list(self.db["checkin_links"].rows_where("plan_user_id = ?", [plan_user_id], order_by="id"))

    def links_of_person(self, person_user_id: str) -> list[dict]:
        return list(self.db["checkin_links"].rows_where("person_user_id = ?", [person_user_id], order_by="id"))

    def link(self, link_id: int) -> dict | None:
        rows = list(self.db["checkin_links"].rows_where("id = ?", [link_id]))
        return rows[0] if rows else None

    def add_link(self, plan_user_id: str, person_user_id: str, person_name: str, now: float) -> int:
        return self.db["checkin_links"].insert(
            {"plan_user_id": plan_user_id, "person_user_id": person_user_id, "person_name": person_name,
             "created_at": now}).last_pk

    def delete_link(self, link_id: int) -> None:
        self.db.execute("DELETE FROM checkin_links WHERE id = ?", [link_id])

    # invitations ----------------------------------------------------------------------
    def add_invite(self, code_hash: str, plan_user_id: str, expires_at: float) -> None:
        self.db["checkin_invites"].insert({"code_hash": code_hash, "plan_user_id": plan_user_id,
                                           "expires_at": expires_at})

    def invite(self, code_hash: str) -> dict | None:
        rows = list(self.db["checkin_invites"].rows_where("code_hash = ?", [code_hash]))
        return rows[0] if rows else None

    def use_invite(self, code_hash: str) -> bool:
        """Single use: True only for the one caller that removed it."""
        return self.db.execute("DELETE FROM checkin_invites WHERE code_hash = ?", [code_hash]).rowcount == 1

    def open_invites(self, plan_user_id: str, now: float) -> int:
        self.db.execute("DELETE FROM checkin_invites WHERE expires_at <= ?", [now])
        return self.db.execute("SELECT count(*) FROM checkin_invites WHERE plan_user_id = ?",
                               [plan_user_id]).fetchone()[0]

    # messages to other people ---------------------------------------------------------
    def enqueue(self, user_id: str, kind: str, text: str, buttons: list[list[list[str]]], now: float) -> None:
        self.db["checkin_outgoing"].insert({"user_id": user_id, "kind": kind, "text": text,
                                            "buttons": json.dumps(buttons, ensure_ascii=False), "created_at": now,
                                            "address": self.address_of(user_id)})

    def outgoing(self, limit: int = 50) -> list[dict]:
        rows = list(self.db["checkin_outgoing"].rows_where(order_by="id", limit=limit))
        for row in rows:
            row["buttons"] = json.loads(row["buttons"] or "[]")
        return rows

    def done(self, message_id: int) -> None:
        self.db.execute("DELETE FROM checkin_outgoing WHERE id = ?", [message_id])

    def drop_messages_to(self, user_id: str, kind: str | None = None) -> None:
        if kind:
            self.db.execute("DELETE FROM checkin_outgoing WHERE user_id = ? AND kind = ?", [user_id, kind])
        else:
            self.db.execute("DELETE FROM checkin_outgoing WHERE user_id = ?", [user_id])

    # ending ---------------------------------------------------------------------------
    def delete_plan(self, user_id: str) -> None:
        """The plan, its links and invitations (what an open case needs is in the case)."""
        with self.store.transaction():
            for table, column in (("checkin_links", "plan_user_id"), ("checkin_invites", "plan_user_id"),
                                  ("checkin_plans", "user_id")):
                self.db.execute(f"DELETE FROM {table} WHERE {column} = ?", [user_id])
