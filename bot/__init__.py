"""Safe Migration Bot: safe-migration advice in the reader's language, and a human when it matters."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIALOGS_DIR = ROOT / "dialogs"
CONTENT_DIR = ROOT / "content"
LOCALES_DIR = ROOT / "locales"
