"""``hmic-audit grade``: grade a workbook of audited cases against a rubric."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    check_annotate,
    emit_json,
    guarded,
    maybe_pseudonymise,
    progress,
    pseudonym_key,
    report_problems,
    rubric_warnings,
    say,
    show,
    to_stdout,
    write_annotated,
)

if TYPE_CHECKING:
    from ..scoring.grading import GradeResult


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
    from .. import grade, load_rubric, read_audits
    from ..io.write import write_outputs
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
    rubric_warnings(the_rubric, quiet=quiet)
    with progress(f"Reading {cases.name}", quiet):
        try:
            audits, warnings = read_audits(cases, the_rubric, encoding=encoding,
                                           sheet=sheet, month_first=month_first)
        except WorkbookError as exc:  # the problems marked in the copy, then stop
            if annotate is not None and any(p.row is not None for p in exc.problems):
                write_annotated(annotate, cases, exc.problems, rubric=the_rubric,
                                encoding=encoding, sheet=sheet, quiet=quiet)
            raise
    report_problems(warnings, cases.name, show_all=show_all, quiet=quiet)
    audits = maybe_pseudonymise(audits, key)
    with progress("Grading", quiet):
        result = grade(audits, the_rubric)
    if moderated is not None:
        from ..analysis.moderation import apply_queue

        result = apply_queue([result], moderated, the_rubric)[0]
    if annotate is not None:
        write_annotated(annotate, cases, warnings, rubric=the_rubric, result=result,
                        encoding=encoding, sheet=sheet, quiet=quiet)
    if out is not None:
        from ..render.graded import render_graded

        cut: list[str] = []
        with progress(f"Writing {out.name}", quiet):
            write_outputs({out: render_graded(out.suffix, result, the_rubric, cut)},
                          inputs=[cases])
        for message in cut:
            say(f"warning: {message}", style="yellow")
        if not quiet:
            say(f"wrote {out} ({plural(len(result), 'audit')})")
    if explain is not None:
        from ..scoring.explain import explain_case

        explanation = explain_case(_looked_up(explain, result, key), result, the_rubric)
        if format is OutputFormat.json:
            emit_json(render_json(explanation))
        else:
            from ..render.console import explain_view

            show(explain_view(explanation, the_rubric))
    elif format is OutputFormat.json:
        from ..render.json import stream_json

        head, batches, tail = result.json_pieces()
        if the_rubric.rollup is not None:  # topic grades: the rubric's roll-up of reviews
            from ..analysis.rollup import topic_grades
            from ..render.topics import with_topics

            head = with_topics(head, topic_grades(result, the_rubric))
        with to_stdout():
            stream_json(head, batches, tail)
    else:
        from ..render.console import grade_view, override_rows

        show(grade_view(result.summary, result.input.file, the_rubric,
                        override_rows(result, the_rubric)))
        if the_rubric.rollup is not None:
            from ..analysis.rollup import topic_grades
            from ..render.topics import topics_view

            show(topics_view(topic_grades(result, the_rubric), the_rubric))


def _looked_up(case_ref: str, result: GradeResult, key: bytes | None) -> str:
    """The reference ``--explain`` looks up: as given, or with ``--pseudonymise`` (a
    ``key``) the pseudonym of the case's own reference, else the pseudonym as given."""
    if key is None:
        return case_ref
    from ..problems import HmicAuditError, Problem
    from ..text import clean_reference
    from ..workbook.privacy import pseudonym

    for ref in (pseudonym(key, clean_reference(case_ref)), case_ref):
        if result.case(ref):
            return ref
    raise HmicAuditError("no such case", [Problem(
        code="unknown-case", file=result.input.file,
        message="has no case with the reference given to --explain, nor one with that "
        "pseudonym")])
