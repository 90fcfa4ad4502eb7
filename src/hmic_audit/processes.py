"""Whether work may be shared with child processes (Linux only), and the switch that
keeps everything in this one process.

Two pieces of work run in a forked child process where that is safe and useful: loading
a workbook's sheet while the pre-flight runs (:mod:`~hmic_audit.io.sheet_load`), and
writing half the audits of ``grade --format json`` while this process writes the other
half (:mod:`~hmic_audit.render.json`). Both give the same output as doing the work here.
``fork`` is used only on Linux (macOS and Windows have no safe ``fork``); set
``HMIC_AUDIT_ONE_PROCESS=1`` to keep all the work in one process anyway (slower).
"""

from __future__ import annotations

import os
import signal
import sys
import threading

ONE_PROCESS_VARIABLE = "HMIC_AUDIT_ONE_PROCESS"
"""Set to ``1`` (or ``true``, ``yes``) to start no child processes."""


def forking() -> bool:
    """Whether work may go to a forked child process here, now: on Linux, unless
    switched off, and only while this process runs one Python thread. A thread in the
    middle of an import when the process forks leaves that import's lock held for ever
    in the child (seen: ``read_audits`` from eight threads at once hung), so a process
    with other threads (an application's, or a spinner on a terminal) does the work
    itself."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and os.environ.get(ONE_PROCESS_VARIABLE, "").strip().lower()
            not in ("1", "true", "yes")
            and threading.active_count() == 1)


def as_child() -> None:
    """Set up a forked child: it dies with its parent (killed, not left to finish a
    large read holding the parent's output open), and what it would print goes nowhere
    (it reports to its parent, which reports to the user)."""
    import ctypes
    import faulthandler

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl: the parent still kills it when it can
        pass
    if os.getppid() == 1:  # the parent died before the line above
        os._exit(3)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    faulthandler.disable()


_PR_SET_PDEATHSIG = 1
