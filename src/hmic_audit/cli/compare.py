"""``hmic-audit compare``: the force's self-assessment against the inspectors' grades."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .options import (
    AllOpt,
    CrosswalkOpt,
    EncodingOpt,
    FormatOpt,
    KeyFileOpt,
    ModeratedOpt,
    MonthFirstOpt,
    OutputFormat,
    PseudonymiseOpt,
    QuietOpt,
    RubricsOpt,
    SheetOpt,
)
from .output import ConsoleFeedback, emit_json, guarded, pseudonym_key, show, write_file


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
        "self-assessment, then the inspectors' audits (paired by case reference). "
        "Spreadsheet lock files (~$cases.xlsx) are skipped.")],
    rubric: RubricsOpt = None,
    crosswalk: CrosswalkOpt = None,
    use: Annotated[Use, typer.Option(
        "--use", metavar="final|computed|given",
        help="Which grade of each audit to compare: final (written, else computed), "
        "computed (the rubric's) or given (written only).")] = Use.final,
    threshold: Annotated[int | None, typer.Option(
        "--threshold", metavar="LEVELS", min=1, show_default=False,
        help="Grade levels apart that count as a significant difference (default: the "
        "rubric's significant_difference).")] = None,
    by: Annotated[By | None, typer.Option(
        "--by", metavar="case_type|area",
        help="Break the headline figures down by case type or area.",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="FILE", show_default=False,
        help="Write the comparison: .xlsx (every table), .md (report) or .csv (one row per "
        "compared case).")] = None,
    format: FormatOpt = OutputFormat.human,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    month_first: MonthFirstOpt = False,
    pseudonymise: PseudonymiseOpt = False,
    key_file: KeyFileOpt = None,
    moderated: ModeratedOpt = None,
    show_all: AllOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Compare the force's self-assessment with the inspectors' judgements.

    Shows the force-by-inspector cross-tab with margins, exact agreement and agreement
    within one grade, Cohen's kappa (unweighted, linear and quadratic weights, with 95%
    intervals), Krippendorff's alpha, which side was harsher with a sign test, the cases
    whose judgements differ significantly and the criteria the two sides answered
    differently. Cases audited by one side only are listed.

    Examples:

      hmic-audit compare sample_cases/gmp-2014/cases.xlsx
      hmic-audit compare cases.xlsx --threshold 3 --by case_type \\
        --out compare.xlsx
      hmic-audit compare self-assessment.xlsx inspectors.xlsx --format json
      hmic-audit compare force-2014.xlsx inspectors-2024.xlsx \\
        --rubric child-protection-2014 --rubric child-protection-2024 \\
        --crosswalk 2014-to-2024
    """
    from ..jobs.compare import compare_files
    from ..render.formats import check_out

    check_out(out, "compare")
    done = compare_files(
        files, rubric=rubric, crosswalk=crosswalk, key=pseudonym_key(pseudonymise, key_file),
        encoding=encoding, sheet=sheet, month_first=month_first, moderated=moderated,
        use=use.value, threshold=threshold, by=by.value if by else None,
        feedback=ConsoleFeedback(show_all=show_all, quiet=quiet))
    if out is not None:
        from ..render.compare_tables import comparison_file

        write_file(out, lambda cut: comparison_file(out, done.comparison, done.rubric, cut),
                   inputs=done.files, quiet=quiet)
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json(done.comparison))
    else:
        from ..render.console import compare_view

        show(compare_view(done.comparison, done.rubric))
