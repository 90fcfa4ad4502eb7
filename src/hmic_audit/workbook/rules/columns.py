"""Rule units about the header row and the cells a reader could not take at face value."""

from __future__ import annotations

import numpy as np

from ...problems import Problem, Severity, cell_position, column_letter
from ...text import header_key
from ..format import FIELDS_BY_NAME
from ..sheet import Sheet

DECISIVE = ("case_ref", "case_type", "assessor", "sample", "grade", "self_grade",
            "inspector_grade")
"""Fields whose column, if misspelt and so ignored, would change every result: a header
close to one of them (when the sheet lacks it) stops the check as ``misnamed-column``."""


def unknown_columns(sheet: Sheet) -> None:
    """``unknown-column`` (warning): a header that names no field and no criterion, with
    the field or criterion it probably meant; ``misnamed-column`` (error, stops the
    check before any row is read): a header close to a decisive field the sheet lacks,
    since reading on would report every consequence of the missing column instead."""
    rubric = sheet.rubric
    other_rubric(sheet)
    for u in sheet.unknown:
        meant = FIELDS_BY_NAME[u.hint_field] if u.hint_field else None
        if meant and meant.name in sheet.columns:
            meant = None
        if meant and meant.name in DECISIVE:
            sheet.at_header("misnamed-column", f"column {u.header!r} is not a column the "
                            f"tool knows; did you mean {meant.title!r}? Rename the header "
                            "and run again (no row was checked)", u.position, u.header,
                            u.header)
            continue
        if meant:
            tip = f"; did you mean {meant.title!r}?"
        elif u.hint:
            tip = f"; did you mean criterion {u.hint!r}?"
        else:
            tip = (f"; it is not a field of the workbook format or a criterion id of rubric "
                   f"{rubric.name}")
        sheet.at_header("unknown-column", f"column {u.header!r} is ignored{tip}", u.position,
                        u.header, u.header, severity=Severity.WARNING)


OTHER_RUBRIC_FEWEST = 3
"""Unknown headers it takes before the shipped rubrics are searched for them."""


def other_rubric(sheet: Sheet) -> None:
    """``other-rubric`` (warning, one at most, before the unknown columns it explains):
    when three or more headers are unknown and most of them are criterion ids of one
    other shipped rubric, the workbook was most likely filled in for that rubric; say
    which, and how to give it. The shipped rubrics are read only in that case, so a
    workbook that fits its rubric pays nothing for the hint."""
    unknown = {header_key(u.header) for u in sheet.unknown if u.header}
    if len(unknown) < OTHER_RUBRIC_FEWEST:
        return
    from ...rubric_file import RubricError, load_rubric, shipped_rubrics_dir

    best: tuple[int, str] | None = None
    for path in sorted(shipped_rubrics_dir().glob("*.yaml")):
        try:
            other = load_rubric(path.stem)
        except RubricError:
            continue
        if other.sha256 is not None and other.sha256 == sheet.rubric.sha256:
            continue
        hits = len(unknown & {header_key(c) for c in other.criterion_ids})
        if 2 * hits > len(unknown) and (best is None or hits > best[0]):
            best = (hits, path.stem)
    if best is None:
        return
    hits, name = best
    sheet.at_header("other-rubric", f"these columns are criteria of the shipped rubric "
                    f"{name}: give --rubric {name} ({hits} of the {len(unknown)} columns "
                    f"rubric {sheet.rubric.name} does not know are its criteria)", None, None,
                    name, severity=Severity.WARNING)


def _misnamed(sheet: Sheet) -> bool:
    return any(p.code == "misnamed-column" for p in sheet.problems)


def repeated_columns(sheet: Sheet) -> None:
    """``duplicate-column``: two headers naming the same field or criterion."""
    for u in sheet.repeated:
        sheet.at_header("duplicate-column", f"column {u.header!r} repeats column "
                        f"{u.repeats!r}; keep one of them", u.position, u.header, u.header)


def layout_known(sheet: Sheet) -> None:
    """``unknown-layout``: neither an assessor column nor self/inspector grade columns
    (unless a misnamed column explains it)."""
    if sheet.layout is None and not _misnamed(sheet):
        sheet.problems.append(Problem(
            code="unknown-layout", file=sheet.file, sheet=sheet.sheet_name,
            row=sheet.header_row,
            message="has neither an assessor column (one row per audit) nor self_grade / "
            "inspector_grade columns (one row per case); add one of them"))


def required_columns(sheet: Sheet) -> None:
    """``missing-column``: no case reference or case type column (unless a misnamed
    column explains it)."""
    if sheet.layout is None or _misnamed(sheet):
        return
    for required in ("case_ref", "case_type"):
        if required not in sheet.columns:
            sheet.problems.append(Problem(
                code="missing-column", file=sheet.file, sheet=sheet.sheet_name,
                row=sheet.header_row, column=required,
                message=f"has no {required} column; add one to the header row"))


def answers_in_wide_layout(sheet: Sheet) -> None:
    """``unknown-column`` (warning): criterion answers in the wide layout are ignored."""
    if sheet.layout != "wide":
        return
    for m in sheet.criteria():
        sheet.at_header("unknown-column", f"column {m.header!r} is ignored: criterion "
                        "answers need one row per audit with an assessor column", m.position,
                        m.header, m.header, severity=Severity.WARNING)


def values_without_header(sheet: Sheet) -> None:
    """``value-without-header`` (warning): a value under a blank header, inside the table
    or right of it."""
    width, headers = sheet.width, sheet.headers
    for position in range(len(sheet.grid.columns)):
        if position < width and headers[position]:
            continue
        column = sheet.data(position)
        number = sheet.grid.column_numbers[position]
        for i in np.flatnonzero(column.filled).tolist():
            sheet.problems.append(Problem.at_cell(
                "value-without-header", "has a value in a column with no header; it is "
                "ignored (add a header if it matters)", file=sheet.file,
                sheet=sheet.sheet_name, row=int(sheet.rows[i]), column=None,
                column_index=number, value=column.text(i), severity=Severity.WARNING,
                grid=sheet.is_csv))


def _header_of(sheet: Sheet, number: int) -> str | None:
    headers = sheet.headers
    numbers = sheet.grid.column_numbers
    if number in numbers:
        position = numbers.index(number)
        if position < sheet.width and headers[position]:
            return headers[position]
    return None


def _in_data(sheet: Sheet, row: int) -> bool:
    return row > sheet.header_row


def error_cells(sheet: Sheet) -> None:
    """``error-cell``: an Excel error value (``#DIV/0!``) the reader shows as blank."""
    for (row, col), value in sorted(sheet.grid.error_cells.items()):
        if _in_data(sheet, row):
            _hidden(sheet, row, Problem.at_cell(
                "error-cell", f"holds the Excel error {value}; correct the formula or type "
                "the value", file=sheet.file, sheet=sheet.sheet_name, row=row,
                column=_header_of(sheet, col), column_index=col, value=value))


def uncached_formulas(sheet: Sheet) -> None:
    """``formula-without-value``: a formula never calculated, which the reader shows blank."""
    for row, col in sorted(sheet.grid.uncached):
        if _in_data(sheet, row):
            _hidden(sheet, row, Problem.at_cell(
                "formula-without-value", "holds a formula whose result was never saved; "
                "open the workbook in Excel, let it calculate and save it, or type the "
                "value", file=sheet.file, sheet=sheet.sheet_name, row=row,
                column=_header_of(sheet, col), column_index=col))


def merged_cells(sheet: Sheet) -> None:
    """``merged-cells``: merges in the data area are errors, not filled down.

    A merge usually means rows were grouped by hand, and guessing which rows a value
    belongs to could attach a grade or an answer to the wrong child's case.
    """
    for top, left, bottom, right in sorted(sheet.grid.merged):
        if bottom > sheet.header_row:
            span = f"{column_letter(left)}{top}:{column_letter(right)}{bottom}"
            _hidden(sheet, top, Problem.at_cell(
                "merged-cells", f"cells {span} are merged; unmerge them and put the value "
                "in every cell it applies to", file=sheet.file, sheet=sheet.sheet_name,
                row=top, column=_header_of(sheet, left), column_index=left, value=span),
                last=bottom, columns=(left, right))


def _hidden(sheet: Sheet, row: int, problem: Problem, last: int | None = None,
            columns: tuple[int, int] | None = None) -> None:
    """Record a problem about cells the reader could not read, and mark their rows."""
    sheet.problems.append(problem)
    rows = sheet.rows
    hit = (rows >= row) & (rows <= (last or row))
    sheet.unreadable[hit] = True
    sheet.row_error[hit] = True
    left, right = columns or (0, -1)
    if columns is None and problem.cell:
        left = right = cell_position(problem.cell)[1]
    for i in np.flatnonzero(hit).tolist():
        sheet.hidden.update((i, c) for c in range(left, right + 1))


def has_audits(sheet: Sheet) -> None:
    """``no-audits``: a header row with nothing below it (a command would otherwise write
    empty outputs as if all were well)."""
    if not len(sheet):
        sheet.problems.append(Problem(
            code="no-audits", file=sheet.file, sheet=sheet.sheet_name, row=sheet.header_row,
            message="has a header row but no audits below it; nothing to check"))


def header_below_title(sheet: Sheet) -> None:
    """``header-below-title`` (notice): rows above the header were read as a title."""
    if sheet.header_at > 0 and sheet.grid.format != "json":
        sheet.problems.append(Problem(
            code="header-below-title", severity=Severity.NOTICE, file=sheet.file,
            sheet=sheet.sheet_name, row=sheet.header_row,
            message=f"the header is on row {sheet.header_row}; the rows above it are taken "
            "as a title and not read"))


DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def delimiter_detected(sheet: Sheet) -> None:
    """``delimiter-detected`` (notice): a CSV read with a delimiter other than a comma."""
    delimiter = sheet.grid.delimiter
    if delimiter is not None and delimiter != ",":
        name = DELIMITERS.get(delimiter, repr(delimiter))
        sheet.problems.append(Problem(
            code="delimiter-detected", severity=Severity.NOTICE, file=sheet.file,
            value=delimiter, message=f"values are separated by {name}, not commas; read "
            "that way"))


def formula_values(sheet: Sheet) -> None:
    """``formula-value-used`` (notice): a formula cell in the data, read as the result
    saved with the workbook; ``external-link`` (warning) when that formula takes its
    value from another workbook, which may have changed since."""
    for (row, col), target in sorted(sheet.grid.links.items()):
        if _in_data(sheet, row):
            sheet.problems.append(Problem.at_cell(
                "external-link", f"takes its value from another workbook ({target}); the "
                "value saved with this workbook is used and may be out of date — type the "
                "value instead", file=sheet.file, sheet=sheet.sheet_name, row=row,
                column=_header_of(sheet, col), column_index=col, value=target,
                severity=Severity.WARNING))
    for row, col in sorted(sheet.grid.formulas - set(sheet.grid.links)):
        if _in_data(sheet, row):
            sheet.problems.append(Problem.at_cell(
                "formula-value-used", "holds a formula; the result saved with the workbook "
                "is used", file=sheet.file, sheet=sheet.sheet_name, row=row,
                column=_header_of(sheet, col), column_index=col, severity=Severity.NOTICE))
