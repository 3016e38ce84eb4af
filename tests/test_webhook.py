"""`safebot webhook`: the aiohttp server's checks, /healthz, /metrics, and the real process."""

import subprocess
import sys

import pytest

from bot.channels.telegram import TelegramChannel
from bot.channels.web import make_web_app, webhook_path
from bot.engine import Engine
from bot.store import Store
from conftest import CLEAN_ENV, ROOT
from fakebotapi import TOKEN
from telegram_harness import settings_for
from test_processes import procfile

SECRET = "s3cret-webhook-token_0123456789"
USER = 6660001


def update_json(text="/start scam", update_id=1):
    return {"update_id": update_id, "message": {
        "message_id": 1, "date": 0, "text": text, "chat": {"id": USER, "type": "private", "first_name": "T"},
        "from": {"id": USER, "is_bot": False, "first_name": "T", "language_code": "en"},
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}}


@pytest.fixture
async def web(bundle, server, tmp_path, aiohttp_client_factory):
    store = Store(tmp_path / "w.db")
    channel = TelegramChannel(Engine(bundle, store), settings_for(server, tmp_path / "w.db"))
    app = channel.build(with_updater=False)
    client = await aiohttp_client_factory(make_web_app(app, store, SECRET))
    yield app, client
    if app.running:
        await app.stop()
    await app.shutdown()
    await client.close()


@pytest.fixture
def aiohttp_client_factory():
    from aiohttp.test_utils import TestClient, TestServer

    async def make(web_app):
        client = TestClient(TestServer(web_app, host="127.0.0.1"))
        await client.start_server()
        return client
    return make


async def test_secret_header_is_checked_and_bad_bodies_rejected(web, server):
    app, client = web
    path = webhook_path(SECRET)
    assert SECRET not in path
    assert (await client.post(path, json=update_json())).status == 401
    assert (await client.post(path, json=update_json(), headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})).status == 401
    ok = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert (await client.post(path, data=b"{not json", headers=ok)).status == 400
    assert (await client.post(path, data=b"[1, 2]", headers=ok)).status == 400
    assert (await client.post(path, data=b"x" * (1024 * 1024 + 10), headers=ok)).status in (400, 413)
    assert (await client.post("/telegram/guess", json=update_json(), headers=ok)).status == 404


async def test_a_good_update_is_answered_fast_and_processed_after(web, server):
    app, client = web
    await app.initialize()
    await app.start()
    response = await client.post(webhook_path(SECRET), json=update_json(),
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status == 200
    await server.wait_for(lambda: server.texts_to(USER))
    assert "job offers" in server.texts_to(USER)[0]


async def test_healthz_and_metrics(web):
    app, client = web
    assert (await client.get("/healthz")).status == 503  # not started yet
    await app.initialize()
    await app.start()
    health = await client.get("/healthz")
    assert health.status == 200 and (await health.json())["db"] is True
    text = await (await client.get("/metrics")).text()
    for name in ("safebot_updates_handled_total", "safebot_errors_total", "safebot_handler_latency_seconds_bucket",
                 "safebot_open_cases", "safebot_outbox_backlog"):
        assert name in text


async def test_web_process_sets_the_webhook_with_its_secret(server, tmp_path):
    command = procfile()["web"]
    env = {**CLEAN_ENV, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url,
           "SAFEBOT_DB": str(tmp_path / "p.db"), "SAFEBOT_RATE_LIMIT": "off", "WEBHOOK_URL": "https://bot.example.org",
           "WEBHOOK_SECRET": SECRET, "PORT": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "bot", *command[1:]], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        await server.wait_for(lambda: server.webhook is not None, timeout=30)
        assert server.webhook["secret_token"] == SECRET
        assert server.webhook["url"] == "https://bot.example.org" + webhook_path(SECRET)
    finally:
        proc.terminate()
        assert proc.wait(30) == 0


async def test_webhook_without_secret_is_a_one_line_error(tmp_path):
    env = {**CLEAN_ENV, "TELEGRAM_BOT_TOKEN": TOKEN, "SAFEBOT_DB": str(tmp_path / "x.db")}
    out = subprocess.run([sys.executable, "-m", "bot", "webhook"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and "WEBHOOK_SECRET" in out.stderr and "Traceback" not in out.stderr
