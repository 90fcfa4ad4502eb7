"""``hmic-audit annex``: publishable tables, for one force or several."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .options import (
    AllOpt,
    CrosswalkOpt,
    EncodingOpt,
    FormatOpt,
    ModeratedOpt,
    MonthFirstOpt,
    OutputFormat,
    PublishOpt,
    QuietOpt,
    RubricsOpt,
    SheetOpt,
)
from .output import ConsoleFeedback, finish_writing, guarded


class TableFiles(StrEnum):
    """The files of a folder output."""

    csv = "csv"
    parquet = "parquet"


@guarded
def annex_command(
    cases: Annotated[list[Path], typer.Argument(
        metavar="CASES", show_default=False,
        help="One or more cases files; several (one per force, or a 'force' column) add "
        "the national tables. Spreadsheet lock files (~$cases.xlsx) are skipped.")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE|FOLDER", show_default=False,
        help="annex.xlsx, annex.md, annex.json, or a folder (one CSV per table).")],
    force: Annotated[Path | None, typer.Option(
        "--force", metavar="PROFILE", show_default=False,
        help="Force profile: adds the Ofsted table.")] = None,
    tables: Annotated[str | None, typer.Option(
        "--tables", metavar="NAMES", show_default=False,
        help="Comma-separated table names to publish (default: all).")] = None,
    suppress: Annotated[int, typer.Option(
        "--suppress", metavar="N", min=0,
        help="Hide counts below N for publication (and cells that would reveal them).")] = 0,
    publish: PublishOpt = False,
    rubric: RubricsOpt = None,
    crosswalk: CrosswalkOpt = None,
    table_files: Annotated[TableFiles, typer.Option(
        "--table-files", metavar="csv|parquet", case_sensitive=False,
        help="With --out FOLDER: one CSV per table, or one Parquet file per table (typed "
        "columns for BI tools; a hidden count is null, its symbol beside it).")
    ] = TableFiles.csv,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    month_first: MonthFirstOpt = False,
    moderated: ModeratedOpt = None,
    format: FormatOpt = OutputFormat.human,
    show_all: AllOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Publish the annex tables: case types by sample (the report's Annex A), grades by
    sample and assessor, by case type and by area, theme results, criterion compliance
    and the force-against-inspector cross-tab, each proportion with its count,
    denominator and Wilson 95% interval.

    With --format json, a summary of what was written goes to stdout: each file with its
    size and SHA-256, the tables, and every warning.

    Examples:

      hmic-audit annex sample_cases/gmp-2014/cases.xlsx --out annex.xlsx
      hmic-audit annex gmp.xlsx wmp.xlsx met.xlsx --out national/ --suppress 3
      hmic-audit annex cases.xlsx --tables case_types,criterion_compliance \\
        --out annex.md
      hmic-audit annex cases.xlsx --out annex.xlsx --format json
      hmic-audit annex north-2014.xlsx south-2024.xlsx --out national.xlsx \\
        --rubric child-protection-2014 --rubric child-protection-2024 \\
        --crosswalk common-3
    """
    from ..io.write import write_outputs
    from ..jobs.annex import make_annex
    from ..text import plural

    made = make_annex(
        cases, out, force=force, suppress=suppress, publish=publish, rubric=rubric,
        tables=[t.strip() for t in tables.split(",") if t.strip()] if tables else None,
        crosswalk=crosswalk, table_files=table_files.value, encoding=encoding, sheet=sheet,
        month_first=month_first, moderated=moderated,
        feedback=ConsoleFeedback(show_all=show_all, quiet=quiet))
    if made.folder:
        out.mkdir(parents=True, exist_ok=True)
    write_outputs(made.outputs, inputs=made.inputs)
    results, built = made.results, made.annex
    finish_writing(
        format=format, written=[(path, "table" if made.folder else "annex", data)
                                for path, data in made.outputs.items()],
        counts={"tables": len(built), "inputs": len(results),
                "audits": sum(len(r) for r in results),
                **({"moderated": sum(r.summary.moderated for r in results)}
                   if moderated is not None else {})},
        problems=made.problems, lines=[f"wrote {plural(len(built), 'table')} to {out}"],
        quiet=quiet, tables=[t.name for t in built], left_out=list(built.refused))
