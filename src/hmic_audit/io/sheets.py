"""Read a cases file (.xlsx, .csv or .json) into a :class:`~hmic_audit.io.table.Grid`.

Every cell becomes text, converted explicitly: a reader left to itself turns case
reference ``00123`` into ``123.0`` and ``N/A`` into a blank. Integral numbers become
``"14"``, Excel dates become ISO dates, blanks are blank. Row numbers are the ones the
spreadsheet shows, taken from the cells' own references, so every later message points
at the cell a person sees.

* ``.xlsx``: the container is checked first (:mod:`~hmic_audit.io.preflight`), then the
  sheet is read with fastexcel (Rust calamine straight into Arrow string columns).
* ``.csv``: the bytes are decoded here (UTF-8 with or without a byte-order mark; else
  Windows-1252, with a warning; or the encoding the user names), the delimiter is sniffed,
  and pyarrow parses it. A file pyarrow cannot take as a rectangle (ragged rows, empty
  lines) is parsed by Python's csv module instead; both give the same grid.
* ``.json``: a list of flat objects (or ``{"audits": [...]}``), strictly: duplicate keys,
  NaN and absurd nesting are refused.

A failure inside a reading library becomes a ``WorkbookError`` naming the file; nothing
here lets a library's exception escape as a traceback.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..problems import Problem, Severity, WorkbookError, cell_position
from ..text import header_key
from .preflight import check_xlsx
from .table import Grid, TextColumn

CASES_SHEET = "Cases"
"""The sheet read from a workbook unless ``--sheet`` names another (else the first)."""


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
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path, display, sheet)
        if suffix in (".csv", ".txt"):
            return _read_csv(path, display, encoding)
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
            "Excel, or check that hmic-audit's dependencies are installed as its "
            "pyproject.toml requires")]) from None
    raise WorkbookError(f"{display}: unsupported file type", [
        Problem(code="unsupported-format", file=display,
                message=f"has extension {suffix or '(none)'!r}; give an .xlsx, .csv or .json "
                "file (for .xls, save it as .xlsx in Excel first)")])


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Workbooks --------------------------------------------------------------------------

def _read_xlsx(path: Path, display: str, sheet: str | None) -> Grid:
    scan = check_xlsx(path, display)
    if not scan.ok:
        raise WorkbookError(f"{display} cannot be read", scan.problems)
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine's errors have no common base
        raise WorkbookError(f"{display} cannot be read", [
            Problem(code="corrupt-xlsx", file=display,
                    message=f"could not be read as a workbook ({exc}); save it again from "
                    "Excel")]) from None
    names = list(reader.sheet_names)
    if sheet is not None:
        if sheet not in names:
            raise WorkbookError(f"{display}: no sheet {sheet!r}", [
                Problem(code="missing-sheet", file=display, sheet=sheet,
                        message=f"has no sheet {sheet!r}; its sheets are {', '.join(names)}")])
        chosen = sheet
    else:
        by_key = {header_key(n): n for n in names}
        if not names:
            raise WorkbookError(f"{display} has no sheets", [
                Problem(code="missing-sheet", file=display, message="has no worksheets")])
        chosen = by_key.get(header_key(CASES_SHEET), names[0])
    facts = scan.sheets.get(chosen)
    warnings = [p for p in scan.problems if not p.is_error]
    sha = _sha256(path.read_bytes())
    if facts is None or facts.first_row is None:  # nothing in the sheet holds a value
        return Grid(file=display, path=path, format="xlsx", sheet=chosen, sha256=sha,
                    rows=np.zeros(0, dtype=np.int64), columns=[], column_numbers=[],
                    problems=warnings, merged=list(getattr(facts, "merged", [])) if facts else [])
    try:
        loaded = reader.load_sheet(chosen, header_row=None, dtypes="string")
        batch = loaded.to_arrow()
        numbers = [c.absolute_index + 1 for c in loaded.available_columns()]
    except Exception as exc:  # noqa: BLE001 - calamine's errors have no common base
        raise WorkbookError(f"{display} cannot be read", [
            Problem(code="corrupt-xlsx", file=display, sheet=chosen,
                    message=f"sheet {chosen!r} could not be read ({exc}); save the workbook "
                    "again from Excel")]) from None
    rows = np.arange(batch.num_rows, dtype=np.int64) + facts.first_row
    return Grid(
        file=display, path=path, format="xlsx", sheet=chosen, sha256=sha, rows=rows,
        columns=[TextColumn.from_arrow(c) for c in batch.columns], column_numbers=numbers,
        problems=warnings,
        error_cells={_cell(ref): value for ref, value in facts.errors.items()},
        uncached={_cell(ref) for ref in facts.uncached},
        merged=list(getattr(facts, "merged", [])))


_cell = cell_position


# CSV --------------------------------------------------------------------------------

def _decode(raw: bytes, display: str, encoding: str | None) -> tuple[str, list[Problem]]:
    warnings: list[Problem] = []
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
        return text.removeprefix("\ufeff"), warnings
    try:
        return raw.decode("utf-8-sig"), warnings
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise WorkbookError(f"{display}: unknown text encoding", [
            Problem(code="bad-encoding", file=display,
                    message=f"is neither UTF-8 nor Windows-1252 text (byte {exc.start}); "
                    "save it as CSV UTF-8 or pass --encoding")]) from None
    warnings.append(Problem(
        code="encoding-guessed", severity=Severity.WARNING, file=display,
        message="is not UTF-8; read it as Windows-1252 (cp1252). Pass --encoding to choose "
        "another, or save it as CSV UTF-8"))
    return text, warnings


def _read_csv(path: Path, display: str, encoding: str | None) -> Grid:
    raw = path.read_bytes()
    text, warnings = _decode(raw, display, encoding)
    if "\x00" in text:
        raise WorkbookError(f"{display} is not a text file", [
            Problem(code="not-csv", file=display,
                    message="holds binary data, not CSV text (is it a workbook saved with "
                    "the wrong extension?)")])
    try:
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # pyarrow reads UTF-8: the file's own bytes when it is UTF-8, else the decoded text.
    utf8 = raw.removeprefix(b"\xef\xbb\xbf") if encoding is None and not warnings \
        else text.encode("utf-8")
    columns = _csv_arrow(utf8, delimiter) or _csv_rows(text, delimiter)
    height = len(columns[0]) if columns else 0
    return Grid(file=display, path=path, format="csv", sheet=None, sha256=_sha256(raw),
                rows=np.arange(1, height + 1, dtype=np.int64), columns=columns,
                column_numbers=list(range(1, len(columns) + 1)), problems=warnings)


HEAD_LINES = 31
"""Lines parsed by Python's csv module before pyarrow takes over: the title rows and the
header, which may be narrower than the table."""


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
