"""A git merge driver for gettext catalogs: branches that each add entries merge entry by
entry, never line by line (a line merge can attach one branch's msgstr to the other's msgid).

Set up once per clone (see .gitattributes):

    git config merge.catalog.driver "python -m bot.i18n_merge %O %A %B"

Ours is kept as it is; entries that only theirs has are appended in theirs' own text; an
entry whose translation theirs changed (and ours did not) takes theirs'. Exit 1 (a conflict
git reports) only when both changed the same entry differently.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ENTRY_START = re.compile(r"^(#|msgctxt |msgid )")


def blocks(text: str) -> list[str]:
    """The file cut into entries (comments + msgid + msgstr), blank lines between them."""
    return [b.strip("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]


def entries(path: Path) -> dict[str, object]:
    with path.open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def key_of(block: str) -> object | None:
    """The msgid of one entry's text (None for the header and obsolete entries)."""
    from io import BytesIO

    catalog = read_po(BytesIO(block.encode("utf-8")))
    ids = [m.id for m in catalog if m.id]
    return ids[0] if ids else None


def merge(base: Path, ours: Path, theirs: Path) -> int:
    base_e, ours_e, theirs_e = entries(base), entries(ours), entries(theirs)
    text = ours.read_text(encoding="utf-8")
    conflicts = 0
    changed: dict[object, str] = {}
    appended: list[str] = []
    for block in blocks(theirs.read_text(encoding="utf-8")):
        key = key_of(block)
        if key is None:
            continue
        if key not in ours_e:
            appended.append(block)
        elif theirs_e[key] != base_e.get(key, theirs_e[key]) and ours_e[key] != theirs_e[key]:
            if ours_e[key] == base_e.get(key):
                changed[key] = block
            else:
                conflicts += 1
                print(f"catalog conflict in {ours}: {str(key)[:60]!r}", file=sys.stderr)
    if changed:
        kept = [changed.get(key_of(b), b) for b in blocks(text)]
        text = "\n\n".join(kept) + "\n"
    if appended:
        text = text.rstrip("\n") + "\n\n" + "\n\n".join(appended) + "\n"
    ours.write_text(text, encoding="utf-8")
    return 1 if conflicts else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(merge(*map(Path, sys.argv[1:])))
