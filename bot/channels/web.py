"""`safebot webhook`: an aiohttp server for Telegram webhooks, with /healthz and /metrics.

POST <path of WEBHOOK_URL>/telegram/<hash of the secret>: the X-Telegram-Bot-Api-Secret-Token
header must equal WEBHOOK_SECRET (compared in constant time, 401 otherwise); bodies over
1 MB, not JSON or not an update get 400. A good update is written to the durable inbox
and only then answered 200 (503 when the database is locked, so Telegram sends it again);
it is handled after the answer, so Telegram never waits on our handlers, and a crash
loses nothing (bot.channels.inbox).

GET /healthz: 200 {"ok": true, ...}, or 503 with a "reason".
GET /metrics: Prometheus text; with METRICS_TOKEN set, only with `Authorization: Bearer <token>`.
Connection limits and time-outs: bot.channels.netguard.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import signal
import sqlite3
import sys
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from ..config import Settings
from ..limits import BODY_READ_SECONDS, CONCURRENT_UPDATES, KEEPALIVE_SECONDS
from ..metrics import metrics
from .inbox import Inbox, shape_problem, store_is_busy
from .netguard import ConnectionGuard, connection_cap, raise_descriptor_limit, throttle_logging
from .tg import allowed_updates

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Telegram's updates are far smaller; anything bigger is not Telegram
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")  # Telegram's allowed characters; 16+ for us
MAX_UPDATE_ID = 2 ** 63 - 1  # SQLite's INTEGER
STORE_STUCK_SECONDS = 5.0  # /healthz says 503 when the inbox could not write for this long
INBOX = web.AppKey("inbox", Inbox)


def webhook_path(secret: str, webhook_url: str | None = None) -> str:
    """The URL path: WEBHOOK_URL's own path (a shared reverse proxy), then a part derived
    from the secret so it cannot be guessed either."""
    prefix = urlsplit(webhook_url).path.rstrip("/") if webhook_url else ""
    return prefix + "/telegram/" + hashlib.sha256(secret.encode()).hexdigest()[:32]


class Malformed(ValueError):
    """Not a Telegram update (only reachable with the right secret)."""


def parse_update(body: bytes, bot) -> tuple[Update, dict]:
    try:
        data = json.loads(body)
        update = Update.de_json(data, bot) if isinstance(data, dict) else None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError, OSError) as exc:
        raise Malformed(type(exc).__name__) from None
    if update is None or not isinstance(update.update_id, int) or not 0 <= update.update_id <= MAX_UPDATE_ID:
        raise Malformed("no update_id")
    problem = shape_problem(update)
    if problem:
        raise Malformed(problem)
    return update, data


def make_web_app(app: Application, store, secret: str, *, inbox: Inbox | None = None, webhook_url: str | None = None,
                 metrics_token: str | None = None, guard: ConnectionGuard | None = None) -> web.Application:
    web_app = web.Application(client_max_size=MAX_BODY, middlewares=[guard.middleware] if guard else [])
    expected = secret.encode()
    inbox = inbox or Inbox(app, store, CONCURRENT_UPDATES)
    web_app[INBOX] = inbox

    async def telegram_update(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(status=401, text="unauthorized")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=400, text="body too large")
        try:
            body = await asyncio.wait_for(request.read(), BODY_READ_SECONDS)
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=400, text="body too large")
        except asyncio.TimeoutError:
            return web.Response(status=408, text="body too slow")
        except (ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
            log.info("webhook_client_gone error=%s", type(exc).__name__)  # nobody left to answer
            return web.Response(status=400, text="incomplete")
        if len(body) > MAX_BODY:
            return web.Response(status=400, text="body too large")
        try:
            update, raw = parse_update(body, app.bot)
            inbox.accept(update, raw)
        except Malformed as exc:
            log.warning("webhook_malformed reason=%s", exc)
            return web.Response(status=400, text="malformed update")
        except sqlite3.OperationalError as exc:
            if store_is_busy(exc):  # not written down: Telegram must send it again
                return web.Response(status=503, text="busy, retry")
            raise
        except (ValueError, TypeError, OverflowError, RecursionError, UnicodeError) as exc:
            log.warning("webhook_unstorable error=%s", type(exc).__name__)
            return web.Response(status=400, text="malformed update")
        return web.Response(text="ok")

    async def healthz(request: web.Request) -> web.Response:
        db = store.ping()
        reason = None
        if not app.running:
            reason = "the bot is not running"
        elif not db:
            reason = "the database cannot be read"
        elif inbox.store_stuck_for() > STORE_STUCK_SECONDS or not store.writable():
            reason = "the database is locked by another process"
        body = {"ok": reason is None, "bot": app.running, "db": db, "inbox": inbox.oldest_age() if db else None}
        if reason:
            body["reason"] = reason
        return web.json_response(body, status=200 if reason is None else 503)

    async def metrics_page(request: web.Request) -> web.Response:
        if metrics_token:
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, f"Bearer {metrics_token}".encode()):
                return web.Response(status=401, text="unauthorized", headers={"WWW-Authenticate": "Bearer"})
        return web.Response(text=metrics.render(), content_type="text/plain", charset="utf-8")

    web_app.router.add_post(webhook_path(secret, webhook_url), telegram_update)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics_page)
    return web_app


async def serve(channel, settings: Settings, stop: asyncio.Event | None = None) -> int:
    if not settings.webhook_url or not settings.webhook_secret or not SECRET_RE.match(settings.webhook_secret):
        print("safebot: webhook mode needs WEBHOOK_URL (https://your.host) and WEBHOOK_SECRET "
              "(16-256 characters: letters, digits, _ or -).", file=sys.stderr)
        return 2
    throttle_logging()
    guard = ConnectionGuard(cap=connection_cap(raise_descriptor_limit()))
    app = channel.build(with_updater=False)  # also registers the store's gauges (outbox)
    store = channel.engine.store
    inbox = Inbox(app, store, channel.concurrency)
    web_app = make_web_app(app, store, settings.webhook_secret, inbox=inbox, webhook_url=settings.webhook_url,
                           metrics_token=settings.metrics_token, guard=guard)
    runner = web.AppRunner(web_app, access_log=None, keepalive_timeout=KEEPALIVE_SECONDS)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)  # SIGTERM: stop taking updates, finish the running ones
    async with app:
        await app.start()
        await channel.post_init(app)  # commands, set-up check, outbox workers
        inbox.resume()  # what a crash left written down but not handled
        await runner.setup()
        guard.server = runner.server
        server = await loop.create_server(guard, "0.0.0.0", settings.port, backlog=guard.cap)
        guard.start()
        port = server.sockets[0].getsockname()[1]
        url = settings.webhook_url.rstrip("/") + webhook_path(settings.webhook_secret)
        await app.bot.set_webhook(url=url, secret_token=settings.webhook_secret, allowed_updates=allowed_updates())
        log.info("webhook_serving port=%s connections=%d", port, guard.cap)
        print(f"safebot: webhook listening on port {port}", flush=True)
        await stop.wait()
        server.close()  # no new connections, then no new updates
        await guard.stop()
        await runner.cleanup()
        await inbox.drain()  # the rest waits in the inbox for the next start
        await channel.post_stop(app)
        await app.stop()
    return 0
