"""What every workbook pre-flight shares: what a file's first bytes say it is, the safety
checks of a zip container (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.ods``), the decompressing
of one part in counted chunks, and the facts a scan hands to the reader.

A zip container is refused before any part is decompressed when it has more than
``MAX_ENTRIES`` parts, when the sizes its directory declares add up to more than
``MAX_UNCOMPRESSED_BYTES``, or when it would expand like a zip bomb: one part over
``RATIO_FREE_BYTES`` (or all parts together over ``RATIO_FREE_TOTAL``) packed more than
``MAX_RATIO`` times. Below those sizes a part may pack as tightly as it likes (a long
note of one repeated character does), since every byte is counted as it is decompressed
and the total is capped whatever the directory says. Any DTD or entity declaration in an
XML part is refused (entity bombs).
"""

from __future__ import annotations

import queue
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import Problem, Severity, column_letter

MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
"""Largest total size the parts of a workbook may decompress to (and the largest .xls)."""
MAX_ENTRIES = 10_000
"""Most parts a zip container may hold (a workbook has dozens)."""
MAX_RATIO = 200
"""Largest compression ratio accepted for a part over ``RATIO_FREE_BYTES`` (zip bombs)."""
RATIO_FREE_BYTES = 64 * 1024**2
"""A part up to this size may pack any amount: it is counted as it is decompressed."""
RATIO_FREE_TOTAL = 256 * 1024**2
"""All parts together up to this size may pack any amount."""
MAX_ROWS = 1_100_000
MAX_COLUMNS = 1_000
MAX_CELLS = 30_000_000
"""Largest used range (rows x columns) handed to the reader: a million rows of 30
columns, and about a gigabyte of cells in the reader."""
EXCEL_CELL_CHARS = 32_767
"""Excel's limit on the characters of one cell."""

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""An OLE2 compound file: an old .xls workbook, or any encrypted Office file."""
XLS_MAGIC = OLE_MAGIC

CHUNK = 1 << 20
"""Bytes decompressed at a time."""
_THREADED = 8 * CHUNK
"""Parts larger than this are decompressed in a second thread while the first scans
(zlib lets go of the interpreter while it inflates)."""
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)
_ROOT = re.compile(rb"<[A-Za-z_]")
"""The start of the root element: a DTD can only come before it."""
_OVERLAP = 4096
"""Bytes of the previous chunk searched again for a DTD split across two chunks."""

FORMAT_NAMES = {"xlsx": "Excel .xlsx workbook", "ods": "OpenDocument .ods spreadsheet",
                "xlsb": "Excel .xlsb (binary) workbook", "xls": "Excel 97-2003 .xls workbook"}
SAVING_PROGRAM = {"xlsx": "Excel", "xlsb": "Excel", "xls": "Excel", "ods": "LibreOffice"}


@dataclass
class SheetFacts:
    """What a scan found in one worksheet. Cells are named by reference (``E3``)."""

    rows: int = 0
    columns: int = 0
    """The used range: the largest row and column number of any cell the reader keeps."""
    errors: dict[str, str] = field(default_factory=dict)
    """Cell -> error value shown by the spreadsheet (``#DIV/0!``), which reads blank."""
    uncached: set[str] = field(default_factory=set)
    """Cells holding a formula with no saved value (they read blank)."""
    formulas: set[str] = field(default_factory=set)
    """Cells holding a formula whose saved value is what is read (links excluded)."""
    links: dict[str, str] = field(default_factory=dict)
    """Cell -> the other workbook its formula refers to (``grades.xlsx``, or ``external
    workbook 1`` when the file does not say which)."""
    too_long: dict[str, int] = field(default_factory=dict)
    """Cell -> its length in characters, for cells over ``EXCEL_CELL_CHARS``."""
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    """Merged ranges as (top row, left column, bottom row, right column), 1-based."""

    def too_large(self) -> bool:
        return (self.rows > MAX_ROWS or self.columns > MAX_COLUMNS
                or self.rows * self.columns > MAX_CELLS)


@dataclass
class WorkbookScan:
    """The result of checking a workbook container."""

    problems: list[Problem] = field(default_factory=list)
    sheets: dict[str, SheetFacts] = field(default_factory=dict)
    """Worksheet name -> facts."""
    date1904: bool = False
    """The workbook counts dates from 1904 (old Mac Excel), as its settings say."""

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


class Refused(Exception):
    """A scan found a reason not to let the reader see the file."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def sniff(path: Path) -> str:
    """What a file's first bytes say it is: ``zip``, ``ole`` or ``text``."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGICS):
        return "zip"
    if head == OLE_MAGIC:
        return "ole"
    return "text"


def is_encrypted_ole(path: Path) -> bool:
    """An OLE file holding an encrypted Office Open XML package (a password-protected
    .xlsx, .xlsb or .xlsm: Excel wraps all of them this way)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    return "EncryptedPackage".encode("utf-16-le") in head or b"EncryptedPackage" in head


def encrypted(display: str) -> Problem:
    return Problem(code="encrypted-workbook", file=display,
                   message="is an encrypted (password-protected) workbook; open it in the "
                   "program that made it and save an unprotected copy")


def not_this_format(path: Path, display: str, fmt: str) -> Problem:
    """The problem for a file whose contents are not the format its extension claims."""
    kind = sniff(path)
    suffix = path.suffix.lower() or "(no extension)"
    if kind == "ole":
        if is_encrypted_ole(path):
            return encrypted(display)
        return Problem(code="old-xls", file=display,
                       message=f"is an old .xls workbook named {suffix}; rename it to .xls, "
                       "or open it and save it as .xlsx (Excel Workbook)")
    if kind == "zip":
        return Problem(code=f"not-{fmt}", file=display,
                       message=f"is a zip archive but not an {FORMAT_NAMES[fmt]}; give it the "
                       "extension of the program that saved it (.xlsx, .xlsb or .ods)")
    with path.open("rb") as fh:
        head = fh.read(4096)
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if head and "\x00" not in text and text.startswith("<"):
        return Problem(code=f"not-{fmt}", file=display,
                       message=f"is a web page or XML file named {suffix} (some systems export "
                       "tables this way), not a workbook; open it in a spreadsheet program "
                       "and save it as .xlsx")
    if head and "\x00" not in text and any(sep in text for sep in (",", ";", "\t")):
        return Problem(code=f"csv-saved-as-{fmt}", file=display,
                       message=f"is a CSV file saved as {suffix}; rename it to .csv (or save "
                       "it from your spreadsheet program as an .xlsx workbook)")
    return Problem(code=f"not-{fmt}", file=display,
                   message=f"is not an {FORMAT_NAMES[fmt]} (its contents are not a workbook "
                   "at all)")


def corrupt(display: str, fmt: str) -> Problem:
    return Problem(code=f"corrupt-{fmt}", file=display,
                   message=f"is truncated or corrupt; save it again from "
                   f"{SAVING_PROGRAM[fmt]}")


def too_big(display: str, size: int) -> Problem:
    return Problem(code="workbook-too-large", file=display,
                   message=f"decompresses to more than {MAX_UNCOMPRESSED_BYTES:,} bytes "
                   f"({size:,} so far); refusing to read it")


def used_range_too_large(display: str, where: str, facts: SheetFacts) -> Problem:
    return Problem(code="used-range-too-large", file=display,
                   message=f"{where} uses cells up to "
                   f"{column_letter(facts.columns)}{facts.rows}; a stray value far from the "
                   "data makes the sheet too large to read. Clear the cells outside the "
                   "table and save again")


def open_zip(path: Path, display: str, fmt: str) -> zipfile.ZipFile:
    """The container, its directory checked; ``Refused`` when it must not be read."""
    if sniff(path) != "zip":
        raise Refused(not_this_format(path, display, fmt))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise Refused(corrupt(display, fmt)) from None
    try:
        check_directory(archive, display)
    except Refused:
        archive.close()
        raise
    return archive


def scan_zip(path: Path, display: str, fmt: str,
             body: Callable[[zipfile.ZipFile, str, WorkbookScan], None]) -> WorkbookScan:
    """Open a zip container, check its directory and run a format's scan of its parts;
    any refusal, or any failure to read the container, becomes the scan's one problem."""
    scan = WorkbookScan()
    try:
        archive = open_zip(path, display, fmt)
    except Refused as refused:
        scan.problems.append(refused.problem)
        return scan
    with archive:
        try:
            body(archive, display, scan)
        except Refused as refused:
            scan.problems = [refused.problem]
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, KeyError,
                IndexError, struct.error, NotImplementedError, RuntimeError):
            scan.problems = [corrupt(display, fmt)]
    return scan


def part_warnings(names: set[str], display: str) -> list[Problem]:
    """Warnings a workbook's part names give: macros, links to other workbooks."""
    found = []
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        found.append(Problem(
            code="macros", severity=Severity.WARNING, file=display,
            message="contains macros; they are ignored (hmic-audit never runs them)"))
    if any(n.startswith("xl/externalLinks/") for n in names):
        found.append(Problem(
            code="external-links", severity=Severity.WARNING, file=display,
            message="links to other workbooks; the links are not followed, and values "
            "are read as last saved"))
    return found


def check_directory(archive: zipfile.ZipFile, display: str) -> None:
    """Entry count, declared total and compression ratios, before anything is unpacked."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise Refused(Problem(
            code="zip-bomb", file=display,
            message=f"holds {len(infos):,} parts (a workbook has dozens); refusing to read "
            "it (a zip bomb?)"))
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise Refused(too_big(display, declared))
    packed = sum(i.compress_size for i in infos)
    for info in infos:
        if info.file_size > RATIO_FREE_BYTES and \
                info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Refused(_bomb(display, info.filename, info.file_size, info.compress_size))
    if declared > RATIO_FREE_TOTAL and declared > MAX_RATIO * max(packed, 1):
        raise Refused(_bomb(display, "all parts together", declared, packed))


def _bomb(display: str, what: str, size: int, packed: int) -> Problem:
    part = what if what == "all parts together" else f"part {what}"
    return Problem(code="zip-bomb", file=display,
                   message=f"{part} would expand {size:,} bytes from {packed:,}; refusing "
                   "to read it (a zip bomb?)")


class Budget:
    """The bytes decompressed so far, across all parts, against the cap."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.total = 0

    def count(self, size: int) -> None:
        self.total += size
        if self.total > MAX_UNCOMPRESSED_BYTES:
            raise Refused(too_big(self.display, self.total))


def chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget,
           xml: bool = True) -> Iterator[bytes]:
    """A part's bytes, decompressed a chunk at a time and counted against the budget; an
    XML part declaring a DTD or entities is refused before its root element."""
    prolog = xml
    tail = b""
    for chunk in _read(archive, info):
        budget.count(len(chunk))
        if prolog:
            data = tail + chunk
            root = _ROOT.search(data)
            if _DTD.search(data, 0, root.start() if root else len(data)):
                raise Refused(Problem(
                    code="xml-entities", file=budget.display,
                    message=f"part {info.filename} declares a DTD or entities, which "
                    "workbooks never do; refusing to read it (an entity bomb?)"))
            prolog = root is None
            tail = data[-_OVERLAP:]
        yield chunk


def stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget,
           feed: Callable[[bytes], object] | None = None, xml: bool = True) -> None:
    """Decompress a whole part through ``chunks``, handing each chunk to ``feed``."""
    for chunk in chunks(archive, info, budget, xml):
        if feed is not None:
            feed(chunk)


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's chunks; a large part is inflated in a second thread, a few chunks
    ahead, so the scan of one chunk overlaps the unpacking of the next."""
    size = CHUNK
    if info.file_size <= _THREADED:
        with archive.open(info) as fh:
            while chunk := fh.read(size):
                yield chunk
        return
    ahead: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=8)
    stop = threading.Event()
    raw = (info.compress_type == zipfile.ZIP_DEFLATED and not info.flag_bits & 1
           and isinstance(archive.filename, str))

    def inflate() -> None:
        try:
            if raw:
                for chunk in _inflate(archive.filename or "", info, size):
                    if stop.is_set():
                        return
                    ahead.put(chunk)
            else:
                with archive.open(info) as fh:
                    while not stop.is_set() and (chunk := fh.read(size)):
                        ahead.put(chunk)
            ahead.put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the scanning thread
            ahead.put(exc)

    worker = threading.Thread(target=inflate, daemon=True)
    worker.start()
    try:
        while (item := ahead.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # let the worker finish its put and see the stop
            try:
                ahead.get(timeout=0.05)
            except queue.Empty:
                pass
        worker.join()


def _inflate(filename: str, info: zipfile.ZipInfo, size: int) -> Iterator[bytes]:
    """A deflated part's bytes straight from zlib, ``size`` at a time: as zipfile reads
    it (no more than its declared size, its checksum verified) with fewer steps that
    need the interpreter, so the other thread's scan runs meanwhile."""
    with open(filename, "rb") as fh:
        fh.seek(info.header_offset)
        head = fh.read(30)
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local header")
        name, extra = struct.unpack_from("<HH", head, 26)
        fh.seek(info.header_offset + 30 + name + extra)
        left, total, crc = info.compress_size, 0, 0
        inflater = zlib.decompressobj(-15)
        while left > 0:
            packed = fh.read(min(left, size))
            if not packed:
                raise EOFError("part ends early")
            left -= len(packed)
            while packed:
                try:
                    out = inflater.decompress(packed, size)
                except zlib.error as exc:
                    raise zipfile.BadZipFile(str(exc)) from None
                packed = inflater.unconsumed_tail
                total += len(out)
                if total > info.file_size:
                    raise zipfile.BadZipFile("part longer than declared")
                crc = zlib.crc32(out, crc)
                if out:
                    yield out
        try:
            out = inflater.flush()
        except zlib.error as exc:
            raise zipfile.BadZipFile(str(exc)) from None
        total += len(out)
        crc = zlib.crc32(out, crc)
        if out:
            yield out
        if total != info.file_size or crc != info.CRC:
            raise zipfile.BadZipFile("bad checksum or size")


def xml_unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def link_name(target: str) -> str:
    """A linked workbook as its user knows it: its file name, without the folders (a
    path can name a person)."""
    from urllib.parse import unquote

    name = unquote(target.replace("\\", "/").rstrip("/")).rsplit("/", 1)[-1]
    return name or target
