"""hmic-audit: grade, compare and report child-protection inspection case audits.

The flat public API used by the CLI and the tests::

    from hmic_audit import load_rubric, read_workbook, grade

    rubric = load_rubric()                      # the shipped default rubric
    audits, warnings = read_workbook("cases.xlsx", rubric)
    result = grade(audits, rubric)
"""

from __future__ import annotations

from pathlib import Path

from .io.sheets import read_table
from .problems import (
    HmicAuditError,
    OutputError,
    Problem,
    RubricError,
    Severity,
    WorkbookError,
)
from .rubric import Rubric
from .rubric_file import load_rubric, parse_rubric
from .scoring.grading import GradeResult, GradeSummary, grade
from .workbook.models import Assessor, Audit, AuditSet, GradedAudit, Sample
from .workbook.validate import validate_table

__version__ = "0.1.0"

FAST_PATH_BYTES = 150_000
"""Files at least this large try the column-wise fast path first (see ``fastpath``); it
gives the same result, and smaller files are read before its imports would pay off."""

__all__ = [
    "Assessor", "Audit", "AuditSet", "GradeResult", "GradeSummary", "GradedAudit",
    "HmicAuditError", "OutputError", "Problem", "Rubric", "RubricError", "Sample",
    "Severity", "WorkbookError", "grade", "load_rubric", "parse_rubric", "read_workbook",
]


def read_workbook(path: str | Path, rubric: Rubric, *, encoding: str | None = None,
                  sheet: str | None = None,
                  only: Assessor | None = None) -> tuple[AuditSet, list[Problem]]:
    """Read and validate a cases file (.xlsx, .csv or .json).

    ``only`` declares a file holding one side's audits (see ``validate_table``).

    Returns the audits and the warnings; raises ``WorkbookError`` listing every problem
    when the file cannot be read or holds any error.
    """
    if only is None and encoding is None and Path(path).is_file() and \
            Path(path).stat().st_size >= FAST_PATH_BYTES:
        from .workbook.fastpath import read_frame

        frame = read_frame(path, rubric, sheet=sheet)
        if frame is not None:
            return frame.to_audit_set(rubric), frame.warnings
    table = read_table(path, encoding=encoding, sheet=sheet)
    return validate_table(table, rubric, only=only)
