"""``hmic-audit compare``: the force's self-assessment against the inspectors' grades."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .options import (
    EncodingOpt,
    FormatOpt,
    KeyFileOpt,
    OutputFormat,
    PseudonymiseOpt,
    RubricOpt,
    SheetOpt,
)
from .output import emit_json, guarded, maybe_pseudonymise, report_problems, say, show


class Use(StrEnum):
    """Which grade of each audit is compared."""

    final = "final"
    computed = "computed"
    given = "given"


class By(StrEnum):
    """What the headline figures can be broken down by."""

    case_type = "case_type"
    area = "area"


@guarded
def compare_command(
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE [INSPECTOR_FILE]", show_default=False,
        help="One workbook holding force and inspector audits, or two: the force's "
        "self-assessment, then the inspectors' audits (paired by case reference).")],
    rubric: RubricOpt = None,
    use: Annotated[Use, typer.Option(
        "--use", help="Which grade of each audit to compare: final (written, else "
        "computed), computed (the rubric's) or given (written only).")] = Use.final,
    threshold: Annotated[int | None, typer.Option(
        "--threshold", metavar="LEVELS", min=1, show_default=False,
        help="Grade levels apart that count as a significant difference (default: the "
        "rubric's significant_difference).")] = None,
    by: Annotated[By | None, typer.Option(
        "--by", help="Break the headline figures down by case type or area.",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", show_default=False,
        help="Write the comparison: .xlsx (every table), .md (report) or .csv (one row per "
        "compared case).")] = None,
    format: FormatOpt = OutputFormat.human,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    pseudonymise: PseudonymiseOpt = False,
    key_file: KeyFileOpt = None,
) -> None:
    """Compare the force's self-assessment with the inspectors' judgements.

    Shows the force-by-inspector cross-tab with margins, exact agreement and agreement
    within one grade, Cohen's kappa (unweighted, linear and quadratic weights, with 95%
    intervals), Krippendorff's alpha, which side was harsher with a sign test, the cases
    whose judgements differ significantly and the criteria the two sides answered
    differently. Cases audited by one side only are listed.

    Examples:

      hmic-audit compare sample_cases/gmp-2014/cases.xlsx

      hmic-audit compare cases.xlsx --threshold 3 --by case_type --out compare.xlsx

      hmic-audit compare self-assessment.xlsx inspectors.xlsx --format json
    """
    from .. import Assessor, load_rubric, read_audits
    from ..analysis.compare import compare_sets
    from ..problems import Problem, WorkbookError
    from ..render.formats import check_out

    if not 1 <= len(files) <= 2:
        raise WorkbookError("give one or two files", [Problem(
            code="bad-arguments", message=f"compare takes one workbook or two (self-assessment "
            f"and inspectors'); {len(files)} were given")])
    check_out(out, "compare")
    the_rubric = load_rubric(rubric)
    sides: list[Assessor | None] = (
        [None] if len(files) == 1 else [Assessor.FORCE, Assessor.INSPECTOR])
    frames = []
    for path, only in zip(files, sides, strict=True):
        frame, warnings = read_audits(path, the_rubric, encoding=encoding, sheet=sheet,
                                      only=only)
        report_problems(warnings, f"Warnings in {path.name}")
        frames.append(maybe_pseudonymise(frame, pseudonymise, key_file))
    comparison = compare_sets(frames, the_rubric, use=use.value, threshold=threshold,
                              by=by.value if by else None)
    if comparison.unmatched:
        say(f"{len(comparison.unmatched)} case(s) audited by one side only were not "
            "compared: " + ", ".join(u.case_ref for u in comparison.unmatched[:20])
            + (" ..." if len(comparison.unmatched) > 20 else ""), style="yellow")
    if out is not None:
        from ..io.write import write_outputs
        from ..render.compare_tables import comparison_file

        cut: list[str] = []
        write_outputs({out: comparison_file(out, comparison, the_rubric, cut)}, inputs=files)
        for message in cut:
            say(f"warning: {message}", style="yellow")
        say(f"wrote {out}")
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json(comparison))
    else:
        from ..render.console import compare_view

        show(compare_view(comparison, the_rubric))
