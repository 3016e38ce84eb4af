"""The bot's parts in-process, with all 13 languages loaded (no Telegram, no network).

Prints:
  engine steps/s     event -> replies through Engine.handle with a SQLite file store, people
                     doing what bench_stack.py's people do (/start, who is asking, origin,
                     destination, a typed question; one in ten a cry for help instead)
  per message (µs)   the distress check, question matching (detect + rank), the job-ad test
                     and the job-ad scan of a 1 KB ad
  start-up           a fresh process: content, catalogs of 13 locales, store, to the first
                     reply to /start (and with Lingua's models, as `safebot run` loads them)
  RSS                a fresh process that answered a few people, with 100,000 users in the DB
                     (and with an empty DB, for comparison)

    python bench/bench_parts.py           # about a minute
    python bench/bench_parts.py --quick   # small sizes: proves it works (the test suite runs it)
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

QUESTIONS = ["how much is the visa fee", "is this agency licensed?", "my employer keeps my passport is it legal",
             "what are my rights as a domestic worker", "how to check a job offer"]
DISTRESS = "help me they took my passport and locked us in"
STEPS = ("c:role:self", "c:origin:MM", "c:destination:TH")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def quiet_engine(db: str):
    import logging

    logging.disable(logging.CRITICAL)  # one log line per event is not what is measured here
    from bot.__main__ import build_engine

    return build_engine(db)


def person(engine, user: int) -> int:
    """One person's five steps; returns how many replies they got."""
    from bot.engine import Event

    user_id = f"bench:{user}"
    replies = len(engine.handle(user_id, Event("command", "start", "", lang_hint="en")))
    for data in STEPS:
        replies += len(engine.handle(user_id, Event("button", data, lang_hint="en")))
    text = DISTRESS if user % 10 == 0 else QUESTIONS[user % len(QUESTIONS)]
    return replies + len(engine.handle(user_id, Event("text", text, lang_hint="en")))


def engine_steps(people: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = quiet_engine(str(Path(tmp) / "steps.db"))
        person(engine, 999_999)  # warm: caches, typo tables
        wall, cpu = time.perf_counter(), time.process_time()
        replies = sum(person(engine, n) for n in range(people))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        steps = people * (2 + len(STEPS))
        print(f"engine: {steps} steps ({people} people x {2 + len(STEPS)}, {replies} replies, SQLite file store): "
              f"{steps / wall:.0f} steps/s, {cpu / steps * 1e6:.0f} µs CPU per step")


def per_message(label: str, fn, texts: list[str], rounds: int) -> None:
    for text in texts:
        fn(text)  # warm
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for text in texts:
            fn(text)
        best = min(best, (time.perf_counter() - started) / len(texts))
    print(f"  {label:34} {best * 1e6:8.1f} µs per message (best of {rounds} rounds over {len(texts)})")


def parts(rounds: int) -> None:
    from bench_match import messages
    from bench_scan import AD
    from bot.engine import load
    from bot.engine.jobad import looks_like_job_ad
    from bot.engine.understand import QuestionIndex
    from bot.safety.language import detect, warm_up
    from bot.safety.scan import scan

    warm_up()
    bundle, _ = load()
    vocab, distress, redflags = bundle.extra["vocab"], bundle.extra["distress"], bundle.extra["redflags"]
    index = QuestionIndex(bundle, ignore=set(vocab.country_names))
    items = messages()
    texts = [text for _, text in items]
    print(f"per message, {len(texts)} typed questions in 13 languages (tests/data/questions):")
    per_message("distress check", distress.match, texts, rounds)
    per_message("question matching (detect + rank)", lambda t: index.answer(t, (detect(t) or "en",)), texts, rounds)
    per_message("job-ad test", lambda t: looks_like_job_ad(t, bundle.extra["jobad"], vocab), texts, rounds)
    per_message(f"job-ad scan of a {len(AD.encode())}-byte ad", lambda t: scan(t, redflags), [AD], rounds * 20)


def child(mode: str, db: str) -> None:
    """Run in a fresh interpreter: start-up to the first reply, or RSS after some work."""
    started = time.perf_counter()
    engine = quiet_engine(db)
    from bot.engine import Event

    replies = engine.handle("bench:first", Event("command", "start", "", lang_hint="en"))
    first = time.perf_counter() - started
    from bot.safety.language import warm_up

    warm_up()
    result = {"first_reply_s": first, "with_lingua_s": time.perf_counter() - started, "replies": len(replies)}
    if mode == "rss":
        for n in range(0, 200, 7):  # people already in the DB come back
            person(engine, n)
        result["rss_mb"] = rss_mb()
    print(json.dumps(result))


def run_child(mode: str, db: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SAFEBOT_"))}
    out = subprocess.run([sys.executable, __file__, "--child", mode, db], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def fill(db: str, users: int) -> None:
    """`users` people with a profile and a place in the dialog, as the bot would leave them."""
    from bot.store import Store, now

    Store(db).close()  # the schema
    conn = sqlite3.connect(db)
    stamp = now()
    origins, destinations = ["MM", "KH", "LA", "NP", "BD", "LK", "IN", "VN", "ID", "PH"], ["TH", "MY", "AE", "SA", "JP"]
    with conn:
        conn.executemany("INSERT INTO users (id, lang, role, origin, destination, created_at, seen_at, active) "
                         "VALUES (?, 'en', 'self', ?, ?, ?, ?, 1)",
                         ((f"bench:{n}", origins[n % 10], destinations[n % 5], stamp, stamp) for n in range(users)))
        conn.executemany("INSERT INTO sessions (user_id, screen, history, pending, data, updated_at) "
                         "VALUES (?, 'menu', '[\"menu\"]', NULL, '{}', ?)", ((f"bench:{n}", stamp) for n in range(users)))
    conn.close()


def startup_and_memory(users: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        empty = run_child("rss", str(Path(tmp) / "empty.db"))
        full_db = str(Path(tmp) / "full.db")
        fill(full_db, users)
        size = Path(full_db).stat().st_size / 1e6
        full = run_child("rss", full_db)
    print(f"start-up of a fresh process to the first reply (13 locales): {empty['first_reply_s']:.2f} s; "
          f"with Lingua's models loaded as `safebot run` does: {empty['with_lingua_s']:.2f} s")
    print(f"RSS after answering people: {empty['rss_mb']:.0f} MB with an empty DB, {full['rss_mb']:.0f} MB with "
          f"{users:,} users in the DB ({size:.0f} MB file); first reply then {full['first_reply_s']:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one round (the test suite runs this)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    people, rounds, users = (20, 1, 1_000) if args.quick else (300, 5, 100_000)
    print(f"bench_parts{' --quick' if args.quick else ''}: {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    engine_steps(people)
    parts(rounds)
    startup_and_memory(users)


if __name__ == "__main__":
    main()
