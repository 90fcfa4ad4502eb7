"""Read a cases file into a :class:`~hmic_audit.io.table.Grid`.

Accepted: workbooks (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls``, ``.ods``), delimited text
(``.csv``, ``.txt``: :mod:`~hmic_audit.io.delimited`) and ``.json``.

Every cell becomes text, converted explicitly: a reader left to itself turns case
reference ``00123`` into ``123.0`` and ``N/A`` into a blank. Integral numbers become
``"14"``, Excel dates become ISO dates, blanks are blank. Row numbers are the ones the
spreadsheet shows: the reader is asked for the sheet from its first row, so every later
message points at the cell a person sees (leading blank rows are then left out, counted).

* Workbooks: the container is checked first by the pre-flight of its format
  (:mod:`~hmic_audit.io.preflight`), then the sheet (``Cases``, else the first, or the
  one named; a name is matched exactly, else ignoring case and spacing) is read with
  fastexcel (Rust calamine straight into Arrow string columns).
  A cell longer than Excel's 32,767 characters is refused (``cell-too-long``), naming it.
* ``.json``: a list of flat objects (or ``{"audits": [...]}``), strictly: duplicate keys,
  NaN and absurd nesting are refused.
* A lock file a spreadsheet program keeps beside an open workbook (``~$cases.xlsx``,
  ``.~lock.cases.ods#``) is named as such (``lock-file``): see :func:`is_lock_file`.

A failure inside a reading library becomes a ``WorkbookError`` naming the file; nothing
here lets a library's exception escape as a traceback.
"""

from __future__ import annotations

import glob
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..problems import Problem, WorkbookError, cell_position
from .container import (
    EXCEL_CELL_CHARS,
    OLE_MAGIC,
    SAVING_PROGRAM,
    ZIP_MAGICS,
    SheetFacts,
    WorkbookScan,
)
from .delimited import MAX_TEXT_BYTES, read_csv, too_large
from .preflight import SCANS, check_xlsx
from .sheet_load import (
    CASES_SHEET,
    PROBLEMS_SHEET,
    WORKBOOKS,
    ReaderFailed,
    pick_sheet,
    sheets_named,
    take,
)
from .table import Grid, TextColumn

__all__ = ["CASES_SHEET", "PROBLEMS_SHEET", "WORKBOOKS", "is_lock_file", "read_grid"]
TEXTS = (".csv", ".txt")
READER_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!",
                           "#VALUE!", "#GETTING_DATA"})
"""The error values the reader knows; another (``#SPILL!``, ``#CALC!``) stops it reading
the sheet, and is named as the reason."""
ACCEPTED = "a workbook (.xlsx, .xlsm, .xlsb, .xls or .ods), a .csv (or delimited .txt) or " \
    "a .json file"


def read_grid(path: str | Path, *, encoding: str | None = None,
              sheet: str | None = None) -> Grid:
    """Read a cases file; raise ``WorkbookError`` with every problem when it cannot."""
    path = Path(path)
    display = path.name
    if not path.exists():
        raise WorkbookError(f"{display} not found", [
            Problem(code="file-not-found", file=str(path), message="no such file")])
    if path.is_dir():
        raise WorkbookError(f"{display} is a folder", [
            Problem(code="not-a-file", file=str(path), message="is a folder, not a file")])
    if is_lock_file(path):
        raise WorkbookError(f"{display} is a lock file", [_lock_file_problem(path)])
    suffix = path.suffix.lower()
    try:
        if suffix in WORKBOOKS:
            return _read_workbook(path, display, sheet, WORKBOOKS[suffix])
        if suffix in TEXTS:
            return read_csv(path, display, encoding)
        if suffix == ".json":
            return _read_json(path, display)
    except WorkbookError:
        raise
    except MemoryError:
        raise WorkbookError(f"{display} is too large to read", [Problem(
            code="too-large", file=display,
            message="is too large to read in the memory this machine has")]) from None
    except Exception as exc:  # noqa: BLE001 - a reading library failed: say so, no traceback
        raise WorkbookError(f"{display} cannot be read", [Problem(
            code="unreadable", file=display,
            message=f"could not be read ({type(exc).__name__}: {exc}); save it again from "
            "the program that made it, or check that hmic-audit's dependencies are "
            "installed as its pyproject.toml requires")]) from None
    raise WorkbookError(f"{display}: unsupported file type", [
        Problem(code="unsupported-format", file=display,
                message=f"has extension {suffix or '(none)'!r}; give {ACCEPTED}")])


# Lock files ------------------------------------------------------------------------

_LOCK_MAGIC = (*ZIP_MAGICS, OLE_MAGIC)
LOCK_FILE_MAX_BYTES = 64 * 1024
"""Largest file taken for a lock file: Excel's owner files are 165 bytes, LibreOffice's
lock files a line of text."""


def _locked_name(name: str) -> str | None:
    """The workbook name a lock file's own name stands for, or None when it is not one.

    Excel's owner file is ``~$`` and the workbook's name (for a long name, its first two
    characters replaced by ``~$``); LibreOffice's is ``.~lock.`` and the name, then ``#``.
    """
    if name.startswith(".~lock.") and name.endswith("#") and len(name) > 8:
        return name[len(".~lock."):-1]
    if name.startswith("~$") and len(name) > 2:
        return name[2:]
    return None


def is_lock_file(path: str | Path) -> bool:
    """Whether a path is the lock file a spreadsheet program keeps beside an open workbook:
    Excel's owner file ``~$cases.xlsx`` or LibreOffice's ``.~lock.cases.xlsx#``.

    Decided by the name, except that a file holding a real workbook (a zip or an old
    Excel container) is never a lock file, whatever it is called. Multi-file commands
    skip these; ``read_grid`` refuses them with ``lock-file``.
    """
    path = Path(path)
    if _locked_name(path.name) is None:
        return False
    try:
        if path.stat().st_size > LOCK_FILE_MAX_BYTES:
            return False
        with path.open("rb") as fh:
            return not fh.read(8).startswith(_LOCK_MAGIC)
    except OSError:  # not there (or unreadable): the name decides
        return True


def _lock_file_problem(path: Path) -> Problem:
    name = _locked_name(path.name) or path.name
    if path.name.startswith("~$") and not (path.parent / name).exists():
        # Excel shortens a long name's owner file: "~$dget.xlsx" for "Budget.xlsx".
        found = sorted(p.name for p in path.parent.glob(f"??{glob.escape(name)}")
                       if p.name != path.name and not p.name.startswith("~$"))
        if len(found) == 1:
            name = found[0]
    program = "LibreOffice" if path.name.startswith(".~lock.") else "Excel"
    return Problem(code="lock-file", file=path.name,
                   message=f"is the lock file {program} keeps while {name} is open; it is "
                   f"not a workbook — give {name}")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Workbooks --------------------------------------------------------------------------

def _read_workbook(path: Path, display: str, sheet: str | None, fmt: str) -> Grid:
    """Pre-flight the container and load the sheet (in a child process meanwhile, where
    there is one: :mod:`~hmic_audit.io.sheet_load`); the pre-flight's verdict comes
    first, then what the reader found."""
    with take(path, sheet) as load:
        scan = check_xlsx(path, display) if fmt == "xlsx" else SCANS[fmt](path, display)
        if not scan.ok:
            raise WorkbookError(f"{display} cannot be read", scan.problems)
        loaded = load.result()
    if loaded.failed == "open":
        raise WorkbookError(f"{display} cannot be read", [
            _unreadable(display, fmt, loaded.error or ReaderFailed("no reason given"))])
    names = loaded.names
    chosen = _choose(names, sheet, display)
    facts = _facts(scan, chosen, display, fmt)
    if loaded.failed is not None or loaded.batch is None:
        raise _load_failed(display, fmt, chosen, facts,
                           loaded.error or ReaderFailed("no reason given"))
    digest = _sha256(path.read_bytes())
    if loaded.sha256 != digest:  # replaced while it was read: which version is unknown
        raise WorkbookError(f"{display} changed while it was being read", [Problem(
            code="file-changed", file=display,
            message="changed while it was being read (saved again, or synced, meanwhile); "
            "run the command again once the file has been saved")])
    batch, numbers = loaded.batch, loaded.numbers
    columns = [TextColumn.from_arrow(c) for c in batch.columns]
    top = _first_filled(columns)
    if top is None:  # nothing in the sheet holds a value
        columns, numbers = [], []
        top = batch.num_rows
    elif top:
        columns = [c.take(slice(top, None)) for c in columns]
    return Grid(
        file=display, path=path, format=fmt, sheet=chosen, sha256=digest,
        rows=np.arange(top + 1, batch.num_rows + 1, dtype=np.int64), columns=columns,
        column_numbers=numbers, problems=[p for p in scan.problems if not p.is_error],
        error_cells={_cell(ref): value for ref, value in facts.errors.items()},
        uncached={_cell(ref) for ref in facts.uncached},
        formulas={_cell(ref) for ref in facts.formulas},
        links={_cell(ref): target for ref, target in facts.links.items()},
        merged=list(facts.merged), date1904=scan.date1904, sheets=names,
        form=loaded.stamp)


def _choose(names: list[str], sheet: str | None, display: str) -> str:
    """The sheet to read (``pick_sheet``), or the problem when there is none to read."""
    chosen = pick_sheet(names, sheet)
    if chosen is not None:
        return chosen
    if sheet is not None:
        found = sheets_named(names, sheet)
        if found:  # several alike: which one is not guessed
            listed = ", ".join(repr(n) for n in found)
            why = f"its sheets {listed} differ from it only in case or spacing: give one exactly"
        else:
            why = f"its sheets are {', '.join(names)}"
        raise WorkbookError(f"{display}: no sheet {sheet!r}", [
            Problem(code="missing-sheet", file=display, sheet=sheet,
                    message=f"has no sheet {sheet!r}; {why}")])
    raise WorkbookError(f"{display} has no sheets", [
        Problem(code="missing-sheet", file=display, message="has no worksheets")])


def _facts(scan: WorkbookScan, chosen: str, display: str, fmt: str) -> SheetFacts:
    """The chosen sheet's facts; its cells longer than Excel allows are refused."""
    facts = scan.sheets.get(chosen) or SheetFacts()
    if facts.too_long:
        raise WorkbookError(f"{display} has cells longer than Excel allows", [
            Problem(code="cell-too-long", file=display, sheet=chosen, row=_cell(ref)[0],
                    cell=ref, value=f"{length:,} characters",
                    message=f"holds {length:,} characters; Excel's limit is "
                    f"{EXCEL_CELL_CHARS:,} characters per cell, so the cell cannot be kept "
                    "as it is. Shorten it (or keep the long text in another file) and save "
                    f"again from {SAVING_PROGRAM[fmt]}")
            for ref, length in sorted(facts.too_long.items(), key=lambda i: _cell(i[0]))])
    return facts


def _load_failed(display: str, fmt: str, chosen: str, facts: SheetFacts,
                 exc: Exception) -> WorkbookError:
    """The reader could not read the sheet: name any error value it does not know
    (``#SPILL!``), which is the usual reason; else say what it said."""
    unknown = {ref: value for ref, value in facts.errors.items() if value not in READER_ERRORS}
    return WorkbookError(f"{display} cannot be read", [
        Problem(code="error-cell", file=display, sheet=chosen, row=_cell(ref)[0],
                cell=ref, value=value,
                message=f"holds the error {value}, which the reader cannot read (and so "
                "cannot read the sheet); correct the formula or type the value")
        for ref, value in sorted(unknown.items(), key=lambda i: _cell(i[0]))
    ] or [_unreadable(display, fmt, exc, chosen)])


def _first_filled(columns: list[TextColumn]) -> int | None:
    """The first row position where any column holds a value (None: none does)."""
    firsts = [int(np.argmax(c.index >= 0)) for c in columns if (c.index >= 0).any()]
    return min(firsts) if firsts else None


def _unreadable(display: str, fmt: str, exc: Exception, sheet: str | None = None
                ) -> Problem:
    program = SAVING_PROGRAM[fmt]
    if "password" in str(exc).lower():
        return Problem(code="encrypted-workbook", file=display,
                       message="is an encrypted (password-protected) workbook; open it in "
                       f"{program} and save an unprotected copy")
    what = f"sheet {sheet!r}" if sheet else "it"
    return Problem(code=f"corrupt-{fmt}", file=display, sheet=sheet,
                   message=f"{what} could not be read as a workbook ({exc}); save the "
                   f"workbook again from {program}")


_cell = cell_position


# JSON -------------------------------------------------------------------------------

class _JsonRefused(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise _JsonRefused(f"repeats the key {key!r} in one object; keep one")
        seen[key] = value
    return seen


def _no_constants(name: str) -> object:
    raise _JsonRefused(f"holds {name}, which is not a number JSON allows; use a number or "
                       "null")


def json_cell(value: object) -> str:
    """Text for one JSON value: integral numbers without '.0', booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _read_json(path: Path, display: str) -> Grid:
    """JSON strictly: duplicate keys, NaN/Infinity and absurd nesting are refused."""
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise WorkbookError(f"{display} is too large", [too_large(display, size)])
    raw = path.read_bytes()
    try:
        data: Any = json.loads(raw.decode("utf-8-sig"), object_pairs_hook=_no_duplicates,
                               parse_constant=_no_constants)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise WorkbookError(f"{display} is not valid JSON", [
            Problem(code="bad-json", file=display, row=line,
                    message=f"is not valid JSON: {getattr(exc, 'msg', exc)}")]) from None
    except _JsonRefused as exc:
        raise WorkbookError(f"{display} is not accepted", [
            Problem(code="bad-json", file=display, message=str(exc))]) from None
    except RecursionError:
        raise WorkbookError(f"{display} is nested too deeply", [
            Problem(code="bad-json", file=display,
                    message="is nested too deeply; a cases file is a list of flat objects")
        ]) from None
    if isinstance(data, dict):
        for key in ("audits", "cases", "rows"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise WorkbookError(f"{display}: unexpected JSON shape", [
            Problem(code="bad-json", file=display,
                    message="must be a list of objects, one per audit or case (or an object "
                    "with an \"audits\" list)")])
    headers: dict[str, None] = {}
    for record in data:
        headers.update(dict.fromkeys(record))
    problems: list[Problem] = []
    for i, record in enumerate(data, start=1):
        for key, value in record.items():
            if isinstance(value, dict | list):
                problems.append(Problem(code="bad-json-value", file=display, row=i,
                                        column=key, message="must be a single value, not a "
                                        "list or object"))
            elif isinstance(value, float) and not math.isfinite(value):
                problems.append(Problem(code="bad-json-value", file=display, row=i,
                                        column=key, message="must be a finite number"))
    if problems:
        raise WorkbookError(f"{display} has {len(problems)} problem(s)", problems)
    columns = [TextColumn.from_texts([str(key), *(json_cell(r.get(key)) for r in data)])
               for key in headers]
    return Grid(file=display, path=path, format="json", sheet=None, sha256=_sha256(raw),
                rows=np.arange(len(data) + 1, dtype=np.int64), columns=columns,
                column_numbers=list(range(1, len(columns) + 1)), header_at=0)
