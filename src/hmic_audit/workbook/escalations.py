"""Live-risk escalations: the audits whose auditor found a child still at risk.

An auditor who finds a child still at risk marks the audit in the ``live_risk`` column with
a short reason. Every command that reads the workbook says so first (the ``live-risk``
warning, without the reason); this module gives the safeguarding lead the list with the
reasons (``hmic-audit escalations``). It reads the workbook's header and the flagged rows
only, so a workbook with errors elsewhere still gives its list: a bad date must never
delay an escalation. The reasons go nowhere else: no other output carries them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..io.sheets import read_grid
from ..rubric import Rubric
from .rules.cells import flagged_live_risk
from .sheet import locate


class Escalation(BaseModel):
    """One flagged audit, as the workbook has it (cells as typed)."""

    model_config = ConfigDict(frozen=True)

    case_ref: str
    assessor: str | None
    """The assessor cell as typed (force or inspector)."""
    reader: str | None
    """Who audited it, when the workbook names readers."""
    reason: str
    audit_date: str | None
    """The audit date cell as typed."""
    file: str
    sheet: str | None
    row: int


def escalations(path: str | Path, rubric: Rubric, *, encoding: str | None = None,
                sheet: str | None = None) -> list[Escalation]:
    """Every flagged audit of a cases file, in row order (none without a live-risk
    column); ``WorkbookError`` only when the file or its header cannot be read."""
    grid = read_grid(path, encoding=encoding, sheet=sheet)
    found = locate(grid, rubric)
    risk = found.column("live_risk")
    if risk is None:
        return []

    def cell(slot: str, i: int) -> str | None:
        column = found.column(slot)
        return (column.text(i) or None) if column is not None else None

    return [Escalation(case_ref=cell("case_ref", i) or "", assessor=cell("assessor", i),
                       reader=cell("reader", i), reason=risk.text(i),
                       audit_date=cell("audit_date", i), file=grid.file,
                       sheet=grid.sheet, row=int(found.rows[i]))
            for i in np.flatnonzero(flagged_live_risk(risk)).tolist()]
