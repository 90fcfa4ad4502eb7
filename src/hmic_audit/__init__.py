"""hmic-audit: grade, compare and report child-protection inspection case audits.

The flat public API used by the CLI and the tests::

    from hmic_audit import load_rubric, read_audits, grade

    rubric = load_rubric()                        # the shipped default rubric
    audits, warnings = read_audits("cases.xlsx", rubric)   # checked audits, as columns
    result = grade(audits, rubric)
    result.summary                                # grade distributions (a model)
    result.to_pandas()                            # one row per audit, for analysts

``read_workbook`` gives the same audits as pydantic models (an ``AuditSet``).

Names are imported on first use, so ``hmic-audit --help`` does not pay for pydantic,
numpy or the readers.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Assessor": "workbook.format", "Sample": "workbook.format",
    "Audit": "workbook.models", "AuditSet": "workbook.models",
    "GradedAudit": "workbook.models", "AuditFrame": "workbook.frame",
    "read_audits": "workbook.check",
    "GradeResult": "scoring.grading", "GradeSummary": "scoring.grading",
    "grade": "scoring.grading",
    "HmicAuditError": "problems", "OutputError": "problems", "Problem": "problems",
    "RubricError": "problems", "Severity": "problems", "WorkbookError": "problems",
    "Rubric": "rubric", "load_rubric": "rubric_file", "parse_rubric": "rubric_file",
}

__all__ = sorted([*_EXPORTS, "read_workbook"])

if TYPE_CHECKING:
    from .problems import Problem
    from .rubric import Rubric
    from .workbook.format import Assessor
    from .workbook.models import AuditSet


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_workbook(path: str | Path, rubric: Rubric, *, encoding: str | None = None,
                  sheet: str | None = None,
                  only: Assessor | None = None,
                  month_first: bool = False) -> tuple[AuditSet, list[Problem]]:
    """Read and check a cases file (.xlsx, .csv or .json): the audits as models, and the
    warnings; ``WorkbookError`` listing every problem when it holds any error. (See
    ``read_audits`` for the same audits as columns.)"""
    from .workbook.check import read_audits

    frame, warnings = read_audits(path, rubric, encoding=encoding, sheet=sheet, only=only,
                                  month_first=month_first)
    return frame.to_audit_set(rubric), warnings
