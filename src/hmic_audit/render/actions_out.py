"""The recommendations ledger as a workbook for the force to fill in, and as a terminal
table (``hmic-audit actions``).

Sheet ``Actions``: one row per action - id, recommendation, theme, timescale, due date,
then the force's cells (owner, status from a drop-down, evidence, date closed, filled
pale yellow), and its state as at the date used; an overdue row is filled red. Sheet
``Progress``: the counts and the summary sentence as at that date. Sheet ``Ledger``
(hidden): the force and publication date the ledger is read back with.
"""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..analysis.action_ledger import (
    ACTIONS_SHEET,
    COLUMNS,
    PROGRESS_SHEET,
    SOURCE_KEYS,
    SOURCE_SHEET,
)
from ..analysis.actions import ActionStatus, Ledger, Progress, State, long_date
from .safe_text import fit_cell
from .xlsx import FIXED_CREATED

OVERDUE_FILL = "#FFC7CE"
"""The fill of an overdue action's row (Excel's light red)."""
INPUT_FILL = "#FFF2CC"
"""The fill of the cells the force fills in."""
STATE_TITLE = "State"
INPUTS = ("owner", "status", "evidence", "date_closed")


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def ledger_xlsx(ledger: Ledger, progress: Progress) -> bytes:
    """The ledger workbook's bytes (the same ledger and date, the same bytes)."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"created": FIXED_CREATED, "author": "hmic-audit"})
    header = wb.add_format({"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF",
                            "text_wrap": True, "valign": "top", "border": 1})
    fmt = {}
    for red in (False, True):
        for kind in ("text", "wrap", "date", "in_text", "in_date"):
            props: dict[str, object] = {"valign": "top"}
            if kind in ("wrap", "in_text"):
                props["text_wrap"] = True
            if kind.endswith("date"):
                props["num_format"] = "dd/mm/yyyy"
            if kind.startswith("in_"):
                props.update(bg_color=INPUT_FILL, border=1, locked=False)
            if red:
                props["bg_color"] = OVERDUE_FILL
            fmt[red, kind] = wb.add_format(props)

    ws = wb.add_worksheet(ACTIONS_SHEET)
    titles = [*COLUMNS.values(), STATE_TITLE]
    for c, title in enumerate(titles):
        ws.write_string(0, c, title, header)
    col = {field: c for c, field in enumerate(COLUMNS)}
    for r, a in enumerate(ledger.actions, start=1):
        red = progress.states[a.id] is State.OVERDUE
        ws.write_string(r, col["id"], a.id, fmt[red, "text"])
        ws.write_string(r, col["recommendation"], fit_cell(a.recommendation)[0],
                        fmt[red, "wrap"])
        ws.write_string(r, col["theme"], a.theme or "", fmt[red, "text"])
        ws.write_string(r, col["timescale"], a.timescale.label, fmt[red, "text"])
        ws.write_datetime(r, col["due_date"], _at(a.due_date), fmt[red, "date"])
        ws.write_string(r, col["owner"], fit_cell(a.owner)[0], fmt[red, "in_text"])
        ws.write_string(r, col["status"], a.status.label, fmt[red, "in_text"])
        ws.write_string(r, col["evidence"], fit_cell(a.evidence)[0], fmt[red, "in_text"])
        if a.date_closed is None:
            ws.write_blank(r, col["date_closed"], None, fmt[red, "in_date"])
        else:
            ws.write_datetime(r, col["date_closed"], _at(a.date_closed), fmt[red, "in_date"])
        ws.write_string(r, len(COLUMNS), str(progress.states[a.id]), fmt[red, "text"])
    last = max(len(ledger.actions), 1)
    labels = [s.label for s in ActionStatus]
    ws.data_validation(1, col["status"], last, col["status"], {
        "validate": "list", "source": labels, "error_title": "Not a status",
        "error_message": f"Choose one of {', '.join(labels)}."})
    ws.data_validation(1, col["date_closed"], last, col["date_closed"], {
        "validate": "date", "criteria": ">=", "value": _at(ledger.publication_date),
        "error_type": "warning", "error_title": "Date closed",
        "error_message": "A date on or after the publication date, "
        f"{long_date(ledger.publication_date)}."})
    for c, w in enumerate([6, 60, 18, 20, 12, 20, 14, 40, 12, 14]):
        ws.set_column(c, c, w)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, len(ledger.actions), len(titles) - 1)

    ps = wb.add_worksheet(PROGRESS_SHEET)
    bold = wb.add_format({"bold": True})
    date = wb.add_format({"num_format": "d mmmm yyyy", "align": "left"})
    p = progress
    ps.write_string(0, 0, "Force", bold)
    ps.write_string(0, 1, fit_cell(ledger.force)[0])
    for r, (label, day) in enumerate((("Publication date", ledger.publication_date),
                                      ("As at", p.as_of)), start=1):
        ps.write_string(r, 0, label, bold)
        ps.write_datetime(r, 1, _at(day), date)
    counts = [("Recommendations", p.total), ("Due by then", p.due), ("Done", p.done),
              ("Done on time", p.done_on_time), ("Done late", p.done_late),
              ("Overdue", p.overdue), ("Not yet due", p.not_yet_due), ("Dropped", p.dropped)]
    for r, (label, n) in enumerate(counts, start=4):
        ps.write_string(r, 0, label, bold)
        ps.write_number(r, 1, n)
    ps.write_string(13, 0, p.summary)
    ps.write_string(14, 0, "Counted when the ledger was written. After filling in the "
                    "Actions sheet, count again with: hmic-audit actions THIS_FILE "
                    "--as-of YYYY-MM-DD", wb.add_format({"italic": True}))
    ps.set_column(0, 0, 20)
    ps.set_column(1, 1, 30)

    src = wb.add_worksheet(SOURCE_SHEET)
    for r, (key, value) in enumerate(zip(SOURCE_KEYS, (
            ledger.force, ledger.publication_date.isoformat()), strict=True)):
        src.write_string(r, 0, key)
        src.write_string(r, 1, fit_cell(value)[0])
    src.hide()
    wb.close()
    return buffer.getvalue()


_STATE_STYLE = {State.OVERDUE: "bold red", State.DONE_LATE: "yellow",
                State.DONE_ON_TIME: "green", State.DROPPED: "dim", State.NOT_YET_DUE: ""}


def ledger_view(ledger: Ledger, progress: Progress) -> RenderableType:
    """The actions with their due dates and states, and the summary sentence."""
    table = Table(title=f"Recommendations of {ledger.force}, published "
                  f"{long_date(ledger.publication_date)}", title_justify="left")
    for title in ("ID", "Timescale", "Due", "Status", "Closed", "State", "Owner"):
        table.add_column(title, overflow="fold")
    for a in ledger.actions:
        state = progress.states[a.id]
        table.add_row(a.id, a.timescale.label, f"{a.due_date:%d/%m/%Y}", a.status.label,
                      f"{a.date_closed:%d/%m/%Y}" if a.date_closed else "",
                      Text(str(state), style=_STATE_STYLE[state]), a.owner)
    return Group(table, Text(progress.summary))
