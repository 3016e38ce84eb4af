"""Run every conversation in tests/transcripts/*.yaml through the engine."""

from pathlib import Path

import pytest
import yaml

from bot.engine.testing import ChatClient

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.yaml"))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(engine, path):
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    chat = ChatClient(engine, user_id=f"transcript:{path.stem}", lang_hint=spec.get("lang"))
    for number, step in enumerate(spec["steps"], start=1):
        where = f"{path.name} step {number} ({step})"
        if "send" in step:
            chat.send(str(step["send"]))
        elif "press" in step:
            chat.press(str(step["press"]))
        elif "press_data" in step:
            chat.press_data(str(step["press_data"]))
        elif "media" in step:
            chat.media(str(step["media"]))
        if "screen" in step:
            assert chat.screen == step["screen"], f"{where}: screen is {chat.screen}\n{chat.text}"
        for text in step.get("expect", []):
            assert str(text) in chat.shown, f"{where}: {text!r} not in\n{chat.shown}"
        for text in step.get("not_expect", []):
            assert str(text) not in chat.shown, f"{where}: {text!r} shown in\n{chat.shown}"
