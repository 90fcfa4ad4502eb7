"""``check-report``'s findings as a terminal table (the JSON is the model's own dump)."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from ..report.check import ReportCheck
from ..text import visible_controls


def findings_table(result: ReportCheck) -> Table:
    """One row per finding: kind, place, what the draft claims, what the cases give and
    the sentence or cell it stands in."""
    table = Table(title=f"{result.draft}: figures the cases do not bear out",
                  show_lines=True)
    table.add_column("Kind", no_wrap=True)
    for name, ratio in (("Where", 2), ("Draft says", 1), ("Cases give", 1), ("In", 3)):
        table.add_column(name, ratio=ratio, overflow="fold")
    for f in result.findings:
        table.add_row(f.kind, f.place, *(escape(visible_controls(v)) for v in (
            f.claimed, f.computed or "-", f.context)))
    return table
