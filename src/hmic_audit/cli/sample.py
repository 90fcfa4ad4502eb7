"""``hmic-audit sample``: draw the case sample from a force's list of eligible cases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import (
    AllOpt,
    EncodingOpt,
    FormatOpt,
    MonthFirstOpt,
    OutputFormat,
    QuietOpt,
    RubricOpt,
    SheetOpt,
)
from .output import finish_writing, guarded, report_problems, rubric_warnings, show


@guarded
def sample_command(
    caselist: Annotated[Path, typer.Argument(
        metavar="CASELIST", show_default=False,
        help="The force's list of eligible cases (.xlsx, .csv, .json...): a case "
        "reference and case type per row, an area and a date when it has them; other "
        "columns are kept but not written.")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE", show_default=False,
        help="The audit form to write (.xlsx), pre-filled with the drawn cases.")],
    record: Annotated[Path | None, typer.Option(
        "--record", metavar="FILE.json", show_default=False,
        help="Also write the sampling record as JSON (the form's Sampling sheet holds "
        "it too).")] = None,
    seed: Annotated[int, typer.Option(
        "--seed", min=0, metavar="N",
        help="Seed of the random draw: the same list, rubric and seed give the same "
        "sample.")] = 2014,
    reserves: Annotated[int | None, typer.Option(
        "--reserves", min=0, metavar="N", show_default=False,
        help="Reserves to draw per case type (default: the rubric's sampling.reserves).")
    ] = None,
    rubric: RubricOpt = None,
    sheet: SheetOpt = None,
    encoding: EncodingOpt = None,
    month_first: MonthFirstOpt = False,
    format: FormatOpt = OutputFormat.human,
    show_all: AllOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Draw the case sample from a force's list of eligible cases, by the rubric's quota
    per case type, and write the audit form with the drawn cases filled in.

    Each case type's quota (the 2014 rubric: Annex A's five child protection enquiries,
    five domestic abuse cases, five general concerns and three of each other type) is
    spread over the areas in proportion to their eligible cases (largest remainder),
    and drawn at random from --seed: the same list and seed give the same sample. A type
    with fewer eligible cases than its quota is short: all are drawn, none taken from
    another type. Reserves per type are listed on the form's Reserves sheet in the order
    to use them; the Sampling sheet (and --record) say how the sample was drawn,
    including the list's SHA-256. A bad list (no case type column, an unknown type) is
    refused with every problem located (exit 2).

    Examples:

      hmic-audit sample eligible-cases.xlsx --out audit-form.xlsx
      hmic-audit sample cases.csv --seed 20140701 --out form.xlsx \\
        --record record.json
      hmic-audit sample cases.xlsx --rubric child-protection-2024 --out form.xlsx
    """
    from .. import load_rubric
    from ..analysis.sampling import sample_cases
    from ..io.write import write_outputs
    from ..problems import OutputError, Problem
    from ..render.formats import check_out
    from ..render.sample_out import record_json, sample_form_xlsx, sample_view
    from ..text import plural

    check_out(out, "sample")
    if record is not None and record.suffix.lower() != ".json":
        raise OutputError("unsupported --record format", [Problem(
            code="bad-output-format", file=str(record),
            message=f"has extension {record.suffix or '(none)'!r}; use .json")])
    the_rubric = load_rubric(rubric)
    rubric_warnings(the_rubric, quiet=quiet)
    draw = sample_cases(caselist, the_rubric, seed=seed, reserves=reserves,
                        encoding=encoding, sheet=sheet, month_first=month_first)
    written = [(out, "audit form", sample_form_xlsx(draw))]
    if record is not None:
        written.append((record, "sampling record", record_json(draw)))
    write_outputs({path: data for path, _, data in written}, inputs=[caselist])
    problems = draw.problems()
    if format is OutputFormat.human:
        show(sample_view(draw))
        report_problems(problems, caselist.name, show_all=show_all, quiet=quiet)
    short = sum(t.short for t in draw.types)
    finish_writing(
        format=format, written=written,
        counts={"eligible": len(draw.case_list.cases), "drawn": len(draw.drawn),
                "reserves": len(draw.reserves), "short": short},
        problems=problems, quiet=quiet,
        lines=[f"wrote {path} ({what})" for path, what, _ in written]
        + [f"{plural(len(draw.drawn), 'case')} drawn with seed {draw.seed}"
           + (f", {short} short of the quotas" if short else "")],
        record=draw.record())
