"""The pre-flight of an OpenDocument spreadsheet (``.ods``, as LibreOffice saves it).

An ``.ods`` is a zip like an ``.xlsx``, and gets the same container checks
(:mod:`~hmic_audit.io.container`): part count, compression ratio, a cap on the total
unpacked, no DTD in any XML part. Its every sheet is in one part, ``content.xml``, which
the reader parses whole when the file is opened, so every table in it is measured:

* the used range: rows and columns counted with their ``number-rows-repeated`` and
  ``number-columns-repeated`` (LibreOffice writes a million empty rows that way, which
  cost nothing; one value repeated over them would make the reader allocate them all),
  up to the last cell holding a value or a formula, as the reader keeps them;
* merged ranges (``number-columns-spanned``/``number-rows-spanned``);
* error cells (``calcext:value-type="error"``: the reader shows their text, such as
  ``#DIV/0!`` or ``Err:502``, as blank or as text, so they are reported);
* formulas: with a saved value, without one, and those that refer to another file
  (``['file:///…/grades.ods'#$Sheet1.A1]``).

Elements are matched with the prefixes LibreOffice writes (``table:``, ``office:``), as
the reader matches them: a row or cell under any other prefix is not read at all. A cell
has no length limit here: LibreOffice holds longer text than Excel, and the text is read
whole (an output workbook cuts it and says so).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..problems import Problem, column_letter
from . import container
from .container import Budget, Refused, SheetFacts, WorkbookScan, link_name, xml_unescape

MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_TOKEN = re.compile(
    rb"<(?:table:(?:"
    rb"(table)(?=[\s>/])([^>]*?)(/?)>"
    rb"|(table-row)(?=[\s>/])([^>]*?)(/?)>"
    rb"|(table-cell|covered-table-cell)(?=[\s>/])([^>]*?)(?:/>|>(.*?)</table:\7\s*>))"
    rb"|/table:(?:(table)|(table-row))\s*>)",
    re.S)
"""A table's start or end, a row's start or end, or a whole cell."""
_CUT = re.compile(rb"(?s:.*)</table:(?:table-row|table)\s*>")
"""The end of the last complete row (or table) in a chunk."""
_ATTR = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TEXT = re.compile(rb"<text:p\b[^>]*>(.*?)</text:p>", re.S)
_TAG = re.compile(rb"<[^>]*>")
_ODS_LINK = re.compile(r"'([^']+)'#")
"""An external reference in an OpenFormula: ``['file:///x/grades.ods'#$Sheet1.A1]``."""
MAX_MERGES = 100_000
MAX_REPEATED_FACTS = 1_000
"""Cells of one repeated element named in the facts (an error repeated over a million
cells is reported, not listed a million times)."""


def check_ods(path: Path, display: str) -> WorkbookScan:
    """Scan an .ods container; the scan's problems say whether it is safe to read."""
    return container.scan_zip(path, display, "ods", _scan)


def _scan(archive: zipfile.ZipFile, display: str, scan: WorkbookScan) -> None:
    names = set(archive.namelist())
    mimetype = archive.read("mimetype").strip() if "mimetype" in names else b""
    if mimetype != MIMETYPE or "content.xml" not in names:
        raise Refused(Problem(
            code="not-ods", file=display,
            message="is not an OpenDocument spreadsheet (" + (
                f"it is {mimetype.decode(errors='replace')}" if mimetype else
                "it has no spreadsheet content") + "); save it from LibreOffice Calc as .ods"))
    budget = Budget(display)
    if "META-INF/manifest.xml" in names:
        manifest = b"".join(container.chunks(archive, archive.getinfo("META-INF/manifest.xml"),
                                             budget))
        if b"encryption-data" in manifest:
            raise Refused(container.encrypted(display))
    for info in archive.infolist():
        if info.filename == "content.xml":
            tables = _ContentScan(display)
            container.stream(archive, info, budget, tables.feed)
            scan.sheets = tables.finish()
        elif info.filename.endswith(".xml") and info.filename != "META-INF/manifest.xml":
            container.stream(archive, info, budget)


class _ContentScan:
    """Facts of every table of content.xml, fed chunk by chunk (cut after whole rows)."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.pending = b""
        self.tables: dict[str, SheetFacts] = {}
        self.facts: SheetFacts | None = None
        self.name = ""
        self.merges: dict[tuple[int, int, int, int], None] = {}
        self.row = 0
        """Number of the last row started (repeats counted)."""
        self.repeat = 1
        self.col = 0
        self.filled = False
        """Whether the current row holds a cell the reader keeps."""

    def feed(self, chunk: bytes) -> None:
        data = self.pending + chunk if self.pending else chunk
        cut = _CUT.match(data)
        if cut is None:
            self.pending = data
            return
        self._tokens(data[:cut.end()])
        self.pending = data[cut.end():]

    def finish(self) -> dict[str, SheetFacts]:
        self._tokens(self.pending)
        self.pending = b""
        self._end_table()
        return self.tables

    def _tokens(self, data: bytes) -> None:
        for token in _TOKEN.finditer(data):
            (table, table_attrs, table_closed, row, row_attrs, row_closed, cell,
             cell_attrs, body, table_end, row_end) = token.groups()
            if cell:
                if self.facts is not None:
                    self._cell(self.facts, cell_attrs, body)
            elif row:
                self.repeat = _number(row_attrs, b"table:number-rows-repeated")
                self.row += 1
                self.col = 0
                self.filled = False
                if row_closed:
                    self._end_row()
            elif row_end:
                self._end_row()
            elif table:
                self._end_table()
                self.name = xml_unescape(
                    _attrs(table_attrs).get(b"table:name", b"").decode(errors="replace"))
                self.facts = SheetFacts()
                self.merges = {}
                self.row = 0
                if table_closed:
                    self._end_table()
            elif table_end:
                self._end_table()

    def _end_row(self) -> None:
        facts = self.facts
        if facts is not None and self.filled:
            facts.rows = max(facts.rows, self.row + self.repeat - 1)
            if facts.too_large():
                raise Refused(container.used_range_too_large(
                    self.display, f"sheet {self.name!r}", facts))
        self.row += self.repeat - 1
        self.repeat = 1

    def _end_table(self) -> None:
        if self.facts is None:
            return
        self.facts.merged = list(self.merges)
        self.tables.setdefault(self.name, self.facts)
        self.facts = None

    def _cell(self, facts: SheetFacts, raw_attrs: bytes, body: bytes | None) -> None:
        repeat = _number(raw_attrs, b"table:number-columns-repeated")
        first = self.col + 1
        self.col += repeat
        if b"office:" not in raw_attrs and b"table:formula" not in raw_attrs \
                and b"spanned" not in raw_attrs:
            return  # empty (perhaps styled): the reader keeps nothing for it
        attrs = _attrs(raw_attrs)
        formula = attrs.get(b"table:formula")
        holds = formula is not None or any(name.startswith(b"office:") for name in attrs)
        if holds:
            self.filled = True
            facts.columns = max(facts.columns, self.col)
            if facts.too_large():
                facts.rows = max(facts.rows, self.row)
                raise Refused(container.used_range_too_large(
                    self.display, f"sheet {self.name!r}", facts))
        across = _number(raw_attrs, b"table:number-columns-spanned")
        down = _number(raw_attrs, b"table:number-rows-spanned")
        if (across > 1 or down > 1) and len(self.merges) < MAX_MERGES:
            self.merges[(self.row, first, self.row + down - 1, first + across - 1)] = None
        error = attrs.get(b"calcext:value-type") == b"error"
        refs = [f"{column_letter(c)}{self.row}"
                for c in range(first, first + min(repeat, MAX_REPEATED_FACTS))]
        if error:
            value = _text(body)
            for ref in refs:
                facts.errors[ref] = value
        if formula is None:
            return
        found = _ODS_LINK.search(xml_unescape(formula.decode(errors="replace")))
        uncached = not any(name.startswith(b"office:") for name in attrs)
        for ref in refs:
            if uncached:
                facts.uncached.add(ref)
            if found:
                facts.links[ref] = link_name(found.group(1))
            elif not uncached and not error:
                facts.formulas.add(ref)


def _number(attrs: bytes, name: bytes) -> int:
    """A repeat or span count of a tag (1 when absent or not a positive number)."""
    at = attrs.find(name)
    if at < 0:
        return 1
    value = _attrs(attrs[at:]).get(name, b"1").strip()
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _attrs(text: bytes) -> dict[bytes, bytes]:
    return {name: double or single for name, double, single in _ATTR.findall(text)}


def _text(body: bytes | None) -> str:
    """The text a cell shows (its paragraphs, tags dropped), for an error value."""
    if not body:
        return ""
    paragraphs = [_TAG.sub(b"", p) for p in _TEXT.findall(body)]
    return xml_unescape(b"\n".join(paragraphs).decode(errors="replace")).strip()
