"""Add new English strings and their drafted translations to the catalogs, by appending.

    python -m bot.i18n_append drafts.yaml

drafts.yaml maps each new English message id to its translations:

    "Talk to a person now":
      my: "..."
      th: "..."
      # ... one entry per locale in bot.i18n.SUPPORTED (but en)

Entries are appended to locales/bot.pot and to every locales/<lang>/LC_MESSAGES/bot.po
(a message id already there is left alone), so branches that add strings at the same time
merge cleanly (.gitattributes: union). A later `pybabel extract` + `pybabel update` puts
them in file order. Nothing is removed or rewritten here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from babel.messages.pofile import normalize, read_po

from . import LOCALES_DIR
from .i18n import DOMAIN, SOURCE_LANGUAGE, SUPPORTED


def _entry(msgid: str, msgstr: str) -> str:
    return f"\nmsgid {normalize(msgid, width=0)}\nmsgstr {normalize(msgstr, width=0)}\n"


def _known(path: Path) -> set[str]:
    with path.open("rb") as f:
        return {m.id for m in read_po(f) if isinstance(m.id, str)}


def append(drafts: dict[str, dict[str, str]], locales_dir: Path = LOCALES_DIR) -> list[str]:
    """Append what is new; returns problems (a missing translation), appends nothing then."""
    problems = [f"{msgid[:50]!r}: no {lang}" for msgid, tr in drafts.items()
                for lang in SUPPORTED if lang != SOURCE_LANGUAGE and not (tr or {}).get(lang)]
    if problems:
        return problems
    pot = locales_dir / f"{DOMAIN}.pot"
    known = _known(pot)
    with pot.open("a", encoding="utf-8") as f:
        for msgid in drafts:
            if msgid not in known:
                f.write(_entry(msgid, ""))
    for lang in SUPPORTED:
        if lang == SOURCE_LANGUAGE:
            continue
        po = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        known = _known(po)
        with po.open("a", encoding="utf-8") as f:
            for msgid, translations in drafts.items():
                if msgid not in known:
                    f.write(_entry(msgid, translations[lang]))
    return []


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    drafts = yaml.safe_load(Path(argv[0]).read_text(encoding="utf-8")) or {}
    problems = append({str(k).strip(): v for k, v in drafts.items()})
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
