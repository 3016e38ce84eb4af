"""`safebot content check`: each kind of mistake in deliberately broken content is reported,
and the real content passes."""

import json
import subprocess

from bot.engine.loader import load
from conftest import CLEAN_ENV, ROOT

BROKEN = ROOT / "tests" / "fixtures" / "broken"


def problems():
    _, found = load(BROKEN / "dialogs", BROKEN / "content")
    return [(p.level, p.where, p.message) for p in found]


def has(level, where_part, message_part):
    return any(level == lv and where_part in w and message_part in m for lv, w, m in problems())


def test_each_kind_of_error_is_reported():
    assert has("error", "broken_yaml.yaml", "not valid YAML")
    assert has("error", "main: button 2", "missing screen 'no_such_screen'")
    assert has("error", "main: button 3", "exactly one of 'go' or 'action'")
    assert has("error", "main: button 4", "characters (max 30)")
    assert has("error", "main: button 5", "unknown action 'teleport'")
    assert has("error", "main: button 6", "over 64 bytes")
    assert has("error", "costs", "unknown key 'colour'")
    assert has("error", "costs", "unknown placeholder")
    assert has("error", "costs", "'no_such_topic' is neither a fact id nor a topic")
    assert has("error", "costs", "hotline@origin")  # a country topic needs a country
    assert has("error", "costs", "after @ use one of")
    assert has("error", "costs", "no 'no_facts:' text")
    assert has("error", "dead_end", "dead end")
    assert has("error", "lonely", "unreachable")
    assert has("error", "toolong", "keep it under 1000")
    assert has("error", "a_screen_id_that_is", "at most 40 characters")
    assert has("error", "dialogs", "screen 'help' is missing")
    assert has("error", "no_source", "missing source")
    assert has("error", "missing_amount", "amounts has no such entry")
    assert has("error", "wrong_country", "unknown country 'XX'")
    assert has("error", "wrong_country", "source must be a URL")
    assert has("error", "wrong_country", "as_of must be")
    assert has("error", "bad_topic", "unknown topic 'gossip'")
    assert has("warning", "old_fact", "stale: last checked 2020-01-01")
    assert has("warning", "old_fact", "over three years old")


def test_real_content_passes_and_reports_coverage(safebot_cmd):
    out = subprocess.run([*safebot_cmd, "content", "check", "--json"], capture_output=True, text=True,
                         timeout=120, cwd=ROOT, env=CLEAN_ENV)
    report = json.loads(out.stdout)
    assert out.returncode == 0, json.dumps(report["errors"][:5], indent=1)
    assert report["ok"] is True and report["screens"] >= 60
    assert set(report["coverage"]) == {"my", "th", "km", "lo", "vi", "id", "fil", "ne", "bn", "si", "hi", "zh_Hans"}
    for lang, cov in report["coverage"].items():
        assert cov["translated"] == cov["total"] and cov["missing"] == 0, lang
    assert isinstance(report["stale_facts"], list)


def test_graph_draws_a_tree(safebot_cmd):
    out = subprocess.run([*safebot_cmd, "content", "graph", "costs"], capture_output=True, text=True,
                         timeout=60, cwd=ROOT, env=CLEAN_ENV)
    assert out.returncode == 0
    assert out.stdout.startswith("flowchart TD")
    assert "costs -->" in out.stdout and "costs_fees" in out.stdout
    bad = subprocess.run([*safebot_cmd, "content", "graph", "nope"], capture_output=True, text=True,
                         timeout=60, cwd=ROOT, env=CLEAN_ENV)
    assert bad.returncode == 2 and "Trees:" in bad.stderr


def test_stale_lists_emergency_numbers_first_with_their_sources(safebot_cmd):
    out = subprocess.run([*safebot_cmd, "content", "check", "--stale"], capture_output=True, text=True,
                         timeout=60, cwd=ROOT, env=CLEAN_ENV)
    assert out.returncode == 0, out.stderr
    facts = [line.split()[0] for line in out.stdout.splitlines() if line and not line.startswith(" ")][:-1]
    assert facts and facts[0] == "emergency"
    order = ["emergency", "hotline", "consular", "agency_check"]
    ranks = [order.index(t) if t in order else len(order) for t in facts]
    assert ranks == sorted(ranks), "emergency, hotline, consular and agency facts come first"
    assert "http" in out.stdout and "to re-check" in out.stdout.splitlines()[-1]
