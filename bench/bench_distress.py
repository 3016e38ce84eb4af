"""Cost of the distress check that every typed message goes through, in-process, with
all 13 languages' terms loaded.

Run: python bench/bench_distress.py. Prints µs per message for short chat messages in
several scripts (the common case), a 1 KB message and a 4 KB one (the longest the engine
looks at, limits.USER_TEXT_CHARS), each as the mean over many calls. The typo cache is
cleared before each run so that repeated words do not flatter the figure.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import limits  # noqa: E402
from bot.engine.model import Problem  # noqa: E402
from bot.safety.distress import load_distress  # noqa: E402

SHORT = [
    "hello, how much does a visa to Malaysia cost for a worker from Nepal?",
    "pls help they took our passports and we cant go outside",
    "သားရဲ့ passport ကို သိမ်းထားတယ်တဲ့ ပြန်လာလို့မရဘူး",
    "ลูกชายไปทำงานเมียวดี ตอนนี้โทรไม่ติด 10 วันแล้ว",
    "company le passport rakhyo, 4 mahina dekhi talab diyena",
    "kailangan ko daw magbayad ng 80k para makaalis papuntang hongkong",
    "我儿子去柬埔寨打工，两个星期联系不上了",
    "ខ្ញុំនៅទីនេះ បើចង់ទៅវិញត្រូវបង់ ៣០០០ ដុល្លារ",
]


def bench(label: str, matcher, texts: list[str], rounds: int) -> float:
    matcher.mend.cache_clear()
    for text in texts:
        matcher.match(text)  # warm up the compiled patterns
    matcher.mend.cache_clear()
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            matcher.match(text)
    mean = (time.perf_counter() - started) / (rounds * len(texts))
    print(f"{label:44} {mean * 1e6:9.1f} µs per message")
    return mean


def main() -> None:
    problems: list[Problem] = []
    started = time.perf_counter()
    matcher = load_distress(ROOT / "content", problems)
    loaded = time.perf_counter() - started
    terms = matcher.terms
    count = (sum(len(v) for v in terms.latin.values()) + sum(len(v) for v in terms.compact.values())
             + len(terms.latin_regex) + len(terms.compact_regex) + len(terms.plain_regex))
    print(f"{len(matcher.languages)} languages, {count} terms and patterns, loaded in {loaded * 1e3:.0f} ms"
          + (f" ({len(problems)} problems)" if problems else ""))
    bench("short chat messages (8 scripts)", matcher, SHORT, 300)
    one_kb = (" ".join(SHORT) * 3)[:1024]
    bench("a 1 KB message", matcher, [one_kb], 200)
    longest = (" ".join(SHORT) * 12)[: limits.USER_TEXT_CHARS]
    bench(f"a {limits.USER_TEXT_CHARS}-character message", matcher, [longest], 50)


if __name__ == "__main__":
    main()
