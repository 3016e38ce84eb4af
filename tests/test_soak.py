"""Soak: many users at once through the real Application and the fake Bot API, with
failures injected. Slow: run with `pytest -m slow`."""

import random

import pytest

from telegram_harness import running_bot

pytestmark = pytest.mark.slow

USERS = 150
MESSAGES = ["/start scam", "/menu", "/help", "/language", "/menu"]
FIRST_WORDS = ["Many people see job offers", "Main menu", "I give advice", "Choose your language", "Main menu"]


async def test_many_users_each_answered_in_order(bundle, server, tmp_path):
    random.seed(7)
    server.delay = 0.02
    # the real rate limiter, and Telegram saying "too many requests" now and then
    for _ in range(3):
        server.fail("sendMessage", status=429, retry_after=1)
    async with running_bot(bundle, server, tmp_path / "soak.db", moderator_chat_id=None, rate_limit=True):
        for round_ in range(len(MESSAGES)):
            for user in random.sample(range(USERS), USERS):
                server.user_sends(200_000 + user, MESSAGES[round_])
        await server.wait_for(lambda: len(server.sent("sendMessage")) >= USERS * len(MESSAGES), timeout=300)
        for user in range(USERS):
            texts = server.texts_to(200_000 + user)
            assert len(texts) == len(MESSAGES), (user, texts)
            for text, first in zip(texts, FIRST_WORDS):
                assert text.startswith(first), (user, text[:40], first)
