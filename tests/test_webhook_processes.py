"""`safebot webhook` as a real process on 127.0.0.1 against the fake Bot API: kill -9 right
after a burst of 200 acknowledged updates loses none; a thousand idle connections (with the
common descriptor limit of 1,024) stop neither /healthz nor real updates."""

import asyncio
import resource
import signal
import socket
import subprocess
import sys
import time

import aiohttp
import pytest

from bot.channels.web import webhook_path
from conftest import CLEAN_ENV, ROOT
from fakebotapi import TOKEN
from telegram_harness import MOD_CHAT
from test_webhook import SECRET

OK = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_web(server, db, port, nofile: int | None = None, **env) -> subprocess.Popen:
    environment = {**CLEAN_ENV, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
                   "SAFEBOT_DB": str(db), "SAFEBOT_RATE_LIMIT": "off", "MODERATOR_CHAT_ID": str(MOD_CHAT),
                   "WEBHOOK_URL": "https://ngo.example/safebot", "WEBHOOK_SECRET": SECRET, "PORT": str(port), **env}

    def limit_descriptors():
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    return subprocess.Popen([sys.executable, "-m", "bot", "webhook"], cwd=ROOT, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=limit_descriptors)


async def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read()
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the webhook server did not come up")


def start_update(user: int, update_id: int, text: str = "/start scam") -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "chat": {"id": user, "type": "private", "first_name": "T"},
        "from": {"id": user, "is_bot": False, "first_name": "T", "language_code": "en"},
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}}


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


@pytest.fixture(autouse=True)
def moderator_forum(server):
    server.forum_chats.add(MOD_CHAT)
    server.admin_chats.add(MOD_CHAT)


async def test_kill_9_right_after_a_burst_of_200_loses_no_update(server, tmp_path):
    server.delay = 0.05  # the answers take time: most updates are still waiting at the kill
    port, db = free_port(), tmp_path / "burst.db"
    path = webhook_path(SECRET, "https://ngo.example/safebot")
    users = [9100000 + i for i in range(200)]
    proc = start_web(server, db, port)
    try:
        await wait_listening(port, proc)
        connector = aiohttp.TCPConnector(limit=40)  # Telegram's default max_connections
        async with aiohttp.ClientSession(connector=connector) as session:
            async def post(n, user):
                async with session.post(f"http://127.0.0.1:{port}{path}", json=start_update(user, 1000 + n),
                                        headers=OK) as r:
                    return r.status
            statuses = await asyncio.gather(*(post(n, u) for n, u in enumerate(users)))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        acknowledged = statuses.count(200)
        answered_before = sum(1 for u in users if server.texts_to(u))
        proc = start_web(server, db, port)
        await server.wait_for(lambda: all(server.texts_to(u) for u in users), timeout=120)
        lost = sum(1 for u in users if not server.texts_to(u))
        doubled = sum(1 for u in users if len(server.texts_to(u)) > 1)
        print(f"\nwebhook kill -9 after a burst: {acknowledged}/200 acknowledged, {answered_before} answered "
              f"before the kill, lost after restart: {lost}, answered twice (at-least-once window): {doubled}")
        assert acknowledged == 200 and lost == 0
        assert doubled <= 40  # at most the updates in flight at the kill (one per connection)
    finally:
        stop(proc)


async def test_a_thousand_idle_connections_do_not_stop_healthz_or_updates(server, tmp_path):
    port, db = free_port(), tmp_path / "idle.db"
    path = webhook_path(SECRET, "https://ngo.example/safebot")
    proc = start_web(server, db, port, nofile=1024)  # the common soft limit
    idle: list[socket.socket] = []
    try:
        await wait_listening(port, proc)
        for n in range(1000):  # slow-loris: half a request line, then nothing
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            if n % 2:
                s.send(b"POST /safebot/telegram/x HTTP/1.1\r\nHost: a")
            idle.append(s)
        await asyncio.sleep(0.5)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            started = time.monotonic()
            async with session.get(f"http://127.0.0.1:{port}/healthz") as r:
                health = r.status
            health_seconds = time.monotonic() - started
            started = time.monotonic()
            async with session.post(f"http://127.0.0.1:{port}{path}", json=start_update(9200001, 1), headers=OK) as r:
                posted = r.status
            await server.wait_for(lambda: server.texts_to(9200001), timeout=10)
            answer_seconds = time.monotonic() - started
        closed = 0
        for s in idle:
            s.setblocking(False)
            try:
                closed += s.recv(1) == b""
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
        print(f"\n1,000 idle connections (nofile 1,024): /healthz {health} in {health_seconds:.3f} s, "
              f"a real update {posted} and answered in {answer_seconds:.3f} s; "
              f"{closed} idle connections closed by the server so far")
        assert health == 200 and posted == 200
    finally:
        for s in idle:
            s.close()
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(30) == 0
        finally:
            stop(proc)
        log = proc.stderr.read()
        assert "Traceback" not in log
        assert len(log.splitlines()) < 200, len(log.splitlines())
