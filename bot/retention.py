"""Retention: nothing is kept longer than the README's "Privacy" section says.

Run at start and then daily by the channel's housekeeping (`purge`), with `now` passed in
so tests can move the clock:
- closed cases, their texts and relays: deleted `retention_days` after closing;
- open cases with no activity for OPEN_CASE_IDLE_DAYS: closed, their texts and the user's
  identity deleted (the moderators are warned in the case topic EXPIRY_WARNING_DAYS before);
  the empty shell then goes with the closed cases;
- users and sessions not seen for USER_IDLE_DAYS: deleted, with anything left of theirs;
- message ids kept for "Clear this chat" once Telegram no longer lets the bot delete them;
- the chat address of a closed case once nothing more is to be sent to the user.
Every purge ends with a TRUNCATE checkpoint, so no deleted byte stays in the -wal file.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from . import cases, limits, message_ids
from .store import Store

log = logging.getLogger(__name__)

EXPIRED = "expired"  # closed_by of an open case closed for lack of activity

WARNING_NOTE = ("⏳ Nothing has happened in this case for {idle} days. In {left} days it will be closed and "
                "its messages and the user's details deleted (retention). Write here to keep it open.")
EXPIRED_NOTE = ("⏳ This case had no activity for {idle} days: it is closed, and its messages and the user's "
                "details are deleted (retention).")


@dataclass
class Report:
    closed_cases: int = 0
    expired_cases: int = 0
    warned_cases: int = 0
    users: int = 0
    chat_message_ids: int = 0
    addresses: int = 0


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def last_activity(store: Store, case: dict) -> str:
    """The latest of: opened, the user's last message, any message or note in the case."""
    latest = store.db.execute("SELECT max(created_at) FROM case_messages WHERE case_id = ?", [case["id"]]).fetchone()[0]
    return max(filter(None, (case["opened_at"], case.get("last_user_message_at"), latest)))


def purge(store: Store, now: dt.datetime, retention_days: int) -> Report:
    report = Report()
    report.closed_cases = store.purge_closed(_iso(now - dt.timedelta(days=retention_days)))
    idle_limit = dt.timedelta(days=limits.OPEN_CASE_IDLE_DAYS)
    warn_at = idle_limit - dt.timedelta(days=limits.EXPIRY_WARNING_DAYS)
    for case in store.open_cases():
        idle = now - dt.datetime.fromisoformat(last_activity(store, case))
        if idle >= idle_limit:
            _expire(store, case, idle, now)
            report.expired_cases += 1
        elif idle >= warn_at:
            text = WARNING_NOTE.format(idle=idle.days, left=max(1, (idle_limit - idle).days))
            # one warning per period of silence: the key names the day the silence began
            since = (now - idle).date().isoformat()
            store.enqueue(f"case:{case['id']}:expiry_warning:{since}", case["id"], cases.TO_MODERATORS, "note",
                          {"text": text}, cases.PRIORITY[case["priority"]])
            report.warned_cases += 1
    idle_users = [r[0] for r in store.db.execute(
        "SELECT id FROM users WHERE seen_at < ?", [_iso(now - dt.timedelta(days=limits.USER_IDLE_DAYS))])]
    for user_id in idle_users:
        store.forget(user_id)
    report.users = len(idle_users)
    report.chat_message_ids = message_ids.purge_old_chat_messages(store, now.timestamp())
    report.addresses = drop_addresses(store)
    store.checkpoint()
    log.info("retention_purge closed=%d expired=%d warned=%d users=%d chat_ids=%d addresses=%d",
             report.closed_cases, report.expired_cases, report.warned_cases, report.users,
             report.chat_message_ids, report.addresses)
    return report


def _expire(store: Store, case: dict, idle: dt.timedelta, now: dt.datetime) -> None:
    with store.transaction():
        store.db.execute("DELETE FROM case_messages WHERE case_id = ?", [case["id"]])
        store.db.execute("DELETE FROM outbox WHERE case_id = ? AND status = 'pending'", [case["id"]])
        store.db.execute("UPDATE outbox SET payload = '{}' WHERE case_id = ?", [case["id"]])
        store.update_case(case["id"], status="closed", closed_at=_iso(now),
                          closed_by=EXPIRED, user_id=None, context=None, address=None)
        priority = cases.PRIORITY[case["priority"]]
        store.enqueue(f"case:{case['id']}:expired", case["id"], cases.TO_MODERATORS, "note",
                      {"text": EXPIRED_NOTE.format(idle=idle.days)}, priority)
        store.enqueue(f"case:{case['id']}:expired:close_topic", case["id"], cases.TO_MODERATORS, "close_topic", {},
                      priority)


def drop_addresses(store: Store) -> int:
    """A closed case needs the user's chat only until its last message to them is out."""
    cursor = store.db.execute(
        "UPDATE cases SET address = NULL WHERE status = 'closed' AND address IS NOT NULL AND id NOT IN "
        "(SELECT case_id FROM outbox WHERE direction = ? AND status = 'pending')", [cases.TO_USER])
    return cursor.rowcount
