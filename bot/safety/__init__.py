"""Safety: text normalisation (incl. Zawgyi), distress detection, scam red flags.

The phrases and patterns live in content/ (per language); this package only loads and
applies them, so adding a language's phrases is a data edit."""

from __future__ import annotations

from pathlib import Path

from ..engine.model import Problem


def load_safety_content(content_dir: Path, problems: list[Problem]) -> dict[str, object]:
    """Load and validate content/distress/ and content/redflags/ (see safety.distress, safety.scan)."""
    from .distress import load_distress
    from .scan import load_redflags

    return {"distress": load_distress(content_dir, problems), "redflags": load_redflags(content_dir, problems)}
