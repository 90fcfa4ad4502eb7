"""The console script's entry point: it starts loading the cases workbook (in a child
process, :mod:`~hmic_audit.io.sheet_load`) before it imports the application, so the
load overlaps typer, pydantic, numpy and the rubric; then it runs the part of the
application the command line reaches (:func:`~hmic_audit.cli.app.for_argv`). Only the
standard library is imported here.
"""

from __future__ import annotations

import sys
from typing import NoReturn

READS_CASES = frozenset({"grade", "validate", "compare", "agree", "report", "check-report",
                         "annex", "moderate", "rounds", "escalations"})
"""The commands whose first file argument is a cases file (``cases`` or ``files``)."""

OTHER_FILES = frozenset({"--force", "--rubric", "--crosswalk", "--moderated", "--actions",
                         "--templates", "--key-file", "--annotate"})
"""Options whose value is a file other than the cases (a moderation queue or an action
ledger may be a workbook too): the early guess skips it. (``--name=value`` needs no
skipping: it starts with a dash.)"""


def start_early(argv: list[str]) -> None:
    """Start loading the cases workbook before the application is imported and typer
    parses the command line (together about a quarter of a second): from the words,
    the first one after a command of ``READS_CASES`` that names a workbook (not the
    value of ``--out``/``-o``, always an output, nor of an option in ``OTHER_FILES``),
    and ``--sheet``'s value. The command's own start (``output.guarded``) asks for the
    file it was given, and takes this load up when the guess was right; a wrong guess
    is only a load stopped unused. See
    :mod:`~hmic_audit.io.sheet_load`. For ``report`` with charts (``--out`` an HTML or
    Word file, no ``--publish``) of a small workbook, the chart child starts here too
    (:func:`~hmic_audit.render.chart_child.start_early`)."""
    if not argv or argv[0] not in READS_CASES:
        return
    from pathlib import Path

    from ..io.sheet_load import WORKBOOKS, start_reading

    first, sheet, out, publish = None, None, None, False
    words = iter(argv[1:])
    for word in words:
        if word == "--sheet":
            sheet = next(words, None)
        elif word.startswith("--sheet="):
            sheet = word.removeprefix("--sheet=")
        elif word in ("--out", "-o"):
            out = next(words, None)
        elif word.startswith("--out="):
            out = word.removeprefix("--out=")
        elif word == "--publish":
            publish = True
        elif word in OTHER_FILES:
            next(words, None)  # its value is not the cases file, whatever its ending
        elif first is None and not word.startswith("-") \
                and Path(word).suffix.lower() in WORKBOOKS:
            first = word
    if first is not None:
        start_reading(first, sheet=sheet)
    if argv[0] == "report" and out is not None and not publish and first is not None:
        from ..render.chart_child import CHART_KINDS, EARLY_BELOW
        from ..render.chart_child import start_early as start_charts

        try:
            small = Path(first).stat().st_size < EARLY_BELOW
        except OSError:
            small = False
        if small and Path(out).suffix.lower() in CHART_KINDS:
            start_charts(out)


BLAS_THREADS = "OPENBLAS_NUM_THREADS"
"""numpy's OpenBLAS starts a thread per core when numpy is imported, and each polls for
work for about a tenth of a second before it sleeps: on two cores, a tenth of a second
taken from reading the cases, in each process that imports numpy. hmic-audit multiplies
no large matrices, so the console script asks for one thread, unless a number of
threads is set already (this variable, or ``GOTO_NUM_THREADS`` or ``OMP_NUM_THREADS``,
which OpenBLAS reads after it)."""


def main() -> NoReturn:
    """Console-script entry point: run the command, then end the process at once
    (``leave``) - it does not return, so call it only as a process's last step. The
    cyclic garbage collector is paused until the command starts (:mod:`.collector`):
    importing makes many objects and no garbage."""
    import os

    from .collector import pause_collector

    pause_collector()

    if not any(os.environ.get(v) for v in (BLAS_THREADS, "GOTO_NUM_THREADS",
                                             "OMP_NUM_THREADS")):
        os.environ[BLAS_THREADS] = "1"  # before numpy, here or in a child
    argv = sys.argv[1:]
    start_early(argv)
    from .app import for_argv

    try:
        for_argv(argv)()
    except SystemExit as done:
        leave(done.code)
    leave(0)


def leave(code: object) -> NoReturn:
    """End the process once the command has finished: run the exit handlers (children
    stopped, finalizers run, logs flushed), flush the terminal streams, then exit
    without tearing the interpreter down. The teardown frees every module and
    object one by one - 50 to 70 ms after a large workbook (numpy, pyarrow, pydantic,
    the audits) - and would change nothing: every file the command writes is closed
    before it says it is written. ``code`` is ``SystemExit``'s: None (0), a number, or
    a message (printed, then 1)."""
    import atexit
    import os

    status = code if isinstance(code, int) else 0 if code is None else 1
    if status == 1 and not isinstance(code, int):
        print(code, file=sys.stderr)
    atexit._run_exitfuncs()  # noqa: SLF001 - what the interpreter runs before teardown
    for stream in (sys.stdout, sys.stderr):  # last: the handlers may have printed
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or full disk: nothing left to say
            status = status or 1
    os._exit(status)
