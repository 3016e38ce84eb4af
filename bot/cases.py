"""Cases: a user's request for a person, or an alarm raised for them.

`open_case` is the one way a case starts (from /human, a distress message or a high-risk
scam check). The case and its first message are written to SQLite before anything is
sent anywhere; the channel that talks to moderators picks them up from the store.
Moderators see a case number, language, countries and the path the user took — never
the user's account.
"""

from __future__ import annotations

import json

from .store import State, Store

URGENT, NORMAL = "urgent", "normal"


def context_of(state: State) -> dict:
    """What the moderators get so nobody asks the user to repeat a painful story."""
    return {
        "role": state.role, "lang": state.lang, "origin": state.origin, "destination": state.destination,
        "location": state.data.get("location"), "screens": list(state.history),
        "scam_check": state.data.get("quiz_result") or state.data.get("scan_result"),
    }


def open_case(store: Store, state: State, *, reason: str, priority: str = NORMAL,
              first_message: str | None = None) -> tuple[dict, bool]:
    """Open a case for the user, or join the one already open. Returns (case, created).

    An urgent alarm on an open normal case raises its priority.
    """
    existing = store.open_case_for(state.user_id)
    if existing:
        if priority == URGENT and existing["priority"] != URGENT:
            store.update_case(existing["id"], priority=URGENT)
            existing["priority"] = URGENT
        if first_message:
            store.add_case_message(existing["id"], "user", "text", first_message)
        return existing, False
    case = store.insert_case({
        "user_id": state.user_id, "status": "open", "priority": priority, "reason": reason,
        "lang": state.lang, "role": state.role, "origin": state.origin, "destination": state.destination,
        "context": json.dumps(context_of(state), ensure_ascii=False),
    })
    if first_message:
        store.add_case_message(case["id"], "user", "text", first_message)
    return case, True
