"""Annotated copies of a user's own workbook (``validate --annotate``, ``grade --annotate``).

Inspectors and force staff live in Excel: a problem list saying ``Audit!G17 (Age)`` sends
them hunting for the cell. An annotated copy is their workbook as they made it - sheets,
formatting, column widths, filters, every value - with:

* every problem cell filled in its severity's colour (error red, warning amber, notice
  blue; a cell with several problems takes the worst) and carrying a comment holding each
  message and what is expected. An error or warning about a whole row marks the row's
  first cell; one about a column, its header; a notice about a row (the header found below
  a title) and anything about the whole file are listed only;
* a first sheet, ``Problems``, listing each problem with a link to its cell;
* for ``grade``, columns added beside the data, headed ``hmic-audit ...``: score, computed
  grade, final grade, override and reasons (per side, for the grades-only layout), grades
  filled in the rubric's colours, and a note saying which rubric and version graded it (in
  the row above the header when there is one, and as the first added header's comment).

The copy is valid input again: the reader skips a first sheet named ``Problems`` when
other sheets follow it, and ignores columns headed ``hmic-audit ...``. A CSV (or .ods,
.xls, .xlsb, .json) input becomes an ``.xlsx`` of its data, every cell as text, on a sheet
named after the sheet read (``Cases`` for a file without sheets). The input is never
written to: the copy is built in memory and written like every other output. openpyxl
loads an ``.xlsm`` without its macros (the copy is an ``.xlsx``).

The bytes are deterministic: the copy's zip entries carry a fixed time and its
``modified`` property the one the input had (or a fixed date).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..io.sheets import PROBLEMS_SHEET
from ..problems import Problem, Severity, cell_position, column_letter
from ..workbook.sheet import ADDED_BY_GRADE as ADDED_PREFIX

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from ..io.table import Grid
    from ..rubric import Rubric
    from ..scoring.grading import GradeResult

FILLS = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFEB9C", Severity.NOTICE: "DDEBF7"}
"""Fill colour of a problem cell, by severity (Excel's own light red, amber and blue)."""
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTICE: 2}
FIXED_TIME = (2000, 1, 1, 0, 0, 0)
"""The time every zip entry of the copy carries (same input, same bytes)."""


@dataclass(frozen=True)
class Placed:
    """A problem and the cell it marks (sheet title, row, column), if any."""

    problem: Problem
    sheet: str | None
    row: int | None
    column: int | None


def annotate_file(path: Path, problems: Sequence[Problem], *, rubric: Rubric | None = None,
                  result: GradeResult | None = None, encoding: str | None = None,
                  sheet: str | None = None) -> bytes:
    """The annotated copy of the cases file at ``path`` (read again, as the command
    read it): its ``problems`` marked, and the grades of ``result`` added."""
    from ..io.sheets import read_grid
    from ..rubric_file import running_version
    from ..workbook.sheet import find_header

    grid = read_grid(path, encoding=encoding, sheet=sheet)
    at = find_header(grid)
    header_row = int(grid.rows[at]) if at is not None and at < len(grid.rows) else None
    return annotated_copy(path, grid, problems, header_row=header_row, result=result,
                          rubric=rubric, tool_version=running_version() or "")


def annotated_copy(path: Path, grid: Grid, problems: Sequence[Problem], *,
                   header_row: int | None = None, result: GradeResult | None = None,
                   rubric: Rubric | None = None, tool_version: str = "") -> bytes:
    """The bytes of the annotated copy of ``path`` (read as ``grid``): the ``problems``
    marked, and with ``result`` (and its ``rubric``) the grades added beside the data on
    the sheet read, whose header is on spreadsheet row ``header_row``."""
    wb, data = _workbook(path, grid)
    placed = [_place(p, grid, data, header_row) for p in problems]
    for sheet, cells in _by_cell(placed).items():
        if sheet in wb.sheetnames:
            _mark(wb[sheet], cells)
    if result is not None and rubric is not None and header_row is not None:
        _add_grades(wb[data], result, rubric, header_row, grid, tool_version)
    _problems_sheet(wb, placed, grid.file)
    return _fixed(wb)


# The workbook ---------------------------------------------------------------------------

def _workbook(path: Path, grid: Grid) -> tuple[Workbook, str]:
    """The user's workbook (an .xlsx or .xlsm as it is; anything else as a new workbook
    of the grid's text) and the title of the sheet the data was read from."""
    import openpyxl

    if grid.format == "xlsx":
        wb = openpyxl.load_workbook(path, rich_text=True)
        return wb, grid.sheet or wb.sheetnames[0]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _title(grid.sheet or "Cases")
    for position, number in enumerate(grid.column_numbers):
        column = grid.columns[position]
        for i, row in enumerate(grid.rows.tolist()):
            text = column.text(i)
            if text:
                _text(ws.cell(row=row, column=number), text).number_format = "@"
    return wb, ws.title


def _title(name: str) -> str:
    """A sheet title Excel accepts (31 characters, none of []:*?/\\)."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")
    return cleaned[:31] or "Cases"


def _place(problem: Problem, grid: Grid, data: str, header_row: int | None) -> Placed:
    """Where a problem goes: its cell; else its row's first cell; else its column's
    header; else nowhere (listed only)."""
    sheet = data if problem.sheet in (None, grid.sheet) else problem.sheet
    if problem.cell:
        row, column = cell_position(problem.cell)
        return Placed(problem, sheet, row, column)
    first = min(grid.column_numbers) if grid.column_numbers else 1
    if problem.row is not None and problem.file in (None, grid.file) \
            and problem.severity is not Severity.NOTICE:
        return Placed(problem, sheet, problem.row, first)
    if problem.column and header_row is not None:
        for position, number in enumerate(grid.column_numbers):
            if grid.columns[position].text(_grid_row(grid, header_row)) == problem.column:
                return Placed(problem, sheet, header_row, number)
    return Placed(problem, None, None, None)


def _grid_row(grid: Grid, row: int) -> int:
    found = (grid.rows == row).nonzero()[0]
    return int(found[0]) if len(found) else 0


def _by_cell(placed: Sequence[Placed]) -> dict[str, dict[tuple[int, int], list[Problem]]]:
    cells: dict[str, dict[tuple[int, int], list[Problem]]] = defaultdict(dict)
    for p in placed:
        if p.sheet is not None and p.row is not None and p.column is not None:
            cells[p.sheet].setdefault((p.row, p.column), []).append(p.problem)
    return cells


def _mark(ws: Worksheet, cells: dict[tuple[int, int], list[Problem]]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    for (row, column), found in sorted(cells.items()):
        worst = min(found, key=lambda p: _RANK[p.severity]).severity
        cell = ws.cell(row=row, column=column)
        cell.fill = PatternFill(fill_type="solid", start_color=FILLS[worst],
                                end_color=FILLS[worst])
        colour = cell.font.color if cell.font is not None else None
        if colour is not None and str(colour.rgb).upper().endswith("FFFFFF"):
            font = copy(cell.font)  # white text (a dark header's) on the light fill: dark
            font.color = "000000"
            cell.font = font
        text = "\n\n".join(_said(p) for p in found)
        comment = Comment(text, "hmic-audit")
        comment.width, comment.height = 320, min(60 + 18 * text.count("\n") + len(text) // 2,
                                                 400)
        cell.comment = comment


def _text(cell: Any, value: str) -> Any:
    """Put text in a cell as text: openpyxl would make ``=1+1`` a live formula."""
    cell.value = value
    if isinstance(value, str) and value:
        cell.data_type = "s"
    return cell


def _said(problem: Problem) -> str:
    text = f"{problem.severity.value}: {problem.message}"
    if problem.expected:
        text += f"\nExpected: {problem.expected}"
    return text


# The Problems sheet --------------------------------------------------------------------

def _problems_sheet(wb: Workbook, placed: Sequence[Placed], file: str) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    if wb.sheetnames[0] == PROBLEMS_SHEET and len(wb.sheetnames) > 1:
        del wb[PROBLEMS_SHEET]  # an annotated copy annotated again: the list is new
    ws = wb.create_sheet(PROBLEMS_SHEET, 0)
    ws.append([f"Problems found by hmic-audit in {file}: {len(placed)}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["Severity", "Sheet", "Cell", "Column", "Value", "Message", "Expected"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    link = Font(color="0563C1", underline="single")
    for row, p in enumerate(placed, start=3):
        problem = p.problem
        ref = f"{column_letter(p.column)}{p.row}" if p.row and p.column else ""
        for k, value in enumerate((problem.severity.value, p.sheet or "", ref,
                                   problem.column or "", problem.value or "",
                                   problem.message, problem.expected or ""), start=1):
            _text(ws.cell(row=row, column=k), value)
        ws.cell(row=row, column=1).fill = PatternFill(
            fill_type="solid", start_color=FILLS[problem.severity],
            end_color=FILLS[problem.severity])
        if ref and p.sheet:
            target = ws.cell(row=row, column=3)
            quoted = p.sheet.replace("'", "''")
            target.hyperlink = Hyperlink(ref=target.coordinate, location=f"'{quoted}'!{ref}",
                                         display=ref)
            target.font = link
    for letter, width in zip("ABCDEFG", (10, 14, 8, 22, 18, 70, 30), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"
    if placed:
        ws.auto_filter.ref = f"A2:G{ws.max_row}"
    wb.active = 0


# Grades beside the data ----------------------------------------------------------------

def _add_grades(ws: Worksheet, result: GradeResult, rubric: Rubric, header_row: int,
                grid: Grid, tool_version: str) -> None:
    """Score, grades, override and reasons beside each audit's row, per side when a row
    holds both (the grades-only layout)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    frame = result.frame
    rows = frame.row.tolist()
    sides: list[int | None] = [0, 1] if frame.layout == "wide" else [None]
    names = ["force", "inspector"]
    labels = [g.label for g in rubric.scale]
    colours = [g.colour for g in rubric.scale]
    reasons = result.reasons
    first = _added_from(ws, header_row, grid)
    fields = ["score", "computed grade", "final grade", "override", "reasons"]
    headers = [f"{ADDED_PREFIX}{f}" + (f" ({names[s]})" if s is not None else "")
               for s in sides for f in fields]
    bold = Font(bold=True)
    for k, header in enumerate(headers):
        cell = ws.cell(row=header_row, column=first + k, value=header)
        cell.font = bold
    note = (f"Graded by hmic-audit {tool_version} with rubric {rubric.name} "
            f"v{rubric.version}" + (f" (SHA-256 {rubric.sha256})" if rubric.sha256 else ""))
    ws.cell(row=header_row, column=first).comment = Comment(note, "hmic-audit")
    if header_row > 1 and ws.cell(row=header_row - 1, column=first).value is None:
        ws.cell(row=header_row - 1, column=first, value=note).font = Font(italic=True)
    fills = {k: PatternFill(fill_type="solid", start_color=c, end_color=c)
             for k, c in enumerate(colours) if c}
    scores = result.arrays.score.tolist()
    for i, row in enumerate(rows):
        side = int(frame.assessor[i]) if sides != [None] else 0
        at = first + side * len(fields)
        score = scores[i]
        values: list[Any] = [
            None if score != score else round(score, 1),  # NaN: not gradable
            _label(labels, int(result.computed[i])), _label(labels, int(result.final[i])),
            "yes" if result.override[i] else "",
            "; ".join(r["message"] for r in reasons[i])]
        for k, value in enumerate(values):
            cell = ws.cell(row=row, column=at + k, value=value)
            level = int(result.computed[i] if k == 1 else result.final[i])
            if k in (1, 2) and level in fills:
                cell.fill = fills[level]
    for k in range(len(headers)):
        ws.column_dimensions[column_letter(first + k)].width = 40 if k % 5 == 4 else 16
    _widen_filter(ws, header_row, first + len(headers) - 1)


def _added_from(ws: Worksheet, header_row: int, grid: Grid) -> int:
    """The column the added columns start at: after the data, or where an earlier
    ``grade --annotate`` put them (those cells are cleared, to be written anew)."""
    ours = [c.column for c in ws[header_row] if isinstance(c.value, str)
            and c.value.startswith(ADDED_PREFIX)]
    if not ours:
        return max(grid.column_numbers or [0]) + 1
    for row in ws.iter_rows(min_col=min(ours), max_col=max(ours)):
        for cell in row:
            cell.value, cell.comment = None, None
    return min(ours)


def _widen_filter(ws: Worksheet, header_row: int, last: int) -> None:
    """Stretch the user's filter over the added columns, so sorting through it keeps
    each grade on its audit's row."""
    from openpyxl.utils.cell import range_boundaries

    if not ws.auto_filter.ref:
        return
    low_col, low_row, high_col, high_row = range_boundaries(ws.auto_filter.ref)
    if low_row == header_row and high_col < last:
        ws.auto_filter.ref = (f"{column_letter(low_col)}{low_row}:"
                              f"{column_letter(last)}{high_row}")


def _label(labels: list[str], level: int) -> str:
    return labels[level] if level >= 0 else ""


# Bytes -------------------------------------------------------------------------------

def _fixed(wb: Workbook) -> bytes:
    """The workbook's bytes, the same for the same input: a fixed time on every zip
    entry, and the document's dates kept from the input (or fixed)."""
    fixed = dt.datetime(*FIXED_TIME)
    wb.properties.created = wb.properties.created or fixed
    kept = wb.properties.modified or wb.properties.created
    raw = io.BytesIO()
    wb.save(raw)  # sets wb.properties.modified to the time of saving: ``kept`` goes back
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _core_dates(data, kept)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return out.getvalue()


def _core_dates(data: bytes, modified: dt.datetime | None) -> bytes:
    """openpyxl writes the time of saving as ``modified``: put the kept one back (it
    changed the workbook's own property while saving, so it is kept from before)."""
    import re

    stamp = (modified or dt.datetime(*FIXED_TIME)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                  rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
