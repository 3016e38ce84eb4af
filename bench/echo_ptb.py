"""A bare python-telegram-bot echo bot at its best setting (bench_stack.py runs it):
32 updates at once, an HTTP pool of 32, PTB's own Updater, no rate limiter.
Env: BENCH_TOKEN, BENCH_BASE_URL."""

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot.send_message(update.effective_chat.id, update.effective_message.text)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()


def main() -> None:
    app = (ApplicationBuilder().token(os.environ["BENCH_TOKEN"]).base_url(os.environ["BENCH_BASE_URL"])
           .concurrent_updates(32).connection_pool_size(32).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(answer))
    app.run_polling(poll_interval=0, timeout=25)


if __name__ == "__main__":
    main()
