"""`safebot chat` end to end, as a subprocess with piped input, like a newcomer's first try."""

import subprocess

from conftest import CLEAN_ENV, ROOT


def run_chat(safebot_cmd, tmp_path, lines, *extra):
    db = tmp_path / "chat.db"
    return subprocess.run([*safebot_cmd, "chat", "--db", str(db), *extra], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=60, cwd=ROOT, env=CLEAN_ENV)


def test_chat_reaches_a_sourced_corridor_fee(safebot_cmd, tmp_path):
    # language English, for myself, from Myanmar, to Thailand, Costs, official fees
    out = run_chat(safebot_cmd, tmp_path, ["/start", "English", "For myself", "Myanmar (Burma)", "Thailand",
                                          "Costs: visas and fees", "1"])
    assert out.returncode == 0, out.stderr
    assert "Who is asking?" in out.stdout
    assert "Which country are you from?" in out.stdout
    assert "1) " in out.stdout  # buttons are numbered lines
    # the Thai MOU visa fee, formatted by babel, with its source and date
    assert "THB500" in out.stdout
    assert "Source: " in out.stdout and "as of " in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_chat_numbers_pick_buttons_and_nonsense_gets_the_menu(safebot_cmd, tmp_path):
    out = run_chat(safebot_cmd, tmp_path, ["/start", "1", "2", "1", "1", "asdfgh", "99", "/quit", "never read"])
    assert out.returncode == 0, out.stderr
    assert "Sorry, I did not understand" in out.stdout
    assert "Main menu. What do you want to know?" in out.stdout
    assert "never read" not in out.stdout.split("/quit")[-1]


def test_chat_speaks_the_language_asked_for(safebot_cmd, tmp_path):
    out = run_chat(safebot_cmd, tmp_path, ["/menu"], "--lang", "th")
    assert out.returncode == 0, out.stderr
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in out.stdout), out.stdout[:500]
