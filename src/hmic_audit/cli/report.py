"""``hmic-audit report``: render the force report from cases and, when there is one, a
force profile."""

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
    ProfileRubricOpt,
    PseudonymiseOpt,
    PublishOpt,
    QuietOpt,
    SheetOpt,
)
from .output import ConsoleFeedback, finish_writing, guarded, pseudonym_key

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
    from ..io.write import write_outputs
    from ..jobs.report import make_report

    made = make_report(
        cases, out, force=force, force_name=force_name, rubric=rubric,
        templates=templates, notes=not no_notes, publish=publish, suppress=suppress,
        key=pseudonym_key(pseudonymise, key_file), encoding=encoding, sheet=sheet,
        month_first=month_first, moderated=moderated, actions=actions, as_of=as_of,
        feedback=ConsoleFeedback(show_all=show_all, quiet=quiet))
    write_outputs(made.outputs, inputs=made.inputs)
    finish_writing(
        format=format,
        written=[(path, "figures" if path == made.figures else "report", data)
                 for path, data in made.outputs.items()],
        counts={"audits": len(made.result), "figures": len(made.context.figures.all()),
                **({"moderated": made.result.summary.moderated} if moderated is not None
                   else {})},
        problems=made.problems, quiet=quiet, lines=[f"wrote {path}" for path in made.outputs],
        force=made.context.force, profile=made.profile_file,
        rubric={"name": made.rubric.name, "version": made.rubric.version})
