"""The pre-flight of an ``.xlsx`` (or ``.xlsm``) workbook: its parts read as XML, before
the Rust reader sees them.

The reader aborts the whole Python process (no exception to catch) on some hostile files:
a zip bomb, an XML entity bomb, or a stray cell at XFD1048576 that makes it allocate the
whole sheet grid. So the container is checked first (:mod:`~hmic_audit.io.container`),
then every XML part is decompressed in counted chunks, and the worksheets are searched:

* the used range of each worksheet is measured from its cell references and capped;
* cells the reader would turn into blanks are found: error values (``#DIV/0!``) and
  formulas without a saved value; so are formulas whose saved value is what is read, and
  formulas that refer to another workbook (named through ``xl/externalLinks``);
* cells longer than Excel's 32,767 characters, inline or in the shared strings;
* merged ranges;
* macro parts and links to external workbooks are reported (as warnings: the tool never
  runs or follows them).

Worksheet XML is streamed in chunks cut only between elements, so every cell is searched
once and whole, however long; a large part is inflated in a second thread meanwhile. In
the usual chunk three searches are all it costs: one regex for the first cell whose
reference is not of the usual shape and size (``<c r="B12"``: reference first, in columns
up to AZ and rows under 100,000), one for a formula (``<f``) and one for an error value
(``t="e"``). From an unusual cell on, a few more regexes measure far references; a
stretch of any other shape (cells without references, prefixed elements, attributes in
another order) is read by a slower parser of every cell. What no regex scan sees: XML
comments or CDATA sections inside a cell, and an attribute after the reference written
with single quotes or spaces around ``=``; no spreadsheet program writes these.
"""

from __future__ import annotations

import functools
import html
import re
import zipfile
from pathlib import Path

from ..problems import column_letter
from . import container
from .container import (
    EXCEL_CELL_CHARS,
    MAX_CELLS,
    Budget,
    Refused,
    SheetFacts,
    WorkbookScan,
    link_name,
    xml_unescape,
)

# The used range is rows x columns, and a reader allocates all of it. Only references
# that could make it large are captured: rows of six or more digits (100,000 and more)
# and columns from BA (53) on.
_BIG_ROW = re.compile(rb' r="[A-Z]{0,3}([0-9]{6,})"')
_WIDE_COL = re.compile(rb' r="([A-Z]{3}|[B-Z][A-Z])[0-9]')
_ANY_ROW = re.compile(rb' r="[A-Z]{0,3}([0-9]+)"')
_F = rb"<f(?:\s[^>]*)?(?:/>|>[^<]*</f\s*>)"
"""A formula element, written out or shared (``<f t="shared" si="0"/>``)."""
_CELL_HEAD = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*>\s*')
"""A cell's start tag (then any blanks), its reference captured."""
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*?\bt="e"[^>]*>\s*(?:' + _F
                         + rb"\s*)?<v\s*>([^<]*)</v")
_UNCACHED = re.compile(_F + rb"(?:\s*<v\s*/>|\s*<v></v>)?\s*</c\s*>")
"""The end of a cell whose formula has no value after it."""
_FORMULA = re.compile(rb"<f(\s[^>]*)?(?:/>|>([^<]*)</f\s*>)")
_FORMULA_START = re.compile(rb"<f[\s>/]")
_HAS_ERROR = re.compile(rb't="e"')
_SHARED_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*?\bt="s"[^>]*>\s*<v>\s*([0-9]+)\s*</v')
"""A cell showing a shared string, and the string's index."""

# The usual shape: each cell starts ``<c r="B12"`` (reference first, double quotes,
# capital letters). _odd_cell finds, in one pass, the first cell that is anything else: a
# far reference (a column past AZ, a row of 100,000 and more) or another shape. Once a
# sheet is known to reach past column AZ (or row 100,000), its columns (rows) are
# measured by _WIDE_COL (_BIG_ROW) in every chunk and _odd_cell lets them pass.
_NARROW, _WIDE = rb"A?[A-Z]", rb"[A-Z]{1,3}"
_SHORT, _TALL = rb"[1-9][0-9]{0,4}", rb"[1-9][0-9]*"
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
_G_FORMULA = re.compile(rb"<" + _P + rb"f(\s[^>]*?)?(?:/>|>(.*?)</" + _P + rb"f\s*>)", re.S)
_G_VALUE = re.compile(rb"<" + _P + rb"v(?:\s[^>]*)?(?:/>|>(.*?)</" + _P + rb"v\s*>)", re.S)
_G_INLINE = re.compile(rb"<" + _P + rb"is[\s/>]")
_G_TEXT = re.compile(rb"<" + _P + rb"t(?:\s[^>]*)?>([^<]*)</" + _P + rb"t\s*>")
_PHONETIC = re.compile(rb"<" + _P + rb"rPh\b.*?</" + _P + rb"rPh\s*>", re.S)
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_LAST_ROW = re.compile(rb"(?s:.*)<row(?=[\s/>])([^>]*)>")
_LAST_ROW_END = re.compile(rb"(?s:.*)</" + _P + rb"row\s*>")
_DATA_CUT = re.compile(rb"(?s:.*)<(?:/" + _P + rb"(?:row|c|sheetData|mergeCells)\s*>|" + _P
                       + rb"(?:c|row|mergeCell)\b[^<>]*/>)")
"""The end of the last complete row or cell (or of the sheet data, or of a merge)."""
_SHEET_DATA = re.compile(rb"<" + _P + rb"sheetData\b[^>]*?(/?)>")
_MERGE = re.compile(rb"<" + _P + rb"mergeCell\b([^>]*)>")
_MERGE_REF = re.compile(rb"\s*([A-Za-z]+)([0-9]+)(?::([A-Za-z]+)([0-9]+))?\s*")
_LINK = re.compile(r"\[([^\[\]]+)\](?:[\w.]*|[^'\[\]]*')!")
"""A reference into another workbook: ``[1]Sheet1!A1``, ``'[1]My sheet'!A1``,
``'C:\\x\\[grades.xlsx]Sheet1'!A1``, ``[1]!Name`` (not a table's ``Table1[Column]``)."""
MAX_MERGES = 100_000
"""Merged ranges kept per sheet (duplicates dropped); a sheet with more is hostile, and
the reader reports merges in the data area long before this many."""
_WINDOW = 16_384
"""Long cells are looked for in windows of this many bytes: a cell of more than
``EXCEL_CELL_CHARS`` characters spans at least two, and so fills one whole window with
no end of a cell in it."""

_PRE, _DATA, _POST = 0, 1, 2
"""Where in a worksheet part the scan is: before, in and after ``<sheetData>``."""


def check_xlsx(path: Path, display: str) -> WorkbookScan:
    """Scan a workbook's container; the scan's problems say whether it is safe to read."""
    return container.scan_zip(path, display, "xlsx", _scan)


def _scan(archive: zipfile.ZipFile, display: str, scan: WorkbookScan) -> None:
    infos = archive.infolist()
    scan.problems += container.part_warnings({i.filename for i in infos}, display)
    budget = Budget(display)
    long_strings: dict[int, int] = {}
    parts: dict[str, SheetFacts] = {}
    # The shared strings first: a worksheet's cells name their long strings by index.
    ordered = sorted(infos, key=lambda i: not i.filename.lower().endswith("sharedstrings.xml"))
    for info in ordered:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        if info.filename.startswith("xl/worksheets/"):
            scanner = _SheetScan(long_strings)
            container.stream(archive, info, budget, scanner.feed)
            facts = scanner.finish()
            if facts.too_large():
                raise Refused(container.used_range_too_large(
                    display, f"worksheet part {info.filename}", facts))
            parts[info.filename] = facts
        elif info.filename.lower().endswith("sharedstrings.xml"):
            strings = _StringsScan()
            container.stream(archive, info, budget, strings.feed)
            long_strings.update(strings.finish())
        else:
            container.stream(archive, info, budget)
    books = _external_books(archive) if any(f.links for f in parts.values()) else {}
    for facts in parts.values():
        facts.links = {ref: _link_target(key, books) for ref, key in facts.links.items()}
    scan.sheets = {name: parts[part] for name, part in _sheet_parts(archive).items()
                   if part in parts}
    scan.date1904 = _date1904(archive)


def _date1904(archive: zipfile.ZipFile) -> bool:
    try:
        workbook = archive.read("xl/workbook.xml")
    except KeyError:
        return False
    found = re.search(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=[\"'](1|true)[\"']", workbook)
    return found is not None


class _StringsScan:
    """Shared strings longer than Excel's limit (index -> length), fed chunk by chunk."""

    def __init__(self) -> None:
        self.pending = b""
        self.count = 0
        self.long: dict[int, int] = {}

    def feed(self, chunk: bytes) -> None:
        data = self.pending + chunk if self.pending else chunk
        end = data.rfind(b"</si>")
        if end < 0:
            self.pending = data
            return
        end += 5
        self._complete(data[:end])
        self.pending = data[end:]

    def finish(self) -> dict[int, int]:
        self._complete(self.pending)
        self.pending = b""
        return self.long

    def _complete(self, data: bytes) -> None:
        for start, stop in _long_spans(data, b"</si>", b"<si"):
            length = _text_length(data[start:stop])
            if length > EXCEL_CELL_CHARS:
                self.long[self.count + data.count(b"<si", 0, start)] = length
        self.count += data.count(b"<si")


def _long_spans(data: bytes, end_tag: bytes, start_tag: bytes) -> list[tuple[int, int]]:
    """(start, end) of the elements that may be longer than Excel's limit: each one that
    fills a whole window with no ``end_tag`` in it (so every long one, and a few more)."""
    spans = []
    k = 0
    while k + _WINDOW <= len(data):
        if data.find(end_tag, k, k + _WINDOW) >= 0:
            k += _WINDOW
            continue
        start = data.rfind(start_tag, 0, k)
        stop = data.find(end_tag, k)
        stop = len(data) if stop < 0 else stop
        spans.append((max(start, 0), stop))
        k = (stop // _WINDOW + 1) * _WINDOW
    return spans


def _text_length(xml: bytes) -> int:
    """Characters of the text runs (``<t>``) of a string item or an inline string,
    phonetic guides left out."""
    if b"rPh" in xml:
        xml = _PHONETIC.sub(b"", xml)
    return sum(len(_unescape(t)) for t in _G_TEXT.findall(xml))


def _unescape(text: bytes) -> str:
    value = text.decode("utf-8", errors="replace")
    return html.unescape(value) if "&" in value else value


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
    """

    def __init__(self, long_strings: dict[int, int] | None = None) -> None:
        self.facts = SheetFacts()
        self.long_strings = long_strings or {}
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
        self.shared: dict[bytes, str | None] = {}
        """Shared formula group -> the workbook its master formula links to (or None)."""

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
        if b":" in data and _PREFIXED.search(data):
            self._general(data)
            return
        facts = self.facts
        tall = _tall_cell(self.wide) if self.big else None
        if tall is not None:
            # one pass finds odd cells (as b"") and the rows of 100,000 and more
            found = tall.findall(data)
            odd = 0 if b"" in found else -1
            if found and odd < 0:
                facts.rows = max(facts.rows, max(map(int, found)))
        else:
            first = _odd_cell(self.wide, self.big).search(data)
            odd = first.start() if first else -1
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
        if len(data) >= _WINDOW:
            self._long_cells(data)
        if self.long_strings:
            self._long_shared(data)
        error = _HAS_ERROR.search(data)
        if error:
            self._errors(data, error.start())
        formula = _FORMULA_START.search(data)
        if formula:
            self._formulas(data, formula.start())

    def _errors(self, data: bytes, start: int) -> None:
        found = _HAS_ERROR.search(data, start)
        while found:
            cell = data.rfind(b'<c r="', 0, found.start())
            error = _ERROR_CELL.match(data, cell) if cell >= 0 else None
            if error and data.find(b">", cell) > found.start():
                self.facts.errors[error.group(1).decode()] = \
                    error.group(2).decode(errors="replace")
            found = _HAS_ERROR.search(data, found.end())

    def _formulas(self, data: bytes, start: int) -> None:
        """Each formula: without a saved value, linking to another workbook, or read as
        its saved value."""
        for found in _FORMULA_START.finditer(data, start):
            at = found.start()
            cell = data.rfind(b'<c r="', 0, at)
            head = _CELL_HEAD.match(data, cell) if cell >= 0 else None
            if head is None or head.end() != at:
                continue
            ref = head.group(1).decode()
            formula = _FORMULA.match(data, at)
            if formula is None:
                continue
            self._formula(ref, formula.group(1) or b"", formula.group(2),
                          uncached=_UNCACHED.match(data, at) is not None,
                          error=b't="e"' in head.group(0))

    def _formula(self, ref: str, attrs: bytes, text: bytes | None, *, uncached: bool,
                 error: bool) -> None:
        facts = self.facts
        link = _link(text) if text is not None else None
        if b"shared" in attrs:
            group = _attrs(attrs).get(b"si")
            if group is not None:
                if text is not None:
                    self.shared[group] = link
                else:
                    link = self.shared.get(group)
        if uncached:
            facts.uncached.add(ref)
        if link is not None:
            facts.links[ref] = link
        elif not uncached and not error:
            facts.formulas.add(ref)

    def _long_cells(self, data: bytes) -> None:
        """Cells longer than Excel's limit, inline or as a formula's text result."""
        for start, _ in _long_spans(data, b"</c>", b"</c>"):
            # the first cell after the end of the one before the window
            cell = next((t for t in _TOKEN.finditer(data, start) if not t.group(1)), None)
            if cell is not None:
                self._measure(cell)

    def _measure(self, cell: re.Match[bytes], ref: str | None = None) -> None:
        body = cell.group(5)
        if body is None:
            return
        attrs = _attrs(cell.group(3) or b"")
        where = ref or (attrs[b"r"].decode() if b"r" in attrs else None)
        if where is None:
            return
        kind = attrs.get(b"t", b"n")
        if kind == b"s":
            return
        if _G_INLINE.search(body):
            length = _text_length(body)
        else:
            value = _G_VALUE.search(body)
            length = len(_unescape(value.group(1) or b"")) if value else 0
        if length > EXCEL_CELL_CHARS:
            self.facts.too_long[where.upper()] = length

    def _long_shared(self, data: bytes) -> None:
        for cell in _SHARED_CELL.finditer(data):
            length = self.long_strings.get(int(cell.group(2)))
            if length is not None:
                self.facts.too_long[cell.group(1).decode()] = length

    def _general(self, data: bytes) -> None:
        """Every row tag and cell, whatever the shape of the XML (slower)."""
        facts = self.facts
        if b"<!--" in data:
            data = _COMMENT.sub(b"", data)
        rows, columns = facts.rows, facts.columns
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
            ref = f"{column_letter(col)}{at_row}"
            if len(body) > EXCEL_CELL_CHARS:
                self._measure(token, ref)
            if kind == b"s" and self.long_strings:
                value = _G_VALUE.search(body)
                index = (value.group(1) or b"").strip() if value else b""
                if index.isdigit() and int(index) in self.long_strings:
                    facts.too_long[ref] = self.long_strings[int(index)]
            if not (kind == b"e" or b"f" in body):
                continue
            error, uncached = _content(body, kind)
            if error is not None:
                facts.errors[ref] = error
            formula = _G_FORMULA.search(body)
            if formula is not None:
                self._formula(ref, formula.group(1) or b"", formula.group(2),
                              uncached=uncached, error=kind == b"e")
        facts.rows, facts.columns = rows, columns
        self.row, self.col = row, col
        self.big = self.big or rows >= 100_000
        self.wide = self.wide or columns > 52


def _content(body: bytes, kind: bytes) -> tuple[str | None, bool]:
    """(error value or None, formula without a saved value) of a cell's content, given its
    type. An empty ``<v></v>`` is a value only for text types, as readers take it
    (``<v/>`` is none at all); an error cell with a ``<v>`` and a formula with none or an
    empty one are reported, as the fast regexes report them."""
    found = _G_VALUE.search(body) if b"v" in body else None
    value = None if found is None else found.group(1)  # <v/> counts as no value
    inline = _G_INLINE.search(body) is not None
    error = value.decode(errors="replace") if kind == b"e" and value is not None else None
    uncached = not value and not inline and _G_FORMULA.search(body) is not None
    return error, uncached


def _link(formula: bytes) -> str | None:
    """The workbook a formula's text refers to (``1`` for ``[1]``, or a file name), or
    None when it refers to none."""
    if b"[" not in formula:
        return None
    for found in _LINK.finditer(xml_unescape(formula.decode("utf-8", errors="replace"))):
        key = found.group(1).strip()
        if key != "0":
            return key
    return None


def _link_target(key: str, books: dict[int, str]) -> str:
    if key.isdigit():
        return books.get(int(key), f"external workbook {int(key)}")
    return link_name(key)


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


@functools.lru_cache(maxsize=8)
def _odd_cell(wide: bool, big: bool) -> re.Pattern[bytes]:
    """The first cell of another shape, or beyond the sheet's known bounds."""
    letters = _WIDE if wide else _NARROW
    number = _TALL if big else _SHORT
    return re.compile(b'<c(?! r="' + letters + number + rb'")[\s>/]')


@functools.lru_cache(maxsize=4)
def _tall_cell(wide: bool) -> re.Pattern[bytes]:
    """For a sheet known to reach row 100,000: the row of each cell of the usual shape
    in rows of 100,000 and more, and b"" for each cell _odd_cell would find."""
    letters = _WIDE if wide else _NARROW
    return re.compile(b'<c(?: r="' + letters + rb'([1-9][0-9]{5,})"|(?! r="' + letters
                      + _TALL + rb'")[\s>/])')


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet name -> part name, from xl/workbook.xml and its relationships."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
    except KeyError:
        return {}
    targets = _relationships(archive, "xl/_rels/workbook.xml.rels")
    sheets = {}
    for sheet in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        tag = sheet.group(0)
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]+)"', tag) or re.search(r'\bid="([^"]+)"', tag)
        if name and rid and rid.group(1) in targets:
            sheets[xml_unescape(name.group(1))] = _in_xl(targets[rid.group(1)])
    return sheets


def _external_books(archive: zipfile.ZipFile) -> dict[int, str]:
    """The workbooks ``[1]``, ``[2]``... of formulas refer to: the n-th external reference
    of xl/workbook.xml, through its relationship to an external link part and that part's
    own relationship to the file."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
    except KeyError:
        return {}
    targets = _relationships(archive, "xl/_rels/workbook.xml.rels")
    books = {}
    for n, ref in enumerate(re.finditer(r"<(?:\w+:)?externalReference\b[^>]*>", workbook), 1):
        rid = re.search(r'\b\w*:?id="([^"]+)"', ref.group(0))
        part = _in_xl(targets.get(rid.group(1), "")) if rid else ""
        if not part:
            continue
        folder, _, name = part.rpartition("/")
        links = _relationships(archive, f"{folder}/_rels/{name}.rels")
        target = next(iter(links.values()), None)
        if target:
            books[n] = link_name(target)
    return books


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> target of a relationships part (empty when there is none)."""
    try:
        rels = archive.read(part).decode("utf-8", errors="replace")
    except KeyError:
        return {}
    targets = {}
    for rel in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        tag = rel.group(0)
        rid = re.search(r'\bId="([^"]+)"', tag)
        target = re.search(r'\bTarget="([^"]+)"', tag)
        if rid and target:
            targets[rid.group(1)] = xml_unescape(target.group(1))
    return targets


def _in_xl(target: str) -> str:
    if not target or "://" in target:
        return target
    path = target.lstrip("/")
    return path if path.startswith("xl/") else f"xl/{path}"


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number
