"""The escalations list (``hmic-audit escalations``) for the safeguarding lead: a
workbook or CSV, and the terminal table. The reasons appear here and nowhere else."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..text import plural

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..workbook.escalations import Escalation

HEADERS = ["Case", "Assessor", "Reader", "Reason", "Audit date", "Sheet", "Row"]


def _rows(found: list[Escalation]) -> list[list[object]]:
    return [[e.case_ref, e.assessor or "", e.reader or "", e.reason, e.audit_date or "",
             e.sheet or "", e.row] for e in found]


def _title(found: list[Escalation], file: str) -> str:
    return f"{plural(len(found), 'audit')} flagged as a child still at risk in {file}"


def escalations_file(out: Path, found: list[Escalation], file: str, cut: list[str]
                     ) -> bytes:
    """``.csv``: a row per flagged audit; else a workbook with one sheet, its note
    saying how many and from which file. Cells cut to fit are listed in ``cut``."""
    if out.suffix.lower() == ".csv":
        from .csv import render_csv

        return render_csv(HEADERS, _rows(found), cut)
    from .xlsx import Sheet, render_workbook

    return render_workbook([Sheet("Escalations", HEADERS, _rows(found), widths={3: 60},
                                  note=_title(found, file))], warnings=cut)


def escalations_view(found: list[Escalation], file: str) -> RenderableType | None:
    """The terminal table (None when it cannot be drawn)."""
    from .compare_tables import TableSpec
    from .console import spec_table

    return spec_table(TableSpec("Escalations", _title(found, file), HEADERS, _rows(found)))
