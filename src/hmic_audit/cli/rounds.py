"""``hmic-audit rounds``: two inspection rounds of one force, the inspectors' grades
side by side on one scale."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import (
    CrosswalkOpt,
    EncodingOpt,
    FormatOpt,
    MonthFirstOpt,
    OutputFormat,
    QuietOpt,
    RubricsOpt,
    SheetOpt,
)
from .output import ConsoleFeedback, emit_json, guarded, show, write_file


@guarded
def rounds_command(
    files: Annotated[list[Path], typer.Argument(
        metavar="ROUND1 ROUND2", show_default=False,
        help="Two workbooks of one force: the first inspection round, then the later "
        "one (a post-inspection review). Their inspector audits are compared.")],
    rubric: RubricsOpt = None,
    crosswalk: CrosswalkOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="FILE", show_default=False,
        help="Write every table: .xlsx (a sheet each, with a bar chart of the two "
        "distributions), .md or .json.")] = None,
    format: FormatOpt = OutputFormat.human,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    month_first: MonthFirstOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Compare two inspection rounds of one force.

    Sets each round's inspector final grades side by side on one scale (the rubric's, or
    a crosswalk's when the rounds were graded under different rubrics): the distribution
    per round, the change in the share judged acceptable with Newcombe's 95% interval, a
    Mann-Whitney test of a shift in grades with the probability that a round-2 case is
    graded better and Cliff's delta, the same by case type, theme scores when both rounds
    used one rubric, and the cases audited in both rounds (better, same, worse) with a
    sign test.

    Examples:

      hmic-audit rounds inspection-2014.xlsx review-2015.xlsx
      hmic-audit rounds inspection-2014.xlsx review-2022.xlsx \\
        --rubric child-protection-2014 --rubric child-protection-2021 \\
        --crosswalk common-3 --out rounds.xlsx
    """
    from ..analysis.rounds import counted_under, rounds
    from ..crosswalk import rubrics_for
    from ..jobs.graded import read_and_grade
    from ..problems import Problem, WorkbookError
    from ..render.formats import check_out
    from ..text import plural

    if len(files) != 2:
        given = plural(len(files), "file") + (" was" if len(files) == 1 else " were")
        raise WorkbookError("give two files", [Problem(
            code="bad-arguments", message=f"rounds takes two workbooks (round 1, then round "
            f"2); {given} given")])
    check_out(out, "rounds")
    rubrics, the_crosswalk = rubrics_for(2, rubric, crosswalk)
    graded = read_and_grade(files, rubrics, encoding=encoding, sheet=sheet,
                            month_first=month_first, feedback=ConsoleFeedback(quiet=quiet))
    found = rounds(graded.results, crosswalk=the_crosswalk)
    the_rubric = counted_under(rubrics, the_crosswalk)
    if out is not None:
        from ..render.rounds_out import rounds_file

        write_file(out, lambda cut: rounds_file(out, found, the_rubric, cut), inputs=files,
                   quiet=quiet)
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json(found))
    else:
        from ..render.rounds_out import rounds_view

        show(rounds_view(found, the_rubric))
