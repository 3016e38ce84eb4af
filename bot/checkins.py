"""Safety check-ins: the rules (channel-agnostic; no Telegram here).

A migrant chooses how often to check in and links up to CHECKIN_TRUSTED_MAX trusted people
with single-use invitation codes. When a check-in is due, `tick()` queues a discreet message
for the migrant; when it stays unanswered past the grace period, every linked person is
told at once; a second miss in a row, a "help" answer or the duress word opens a case for
the moderators. Everything lives in SQLite (bot/checkins_store.py), so a restart loses
nothing; after downtime one check-in is sent, never one per missed interval.

Messages for someone other than the person acting are queued in `checkin_outgoing`, in
the reader's language; the channel sends them (`pending()` / `sent()` / `undeliverable()`).
Both sides see each other only by the display name each chose.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel.core import get_global
from babel.dates import format_skeleton, format_time

from . import cases, limits
from .checkins_store import CheckinStore
from .i18n import N_, translator
from .store import State, Store

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to type from a photo
LINK_PREFIX = "link_"

# Discreet: a watcher reading the notification sees a friendly hello, nothing more.
T_CHECKIN = N_("Hello! How is your day?")
T_OK_DEFAULT = N_("All good")
T_HELP_DEFAULT = N_("Not so good")
T_OK_REPLY = N_("Thank you! Have a good day.")
T_HELP_REPLY = N_("Thank you for telling us. A person from our team will write to you here soon (case #{case}). If you are in danger now, open Emergency help.")
# To the trusted people.
T_SILENT = N_("{name} did not answer the safety check-in.\nLast answer: {when}.\nThis can mean no signal, no money on the phone or a lost phone, but it can also mean that something is wrong.")
T_NEVER = N_("no answer yet")
T_UNDELIVERED = N_("The check-in message could not be delivered: {name} may have blocked or deleted this bot.")
T_TEAM_ALERTED = N_("Our team has been told and will try to help.")
T_HELP_ALERT = N_("{name} asked for help through the safety check-in. Our team has been told and will try to reach them. Do not write about this openly: someone may read their phone.")
T_OK_AGAIN = N_("{name} answered the safety check-in: all is well.")
T_WHAT_TO_DO = N_("What to do now")
T_TALK = N_("Talk to a person")
T_STOPPED = N_("Safety check-ins with {name} have stopped.")
# To the migrant.
T_ACCEPTED = N_("{name} is now one of your trusted people. They will be told if you do not answer a check-in.")
T_PERSON_LEFT = N_("{name} is no longer one of your trusted people.")
T_PERSON_BLOCKED = N_("A message to {name} could not be delivered: they may have blocked this bot. You can invite someone else.")

# Kinds of queued messages (a check-in is replaced, never repeated).
CHECKIN, ALERT, NOTICE = "checkin", "alert", "notice"


@dataclass
class Config:
    """Set by the entry point: SAFEBOT_CHECKIN_SECONDS and the bot's public username."""

    seconds: int | None = None
    bot_username: str | None = None

    def interval(self, choice: str) -> int:
        return self.seconds or limits.CHECKIN_INTERVAL_SECONDS[choice]

    @property
    def grace(self) -> int:
        return self.seconds or limits.CHECKIN_GRACE_SECONDS

    @property
    def pause(self) -> int:
        return self.seconds or limits.CHECKIN_PAUSE_SECONDS


# secrets ------------------------------------------------------------------------------
def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(limits.CHECKIN_CODE_CHARS))


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _word(text: str) -> str:
    return " ".join(text.casefold().split())


def hash_word(word: str) -> str:
    """A salted, slow hash of the duress word (the word itself is never stored)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(_word(word).encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def word_matches(stored: str | None, text: str) -> bool:
    if not stored or len(text) > limits.CHECKIN_NAME_CHARS * 2:
        return False
    _, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(_word(text).encode(), salt=bytes.fromhex(salt), n=2**14, r=8, p=1)
    return hmac.compare_digest(candidate.hex(), digest)


def clean_name(text: str) -> str | None:
    """A display name or button word: one short line, or None."""
    name = " ".join(text.split())
    if not name or name.startswith("/") or len(name) > limits.CHECKIN_NAME_CHARS:
        return None
    return name


# time, in the reader's zone -----------------------------------------------------------
def zone_for(country: str | None) -> ZoneInfo:
    zones = get_global("territory_zones").get(country or "", [])
    preferred = [z for z in zones if z == "Asia/Jakarta"] or sorted(zones)[:1]  # ID: where most people live
    return ZoneInfo(preferred[0]) if preferred else ZoneInfo("UTC")


def reader_zone(store: Store, reader_id: str, plan_user_id: str) -> ZoneInfo:
    """Where the reader said they are (asked once, on linking), else where they probably
    are: the migrant at the destination, family at home."""
    reader = store.load(reader_id)
    if reader.data.get("location") not in (None, "other"):
        return zone_for(reader.data["location"])
    if reader_id == plan_user_id:
        return zone_for(reader.destination)
    if reader.role == "self" and reader.destination:
        return zone_for(reader.destination)
    return zone_for(reader.origin or store.load(plan_user_id).origin)


def when(store: Store, ts: float | None, reader_id: str, plan_user_id: str) -> str:
    t = translator(store.load(reader_id).lang)
    if not ts:
        return t(T_NEVER)
    moment = dt.datetime.fromtimestamp(ts, dt.timezone.utc).astimezone(reader_zone(store, reader_id, plan_user_id))
    zone = moment.tzinfo
    return f"{format_skeleton('MMMEd', moment, tzinfo=zone, locale=t.locale)} {format_time(moment, 'short', tzinfo=zone, locale=t.locale)}"


# set-up and links ---------------------------------------------------------------------
def create_plan(cs: CheckinStore, user_id: str, name: str, choice: str, config: Config, now: float) -> None:
    old = cs.plan(user_id) or {}
    cs.save_plan(user_id, name=name, interval_s=config.interval(choice), grace_s=config.grace,
                 pause_s=config.pause, status="active", next_due_at=now + config.interval(choice),
                 waiting_since=None, deadline_at=None, missed=0, last_ok_at=old.get("last_ok_at"),
                 undelivered=0, duress_hash=old.get("duress_hash"), ok_label=old.get("ok_label"),
                 help_label=old.get("help_label"), created_at=old.get("created_at") or now)


def new_invite(cs: CheckinStore, user_id: str, now: float) -> str | None:
    """A fresh single-use code, or None when the plan already has its trusted people."""
    taken = len(cs.links_of_plan(user_id)) + cs.open_invites(user_id, now)
    if taken >= limits.CHECKIN_TRUSTED_MAX:
        return None
    code = new_code()
    cs.add_invite(code_hash(code), user_id, now + limits.CHECKIN_INVITE_SECONDS)
    return code


def check_invite(cs: CheckinStore, code: str, person_id: str, now: float) -> tuple[dict | None, str]:
    """(plan, "") when the person may accept, else (plan or None, problem)."""
    invite = cs.invite(code_hash(code)) if code else None
    if invite is None or invite["expires_at"] <= now:
        return None, "bad"
    plan = cs.plan(invite["plan_user_id"])
    if plan is None:
        return None, "bad"
    if plan["user_id"] == person_id:
        return plan, "self"
    links = cs.links_of_plan(plan["user_id"])
    if any(link["person_user_id"] == person_id for link in links):
        return plan, "already"
    if len(links) >= limits.CHECKIN_TRUSTED_MAX:
        return plan, "full"
    return plan, ""


def accept(cs: CheckinStore, code: str, person_id: str, person_name: str, now: float) -> tuple[dict | None, str]:
    plan, problem = check_invite(cs, code, person_id, now)
    if problem:
        return plan, problem
    with cs.store.transaction():
        if not cs.use_invite(code_hash(code)):
            return None, "bad"  # used a moment ago by someone else
        cs.add_link(plan["user_id"], person_id, person_name, now)
        _tell(cs, plan["user_id"], NOTICE, T_ACCEPTED, now, name=person_name)
    log.info("checkin_linked")
    return plan, ""


def end_link(cs: CheckinStore, link: dict, by_user_id: str, now: float) -> None:
    """Either side ends a link; the other side is told, nothing of it is kept."""
    with cs.store.transaction():
        cs.delete_link(link["id"])
        if by_user_id == link["plan_user_id"]:
            plan = cs.plan(link["plan_user_id"]) or {}
            cs.drop_messages_to(link["person_user_id"], ALERT)
            _tell(cs, link["person_user_id"], NOTICE, T_STOPPED, now, name=plan.get("name") or "")
        else:
            _tell(cs, link["plan_user_id"], NOTICE, T_PERSON_LEFT, now, name=link["person_name"])


def stop_plan(cs: CheckinStore, user_id: str, now: float) -> None:
    """The migrant stops everything: each linked person learns only that check-ins stopped."""
    plan = cs.plan(user_id)
    if plan is None:
        return
    with cs.store.transaction():
        for link in cs.links_of_plan(user_id):
            cs.drop_messages_to(link["person_user_id"], ALERT)
            _tell(cs, link["person_user_id"], NOTICE, T_STOPPED, now, name=plan["name"])
        cs.drop_messages_to(user_id)
        cs.delete_plan(user_id)


def forget(store: Store, user_id: str, now: float) -> None:
    """/forget: as migrant, every link ends; as trusted person, they are removed."""
    cs = CheckinStore(store)
    for link in cs.links_of_person(user_id):
        end_link(cs, link, user_id, now)
    stop_plan(cs, user_id, now)
    cs.drop_messages_to(user_id)


def pause(cs: CheckinStore, user_id: str, now: float) -> float:
    plan = cs.plan(user_id)
    until = now + plan["pause_s"]
    cs.save_plan(user_id, status="paused", next_due_at=until, waiting_since=None, deadline_at=None)
    cs.drop_messages_to(user_id, CHECKIN)
    return until


def resume(cs: CheckinStore, user_id: str, now: float) -> None:
    plan = cs.plan(user_id)
    cs.save_plan(user_id, status="active", next_due_at=now + plan["interval_s"])


# answers ------------------------------------------------------------------------------
def answer_ok(store: Store, user_id: str, now: float) -> bool:
    """The migrant is OK: the next check-in is one interval from now. False without a plan."""
    cs = CheckinStore(store)
    plan = cs.plan(user_id)
    if plan is None:
        return False
    with store.transaction():
        cs.save_plan(user_id, last_ok_at=now, next_due_at=now + plan["interval_s"], waiting_since=None,
                     deadline_at=None, missed=0, undelivered=0,
                     status="active" if plan["status"] == "paused" else plan["status"])
        cs.drop_messages_to(user_id, CHECKIN)
        if plan["missed"]:  # they were worried: tell them at once
            for link in cs.links_of_plan(user_id):
                cs.drop_messages_to(link["person_user_id"], ALERT)
                _tell(cs, link["person_user_id"], NOTICE, T_OK_AGAIN, now, name=plan["name"])
    return True


def answer_help(store: Store, state: State, now: float, duress: bool = False) -> dict | None:
    """A help answer or the duress word: an urgent case, and every linked person is told.
    Returns the case (None without a plan)."""
    cs = CheckinStore(store)
    plan = cs.plan(state.user_id)
    if plan is None:
        return None
    what = "the duress word was typed instead of OK (the user sees a normal OK)" if duress else \
        "the user answered 'I need help'"
    with store.transaction():
        case, _ = cases.open_case(store, state, reason="checkin_duress" if duress else "checkin_help",
                                  priority=cases.URGENT, first_message=summary(cs, plan, what))
        cs.save_plan(state.user_id, last_ok_at=plan["last_ok_at"], next_due_at=now + plan["interval_s"],
                     waiting_since=None, deadline_at=None, missed=0)
        cs.drop_messages_to(state.user_id, CHECKIN)
        for link in cs.links_of_plan(state.user_id):
            _tell(cs, link["person_user_id"], ALERT, T_HELP_ALERT, now, name=plan["name"], talk=True)
    log.warning("checkin_help case=%s duress=%s", case["id"], duress)
    return case


def is_duress(store: Store, user_id: str, text: str) -> bool:
    plan = CheckinStore(store).plan(user_id)
    return bool(plan and plan["duress_hash"] and word_matches(plan["duress_hash"], text))


def summary(cs: CheckinStore, plan: dict, what: str) -> str:
    """What the moderators read (English, the team's language): display names, never ids."""
    names = ", ".join(link["person_name"] for link in cs.links_of_plan(plan["user_id"])) or "nobody"
    last = (dt.datetime.fromtimestamp(plan["last_ok_at"], dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
            if plan["last_ok_at"] else "never")
    hours = plan["interval_s"] / 3600
    return (f"[Safety check-in] {what}.\nCheck-ins every {hours:g} h; last check-in answered: {last}.\n"
            f"Linked trusted people (display names): {names}.")


# the clock ----------------------------------------------------------------------------
def tick(store: Store, now: float) -> None:
    """Advance every plan to `now`: send what is due, raise the alarm for silence.
    Idempotent and catch-up safe: after downtime, at most one check-in per plan."""
    cs = CheckinStore(store)
    for plan in cs.paused_until_passed(now):
        cs.save_plan(plan["user_id"], status="active")
    for plan in cs.plans_due(now):
        with store.transaction():
            cs.drop_messages_to(plan["user_id"], CHECKIN)
            cs.save_plan(plan["user_id"], waiting_since=now, deadline_at=now + plan["grace_s"], undelivered=0)
            t = translator(store.load(plan["user_id"]).lang)
            buttons = [[[plan["ok_label"] or t(T_OK_DEFAULT), "k:ok"]], [[plan["help_label"] or t(T_HELP_DEFAULT), "k:help"]]]
            cs.enqueue(plan["user_id"], CHECKIN, t(T_CHECKIN), buttons, now)
    for plan in cs.plans_overdue(now):
        _missed(store, cs, plan, now)


def _missed(store: Store, cs: CheckinStore, plan: dict, now: float) -> None:
    missed = plan["missed"] + 1
    with store.transaction():
        cs.drop_messages_to(plan["user_id"], CHECKIN)
        cs.save_plan(plan["user_id"], missed=missed, waiting_since=None, deadline_at=None,
                     next_due_at=now + plan["interval_s"])
        alarm = missed >= limits.CHECKIN_MISSED_FOR_CASE
        if alarm:
            state = store.load(plan["user_id"])
            what = f"{missed} check-ins in a row were not answered"
            if plan["undelivered"]:
                what += " (the last one could not be delivered: the user may have blocked the bot)"
            cases.open_case(store, state, reason="checkin_silent", first_message=summary(cs, plan, what))
        for link in cs.links_of_plan(plan["user_id"]):
            person = link["person_user_id"]
            t = translator(store.load(person).lang)
            parts = [t(T_SILENT).format(name=plan["name"], when=when(store, plan["last_ok_at"], person, plan["user_id"]))]
            if plan["undelivered"]:
                parts.append(t(T_UNDELIVERED).format(name=plan["name"]))
            if alarm:
                parts.append(t(T_TEAM_ALERTED))
            cs.drop_messages_to(person, ALERT)
            cs.enqueue(person, ALERT, "\n\n".join(parts), _alert_buttons(t), now)
    log.warning("checkin_missed missed=%d", missed)


def _alert_buttons(t) -> list[list[list[str]]]:
    return [[[t(T_WHAT_TO_DO), "g:family_silent"]], [[t(T_TALK), "g:human"]]]


def _tell(cs: CheckinStore, user_id: str, kind: str, text: str, now: float, name: str, talk: bool = False) -> None:
    t = translator(cs.store.load(user_id).lang)
    cs.enqueue(user_id, kind, t(text).format(name=name), _alert_buttons(t) if talk else [], now)


# the channel's side -------------------------------------------------------------------
def pending(store: Store) -> list[dict]:
    """Messages to send now: {id, user_id, kind, text, buttons: [[[label, data]]]}."""
    return CheckinStore(store).outgoing()


def sent(store: Store, message: dict) -> None:
    CheckinStore(store).done(message["id"])


def undeliverable(store: Store, message: dict, now: float) -> None:
    """The reader blocked the bot (403). A check-in then counts as silence only after the
    grace period, and the alert says it was not delivered; the migrant learns when a trusted
    person cannot be reached."""
    cs = CheckinStore(store)
    with store.transaction():
        cs.done(message["id"])
        if message["kind"] == CHECKIN and cs.plan(message["user_id"]):
            cs.save_plan(message["user_id"], undelivered=1)
        for link in cs.links_of_person(message["user_id"]):
            plan = cs.plan(link["plan_user_id"])
            if plan is not None and message["kind"] != NOTICE:
                _tell(cs, link["plan_user_id"], NOTICE, T_PERSON_BLOCKED, now, name=link["person_name"])
    log.info("checkin_undeliverable kind=%s", message["kind"])
