"""Read a delimited text file (``.csv``, or a tab- or semicolon-separated ``.txt``) into a
:class:`~hmic_audit.io.table.Grid`.

The bytes are decoded here: UTF-8 with or without a byte-order mark, UTF-16 with one (what
Excel's "Unicode Text" writes), else Windows-1252 with a warning, or the encoding the user
names. The delimiter is sniffed and kept on the grid. pyarrow parses the file; a file it
cannot take as a rectangle (ragged rows, empty lines, a record longer than its block) is
parsed by Python's csv module instead, and both give the same grid.

What is refused, and what is not:

* A file that is not text at all is refused with ``not-csv``, saying what it is: a zip
  (an ``.xlsx`` or ``.ods`` workbook renamed), an old ``.xls``, or binary data (more than a
  tenth of its bytes NUL, or a run of NULs such as a crashed save leaves). UTF-16 without a
  byte-order mark (every other byte NUL) is refused with ``bad-encoding`` and the
  ``--encoding`` to pass.
* One NUL or other control character inside a note is text like any other: it is read
  as it is, and the checking stage neutralises free text and says so.
* A cell has no length limit of its own: CSV has none, so a 40,000-character note is read
  whole (Excel's 32,767-character limit binds only what is written to a workbook, where
  the writer cuts it and says so). What bounds a cell is the file: at most
  ``MAX_TEXT_BYTES``, the same cap as a workbook's unpacked size.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..problems import Problem, Severity, WorkbookError
from .container import MAX_UNCOMPRESSED_BYTES, OLE_MAGIC, ZIP_MAGICS
from .table import Grid, TextColumn

MAX_TEXT_BYTES = MAX_UNCOMPRESSED_BYTES
"""Largest CSV (or JSON) file read, and so the longest cell it can hold."""
BINARY_NUL_SHARE = 0.1
"""A file with more than this share of NUL bytes is binary data, not text."""
NUL_RUN = b"\x00" * 64
"""A run of NUL bytes this long is binary (or a crashed save's padding), not a note."""
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
HEAD_LINES = 31
"""Lines parsed by Python's csv module before pyarrow takes over: the title rows and the
header, which may be narrower than the table."""
DELIMITERS = ",;\t"


def read_csv(path: Path, display: str, encoding: str | None) -> Grid:
    """Read one delimited text file; raise ``WorkbookError`` when it cannot be read."""
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise WorkbookError(f"{display} is too large", [too_large(display, size)])
    raw = path.read_bytes()
    if encoding is None:
        refused = _not_text(raw, display)
        if refused is not None:
            raise WorkbookError(f"{display} is not a text file", [refused])
    text, warnings, utf8 = _decode(raw, display, encoding)
    delimiter = sniff_delimiter(text)
    with _field_limit(len(text) + 1):
        columns = _csv_arrow(utf8 if utf8 is not None else text.encode("utf-8"), delimiter) \
            or _csv_rows(text, delimiter)
    height = len(columns[0]) if columns else 0
    return Grid(file=display, path=path, format="csv", sheet=None,
                sha256=hashlib.sha256(raw).hexdigest(),
                rows=np.arange(1, height + 1, dtype=np.int64), columns=columns,
                column_numbers=list(range(1, len(columns) + 1)), problems=warnings,
                delimiter=delimiter)


def too_large(display: str, size: int) -> Problem:
    return Problem(code="too-large", file=display,
                   message=f"is {size:,} bytes; files larger than {MAX_TEXT_BYTES:,} bytes "
                   "are not read")


def sniff_delimiter(text: str) -> str:
    """The delimiter of the first lines: of comma, semicolon and tab, the one that splits
    the most of the first ``HEAD_LINES`` lines into the same number of cells (more than
    one), quotes respected; a comma when none does. (A European Excel writes semicolons,
    and its notes are full of commas: the count of cells, not of characters, decides.)"""
    sample = text[:65536]
    cut = sample.rfind("\n")
    lines = (sample[:cut] if cut > 0 else sample).splitlines()[:HEAD_LINES]
    best, score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=delimiter) if r]
        except csv.Error:
            continue
        common = Counter(w for w in widths if w > 1).most_common(1)
        if common and (common[0][1], common[0][0]) > score:
            best, score = delimiter, (common[0][1], common[0][0])
    return best


def _not_text(raw: bytes, display: str) -> Problem | None:
    """Why a file is not delimited text at all, or None when it may be."""
    def refuse(what: str) -> Problem:
        return Problem(code="not-csv", file=display, message=what)

    if raw.startswith(ZIP_MAGICS):
        return refuse("is a zip archive, not CSV text: an .xlsx or .ods workbook saved "
                      "with the wrong extension? Give it its own extension (.xlsx, .ods)")
    if raw.startswith(OLE_MAGIC):
        return refuse("is an Excel .xls workbook, not CSV text; rename it to .xls")
    if raw.startswith(UTF16_BOMS) or b"\x00" not in raw:
        return None
    head = raw[:65536]
    half = max(len(head) // 2, 1)
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if max(odd, even) > 0.4 * half and min(odd, even) < 0.05 * half:
        order = "utf-16-le" if odd > even else "utf-16-be"
        return Problem(code="bad-encoding", file=display,
                       message="is UTF-16 text without a byte-order mark; pass --encoding "
                       f"{order}, or save it as CSV UTF-8")
    if raw.count(0) > BINARY_NUL_SHARE * len(raw) or NUL_RUN in raw:
        return refuse("holds binary data, not CSV text (is it a workbook or another file "
                      "saved with the wrong extension?)")
    return None


def _decode(raw: bytes, display: str, encoding: str | None
            ) -> tuple[str, list[Problem], bytes | None]:
    """The text, any warning, and the file's own bytes when they are UTF-8 already (so
    pyarrow parses them without a copy)."""
    if encoding:
        try:
            text = raw.decode(encoding)
        except LookupError:
            raise WorkbookError(f"unknown encoding {encoding!r}", [
                Problem(code="unknown-encoding", file=display,
                        message=f"--encoding {encoding!r} is not an encoding Python knows; "
                        "try utf-8 or cp1252")]) from None
        except UnicodeDecodeError as exc:
            raise WorkbookError(f"{display} is not {encoding}", [
                Problem(code="bad-encoding", file=display,
                        message=f"is not valid {encoding} (byte {exc.start}); check --encoding")
            ]) from None
        return text.removeprefix("\ufeff"), [], None
    if raw.startswith(UTF16_BOMS):
        try:
            return raw.decode("utf-16"), [], None
        except UnicodeDecodeError as exc:
            raise WorkbookError(f"{display} is not valid UTF-16", [
                Problem(code="bad-encoding", file=display,
                        message=f"starts as UTF-16 text but is not valid UTF-16 (byte "
                        f"{exc.start}); save it as CSV UTF-8")]) from None
    try:
        return raw.decode("utf-8-sig"), [], raw.removeprefix(b"\xef\xbb\xbf")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise WorkbookError(f"{display}: unknown text encoding", [
            Problem(code="bad-encoding", file=display,
                    message=f"is neither UTF-8 nor Windows-1252 text (byte {exc.start}); "
                    "save it as CSV UTF-8 or pass --encoding")]) from None
    return text, [Problem(
        code="encoding-guessed", severity=Severity.WARNING, file=display,
        message="is not UTF-8: read as Windows-1252 (cp1252); if that is wrong, name the "
        "encoding with --encoding, or save the file as CSV UTF-8")], None


@contextlib.contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """Python's csv module refuses fields over 128 KiB unless told otherwise; no field of
    a text can be longer than the text."""
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, limit))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _csv_arrow(data: bytes, delimiter: str) -> list[TextColumn] | None:
    """Columns parsed by pyarrow, or None when the file is not a clean rectangle below
    its first lines (pyarrow drops empty lines, losing row numbers, and refuses rows of
    another width)."""
    if not data or b"\n\n" in data or b"\r\n\r\n" in data or b"\r\r" in data \
            or data.startswith((b"\n", b"\r")):
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    # The first lines by hand: title rows are often narrower than the table.
    ends = [-1]
    while len(ends) <= HEAD_LINES:
        at = data.find(b"\n", ends[-1] + 1)
        if at < 0:
            break
        ends.append(at)
    head_text = data[:ends[-1] + 1].decode("utf-8")
    if '"' in head_text:
        return None  # a quoted value could span lines: leave it to the csv module
    head = list(csv.reader(io.StringIO(head_text, newline=""), delimiter=delimiter))
    width = max((len(r) for r in head), default=0)
    top = next((i for i, r in enumerate(head) if len(r) == width), 0)
    body = data[ends[top] + 1:]
    names = [f"f{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter,
                                             newlines_in_values=b'"' in body),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        return None
    above = [TextColumn.from_texts(r[j] if j < len(r) else "" for r in head[:top])
             for j in range(width)]
    return [a.then(TextColumn.from_arrow(c)) for a, c in zip(above, table.columns,
                                                              strict=True)]


def _csv_rows(text: str, delimiter: str) -> list[TextColumn]:
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    width = max((len(r) for r in records), default=0)
    return [TextColumn.from_texts(r[j] if j < len(r) else "" for r in records)
            for j in range(width)]
