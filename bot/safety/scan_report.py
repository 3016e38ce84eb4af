"""The scan result as plain text lines, in the reader's language: each warning sign with
the words that raised it, then what makes the notice look legitimate (if anything)."""

from __future__ import annotations

from ..i18n import N_

T_LEGIT_HEADER = N_("What makes it look legitimate (check it anyway):")


def legit_lines(result, redflags, t) -> list[str]:
    """'What makes it look legitimate' and one line per good sign, or nothing."""
    if not result.signals:
        return []
    lines = [t(T_LEGIT_HEADER)]
    for finding in result.signals:
        flag = redflags.flags.get(finding.id)
        lines.append(f"+ {t(flag.why) if flag else finding.id}\n   «{finding.evidence}»")
    return lines


def text_report(result, redflags, t) -> str:
    """What `safebot scan` prints without --json."""
    lines = [f"risk: {result.risk} (score {result.score})"]
    for finding in result.flags:
        flag = redflags.flags.get(finding.id)
        lines.append(f"- {finding.id}: {t(flag.why) if flag else ''}\n    «{finding.evidence}»")
    for finding in result.signals:
        flag = redflags.flags.get(finding.id)
        lines.append(f"+ {finding.id}: {t(flag.why) if flag else ''}\n    «{finding.evidence}»")
    return "\n".join(lines)
