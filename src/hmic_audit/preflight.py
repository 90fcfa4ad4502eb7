"""Checks a workbook's container before any spreadsheet parser sees it.

The Rust-based readers are fast but abort the whole Python process (no exception to
catch) on some hostile files: a zip bomb, or a stray cell at XFD1048576 that makes them
allocate the whole sheet grid. So an ``.xlsx`` is opened here with :mod:`zipfile` first:
the magic bytes say what the file really is, every entry's size is counted while it is
decompressed (declared sizes can lie), and the used range is measured from the cell
references in each worksheet.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .problems import Problem, column_letter

MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
"""Largest total size the parts of a workbook may decompress to."""
MAX_RATIO = 200
"""Largest compression ratio accepted for a part bigger than 1 MiB (zip-bomb guard)."""
MAX_ROWS = 1_100_000
MAX_COLUMNS = 1_000
MAX_CELLS = 60_000_000
"""Largest used range (rows x columns) handed to the reader."""

_CELL_REF = re.compile(rb'<(?:\w+:)?(?:c|row) r="([A-Z]{0,3})([0-9]{1,7})"')
_CHUNK = 1 << 20

XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(path: Path) -> str:
    """What a file's first bytes say it is: ``zip``, ``ole`` (old .xls or encrypted), ``text``."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head == XLS_MAGIC:
        return "ole"
    return "text"


def check_xlsx(path: Path, display: str) -> list[Problem]:
    """Problems that make an .xlsx unsafe or impossible to read (empty when it is fine)."""
    kind = sniff(path)
    if kind == "ole":
        return [Problem(code="not-xlsx", file=display,
                        message="is an old-style .xls workbook or an encrypted one; open it "
                        "in Excel and save an unprotected copy as .xlsx")]
    if kind != "zip":
        return [Problem(code="not-xlsx", file=display,
                        message="is not an Excel .xlsx workbook (it may be a CSV or text file "
                        "with the wrong extension; rename it to .csv if so)")]
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return [Problem(code="corrupt-xlsx", file=display,
                        message="is truncated or corrupt; save it again from Excel")]
    with archive:
        infos = archive.infolist()
        declared = sum(i.file_size for i in infos)
        if declared > MAX_UNCOMPRESSED_BYTES:
            return [_too_big(display, declared)]
        for info in infos:
            if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                return [Problem(code="zip-bomb", file=display,
                                message=f"part {info.filename} expands {info.file_size:,} "
                                "bytes from a tiny compressed size; refusing to read it")]
        total = 0
        for info in infos:
            if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(
                ".xml"
            ):
                continue
            try:
                rows, cols, size = _used_range(archive, info)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                return [Problem(code="corrupt-xlsx", file=display,
                                message="is truncated or corrupt; save it again from Excel")]
            total += size
            if total > MAX_UNCOMPRESSED_BYTES:
                return [_too_big(display, total)]
            if rows > MAX_ROWS or cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
                return [Problem(
                    code="used-range-too-large", file=display,
                    message=f"worksheet part {info.filename} uses cells up to "
                    f"{column_letter(cols)}{rows}; a stray value far from the data makes the "
                    "sheet too large to read. Clear the cells outside the table and save again")]
    return []


def _too_big(display: str, size: int) -> Problem:
    return Problem(code="workbook-too-large", file=display,
                   message=f"decompresses to {size:,} bytes, more than the "
                   f"{MAX_UNCOMPRESSED_BYTES:,} accepted")


def _used_range(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int, int]:
    """Largest row and column referenced in a worksheet part, and its true size."""
    max_row = max_col = size = 0
    tail = b""
    with archive.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            size += len(chunk)
            if size > MAX_UNCOMPRESSED_BYTES:
                break
            data = tail + chunk
            for letters, digits in _CELL_REF.findall(data):
                row = int(digits)
                if row > max_row:
                    max_row = row
                if letters:
                    col = _column_number(letters)
                    if col > max_col:
                        max_col = col
            tail = data[-64:]
    return max_row, max_col, size


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number
