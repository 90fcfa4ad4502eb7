"""Checks a workbook's container before any spreadsheet parser sees it.

The Rust-based readers are fast but abort the whole Python process (no exception to
catch) on some hostile files: a zip bomb, an XML entity bomb, or a stray cell at
XFD1048576 that makes them allocate the whole sheet grid. So an ``.xlsx`` is opened here
with :mod:`zipfile` first:

* the magic bytes say what the file really is (a CSV saved as .xlsx, an old .xls, an
  encrypted workbook, a truncated file) and the message says so;
* every part's size is counted while it is decompressed (declared sizes can lie), with a
  cap on the total and on the compression ratio;
* any DTD or entity declaration in any XML part is refused (entity bombs);
* the used range of each worksheet is measured from its cell references and capped;
* cells the reader would turn into blanks are found: error values (``#DIV/0!``) and
  formulas without a cached value;
* where the reader's grid starts (the first row and column holding a value, from the
  cells' own references, whatever order the rows come in) and the merged ranges are
  read for the workbook reader;
* macro parts and links to external workbooks are reported (as warnings: the tool never
  runs or follows them).

Worksheet XML is streamed in chunks cut only between elements, so every cell is searched
once and whole, however long. Sheets in the shape spreadsheet programs write are
searched with a few regexes; any other shape (cells without references, prefixed
elements, attributes in another order) by a slower parser of every cell. What no regex
scan sees: XML comments or CDATA sections inside a cell, and an attribute after the
reference written with single quotes or spaces around ``=``; no spreadsheet program
writes these.
"""

from __future__ import annotations

import functools
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import Problem, Severity, column_letter

MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
"""Largest total size the parts of a workbook may decompress to."""
MAX_RATIO = 200
"""Largest compression ratio accepted for a part bigger than 1 MiB (zip-bomb guard)."""
MAX_ROWS = 1_100_000
MAX_COLUMNS = 1_000
MAX_CELLS = 30_000_000
"""Largest used range (rows x columns) handed to the reader: a million rows of 30
columns, and about a gigabyte of cells in the reader."""

# The used range is rows x columns, and a reader allocates all of it. Only references
# that could make it large are captured: rows of six or more digits (100,000 and more)
# and columns from BA (53) on. Ordinary tables produce few or no matches, so scanning
# stays near the speed of unzipping.
_BIG_ROW = re.compile(rb' r="[A-Z]{0,3}([0-9]{6,})"')
_WIDE_COL = re.compile(rb' r="([A-Z]{3}|[B-Z][A-Z])[0-9]')
_ANY_ROW = re.compile(rb' r="[A-Z]{0,3}([0-9]+)"')
_F = rb"<f(?:\s[^>]*)?(?:/>|>[^<]*</f\s*>)"
"""A formula element, written out or shared (``<f t="shared" si="0"/>``)."""
_FIRST_VALUE = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*>\s*(?:' + _F
                          + rb"\s*)?<(?:v\s*>|is[\s>/])")
_CELL_HEAD = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*>\s*')
"""A cell's start tag (then any blanks), its reference captured."""
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*?\bt="e"[^>]*>\s*(?:' + _F
                         + rb"\s*)?<v\s*>([^<]*)</v")
_UNCACHED = re.compile(_F + rb"(?:\s*<v\s*/>|\s*<v></v>)?\s*</c\s*>")
"""The end of a cell whose formula has no value after it (searched from the formula:
only cells with formulas are looked at)."""
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_ROOT = re.compile(rb"<[A-Za-z_]")
"""The start of the root element: a DTD can only come before it."""
_HAS_ERROR = re.compile(rb't="e"')
_CHUNK = 1 << 20
_OVERLAP = 4096
"""Bytes of the previous chunk searched again for a DTD split across two chunks."""

# The fast regexes above assume the shape every spreadsheet program writes: each cell
# starts ``<c r="B12"`` (reference first, double quotes, capital letters), row tags
# carry ``r``, and no element has a namespace prefix. A stretch of sheet data in any
# other shape (cells without ``r``, lowercase references, attributes in another order,
# prefixed elements) is read by the slower general parser below instead, which
# reads every cell and row tag. _ODD_CELL finds, in one pass, any cell that is not
# plainly small and ordinary (columns past AZ, rows of 100,000 and more, or another
# shape); only then is the chunk looked at more closely. Once a sheet is known to reach
# past column AZ (or row 100,000), its columns (rows) are measured by _WIDE_COL
# (_BIG_ROW) in every chunk, as before, and _ODD_CELL lets them pass.
_ODD_CELL = rb'<c(?! r="%s%s%s)[\s>/]'
_NARROW, _WIDE = rb"A?[A-Z]", rb"[A-Z]{1,3}"
_SHORT, _TALL = rb'[1-9][0-9]{0,4}"', rb'[0-9]+"'
_IRREGULAR_CELL = re.compile(rb'<c(?! r="[A-Z]{1,3}[0-9]+")[\s>/]')
_PREFIXED = re.compile(rb":(?:[cfv]|is|row)[\s/>]")
"""A prefixed cell, value, formula, inline string or row element (``<x:c ...>``):
readers ignore the prefix, so such stretches of sheet data take the general parser."""

_P = rb"(?:[A-Za-z_][\w.-]*:)?"
"""An optional namespace prefix, which readers ignore."""
_TOKEN = re.compile(rb"<" + _P + rb"(?:(row)(\s[^>]*?)?/?>|c(\s[^>]*?)?(/>|>(.*?)</" + _P
                    + rb"c\s*>))", re.S)
"""A row's start tag, or a whole cell element (general parser)."""
_ATTR = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"\s*([A-Za-z]+)([0-9]+)\s*")
_G_FORMULA = re.compile(rb"<" + _P + rb"f[\s/>]")
_G_VALUE = re.compile(rb"<" + _P + rb"v(?:\s[^>]*)?(?:/>|>(.*?)</" + _P + rb"v\s*>)", re.S)
_G_INLINE = re.compile(rb"<" + _P + rb"is[\s/>]")
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_LAST_ROW = re.compile(rb"(?s:.*)<row(?=[\s/>])([^>]*)>")
_LAST_ROW_END = re.compile(rb"(?s:.*)</" + _P + rb"row\s*>")
_DATA_CUT = re.compile(rb"(?s:.*)<(?:/" + _P + rb"(?:row|c|sheetData|mergeCells)\s*>|" + _P
                       + rb"(?:c|row|mergeCell)\b[^<>]*/>)")
"""The end of the last complete row or cell (or of the sheet data, or of a merge)."""
_SHEET_DATA = re.compile(rb"<" + _P + rb"sheetData\b[^>]*?(/?)>")
_MERGE = re.compile(rb"<" + _P + rb"mergeCell\b([^>]*)>")
_MERGE_REF = re.compile(rb"\s*([A-Za-z]+)([0-9]+)(?::([A-Za-z]+)([0-9]+))?\s*")
MAX_MERGES = 100_000
"""Merged ranges kept per sheet (duplicates dropped); a sheet with more is hostile, and
the reader reports merges in the data area long before this many."""

_PRE, _DATA, _POST = 0, 1, 2
"""Where in a worksheet part the scan is: before, in and after ``<sheetData>``."""

XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class SheetFacts:
    """What the scan found in one worksheet part."""

    rows: int = 0
    columns: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    """Cell reference -> error value shown by Excel."""
    uncached: set[str] = field(default_factory=set)
    """Cells holding a formula with no cached value."""
    first_row: int | None = None
    """Smallest row number of any cell holding a value (``<v>`` or ``<is>``), from the
    cells' own references, whatever order the rows are written in: where the reader's
    grid starts. A cell without a reference sits where its order puts it (the column
    after the previous cell of its row tag, whose own number is implied by order when it
    has none), as readers place it. None when no cell holds a value."""
    first_column: int | None = None
    """Smallest 1-based column number of any cell holding a value (the grid's first
    column)."""
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    """Merged ranges as (top row, left column, bottom row, right column), 1-based."""


@dataclass
class WorkbookScan:
    """The result of checking an .xlsx container."""

    problems: list[Problem] = field(default_factory=list)
    sheets: dict[str, SheetFacts] = field(default_factory=dict)
    """Worksheet name -> facts (names resolved through the workbook's relationships)."""

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def sniff(path: Path) -> str:
    """What a file's first bytes say it is: ``zip``, ``ole`` or ``text``."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head == XLS_MAGIC:
        return "ole"
    return "text"


def _not_a_workbook(path: Path, display: str) -> Problem:
    kind = sniff(path)
    if kind == "ole":
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
        if "EncryptedPackage".encode("utf-16-le") in head or b"EncryptedPackage" in head:
            return Problem(code="encrypted-workbook", file=display,
                           message="is an encrypted (password-protected) workbook; open it "
                           "in Excel and save an unprotected copy as .xlsx")
        return Problem(code="old-xls", file=display,
                       message="is an old .xls workbook; open it in Excel and save it as "
                       ".xlsx (Excel Workbook)")
    with path.open("rb") as fh:
        head = fh.read(4096)
    text = head.decode("utf-8", errors="ignore")
    if head and "\x00" not in text and any(sep in text for sep in (",", ";", "\t")):
        return Problem(code="csv-saved-as-xlsx", file=display,
                       message="is a CSV file saved as .xlsx; rename it to .csv (or save it "
                       "from Excel as an .xlsx workbook)")
    return Problem(code="not-xlsx", file=display,
                   message="is not an Excel .xlsx workbook (its contents are not a workbook "
                   "at all)")


def check_xlsx(path: Path, display: str) -> WorkbookScan:
    """Scan a workbook's container; the scan's problems say whether it is safe to read."""
    scan = WorkbookScan()
    if sniff(path) != "zip":
        scan.problems.append(_not_a_workbook(path, display))
        return scan
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        scan.problems.append(_corrupt(display))
        return scan
    with archive:
        try:
            _scan(archive, display, scan)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError):
            scan.problems = [_corrupt(display)]
    return scan


def _corrupt(display: str) -> Problem:
    return Problem(code="corrupt-xlsx", file=display,
                   message="is truncated or corrupt; save it again from Excel")


def _scan(archive: zipfile.ZipFile, display: str, scan: WorkbookScan) -> None:
    infos = archive.infolist()
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNCOMPRESSED_BYTES:
        scan.problems.append(_too_big(display, declared))
        return
    for info in infos:
        if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            scan.problems.append(Problem(
                code="zip-bomb", file=display,
                message=f"part {info.filename} would expand {info.file_size:,} bytes from "
                f"{info.compress_size:,}; refusing to read it (a zip bomb?)"))
            return
    names = {i.filename for i in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        scan.problems.append(Problem(
            code="macros", severity=Severity.WARNING, file=display,
            message="contains macros; they are ignored (hmic-audit never runs them)"))
    if any(n.startswith("xl/externalLinks/") for n in names):
        scan.problems.append(Problem(
            code="external-links", severity=Severity.WARNING, file=display,
            message="links to other workbooks; the links are not followed, and values "
            "are read as last saved"))
    total = 0
    parts: dict[str, SheetFacts] = {}
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        is_sheet = info.filename.startswith("xl/worksheets/")
        facts, size, dtd = _stream(archive, info, is_sheet)
        total += size
        if dtd:
            scan.problems.append(Problem(
                code="xml-entities", file=display,
                message=f"part {info.filename} declares a DTD or entities, which workbooks "
                "saved by Excel never do; refusing to read it (an entity bomb?)"))
            return
        if total > MAX_UNCOMPRESSED_BYTES:
            scan.problems.append(_too_big(display, total))
            return
        if is_sheet:
            if (facts.rows > MAX_ROWS or facts.columns > MAX_COLUMNS
                    or facts.rows * facts.columns > MAX_CELLS):
                scan.problems.append(Problem(
                    code="used-range-too-large", file=display,
                    message=f"worksheet part {info.filename} uses cells up to "
                    f"{column_letter(facts.columns)}{facts.rows}; a stray value far from the "
                    "data makes the sheet too large to read. Clear the cells outside the "
                    "table and save again"))
                return
            parts[info.filename] = facts
    scan.sheets = {name: parts[part] for name, part in _sheet_parts(archive).items()
                   if part in parts}


def _too_big(display: str, size: int) -> Problem:
    return Problem(code="workbook-too-large", file=display,
                   message=f"decompresses to more than {MAX_UNCOMPRESSED_BYTES:,} bytes "
                   f"({size:,} so far); refusing to read it")


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo, is_sheet: bool
            ) -> tuple[SheetFacts, int, bool]:
    """Decompress one part in chunks: its size, DTD presence and (sheets) cell facts."""
    scanner = _SheetScan() if is_sheet else None
    size = 0
    tail = b""
    prolog = True
    with archive.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            size += len(chunk)
            if size > MAX_UNCOMPRESSED_BYTES:
                break
            if prolog:
                data = tail + chunk
                root = _ROOT.search(data)
                if _DTD.search(data, 0, root.start() if root else len(data)):
                    return SheetFacts(), size, True
                prolog = root is None
                tail = data[-_OVERLAP:]
            if scanner is not None:
                scanner.feed(chunk)
    return (scanner.finish() if scanner is not None else SheetFacts()), size, False


class _SheetScan:
    """Facts of one worksheet part, fed its XML chunk by chunk.

    Chunks are cut only between elements: the sheet data is handed on up to the end of
    the last complete row (or cell) and the rest, however long, is carried into the next
    chunk, so every cell is searched exactly once and whole. Before and after the sheet
    data, chunks are cut before the last ``<``.

    Rows of 100,000 and more and columns past AZ are found exactly; below those bounds
    (columns up to AZ, rows under 100,000) no table can reach the cell cap, so the last
    row tag of each chunk is enough. Only a sheet with columns past KN (300) has every
    row reference read, since 100,000 rows of it could exceed the cap. (Row tags without
    cells are not counted, except the last of a chunk: readers allocate only for cells.)

    The first value found gives the first row and column; after that, a cell above or
    left of them is one of the "odd" cells _ODD_CELL finds, so the usual sheet, whose
    first value is at the top left of its table, costs nothing more.
    """

    def __init__(self) -> None:
        self.facts = SheetFacts()
        self.pieces: list[bytes] = []
        self.phase = _PRE
        self.row = 0
        """Number of the current row tag (a row tag without ``r`` takes the next)."""
        self.col = 0
        """Column of the previous cell in the current row (for cells without ``r``)."""
        self.big = False
        """The sheet reaches row 100,000: its rows are measured by _BIG_ROW."""
        self.wide = False
        """The sheet reaches past column AZ: its columns are measured by _WIDE_COL."""
        self.merges: dict[tuple[int, int, int, int], None] = {}

    def feed(self, chunk: bytes) -> None:
        self.pieces.append(chunk)
        if self.phase != _DATA:
            self._outside(final=False)
            if self.phase != _DATA or not self.pieces:
                return
            chunk = self.pieces[-1]
        cut = _DATA_CUT.match(chunk)
        if cut is None:
            return  # no element ends in this chunk: carry it whole
        end = cut.end()
        if len(self.pieces) == 1:
            data = chunk[:end]
        else:
            data = b"".join([*self.pieces[:-1], memoryview(chunk)[:end]])
        self.pieces = [chunk[end:]] if end < len(chunk) else []
        self._data_region(data)

    def finish(self) -> SheetFacts:
        if self.phase != _DATA:
            self._outside(final=True)
        if self.pieces:
            data = b"".join(self.pieces)
            self.pieces = []
            if self.phase == _DATA:
                self._data_region(data)
            else:
                self._merges(data)
        self.facts.merged = list(self.merges)
        return self.facts

    def _outside(self, final: bool) -> None:
        """Before or after the sheet data: collect merges; find where the data starts."""
        if not final and b"<" not in self.pieces[-1]:
            return  # nothing ends here: carry it (joined once, when a tag comes)
        data = b"".join(self.pieces)
        self.pieces = []
        if self.phase == _PRE:
            start = _SHEET_DATA.search(data)
            if start:
                self._merges(data[:start.start()])
                data = data[start.end():]
                if not start.group(1):
                    self.phase = _DATA
                    if data:
                        self.pieces = [data]
                    return
                self.phase = _POST  # <sheetData/>: no cells at all
        cut = len(data) if final else data.rfind(b"<")
        if cut > 0:
            self._merges(data[:cut])
            data = data[cut:]
        if data:
            self.pieces = [data]

    def _data_region(self, data: bytes) -> None:
        """Complete rows (or cells) of sheet data, possibly followed by its end."""
        end = -1
        if not data.endswith(b"row>"):
            last = _LAST_ROW_END.match(data)
            found = data.find(b"sheetData", last.end() if last else 0)
            if found >= 0:
                tag = data.rfind(b"<", 0, found)
                if tag >= 0 and data[tag + 1:tag + 2] == b"/":
                    end = tag
        if end >= 0:
            self._cells(data[:end])
            self.phase = _POST
            self._merges(data[end:])
        else:
            self._cells(data)

    def _merges(self, data: bytes) -> None:
        if b"mergeCell" not in data:
            return
        for tag in _MERGE.finditer(data):
            if len(self.merges) >= MAX_MERGES:
                return
            ref = _attrs(tag.group(1)).get(b"ref")
            span = _MERGE_REF.fullmatch(ref) if ref else None
            if span is None:
                continue
            row1, col1 = int(span.group(2)), _column_number(span.group(1).upper())
            row2 = int(span.group(4)) if span.group(4) else row1
            col2 = _column_number(span.group(3).upper()) if span.group(3) else col1
            self.merges[(min(row1, row2), min(col1, col2), max(row1, row2),
                         max(col1, col2))] = None

    def _cells(self, data: bytes) -> None:
        """Facts from complete rows or cells, by the fast regexes where the XML has the
        usual shape, else by the general parser."""
        if _PREFIXED.search(data):
            self._general(data)
            return
        facts = self.facts
        low_row, low_col = facts.first_row or 1, facts.first_column or 1
        tall = _tall_cell(self.wide, low_row, low_col) if self.big else None
        if tall is not None:
            # one pass finds odd cells (as b"") and the rows of 100,000 and more
            big = tall.findall(data)
            odd = 0 if b"" in big else -1
            if big and odd < 0:
                facts.rows = max(facts.rows, max(map(int, big)))
        else:
            found = _odd_cell(self.wide, self.big, low_row, low_col).search(data)
            odd = found.start() if found else -1
        if odd >= 0 and _IRREGULAR_CELL.search(data, odd):
            self._general(data)
            return
        last_row = _LAST_ROW.match(data)
        row_number = _row_number(last_row.group(1)) if last_row else None
        if last_row and row_number is None:
            self._general(data)  # a row tag without r: its number is implied by order
            return
        facts.columns = max(facts.columns, 52 if b'<c r="A' in data else 26)
        if odd >= 0 or self.wide:
            for letters in set(_WIDE_COL.findall(data, max(odd, 0))):
                facts.columns = max(facts.columns, _column_number(letters))
            self.wide = facts.columns > 52
        if odd >= 0 or (self.big and tall is None):
            big = _BIG_ROW.findall(data)
            if big:
                facts.rows = max(facts.rows, max(map(int, big)))
                self.big = facts.rows >= 100_000
        if row_number is not None:
            facts.rows = max(facts.rows, row_number)
            self.row, self.col = row_number, 0
        if facts.columns > MAX_CELLS // 100_000:
            rows = _ANY_ROW.findall(data)
            if rows:
                facts.rows = max(facts.rows, max(map(int, rows)))
        cell = data.rfind(b'<c r="', last_row.end() if last_row else 0)
        if cell >= 0:
            letters = re.match(rb"[A-Z]+", data[cell + 6:cell + 10])
            if letters:
                self.col = _column_number(letters.group(0))
        if facts.first_row is None:
            self._first_value(data)
        elif odd >= 0 and (low_row > 1 or low_col > 1):
            self._lower_values(data, odd)
        found = _HAS_ERROR.search(data)
        while found:
            start = data.rfind(b'<c r="', 0, found.start())
            error = _ERROR_CELL.match(data, start) if start >= 0 else None
            if error and data.find(b">", start) > found.start():
                facts.errors[error.group(1).decode()] = error.group(2).decode(errors="replace")
            found = _HAS_ERROR.search(data, found.end())
        for formula in _UNCACHED.finditer(data):
            start = data.rfind(b'<c r="', 0, formula.start())
            head = _CELL_HEAD.match(data, start) if start >= 0 else None
            if head and head.end() == formula.start():
                facts.uncached.add(head.group(1).decode())

    def _first_value(self, data: bytes) -> None:
        """The first cell holding a value, then any lower or further left after it."""
        for found in _FIRST_VALUE.finditer(data):
            cell = _TOKEN.match(data, found.start())
            if cell and _cell_holds_value(cell):
                self.facts.first_row = int(found.group(2))
                self.facts.first_column = _column_number(found.group(1))
                if self.facts.first_row > 1 or self.facts.first_column > 1:
                    self._lower_values(data, 0)
                return

    def _lower_values(self, data: bytes, start: int) -> None:
        """Lower the first row and column to any value cell above or left of them."""
        facts = self.facts
        below = _below(facts.first_row or 1, facts.first_column or 1)
        for found in below.finditer(data, start):
            cell = _TOKEN.match(data, found.start())
            if cell is None:
                continue
            where = _position(_attrs(cell.group(3) or b"").get(b"r"))
            if where and _cell_holds_value(cell):
                facts.first_row = min(facts.first_row or where[0], where[0])
                facts.first_column = min(facts.first_column or where[1], where[1])

    def _general(self, data: bytes) -> None:
        """Every row tag and cell, whatever the shape of the XML (slower)."""
        facts = self.facts
        if b"<!--" in data:
            data = _COMMENT.sub(b"", data)
        rows, columns = facts.rows, facts.columns
        first_row, first_col = facts.first_row, facts.first_column
        row, col = self.row, self.col
        for token in _TOKEN.finditer(data):
            is_row, row_attrs, cell_attrs, _, body = token.groups()
            if is_row:
                number = _row_number(row_attrs or b"")
                row = number if number is not None else row + 1
                col = 0
                rows = max(rows, row)
                continue
            attrs = _attrs(cell_attrs) if cell_attrs else {}
            where = _position(attrs.get(b"r"))
            at_row, col = where if where else (max(row, 1), col + 1)
            rows = max(rows, at_row)
            columns = max(columns, col)
            if body is None:
                continue  # <c .../>: no content
            kind = attrs.get(b"t", b"n")
            lower = (first_row is None or at_row < first_row
                     or (first_col is not None and col < first_col))
            if not (lower or kind == b"e" or b"f" in body):
                continue
            holds, error, uncached = _content(body, kind)
            if holds and lower:
                first_row = at_row if first_row is None else min(first_row, at_row)
                first_col = col if first_col is None else min(first_col, col)
            if error is not None or uncached:
                ref = f"{column_letter(col)}{at_row}"
                if error is not None:
                    facts.errors[ref] = error
                if uncached:
                    facts.uncached.add(ref)
        facts.rows, facts.columns = rows, columns
        facts.first_row, facts.first_column = first_row, first_col
        self.row, self.col = row, col
        self.big = self.big or rows >= 100_000
        self.wide = self.wide or columns > 52


def _content(body: bytes, kind: bytes) -> tuple[bool, str | None, bool]:
    """(holds a value, error value or None, formula without a cached value) of a cell's
    content, given its type. An empty ``<v></v>`` is a value only for text types, as
    readers take it (``<v/>`` is none at all); an error cell with a ``<v>`` and a
    formula with none or an empty one are reported, as the fast regexes report them."""
    found = _G_VALUE.search(body) if b"v" in body else None
    value = None if found is None else found.group(1)  # <v/> counts as no value
    inline = _G_INLINE.search(body) is not None
    holds = inline or (value is not None and (value != b"" or kind in (b"str", b"inlineStr")))
    error = value.decode(errors="replace") if kind == b"e" and value is not None else None
    uncached = not value and not inline and _G_FORMULA.search(body) is not None
    return holds, error, uncached


def _cell_holds_value(cell: re.Match[bytes]) -> bool:
    """Whether a cell matched by _TOKEN holds a value."""
    body = cell.group(5)
    if body is None:
        return False
    return _content(body, _attrs(cell.group(3) or b"").get(b"t", b"n"))[0]


def _attrs(text: bytes) -> dict[bytes, bytes]:
    return {name: double or single for name, double, single in _ATTR.findall(text)}


def _row_number(attrs: bytes) -> int | None:
    """A row tag's ``r`` (from the text of its attributes), None without a valid one."""
    if attrs.startswith(b' r="'):
        end = attrs.find(b'"', 4)
        if 4 < end <= 14 and attrs[4:end].isdigit():
            return int(attrs[4:end])
    value = _attrs(attrs).get(b"r")
    return int(value) if value is not None and value.strip().isdigit() else None


def _position(ref: bytes | None) -> tuple[int, int] | None:
    """(row, column) of a cell reference such as ``B12`` (readers accept lowercase)."""
    found = _REF.fullmatch(ref) if ref else None
    if found is None:
        return None
    return int(found.group(2)), _column_number(found.group(1).upper())


@functools.lru_cache(maxsize=64)
def _odd_cell(wide: bool, big: bool, low_row: int, low_col: int) -> re.Pattern[bytes]:
    """_ODD_CELL for a sheet known to be wide or big (or neither), also finding any cell
    above or left of the first value found so far."""
    if wide and low_col > 1:
        lower = _lower_ref(low_row, low_col)
        return re.compile(_ODD_CELL % (b"(?!" + lower + b")", _WIDE, _TALL if big else _SHORT))
    letters = _WIDE if wide else _letters_from(low_col)
    number = (_TALL if big else _SHORT) if low_row == 1 else (
        b"(?:" + _number_from(low_row, None if big else 5) + b')"')
    return re.compile(_ODD_CELL % (b"", letters, number))


@functools.lru_cache(maxsize=64)
def _tall_cell(wide: bool, low_row: int, low_col: int) -> re.Pattern[bytes] | None:
    """For a sheet known to reach row 100,000: the row of each cell of the usual shape
    in rows of 100,000 and more, and b"" for each cell _odd_cell would find. None where
    the first value is so far down or right that _odd_cell and _BIG_ROW are used."""
    if (wide and low_col > 1) or low_row >= 100_000:
        return None
    letters = _WIDE if wide else _letters_from(low_col)
    number = _TALL if low_row == 1 else b"(?:" + _number_from(low_row, None) + b')"'
    return re.compile(b'<c(?: r="' + letters + b'([1-9][0-9]{5,})"|(?! r="' + letters
                      + number + b")[\\s>/])")


def _letters_from(low_col: int) -> bytes:
    """A pattern for the column letters A to AZ of columns from low_col on."""
    if low_col <= 1:
        return _NARROW
    if low_col <= 26:
        return f"(?:[{chr(64 + low_col)}-Z]|A[A-Z])".encode()
    if low_col <= 52:
        return f"A[{chr(38 + low_col)}-Z]".encode()
    return b"(?!)"


def _number_from(low: int, digits: int | None) -> bytes:
    """A pattern for the decimal numbers from low on (up to digits digits, if given)."""
    text = str(low)
    width = len(text)
    if digits is not None and width > digits:
        return b"(?!)"
    parts = []
    if digits is None:
        parts.append(f"[1-9][0-9]{{{width},}}")
    elif width < digits:
        parts.append(f"[1-9][0-9]{{{width},{digits - 1}}}")
    for i, ch in enumerate(text):
        if ch != "9":
            rest = f"[0-9]{{{width - i - 1}}}" if width - i - 1 else ""
            parts.append(f"{text[:i]}[{int(ch) + 1}-9]{rest}")
    parts.append(text)
    return "|".join(parts).encode()


@functools.lru_cache(maxsize=64)
def _below(low_row: int, low_col: int) -> re.Pattern[bytes]:
    """Cells (of the usual shape) in a row above low_row or a column left of low_col."""
    lower = _lower_ref(low_row, low_col)
    return re.compile(b'<c r="(?:' + (lower or b"(?!)") + b")")


def _lower_ref(low_row: int, low_col: int) -> bytes:
    """A pattern for a reference above row low_row or left of column low_col."""
    parts = []
    if low_col > 1:
        parts.append(b"(?:" + _letters_below(low_col) + b")[0-9]")
    if low_row > 1:
        parts.append(b"[A-Z]{1,3}0*(?:" + _number_below(low_row) + b')"')
    return b"|".join(parts)


def _number_below(limit: int) -> bytes:
    """A pattern for the decimal numbers 1 to limit - 1 (limit > 1)."""
    top = str(limit - 1)
    width = len(top)
    parts = [f"[1-9][0-9]{{0,{width - 2}}}"] if width > 1 else []
    for i, ch in enumerate(top):
        low = 1 if i == 0 else 0
        if int(ch) > low:
            rest = f"[0-9]{{{width - i - 1}}}" if width - i - 1 else ""
            parts.append(f"{top[:i]}[{low}-{int(ch) - 1}]{rest}")
    parts.append(top)
    return "|".join(parts).encode()


def _letters_below(limit: int) -> bytes:
    """A pattern for the column letters of columns 1 to limit - 1 (limit > 1)."""
    if limit > 703:  # three letters: any column of one or two letters, and the rest
        return b"[A-Z]{1,2}(?=[0-9])|[A-Z]{3}"
    top = limit - 1
    if top <= 26:
        return f"[A-{chr(64 + top)}]".encode()
    first, second = divmod(top - 1, 26)
    parts = ["[A-Z](?=[0-9])"]
    if first > 1:
        parts.append(f"[A-{chr(64 + first - 1)}][A-Z]")
    parts.append(f"{chr(64 + first)}[A-{chr(65 + second)}]")
    return "|".join(parts).encode()


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet name -> part name, from xl/workbook.xml and its relationships."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
    except KeyError:
        return {}
    targets = {}
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        tag = rel.group(0)
        rid = re.search(r'\bId="([^"]+)"', tag)
        target = re.search(r'\bTarget="([^"]+)"', tag)
        if rid and target:
            path = target.group(1).lstrip("/")
            targets[rid.group(1)] = path if path.startswith("xl/") else f"xl/{path}"
    sheets = {}
    for sheet in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        tag = sheet.group(0)
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]+)"', tag) or re.search(r'\bid="([^"]+)"', tag)
        if name and rid and rid.group(1) in targets:
            sheets[_xml_unescape(name.group(1))] = targets[rid.group(1)]
    return sheets


def _xml_unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number
