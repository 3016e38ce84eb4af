"""Channels: how people reach the engine (terminal, Telegram, HTTP). They depend on the
core; the core never imports them."""
