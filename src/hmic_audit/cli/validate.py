"""``hmic-audit validate``: check a workbook (and, asked, mark its problems in a copy)."""

from __future__ import annotations

from .options import (
    AllOpt,
    AnnotateOpt,
    CasesArg,
    EncodingOpt,
    FormatOpt,
    MonthFirstOpt,
    OutputFormat,
    QuietOpt,
    RubricOpt,
    SheetOpt,
)
from .output import (
    check_annotate,
    finish_check,
    guarded,
    progress,
    rubric_warnings,
    write_annotated,
)


@guarded
def validate_command(
    cases: CasesArg,
    rubric: RubricOpt = None,
    format: FormatOpt = OutputFormat.human,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    month_first: MonthFirstOpt = False,
    annotate: AnnotateOpt = None,
    show_all: AllOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Check a cases workbook against a rubric and list every problem.

    Exit code 0 when the workbook is clean (warnings may be shown), 1 when it has
    errors, 2 when it cannot be read at all (no such file, not a workbook, a format not
    read), the rubric itself is bad or the command is misused.

    Examples:

      hmic-audit validate sample_cases/gmp-2014/cases.xlsx
      hmic-audit validate cases.csv --encoding cp1252 --format json
      hmic-audit validate cases.xlsx --all
      hmic-audit validate cases.xlsx --annotate checked.xlsx
    """
    from .. import load_rubric
    from ..io.sheets import read_grid
    from ..problems import WorkbookError
    from ..text import plural
    from ..workbook.check import check_grid

    check_annotate(annotate)
    the_rubric = load_rubric(rubric)
    rubric_warnings(the_rubric, quiet=quiet)
    with progress(f"Checking {cases.name}", quiet):
        # NOTE: read_audits in two steps. A file that cannot be read at all (no problem
        # names a row in it) is bad input: exit 2, from guarded. What reading or checking
        # finds in the file's contents is what validate is for: exit 1.
        grid = None
        try:
            grid = read_grid(cases, encoding=encoding, sheet=sheet)
            audits, problems = check_grid(grid, the_rubric, month_first=month_first)
            ok, summary = True, f"{cases.name}: {plural(len(audits), 'audit')}, no errors"
        except WorkbookError as exc:
            if grid is None and all(p.row is None for p in exc.problems):
                raise
            problems, ok = exc.problems, False
            summary = f"{cases.name}: {plural(sum(p.is_error for p in problems), 'error')}"
    if annotate is not None:
        write_annotated(annotate, cases, problems, rubric=the_rubric, encoding=encoding,
                        sheet=sheet, quiet=quiet)
    finish_check(ok=ok, summary=summary, problems=problems, format=format,
                 document={"file": cases.name, "rubric": the_rubric.name},
                 show_all=show_all, quiet=quiet)
