"""``hmic-audit annex``: publishable tables, for one force or several."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from ..analysis.annex import AnnexTable

from .options import EncodingOpt, PublishOpt, QuietOpt, RubricOpt, SheetOpt
from .output import guarded, progress, report_problems, say


@guarded
def annex_command(
    cases: Annotated[list[Path], typer.Argument(
        metavar="CASES...", show_default=False,
        help="One or more cases files; several (one per force, or a 'force' column) add "
        "the national tables.")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", show_default=False,
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
    rubric: RubricOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Publish the annex tables: case types by sample (the report's Annex A), grades by
    sample and assessor, by case type and by area, theme results, criterion compliance
    and the force-against-inspector cross-tab, each proportion with its count,
    denominator and Wilson 95% interval.

    Examples:

      hmic-audit annex sample_cases/gmp-2014/cases.xlsx --out annex.xlsx

      hmic-audit annex gmp.xlsx wmp.xlsx met.xlsx --out national/ --suppress 3

      hmic-audit annex cases.xlsx --tables case_types,criterion_compliance --out annex.md
    """
    from .. import grade, load_rubric, read_audits
    from ..analysis.annex import build_annex
    from ..analysis.suppress import suppress as hide
    from ..io.write import write_outputs
    from ..profile import load_profile
    from ..render.annex_out import annex_csv_files, annex_json, annex_markdown, annex_xlsx
    from ..render.formats import check_out
    from ..workbook.privacy import publish_threshold

    suffix = out.suffix.lower()
    folder = suffix == "" or out.is_dir()
    if not folder:
        check_out(out, "annex", also="a folder")
    the_rubric = load_rubric(rubric)
    profile = load_profile(force, the_rubric)[0] if force else None
    audits, graded, inputs = [], [], []
    for path in cases:
        with progress(f"Reading {path.name}", quiet):
            frame, warnings = read_audits(path, the_rubric, encoding=encoding, sheet=sheet)
        report_problems(warnings, f"Warnings in {path.name}")
        result = grade(frame, the_rubric)
        audits += frame.to_audit_set(the_rubric).audits
        graded += result.audits
        inputs.append(result.input)
    names = [t.strip() for t in tables.split(",") if t.strip()] if tables else None
    built = build_annex(audits, graded, the_rubric, inputs=inputs, profile=profile,
                        tables=names)
    threshold = publish_threshold(suppress) if publish else suppress
    built = [hide(t, threshold) for t in built]
    if publish:
        built, refused = _publishable(built, threshold)
        for name in refused:
            say(f"warning: table {name} left out: too few cases to publish without "
                "identifying a child", style="yellow")
    title = "Annex tables: " + ", ".join(i.file for i in inputs)
    if folder:
        outputs = annex_csv_files(built, out)
        out.mkdir(parents=True, exist_ok=True)
    elif suffix == ".xlsx":
        outputs = {out: annex_xlsx(built, the_rubric, title)}
    elif suffix == ".md":
        outputs = {out: annex_markdown(built, title).encode("utf-8")}
    else:
        outputs = {out: annex_json(built, title).encode("utf-8")}
    write_outputs(outputs, inputs=[*cases, *([force] if force else [])])
    if not quiet:
        say(f"wrote {len(built)} tables to {out}")


def _publishable(tables: list[AnnexTable], threshold: int) -> tuple[list[AnnexTable],
                                                                   list[str]]:
    """Tables fit to publish, and the names of those refused: a table whose grand total is
    below the threshold, or whose counts are all hidden, would point at a child."""
    from ..analysis.suppress import MARKER

    keep, refused = [], []
    for table in tables:
        counts = [i for i, c in enumerate(table.columns) if c.kind == "count"]
        cells = [row[i] for row in table.rows for i in counts]
        total = table.rows[-1][counts[-1]] if table.total_row and counts else None
        shown = [c for c in cells if c != MARKER]
        if counts and (not any(isinstance(c, int) and c > 0 for c in shown)
                       or (isinstance(total, int) and total < threshold)):
            refused.append(table.name)
        else:
            keep.append(table)
    return keep, refused
