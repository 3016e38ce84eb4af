"""The `safebot` command line (also `python -m bot`). Names follow the design's contract:

  safebot chat [--lang LANG] [--db PATH]      the whole bot in a terminal
  safebot run                                  Telegram long polling
  safebot webhook                              aiohttp server: Telegram webhook, /healthz, /metrics
  safebot scan [--lang LANG] [--json] [TEXT]   red-flag analysis of a job offer (stdin if no TEXT)
  safebot content check [--json] [--stale]     validate dialogs, content and catalogs (--stale: what to re-check first)
  safebot content graph [TREE]                 Mermaid diagram of a dialog tree
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from .config import Settings

EXIT_CONTENT, EXIT_CONFIG = 1, 2


def setup_logging(level: int = logging.INFO) -> None:
    # One line per event, key=value; handlers log ids and kinds, never message text.
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)


def build_engine(db_path: str, checkin_seconds: int | None = None):
    """Load content once; refuse to start on content errors, with a readable message."""
    from .engine import Engine, load
    from .i18n import compile_catalogs
    from .store import Store

    bundle, problems = load()
    errors = [p for p in problems if p.level == "error"]
    if errors:
        for p in errors[:10]:
            print(p, file=sys.stderr)
        print(f"safebot: the content has {len(errors)} error(s); run `safebot content check`.", file=sys.stderr)
        raise SystemExit(EXIT_CONTENT)
    for error in compile_catalogs():
        print(f"safebot: warning: {error}", file=sys.stderr)
    engine = Engine(bundle=bundle, store=Store(db_path))
    engine.checkin_config.seconds = checkin_seconds  # SAFEBOT_CHECKIN_SECONDS
    return engine


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from .channels import console

    logging.getLogger().setLevel(logging.ERROR)  # the terminal is the conversation: no log lines in it
    engine = build_engine(args.db or settings.db_path, settings.checkin_seconds)
    engine.retention_days = settings.retention_days  # the privacy screen says it
    return console.run(engine, args.lang)


def cmd_scan(args: argparse.Namespace, settings: Settings) -> int:
    from .engine import load
    from .i18n import negotiate, translator
    from .safety.scan import scan

    text = " ".join(args.text) if args.text else sys.stdin.read()
    if not text.strip():
        print("safebot scan: no text given (pass TEXT or pipe it on stdin).", file=sys.stderr)
        return EXIT_CONFIG
    bundle, _ = load()
    redflags = bundle.extra["redflags"]
    lang = negotiate(args.lang) if args.lang else None
    result = scan(text, redflags, lang_hint=lang)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
        return 0
    from .safety.scan_report import text_report

    print(text_report(result, redflags, translator(result.language)))
    return 0


def print_recheck_list() -> int:
    """`safebot content check --stale`: what to re-check first, one fact a line."""
    from .engine import load
    from .engine.loader import recheck_list

    bundle, _ = load()
    stale = recheck_list(bundle)
    for fact, reasons in stale:
        print(f"{fact.topic:<13} {fact.country or '-':<3} {fact.id:<40} checked {fact.checked}  as of {fact.as_of:<10} "
              f"{fact.source_file}\n    {'; '.join(reasons)}\n    {fact.source}")
    print(f"{len(stale)} fact(s) to re-check, emergency numbers first. After comparing one with its source, "
          "set its `checked:` to that day (and `as_of:` to the date the source gives).")
    return 0


def cmd_content(args: argparse.Namespace, settings: Settings) -> int:
    from .engine.check import print_report, run_check

    if args.action == "check":
        if args.stale:
            return print_recheck_list()
        return print_report(run_check(), args.json)
    from .engine import load
    from .engine.graph import mermaid

    bundle, _ = load()
    try:
        print(mermaid(bundle, args.tree), end="")
    except KeyError:
        trees = sorted({s.source.removeprefix("dialogs/").removesuffix(".yaml") for s in bundle.screens.values()})
        print(f"safebot content graph: no tree '{args.tree}'. Trees: {', '.join(trees)}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


def cmd_telegram(args: argparse.Namespace, settings: Settings) -> int:
    from .channels import telegram

    if not telegram.token_looks_valid(settings.token):
        print("safebot: TELEGRAM_BOT_TOKEN is missing or malformed (expected 123456:ABC...). "
              "Get one from @BotFather; `safebot chat` works without it.", file=sys.stderr)
        return EXIT_CONFIG
    engine = build_engine(settings.db_path, settings.checkin_seconds)
    engine.retention_days = settings.retention_days  # the privacy screen says it
    if args.command == "run":
        return telegram.run_polling(engine, settings)
    return telegram.run_webhook(engine, settings)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="safebot", description="Safe Migration Bot")
    sub = p.add_subparsers(dest="command", required=True)
    chat = sub.add_parser("chat", help="talk to the bot in this terminal (no token needed)")
    chat.add_argument("--lang", help="language code, e.g. my, th, km (default: English)")
    chat.add_argument("--db", help="SQLite file (default: $SAFEBOT_DB or data/safebot.db)")
    chat.set_defaults(func=cmd_chat)
    sub.add_parser("run", help="Telegram long polling").set_defaults(func=cmd_telegram)
    sub.add_parser("webhook", help="Telegram webhook + /healthz + /metrics (aiohttp)").set_defaults(func=cmd_telegram)
    scan = sub.add_parser("scan", help="red-flag analysis of a job offer")
    scan.add_argument("--lang", help="language of the result (default: guessed from the text)")
    scan.add_argument("--json", action="store_true", help="machine-readable output")
    scan.add_argument("text", nargs="*", help="the offer (default: read stdin)")
    scan.set_defaults(func=cmd_scan)
    content = sub.add_parser("content", help="check or draw the content")
    content_sub = content.add_subparsers(dest="action", required=True)
    check = content_sub.add_parser("check", help="validate dialogs, content and catalogs")
    check.add_argument("--json", action="store_true", help="machine-readable, with coverage and stale facts")
    check.add_argument("--stale", action="store_true", help="list the facts to re-check first (emergency numbers first, oldest first)")
    graph = content_sub.add_parser("graph", help="Mermaid diagram of a tree")
    graph.add_argument("tree", nargs="?", help="dialogs/<TREE>.yaml (default: all)")
    content.set_defaults(func=cmd_content)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging()
    settings = Settings.from_env()
    from . import cases

    cases.set_daily_limit(settings.cases_per_user_per_day)
    try:
        return args.func(args, settings)
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:  # `safebot ... | head`: the reader has what it wanted
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
