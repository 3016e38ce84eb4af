"""How many updates a second the Telegram channel handles, by concurrency bound.

The real Application (our Poller: batches handled chat by chat, concurrently up to the
bound, before they are confirmed; the engine and SQLite) against the
fake Bot API answering every call after 50 ms, as a far-away Telegram would. Each update
is a different user sending /menu (one getUpdates batch, one sendMessage each).
Run: python bench/bench_telegram.py  (about a minute on the 2-core machine)
"""

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bot.channels.telegram import Poller, TelegramChannel  # noqa: E402
from bot.engine import Engine, load  # noqa: E402
from bot.store import Store  # noqa: E402
from fakebotapi import FakeBotAPI  # noqa: E402
from telegram_harness import settings_for  # noqa: E402

UPDATES = 300
ROUND_TRIP = 0.05


async def measure(bundle, bound: int) -> float:
    server = await FakeBotAPI().start()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        channel = TelegramChannel(Engine(bundle, store), settings_for(server, Path(tmp) / "bench.db",
                                                                      moderator_chat_id=None), concurrency=bound)
        app = channel.build(with_updater=False)
        poller = Poller(channel, app)
        async with app:
            await app.start()
            polling = asyncio.create_task(poller.run())  # as `safebot run` polls
            await asyncio.sleep(0.2)
            server.delay = ROUND_TRIP
            started = time.perf_counter()
            for user in range(UPDATES):
                server.user_sends(100_000 + user, "/menu")
            await server.wait_for(lambda: len(server.sent("sendMessage")) >= UPDATES, timeout=600)
            elapsed = time.perf_counter() - started
            poller.stopping.set()
            await polling
            await app.stop()
        store.close()
    await server.stop()
    return UPDATES / elapsed


async def main() -> None:
    bundle, _ = load()
    print(f"{UPDATES} updates from {UPDATES} chats, {int(ROUND_TRIP * 1000)} ms per Bot API call")
    results = {}
    for bound in (1, 4, 8, 16, 32, 64, 128, 256):
        results[bound] = await measure(bundle, bound)
        print(f"concurrency {bound:>3}: {results[bound]:6.1f} updates/s")
    best = max(results.values())
    print("ratios to the best:", ", ".join(f"{b}: {r / best:.2f}" for b, r in results.items()))


if __name__ == "__main__":
    asyncio.run(main())
