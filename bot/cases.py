"""Cases: a user's request for a person, or an alarm raised for them.

`open_case` is the one way a case starts (from /human, a distress message or a high-risk
scam check). The case and its first message are written to SQLite before anything is
sent anywhere; the channel that talks to moderators picks them up from the store.
Moderators see a case number, language, countries and the path the user took — never
the user's account.
"""

from __future__ import annotations

import json

from .i18n import N_
from .store import State, Store

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
T_NOT_DELIVERED = N_("Sorry, your last message could not be sent to our team. Please send it again.")


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
