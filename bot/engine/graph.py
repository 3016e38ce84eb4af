"""`safebot content graph [TREE]`: a Mermaid diagram of the screens, for reviewers and NGO
staff who never read YAML (paste it into any Mermaid viewer, or a GitHub comment)."""

from __future__ import annotations

from .model import Bundle


def _label(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    first = first[:40] + ("…" if len(first) > 40 else "")
    return first.replace('"', "'")


def mermaid(bundle: Bundle, tree: str | None = None) -> str:
    """The screens of one dialogs/<tree>.yaml (or all), their buttons as arrows."""
    selected = [s for s in bundle.screens.values() if tree is None or s.source == f"dialogs/{tree}.yaml"]
    if not selected:
        raise KeyError(tree)
    ids = {s.id for s in selected}
    lines = ["flowchart TD"]
    for screen in selected:
        lines.append(f'    {screen.id}["{screen.id}<br/>{_label(screen.text)}"]')
    for screen in selected:
        for button in screen.buttons:
            label = button.label.replace('"', "'")
            if button.go:
                if button.go not in ids:
                    lines.append(f'    {button.go}(["{button.go}"])')
                    ids.add(button.go)
                lines.append(f'    {screen.id} -->|"{label}"| {button.go}')
            else:
                node = f"action_{button.action}"
                if node not in ids:
                    lines.append(f'    {node}{{{{"{button.action}"}}}}')
                    ids.add(node)
                lines.append(f'    {screen.id} -.->|"{label}"| {node}')
    return "\n".join(lines) + "\n"
