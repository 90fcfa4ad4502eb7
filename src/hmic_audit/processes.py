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
import sys

ONE_PROCESS_VARIABLE = "HMIC_AUDIT_ONE_PROCESS"
"""Set to ``1`` (or ``true``, ``yes``) to start no child processes."""


def forking() -> bool:
    """Whether work may go to a forked child process here."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and os.environ.get(ONE_PROCESS_VARIABLE, "").strip().lower()
            not in ("1", "true", "yes"))
