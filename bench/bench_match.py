"""Cost of understanding a typed message, in-process, with all 13 languages loaded.

Run: python bench/bench_match.py. Prints the time to build the question index (once, at
start-up) and the mean time per message of: question matching (rank and decide, the step
that reads every question), the navigation words, the country names, and the job-ad test.
Messages: the labelled questions of tests/data/questions/ in all languages, each matched in
its language (the engine also asks bot.safety.language.detect, timed apart). The first round fills the typo cache like a running bot's; the mean is over
the following rounds (and the cold first round is printed too).
"""

import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine import load  # noqa: E402
from bot.engine.jobad import looks_like_job_ad  # noqa: E402
from bot.engine.understand import QuestionIndex  # noqa: E402
from bot.i18n import SUPPORTED  # noqa: E402
from bot.safety.language import detect  # noqa: E402

ROUNDS = 20


def messages() -> list[tuple[str, str]]:
    found = []
    for lang in SUPPORTED:
        doc = yaml.safe_load((ROOT / "tests" / "data" / "questions" / f"{lang}.yaml").read_text(encoding="utf-8"))
        found += [(lang, str(item[0])) for part in ("tuned", "heldout", "review") for item in doc.get(part) or []]
    return found


def per_message(label: str, fn, items: list[tuple[str, str]], rounds: int = ROUNDS) -> float:
    started = time.perf_counter()
    for lang, text in items:
        fn(lang, text)
    cold = (time.perf_counter() - started) / len(items)
    started = time.perf_counter()
    for _ in range(rounds):
        for lang, text in items:
            fn(lang, text)
    mean = (time.perf_counter() - started) / (rounds * len(items))
    print(f"{label:28} {mean * 1e6:8.1f} µs per message (first round {cold * 1e6:.1f} µs)")
    return mean


def main() -> None:
    bundle, _ = load()
    vocab, signs = bundle.extra["vocab"], bundle.extra["jobad"]
    started = time.perf_counter()
    index = QuestionIndex(bundle, ignore=set(vocab.country_names))
    print(f"index of {len(index.titles)} screens in {len(index.languages)} languages built in "
          f"{time.perf_counter() - started:.2f} s")
    items = messages()
    print(f"{len(items)} messages in {len(SUPPORTED)} languages")
    per_message("question matching", lambda lang, text: index.answer(text, (lang,)), items)
    per_message("message language (detect)", lambda lang, text: detect(text), items)
    per_message("navigation words", lambda lang, text: vocab.intent(text, lang), items)
    per_message("country names", lambda lang, text: vocab.countries(text), items)
    per_message("job-ad test", lambda lang, text: looks_like_job_ad(text, signs, vocab), items)


if __name__ == "__main__":
    main()
