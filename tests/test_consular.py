"""Stale numbers carry a visible caveat with their date; embassies follow the person to the
country they are in; the Gulf and Middle-East destinations have emergency numbers."""

import dataclasses
import datetime as dt

import pytest

from bot.engine import check
from bot.engine.caveat import needs_caveat
from bot.engine.render import render_fact
from bot.i18n import translator

LONG_AGO = "2015-03-16"


@pytest.fixture(scope="module")
def en():
    return translator("en")


def test_stale_emergency_fact_shows_its_caveat_and_date(bundle, en):
    fact = bundle.facts["my_emergency_112"]  # source 2015-03-16
    assert needs_caveat(fact)
    text = render_fact(fact, en, caller_in="MY")
    assert "112" in text
    assert "We could not confirm this recently (source from Mar 16, 2015): check before you rely on it." in text
    thai = render_fact(fact, translator("th"), caller_in="MY")
    assert "ตรวจสอบก่อนใช้" in thai and ("2558" in thai or "2015" in thai)  # date in the reader's calendar


def test_fresh_fact_has_no_caveat_and_undated_shows_the_check_date(bundle, en):
    fresh = dataclasses.replace(bundle.facts["my_emergency_112"], as_of="2026-11", checked=dt.date.today().isoformat())
    assert "could not confirm" not in render_fact(fresh, en, caller_in="MY")
    undated = dataclasses.replace(fresh, as_of="undated", checked="2024-01-05")
    assert "(last checked Jan 5, 2024)" in render_fact(undated, en, caller_in="MY")
    fees = dataclasses.replace(bundle.facts["my_emergency_112"], topic="fees")  # maintainers only
    assert not needs_caveat(fees)


def test_content_check_fails_when_a_stale_number_loses_its_caveat(bundle, monkeypatch):
    assert check.check_caveats(bundle) == []  # every stale number can show its caveat
    monkeypatch.setattr(check, "render_fact", lambda fact, t, caller=None: "• a number")
    errors = check.check_caveats(bundle)
    assert errors and all(p.level == "error" for p in errors)
    assert any("my_emergency_112" in p.where for p in errors)
