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
from .output import ConsoleFeedback, emit_json, guarded, show, write_file


@guarded
def agree_command(
    cases: Annotated[Path, typer.Argument(
        metavar="FILE", show_default=False,
        help="A workbook whose inspector audits name their reader (a Reader column); a "
        "case may be audited once by each reader.")],
    rubric: RubricOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="FILE", show_default=False,
        help="Write every table: .xlsx (a sheet each; the criterion x reader sheet a heat "
        "map) or .html (one page with an SVG heat map).")] = None,
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
    AC1. Readings a reader did not make are missing, not disagreements. Calibration:
    who reads harder or softer than the others, and how often each criterion (and each
    reader on it) is answered differently.

    Examples:

      hmic-audit agree double-read.xlsx
      hmic-audit agree double-read.xlsx --format json
      hmic-audit agree double-read.xlsx --out calibration.html
    """
    from .. import load_rubric
    from ..analysis.readers import reader_agreement
    from ..jobs.graded import read_and_grade
    from ..render.formats import check_out

    check_out(out, "agree")

    the_rubric = load_rubric(rubric)
    graded = read_and_grade([cases], [the_rubric], encoding=encoding, sheet=sheet,
                            month_first=month_first, feedback=ConsoleFeedback(quiet=quiet))
    found = reader_agreement(graded.results, the_rubric)
    if out is not None:
        from ..render.agree_out import agree_file

        write_file(out, lambda cut: agree_file(out, found, cut), inputs=[cases], quiet=quiet)
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json(found))
    else:
        from ..render.console import agree_view

        show(agree_view(found))
