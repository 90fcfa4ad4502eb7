"""``hmic-audit actions``: the report's recommendations as a ledger of tracked actions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import FormatOpt, OutputFormat, QuietOpt
from .output import emit_json, guarded, say, show


@guarded
def actions_command(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", show_default=False,
        help="A force profile (.yaml: starts a ledger from its recommendations) or a "
        "ledger this command wrote (.yaml or .xlsx), filled in.")],
    profile: Annotated[Path | None, typer.Option(
        "--profile", metavar="PROFILE", show_default=False,
        help="The force profile the ledger was started from: every action id must be "
        "one of its recommendations.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="DATE", show_default=False,
        help="Count progress as at this date (2015-03-01 or 01/03/2015); default: "
        "today's date, which the output names.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", metavar="LEDGER.xlsx|.yaml", show_default=False,
        help="Write the ledger: a workbook to fill in (status drop-down, overdue rows "
        "red, a Progress sheet) or YAML.")] = None,
    format: FormatOpt = OutputFormat.human,
    quiet: QuietOpt = False,
) -> None:
    """Track the report's recommendations as actions: each one's due date (the
    publication date, or three or six calendar months after it), owner, status
    (open, in progress, done, dropped), evidence and date closed, and the progress as
    at a date: done on time or late, overdue, not yet due.

    Start a ledger from the force profile, give the workbook to the force, and read it
    back when they have filled it in.

    Examples:

      hmic-audit actions sample_cases/gmp-2014/force.yaml --out ledger.xlsx
      hmic-audit actions ledger.xlsx --profile force.yaml --as-of 2015-03-01
      hmic-audit actions ledger.yaml --as-of 01/03/2015 --format json
    """
    from ..analysis.action_ledger import ledger_yaml, load_ledger
    from ..analysis.actions import long_date, parse_as_of, progress
    from ..io.write import write_outputs
    from ..render.actions_out import ledger_view, ledger_xlsx
    from ..render.formats import check_out
    from ..render.json import render_json

    check_out(out, "actions")
    day, given = parse_as_of(as_of)
    ledger, started = load_ledger(file, profile=profile, as_of=day)
    done = progress(ledger.actions, day)
    written: list[dict[str, object]] = []
    if out is not None:
        import hashlib

        data = ledger_xlsx(ledger, done) if out.suffix.lower() == ".xlsx" else \
            ledger_yaml(ledger)
        write_outputs({out: data}, inputs=[p for p in (file, profile) if p is not None])
        written.append({"path": str(out), "what": "recommendations ledger",
                        "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    when = "given by --as-of" if given else "today's date"
    if format is OutputFormat.json:
        emit_json(render_json({
            "ok": True, "file": file.name, "started": started, "as_of": day.isoformat(),
            "as_of_given": given, **ledger.model_dump(mode="json"),
            "progress": done.model_dump(mode="json"), "summary": done.summary,
            "files": written}))
    else:
        show(ledger_view(ledger, done))
    if not quiet:
        say(f"as at {long_date(day)} ({when})")
        for f in written:
            say(f"wrote {f['path']}")
