"""A bare aiogram 3 echo bot (aiohttp transport), the leanest peer (bench_stack.py runs it).
Needs the optional extra: pip install -e '.[bench]'. Env: BENCH_TOKEN, BENCH_BASE_URL."""

import asyncio
import os

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message


async def main() -> None:
    base = os.environ["BENCH_BASE_URL"].removesuffix("/bot")
    bot = Bot(os.environ["BENCH_TOKEN"], session=AiohttpSession(api=TelegramAPIServer.from_base(base)))
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await bot.send_message(message.chat.id, message.text)

    @dp.callback_query()
    async def answer(query: CallbackQuery) -> None:
        await query.answer()

    await dp.start_polling(bot, polling_timeout=25, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(main())
