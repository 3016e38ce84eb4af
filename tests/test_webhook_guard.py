"""The webhook server under hostile or odd traffic: WEBHOOK_URL's path, /metrics behind a
token, absurd authenticated bodies (400, never 500), a locked database (503 and a truthful
/healthz, nothing lost), and a thousand idle connections (a real process, 127.0.0.1)."""

import asyncio
import json
import socket
import sqlite3
import time

import pytest

from bot.channels.telegram import TelegramChannel
from bot.channels.web import INBOX, make_web_app, webhook_path
from bot.engine import Engine
from bot.store import Store
from telegram_harness import settings_for
from test_webhook import SECRET, USER, aiohttp_client_factory, update_json  # noqa: F401 (fixture)

OK = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture
async def served(bundle, server, tmp_path, aiohttp_client_factory):
    made = []

    async def make(**options):
        store = Store(tmp_path / "g.db")
        channel = TelegramChannel(Engine(bundle, store), settings_for(server, tmp_path / "g.db"))
        app = channel.build(with_updater=False)
        web_app = make_web_app(app, store, SECRET, **options)
        client = await aiohttp_client_factory(web_app)
        await app.initialize()
        await app.start()
        made.append((app, client, store))
        return app, client, store, web_app[INBOX]

    yield make
    for app, client, store in made:
        await web_app_inbox_drain(client)
        if app.running:
            await app.stop()
        await app.shutdown()
        await client.close()
        store.close()


async def web_app_inbox_drain(client):
    await client.server.app[INBOX].drain(timeout=5)


async def test_webhook_url_with_a_path_is_served_under_it(served, server):
    app, client, store, inbox = await served(webhook_url="https://ngo.example/safebot/")
    path = webhook_path(SECRET, "https://ngo.example/safebot")
    assert path.startswith("/safebot/telegram/")
    assert (await client.post(path, json=update_json(), headers=OK)).status == 200
    await server.wait_for(lambda: server.texts_to(USER))
    assert (await client.post(webhook_path(SECRET), json=update_json(update_id=2), headers=OK)).status == 404


async def test_metrics_need_the_token_when_one_is_set(served):
    app, client, store, inbox = await served(metrics_token="m-token-123")
    assert (await client.get("/metrics")).status == 401
    assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 401
    page = await client.get("/metrics", headers={"Authorization": "Bearer m-token-123"})
    text = await page.text()
    assert page.status == 200
    assert "safebot_inbox_depth 0" in text and "safebot_inbox_oldest_age_seconds" in text


async def test_absurd_authenticated_bodies_get_400_never_500(served, server):
    app, client, store, inbox = await served()
    path = webhook_path(SECRET)
    deep_array = b"[" * 100_000 + b"]" * 100_000
    deep_object = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
    huge_date = update_json(update_id=3)
    huge_date["message"]["date"] = 1e20
    no_chat = update_json(update_id=4)
    del no_chat["message"]["chat"]
    huge_id = update_json(update_id=2 ** 70)
    for body in (deep_array, deep_object, json.dumps(huge_date).encode(), json.dumps(no_chat).encode(),
                 json.dumps(huge_id).encode(), b'{"update_id": 5, "message": "x"}', b"null"):
        response = await client.post(path, data=body, headers=OK)
        assert response.status == 400, (body[:60], response.status)
    # an unknown kind of update is written down and quietly ignored
    assert (await client.post(path, json={"update_id": 6, "future_thing": {"x": 1}}, headers=OK)).status == 200
    assert (await client.post(path, json=update_json(update_id=7), headers=OK)).status == 200
    await server.wait_for(lambda: server.texts_to(USER))
    await server.wait_for(lambda: store.inbox_depth() == 0)


async def test_a_locked_database_neither_freezes_the_loop_nor_loses_an_update(served, server, tmp_path):
    app, client, store, inbox = await served()
    path = webhook_path(SECRET)
    other = sqlite3.connect(tmp_path / "g.db", isolation_level=None)  # e.g. a maintainer's tool
    # 1. written down just before the lock is taken: handled once the lock goes
    inbox.accept(__import__("telegram").Update.de_json(update_json("/start scam", update_id=10), app.bot))
    other.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    health = await client.get("/healthz")
    health_seconds = time.monotonic() - started
    body = await health.json()
    # 2. arriving while locked: 503, so Telegram sends it again (not acknowledged, not lost)
    started = time.monotonic()
    during = await client.post(path, json=update_json("/menu", update_id=11), headers=OK)
    post_seconds = time.monotonic() - started
    await asyncio.sleep(1.5)
    answered_while_locked = len(server.texts_to(USER))
    other.execute("ROLLBACK")
    other.close()
    print(f"\nlock held: /healthz {health.status} in {health_seconds:.3f} s ({body.get('reason')}); "
          f"a new update got {during.status} in {post_seconds:.3f} s; answers while locked: {answered_while_locked}")
    assert health.status == 503 and "locked" in body["reason"]
    assert during.status == 503
    assert health_seconds < 1.0 and post_seconds < 1.0  # the loop is not frozen for 5 s
    assert answered_while_locked == 0
    await server.wait_for(lambda: server.texts_to(USER), timeout=15)  # the written-down one, after the lock
    assert "job offers" in server.texts_to(USER)[0]
    assert (await client.post(path, json=update_json("/menu", update_id=11), headers=OK)).status == 200  # the resend
    await server.wait_for(lambda: len(server.texts_to(USER)) == 2, timeout=15)
    assert (await client.get("/healthz")).status == 200


async def test_idle_connections_are_closed_and_a_full_house_of_busy_ones_refuses_cleanly():
    from aiohttp import web

    from bot.channels.netguard import ConnectionGuard

    release = asyncio.Event()

    async def slow(request):
        await release.wait()
        return web.Response(text="done")

    guard = ConnectionGuard(cap=2, idle_seconds=0.5)
    web_app = web.Application(middlewares=[guard.middleware])
    web_app.router.add_get("/slow", slow)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    guard.server = runner.server
    server = await asyncio.get_running_loop().create_server(guard, "127.0.0.1", 0)
    guard.start()
    port = server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)  # idle
        assert await asyncio.wait_for(reader.read(), timeout=3) == b""  # closed by the server
        writer.close()
        busy = []
        for _ in range(2):
            r, w = await asyncio.open_connection("127.0.0.1", port)
            w.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            busy.append((r, w))
        await asyncio.sleep(0.2)
        r, w = await asyncio.open_connection("127.0.0.1", port)
        assert (await asyncio.wait_for(r.read(), timeout=3)).startswith(b"HTTP/1.1 503")
        w.close()
        release.set()
        for r, w in busy:
            assert b"done" in await asyncio.wait_for(r.read(200), timeout=3)
            w.close()
    finally:
        server.close()
        await guard.stop()
        await runner.cleanup()


def test_repeated_errors_are_logged_a_few_times_a_minute_then_counted():
    import logging

    from bot.channels.netguard import RepeatFilter

    now = [0.0]
    rf = RepeatFilter(per_minute=3, clock=lambda: now[0])
    record = lambda: logging.LogRecord("asyncio", logging.ERROR, "", 0, "socket.accept() out of system resource", None, None)
    kept = [rf.filter(record()) for _ in range(100_000)]
    assert sum(kept) == 3
    assert rf.filter(logging.LogRecord("x", logging.INFO, "", 0, "update_handled", None, None))  # events pass
    now[0] += 61
    last = record()
    assert rf.filter(last) and "99997" in last.getMessage()


async def test_a_client_that_disconnects_mid_body_leaves_no_traceback(served, caplog):
    import logging

    app, client, store, inbox = await served()
    caplog.set_level(logging.INFO)
    path = webhook_path(SECRET)
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write((f"POST {path} HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n"
                  "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"update_id\": 1").encode())
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.close()
    await asyncio.sleep(0.5)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert (await client.get("/healthz")).status == 200
