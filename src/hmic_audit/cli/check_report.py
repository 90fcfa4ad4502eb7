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
from .output import EXIT_PROBLEMS, ConsoleFeedback, emit_json, guarded, say, show


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
    from ..jobs.check_report import check_draft
    from ..text import plural

    checked = check_draft(draft, cases, force=force, force_name=force_name, rubric=rubric,
                          encoding=encoding, sheet=sheet, month_first=month_first,
                          feedback=ConsoleFeedback(quiet=quiet))
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
