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
from .output import (
    emit_json,
    guarded,
    maybe_pseudonymise,
    progress,
    pseudonym_key,
    report_problems,
    rubric_warnings,
    say,
    show,
    without_lock_files,
)


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
    from .. import Assessor, grade, read_audits
    from ..analysis.compare import compare_sets
    from ..problems import Problem, WorkbookError
    from ..render.formats import check_out
    from ..text import plural

    files, skipped = without_lock_files(files)
    report_problems(skipped, quiet=quiet)
    if not 1 <= len(files) <= 2:
        given = plural(len(files), "file") + (" was" if len(files) == 1 else " were")
        raise WorkbookError("give one or two files", [Problem(
            code="bad-arguments", message=f"compare takes one workbook or two (self-assessment "
            f"and inspectors'); {given} given")])
    check_out(out, "compare")
    key = pseudonym_key(pseudonymise, key_file)
    from ..crosswalk import rubrics_for

    rubrics, the_crosswalk = rubrics_for(len(files), rubric, crosswalk)
    rubric_warnings(*rubrics, quiet=quiet)
    the_rubric = rubrics[0]
    sides: list[Assessor | None] = (
        [None] if len(files) == 1 else [Assessor.FORCE, Assessor.INSPECTOR])
    results = []
    for path, only, its_rubric in zip(files, sides, rubrics, strict=True):
        with progress(f"Reading {path.name}", quiet):
            frame, warnings = read_audits(path, its_rubric, encoding=encoding, sheet=sheet,
                                          only=only, month_first=month_first)
        report_problems(warnings, path.name, show_all=show_all, quiet=quiet)
        results.append(grade(maybe_pseudonymise(frame, key), its_rubric))
    if moderated is not None:
        from ..analysis.moderation import apply_queue

        results = apply_queue(results, moderated, the_rubric)
    with progress("Comparing", quiet):
        comparison = compare_sets(results, the_rubric, crosswalk=the_crosswalk,
                                  use=use.value, threshold=threshold,
                                  by=by.value if by else None)
    if the_crosswalk is not None:
        from ..analysis.common_scale import common_rubric

        the_rubric = common_rubric(the_crosswalk, rubrics)
    if comparison.unmatched:
        n = len(comparison.unmatched)
        say(f"{plural(n, 'case')} audited by one side only {'was' if n == 1 else 'were'} "
            "not compared: " + ", ".join(u.case_ref for u in comparison.unmatched[:20])
            + (" ..." if n > 20 else ""), style="yellow")
    if comparison.later_readings:
        n = len(comparison.later_readings)
        say(f"{plural(n, 'case')} read by several readers of one side: each side's first "
            "audit (in row order) was compared; hmic-audit agree compares the readers: "
            + ", ".join(comparison.later_readings[:20]) + (" ..." if n > 20 else ""),
            style="yellow")
    if out is not None:
        from ..io.write import write_outputs
        from ..render.compare_tables import comparison_file

        cut: list[str] = []
        write_outputs({out: comparison_file(out, comparison, the_rubric, cut)}, inputs=files)
        for message in cut:
            say(f"warning: {message}", style="yellow")
        if not quiet:
            say(f"wrote {out}")
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json(comparison))
    else:
        from ..render.console import compare_view

        show(compare_view(comparison, the_rubric))
