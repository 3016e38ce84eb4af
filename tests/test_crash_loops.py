"""Slow: kill -9 loops in both modes and memory over a long mixed run, with real processes
against the fake Bot API (run with `pytest -m slow`).

Kill loop: a user in an open case and a moderator in its topic each send 60 numbered
messages, other users browse, Telegram answers some sends with 500; the bot is killed
with SIGKILL 20 times at random moments (0.3–3 s after it is ready) and restarted at
once. In webhook mode the test plays Telegram: an update is resent until it gets a 200.
Afterwards: PRAGMA integrity_check is ok, no relay is lost, and duplicates stay within
the documented at-least-once window (at most one per kill and direction: the relay or
update in flight at the moment of the kill).
"""

import asyncio
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time

import aiohttp
import pytest

from bot.channels.web import webhook_path
from conftest import CLEAN_ENV, ROOT
from fakebotapi import TOKEN
from telegram_harness import MOD_CHAT
from test_processes import start as start_worker
from test_webhook import SECRET
from test_webhook_processes import OK, free_port, start_web

pytestmark = pytest.mark.slow

ROUNDS = int(os.environ.get("KILL_ROUNDS", "20"))
RELAYS = 60
USER, MODERATOR = 8810001, 9002
BROWSERS = [8820001, 8820002, 8820003]


@pytest.fixture(autouse=True)
def moderator_forum(server):
    server.forum_chats.add(MOD_CHAT)
    server.admin_chats.add(MOD_CHAT)


class Telegram:
    """Delivers the fake's pending updates to the webhook like Telegram: resent until 200."""

    def __init__(self, server, port: int):
        self.server, self.port = server, port
        self.url = f"http://127.0.0.1:{port}{webhook_path(SECRET, 'https://ngo.example/safebot')}"
        self.task = None

    async def run(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            while True:
                pending = sorted(self.server.updates, key=lambda u: u["update_id"])[:8]
                if not pending:
                    await asyncio.sleep(0.02)
                    continue

                async def deliver(update):
                    try:
                        async with session.post(self.url, json=update, headers=OK) as r:
                            if r.status == 200 and update in self.server.updates:
                                self.server.updates.remove(update)
                    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                        await asyncio.sleep(0.1)  # down: try again
                await asyncio.gather(*(deliver(u) for u in pending))

    def start(self):
        self.task = asyncio.create_task(self.run())

    async def stop(self):
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


def count(texts, pattern):
    found = {}
    for text in texts:
        for n in re.findall(pattern, text):
            found[int(n)] = found.get(int(n), 0) + 1
    return found


def calls_of(server, method):
    return sum(1 for c in server.calls if c.method == method)


async def kill_loop(server, tmp_path, mode: str) -> dict:
    rng = random.Random(20 if mode == "polling" else 21)
    db, port = tmp_path / f"{mode}.db", free_port()
    ready_call = "deleteWebhook" if mode == "polling" else "setWebhook"
    telegram = Telegram(server, port) if mode == "webhook" else None

    def launch():
        if mode == "polling":
            return start_worker(["safebot", "run"], server, db)
        return start_web(server, db, port)

    async def until_ready(before: int, proc) -> None:
        await server.wait_for(lambda: calls_of(server, ready_call) > before or proc.poll() is not None, timeout=60)
        assert proc.poll() is None, proc.stderr.read()[-3000:]

    before = calls_of(server, ready_call)
    proc = launch()
    if telegram:
        telegram.start()
    try:
        await until_ready(before, proc)
        server.user_sends(USER, "help me they took my passport")  # an urgent case at once
        # the case's header in its topic: the topic is stored and moderators can write there
        await server.wait_for(lambda: any("URGENT" in t for t in server.texts_to(MOD_CHAT)), timeout=60)
        header = [c for c in server.calls if c.ok and c.method == "sendMessage" and "URGENT" in c.params.get("text", "")]
        topic = int(header[0].params["message_thread_id"])

        sent = {"u": 0, "m": 0}

        async def traffic():
            while sent["u"] < RELAYS or sent["m"] < RELAYS:
                if sent["u"] < RELAYS:
                    sent["u"] += 1
                    server.user_sends(USER, f"REL-U-{sent['u']:03d} from the user")
                if sent["m"] < RELAYS:
                    sent["m"] += 1
                    server.user_sends(MOD_CHAT, f"REL-M-{sent['m']:03d} from the team", user_id=MODERATOR,
                                      thread_id=topic)
                browser = rng.choice(BROWSERS)
                server.user_sends(browser, rng.choice(["/start", "/menu", "/help", "hello"]))
                if rng.random() < 0.3:  # Telegram fails now and then
                    server.fail(rng.choice(["sendMessage", "copyMessage"]), status=500, times=rng.randint(1, 3))
                await asyncio.sleep(rng.uniform(0.6, 1.8))  # spread over the 20 kills

        traffic_task = asyncio.create_task(traffic())
        kills = []
        for _ in range(ROUNDS):
            await asyncio.sleep(rng.uniform(0.3, 3.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            kills.append(round(time.monotonic(), 2))
            before = calls_of(server, ready_call)
            proc = launch()
            await until_ready(before, proc)
        await traffic_task
        server.failures.clear()
        try:
            await server.wait_for(lambda: len(count(server.texts_to(MOD_CHAT), r"REL-U-(\d{3})")) == RELAYS
                                  and len(count(server.texts_to(USER), r"REL-M-(\d{3})")) == RELAYS, timeout=300)
        except AssertionError:
            pass  # reported below as lost
        await asyncio.sleep(2)  # anything doubled arrives too
    finally:
        if telegram:
            await telegram.stop()
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except Exception:
                proc.kill()
    to_mods = count(server.texts_to(MOD_CHAT), r"REL-U-(\d{3})")
    to_user = count(server.texts_to(USER), r"REL-M-(\d{3})")
    integrity = sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0]
    db_rows = sqlite3.connect(db).execute(
        "SELECT direction, status, count(*), max(attempts), min(last_error) FROM outbox GROUP BY 1, 2").fetchall()
    inbox_left = sqlite3.connect(db).execute("SELECT count(*) FROM inbox WHERE done_at IS NULL").fetchone()[0]
    return {"kills": len(kills), "integrity": integrity, "outbox": db_rows, "inbox_left": inbox_left,
            "missing_u": sorted(set(range(1, RELAYS + 1)) - set(to_mods)),
            "missing_m": sorted(set(range(1, RELAYS + 1)) - set(to_user)),
            "user_to_mods_lost": RELAYS - len(to_mods), "user_to_mods_doubled": sum(v - 1 for v in to_mods.values()),
            "mods_to_user_lost": RELAYS - len(to_user), "mods_to_user_doubled": sum(v - 1 for v in to_user.values()),
            "injected_500s": sum(1 for c in server.calls if not c.ok)}


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_twenty_kill_9_in_a_row_lose_no_relay(server, tmp_path, mode):
    server.delay = 0.02
    result = await kill_loop(server, tmp_path, mode)
    print(f"\nkill -9 loop ({mode}): {result}")
    assert result["kills"] == ROUNDS and result["integrity"] == "ok"
    assert result["user_to_mods_lost"] == 0 and result["mods_to_user_lost"] == 0
    # the at-least-once window: at most one relay in flight per kill and direction
    assert result["user_to_mods_doubled"] <= ROUNDS and result["mods_to_user_doubled"] <= ROUNDS


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def test_memory_stays_flat_over_a_long_mixed_run(server, tmp_path):
    """12,000 updates from 400 users, pushed faster than they are answered (the bot lags):
    waiting updates live in SQLite, not in memory."""
    rng = random.Random(5)
    log = open(tmp_path / "mem.log", "w")  # a pipe nobody reads would fill and stop the bot
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, stdout=log, stderr=log, env={
        **CLEAN_ENV, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
        "SAFEBOT_DB": str(tmp_path / "mem.db"), "SAFEBOT_RATE_LIMIT": "off", "USER_MESSAGES_PER_MINUTE": "1000000"})
    try:
        server.user_sends(1, "/start")
        await server.wait_for(lambda: server.texts_to(1), timeout=60)
        users = [8900000 + i for i in range(400)]
        texts = ["/start", "/menu", "/help", "hello", "¿qué?", "1", "2", "ကျွန်တော်", "x" * 5000, "/language"]

        async def burst(n):
            for _ in range(n):
                server.user_sends(rng.choice(users), rng.choice(texts))
            await server.wait_for(lambda: not server.updates, timeout=300)

        await burst(2000)  # warm-up: content, catalogs, caches
        await asyncio.sleep(3)
        baseline = rss_mb(proc.pid)
        peak = baseline
        for _ in range(5):
            task = asyncio.create_task(burst(2000))
            while not task.done():
                peak = max(peak, rss_mb(proc.pid))
                await asyncio.sleep(0.2)
            await task
        await asyncio.sleep(3)
        end = rss_mb(proc.pid)
        print(f"\nmemory over 10,000 updates after warm-up: baseline {baseline:.1f} MB, peak {peak:.1f} MB, "
              f"end {end:.1f} MB")
        assert peak - baseline < 40 and end - baseline < 25
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        finally:
            if proc.poll() is None:
                proc.kill()
