"""``hmic-audit grade``: grade a workbook of audited cases against a rubric."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .options import (
    CasesArg,
    EncodingOpt,
    FormatOpt,
    KeyFileOpt,
    OutputFormat,
    PseudonymiseOpt,
    QuietOpt,
    RubricOpt,
    SheetOpt,
)
from .output import (
    emit_json,
    guarded,
    maybe_pseudonymise,
    progress,
    report_problems,
    say,
    show,
)

if TYPE_CHECKING:
    from ..rubric import Rubric
    from ..scoring.grading import GradeResult

OUT_FORMATS = (".xlsx", ".csv", ".json")


@guarded
def grade_command(
    cases: CasesArg,
    rubric: RubricOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the graded table (one row per audit): .xlsx, .csv or .json.",
        show_default=False)] = None,
    format: FormatOpt = OutputFormat.human,
    explain: Annotated[str | None, typer.Option(
        "--explain", metavar="CASE_REF",
        help="Show why one case got its grade: each criterion, answer, points lost, caps.",
        show_default=False)] = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    pseudonymise: PseudonymiseOpt = False,
    key_file: KeyFileOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Grade audited cases against a rubric and summarise the grades.

    Shows the final grades for each sample and assessor (the assessor's own grade where
    written, else the rubric's), overrides where the two differ, and audits that could
    not be graded. Bad input stops with every problem listed and exit code 2.

    Examples:

      hmic-audit grade sample_cases/gmp-2014/cases.xlsx

      hmic-audit grade cases.xlsx --out graded.xlsx

      hmic-audit grade cases.xlsx --explain SA-001

      hmic-audit grade cases.csv --rubric my-rubric.yaml --format json
    """
    from .. import grade, load_rubric, read_workbook
    from ..problems import OutputError, Problem

    if out is not None and out.suffix.lower() not in OUT_FORMATS:
        raise OutputError("unsupported --out format", [Problem(
            code="bad-output-format", file=str(out),
            message=f"has extension {out.suffix or '(none)'!r}; use .xlsx, .csv or .json")])
    the_rubric = load_rubric(rubric)
    if (explain is None and format is OutputFormat.human and not pseudonymise
            and (out is None or out.suffix.lower() != ".json")
            and _fast(cases, the_rubric, out, sheet, quiet)):
        return
    with progress(f"Reading {cases.name}", quiet):
        audit_set, warnings = read_workbook(cases, the_rubric, encoding=encoding,
                                            sheet=sheet)
    report_problems(warnings, "Warnings")
    audit_set = maybe_pseudonymise(audit_set, pseudonymise, key_file)
    with progress("Grading", quiet):
        result = grade(audit_set, the_rubric)

    if out is not None:
        from ..io.write import write_outputs

        cut: list[str] = []
        with progress(f"Writing {out.name}", quiet):
            write_outputs({out: _render_out(out, result, the_rubric, cut)}, inputs=[cases])
        for message in cut:
            say(f"warning: {message}", style="yellow")
        if not quiet:
            say(f"wrote {out} ({len(result.audits)} audits)")

    if explain is not None:
        from ..scoring.explain import explain_case

        explanation = explain_case(explain, audit_set, result, the_rubric)
        if format is OutputFormat.json:
            from ..render.json import render_json

            emit_json(render_json(explanation))
        else:
            from ..render.console import explain_view

            show(explain_view(explanation, the_rubric))
        return
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json(result))
    else:
        from ..render.console import grade_view, override_rows

        show(grade_view(result.summary, result.input.file, the_rubric,
                        override_rows(result, the_rubric)))


def _fast(cases: Path, rubric: Rubric, out: Path | None, sheet: str | None,
          quiet: bool) -> bool:
    """The column-wise path for clean .xlsx workbooks; False when it does not apply (the
    row-by-row path then does the work and reports any problem)."""
    from .. import FAST_PATH_BYTES
    from ..render.console import SHOW_AT_MOST, grade_view
    from ..scoring.fastgrade import grade_frame
    from ..workbook.fastpath import read_frame

    if not cases.is_file() or cases.stat().st_size < FAST_PATH_BYTES:
        return False
    with progress(f"Reading {cases.name}", quiet):
        frame = read_frame(cases, rubric, sheet=sheet)
    if frame is None:
        return False
    report_problems(frame.warnings, "Warnings")
    with progress("Grading", quiet):
        grades = grade_frame(frame, rubric)
        summary = grades.summary(rubric)
    if out is not None:
        from ..io.write import write_outputs

        cut: list[str] = []
        with progress(f"Writing {out.name}", quiet):
            data = _render_table(out, grades.table_rows(rubric), rubric, cut)
            write_outputs({out: data}, inputs=[cases])
        for message in cut:
            say(f"warning: {message}", style="yellow")
        if not quiet:
            say(f"wrote {out} ({len(frame):,} audits)")
    show(grade_view(summary, frame.file, rubric,
                    grades.override_rows(rubric, limit=SHOW_AT_MOST)))
    return True


def _render_out(out: Path, result: GradeResult, rubric: Rubric, cut: list[str]) -> bytes:
    from ..render.table import graded_rows

    suffix = out.suffix.lower()
    if suffix == ".json":
        from ..render.json import render_json

        return render_json(result).encode("utf-8")
    return _render_table(out, graded_rows(result, rubric), rubric, cut)


def _render_table(out: Path, rows: list[list[object]], rubric: Rubric, cut: list[str]
                  ) -> bytes:
    from ..render.table import column_titles, graded_columns

    suffix = out.suffix.lower()
    if suffix == ".csv":
        from ..render.csv import render_csv

        return render_csv(graded_columns(rubric), rows, cut)
    from ..render.xlsx import Sheet, render_workbook

    columns = graded_columns(rubric)
    grade_cols = tuple(i for i, c in enumerate(columns) if c.endswith("_grade"))
    return render_workbook([Sheet("Graded", column_titles(rubric), rows,
                                  grade_columns=grade_cols,
                                  widths={columns.index("reasons"): 80})], rubric=rubric,
                           warnings=cut)
