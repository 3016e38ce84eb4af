"""`safebot webhook`: an aiohttp server for Telegram webhooks, with /healthz and /metrics.

POST /telegram/<hash of the secret>: the X-Telegram-Bot-Api-Secret-Token header must equal
WEBHOOK_SECRET (compared in constant time, 401 otherwise); bodies over 1 MB or not JSON
get 400. A good update is queued for python-telegram-bot and answered 200 at once; it is
processed after the answer, so Telegram never waits on our handlers.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import signal
import sys

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from ..config import Settings
from ..metrics import metrics
from .tg import allowed_updates

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Telegram's updates are far smaller; anything bigger is not Telegram
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")  # Telegram's allowed characters; 16+ for us


def webhook_path(secret: str) -> str:
    """The URL path, derived from the secret so it cannot be guessed either."""
    return "/telegram/" + hashlib.sha256(secret.encode()).hexdigest()[:32]


def make_web_app(app: Application, store, secret: str) -> web.Application:
    web_app = web.Application(client_max_size=MAX_BODY)
    expected = secret.encode()

    async def telegram_update(request: web.Request) -> web.Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(status=401, text="unauthorized")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=400, text="body too large")
        try:
            body = await request.read()
            if len(body) > MAX_BODY:
                return web.Response(status=400, text="body too large")
            data = json.loads(body)
            update = Update.de_json(data, app.bot)
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=400, text="body too large")
        except (ValueError, TypeError, KeyError, AttributeError):
            return web.Response(status=400, text="malformed update")
        if update is None:
            return web.Response(status=400, text="malformed update")
        await app.update_queue.put(update)
        return web.Response(text="ok")

    async def healthz(request: web.Request) -> web.Response:
        ok = app.running and store.ping()
        return web.json_response({"ok": ok, "bot": app.running, "db": store.ping()}, status=200 if ok else 503)

    async def metrics_page(request: web.Request) -> web.Response:
        return web.Response(text=metrics.render(), content_type="text/plain", charset="utf-8")

    web_app.router.add_post(webhook_path(secret), telegram_update)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics_page)
    return web_app


async def serve(channel, settings: Settings, stop: asyncio.Event | None = None) -> int:
    if not settings.webhook_url or not settings.webhook_secret or not SECRET_RE.match(settings.webhook_secret):
        print("safebot: webhook mode needs WEBHOOK_URL (https://your.host) and WEBHOOK_SECRET "
              "(16-256 characters: letters, digits, _ or -).", file=sys.stderr)
        return 2
    app = channel.build(with_updater=False)  # also registers the store's gauges (outbox)
    web_app = make_web_app(app, channel.engine.store, settings.webhook_secret)
    runner = web.AppRunner(web_app, access_log=None)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)  # SIGTERM: stop taking updates, finish the queued ones
    async with app:
        await app.start()
        await channel.post_init(app)  # commands, set-up check, outbox workers
        await runner.setup()
        site = web.TCPSite(runner, "0.0.0.0", settings.port)
        await site.start()
        url = settings.webhook_url.rstrip("/") + webhook_path(settings.webhook_secret)
        await app.bot.set_webhook(url=url, secret_token=settings.webhook_secret, allowed_updates=allowed_updates())
        log.info("webhook_serving port=%s", settings.port)
        print(f"safebot: webhook listening on port {settings.port}", flush=True)
        await stop.wait()
        await runner.cleanup()  # no new updates; the queue is drained by app.stop()
        await channel.post_stop(app)
        await app.stop()
    return 0
