"""Read a cases file (.xlsx, .csv or .json) into rows of text, keeping row numbers.

Every cell becomes text, converted here explicitly: a reader left to itself turns case
reference ``00123`` into ``123.0`` and ``N/A`` into a blank. Integral numbers become
``"14"``, Excel dates become ISO dates, blanks become ``""``. Row numbers are the ones
the spreadsheet shows (blank rows are skipped but counted), so every later message points
at the cell a person sees. The header row may sit under title rows: it is the first row,
within the first 30, that has a case-reference column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from ..problems import Problem, Severity, WorkbookError, column_letter
from ..text import header_key
from .preflight import SheetFacts, check_xlsx

HEADER_SEARCH_ROWS = 30
CASES_SHEET = "Cases"

CASE_REF_HEADERS = {"caseref", "casereference", "ref", "reference", "caseid", "caseno",
                    "casenumber", "urn"}


@dataclass(frozen=True)
class RawTable:
    """A table of text cells as read from a file, before any validation."""

    file: str
    """File name for messages."""
    path: Path
    format: str
    sheet: str | None
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    """(row number as shown, cells as text), blank rows left out."""
    problems: list[Problem] = field(default_factory=list)
    """Problems found while reading (warnings, and errors about particular cells)."""


def cell_text(value: object) -> str:
    """Text for one cell value as a reader returns it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def read_table(path: str | Path, *, encoding: str | None = None,
               sheet: str | None = None) -> RawTable:
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
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, display, sheet)
    if suffix in (".csv", ".txt"):
        return _read_csv(path, display, encoding)
    if suffix == ".json":
        return _read_json(path, display)
    raise WorkbookError(f"{display}: unsupported file type", [
        Problem(code="unsupported-format", file=display,
                message=f"has extension {suffix or '(none)'!r}; give an .xlsx, .csv or .json "
                "file (for .xls, save it as .xlsx in Excel first)")])


def _read_xlsx(path: Path, display: str, sheet: str | None) -> RawTable:
    scan = check_xlsx(path, display)
    if not scan.ok:
        raise WorkbookError(f"{display} cannot be read", scan.problems)
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        if sheet is not None:
            if sheet not in names:
                raise WorkbookError(f"{display}: no sheet {sheet!r}", [
                    Problem(code="missing-sheet", file=display, sheet=sheet,
                            message=f"has no sheet {sheet!r}; its sheets are "
                            f"{', '.join(names)}")])
            chosen: str | None = sheet
        else:
            by_key = {header_key(n): n for n in names}
            chosen = by_key.get(header_key(CASES_SHEET), names[0] if names else None)
        if chosen is None:
            raise WorkbookError(f"{display} has no sheets", [
                Problem(code="missing-sheet", file=display, message="has no worksheets")])
        # skip_empty_area=False keeps the grid anchored at A1, so row numbers match Excel.
        data = workbook.get_sheet_by_name(chosen)
        grid = data.to_python(skip_empty_area=False)
        merged = list(data.merged_cell_ranges or [])
    except CalamineError as exc:
        raise WorkbookError(f"{display} cannot be read", [
            Problem(code="corrupt-xlsx", file=display,
                    message=f"could not be read as a workbook ({exc}); save it again from "
                    "Excel")]) from None
    rows = [(i + 1, [cell_text(v) for v in row]) for i, row in enumerate(grid)]
    table = _table(display, path, "xlsx", chosen, rows, scan.problems)
    table.problems.extend(_hidden_blanks(table, scan.sheets.get(chosen), merged))
    return table


def _hidden_blanks(table: RawTable, facts: SheetFacts | None,
                   merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> list[Problem]:
    """Cells the reader shows as blank but that are not: errors, uncached formulas, merges.

    Merged cells in the data area are errors, not filled down: a merge usually means rows
    were grouped by hand, and guessing which rows a value belongs to could attach a grade
    or an answer to the wrong child's case.
    """
    found: list[Problem] = []
    first_data_row = table.header_row + 1

    def where(ref: str) -> tuple[int, int]:
        letters = ref.rstrip("0123456789")
        number = 0
        for ch in letters:
            number = number * 26 + ord(ch) - 64
        return int(ref[len(letters):]), number

    def header(col: int) -> str | None:
        return table.headers[col - 1] if 0 < col <= len(table.headers) else None

    if facts is not None:
        for ref, value in sorted(facts.errors.items(), key=lambda kv: where(kv[0])):
            row, col = where(ref)
            if row >= first_data_row:
                found.append(Problem.at_cell(
                    "error-cell", f"holds the Excel error {value}; correct the formula or "
                    "type the value", file=table.file, sheet=table.sheet, row=row,
                    column=header(col), column_index=col, value=value))
        for ref in sorted(facts.uncached, key=where):
            row, col = where(ref)
            if row >= first_data_row:
                found.append(Problem.at_cell(
                    "formula-without-value", "holds a formula whose result was never "
                    "saved; open the workbook in Excel, let it calculate and save it, or "
                    "type the value", file=table.file, sheet=table.sheet, row=row,
                    column=header(col), column_index=col))
    for (top, left), (bottom, right) in merged:
        if bottom + 1 >= first_data_row:
            span = f"{column_letter(left + 1)}{top + 1}:{column_letter(right + 1)}{bottom + 1}"
            found.append(Problem.at_cell(
                "merged-cells", f"cells {span} are merged; unmerge them and put the value "
                "in every cell it applies to", file=table.file, sheet=table.sheet,
                row=top + 1, column=header(left + 1), column_index=left + 1, value=span))
    return found


def _read_csv(path: Path, display: str, encoding: str | None) -> RawTable:
    raw = path.read_bytes()
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
        text = text.removeprefix("\ufeff")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise WorkbookError(f"{display}: unknown text encoding", [
                    Problem(code="bad-encoding", file=display,
                            message=f"is neither UTF-8 nor Windows-1252 text (byte "
                            f"{exc.start}); save it as CSV UTF-8 or pass --encoding")
                ]) from None
            warnings.append(Problem(
                code="encoding-guessed", severity=Severity.WARNING, file=display,
                message="is not UTF-8; read it as Windows-1252 (cp1252). Pass --encoding "
                "to choose another, or save it as CSV UTF-8"))
    if "\x00" in text:
        raise WorkbookError(f"{display} is not a text file", [
            Problem(code="not-csv", file=display,
                    message="holds binary data, not CSV text (is it a workbook saved with "
                    "the wrong extension?)")])
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [(i + 1, [c.strip() for c in record]) for i, record in enumerate(reader)]
    return _table(display, path, "csv", None, rows, warnings)


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


def _read_json(path: Path, display: str) -> RawTable:
    """JSON strictly: duplicate keys, NaN/Infinity and absurd nesting are refused."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"),
                          object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
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
    headers: list[str] = []
    for record in data:
        for key in record:
            if key not in headers:
                headers.append(key)
    problems: list[Problem] = []
    rows: list[tuple[int, list[str]]] = []
    for i, record in enumerate(data, start=1):
        cells = []
        for key in headers:
            value = record.get(key)
            if isinstance(value, dict | list):
                problems.append(Problem(code="bad-json-value", file=display, row=i,
                                        column=key, message="must be a single value, not a "
                                        "list or object"))
                value = None
            elif isinstance(value, float) and not math.isfinite(value):
                problems.append(Problem(code="bad-json-value", file=display, row=i,
                                        column=key, message="must be a finite number"))
                value = None
            cells.append(cell_text(value))
        rows.append((i, cells))
    if problems:
        raise WorkbookError(f"{display} has {len(problems)} problem(s)", problems)
    return RawTable(file=display, path=path, format="json", sheet=None, header_row=0,
                    headers=[str(h) for h in headers], rows=rows)


def find_header(first_rows: Iterable[list[str]]) -> int | None:
    """Index of the header row among the first rows: the first with a case-reference
    column (only the first ``HEADER_SEARCH_ROWS`` are looked at)."""
    for index, cells in enumerate(islice(first_rows, HEADER_SEARCH_ROWS)):
        if any(header_key(c) in CASE_REF_HEADERS for c in cells):
            return index
    return None


def header_width(headers: list[str]) -> int:
    """How many columns the header row names (trailing blank headers left out)."""
    width = len(headers)
    while width and not headers[width - 1]:
        width -= 1
    return width


def _table(display: str, path: Path, fmt: str, sheet: str | None,
           rows: list[tuple[int, list[str]]], found_before: list[Problem] | None = None
           ) -> RawTable:
    header_at = find_header(cells for _, cells in rows)
    if header_at is None:
        raise WorkbookError(f"{display}: no header row", [
            Problem(code="missing-header", file=display, sheet=sheet,
                    message=f"has no header row with a case reference column (case_ref) in "
                    f"its first {HEADER_SEARCH_ROWS} rows; add one above the data")])
    header_row, headers = rows[header_at]
    width = header_width(headers)
    body = []
    found = list(found_before or [])
    for number, cells in rows[header_at + 1:]:
        if not any(cells):
            continue
        for extra, value in enumerate(cells[width:], start=width + 1):
            if value:
                found.append(Problem.at_cell(
                    "value-without-header", "has a value in a column with no header; it is "
                    "ignored (add a header if it matters)", file=display, sheet=sheet,
                    row=number, column=None, column_index=extra, value=value,
                    severity=Severity.WARNING))
        cells = cells[:width] + [""] * (width - len(cells))
        body.append((number, cells))
    return RawTable(file=display, path=path, format=fmt, sheet=sheet, header_row=header_row,
                    headers=headers[:width], rows=body, problems=found)
