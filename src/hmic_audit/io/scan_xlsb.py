"""The pre-flight of an Excel binary workbook (``.xlsb``).

An ``.xlsb`` is a zip like an ``.xlsx`` and gets the same container checks
(:mod:`~hmic_audit.io.container`); its parts are records (a type, a length, the data)
instead of XML. Each worksheet's records are walked, as the reader walks them, for:

* the used range, from the row of each row header and the column of each cell holding
  a value (the reader takes a cell's column as it is written, so one record naming
  column 4,000,000,000 would make it allocate a row that wide);
* error values (``BrtCellError``, and formulas whose saved result is an error, which the
  reader shows blank); formulas whose saved value is what is read;
* text longer than Excel's 32,767 characters, in a cell or in the shared strings;
* merged ranges.

Links from formulas to other workbooks are not followed into the formula tokens; the
workbook-wide ``external-links`` warning covers them. Walking records costs a step of
Python per cell, so a large ``.xlsb`` is checked more slowly than the same ``.xlsx``.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

from ..problems import Problem, column_letter
from . import container
from .container import EXCEL_CELL_CHARS, Budget, Refused, SheetFacts, WorkbookScan

ROW_HEADER, END_SHEET_DATA, MERGE_CELL = 0x00, 0x92, 0xB0
VALUE_CELLS = frozenset({0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A})
"""Records of cells the reader keeps (a blank, 0x01, and a formula error, 0x0B, it skips)."""
FORMULA_CELLS = frozenset({0x08, 0x09, 0x0A, 0x0B})
ERROR_CELL, FORMULA_ERROR, TEXT_CELL, SHARED_CELL, FORMULA_TEXT = 0x03, 0x0B, 0x06, 0x07, 0x08
SST_ITEM, BUNDLE_SHEET, BOOK_PROPERTIES = 0x13, 0x9C, 0x99
LAST_ROW = 0x10_0000
"""The reader stops at a row header past this row."""
ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
          0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
_U32 = struct.Struct("<I")
MAX_MERGES = 100_000


Handler = Callable[[int, bytes, int, int], None]
"""Takes a record's type, the bytes it lies in, and where its data starts and stops."""


class _Truncated(EOFError):
    """A record runs past the end of its part."""


def check_xlsb(path: Path, display: str) -> WorkbookScan:
    """Scan an .xlsb container; the scan's problems say whether it is safe to read."""
    return container.scan_zip(path, display, "xlsb", _scan)


def _scan(archive: zipfile.ZipFile, display: str, scan: WorkbookScan) -> None:
    names = {i.filename for i in archive.infolist()}
    if "xl/workbook.bin" not in names:
        raise Refused(Problem(code="not-xlsb", file=display,
                              message="is not an Excel .xlsb workbook (it has no "
                              "xl/workbook.bin); save it again from Excel"))
    scan.problems += container.part_warnings(names, display)
    budget = Budget(display)
    long_strings: dict[int, int] = {}
    parts: dict[str, SheetFacts] = {}
    ordered = sorted(archive.infolist(),
                     key=lambda i: i.filename.lower() != "xl/sharedstrings.bin")
    for info in ordered:
        name = info.filename
        if name.lower() == "xl/sharedstrings.bin":
            strings = _Records(_strings(long_strings))
            container.stream(archive, info, budget, strings.feed, xml=False)
            strings.finish()
        elif name.startswith("xl/worksheets/") and name.endswith(".bin"):
            sheet = _SheetRecords(long_strings)
            records = _Records(sheet.record)
            container.stream(archive, info, budget, records.feed, xml=False)
            records.finish()
            facts = sheet.finish()
            if facts.too_large():
                raise Refused(container.used_range_too_large(
                    display, f"worksheet part {name}", facts))
            parts[name] = facts
        elif name.endswith((".xml", ".rels")):
            container.stream(archive, info, budget)
        else:
            container.stream(archive, info, budget, xml=False)
    books, scan.date1904 = _sheet_parts(archive)
    scan.sheets = {sheet: parts[part] for sheet, part in books.items() if part in parts}


class _Records:
    """Splits a part's bytes into records (type, data), fed chunk by chunk."""

    def __init__(self, handle: Handler) -> None:
        self.handle = handle
        self.pending = b""

    def feed(self, chunk: bytes) -> None:
        data = self.pending + chunk if self.pending else chunk
        self.pending = data[_walk(data, self.handle):]

    def finish(self) -> None:
        if self.pending:
            raise _Truncated


def _walk(data: bytes, handle: Handler) -> int:
    """Hand each complete record to ``handle``; the offset where the rest begins."""
    pos, end = 0, len(data)
    call = handle
    while pos < end:
        start = pos
        kind = data[pos]
        pos += 1
        if kind & 0x80:
            if pos >= end:
                return start
            kind = (kind & 0x7F) | ((data[pos] & 0x7F) << 7)
            pos += 1
        size = 0
        for shift in (0, 7, 14, 21):
            if pos >= end:
                return start
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            if not byte & 0x80:
                break
        if pos + size > end:
            return start
        call(kind, data, pos, pos + size)
        pos += size
    return pos


class _SheetRecords:
    def __init__(self, long_strings: dict[int, int]) -> None:
        self.facts = SheetFacts()
        self.long_strings = long_strings
        self.row = 0
        self.done = False
        self.merges: dict[tuple[int, int, int, int], None] = {}

    def record(self, kind: int, data: bytes, start: int, stop: int) -> None:
        if kind == ROW_HEADER and not self.done:
            self.row = _U32.unpack_from(data, start)[0]
            if self.row > LAST_ROW:
                self.done = True
            return
        if kind <= FORMULA_ERROR and kind != 0x01 and not self.done:
            self._cell(kind, data, start, stop)
        elif kind == END_SHEET_DATA:
            self.done = True
        elif kind == MERGE_CELL and stop - start >= 16 and len(self.merges) < MAX_MERGES:
            top, bottom, left, right = struct.unpack_from("<4I", data, start)
            self.merges[(top + 1, left + 1, bottom + 1, right + 1)] = None

    def _cell(self, kind: int, data: bytes, start: int, stop: int) -> None:
        facts = self.facts
        column = _U32.unpack_from(data, start)[0] + 1
        row = self.row + 1
        if kind in VALUE_CELLS:
            if row > facts.rows:
                facts.rows = row
            if column > facts.columns:
                facts.columns = column
        if kind == TEXT_CELL or kind == FORMULA_TEXT or kind == SHARED_CELL \
                or kind == ERROR_CELL or kind in FORMULA_CELLS:
            ref = f"{column_letter(column)}{row}" if column <= 16_384 else None
            if ref is None:
                return
            if kind == TEXT_CELL or kind == FORMULA_TEXT:
                length = _U32.unpack_from(data, start + 8)[0]
                if length > EXCEL_CELL_CHARS:
                    facts.too_long[ref] = length
            elif kind == SHARED_CELL:
                length = self.long_strings.get(_U32.unpack_from(data, start + 8)[0], 0)
                if length:
                    facts.too_long[ref] = length
            if kind == ERROR_CELL or kind == FORMULA_ERROR:
                facts.errors[ref] = ERRORS.get(data[start + 8], "#ERROR!")
            elif kind in FORMULA_CELLS:
                facts.formulas.add(ref)

    def finish(self) -> SheetFacts:
        self.facts.merged = list(self.merges)
        return self.facts


def _strings(long_strings: dict[int, int]) -> Handler:
    """A record handler noting shared strings longer than Excel's limit."""
    count = [0]

    def record(kind: int, data: bytes, start: int, stop: int) -> None:
        if kind != SST_ITEM:
            return
        length = _U32.unpack_from(data, start + 1)[0]
        if length > EXCEL_CELL_CHARS:
            long_strings[count[0]] = length
        count[0] += 1

    return record


def _sheet_parts(archive: zipfile.ZipFile) -> tuple[dict[str, str], bool]:
    """Worksheet name -> part, from the sheet records of xl/workbook.bin and its
    relationships; and whether the book counts dates from 1904."""
    from .scan_xlsx import _in_xl, _relationships

    targets = _relationships(archive, "xl/_rels/workbook.bin.rels")
    sheets: dict[str, str] = {}
    dates = [False]

    def record(kind: int, data: bytes, start: int, stop: int) -> None:
        if kind == BOOK_PROPERTIES and stop > start:
            dates[0] = bool(data[start] & 1)
        if kind != BUNDLE_SHEET:
            return
        at = start + 8
        length = _U32.unpack_from(data, at)[0]
        at += 4
        rel = ""
        if length != 0xFFFF_FFFF:
            rel = data[at:at + 2 * length].decode("utf-16-le", errors="replace")
            at += 2 * length
        size = _U32.unpack_from(data, at)[0]
        name = data[at + 4:at + 4 + 2 * size].decode("utf-16-le", errors="replace")
        if rel in targets:
            sheets[name] = _in_xl(targets[rel])

    _walk(archive.read("xl/workbook.bin"), record)
    return sheets, dates[0]

