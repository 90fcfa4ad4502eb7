"""``hmic-audit moderate``: the cases whose two judgements differ, as a queue to moderate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import (
    AllOpt,
    CasesArg,
    EncodingOpt,
    FormatOpt,
    MonthFirstOpt,
    OutputFormat,
    QuietOpt,
    RubricOpt,
    SheetOpt,
)
from .output import finish_writing, guarded, progress, report_problems, rubric_warnings


@guarded
def moderate_command(
    cases: CasesArg,
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="QUEUE.xlsx", show_default=False,
        help="The queue to write (.xlsx).")],
    threshold: Annotated[int | None, typer.Option(
        "--threshold", metavar="LEVELS", min=1, show_default=False,
        help="Grade levels apart that put a case in the queue (default: the rubric's "
        "significant_difference).")] = None,
    rubric: RubricOpt = None,
    format: FormatOpt = OutputFormat.human,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    month_first: MonthFirstOpt = False,
    show_all: AllOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write the moderation queue: the cases whose final grades differ by the threshold
    or more, force against inspector (as compare pairs them) and reader against reader.

    Each case's audits stand side by side with their final grades and scores, the
    criteria they answered differently filled, and empty columns for the moderator's
    grade (a drop-down of the rubric's grades), reason and name. Give the filled-in
    queue back to grade, compare, annex or report with --moderated.

    Examples:

      hmic-audit moderate cases.xlsx --out queue.xlsx
      hmic-audit moderate sample_cases/gmp-2014/cases.xlsx \\
        --rubric sample_cases/gmp-2014/rubric.yaml --out queue.xlsx
      hmic-audit grade cases.xlsx --moderated queue.xlsx
    """
    from .. import grade, load_rubric, read_audits
    from ..analysis.moderation import moderation_queue
    from ..io.write import write_outputs
    from ..render.formats import check_out
    from ..render.moderation_xlsx import queue_xlsx
    from ..text import plural

    check_out(out, "moderate")
    the_rubric = load_rubric(rubric)
    rubric_warnings(the_rubric, quiet=quiet)
    with progress(f"Reading {cases.name}", quiet):
        frame, warnings = read_audits(cases, the_rubric, encoding=encoding, sheet=sheet,
                                      month_first=month_first)
    report_problems(warnings, cases.name, show_all=show_all, quiet=quiet)
    queue = moderation_queue(grade(frame, the_rubric), the_rubric, threshold=threshold)
    data = queue_xlsx(queue, the_rubric)
    write_outputs({out: data}, inputs=[cases])
    finish_writing(
        format=format, written=[(out, "moderation queue", data)],
        counts={"cases": len(queue.cases), "audits": len(frame)}, problems=list(warnings),
        quiet=quiet, threshold=queue.threshold,
        lines=[f"wrote {out} ({plural(len(queue.cases), 'case')} to moderate, "
               f"{queue.threshold} or more grade levels apart)"])
