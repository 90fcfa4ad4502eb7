"""``hmic-audit escalations``: the audits whose auditor found a child still at risk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import CasesArg, EncodingOpt, FormatOpt, OutputFormat, QuietOpt, RubricOpt, SheetOpt
from .output import emit_json, guarded, rubric_warnings, say, show, write_file


@guarded
def escalations_command(
    cases: CasesArg,
    rubric: RubricOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="FILE", show_default=False,
        help="Also write the list for the safeguarding lead: .xlsx or .csv.")] = None,
    format: FormatOpt = OutputFormat.human,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """List the audits flagged as a child still at risk (the live_risk column), with
    each reason, for the safeguarding lead.

    Only the header and the flagged rows are read, so a workbook with errors elsewhere
    still gives its list. Exit 0 whether or not any audit is flagged (the output says
    how many). The reasons appear here and nowhere else.

    Examples:

      hmic-audit escalations cases.xlsx
      hmic-audit escalations cases.xlsx --out escalations.xlsx
    """
    from .. import load_rubric
    from ..render.formats import check_out
    from ..workbook.escalations import escalations

    check_out(out, "escalations")
    the_rubric = load_rubric(rubric)
    rubric_warnings(the_rubric, quiet=quiet)
    found = escalations(cases, the_rubric, encoding=encoding, sheet=sheet)
    if out is not None:
        from ..render.escalations_out import escalations_file

        write_file(out, lambda cut: escalations_file(out, found, cases.name, cut),
                   inputs=[cases], quiet=quiet)
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json({"file": cases.name, "flagged": len(found),
                               "escalations": [e.model_dump() for e in found]}))
    elif not found:
        say(f"{cases.name}: no audit is flagged as a child still at risk", style="green")
    else:
        from ..render.escalations_out import escalations_view

        view = escalations_view(found, cases.name)
        if view is not None:
            show(view)
