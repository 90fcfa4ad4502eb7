"""``hmic-audit validate``: check a workbook without producing anything."""

from __future__ import annotations

from .options import CasesArg, EncodingOpt, FormatOpt, OutputFormat, RubricOpt, SheetOpt
from .output import finish_check, guarded


@guarded
def validate_command(
    cases: CasesArg,
    rubric: RubricOpt = None,
    format: FormatOpt = OutputFormat.human,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
) -> None:
    """Check a cases workbook against a rubric and list every problem.

    Exit code 0 when the workbook is clean (warnings may be shown), 1 when it has
    errors, 2 when the rubric itself is bad or the command is misused.

    Examples:

      hmic-audit validate sample_cases/gmp-2014/cases.xlsx

      hmic-audit validate cases.csv --encoding cp1252 --format json
    """
    from .. import load_rubric, read_audits
    from ..problems import WorkbookError

    the_rubric = load_rubric(rubric)
    try:
        audits, problems = read_audits(cases, the_rubric, encoding=encoding, sheet=sheet)
        ok, summary = True, f"{cases.name}: {len(audits):,} audits, no errors"
    except WorkbookError as exc:
        problems, ok = exc.problems, False
        summary = f"{cases.name}: {sum(p.is_error for p in problems)} error(s)"
    finish_check(ok=ok, summary=summary, problems=problems, format=format,
                 document={"file": cases.name, "rubric": the_rubric.name})
