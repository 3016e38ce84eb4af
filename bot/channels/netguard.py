"""Guards for the public webhook server, which anyone on the internet can connect to.

- ConnectionGuard: a cap on open connections. A connection with no request in progress
  (slow headers, an idle keep-alive) is closed after CONNECTION_IDLE_SECONDS; at the cap
  a new connection pushes out the longest-idle one, and only when every connection is
  busy is the newcomer refused with a plain 503. So a thousand idle or slow-loris
  connections cannot use up the descriptors, and /healthz and Telegram still get in.
- raise_descriptor_limit(): the soft RLIMIT_NOFILE raised towards the hard limit.
- RepeatFilter: the same warning or error at most LOG_REPEATS_PER_MINUTE times a minute,
  then one line saying how many were left out (no log of millions of lines).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable

from aiohttp import web

from ..limits import (CONNECTION_IDLE_SECONDS, LOG_REPEATS_PER_MINUTE, MAX_CONNECTIONS,
                      RESERVED_DESCRIPTORS, WANTED_DESCRIPTORS)
from ..metrics import metrics

log = logging.getLogger(__name__)

REFUSAL = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def raise_descriptor_limit(wanted: int = WANTED_DESCRIPTORS) -> int:
    """Raise the soft limit on open files where allowed; returns the limit in force."""
    try:
        import resource
    except ImportError:  # not on this platform
        return MAX_CONNECTIONS + RESERVED_DESCRIPTORS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            log.warning("descriptor_limit_not_raised soft=%s hard=%s", soft, hard)
    return soft if soft != resource.RLIM_INFINITY else wanted


def connection_cap(descriptors: int, wanted: int = MAX_CONNECTIONS) -> int:
    return max(16, min(wanted, descriptors - RESERVED_DESCRIPTORS))


class _Connection(asyncio.Protocol):
    """Passes everything to aiohttp's handler and tells the guard when it opens and closes."""

    def __init__(self, guard: "ConnectionGuard", inner: asyncio.Protocol):
        self.guard = guard
        self.inner = inner
        self.transport: asyncio.BaseTransport | None = None
        self.busy = 0  # requests in progress
        self.idle_since = time.monotonic()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.guard.opened(self)
        self.inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.closed(self)
        self.inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


class _Refusal(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        metrics.inc("safebot_connections_refused_total")
        transport.write(REFUSAL)  # type: ignore[attr-defined]
        transport.close()


class ConnectionGuard:
    """A protocol factory for loop.create_server wrapping aiohttp's web.Server."""

    def __init__(self, cap: int = MAX_CONNECTIONS, idle_seconds: float = CONNECTION_IDLE_SECONDS):
        self.cap = cap
        self.idle_seconds = idle_seconds
        self.server: Callable[[], asyncio.Protocol] | None = None  # runner.server, once set up
        self.open: dict[Any, _Connection] = {}  # transport -> connection, oldest first
        self._watch: asyncio.Task | None = None
        metrics.gauges["safebot_open_connections"] = lambda: len(self.open)

    def __call__(self) -> asyncio.Protocol:
        assert self.server is not None, "set guard.server = runner.server first"
        if len(self.open) >= self.cap and not self._evict_idlest():
            return _Refusal()
        return _Connection(self, self.server())

    def opened(self, conn: _Connection) -> None:
        self.open[conn.transport] = conn

    def closed(self, conn: _Connection) -> None:
        self.open.pop(conn.transport, None)

    def _evict_idlest(self) -> bool:
        idle = [c for c in self.open.values() if not c.busy and not c.transport.is_closing()]
        if not idle:
            return False
        victim = min(idle, key=lambda c: c.idle_since)
        self.open.pop(victim.transport, None)  # its slot is free now; closing follows
        victim.close()
        metrics.inc("safebot_connections_evicted_total")
        return True

    @web.middleware
    async def middleware(self, request: web.Request, handler):
        conn = self.open.get(request.transport)
        if conn is None:
            return await handler(request)
        conn.busy += 1
        try:
            return await handler(request)
        finally:
            conn.busy -= 1
            conn.idle_since = time.monotonic()

    def start(self) -> None:
        self._watch = asyncio.create_task(self._close_idle_forever(), name="connection-guard")

    async def stop(self) -> None:
        if self._watch:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
        for conn in list(self.open.values()):
            conn.close()

    async def _close_idle_forever(self) -> None:
        while True:
            await asyncio.sleep(min(1.0, self.idle_seconds / 2))
            self.close_idle()

    def close_idle(self) -> None:
        deadline = time.monotonic() - self.idle_seconds
        for conn in list(self.open.values()):
            if not conn.busy and conn.idle_since < deadline:
                conn.close()


class RepeatFilter(logging.Filter):
    """At most `per_minute` copies of one warning/error a minute; then a count."""

    def __init__(self, per_minute: int = LOG_REPEATS_PER_MINUTE, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.per_minute = per_minute
        self.clock = clock
        self.window_start = clock()
        self.seen: dict[tuple, int] = {}
        self.suppressed = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True  # one line per event at INFO is the normal log
        now = self.clock()
        if now - self.window_start >= 60:
            if self.suppressed:
                record.msg = f"{record.msg} (and {self.suppressed} repeated warnings/errors left out in the last minute)"
            self.window_start, self.seen, self.suppressed = now, {}, 0
        try:
            key = (record.name, record.levelno, record.getMessage()[:200])
        except Exception:
            key = (record.name, record.levelno, str(record.msg)[:200])
        count = self.seen.get(key, 0) + 1
        if len(self.seen) < 10_000 or key in self.seen:
            self.seen[key] = count
        if count > self.per_minute:
            self.suppressed += 1
            return False
        return True


def throttle_logging() -> None:
    """Install the RepeatFilter on the root handlers (once)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RepeatFilter) for f in handler.filters):
            handler.addFilter(RepeatFilter())
