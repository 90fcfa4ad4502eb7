"""What ``grade``, ``compare`` and ``annex`` share: the cases files given (lock files
skipped), each read against its rubric and graded, pseudonymised when there is a key,
moderated when there is a queue - every warning told to the feedback as it is found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .feedback import SILENT, Feedback

if TYPE_CHECKING:
    from ..problems import Problem
    from ..rubric import Rubric
    from ..scoring.grading import GradeResult
    from ..workbook.format import Assessor


@dataclass
class GradedInputs:
    """The cases files read and graded, in the order given."""

    results: list[GradeResult]
    rubrics: list[Rubric]
    """Each file's rubric (one per file)."""
    files: list[Path]
    """The files read (lock files left out)."""
    problems: list[Problem] = field(default_factory=list)
    """Every warning and notice, as told to the feedback."""


def cases_files(paths: Sequence[Path], feedback: Feedback = SILENT
                ) -> tuple[list[Path], list[Problem]]:
    """The paths that are not spreadsheet lock files (``~$cases.xlsx``,
    ``.~lock.cases.xlsx#``, which a shell's ``*.xlsx`` picks up), and a notice for each
    one skipped (told to the feedback)."""
    from ..io.sheets import is_lock_file
    from ..problems import Problem, Severity

    kept, skipped = [], []
    for path in paths:
        if is_lock_file(path):
            skipped.append(Problem(
                code="lock-file-skipped", severity=Severity.NOTICE, file=path.name,
                message="skipped: a lock file a spreadsheet program keeps while the "
                "workbook is open, not a workbook"))
        else:
            kept.append(path)
    if skipped:
        feedback.problems(skipped)
    return kept, skipped


def rubric_warnings(rubrics: Sequence[Rubric], feedback: Feedback) -> None:
    """Tell each rubric's warnings once (an hmic-audit version outside the rubric's
    ``requires_version``): the rubric is still used, and the user should know."""
    told: set[int] = set()
    for rubric in rubrics:
        if id(rubric) not in told and rubric.warnings:
            told.add(id(rubric))
            feedback.problems(rubric.warnings, Path(rubric.source or "").name or None)


def read_and_grade(files: Sequence[Path], rubrics: Sequence[Rubric], *,
                   sides: Sequence[Assessor | None] | None = None,
                   key: bytes | None = None, encoding: str | None = None,
                   sheet: str | None = None, month_first: bool = False,
                   moderated: Path | None = None, feedback: Feedback = SILENT
                   ) -> GradedInputs:
    """Each file read against its rubric (``sides``: only the force's, or only the
    inspectors', audits of a file) and graded; with ``key``, case references
    pseudonymised first; with ``moderated``, the queue's grades applied (checked
    against the first rubric). Each rubric's warnings are told once, before any file
    is read."""
    from .. import grade, read_audits
    from ..workbook.privacy import pseudonymise

    rubric_warnings(rubrics, feedback)
    seen: list[Problem] = []
    results = []
    for path, only, its_rubric in zip(files, sides or [None] * len(files), rubrics,
                                      strict=True):
        with feedback.step(f"Reading {path.name}"):
            frame, warnings = read_audits(path, its_rubric, encoding=encoding, sheet=sheet,
                                          only=only, month_first=month_first)
        feedback.problems(warnings, path.name)
        seen += warnings
        if key is not None:
            frame = pseudonymise(frame, key)
        with feedback.step("Grading"):
            results.append(grade(frame, its_rubric))
    if moderated is not None:
        from ..analysis.moderation import apply_queue

        results = apply_queue(results, moderated, rubrics[0])
    return GradedInputs(results=results, rubrics=list(rubrics), files=list(files),
                        problems=seen)
