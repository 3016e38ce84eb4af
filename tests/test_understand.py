"""Typed text is understood: questions find screens in all 13 languages (measured on the
labelled questions in tests/data/questions/), and typing never breaks the flow."""

from pathlib import Path

import pytest
import yaml

from bot.i18n import SUPPORTED

QUESTIONS = Path(__file__).parent / "data" / "questions"
MIN_TOP3 = 0.8


def labelled(lang: str) -> dict[str, list[tuple[str, list[str]]]]:
    doc = yaml.safe_load((QUESTIONS / f"{lang}.yaml").read_text(encoding="utf-8"))
    return {part: [(str(item[0]), list(item[1])) for item in doc.get(part) or []] for part in ("tuned", "heldout", "review")}


def measure(index, lang: str, items: list[tuple[str, list[str]]]) -> dict[str, float]:
    """top1/top3: an expected screen ranked first / in the first three; topic: the reply
    (the screen shown, or the ones offered) has a screen of an expected topic."""
    top1 = top3 = topic = 0
    for question, expected in items:
        ranked = [s for s, _ in index.rank(question, (lang,)) if s in index.titles]
        top1 += bool(ranked[:1] and ranked[0] in expected)
        top3 += any(s in expected for s in ranked[:3])
        offered = index.answer(question, (lang,)).screens
        topics = {e.split("_")[0] for e in expected}
        topic += any(s.split("_")[0] in topics for s in offered)
    n = max(len(items), 1)
    return {"n": len(items), "top1": top1 / n, "top3": top3 / n, "topic": topic / n}


def test_questions_find_screens_in_every_language(engine, capsys):
    rows, failing = [], []
    for lang in SUPPORTED:
        parts = labelled(lang)
        assert len(parts["tuned"]) + len(parts["heldout"]) >= 30, f"{lang}: at least 30 labelled questions"
        everything = parts["tuned"] + parts["heldout"] + parts["review"]
        result = {name: measure(engine.questions, lang, items) for name, items in
                  (("all", everything), ("tuned", parts["tuned"]), ("heldout", parts["heldout"]))}
        rows.append((lang, result))
        if result["all"]["top3"] < MIN_TOP3:
            failing.append(lang)
    with capsys.disabled():
        print("\nquestion matching   all: n top1 top3 topic | tuned: top1 top3 | held-out: n top1 top3 topic")
        for lang, r in rows:
            a, t, h = r["all"], r["tuned"], r["heldout"]
            print(f"  {lang:8} {a['n']:4} {a['top1']:5.0%} {a['top3']:5.0%} {a['topic']:5.0%} | "
                  f"{t['top1']:5.0%} {t['top3']:5.0%} | {h['n']:3} {h['top1']:5.0%} {h['top3']:5.0%} {h['topic']:5.0%}")
    assert not failing, f"top-3 accuracy under {MIN_TOP3:.0%} in {failing}"
