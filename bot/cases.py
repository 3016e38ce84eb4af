"""Cases: a user's request for a person, or an alarm raised for them.

`open_case` is the one way a case starts (from /human, a distress message or a high-risk
scam check). The case and its first message are written to SQLite before anything is
sent anywhere; the channel that talks to moderators picks them up from the store.
Moderators see a case number, language, countries and the path the user took — never
the user's account.
"""

from __future__ import annotations

import datetime as dt
import json
import time

from .i18n import N_
from .metrics import metrics
from .store import State, Store, now

URGENT, NORMAL = "urgent", "normal"

# What the user reads about their case (moderators' own texts are in English: the team's language).
T_FROM_MODERATOR = N_("Message from a person on our team (case #{case}):")
T_CASE_CLOSED = N_("Your case #{case} is closed. Thank you for writing to us. Was this helpful?")
T_HELPFUL_YES = N_("Yes, it helped")
T_HELPFUL_NO = N_("No, it did not help")
T_FEEDBACK_THANKS = N_("Thank you for telling us. You can ask for a person again at any time.")
T_LEAVE = N_("End the talk with a person")
T_LEFT = N_("You ended the talk with our team. You can ask for a person again at any time.")
T_STILL_WAITING = N_("A person from our team has your message and will answer here as soon as they can. If you are in danger right now, call the numbers in Emergency help.")
# Told once per case when a message of the user could not reach the team; the numbers follow.
T_NOT_DELIVERED = N_("Sorry, your message could not reach our team. Please send it again a little later.\nIf you are in danger now, do not wait for us: call a number for help.")


TO_MODERATORS, TO_USER = "to_moderators", "to_user"
# New non-urgent cases a user may open in 24 hours (CASES_PER_USER_PER_DAY); above it the
# last case is opened again instead of a new topic. Urgent cases are never refused.
cases_per_user_per_day = 3


def set_daily_limit(limit: int) -> None:
    global cases_per_user_per_day
    cases_per_user_per_day = limit

PRIORITY = {URGENT: 0, NORMAL: 1}  # outbox order: urgent cases' relays first


def context_of(state: State) -> dict:
    """What the moderators get so nobody asks the user to repeat a painful story."""
    return {
        "role": state.role, "lang": state.lang, "origin": state.origin, "destination": state.destination,
        "location": state.data.get("location"), "screens": list(state.history),
        "scam_check": state.data.get("quiz_result") or state.data.get("scan_result"),
    }


def _to_moderators(store: Store, case: dict, key: str, kind: str, payload: dict) -> None:
    store.enqueue(key, case["id"], TO_MODERATORS, kind, payload, PRIORITY[case["priority"]])


def open_case(store: Store, state: State, *, reason: str, priority: str = NORMAL,
              first_message: str | None = None) -> tuple[dict, bool]:
    """Open a case for the user, or join the one already open. Returns (case, created).

    The case, its first message and the relays announcing it (a topic, the context
    header) are written in one transaction, before anything is sent.
    An urgent alarm on an open normal case raises its priority (and its queued relays').
    """
    if priority == URGENT and reason == "distress":
        metrics.inc("safebot_distress_total")
    with store.transaction():
        if state.is_new:
            store.save(state)  # a first message can be a cry for help: the case needs its user row
        existing = store.open_case_for(state.user_id)
        if existing:
            if priority == URGENT and existing["priority"] != URGENT:
                store.update_case(existing["id"], priority=URGENT)
                store.db.execute("UPDATE outbox SET priority = 0 WHERE case_id = ? AND status = 'pending'", [existing["id"]])
                existing["priority"] = URGENT
                _to_moderators(store, existing, f"case:{existing['id']}:urgent", "note",
                               {"text": "⚠️ This case is now URGENT: a distress message was detected."})
            if first_message:
                add_user_message(store, existing, "text", first_message)
            return existing, False
        if priority != URGENT:
            since = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)).isoformat()
            if store.count_cases_since(state.user_id, since, exclude_priority=URGENT) >= cases_per_user_per_day:
                last = store.last_case_for(state.user_id)
                if last is not None:
                    return _reopen(store, last, first_message), False
        case = store.insert_case({
            "user_id": state.user_id, "status": "open", "priority": priority, "reason": reason,
            "lang": state.lang, "role": state.role, "origin": state.origin, "destination": state.destination,
            "context": json.dumps(context_of(state), ensure_ascii=False),
        })
        _to_moderators(store, case, f"case:{case['id']}:topic", "topic", {})
        _to_moderators(store, case, f"case:{case['id']}:header", "header", {"first_message": first_message})
        if first_message:
            store.add_case_message(case["id"], "user", "text", first_message)
    return case, True


def _reopen(store: Store, case: dict, first_message: str | None) -> dict:
    """The user's last case, opened again (the daily limit of new cases is reached)."""
    store.update_case(case["id"], status="open", closed_at=None, closed_by=None)
    case = store.case(case["id"])
    _to_moderators(store, case, f"case:{case['id']}:reopen:{time.time_ns()}", "reopen_topic", {})
    _to_moderators(store, case, f"case:{case['id']}:reopened:{time.time_ns()}", "note",
                   {"text": f"The user asked for a person again: case #{case['id']} is open again "
                            f"(limit of {cases_per_user_per_day} new cases a day reached)."})
    if first_message:
        add_user_message(store, case, "text", first_message)
    return case


def add_user_message(store: Store, case: dict, kind: str, text: str | None, ref: dict | None = None) -> int:
    """A user's message joins their case and is queued for the moderators (copied if media)."""
    with store.transaction():
        message_id = store.add_case_message(case["id"], "user", kind, text)
        store.update_case(case["id"], last_user_message_at=now())
        payload = {"text": text} if kind == "text" else {"kind": kind, "ref": ref}
        _to_moderators(store, case, f"msg:{message_id}", "text" if kind == "text" else "copy", payload)
    return message_id


def add_moderator_message(store: Store, case: dict, kind: str, text: str | None, ref: dict | None = None) -> int:
    """A moderator's reply, queued for the user; never with the moderator's name."""
    with store.transaction():
        message_id = store.add_case_message(case["id"], "moderator", kind, text)
        if not case.get("first_response_at"):
            store.update_case(case["id"], first_response_at=now())
        # the moderator's message itself (ref): its copy is corrected when they edit it
        payload = {"text": text, "ref": ref} if kind == "text" else {"kind": kind, "ref": ref}
        store.enqueue(f"msg:{message_id}", case["id"], TO_USER, "text" if kind == "text" else "copy", payload,
                      PRIORITY[case["priority"]])
    return message_id


def add_note(store: Store, case: dict, text: str) -> int:
    """Internal: stays in the case, never relayed."""
    return store.add_case_message(case["id"], "note", "text", text)


def close_case(store: Store, case: dict, by: str) -> None:
    """Closed by a moderator ("moderator") or by the user leaving ("user")."""
    with store.transaction():
        store.update_case(case["id"], status="closed", closed_at=now(), closed_by=by)
        if by == "user":
            _to_moderators(store, case, f"case:{case['id']}:left", "note",
                           {"text": "The user ended the conversation (pressed 'End the talk'). The case is closed."})
        else:
            store.enqueue(f"case:{case['id']}:closed", case["id"], TO_USER, "closed", {}, PRIORITY[case["priority"]])
        _to_moderators(store, case, f"case:{case['id']}:close_topic", "close_topic", {})
