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
* macro parts and links to external workbooks are reported (as warnings: the tool never
  runs or follows them).
"""

from __future__ import annotations

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
# that could make it large are captured: rows of six or seven digits (100,000 and more)
# and columns from BA (53) on. Ordinary tables produce few or no matches, so scanning
# stays near the speed of unzipping.
_BIG_ROW = re.compile(rb' r="[A-Z]{0,3}([0-9]{6,7})"')
_WIDE_COL = re.compile(rb' r="([A-Z]{3}|[B-Z][A-Z])[0-9]')
_ANY_ROW = re.compile(rb' r="[A-Z]{0,3}([0-9]{1,7})"')
_FIRST_VALUE = re.compile(rb'<(?:\w+:)?c r="[A-Z]{1,3}([0-9]{1,7})"[^>]*>(?:<f[^>]*>[^<]*</f>)?'
                          rb"<(?:v|is)>")
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*?\bt="e"[^>]*>'
                         rb"(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>")
_UNCACHED = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)'
                       rb"(?:<v\s*/>|<v></v>)?</c>")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_ROOT = re.compile(rb"<[A-Za-z_]")
"""The start of the root element: a DTD can only come before it."""
_HAS_ERROR = re.compile(rb't="e"')
_HAS_FORMULA = re.compile(rb"<f[ >/]")
_CHUNK = 1 << 20
_OVERLAP = 4096

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
    """Row of the first cell holding a value (where the reader's grid starts)."""


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
    facts = SheetFacts()
    size = 0
    tail = b""
    prolog = True
    with archive.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            size += len(chunk)
            if size > MAX_UNCOMPRESSED_BYTES:
                break
            data = tail + chunk
            if prolog:
                root = _ROOT.search(data)
                if _DTD.search(data, 0, root.start() if root else len(data)):
                    return facts, size, True
                prolog = root is None
            if is_sheet:
                _sheet_facts(data, facts)
            tail = data[-_OVERLAP:]
    return facts, size, False


def _sheet_facts(data: bytes, facts: SheetFacts) -> None:
    """Update a worksheet's facts from one chunk of its XML (chunks overlap a little).

    Rows of 100,000 and more and columns past AZ are found exactly; below those bounds
    (columns up to AZ, rows under 100,000) no table can reach the cell cap, so the last
    row of each chunk is enough. Only a sheet with columns past KN (300) has every row
    reference read, since 100,000 rows of it could exceed the cap.
    """
    facts.columns = max(facts.columns, 52 if b'<c r="A' in data else 26)
    for letters in set(_WIDE_COL.findall(data)):
        facts.columns = max(facts.columns, _column_number(letters))
    big = _BIG_ROW.findall(data)
    if big:
        facts.rows = max(facts.rows, max(map(int, big)))
    last = data.rfind(b'row r="')
    if last >= 0:
        digits = re.match(rb'row r="([0-9]{1,7})"', data[last:last + 20])
        if digits:
            facts.rows = max(facts.rows, int(digits.group(1)))
    if facts.columns > MAX_CELLS // 100_000:
        rows = _ANY_ROW.findall(data)
        if rows:
            facts.rows = max(facts.rows, max(map(int, rows)))
    if facts.first_row is None:
        first = _FIRST_VALUE.search(data)
        if first:
            facts.first_row = int(first.group(1))
    if _HAS_ERROR.search(data):
        for ref, value in _ERROR_CELL.findall(data):
            facts.errors[ref.decode()] = value.decode(errors="replace")
    if _HAS_FORMULA.search(data):
        for ref in _UNCACHED.findall(data):
            facts.uncached.add(ref.decode())


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
