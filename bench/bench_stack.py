"""The whole bot against the leanest bare echo bots, side by side, in one run.

Three bots, each a real process polling the fake Bot API (tests/fakebotapi.py) that
answers every call after 0 ms and after 50 ms (a far-away Telegram):
  safebot    `python -m bot run` (engine, SQLite inbox and store, safety checks, text
             matching, moderators' outbox; rate limiter off, as on a local fake)
  ptb-echo   bare python-telegram-bot at its best setting (bench/echo_ptb.py)
  aiogram    bare aiogram 3 echo on aiohttp (bench/echo_aiogram.py; optional extra
             `pip install -e '.[bench]'`, skipped when not installed)
The same load for each: USERS people at once, each doing, one after the other and waiting
for each answer as a person does: /start, who is asking, origin, destination, then a typed
question (one in ten writes a cry for help instead). Measured per bot, median of ROUNDS:
updates/s, CPU ms per update (the process's own utime+stime from /proc, steadier than
wall time), and the bot-side latency p50/p99 (update pushed → first call for it).

    python bench/bench_stack.py            # the table for the README (about 5 minutes)
    python bench/bench_stack.py --quick    # a small load, one round: proves it works
    python bench/bench_stack.py --profile /tmp/safebot.stacks   # safebot alone under py-spy
                                           # (50 ms, one round), then where its CPU goes
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from fakebotapi import TOKEN, FakeBotAPI  # noqa: E402

MOD_CHAT = -1001000000001
QUESTIONS = ["how much is the visa fee", "is this agency licensed?", "my employer keeps my passport is it legal",
             "what are my rights as a domestic worker", "how to check a job offer"]
DISTRESS = "help me they took my passport and locked us in"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# A button press: the bot answers the query (the latency is measured to it) and safebot
# also edits the screen in place; the person waits for the new screen before going on
# (before 2026-12-03 13:55 the harness did not, and undercounted safebot's work).
EDITS_THE_SCREEN = {"safebot": True, "ptb-echo": False, "aiogram": False}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def command(bot: str) -> list[str]:
    return {"safebot": [sys.executable, "-m", "bot", "run"],
            "ptb-echo": [sys.executable, str(ROOT / "bench" / "echo_ptb.py")],
            "aiogram": [sys.executable, str(ROOT / "bench" / "echo_aiogram.py")]}[bot]


class Watched(list):
    """The fake's call log, telling waiting users when a call for them arrives."""

    def __init__(self, notify):
        super().__init__()
        self.notify = notify

    def append(self, call) -> None:
        super().append(call)
        self.notify(call)


@dataclass
class Result:
    updates_per_s: float
    cpu_ms_per_update: float
    p50_ms: float
    p99_ms: float
    startup_s: float
    rss_mb: float
    calls_per_update: float  # Bot API calls other than getUpdates: the work asked of each bot


async def one_round(bot: str, users: int, delay: float, profile: Path | None = None) -> Result:
    server = await FakeBotAPI().start()
    server.forum_chats.add(MOD_CHAT)
    server.admin_chats.add(MOD_CHAT)
    waiting: dict[str, asyncio.Future] = {}

    screens: Counter[str] = Counter()  # screens sent or edited, per chat

    def notify(call) -> None:
        if call.method in ("sendMessage", "editMessageText"):
            screens[str(call.params.get("chat_id", ""))] += 1
        for key in (str(call.params.get("chat_id", "")), "q" + str(call.params.get("callback_query_id", ""))):
            future = waiting.pop(key, None)
            if future is not None and not future.done():
                future.set_result(time.perf_counter())

    server.calls = Watched(notify)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "MODERATOR_", "SAFEBOT_"))},
               "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url, "BENCH_TOKEN": TOKEN,
               "BENCH_BASE_URL": server.base_url, "SAFEBOT_DB": str(Path(tmp) / "bench.db"),
               "SAFEBOT_RATE_LIMIT": "off", "MODERATOR_CHAT_ID": str(MOD_CHAT), "USER_MESSAGES_PER_MINUTE": "1000"}
        started = time.perf_counter()
        proc = subprocess.Popen(command(bot), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            # start-up: until the bot answers a first message
            probe = 1
            future = waiting[str(probe)] = asyncio.get_running_loop().create_future()
            server.user_sends(probe, "/start")
            await asyncio.wait_for(future, timeout=120)
            startup = time.perf_counter() - started
            server.delay = delay
            latencies: list[float] = []

            async def ask(push) -> None:
                """Push one update and wait for the bot's first call about it."""
                pushed = time.perf_counter()
                update = push()  # nothing runs before the future is registered: no await in between
                query = update.get("callback_query")
                key = "q" + query["id"] if query else str(update["message"]["chat"]["id"])
                future = waiting[key] = asyncio.get_running_loop().create_future()
                latencies.append(await asyncio.wait_for(future, timeout=120) - pushed)

            def answered(user: int) -> bool:  # the bot's message exists (it is made after the fake's delay)
                return any(key[0] == user and m["from"].get("is_bot") for key, m in list(server.messages.items())[-2000:])

            async def person(user: int) -> None:
                await ask(lambda: server.user_sends(user, "/start"))
                for data in ("c:role:self", "c:origin:MM", "c:destination:TH"):
                    while not answered(user):  # a person presses a button once they see it
                        await asyncio.sleep(0.01)
                    shown = screens[str(user)]
                    await ask(lambda: server.user_presses(user, server.last_message_id(user), data))
                    while EDITS_THE_SCREEN[bot] and screens[str(user)] == shown:
                        await asyncio.sleep(0.01)  # and reads the new screen before the next step
                text = DISTRESS if user % 10 == 0 else QUESTIONS[user % len(QUESTIONS)]
                await ask(lambda: server.user_sends(user, text))

            spy = None
            if profile is not None:  # sample the load only, not the start-up
                spy = subprocess.Popen(["py-spy", "record", "--pid", str(proc.pid), "--format", "raw", "--rate", "250",
                                        "-o", str(profile)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                await asyncio.sleep(1)
            cpu_before = cpu_seconds(proc.pid)
            calls_before = len(server.calls)
            load_start = time.perf_counter()
            await asyncio.gather(*(person(100_000 + i) for i in range(users)))
            elapsed = time.perf_counter() - load_start
            cpu = cpu_seconds(proc.pid) - cpu_before
            calls = sum(c.method != "getUpdates" for c in server.calls[calls_before:])
            memory = rss_mb(proc.pid)
            if spy is not None:
                spy.send_signal(signal.SIGINT)  # py-spy writes its stacks on Ctrl-C
                spy.wait(60)
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    await server.stop()
    count = len(latencies)
    ordered = sorted(latencies)
    return Result(count / elapsed, 1000 * cpu / count, 1000 * statistics.median(ordered),
                  1000 * ordered[min(count - 1, int(0.99 * count))], startup, memory, calls / count)


def available(bot: str) -> bool:
    if bot != "aiogram":
        return True
    try:
        import aiogram  # noqa: F401
    except ImportError:
        return False
    return True


async def main(quick: bool, profile: Path | None = None, only: list[str] | None = None,
               rounds: int | None = None, only_delays: list[int] | None = None) -> None:
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # bots stopped mid long-poll
    if profile is not None:
        from profile_summary import summarise

        r = await one_round("safebot", 150, 0.05, profile)
        print(f"safebot under py-spy, 150 users x 5, 50 ms: {r.updates_per_s:.0f} updates/s, "
              f"{r.cpu_ms_per_update:.2f} CPU ms per update (sampling adds a little), "
              f"{r.calls_per_update:.2f} Bot API calls per update\n")
        print(summarise(profile, 25))
        return
    users, default_rounds, delays = (10, 1, (0.0,)) if quick else (150, 3, (0.0, 0.05))
    rounds = rounds or default_rounds
    delays = tuple(ms / 1000 for ms in only_delays) if only_delays else delays
    bots = [b for b in ("safebot", "ptb-echo", "aiogram") if available(b) and (not only or b in only)]
    print(f"{users} users x 5 updates, {rounds} round(s), median; bots: {', '.join(bots)}; "
          f"{os.cpu_count()} cores; {time.strftime('%Y-%m-%d')}")
    for delay in delays:
        table: dict[str, Result] = {}
        for bot in bots:
            results = [await one_round(bot, users, delay) for _ in range(rounds)]
            table[bot] = Result(*(statistics.median(getattr(r, f) for r in results) for f in Result.__dataclass_fields__))
        print(f"\nBot API round trip {int(delay * 1000)} ms")
        print(f"| bot | updates/s | CPU ms per update | p50 ms | p99 ms | start-up s | RSS MB | API calls per update |")
        print("|---|---|---|---|---|---|---|---|")
        for bot, r in table.items():
            print(f"| {bot} | {r.updates_per_s:.0f} | {r.cpu_ms_per_update:.2f} | {r.p50_ms:.0f} | {r.p99_ms:.0f} | "
                  f"{r.startup_s:.1f} | {r.rss_mb:.0f} | {r.calls_per_update:.2f} |")
        ours = table.get("safebot")
        for peer in ("ptb-echo", "aiogram"):
            if ours and peer in table:
                print(f"safebot vs {peer}: throughput {ours.updates_per_s / table[peer].updates_per_s:.2f}x, "
                      f"CPU per update {ours.cpu_ms_per_update / table[peer].cpu_ms_per_update:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small load, one round (the test suite runs this)")
    parser.add_argument("--profile", type=Path, metavar="STACKS", help="safebot alone under py-spy; where its CPU goes")
    parser.add_argument("--bots", nargs="+", choices=("safebot", "ptb-echo", "aiogram"), help="only these bots")
    parser.add_argument("--rounds", type=int, help="rounds per bot and round trip (default 3, --quick 1)")
    parser.add_argument("--delays", nargs="+", type=int, metavar="MS", help="round trips in ms (default 0 and 50)")
    args = parser.parse_args()
    asyncio.run(main(args.quick, args.profile, args.bots, args.rounds, args.delays))
