"""``hmic-audit report``: render the force report from cases and a force profile."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ..report.context import ReportContext

from .options import (
    AllOpt,
    CasesArg,
    EncodingOpt,
    KeyFileOpt,
    MonthFirstOpt,
    PseudonymiseOpt,
    PublishOpt,
    QuietOpt,
    SheetOpt,
)
from .output import guarded, maybe_pseudonymise, progress, pseudonym_key, report_problems, say


@guarded
def report_command(
    cases: CasesArg,
    force: Annotated[Path, typer.Option(
        "--force", metavar="PROFILE", show_default=False,
        help="Force profile YAML: names, dates, workforce, narrative, recommendations.")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE", show_default=False,
        help="The report: .html (self-contained, printable), .md or .docx. A "
        "<name>.figures.json listing every figure is written beside it.")],
    rubric: Annotated[str | None, typer.Option(
        "--rubric", "-r", metavar="RUBRIC", show_default=False,
        help="Rubric YAML file or shipped name (default: the one the force profile names, "
        "else child-protection-2014).")] = None,
    templates: Annotated[Path | None, typer.Option(
        "--templates", metavar="DIR", show_default=False,
        help="Folder of replacement report templates (rendered in a sandbox).")] = None,
    no_notes: Annotated[bool, typer.Option(
        "--no-notes", help="Leave every free-text note from the cases out of the report.")
    ] = False,
    publish: PublishOpt = False,
    suppress: Annotated[int | None, typer.Option(
        "--suppress", metavar="N", show_default=False,
        help="With --publish: hide counts below N (default 6, never below 3).")] = None,
    pseudonymise: PseudonymiseOpt = False,
    key_file: KeyFileOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    month_first: MonthFirstOpt = False,
    show_all: AllOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Render the force report: chapters like a published inspection report, every
    figure computed from the cases, the narrative from the force profile.

    Writes the report and, beside it, NAME.figures.json with every figure shown, the rule
    behind it and the case references it counts. Same inputs, same bytes.

    Examples:

      hmic-audit report sample_cases/gmp-2014/cases.xlsx \\
        --force sample_cases/gmp-2014/force.yaml --out report.html
      hmic-audit report cases.xlsx --force force.yaml --out report.docx \\
        --no-notes
    """
    from .. import grade, load_rubric, read_audits
    from ..analysis.compare import compare_or_none
    from ..analysis.pool import many_objects
    from ..io.write import write_outputs
    from ..problems import OutputError, Problem
    from ..profile import check_profile, profile_rubric, read_profile
    from ..report.context import build_report
    from ..workbook.privacy import publish_threshold

    if templates is not None and not templates.is_dir():
        raise OutputError("--templates is not a folder", [Problem(
            code="bad-templates", file=str(templates), message="is not a folder")])
    key = pseudonym_key(pseudonymise, key_file)
    profile, profile_sha = read_profile(force)
    the_rubric = load_rubric(rubric or profile_rubric(profile, force))
    check_profile(profile, the_rubric, force.name)
    with progress(f"Reading {cases.name}", quiet):
        frame, warnings = read_audits(cases, the_rubric, encoding=encoding, sheet=sheet,
                                      month_first=month_first)
    report_problems(warnings, cases.name, show_all=show_all, quiet=quiet)
    threshold = publish_threshold(suppress) if publish else None
    result = grade(maybe_pseudonymise(frame, key), the_rubric)
    comparison = compare_or_none([result], the_rubric)
    if comparison is None:
        say("note: no case has both a force and an inspector grade, so the report has no "
            "self-assessment comparison", style="yellow")
    # What is left (the report, its charts and renderers imported) makes many objects
    # and little garbage: the cyclic collector need not walk the cases over and over.
    with many_objects(), progress(f"Rendering {out.name}", quiet):
        ctx = build_report(result, comparison, the_rubric, profile,
                           profile_sha256=profile_sha, profile_file=force.name,
                           notes=not (no_notes or publish), publish=threshold)
        outputs = _render(ctx, out, templates)
        write_outputs(outputs, inputs=[cases, force])
    if not quiet:
        for path in outputs:
            say(f"wrote {path}")


def _render(ctx: ReportContext, out: Path, templates: Path | None) -> dict[Path, bytes]:
    from jinja2 import TemplateError

    from ..problems import HmicAuditError, Problem
    from ..render.report_files import render_outputs

    try:
        return render_outputs(ctx, out, templates=templates)
    except TemplateError as exc:
        name = getattr(exc, "filename", None) or getattr(exc, "name", None)
        raise HmicAuditError("a report template failed", [Problem(
            code="template-error", file=str(name) if name else None,
            row=getattr(exc, "lineno", None),
            message=f"could not be rendered: {exc.message or exc}")]) from None
