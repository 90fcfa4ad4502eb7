"""``hmic-audit check-report``: hold a report draft written or edited by people to the
figures the cases give."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import (
    EncodingOpt,
    FormatOpt,
    MonthFirstOpt,
    OutputFormat,
    ProfileRubricOpt,
    QuietOpt,
    SheetOpt,
)
from .output import EXIT_PROBLEMS, emit_json, guarded, progress, say, show


@guarded
def check_report_command(
    draft: Annotated[Path, typer.Argument(
        metavar="DRAFT", show_default=False,
        help="The draft report: .md, .html or .docx.")],
    cases: Annotated[Path, typer.Option(
        "--cases", metavar="FILE", show_default=False,
        help="The cases workbook the report was made from.")],
    force: Annotated[Path | None, typer.Option(
        "--force", metavar="PROFILE", show_default=False,
        help="The force profile the report was made with, if any.")] = None,
    force_name: Annotated[str | None, typer.Option(
        "--force-name", metavar="NAME", show_default=False,
        help="The force's name, as given to 'report --force-name'.")] = None,
    rubric: ProfileRubricOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    month_first: MonthFirstOpt = False,
    format: FormatOpt = OutputFormat.human,
    quiet: QuietOpt = False,
) -> None:
    """Check the figures of a report draft against the cases: numbers (in digits or
    words), lists of counts and their totals, proportion words and table cells.

    Each finding is a mismatch (the cases give another figure in that place), a list or
    table total that does not add up, a proportion word that does not fit its own counts
    ("most" for 9 of 30), or a number with no source. Exit 0 when nothing is found, 1
    when something is, 2 when the draft or the cases cannot be read.

    Examples:

      hmic-audit check-report draft.docx --cases sample_cases/gmp-2014/cases.xlsx \\
        --force sample_cases/gmp-2014/force.yaml
      hmic-audit check-report draft.md --cases cases.xlsx --format json
    """
    from .. import grade, load_rubric, read_audits
    from ..analysis.compare import compare_or_none
    from ..jobs.report import case_force_name
    from ..profile import check_profile, profile_rubric, read_profile
    from ..render.report_markdown import render_report_markdown
    from ..report.check import check_report
    from ..report.context import build_report
    from ..report.draft import read_draft
    from ..text import plural

    text = read_draft(draft)  # an unreadable draft stops before the cases are read
    profile = None
    if force is not None:
        profile, _ = read_profile(force)
        the_rubric = load_rubric(rubric or profile_rubric(profile, force))
        check_profile(profile, the_rubric, force.name)
    else:
        the_rubric = load_rubric(rubric)
    with progress(f"Reading {cases.name}", quiet):
        frame, _ = read_audits(cases, the_rubric, encoding=encoding, sheet=sheet,
                               month_first=month_first)
    name = force_name
    if name is None and profile is None:
        name = case_force_name(frame, cases)[0]
    result = grade(frame, the_rubric)
    with progress(f"Checking {draft.name}", quiet):
        ctx = build_report(result, compare_or_none([result], the_rubric), the_rubric,
                           profile, force_name=name)
        checked = check_report(text, render_report_markdown(ctx), ctx.figures.all(),
                               the_rubric, name=draft.name)
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json({"ok": checked.ok, **checked.model_dump(mode="json")}))
    elif checked.findings:
        from ..render.report_check import findings_table

        show(findings_table(checked))
    if not (checked.ok and quiet):
        say(f"{draft.name}: {plural(len(checked.findings), 'finding')} in "
            f"{plural(checked.paragraphs, 'paragraph')} and "
            f"{plural(checked.tables, 'table')}",
            style="green" if checked.ok else "bold red")
    if not checked.ok:
        raise typer.Exit(EXIT_PROBLEMS)
