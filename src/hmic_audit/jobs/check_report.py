"""``check-report``: a report draft written or edited by people, held to the report its
cases give (with the same profile, rubric and force name as the report was made
with)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .feedback import SILENT, Feedback

if TYPE_CHECKING:
    from ..report.check import ReportCheck


def check_draft(draft: Path, cases: Path, *, force: Path | None = None,
                force_name: str | None = None, rubric: str | Path | None = None,
                encoding: str | None = None, sheet: str | None = None,
                month_first: bool = False, feedback: Feedback = SILENT) -> ReportCheck:
    """Every figure of ``draft`` (.md, .html or .docx) checked against the report the
    cases give: mismatches, totals that do not add up, proportion words that do not fit
    their counts, numbers with no source. The draft is read first: an unreadable draft
    stops before the cases are read. The report is built as ``report`` builds it from
    the same ``force`` profile, ``rubric`` and ``force_name``."""
    from .. import grade, read_audits
    from ..analysis.compare import compare_or_none
    from ..render.report_markdown import render_report_markdown
    from ..report.check import check_report
    from ..report.context import build_report
    from ..report.draft import read_draft
    from .report import case_force_name, profile_and_rubric

    text = read_draft(draft)
    profile, _, the_rubric = profile_and_rubric(force, rubric)
    with feedback.step(f"Reading {cases.name}"):
        frame, _ = read_audits(cases, the_rubric, encoding=encoding, sheet=sheet,
                               month_first=month_first)
    if force_name is None and profile is None:
        force_name = case_force_name(frame, cases)[0]
    result = grade(frame, the_rubric)
    with feedback.step(f"Checking {draft.name}"):
        ctx = build_report(result, compare_or_none([result], the_rubric), the_rubric,
                           profile, force_name=force_name)
        return check_report(text, render_report_markdown(ctx), ctx.figures.all(),
                            the_rubric, name=draft.name)
