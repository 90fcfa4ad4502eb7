"""``hmic-audit report``: render the force report from cases and, when there is one, a
force profile."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ..problems import Problem
    from ..processes import Standby
    from ..report.context import ReportContext
    from ..workbook.frame import AuditFrame

from .options import (
    AllOpt,
    CasesArg,
    EncodingOpt,
    FormatOpt,
    KeyFileOpt,
    ModeratedOpt,
    MonthFirstOpt,
    OutputFormat,
    ProfileRubricOpt,
    PseudonymiseOpt,
    PublishOpt,
    QuietOpt,
    SheetOpt,
)
from .output import (
    finish_writing,
    guarded,
    maybe_pseudonymise,
    progress,
    pseudonym_key,
    report_problems,
    rubric_warnings,
    say,
)

ForceNameOpt = Annotated[str | None, typer.Option(
    "--force-name", metavar="NAME", show_default=False,
    help="The force's name as the report gives it (default: the force profile's, else "
    "the cases' force column, else the cases file's name).")]


@guarded
def report_command(
    cases: CasesArg,
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE", show_default=False,
        help="The report: .html (self-contained, printable), .md or .docx. NAME.figures.json "
        "listing every figure (report.html.figures.json) is written beside it.")],
    force: Annotated[Path | None, typer.Option(
        "--force", metavar="PROFILE", show_default=False,
        help="Force profile YAML: names, dates, workforce, narrative, recommendations "
        "('hmic-audit profile init' writes one to fill in). Without it, the report has "
        "the chapters that come from the cases alone.")] = None,
    force_name: ForceNameOpt = None,
    rubric: ProfileRubricOpt = None,
    templates: Annotated[Path | None, typer.Option(
        "--templates", metavar="DIR", show_default=False,
        help="Folder of replacement report templates (rendered in a sandbox; "
        "docs/templates.md lists what they receive).")] = None,
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
    moderated: ModeratedOpt = None,
    actions: Annotated[Path | None, typer.Option(
        "--actions", metavar="LEDGER", show_default=False,
        help="The recommendations ledger of the earlier inspection (.xlsx or .yaml, as "
        "'hmic-audit actions' writes it): Next steps says how far the force has got with "
        "them, as at --as-of.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="DATE", show_default=False,
        help="With --actions: the date progress is counted at (default: today).")] = None,
    format: FormatOpt = OutputFormat.human,
    show_all: AllOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Render the force report: chapters like a published inspection report, every
    figure computed from the cases, the narrative from the force profile.

    Writes the report and, beside it, NAME.figures.json (report.html.figures.json for
    report.html) with every figure shown, the rule behind it and the case references it
    counts. Same inputs, same bytes. Without --force the report holds the chapters that
    come from the cases alone, the force named by --force-name, the cases' force column
    or the file name. With --format json, a summary of what was written goes to stdout.

    Examples:

      hmic-audit report sample_cases/gmp-2014/cases.xlsx \\
        --force sample_cases/gmp-2014/force.yaml --out report.html
      hmic-audit report cases.xlsx --force force.yaml --out report.docx \\
        --no-notes
      hmic-audit report cases.xlsx --force-name "Greater Manchester Police" \\
        --out report.md
    """
    from ..render.report_files import chart_standby

    with chart_standby(out, publish=publish) as charts:  # matplotlib imported meanwhile
        from .. import grade, load_rubric, read_audits
        from ..analysis.compare import compare_or_none
        from ..analysis.pool import many_objects
        from ..io.write import write_outputs
        from ..problems import OutputError, Problem, Severity
        from ..profile import check_profile, profile_rubric, read_profile
        from ..render.formats import check_out
        from ..render.report_files import figures_path
        from ..report.context import build_report
        from ..workbook.privacy import publish_threshold

        check_out(out, "report")
        if templates is not None and not templates.is_dir():
            raise OutputError("--templates is not a folder", [Problem(
                code="bad-templates", file=str(templates), message="is not a folder")])
        key = pseudonym_key(pseudonymise, key_file)
        profile, profile_sha, profile_file = None, None, None
        if force is not None:
            profile, profile_sha = read_profile(force)
            the_rubric = load_rubric(rubric or profile_rubric(profile, force))
            check_profile(profile, the_rubric, force.name)
            profile_file = force.name
        else:
            the_rubric = load_rubric(rubric)
        rubric_warnings(the_rubric, quiet=quiet)
        with progress(f"Reading {cases.name}", quiet):
            frame, warnings = read_audits(cases, the_rubric, encoding=encoding, sheet=sheet,
                                          month_first=month_first)
        name = force_name
        from_cases, named = case_force_name(frame, cases)  # refuses several forces
        seen = list(warnings)
        if name is None and profile is None:
            name = from_cases
            seen += named
        report_problems(seen, cases.name, show_all=show_all, quiet=quiet)
        threshold = publish_threshold(suppress) if publish else None
        result = grade(maybe_pseudonymise(frame, key), the_rubric)
        if moderated is not None:
            from ..analysis.moderation import apply_queue

            result = apply_queue([result], moderated, the_rubric)[0]
        comparison = compare_or_none([result], the_rubric)
        if comparison is None:
            message = ("no case has both a force and an inspector grade, so the report has no "
                       "self-assessment comparison")
            say(f"note: {message}", style="yellow")
            seen.append(Problem(code="no-comparison", severity=Severity.WARNING,
                                file=cases.name, message=message))
        # What is left (the report, its charts and renderers imported) makes many objects
        # and little garbage: the cyclic collector need not walk the cases over and over.
        done = None
        if actions is not None:
            from ..analysis.action_ledger import read_ledger
            from ..analysis.actions import parse_as_of
            from ..analysis.actions import progress as ledger_progress

            day = parse_as_of(as_of)[0]
            done = ledger_progress(read_ledger(actions, as_of=day).actions, day)
        with many_objects(), progress(f"Rendering {out.name}", quiet):
            ctx = build_report(result, comparison, the_rubric, profile,
                               profile_sha256=profile_sha, profile_file=profile_file,
                               force_name=name, notes=not (no_notes or publish),
                               publish=threshold, progress=done)
            outputs = _render(ctx, out, templates, charts)
            write_outputs(outputs, inputs=[cases, *([force] if force is not None else []),
                                           *([actions] if actions is not None else [])])
        figures = figures_path(out)
        finish_writing(
            format=format,
            written=[(path, "figures" if path == figures else "report", data)
                     for path, data in outputs.items()],
            counts={"audits": len(result), "figures": len(ctx.figures.all()),
                    **({"moderated": result.summary.moderated} if moderated is not None
                       else {})},
            problems=seen, quiet=quiet, lines=[f"wrote {path}" for path in outputs],
            force=ctx.force, profile=profile_file,
            rubric={"name": the_rubric.name, "version": the_rubric.version})


def case_force_name(frame: AuditFrame, cases: Path) -> tuple[str, list[Problem]]:
    """The force a cases file is about: its ``force`` column (one force: a report is about
    one), else the file's name, with a notice saying so. Raises ``WorkbookError`` when
    the column names several forces."""
    from ..problems import Problem, Severity, WorkbookError

    named = sorted({str(v).strip() for v in frame.extra("force") if v is not None
                    and str(v).strip()})
    if len(named) > 1:
        shown = ", ".join(repr(n) for n in named[:5]) + (", ..." if len(named) > 5 else "")
        raise WorkbookError(f"{cases.name} holds audits of {len(named)} forces", [Problem(
            code="several-forces", file=cases.name, column="Force", value=shown,
            message=f"names {len(named)} forces ({shown}); a report is about one force: "
            "give each force's cases in a file of its own (hmic-audit annex compares "
            "forces)")])
    if named:
        return named[0], []
    stem = cases.name.rsplit(".", 1)[0]
    return stem, [Problem(
        code="force-named-after-file", severity=Severity.NOTICE, file=cases.name,
        message=f"the report calls the force {stem!r} after the file: give --force-name "
        "(or a force column, or a force profile with --force) to name it")]


def _render(ctx: ReportContext, out: Path, templates: Path | None,
            charts: Standby | None = None) -> dict[Path, bytes]:
    """The report's files; a template that fails is bad input (exit 2), named with its
    file and line."""
    from jinja2 import TemplateError

    from ..problems import HmicAuditError
    from ..render.report_files import render_outputs, template_problem

    try:
        return render_outputs(ctx, out, templates=templates, charts=charts)
    except TemplateError as exc:
        raise HmicAuditError("a report template failed", [template_problem(exc, templates)]
                             ) from None
    except Exception as exc:
        # NOTE: a user's template can raise anything Python can (1 + "a"); only an error
        # raised inside one of their templates is theirs to fix, anything else is ours.
        problem = template_problem(exc, templates) if templates is not None else None
        if problem is None or problem.file is None or problem.file.startswith("shipped"):
            raise
        raise HmicAuditError("a report template failed", [problem]) from None
