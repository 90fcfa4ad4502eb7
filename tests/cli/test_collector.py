"""The console script pauses the cyclic garbage collector while it imports and parses,
then freezes what it made and resumes it as the command starts (``cli/collector.py``);
the library and the tests' in-process runs keep the collector as they had it."""

from __future__ import annotations

import gc
import subprocess
import sys

from ..conftest import SAMPLE, invoke

SCRIPT = """
import atexit, gc, sys
seen = []
real = gc.enable
gc.enable = lambda: (seen.append((gc.isenabled(), gc.get_freeze_count())), real())[1]
atexit.register(lambda: print("paused", seen, "at the end", gc.isenabled(),
                              gc.get_freeze_count() > 0, file=sys.stderr))
sys.argv = ["hmic-audit", *sys.argv[1:]]
from hmic_audit.cli.start import main
main()
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], capture_output=True,
                          text=True, timeout=120, check=False)


def test_the_command_runs_with_the_collector_resumed_after_a_freeze():
    done = run("grade", str(SAMPLE))
    assert done.returncode == 0, done.stderr
    assert "144 audits" in done.stdout
    # paused until the command started; resumed once, after the imports were frozen
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("paused [(False, ")
    frozen = int(line.split("[(False, ")[1].split(")")[0])
    assert frozen > 10_000  # the imported modules' objects
    assert line.endswith("at the end True True")


def test_a_command_that_fails_early_still_ends_cleanly():
    done = run("grade", str(SAMPLE), "--no-such-option")
    assert done.returncode == 2 and "No such option" in done.stderr


def test_the_library_keeps_the_collector_as_it_was(runner):
    frozen, enabled = gc.get_freeze_count(), gc.isenabled()
    assert invoke(runner, "grade", SAMPLE).exit_code == 0
    assert (gc.get_freeze_count(), gc.isenabled()) == (frozen, enabled)
