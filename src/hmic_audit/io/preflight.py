"""Checks a workbook's container before anything a spreadsheet parser read from it is
used.

The Rust-based readers are fast but abort the whole Python process (no exception to
catch) on some hostile files: a zip bomb, an XML entity bomb, or a stray cell at
XFD1048576 that makes them allocate the whole sheet grid. So every workbook is scanned
here, by a scan of its own format, and the reader's result is used only when the scan
passes. (On Linux the reader runs meanwhile in a child process, which a hostile file
can cost memory until the scan refuses it and the child is killed:
:mod:`~hmic_audit.io.sheet_load`; elsewhere it runs after the scan.)

* ``.xlsx``/``.xlsm``: :mod:`~hmic_audit.io.scan_xlsx` (zip of XML parts);
* ``.ods``: :mod:`~hmic_audit.io.scan_ods` (zip, every table in ``content.xml``);
* ``.xlsb``: :mod:`~hmic_audit.io.scan_xlsb` (zip of binary records);
* ``.xls``: :mod:`~hmic_audit.io.scan_xls` (an OLE2 compound file of BIFF8 records).

Each says what a file really is when its contents are not what its name claims (a CSV
saved as .xlsx, an old .xls, an encrypted workbook, a truncated file), bounds everything
it unpacks, measures each sheet's used range against ``MAX_ROWS``, ``MAX_COLUMNS`` and
``MAX_CELLS``, and collects the cells the reader would read blank or as last saved (error
values, formulas with and without a saved value, links to other workbooks), cells longer
than Excel allows and merged ranges (:class:`~hmic_audit.io.container.SheetFacts`).
The shared zip checks and the facts live in :mod:`~hmic_audit.io.container`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .container import (
    EXCEL_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ENTRIES,
    MAX_RATIO,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    RATIO_FREE_BYTES,
    XLS_MAGIC,
    SheetFacts,
    WorkbookScan,
    sniff,
)
from .scan_ods import check_ods
from .scan_xls import check_xls
from .scan_xlsb import check_xlsb
from .scan_xlsx import check_xlsx

__all__ = ["EXCEL_CELL_CHARS", "MAX_CELLS", "MAX_COLUMNS", "MAX_ENTRIES", "MAX_RATIO",
           "MAX_ROWS", "MAX_UNCOMPRESSED_BYTES", "RATIO_FREE_BYTES", "SCANS", "XLS_MAGIC",
           "SheetFacts", "WorkbookScan", "check_ods", "check_xls", "check_xlsb", "check_xlsx",
           "sniff"]

SCANS: dict[str, Callable[[Path, str], WorkbookScan]] = {
    "xlsx": check_xlsx, "ods": check_ods, "xlsb": check_xlsb, "xls": check_xls}
"""The pre-flight of each workbook format, by the format's name."""
