"""The Procfile's commands as real processes against the fake Bot API: start, answer,
SIGTERM, kill -9 in the middle of a relay and exactly-once delivery after restart."""

import asyncio
import signal
import subprocess
import sys

import pytest

from conftest import CLEAN_ENV, ROOT
from fakebotapi import TOKEN, FakeBotAPI
from telegram_harness import MOD_CHAT

USER = 8880001


def procfile() -> dict[str, list[str]]:
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        entries[name.strip()] = command.split()
    return entries


def start(command: list[str], server: FakeBotAPI, db, **env) -> subprocess.Popen:
    assert command[0] == "safebot"
    environment = {**CLEAN_ENV, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
                   "SAFEBOT_DB": str(db), "SAFEBOT_RATE_LIMIT": "off", "MODERATOR_CHAT_ID": str(MOD_CHAT), **env}
    return subprocess.Popen([sys.executable, "-m", "bot", *command[1:]], cwd=ROOT, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(autouse=True)
def moderator_forum(server):
    server.forum_chats.add(MOD_CHAT)
    server.admin_chats.add(MOD_CHAT)


def mod_texts(server):
    return [c.params.get("text", "") for c in server.calls
            if c.ok and c.method == "sendMessage" and str(c.params.get("chat_id")) == str(MOD_CHAT)]


async def test_missing_or_malformed_token_is_one_line_and_exit_2(tmp_path):
    for token in ("", "not-a-token"):
        env = {**CLEAN_ENV, "TELEGRAM_BOT_TOKEN": token}
        out = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 2
        assert len(out.stderr.strip().splitlines()) == 1 and "TELEGRAM_BOT_TOKEN" in out.stderr
        assert "Traceback" not in out.stderr


async def test_worker_answers_and_stops_cleanly_on_sigterm(server, tmp_path):
    proc = start(procfile()["worker"], server, tmp_path / "w.db")
    try:
        server.user_sends(USER, "/start scam")
        await server.wait_for(lambda: server.texts_to(USER), timeout=30)
        assert "job offers" in server.texts_to(USER)[0]
        # updates that arrive together are all answered before the process exits
        for text in ("/menu", "/help", "/menu"):
            server.user_sends(USER, text)
        await asyncio.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.get_running_loop().run_in_executor(None, proc.wait, 30)
        assert code == 0, proc.stderr.read()
        assert len(server.texts_to(USER)) == 4
    finally:
        if proc.poll() is None:
            proc.kill()


async def test_kill_9_mid_relay_delivers_exactly_once_after_restart(server, tmp_path):
    db = tmp_path / "k.db"
    proc = start(procfile()["worker"], server, db)
    try:
        server.user_sends(USER, "/start human")
        await server.wait_for(lambda: server.texts_to(USER), timeout=30)
        server.user_presses(USER, server.last_message_id(USER), "a:human")
        await server.wait_for(lambda: any("Who is asking" in t for t in mod_texts(server)), timeout=30)
        server.user_sends(USER, "first message, delivered before the crash")
        await server.wait_for(lambda: any("first message" in t for t in mod_texts(server)), timeout=30)
        # the moderator group starts failing: the next relay is attempted and fails
        server.fail("sendMessage", status=500, times=10_000, chat_id=MOD_CHAT)
        server.user_sends(USER, "second message, in flight at the crash")
        await server.wait_for(lambda: any("second message" in c.params.get("text", "") for c in server.calls
                                          if c.method == "sendMessage" and not c.ok), timeout=30)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        server.failures.clear()
        proc = start(procfile()["worker"], server, db)
        await server.wait_for(lambda: any("second message" in t for t in mod_texts(server)), timeout=60)
        await asyncio.sleep(1.0)
        assert sum("first message" in t for t in mod_texts(server)) == 1
        assert sum("second message" in t for t in mod_texts(server)) == 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


async def test_kill_9_while_handling_loses_no_update(server, tmp_path):
    """The offset is confirmed only for handled updates: an update whose answer was still
    being sent when the process died is handled again after the restart."""
    db = tmp_path / "o.db"
    proc = start(procfile()["worker"], server, db)
    try:
        server.user_sends(USER, "/menu")
        await server.wait_for(lambda: server.texts_to(USER), timeout=30)
        server.fail("sendMessage", status=500, hang=30, chat_id=USER)  # the answer hangs
        server.user_sends(USER, "/start scam")
        await server.wait_for(lambda: len(server.sent("sendMessage", USER, ok_only=False)) >= 2, timeout=30)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        server.failures.clear()
        proc = start(procfile()["worker"], server, db)
        await server.wait_for(lambda: any("job offers" in t for t in server.texts_to(USER)), timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
