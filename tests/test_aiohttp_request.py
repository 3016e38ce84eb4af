"""The aiohttp transport under python-telegram-bot behaves as PTB's own httpx one: calls
arrive with their parameters (JSON, or a multipart form with a file), answers come back
as Telegram objects, and failures become the same Telegram errors."""

import socket

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels import aiohttp_request
from bot.channels.aiohttp_request import AiohttpRequest, UpdatesRequest, proxy_for
from fakebotapi import TOKEN

CHAT = 4440001


def bot_for(server, read_timeout: float = 5.0) -> Bot:
    return Bot(TOKEN, base_url=server.base_url, request=AiohttpRequest(4, read_timeout=read_timeout),
               get_updates_request=UpdatesRequest(1))


async def test_a_message_with_a_keyboard_arrives_and_comes_back_as_a_message(server):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="c:yes")]])
    async with bot_for(server) as bot:
        sent = await bot.send_message(CHAT, "Hello ✓", reply_markup=markup)
    assert sent.text == "Hello ✓" and sent.chat.id == CHAT
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "c:yes"
    call = server.calls[-1]
    assert call.method == "sendMessage" and call.params["text"] == "Hello ✓"


async def test_a_file_goes_as_a_multipart_form_with_the_other_parameters(server):
    async with bot_for(server) as bot:
        assert await bot.set_chat_photo(CHAT, photo=b"\x89PNG fake bytes") is True
    call = server.calls[-1]
    assert call.method == "setChatPhoto" and call.params["chat_id"] == str(CHAT)


@pytest.mark.parametrize("status, error", [(400, BadRequest), (403, Forbidden), (429, RetryAfter), (500, NetworkError)])
async def test_refusals_become_the_same_telegram_errors(server, status, error):
    server.fail("sendMessage", status=status, retry_after=3 if status == 429 else None)
    async with bot_for(server) as bot:
        with pytest.raises(error):
            await bot.send_message(CHAT, "x")


async def test_a_call_that_hangs_is_a_timeout(server):
    server.fail("sendMessage", hang=3.0)
    async with bot_for(server, read_timeout=0.3) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(CHAT, "x")


async def test_no_server_is_a_network_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there
    request = AiohttpRequest(1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
        assert not isinstance(caught.value, TimedOut)
    finally:
        await request.shutdown()


async def test_get_updates_keeps_the_json_as_telegram_sent_it(server):
    server.user_sends(CHAT, "hi there")
    updates_request = UpdatesRequest(1)
    async with Bot(TOKEN, base_url=server.base_url, request=AiohttpRequest(1),
                   get_updates_request=updates_request) as bot:
        updates = await bot.get_updates(timeout=0)
        raw = updates_request.raw_of(updates)
    assert len(updates) == 1 and raw[0]["update_id"] == updates[0].update_id
    assert raw[0]["message"]["text"] == "hi there"


def test_proxies_come_from_the_environment_once_per_host(monkeypatch):
    aiohttp_request._proxy_for_host.cache_clear()
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.ngo.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    try:
        assert proxy_for("https://api.telegram.org/bot1:x/getMe") == "http://proxy.ngo.example:3128"
        assert proxy_for("http://127.0.0.1:8081/bot1:x/getMe") is None
    finally:
        aiohttp_request._proxy_for_host.cache_clear()


def test_the_json_body_is_byte_for_byte_the_one_ptb_makes():
    from telegram.request import RequestData
    from telegram.request._requestparameter import RequestParameter
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Sí ✓", callback_data="c:yes")]])
    params = {"chat_id": CHAT, "text": "မင်္ဂလာပါ \"quoted\"", "reply_markup": markup, "disable_notification": False}
    data = RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])
    assert aiohttp_request.json_body(data) == data.json_payload
