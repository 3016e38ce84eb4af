import os
import sys
from pathlib import Path

import pytest

from bot.engine import Engine, load
from bot.engine.testing import ChatClient
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
# Subprocesses (safebot chat, safebot run) run from a clean environment: no real token.
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "MODERATOR_", "SAFEBOT_", "WEBHOOK_"))}


@pytest.fixture(scope="session")
def bundle():
    loaded, problems = load()
    errors = [p for p in problems if p.level == "error"]
    assert not errors, "\n".join(map(str, errors))
    return loaded


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "test.db")
    yield s
    s.close()


@pytest.fixture
def engine(bundle, store):
    return Engine(bundle=bundle, store=store)


@pytest.fixture
def chat(engine):
    return ChatClient(engine)


@pytest.fixture
async def server():
    """A fake Telegram Bot API on 127.0.0.1 (tests/fakebotapi.py)."""
    from fakebotapi import FakeBotAPI

    fake = await FakeBotAPI().start()
    yield fake
    await fake.stop()


@pytest.fixture
def safebot_cmd():
    """How to run the installed CLI in a subprocess."""
    return [sys.executable, "-m", "bot"]
