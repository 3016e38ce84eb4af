"""python-telegram-bot's HTTP transport on aiohttp instead of its default httpx.

Measured with bench/bench_stack.py --profile: httpx's connection pool and anyio layers
were a third of the bot's CPU per update; aiohttp (already a dependency, for the webhook
server) does the same calls for a fraction of it. Behaviour is the same as PTB's
HTTPXRequest: the same default time-outs, TimedOut on a time-out, NetworkError on any
other transport failure, the status and body handed back to PTB, which raises the
Telegram errors (BadRequest, Forbidden, RetryAfter...) itself.

Calls without files go as one JSON body (Telegram accepts application/json); calls
with files as multipart form data, each other parameter JSON-encoded as PTB does.
aiohttp has no write time-out: the read time-out bounds a stalled upload too.
"""

from __future__ import annotations

import asyncio
import functools
import json
import urllib.parse
import urllib.request

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's HTTPXRequest defaults, kept so nothing changes but the library underneath.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0


@functools.lru_cache(maxsize=64)
def _proxy_for_host(scheme: str, host: str) -> str | None:
    if urllib.request.proxy_bypass(host):
        return None
    return urllib.request.getproxies().get(scheme)


def proxy_for(url: str) -> str | None:
    """HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as httpx honours them (read once per host)."""
    parts = urllib.parse.urlsplit(url)
    return _proxy_for_host(parts.scheme, parts.hostname or "")


JSON_HEADERS = {"Content-Type": "application/json"}


def json_body(request_data: RequestData) -> bytes:
    """The body PTB's `RequestData.json_payload` makes, each value JSON-encoded once (its
    `json_parameters` encodes every value twice: once to drop the empty ones)."""
    return json.dumps({name: value if isinstance(value, str) else json.dumps(value)
                       for name, value in request_data.parameters.items()}).encode()


class AiohttpRequest(BaseRequest):
    __slots__ = ("_pool_size", "_session", "_read_timeout", "_connect_timeout", "_pool_timeout")

    def __init__(self, connection_pool_size: int = 1, read_timeout: float | None = READ_TIMEOUT,
                 connect_timeout: float | None = CONNECT_TIMEOUT, pool_timeout: float | None = POOL_TIMEOUT):
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies; keep none
                headers={"User-Agent": self.USER_AGENT},
                # trust_env would read ~/.netrc and the proxy variables in a thread on every
                # call (half the CPU in the profile): they are read once per host instead.
                trust_env=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _timeout(self, read_timeout, connect_timeout, pool_timeout) -> aiohttp.ClientTimeout:
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp's `connect` covers waiting for a pooled connection and making a new one.
        waiting = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(total=None, connect=waiting, sock_connect=connect, sock_read=read)

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE,
                         pool_timeout=BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        kwargs: dict = {"timeout": self._timeout(read_timeout, connect_timeout, pool_timeout),
                        "proxy": proxy_for(url)}
        if request_data is not None:
            if request_data.contains_files:
                files = request_data.multipart_data
                form = aiohttp.FormData(quote_fields=False)
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, part in files.items():
                    filename, content, *mime = part if isinstance(part, tuple) else (None, part)
                    form.add_field(name, content, filename=filename, content_type=mime[0] if mime else None)
                kwargs["data"] = form
            else:
                kwargs["data"] = json_body(request_data)
                kwargs["headers"] = JSON_HEADERS
        try:
            async with self._session.request(method, url, **kwargs) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


class UpdatesRequest(AiohttpRequest):
    """The getUpdates transport: keeps the updates of the last answer as Telegram sent
    them (JSON), so the inbox writes those down instead of serialising PTB's objects again."""

    __slots__ = ("last_result",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_result: list | None = None

    def parse_json_payload(self, payload: bytes):
        data = super().parse_json_payload(payload)
        result = data.get("result") if isinstance(data, dict) else None
        self.last_result = result if isinstance(result, list) else None
        return data

    def raw_of(self, updates) -> list[dict | None]:
        """The JSON of each of these updates (just fetched), None where it is not known."""
        raw = self.last_result or []
        if len(raw) != len(updates) or any(not isinstance(r, dict) or r.get("update_id") != u.update_id
                                           for r, u in zip(raw, updates)):
            return [None] * len(updates)
        return raw
