"""What ``hmic-audit sample`` writes and shows: the audit form pre-filled with the drawn
cases, its Reserves and Sampling sheets, the JSON record, and the terminal table.

The form is the blank audit form (``render.template_xlsx``) with one row per drawn case
(case ref, the case type's label, area, sample ``Self-assessed``), the areas of the list
as its Area drop-down. Sheet ``Reserves`` lists the reserves of each type in the order to
use them (with a blank column to note which drawn case each one replaced); sheet
``Sampling`` records how the sample was drawn (the list's SHA-256, the seed, the rule,
and per case type and per stratum the eligible cases, quota, drawn, reserves, short).
Only references, types, areas and dates are written: a force's list may carry other
columns (names, addresses) that have no place in an audit form.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from ..analysis.sampling import NO_AREA, SampleDraw
from .json import json_bytes
from .template_xlsx import template_xlsx

SELF_ASSESSED = "Self-assessed"
"""What the form's Sample column says of a drawn case (the form's drop-down label)."""


def sample_form_xlsx(draw: SampleDraw) -> bytes:
    """The audit form with the drawn cases pre-filled, and its Reserves and Sampling
    sheets (same list, rubric and seed: same bytes)."""
    labels = draw.rubric.case_type_labels
    rows = [{"case_ref": c.ref, "case_type": labels[c.case_type],
             "area": "" if c.area == NO_AREA else c.area, "sample": SELF_ASSESSED}
            for c in draw.drawn]
    rows = [{k: v for k, v in row.items() if v} for row in rows]
    areas = sorted({c.area for c in draw.case_list.cases if c.area != NO_AREA},
                   key=lambda a: (a.casefold(), a))
    return template_xlsx(draw.rubric, layout="long", areas=areas or None, rows=rows,
                         more_sheets=lambda wb: _more_sheets(wb, draw),
                         made_by="hmic-audit sample")


def _more_sheets(wb: Any, draw: SampleDraw) -> None:
    bold = wb.add_format({"bold": True, "bottom": 1})
    big = wb.add_format({"bold": True, "font_size": 14})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    text = wb.add_format({"num_format": "@"})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    labels = draw.rubric.case_type_labels

    reserves = wb.add_worksheet("Reserves")
    reserves.write_string(0, 0, "Reserves: use them in this order, within the case type, "
                          "when a drawn case is found unsuitable", big)
    heads = ("Case type", "Order", "Case ref", "Area", "Date", "Replaces case ref")
    for c, head in enumerate(heads):
        reserves.write_string(2, c, head, bold)
    for r, reserve in enumerate(draw.reserves, start=3):
        case = reserve.case
        reserves.write_string(r, 0, labels[case.case_type])
        reserves.write_number(r, 1, reserve.order)
        reserves.write_string(r, 2, case.ref, text)
        reserves.write_string(r, 3, case.area)
        if case.date is not None:
            reserves.write_datetime(r, 4, case.date, date)
    if draw.reserves:
        reserves.autofilter(2, 0, 2 + len(draw.reserves), len(heads) - 1)
    for c, width in enumerate((40, 7, 16, 18, 12, 18)):
        reserves.set_column(c, c, width)
    reserves.freeze_panes(3, 0)

    sheet = wb.add_worksheet("Sampling")
    record = draw.record()
    listed = record["case_list"]
    sheet.write_string(0, 0, "How the sample was drawn", big)
    facts: list[tuple[str, str | int]] = [
        ("Case list", listed["file"]), ("Case list SHA-256", listed["sha256"]),
        ("Eligible cases", listed["cases"]),
        ("Dates of the cases", f"{listed['earliest']} to {listed['latest']}"
         if listed["earliest"] else "(no date column)"),
        ("Rubric", f"{draw.rubric.name} v{draw.rubric.version}"),
        ("Rubric SHA-256", draw.rubric.sha256 or ""),
        ("Seed", draw.seed), ("Reserves per case type", draw.reserves_per_type),
        ("Random numbers", record["random"]), ("Allocation rule", record["allocation"]),
        ("Made by", record["tool"]),
    ]
    row = 2
    for name, value in facts:
        sheet.write_string(row, 0, name, bold)
        if isinstance(value, int):
            sheet.write_number(row, 1, value)
        else:
            sheet.write_string(row, 1, value, wrap)
        row += 1
    sheet.set_row(row - 2, 90)
    sheet.set_row(row - 3, 45)

    row += 1
    sheet.write_string(row, 0, "By case type", big)
    row += 1
    for c, head in enumerate(("Case type", "Eligible", "Quota", "Drawn", "Reserves",
                              "Short")):
        sheet.write_string(row, c, head, bold)
    for t in draw.types:
        row += 1
        sheet.write_string(row, 0, t.label)
        for c, value in enumerate((t.eligible, t.quota, t.drawn, t.reserves, t.short),
                                  start=1):
            sheet.write_number(row, c, value)

    row += 2
    sheet.write_string(row, 0, "By case type and area (stratum)", big)
    row += 1
    for c, head in enumerate(("Case type", "Area", "Eligible", "Exact share", "Drawn",
                              "Reserves")):
        sheet.write_string(row, c, head, bold)
    share = wb.add_format({"num_format": "0.000"})
    for s in draw.strata:
        row += 1
        sheet.write_string(row, 0, labels[s.case_type])
        sheet.write_string(row, 1, s.area)
        sheet.write_number(row, 2, s.eligible)
        sheet.write_number(row, 3, s.share, share)
        sheet.write_number(row, 4, s.drawn)
        sheet.write_number(row, 5, s.reserves)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 1, 90)
    sheet.set_column(2, 5, 11)


def record_json(draw: SampleDraw) -> bytes:
    """The sampling record as a JSON document (``--record``)."""
    return json_bytes(draw.record())


def sample_view(draw: SampleDraw) -> Table:
    """The terminal table: per case type, eligible, quota, drawn, reserves, short."""
    table = Table(title=f"Sample drawn with seed {draw.seed} from "
                  f"{draw.case_list.file} ({len(draw.case_list.cases):,} eligible cases)",
                  title_justify="left")
    table.add_column("Case type", overflow="fold")
    for head in ("Eligible", "Quota", "Drawn", "Reserves", "Short"):
        table.add_column(head, justify="right", no_wrap=True)
    for t in draw.types:
        short = Text(f"{t.short:,}", style="bold red") if t.short else Text("0")
        table.add_row(t.label, f"{t.eligible:,}", f"{t.quota:,}", f"{t.drawn:,}",
                      f"{t.reserves:,}", short)
    total = (sum(t.eligible for t in draw.types), sum(t.quota for t in draw.types),
             len(draw.drawn), len(draw.reserves), sum(t.short for t in draw.types))
    if table.rows:  # a rule above the total (rich 10's way: add_section came in 12)
        table.rows[-1].end_section = True
    table.add_row("All case types", *(f"{n:,}" for n in total))
    return table
