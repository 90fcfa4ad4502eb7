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
from .output import (
    finish_writing,
    guarded,
    progress,
    report_problems,
    rubric_warnings,
    say,
    without_lock_files,
)


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
    from .. import grade, read_audits
    from ..analysis.annex import build_annex
    from ..crosswalk import rubrics_for
    from ..io.write import write_outputs
    from ..problems import Problem, Severity, WorkbookError
    from ..profile import load_profile
    from ..render.annex_out import annex_about, annex_outputs
    from ..render.formats import check_out
    from ..text import plural
    from ..workbook.privacy import publish_threshold

    cases, skipped = without_lock_files(cases)
    report_problems(skipped, quiet=quiet)
    seen = list(skipped)
    if not cases:
        raise WorkbookError("no cases file to read", [Problem(
            code="no-cases-files", message="every file given is a spreadsheet lock file; "
            "give the workbooks themselves")])
    folder = out.suffix == "" or out.is_dir()
    if not folder:
        check_out(out, "annex", also="a folder")
    if force is not None and not rubric:  # the profile names its rubric, as for report
        from ..profile import profile_rubric, read_profile

        named = profile_rubric(read_profile(force)[0], force)
        rubric = [str(named)] if named is not None else None
    rubrics, the_crosswalk = rubrics_for(len(cases), rubric, crosswalk)
    rubric_warnings(*rubrics, quiet=quiet)
    the_rubric = rubrics[0]
    profile, profile_sha = load_profile(force, the_rubric) if force else (None, None)
    threshold = publish_threshold(suppress) if publish else suppress
    results = []
    for path, its_rubric in zip(cases, rubrics, strict=True):
        with progress(f"Reading {path.name}", quiet):
            frame, warnings = read_audits(path, its_rubric, encoding=encoding, sheet=sheet,
                                          month_first=month_first)
        report_problems(warnings, path.name, show_all=show_all, quiet=quiet)
        seen += warnings
        results.append(grade(frame, its_rubric))
    if moderated is not None:
        from ..analysis.moderation import apply_queue

        results = apply_queue(results, moderated, the_rubric)
    names = [t.strip() for t in tables.split(",") if t.strip()] if tables else None
    built = build_annex(results, the_rubric, profile=profile, tables=names,
                        threshold=threshold, publish=publish, crosswalk=the_crosswalk)
    if the_crosswalk is not None:
        from ..analysis.common_scale import common_rubric

        the_rubric = common_rubric(the_crosswalk, rubrics)
    for name in built.refused:
        message = (f"table {name} left out: too few cases to publish without identifying "
                   "a child")
        say(f"warning: {message}", style="yellow")
        seen.append(Problem(code="table-left-out", severity=Severity.WARNING,
                            message=message, value=name))
    about = annex_about(results, the_rubric, profile=profile, profile_sha256=profile_sha,
                        profile_file=force.name if force else None,
                        crosswalk=the_crosswalk, publish=publish)
    facts = None
    if table_files == TableFiles.parquet:
        from ..render.parquet import provenance

        facts = provenance(the_rubric, [r.input for r in results])
        if the_crosswalk is not None:
            facts["crosswalk"] = {"name": the_crosswalk.name,
                                  "version": the_crosswalk.version}
    outputs = annex_outputs(built, out, the_rubric, about, table_files=table_files.value,
                            facts=facts)
    if folder:
        out.mkdir(parents=True, exist_ok=True)
    write_outputs(outputs, inputs=[*cases, *([force] if force else [])])
    finish_writing(
        format=format, written=[(path, "table" if folder else "annex", data)
                                for path, data in outputs.items()],
        counts={"tables": len(built), "inputs": len(results),
                "audits": sum(len(r) for r in results),
                **({"moderated": sum(r.summary.moderated for r in results)}
                   if moderated is not None else {})},
        problems=seen, lines=[f"wrote {plural(len(built), 'table')} to {out}"],
        quiet=quiet, tables=[t.name for t in built], left_out=list(built.refused))
