"""The annex as a workbook people can read: a Contents sheet (title, rubric, a linked
list of the tables, what the inputs were), then a sheet per table under a readable,
unique name, with distinct column titles, number formats, notes under the table (its
note, the key to any symbol it shows, what its figures mean) and a native bar chart for a
grade distribution.

Percentages stay numbers from 0 to 100, as every other annex format gives them, shown to
one decimal place (number format ``0.0``, not an Excel percentage); their intervals the
same; counts are whole numbers (``#,##0``); a kappa and its interval three decimals.
Symbols standing for a figure (``c`` hidden, ``z``, ``x``, ``k``) stay text, aligned
right as the figures around them.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

import xlsxwriter

from ..analysis.annex_table import AnnexTable, Column
from ..analysis.suppress import SYMBOLS
from ..rubric import Rubric
from .safe_text import fit_cell
from .xlsx import FIXED_CREATED, sheet_link, unique_sheet_names

CONTENTS = "Contents"

SHEET_NAMES = {
    "crosswalk": "Crosswalk",
    "case_types": "Case types",
    "grades_by_sample": "Grades by sample",
    "grades_by_case_type": "Grades by case type",
    "grades_by_area": "Grades by area",
    "theme_results": "Theme results",
    "criterion_compliance": "Criterion compliance",
    "crosstab": "Cross-tab",
    "topic_grades": "Topic grades",
    "ofsted": "Ofsted",
    "national_grades": "National grades",
    "national_acceptable": "National acceptable share",
    "national_agreement": "National agreement",
}
"""The sheet of each annex table (by its ``name``); a table not listed is named from
its ``name`` ("some_table": "Some table")."""

NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0", "ci": "0.0", "number": "0.000"}
"""Number format of each kind of column; labels and text have none."""

FIGURES = frozenset(NUMBER_FORMATS)

_INTERVAL = "95% CI"

DEFINITIONS = {
    "kappa": "{title}: Cohen's kappa with quadratic weights, the agreement of the force's "
    "and the inspectors' grades beyond what chance gives (1 the same grade every time, 0 "
    "no better than chance); its 95% interval from the Fleiss-Cohen-Everitt standard "
    "error, kept within -1 and 1.",
}
"""Definitions of figures that are not shares, by column key."""


@dataclass(frozen=True)
class AnnexAbout:
    """What an annex workbook says about itself on its Contents sheet."""

    title: str
    """"Annex tables: Greater Manchester Police"."""
    rubric: str
    """The rubric (or rubrics and crosswalk) the grades were given under, by name and
    version."""
    sources: tuple[tuple[str, str], ...] = ()
    """Each input (rubric, cases, force profile, crosswalk) and its SHA-256."""


def table_sheet_names(tables: list[AnnexTable]) -> list[str]:
    """The sheet of each table: readable, at most 31 characters, no two equal ignoring
    case (nor equal to Contents)."""
    return unique_sheet_names([SHEET_NAMES.get(t.name, t.name.replace("_", " ").capitalize())
                               for t in tables], taken=(CONTENTS,))


def column_titles(table: AnnexTable) -> list[str]:
    """A title per column, none repeated within the table: an interval column ("95% CI
    low") is named after the figure it bounds ("Yes % 95% CI low"), and a title still
    repeated gets " (2)", " (3)"..."""
    titles = []
    for i, column in enumerate(table.columns):
        title = column.title
        if title.startswith(_INTERVAL):
            bounded = _bounded(table.columns, i)
            if bounded is not None:
                title = f"{bounded.title} {title}"
        titles.append(title)
    seen: dict[str, int] = {}
    out = []
    for title in titles:
        seen[title.casefold()] = n = seen.get(title.casefold(), 0) + 1
        out.append(title if n == 1 else f"{title} ({n})")
    return out


def _bounded(columns: list[Column], i: int) -> Column | None:
    """The figure an interval column bounds: the percentage of the same share, else the
    nearest column before it that is not an interval."""
    column = columns[i]
    if column.of is not None:
        for other in columns:
            if other.kind == "percent" and (other.of, other.denominator) == (
                    column.of, column.denominator):
                return other
    for other in reversed(columns[:i]):
        if not other.title.startswith(_INTERVAL):
            return other
    return None


def symbols_used(table: AnnexTable) -> list[str]:
    """The symbols (``c``, ``z``, ``x``, ``k``) the table shows in place of a figure, in
    the order of their key."""
    shown = {row[i] for row in table.rows for i, c in enumerate(table.columns)
             if isinstance(row[i], str) and (c.kind in FIGURES or c.spells)}
    return [s for s in SYMBOLS if s in shown]


def _is_symbol(value: object, column: Column) -> bool:
    return isinstance(value, str) and value in SYMBOLS and (
        column.kind in FIGURES or column.spells is not None)


def table_notes(table: AnnexTable) -> list[str]:
    """The lines written under a table: its note, the key to each symbol it shows, and
    what its shares, intervals and statistics are."""
    used = symbols_used(table)
    note = table.note or ""
    key = "Key: " + "; ".join(f"{s} {SYMBOLS[s]}" for s in used) + "."
    if used and note.endswith(key):  # written below, a symbol a line
        note = note[:-len(key)].rstrip()
    lines = [note] if note else []
    lines += [f'"{s}" stands for {SYMBOLS[s]}.' for s in used]
    titles = column_titles(table)
    by_key = {c.key: t for c, t in zip(table.columns, titles, strict=True)}
    for column, title in zip(table.columns, titles, strict=True):
        if column.kind != "percent" or not column.of or not column.denominator:
            continue
        lines.append(f'{title}: the "{by_key[column.of]}" count as a percentage of the '
                     f'"{by_key[column.denominator]}" count, from 0 to 100 to one decimal '
                     "place.")
        bounds = [t for c, t in zip(table.columns, titles, strict=True) if c.kind == "ci"
                  and (c.of, c.denominator) == (column.of, column.denominator)]
        if bounds:
            lines.append(f"{' and '.join(bounds)}: the lower and upper bounds of the "
                         f"Wilson score 95% confidence interval of {title}, the range "
                         "the percentage could plausibly take given the number of cases.")
    for column, title in zip(table.columns, titles, strict=True):
        if column.key in DEFINITIONS:
            lines.append(DEFINITIONS[column.key].format(title=title))
    return lines


class _Formats:
    """The cell formats of an annex workbook, made once each."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self.made: dict[tuple[str, bool, bool], Any] = {}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.subtitle = wb.add_format({"italic": True, "font_color": "#404040"})
        self.bold = wb.add_format({"bold": True})
        self.head = wb.add_format({"bold": True, "bg_color": "#1F3864",
                                   "font_color": "#FFFFFF", "text_wrap": True,
                                   "valign": "top", "border": 1})
        self.link = wb.add_format({"font_color": "#1F3864", "underline": 1})
        self.note = wb.add_format({"italic": True, "text_wrap": True, "valign": "top"})
        self.mono = wb.add_format({"font_name": "Consolas"})

    def cell(self, kind: str, *, total: bool = False, symbol: bool = False,
             wrap: bool = False) -> Any:
        """The format of a cell of a kind of column (bold with a rule above in a total
        row; a symbol aligned right)."""
        key = (f"{kind}{'/wrap' if wrap else ''}", total, symbol)
        if key not in self.made:
            props: dict[str, Any] = {"valign": "top"}
            if kind in NUMBER_FORMATS and not symbol:
                props["num_format"] = NUMBER_FORMATS[kind]
            if symbol:
                props["align"] = "right"
            if total:
                props.update(bold=True, top=1)
            if wrap:
                props["text_wrap"] = True
            self.made[key] = self.wb.add_format(props)
        return self.made[key]


def annex_workbook(tables: list[AnnexTable], rubric: Rubric, about: AnnexAbout, *,
                   left_out: list[str] | None = None) -> bytes:
    """The annex workbook: Contents, then a sheet per table (see the module docstring).
    ``left_out``: tables a publication left out, listed on the Contents sheet."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"created": FIXED_CREATED, "author": "hmic-audit",
                       "title": fit_cell(about.title)[0], "subject": about.rubric})
    formats = _Formats(wb)
    names = table_sheet_names(tables)
    _contents(wb.add_worksheet(CONTENTS), tables, names, about, formats, left_out or [])
    colours = {g.label: f"#{g.colour}" for g in rubric.scale if g.colour}
    for table, name in zip(tables, names, strict=True):
        ws = wb.add_worksheet(name)
        end = _table_sheet(ws, table, formats)
        if table.chart and not _hides_counts(table):
            _bar_chart(wb, ws, name, table, colours, end + 2)
    wb.close()
    return buffer.getvalue()


def _contents(ws: Any, tables: list[AnnexTable], names: list[str], about: AnnexAbout,
              formats: _Formats, left_out: list[str]) -> None:
    ws.write_string(0, 0, fit_cell(about.title)[0], formats.title)
    ws.write_string(1, 0, fit_cell(about.rubric)[0], formats.subtitle)
    ws.write_string(3, 0, "Sheet", formats.head)
    ws.write_string(3, 1, "Table", formats.head)
    ws.write_string(3, 2, "Name (for --tables)", formats.head)
    row = 4
    for table, name in zip(tables, names, strict=True):
        ws.write_url(row, 0, sheet_link(name), formats.link, string=name,
                     tip=f"Go to {name}")
        ws.write_string(row, 1, fit_cell(table.title)[0])
        ws.write_string(row, 2, table.name)
        row += 1
    if left_out:
        row += 1
        ws.write_string(row, 0, "Left out of this publication (too few cases to publish "
                        "without identifying a child): " + ", ".join(left_out) + ".",
                        formats.bold)
        row += 1
    row += 1
    ws.write_string(row, 0, "Reading the tables", formats.bold)
    for line in ("Percentages are numbers from 0 to 100 shown to one decimal place; each "
                 "comes with its count and denominator and a Wilson 95% confidence interval "
                 "in the same units.",
                 "Counts are whole numbers. A symbol in place of a figure (c, z, x, k) is "
                 "explained in the notes under its table."):
        row += 1
        ws.write_string(row, 0, line)
    if about.sources:
        row += 2
        ws.write_string(row, 0, "Input", formats.head)
        ws.write_string(row, 1, "SHA-256", formats.head)
        for what, digest in about.sources:
            row += 1
            ws.write_string(row, 0, fit_cell(what)[0])
            ws.write_string(row, 1, digest, formats.mono)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 70)
    ws.set_column(2, 2, 24)


def _table_sheet(ws: Any, table: AnnexTable, formats: _Formats) -> int:
    """Write a table with its notes; the last row written."""
    ws.write_string(0, 0, fit_cell(table.title)[0], formats.title)
    titles = column_titles(table)
    for c, title in enumerate(titles):
        ws.write_string(2, c, title, formats.head)
    widths = [len(t) for t in titles]
    last = len(table.rows) - 1
    for r, row in enumerate(table.rows):
        total = table.total_row and r == last
        for c, (value, column) in enumerate(zip(row, table.columns, strict=True)):
            text = None if isinstance(value, bool) or value is None else value
            if isinstance(text, int | float):
                ws.write_number(3 + r, c, text, formats.cell(column.kind, total=total))
                shown = (f"{text:,}" if column.kind == "count" else
                         f"{text:.3f}" if column.kind == "number" else f"{text:.1f}")
            elif text is not None:
                shown = fit_cell(str(text))[0]
                long = column.kind == "text" and len(shown) > 60
                ws.write_string(3 + r, c, shown, formats.cell(
                    column.kind, total=total, symbol=_is_symbol(text, column), wrap=long))
            else:
                if total:
                    ws.write_blank(3 + r, c, None, formats.cell(column.kind, total=True))
                continue
            widths[c] = max(widths[c], len(shown))
    for c, width in enumerate(widths):
        ws.set_column(c, c, min(max(width + 2, 9), 60))
    ws.set_row(2, 15 * max(1, max(math.ceil(len(t) / min(max(w + 2, 9), 60))
                                  for t, w in zip(titles, widths, strict=True))))
    ws.freeze_panes(3, 1)
    return _notes(ws, table, formats, 3 + len(table.rows) + 1,
                  sum(min(max(w + 2, 9), 60) for w in widths))


def _notes(ws: Any, table: AnnexTable, formats: _Formats, row: int, width: float) -> int:
    """The notes under a table, each across the table's width; the last row written."""
    lines = table_notes(table)
    if not lines:
        return row - 1
    ws.write_string(row, 0, "Notes", formats.bold)
    across = max(len(table.columns) - 1, 0)
    width = max(width, 60)
    for line in lines:
        row += 1
        text = fit_cell(line)[0]
        if across:
            ws.merge_range(row, 0, row, across, text, formats.note)
        else:
            ws.write_string(row, 0, text, formats.note)
        ws.set_row(row, 15 * max(1, math.ceil(len(text) * 1.1 / width)))
    return row


def _hides_counts(table: AnnexTable) -> bool:
    """Whether a table shows a count as a symbol (hidden): its chart would draw it as 0,
    a false and telling bar, so a protected table with hidden counts gets no chart."""
    counts = [i for i, c in enumerate(table.columns) if c.kind == "count"]
    return any(isinstance(row[i], str) for row in table.rows for i in counts)


def _bar_chart(wb: xlsxwriter.Workbook, ws: Any, name: str, table: AnnexTable,
               colours: dict[str, str], at: int) -> None:
    """A native stacked bar chart of the grade columns (the total row left out), placed
    at row ``at``."""
    chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
    body = len(table.rows) - (1 if table.total_row else 0)
    for c, column in enumerate(table.columns):
        if column.kind != "count" or column.key in ("total", "ungraded"):
            continue
        series: dict[str, Any] = {
            "name": [name, 2, c], "categories": [name, 3, 0, 2 + body, 0],
            "values": [name, 3, c, 2 + body, c], "gap": 60,
            "border": {"color": "#555555"}}
        if column.title in colours:
            series["fill"] = {"color": colours[column.title]}
        chart.add_series(series)
    chart.set_title({"name": fit_cell(table.title)[0], "name_font": {"size": 11}})
    chart.set_legend({"position": "bottom"})
    chart.set_y_axis({"reverse": True})
    chart.set_size({"width": 640, "height": 90 + 28 * body})
    ws.insert_chart(at, 1, chart)
