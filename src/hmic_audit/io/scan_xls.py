"""The pre-flight of an Excel 97-2003 workbook (``.xls``).

An ``.xls`` is an OLE2 compound file whose ``Workbook`` stream holds BIFF8 records. The
file is bounded like the others: its size against ``MAX_UNCOMPRESSED_BYTES``; its
compound-file structure walked with every sector chain bounded (a loop or a chain
running off the file is refused as corrupt, not followed for ever); and each sheet's
records walked, as the reader walks them, for:

* the used range, from each cell record's row and column (a record's column is 16 bits,
  so one stray record could ask the reader for a grid 65,536 columns wide);
* error values (``#DIV/0!`` and the like, whether typed or a formula's saved result);
* formulas, whose saved value is what is read;
* merged ranges (``MERGEDCELLS``);
* macros (a ``_VBA_PROJECT_CUR`` storage) and links to other workbooks (an external
  ``SUPBOOK``), reported as warnings for the whole file.

A cell's text cannot exceed Excel's limit in this format, so no length is checked.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from pathlib import Path

from ..problems import Problem, Severity, column_letter
from . import container
from .container import MAX_UNCOMPRESSED_BYTES, Refused, SheetFacts, WorkbookScan

FREE, END_OF_CHAIN = 0xFFFF_FFFF, 0xFFFF_FFFE
BOF, EOF, BOUNDSHEET, SUPBOOK, FILEPASS = 0x0809, 0x000A, 0x0085, 0x01AE, 0x002F
DATEMODE = 0x0022
FORMULA, BOOLERR, MULRK, MULBLANK, MERGEDCELLS = 0x0006, 0x0205, 0x00BD, 0x00BE, 0x00E5
CELLS = frozenset({0x0006, 0x00FD, 0x0203, 0x0204, 0x027E, 0x0205, 0x00D6, 0x0201,
                   0x00BD, 0x00BE})
"""FORMULA, LABELSST, NUMBER, LABEL, RK, BOOLERR, RSTRING, BLANK, MULRK, MULBLANK."""
ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
          0x24: "#NUM!", 0x2A: "#N/A"}
MAX_MERGES = 100_000


class _Corrupt(Exception):
    pass


def check_xls(path: Path, display: str) -> WorkbookScan:
    """Scan an .xls file; the scan's problems say whether it is safe to read."""
    scan = WorkbookScan()
    if container.sniff(path) != "ole":
        scan.problems.append(_not_xls(path, display))
        return scan
    size = path.stat().st_size
    if size > MAX_UNCOMPRESSED_BYTES:
        scan.problems.append(container.too_big(display, size))
        return scan
    if container.is_encrypted_ole(path):
        scan.problems.append(container.encrypted(display))
        return scan
    try:
        streams = _CompoundFile(path.read_bytes())
        stream = streams.stream("Workbook") or streams.stream("Book")
        if stream is None:
            raise _Corrupt
        if streams.has("_VBA_PROJECT_CUR"):
            scan.problems.append(Problem(
                code="macros", severity=Severity.WARNING, file=display,
                message="contains macros; they are ignored (hmic-audit never runs them)"))
        _scan(stream, display, scan)
    except Refused as refused:
        scan.problems = [refused.problem]
    except (_Corrupt, struct.error, IndexError, ValueError):
        scan.problems = [container.corrupt(display, "xls")]
    return scan


def _not_xls(path: Path, display: str) -> Problem:
    if container.sniff(path) == "zip":
        return Problem(code="not-xls", file=display,
                       message="is a newer workbook (.xlsx, .xlsb or .ods) named .xls; "
                       "give it its own extension")
    return container.not_this_format(path, display, "xls")


class _CompoundFile:
    """The streams of an OLE2 compound file, every chain bounded by the file's size."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise _Corrupt
        self.data = data
        self.sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mini = 1 << struct.unpack_from("<H", data, 0x20)[0]
        if self.sector not in (512, 4096) or self.mini != 64:
            raise _Corrupt
        (fat_count, first_dir, _, cutoff, first_minifat, minifat_count, first_difat,
         difat_count) = struct.unpack_from("<8I", data, 0x2C)
        self.cutoff = cutoff
        self.sectors = (len(data) - 512) // self.sector + 1
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        at = first_difat
        for _ in range(min(difat_count, self.sectors)):
            if at >= END_OF_CHAIN:
                break
            entries = struct.unpack_from(f"<{self.sector // 4}I", self._sector(at))
            difat.extend(entries[:-1])
            at = entries[-1]
        fat_sectors = [s for s in difat if s < END_OF_CHAIN][:fat_count]
        self.fat = b"".join(self._sector(s) for s in fat_sectors)
        directory = self._chain(first_dir, self.fat, self.sector, self._sector)
        self.entries: dict[str, tuple[int, int, int]] = {}
        for offset in range(0, len(directory) - 127, 128):
            entry = directory[offset:offset + 128]
            length = struct.unpack_from("<H", entry, 64)[0]
            kind = entry[66]
            start, size = struct.unpack_from("<IQ", entry, 116)
            name = entry[:max(length - 2, 0)].decode("utf-16-le", errors="replace")
            if kind in (1, 2, 5):
                self.entries.setdefault(name, (kind, start, size & 0xFFFF_FFFF))
        root = next((v for v in self.entries.values() if v[0] == 5), None)
        self.ministream = self._chain(root[1], self.fat, self.sector, self._sector) \
            if root else b""
        self.minifat = self._chain(first_minifat, self.fat, self.sector, self._sector) \
            if minifat_count else b""

    def has(self, name: str) -> bool:
        return name in self.entries

    def stream(self, name: str) -> bytes | None:
        entry = self.entries.get(name)
        if entry is None or entry[0] != 2:
            return None
        _, start, size = entry
        if size > MAX_UNCOMPRESSED_BYTES:
            raise _Corrupt
        if size < self.cutoff:
            data = self._chain(start, self.minifat, self.mini, self._mini_sector)
        else:
            data = self._chain(start, self.fat, self.sector, self._sector)
        if len(data) < size:
            raise _Corrupt
        return data[:size]

    def _sector(self, number: int) -> bytes:
        offset = 512 + number * self.sector
        if number >= END_OF_CHAIN or offset >= len(self.data):
            raise _Corrupt
        return self.data[offset:offset + self.sector]

    def _mini_sector(self, number: int) -> bytes:
        offset = number * self.mini
        if offset + self.mini > len(self.ministream):
            raise _Corrupt
        return self.ministream[offset:offset + self.mini]

    def _chain(self, start: int, table: bytes, size: int,
               read: Callable[[int], bytes]) -> bytes:
        """The sectors of a chain, in order; a chain longer than the table (a loop) or
        pointing outside it is corrupt."""
        links = len(table) // 4
        parts: list[bytes] = []
        at = start
        for _ in range(links + 1):
            if at in (END_OF_CHAIN, FREE):
                return b"".join(parts)
            if at >= links:
                raise _Corrupt
            parts.append(read(at))
            at = struct.unpack_from("<I", table, at * 4)[0]
        raise _Corrupt


def _scan(stream: bytes, display: str, scan: WorkbookScan) -> None:
    """The workbook globals (sheet names and where they start), then each sheet."""
    sheets: list[tuple[str, int]] = []
    linked = False
    for kind, start, stop in _records(stream, 0):
        if kind == BOUNDSHEET and stop - start >= 8:
            offset = struct.unpack_from("<I", stream, start)[0]
            if stream[start + 5] == 0:  # a worksheet (not a chart or macro sheet)
                sheets.append((_short_string(stream, start + 6), offset))
        elif kind == SUPBOOK and stop - start >= 4:
            marker = struct.unpack_from("<H", stream, start + 2)[0]
            linked = linked or marker not in (0x0401, 0x3A01)
        elif kind == FILEPASS:
            raise Refused(container.encrypted(display))
        elif kind == DATEMODE and stop - start >= 2:
            scan.date1904 = struct.unpack_from("<H", stream, start)[0] == 1
        elif kind == EOF:
            break
    if linked:
        scan.problems.append(Problem(
            code="external-links", severity=Severity.WARNING, file=display,
            message="links to other workbooks; the links are not followed, and values "
            "are read as last saved"))
    for name, offset in sheets:
        facts = _sheet(stream, offset)
        if facts.too_large():
            raise Refused(container.used_range_too_large(display, f"sheet {name!r}", facts))
        scan.sheets.setdefault(name, facts)


def _sheet(stream: bytes, offset: int) -> SheetFacts:
    facts = SheetFacts()
    merges: dict[tuple[int, int, int, int], None] = {}
    rows = columns = 0
    for kind, start, stop in _records(stream, offset):
        if kind in CELLS and stop - start >= 6:
            row, column = struct.unpack_from("<HH", stream, start)
            last = column
            if kind in (MULRK, MULBLANK):
                last = struct.unpack_from("<H", stream, stop - 2)[0]
            rows = max(rows, row + 1)
            columns = max(columns, last + 1, column + 1)
            if kind == FORMULA and stop - start >= 14:
                ref = f"{column_letter(column + 1)}{row + 1}"
                result = stream[start + 6:start + 14]
                if result[6:8] == b"\xff\xff" and result[0] == 2:
                    facts.errors[ref] = ERRORS.get(result[2], "#ERROR!")
                else:
                    facts.formulas.add(ref)
            elif kind == BOOLERR and stop - start >= 8 and stream[start + 7] == 1:
                ref = f"{column_letter(column + 1)}{row + 1}"
                facts.errors[ref] = ERRORS.get(stream[start + 6], "#ERROR!")
        elif kind == MERGEDCELLS and stop - start >= 2:
            count = struct.unpack_from("<H", stream, start)[0]
            for i in range(min(count, (stop - start - 2) // 8)):
                top, bottom, left, right = struct.unpack_from("<4H", stream, start + 2 + 8 * i)
                if len(merges) < MAX_MERGES:
                    merges[(top + 1, left + 1, bottom + 1, right + 1)] = None
        elif kind == EOF:
            break
    facts.rows, facts.columns = rows, columns
    facts.merged = list(merges)
    return facts


def _records(stream: bytes, offset: int) -> Iterator[tuple[int, int, int]]:
    """(type, data start, data end) of the records from an offset to the end of the
    substream that starts there (its EOF record)."""
    pos, end = offset, len(stream)
    if offset >= end:
        raise _Corrupt
    header = struct.Struct("<HH").unpack_from
    while pos + 4 <= end:
        kind, size = header(stream, pos)
        start = pos + 4
        if start + size > end:
            raise _Corrupt
        yield kind, start, start + size
        pos = start + size
        if kind == EOF:
            return


def _short_string(data: bytes, at: int) -> str:
    """A ShortXLUnicodeString: a character count, a flag byte, then the characters."""
    count, flags = data[at], data[at + 1]
    if flags & 1:
        return data[at + 2:at + 2 + 2 * count].decode("utf-16-le", errors="replace")
    return data[at + 2:at + 2 + count].decode("latin-1")
