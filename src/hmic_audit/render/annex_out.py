"""Annex tables to files: xlsx (contents sheet, a sheet per table, native bar charts for
grade distributions), a folder of CSV files, Markdown or JSON. All return bytes;
``annex_outputs`` picks the format from the ``--out`` path."""

from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter

from ..analysis.annex_table import AnnexTable
from ..rubric import Rubric
from .csv import render_csv
from .json import render_json
from .markdown import md_escape, md_table
from .safe_text import fit_cell
from .xlsx import FIXED_CREATED


def annex_xlsx(tables: list[AnnexTable], rubric: Rubric, title: str) -> bytes:
    """A workbook: contents sheet, a styled sheet per table, native bar charts."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"created": FIXED_CREATED, "author": "hmic-audit", "title": title})
    head = wb.add_format({"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF",
                          "text_wrap": True, "valign": "top", "border": 1})
    bold = wb.add_format({"bold": True})
    big = wb.add_format({"bold": True, "font_size": 14})
    italic = wb.add_format({"italic": True, "text_wrap": True})
    link = wb.add_format({"font_color": "#1F3864", "underline": 1})
    formats = {"count": wb.add_format({"num_format": "#,##0"}),
               "percent": wb.add_format({"num_format": "0.0"}),
               "ci": wb.add_format({"num_format": "0.0"}),
               "number": wb.add_format({"num_format": "0.000"})}
    contents = wb.add_worksheet("Contents")
    contents.write_string(0, 0, title, big)
    contents.write_string(2, 0, "Table", bold)
    contents.write_string(2, 1, "Title", bold)
    contents.set_column(0, 0, 24)
    contents.set_column(1, 1, 70)
    colours = {g.label: f"#{g.colour}" for g in rubric.scale if g.colour}
    for n, table in enumerate(tables):
        ws = wb.add_worksheet(table.name[:31])
        contents.write_url(3 + n, 0, f"internal:'{table.name[:31]}'!A1", link,
                           string=table.name)
        contents.write_string(3 + n, 1, table.title)
        ws.write_string(0, 0, table.title, big)
        for c, column in enumerate(table.columns):
            ws.write_string(2, c, column.title, head)
        for r, row in enumerate(table.rows, start=3):
            for c, value in enumerate(row):
                fmt = formats.get(table.columns[c].kind)
                if isinstance(value, bool) or value is None:
                    continue
                if isinstance(value, int | float):
                    ws.write_number(r, c, value, fmt)
                else:
                    ws.write_string(r, c, fit_cell(str(value))[0],
                                    bold if r == 2 + len(table.rows) and table.total_row
                                    and c == 0 else None)
        end = 3 + len(table.rows)
        if table.note:
            ws.write_string(end + 1, 0, table.note, italic)
        ws.freeze_panes(3, 1)
        for c, column in enumerate(table.columns):
            longest = max([len(column.title)] + [len(str(row[c])) for row in table.rows[:200]])
            ws.set_column(c, c, min(max(longest + 2, 9), 60))
        if table.chart and not _hides_counts(table):
            _bar_chart(wb, ws, table, colours)
    wb.close()
    return buffer.getvalue()


def _hides_counts(table: AnnexTable) -> bool:
    """Whether a table shows a count as a symbol (hidden): its chart would draw it as 0,
    a false and telling bar, so a protected table with hidden counts gets no chart."""
    counts = [i for i, c in enumerate(table.columns) if c.kind == "count"]
    return any(isinstance(row[i], str) for row in table.rows for i in counts)


def _bar_chart(wb: xlsxwriter.Workbook, ws: object, table: AnnexTable,
               colours: dict[str, str]) -> None:
    """A native stacked bar chart of the grade columns (the total row left out)."""
    chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
    body = len(table.rows) - (1 if table.total_row else 0)
    name = table.name[:31]
    for c, column in enumerate(table.columns):
        if column.kind != "count" or column.key in ("total", "ungraded"):
            continue
        series = {"name": [name, 2, c], "categories": [name, 3, 0, 2 + body, 0],
                  "values": [name, 3, c, 2 + body, c], "gap": 60,
                  "border": {"color": "#555555"}}
        if column.title in colours:
            series["fill"] = {"color": colours[column.title]}
        chart.add_series(series)
    chart.set_title({"name": table.title, "name_font": {"size": 11}})
    chart.set_legend({"position": "bottom"})
    chart.set_y_axis({"reverse": True})
    chart.set_size({"width": 640, "height": 90 + 28 * body})
    ws.insert_chart(3 + len(table.rows) + 3, 1, chart)  # type: ignore[attr-defined]


def _cells(table: AnnexTable) -> list[list[object]]:
    return [["" if v is None else v for v in row] for row in table.rows]


def annex_csv_files(tables: list[AnnexTable], folder: Path,
                    warnings: list[str] | None = None) -> dict[Path, bytes]:
    """One CSV per table (a note, when there is one, as a last line)."""
    out = {}
    for table in tables:
        rows = _cells(table)
        if table.note:
            rows = rows + [[f"Note: {table.note}"]]
        out[folder / f"{table.name}.csv"] = render_csv([c.title for c in table.columns], rows,
                                                        warnings)
    return out


def annex_markdown(tables: list[AnnexTable], title: str) -> str:
    """Every table as Markdown under its title, notes in italics."""
    parts = [f"# {md_escape(title)}\n"]
    for table in tables:
        parts.append(f"## {md_escape(table.title)}\n")
        rows = [[f"{v:.1f}" if isinstance(v, float) and c.kind in ("percent", "ci") else v
                 for v, c in zip(row, table.columns, strict=True)] for row in _cells(table)]
        parts.append(md_table([c.title for c in table.columns], rows))
        if table.note:
            parts.append(f"\n_{md_escape(table.note)}_\n")
    return "\n".join(parts)


def annex_json(tables: list[AnnexTable], title: str) -> str:
    """One JSON document: the title and every table."""
    return render_json({"title": title, "tables": [
        t.model_dump(mode="json", exclude={"queries", "derived"}) for t in tables]})


def annex_outputs(tables: list[AnnexTable], out: Path, rubric: Rubric, title: str
                  ) -> dict[Path, bytes]:
    """Every file ``annex --out`` writes: one CSV per table into a folder (a path without
    an extension, or an existing folder), else one .xlsx, .md or .json file."""
    suffix = out.suffix.lower()
    if suffix == "" or out.is_dir():
        return annex_csv_files(tables, out)
    if suffix == ".xlsx":
        return {out: annex_xlsx(tables, rubric, title)}
    if suffix == ".md":
        return {out: annex_markdown(tables, title).encode("utf-8")}
    return {out: annex_json(tables, title).encode("utf-8")}
