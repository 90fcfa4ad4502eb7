"""``hmic-audit agree``: how far several inspector readers of the same cases agree."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import (
    EncodingOpt,
    FormatOpt,
    MonthFirstOpt,
    OutputFormat,
    QuietOpt,
    RubricOpt,
    SheetOpt,
)
from .output import emit_json, guarded, progress, report_problems, rubric_warnings, show


@guarded
def agree_command(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", show_default=False,
        help="A workbook whose inspector audits name their reader (a Reader column); a "
        "case may be audited once by each reader.")],
    rubric: RubricOpt = None,
    format: FormatOpt = OutputFormat.human,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    month_first: MonthFirstOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Measure agreement among several inspector readers of the same cases.

    Takes the inspector audits, one column per reader, and gives for the final grade
    and for each criterion Fleiss' kappa, Gwet's AC1 and AC2 (quadratic weights) and
    Krippendorff's alpha over all readers with 95% intervals, and for each pair of
    readers the cases both read, how often they gave the same grade, Cohen's kappa and
    AC1. Readings a reader did not make are missing, not disagreements.

    Examples:

      hmic-audit agree double-read.xlsx
      hmic-audit agree double-read.xlsx --format json
    """
    from .. import grade, load_rubric, read_audits
    from ..analysis.readers import reader_agreement

    the_rubric = load_rubric(rubric)
    rubric_warnings(the_rubric, quiet=quiet)
    with progress(f"Reading {file.name}", quiet):
        frame, warnings = read_audits(file, the_rubric, encoding=encoding, sheet=sheet,
                                      month_first=month_first)
    report_problems(warnings, file.name, quiet=quiet)
    found = reader_agreement([grade(frame, the_rubric)], the_rubric)
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json(found))
    else:
        from ..render.console import agree_view

        show(agree_view(found))
