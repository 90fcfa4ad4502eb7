"""xlsx rendering with xlsxwriter, in memory, styled for people and byte-for-byte stable.

Text is always written as a string (never a formula); workbook metadata carries a fixed
date so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter

from ..rubric import Rubric

FIXED_CREATED = dt.datetime(2000, 1, 1)


def render_table_xlsx(sheet: str, headers: list[str], rows: list[list[object]], *,
                      rubric: Rubric | None = None, grade_columns: tuple[int, ...] = (),
                      widths: dict[int, float] | None = None) -> bytes:
    """One styled sheet: bold frozen header, autofilter, widths, grade colours."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"created": FIXED_CREATED, "author": "hmic-audit"})
    header = wb.add_format({"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF",
                            "text_wrap": True, "valign": "top", "border": 1})
    number = wb.add_format({"num_format": "0.0"})
    ws = wb.add_worksheet(sheet)
    fills = {}
    if rubric is not None:
        for g in rubric.scale:
            if g.colour:
                fills[g.label] = wb.add_format({"bg_color": f"#{g.colour}"})
    for c, title in enumerate(headers):
        ws.write_string(0, c, title, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value, number if isinstance(value, float) else None)
            else:
                text = str(value)
                ws.write_string(r, c, text, fills.get(text) if c in grade_columns else None)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(len(rows), 1), max(len(headers) - 1, 0))
    for c, title in enumerate(headers):
        longest = max([len(title)] + [len(str(row[c])) for row in rows[:500]
                                      if row[c] is not None])
        width = (widths or {}).get(c, min(max(longest + 2, 8), 60))
        ws.set_column(c, c, width)
    ws.set_row(0, 30)
    wb.close()
    return buffer.getvalue()
