"""``hmic-audit grade``: grade a workbook of audited cases against a rubric."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import (
    AllOpt,
    CasesArg,
    EncodingOpt,
    FormatOpt,
    KeyFileOpt,
    ModeratedOpt,
    MonthFirstOpt,
    OutputFormat,
    PseudonymiseOpt,
    QuietOpt,
    RubricOpt,
    SheetOpt,
)
from .output import (
    ConsoleFeedback,
    check_annotate,
    emit_json,
    guarded,
    pseudonym_key,
    show,
    to_stdout,
    write_annotated,
    write_file,
)


@guarded
def grade_command(
    cases: CasesArg,
    rubric: RubricOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="FILE", show_default=False,
        help="Write the graded table (one row per audit): .xlsx, .csv or .json.")] = None,
    format: FormatOpt = OutputFormat.human,
    explain: Annotated[str | None, typer.Option(
        "--explain", metavar="CASE_REF",
        help="Show why one case got its grade: each criterion, answer, points lost, caps.",
        show_default=False)] = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    month_first: MonthFirstOpt = False,
    annotate: Annotated[Path | None, typer.Option(
        "--annotate", metavar="COPY.xlsx", show_default=False,
        help="Also write a copy of the workbook (an .xlsx) with the score, computed and "
        "final grade, override and reasons added beside each audit's row, and every "
        "problem cell coloured and commented (for a workbook with errors, only that); the "
        "input is never changed.")] = None,
    pseudonymise: PseudonymiseOpt = False,
    key_file: KeyFileOpt = None,
    moderated: ModeratedOpt = None,
    show_all: AllOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Grade audited cases against a rubric and summarise the grades.

    Shows the final grades for each sample and assessor (the assessor's own grade where
    written, else the rubric's), overrides where the two differ, and audits that could
    not be graded. Bad input stops with every problem listed and exit code 2.

    With --pseudonymise, --explain takes the case's own reference (or its pseudonym)
    and shows only the pseudonym: the reference is pseudonymised with the same key and
    looked up among audits already pseudonymised, so no output holds a real reference,
    and one not found is not repeated back.

    Examples:

      hmic-audit grade sample_cases/gmp-2014/cases.xlsx
      hmic-audit grade cases.xlsx --out graded.xlsx
      hmic-audit grade cases.xlsx --explain SA-001
      hmic-audit grade cases.csv --rubric my-rubric.yaml --format json
      hmic-audit grade cases.xlsx --annotate graded.xlsx
    """
    from .. import load_rubric
    from ..jobs.graded import read_and_grade
    from ..problems import OutputError, Problem, WorkbookError
    from ..render.formats import check_out
    from ..render.json import render_json
    from ..text import plural

    check_out(out, "grade")
    check_annotate(annotate)
    key = pseudonym_key(pseudonymise, key_file)
    if key is not None and annotate is not None:
        raise OutputError("--annotate with --pseudonymise", [Problem(
            code="bad-arguments", message="--annotate writes a copy of your own workbook, "
            "case references and all, so it cannot be pseudonymised; leave out one of them")])
    the_rubric = load_rubric(rubric)
    try:
        graded = read_and_grade([cases], [the_rubric], key=key, encoding=encoding,
                                sheet=sheet, month_first=month_first,
                                feedback=ConsoleFeedback(show_all=show_all, quiet=quiet))
    except WorkbookError as exc:  # the problems marked in the copy, then stop
        if annotate is not None and any(p.row is not None for p in exc.problems):
            write_annotated(annotate, cases, exc.problems, rubric=the_rubric,
                            encoding=encoding, sheet=sheet, quiet=quiet)
        raise
    result, warnings = graded.results[0], graded.problems
    if moderated is not None:  # after the try: the queue's problems are not the copy's
        from ..analysis.moderation import apply_queue

        result = apply_queue([result], moderated, the_rubric)[0]
    if annotate is not None:
        write_annotated(annotate, cases, warnings, rubric=the_rubric, result=result,
                        encoding=encoding, sheet=sheet, quiet=quiet)
    if out is not None:
        from ..render.graded import render_graded

        write_file(out, lambda cut: render_graded(out.suffix, result, the_rubric, cut),
                   inputs=[cases], quiet=quiet,
                   said=f"wrote {out} ({plural(len(result), 'audit')})")
    if explain is not None:
        from ..scoring.explain import explain_case, looked_up

        explanation = explain_case(looked_up(explain, result, key), result, the_rubric)
        if format is OutputFormat.json:
            emit_json(render_json(explanation))
        else:
            from ..render.console import explain_view

            show(explain_view(explanation, the_rubric))
    elif format is OutputFormat.json:
        from ..render.graded import graded_json_pieces
        from ..render.json import stream_json

        with to_stdout():
            stream_json(*graded_json_pieces(result, the_rubric))
    else:
        from ..render.graded import grade_views

        for view in grade_views(result, the_rubric):
            show(view)
