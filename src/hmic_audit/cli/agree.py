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
from .output import emit_json, guarded, progress, report_problems, rubric_warnings, say, show


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
    from .. import grade, load_rubric, read_audits
    from ..analysis.readers import reader_agreement
    from ..render.formats import check_out

    check_out(out, "agree")

    the_rubric = load_rubric(rubric)
    rubric_warnings(the_rubric, quiet=quiet)
    with progress(f"Reading {cases.name}", quiet):
        frame, warnings = read_audits(cases, the_rubric, encoding=encoding, sheet=sheet,
                                      month_first=month_first)
    report_problems(warnings, cases.name, quiet=quiet)
    found = reader_agreement([grade(frame, the_rubric)], the_rubric)
    if out is not None:
        from ..io.write import write_outputs
        from ..render.agree_out import agree_file

        cut: list[str] = []
        write_outputs({out: agree_file(out, found, cut)}, inputs=[cases])
        for message in cut:
            say(f"warning: {message}", style="yellow")
        if not quiet:
            say(f"wrote {out}")
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json(found))
    else:
        from ..render.console import agree_view

        show(agree_view(found))
