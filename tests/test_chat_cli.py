"""`safebot chat` end to end, as a subprocess with piped input, like a newcomer's first try."""

import subprocess

from conftest import CLEAN_ENV, ROOT


def run_chat(safebot_cmd, tmp_path, lines, *extra):
    db = tmp_path / "chat.db"
    return subprocess.run([*safebot_cmd, "chat", "--db", str(db), *extra], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=60, cwd=ROOT, env=CLEAN_ENV)


def test_chat_reaches_a_sourced_corridor_fee(safebot_cmd, tmp_path):
    # language English, for myself, from Myanmar, to Thailand, Costs, official fees
    out = run_chat(safebot_cmd, tmp_path, ["English", "For myself", "Myanmar (Burma)", "Thailand",
                                          "Costs: visas and fees", "1"])
    assert out.returncode == 0, out.stderr
    assert "Who is asking?" in out.stdout
    assert "Which country are you from?" in out.stdout
    assert "1) " in out.stdout  # buttons are numbered lines
    # the Thai MOU visa fee, formatted by babel, with its source and date
    assert "THB500" in out.stdout
    assert "Source: " in out.stdout and "as of " in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_piped_input_sees_the_first_screen_before_the_first_line(safebot_cmd, tmp_path):
    out = run_chat(safebot_cmd, tmp_path, ["1", "/quit"])
    assert out.returncode == 0, out.stderr
    before_first_line = out.stdout.split("\n> 1")[0]
    assert "Choose your language." in before_first_line
    assert "Who is asking?" in out.stdout  # "1" picked English, the first language


def test_chat_numbers_pick_buttons_and_nonsense_is_said_plainly(safebot_cmd, tmp_path):
    out = run_chat(safebot_cmd, tmp_path, ["1", "2", "1", "1", "asdfgh", "99", "/quit", "never read"])
    assert out.returncode == 0, out.stderr
    assert "Main menu. What do you want to know?" in out.stdout
    assert "Sorry, I did not find an answer to that" in out.stdout
    assert "never read" not in out.stdout.split("/quit")[-1]


def test_chat_speaks_the_language_asked_for(safebot_cmd, tmp_path):
    out = run_chat(safebot_cmd, tmp_path, ["/menu"], "--lang", "th")
    assert out.returncode == 0, out.stderr
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in out.stdout), out.stdout[:500]


def test_chat_filipino_done_when(safebot_cmd, tmp_path):
    out = run_chat(safebot_cmd, tmp_path, [
        "para sa sarili ko po", "Nepal", "hongkong",  # onboarding by typing
        "magkano ang placement fee sa hongkong", "menu", "2", "1", "balik",
        "menu", "4", "1", "oo", "opo"], "--lang", "fil")
    assert out.returncode == 0, out.stderr
    assert "Nepal → Hong Kong" in out.stdout or "Nepal papuntang Hong Kong" in out.stdout
    assert "Tanong 3 sa 13" in out.stdout  # "oo" and "opo" answered the quiz
    assert "Traceback" not in out.stdout + out.stderr


def test_open_case_still_takes_numbers_labels_and_forget(safebot_cmd, tmp_path):
    out = run_chat(safebot_cmd, tmp_path, [
        "1", "1", "1", "1",  # English, for myself, Myanmar, Thailand
        "/human", "1",  # "Yes, talk to a person": a case opens
        "they did not pay me", "/menu", "2",  # a number picks a button while the case is open
        "/forget", "1"])
    assert out.returncode == 0, out.stderr
    assert "Your case number is #1" in out.stdout
    assert "Going to work abroad should not put you in debt." in out.stdout  # the costs screen
    assert "Your data is deleted" in out.stdout
