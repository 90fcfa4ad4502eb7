"""``hmic-audit escalations``: the audits whose auditor found a child still at risk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import CasesArg, EncodingOpt, FormatOpt, OutputFormat, QuietOpt, RubricOpt, SheetOpt
from .output import emit_json, guarded, rubric_warnings, say, show

HEADERS = ["Case", "Assessor", "Reader", "Reason", "Audit date", "Sheet", "Row"]


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
    from ..io.write import write_outputs
    from ..render.formats import check_out
    from ..text import plural
    from ..workbook.escalations import escalations

    check_out(out, "escalations")
    the_rubric = load_rubric(rubric)
    rubric_warnings(the_rubric, quiet=quiet)
    found = escalations(cases, the_rubric, encoding=encoding, sheet=sheet)
    rows: list[list[object]] = [[e.case_ref, e.assessor or "", e.reader or "", e.reason,
                                 e.audit_date or "", e.sheet or "", e.row] for e in found]
    if out is not None:
        cut: list[str] = []
        if out.suffix.lower() == ".csv":
            from ..render.csv import render_csv

            data = render_csv(HEADERS, rows, cut)
        else:
            from ..render.xlsx import Sheet, render_workbook

            data = render_workbook([Sheet("Escalations", HEADERS, rows, widths={3: 60},
                                          note=f"{plural(len(rows), 'audit')} flagged as "
                                          f"a child still at risk in {cases.name}")],
                                   warnings=cut)
        write_outputs({out: data}, inputs=[cases])
        if not quiet:
            say(f"wrote {out}")
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json({"file": cases.name, "flagged": len(found),
                               "escalations": [e.model_dump() for e in found]}))
        return
    if not found:
        say(f"{cases.name}: no audit is flagged as a child still at risk", style="green")
        return
    from ..render.compare_tables import TableSpec
    from ..render.console import spec_table

    view = spec_table(TableSpec("Escalations", f"{plural(len(found), 'audit')} flagged as a "
                                f"child still at risk in {cases.name}", HEADERS, rows))
    if view is not None:
        show(view)
