"""Where the CPU goes, from py-spy's raw (collapsed) stacks: self and inclusive share per
function and per package. bench_stack.py --profile writes the stacks and calls this.

    python bench/profile_summary.py /tmp/safebot.stacks [--top 15]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^():]*)(?::\d+)?\)$")
LOOP_FRAMES = ("<module>", "run (", "run_forever", "_run_once", "_run (", "main (", "run_until", "_run_module",
               "_run_code")
STDLIB = {"json", "asyncio", "logging", "ssl", "sqlite3", "importlib", "concurrent", "python stdlib/other"}
LIBRARY_MODULES = {"selectors.py"}
LIBRARIES = {"telegram": "python-telegram-bot", "httpcore": "httpx", "anyio": "httpx", "h11": "httpx",
             "sniffio": "httpx", "yarl": "aiohttp", "multidict": "aiohttp"}


def frame_name(frame: str) -> tuple[str, str]:
    """('function (file)', file) with the line number dropped, so a function counts once."""
    m = FRAME.match(frame)
    if not m:
        return frame, ""
    path = m.group("file")
    short = "/".join(path.split("/")[-2:])
    return f"{m.group('func')} ({short})", path


def package(path: str) -> str:
    """py-spy names files relative to their sys.path entry: 'bot/store.py', 'httpx/_client.py'."""
    parts = path.split("/")
    if parts[0] == "bot":
        return "bot/" + (parts[1].removesuffix(".py") if len(parts) > 1 else "")
    if parts[0].endswith(".py") or parts[0].startswith("<"):
        return parts[0].removesuffix(".py") if parts[0] in LIBRARY_MODULES else "python stdlib/other"
    return LIBRARIES.get(parts[0], parts[0])


def summarise(path: Path, top: int = 15) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [frame_name(f) for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        frames = [f for f in frames if f[0]]
        if not frames:
            continue
        total += n
        own[frames[-1][0]] += n
        owners = [package(f[1]) for f in frames]
        libraries = [o for o in owners if o not in STDLIB]
        packages[libraries[-1] if libraries else owners[-1]] += n
        for name in {f[0] for f in frames}:
            inclusive[name] += n
    out = [f"{total} samples (py-spy leaves out idle time: waiting in select is not counted)", "",
           f"top {top} by self time (% of samples)"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    out += ["", f"top {top} by inclusive time (% of samples; the event loop's own frames left out)"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top + 12)
            if not name.startswith(LOOP_FRAMES)][:top]
    out += ["", "by package: the deepest frame outside the standard library (who asked for the work)"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in packages.most_common(top)]
    return "\n".join(out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stacks", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    print(summarise(args.stacks, args.top))
