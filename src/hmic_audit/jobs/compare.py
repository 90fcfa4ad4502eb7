"""``compare``: the force's self-assessment against the inspectors' grades, from one
cases file holding both sides or two (the force's, then the inspectors')."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .feedback import SILENT, Feedback
from .graded import cases_files, read_and_grade

if TYPE_CHECKING:
    from ..analysis.comparison import Comparison, GradeChoice, GroupBy
    from ..problems import Problem
    from ..rubric import Rubric
    from ..scoring.grading import GradeResult


@dataclass
class Compared:
    """A comparison and what it was made from."""

    comparison: Comparison
    rubric: Rubric
    """The rubric the grades are on: the first file's, or the crosswalk's common scale."""
    files: list[Path]
    results: list[GradeResult]
    problems: list[Problem] = field(default_factory=list)


def compare_files(paths: list[Path], *, rubric: list[str] | None = None,
                  crosswalk: str | Path | None = None, key: bytes | None = None,
                  encoding: str | None = None, sheet: str | None = None,
                  month_first: bool = False, moderated: Path | None = None,
                  use: GradeChoice = "final", threshold: int | None = None,
                  by: GroupBy | None = None, feedback: Feedback = SILENT) -> Compared:
    """Compare force and inspector grades of the cases in ``paths``: one file with both
    sides, or two (the force's, then the inspectors', paired by case reference), each
    under its ``--rubric`` (one for all, or one per file), put on one scale by
    ``crosswalk`` when their scales differ. ``use`` says which grade of each audit is
    compared, ``threshold`` how many levels apart is significant, ``by`` what the
    headline is broken down by. The feedback is told the cases audited by one side only
    and the later readings of several readers (neither compared)."""
    from ..analysis.compare import compare_sets
    from ..crosswalk import rubrics_for
    from ..problems import Problem, WorkbookError
    from ..text import plural
    from ..workbook.format import Assessor

    files, skipped = cases_files(paths, feedback)
    if not 1 <= len(files) <= 2:
        given = plural(len(files), "file") + (" was" if len(files) == 1 else " were")
        raise WorkbookError("give one or two files", [Problem(
            code="bad-arguments", message=f"compare takes one workbook or two (self-assessment "
            f"and inspectors'); {given} given")])
    rubrics, the_crosswalk = rubrics_for(len(files), rubric, crosswalk)
    graded = read_and_grade(
        files, rubrics, sides=[None] if len(files) == 1 else [Assessor.FORCE,
                                                               Assessor.INSPECTOR],
        key=key, encoding=encoding, sheet=sheet, month_first=month_first,
        moderated=moderated, feedback=feedback)
    with feedback.step("Comparing"):
        comparison = compare_sets(graded.results, rubrics[0], crosswalk=the_crosswalk,
                                  use=use, threshold=threshold, by=by)
    the_rubric = rubrics[0]
    if the_crosswalk is not None:
        from ..analysis.common_scale import common_rubric

        the_rubric = common_rubric(the_crosswalk, rubrics)
    if comparison.unmatched:
        n = len(comparison.unmatched)
        feedback.warning(
            f"{plural(n, 'case')} audited by one side only {'was' if n == 1 else 'were'} "
            "not compared: " + ", ".join(u.case_ref for u in comparison.unmatched[:20])
            + (" ..." if n > 20 else ""))
    if comparison.later_readings:
        n = len(comparison.later_readings)
        feedback.warning(
            f"{plural(n, 'case')} read by several readers of one side: each side's first "
            "audit (in row order) was compared; hmic-audit agree compares the readers: "
            + ", ".join(comparison.later_readings[:20]) + (" ..." if n > 20 else ""))
    return Compared(comparison=comparison, rubric=the_rubric, files=files,
                    results=graded.results, problems=skipped + graded.problems)
