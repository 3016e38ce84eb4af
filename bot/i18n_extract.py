"""A babel extractor for our YAML (registered as the `safebot_yaml` entry point), so that
`pybabel extract -F babel.cfg` collects every user-visible string of dialogs/ and content/
into locales/bot.pot, located by file, line and key, with a comment for translators.

Which keys are user-visible:
- dialogs/*.yaml: a screen's `text`, `no_facts` and `keywords`, each button's `label`;
- content/facts/*.yaml: each fact's `text`;
- content/redflags/flags.yaml: each flag's `why` and `question`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

BUTTON_NOTE = "Button label: short (about 30 characters), a phone screen."
SCREEN_NOTE = "Screen {key}. Keep {{placeholders}} as they are; simple words."
KEYWORDS_NOTE = ("Words people type when they ask about screen {key}, separated by commas. Do not translate "
                 "word by word: write the words people really use, also English loan words and your language "
                 "in Latin letters. Any number of words.")
FACT_NOTE = ("Fact {key}. Keep {{placeholders}} as they are (money, counts and phone numbers, filled in the "
             "reader's format). Do not change numbers. Keep a space after a web or e-mail address.")


def _scalar(node: Any) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _mapping(node: Any) -> dict[str, Any]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): v for k, v in node.value}


def _message(node: Any, comment: str) -> Iterator[tuple[int, str, str, list[str]]]:
    text = _scalar(node)
    if text and text.strip():
        yield node.start_mark.line + 1, "", text.strip(), [comment]


def extract_yaml(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict) -> Iterator[tuple]:
    root = yaml.compose(fileobj.read().decode("utf-8"))
    top = _mapping(root)
    if "screens" in top:
        for screen_key, screen_node in (top["screens"].value if isinstance(top["screens"], yaml.MappingNode) else []):
            screen = _mapping(screen_node)
            note = SCREEN_NOTE.format(key=screen_key.value)
            for key in ("text", "no_facts"):
                if key in screen:
                    yield from _message(screen[key], note)
            if "keywords" in screen:
                yield from _message(screen["keywords"], KEYWORDS_NOTE.format(key=screen_key.value))
            buttons = screen.get("buttons")
            for button in (buttons.value if isinstance(buttons, yaml.SequenceNode) else []):
                label = _mapping(button).get("label")
                if label is not None:
                    yield from _message(label, BUTTON_NOTE)
    if "facts" in top and isinstance(top["facts"], yaml.SequenceNode):
        for fact_node in top["facts"].value:
            fact = _mapping(fact_node)
            if "text" in fact:
                yield from _message(fact["text"], FACT_NOTE.format(key=_scalar(fact.get("id")) or "?"))
    if "flags" in top and isinstance(top["flags"], yaml.MappingNode) and "thresholds" in top:
        for flag_key, flag_node in top["flags"].value:
            flag = _mapping(flag_node)
            for key in ("why", "question"):
                if key in flag:
                    yield from _message(flag[key], f"Job-offer warning sign '{flag_key.value}' ({key}).")
