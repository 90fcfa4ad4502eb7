"""xlsx rendering with xlsxwriter, in memory, styled for people and byte-for-byte stable.

Text is always written as a string (never a formula); workbook metadata carries a fixed
date so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter

from ..rubric import Rubric
from .safe_text import CELL_LIMIT, fit_cell

FIXED_CREATED = dt.datetime(2000, 1, 1)

SHEET_NAME_LIMIT = 31
"""Excel's longest sheet name."""

_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def sheet_name(text: str) -> str:
    """``text`` as a sheet name Excel accepts: none of ``[]:*?/\\``, no apostrophe at
    either end, at most 31 characters, not blank (``Sheet``)."""
    name = " ".join(_NOT_IN_SHEET_NAMES.sub(" ", text).split()).strip("'").strip()
    name = name[:SHEET_NAME_LIMIT].rstrip().strip("'")
    return name or "Sheet"


def unique_sheet_names(wanted: list[str], taken: tuple[str, ...] = ()) -> list[str]:
    """A sheet name for each of ``wanted`` (made acceptable by :func:`sheet_name`), no
    two equal ignoring case, none equal to one ``taken``: a repeated name gets " (2)",
    " (3)"... within the 31 characters (never cut into a duplicate)."""
    used = {t.casefold() for t in taken} | {"history"}  # Excel reserves History
    names = []
    for text in wanted:
        base = name = sheet_name(text)
        n = 1
        while name.casefold() in used:
            n += 1
            suffix = f" ({n})"
            name = base[:SHEET_NAME_LIMIT - len(suffix)].rstrip() + suffix
        used.add(name.casefold())
        names.append(name)
    return names


def sheet_link(name: str, cell: str = "A1") -> str:
    """An internal hyperlink to a cell of a sheet (apostrophes in the name doubled)."""
    quoted = name.replace("'", "''")
    return f"internal:'{quoted}'!{cell}"


@dataclass(frozen=True)
class BarChart:
    """A native clustered column chart of some columns of a sheet's first rows, placed
    beside the table."""

    title: str
    series: tuple[int, ...]
    """Columns drawn, a series each, named by their header."""
    rows: int
    """How many of the first rows are drawn (their first column names the categories)."""
    colours: tuple[str, ...] = ()
    """Fill per series ("#RRGGBB"), in order."""
    y_title: str = ""


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a header row, then rows of values."""

    name: str
    headers: list[str]
    rows: list[list[object]]
    grade_columns: tuple[int, ...] = ()
    """Columns whose grade labels get the rubric's colours."""
    widths: dict[int, float] = field(default_factory=dict)
    note: str | None = None
    """A line written under the table."""
    colour_scale: tuple[int, int, int, int] | None = None
    """First row, first column, last row, last column (0-based) of cells shaded by a
    3-colour scale: green at the lowest value, yellow at the middle, red at the highest."""
    chart: BarChart | None = None
    """A chart drawn beside the table."""


def render_workbook(sheets: list[Sheet], *, rubric: Rubric | None = None,
                    warnings: list[str] | None = None) -> bytes:
    """A workbook with one styled sheet per table: bold frozen header, autofilter,
    sensible widths and grade colours. Text is always a string (never a formula), with
    controls shown and over-long cells cut (a message per cut cell goes to ``warnings``).
    """
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"created": FIXED_CREATED, "author": "hmic-audit"})
    header = wb.add_format({"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF",
                            "text_wrap": True, "valign": "top", "border": 1})
    number = wb.add_format({"num_format": "0.0##"})
    italic = wb.add_format({"italic": True})
    fills = {}
    if rubric is not None:
        for g in rubric.scale:
            if g.colour:
                fills[g.label] = wb.add_format({"bg_color": f"#{g.colour}"})
    names = unique_sheet_names([sheet.name for sheet in sheets])
    for sheet, name in zip(sheets, names, strict=True):
        ws = wb.add_worksheet(name)
        for c, title in enumerate(sheet.headers):
            ws.write_string(0, c, title, header)
        # NOTE: this loop writes every cell of large tables (100k rows x 21 columns), so
        # it tests the common types first and binds the writer methods once.
        write_string, write_number = ws.write_string, ws.write_number
        graded = set(sheet.grade_columns)
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    if not value:
                        continue
                    if len(value) > CELL_LIMIT or not value.isprintable():
                        value, cut = fit_cell(value)
                        if cut and warnings is not None:
                            warnings.append(f"{sheet.name}: a cell in row {r + 1} was longer "
                                            f"than {CELL_LIMIT:,} characters and was cut")
                    write_string(r, c, value, fills.get(value) if c in graded else None)
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                elif isinstance(value, float):
                    write_number(r, c, value, number)
                elif isinstance(value, int):
                    write_number(r, c, value)
                elif value is not None:
                    text, _ = fit_cell(str(value))
                    write_string(r, c, text)
        if sheet.note:
            ws.write_string(len(sheet.rows) + 2, 0, sheet.note, italic)
        if sheet.colour_scale is not None:
            ws.conditional_format(*sheet.colour_scale, {
                "type": "3_color_scale", "min_color": "#63BE7B", "mid_color": "#FFEB84",
                "max_color": "#F8696B"})
        if sheet.chart is not None:
            _bar_chart(wb, ws, name, sheet, sheet.chart)
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, max(len(sheet.rows), 1), max(len(sheet.headers) - 1, 0))
        for c, title in enumerate(sheet.headers):
            longest = max([len(title)] + [len(str(row[c])) for row in sheet.rows[:500]
                                          if c < len(row) and row[c] is not None])
            ws.set_column(c, c, sheet.widths.get(c, min(max(longest + 2, 8), 60)))
        ws.set_row(0, 30)
    wb.close()
    return buffer.getvalue()


def _bar_chart(wb: xlsxwriter.Workbook, ws: Any, name: str, sheet: Sheet,
               spec: BarChart) -> None:
    """Draw ``spec`` (the sheet's chart) to the right of the table."""
    chart = wb.add_chart({"type": "column"})
    for n, c in enumerate(spec.series):
        series: dict[str, Any] = {
            "name": [name, 0, c], "categories": [name, 1, 0, spec.rows, 0],
            "values": [name, 1, c, spec.rows, c], "gap": 80,
            "border": {"color": "#555555"}}
        if n < len(spec.colours):
            series["fill"] = {"color": spec.colours[n]}
        chart.add_series(series)
    chart.set_title({"name": fit_cell(spec.title)[0], "name_font": {"size": 11}})
    chart.set_legend({"position": "bottom"})
    if spec.y_title:
        chart.set_y_axis({"name": spec.y_title})
    chart.set_size({"width": 560, "height": 320})
    ws.insert_chart(1, len(sheet.headers) + 1, chart)
