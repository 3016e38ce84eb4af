"""The full-stack benchmark runs (a small load): it proves the tool works, it asserts no timing."""

import subprocess
import sys

from conftest import CLEAN_ENV, ROOT


def test_bench_stack_quick_prints_the_table():
    out = subprocess.run([sys.executable, "bench/bench_stack.py", "--quick"], cwd=ROOT, env=CLEAN_ENV,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "| safebot |" in out.stdout and "| ptb-echo |" in out.stdout
    assert "safebot vs ptb-echo: throughput" in out.stdout


def test_bench_parts_quick_prints_every_part():
    out = subprocess.run([sys.executable, "bench/bench_parts.py", "--quick"], cwd=ROOT, env=CLEAN_ENV,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    for part in ("steps/s", "distress check", "question matching", "job-ad scan", "first reply", "RSS"):
        assert part in out.stdout, part
