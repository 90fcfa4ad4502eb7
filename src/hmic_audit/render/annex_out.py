"""Annex tables to files: xlsx (a Contents sheet, a readable sheet per table, native bar
charts for grade distributions: :mod:`hmic_audit.render.annex_xlsx`), a folder of CSV
files, Markdown or JSON. All return bytes; ``annex_outputs`` picks the format from the
``--out`` path, ``annex_about`` gives the title and provenance."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.annex_table import AnnexTable
from ..rubric import Rubric
from .annex_xlsx import AnnexAbout, annex_workbook
from .csv import render_csv
from .json import render_json
from .markdown import md_escape, md_table

if TYPE_CHECKING:
    from ..crosswalk import Crosswalk
    from ..profile import ForceProfile
    from ..scoring.grading import GradeResult


def annex_about(results: Sequence[GradeResult], rubric: Rubric, *,
                profile: ForceProfile | None = None, profile_file: str | None = None,
                profile_sha256: str | None = None,
                crosswalk: Crosswalk | None = None, publish: bool = False) -> AnnexAbout:
    """What an annex says about itself: its title, from the force (the profile's name,
    else the force column or the file's name) or the number of forces compared
    ("Annex tables: national comparison of 3 forces"); the rubric (or rubrics and the
    crosswalk) by name and version; each input with its SHA-256 (no date)."""
    from ..analysis.pool import Pool
    from ..analysis.tables import Shared

    forces = Shared(Pool(results), rubric).forces[1]
    if len(forces) > 1:
        title = f"Annex tables: national comparison of {len(forces)} forces"
    else:
        title = f"Annex tables: {profile.force if profile is not None else forces[0]}"
    rubrics = list({(r.graded_with.name, r.graded_with.version): r.graded_with
                    for r in results}.values())
    said = [f"{r.name} version {r.version}" for r in rubrics]
    line = f"Rubric {said[0]}" if len(said) == 1 else f"Rubrics {' and '.join(said)}"
    sources = [(f"Rubric {r.name} version {r.version}", r.sha256 or "") for r in rubrics]
    moderated = sum(r.summary.moderated for r in results)
    if moderated and publish:  # how many is a count of cases the tables do not audit
        line += "; some inspector grades set by a moderator (--moderated)"
    elif moderated:
        line += (f"; {moderated} inspector grade{'s' if moderated != 1 else ''} set by a "
                 "moderator (--moderated)")
    if crosswalk is not None:
        line += (f"; grades counted on the scale of crosswalk {crosswalk.name} "
                   f"v{crosswalk.version}")
        sources.append((f"Crosswalk {crosswalk.name} version {crosswalk.version}",
                        crosswalk.sha256 or ""))
    sources += [(f"Cases: {r.input.file}", r.input.sha256) for r in results]
    if profile is not None:
        sources.append((f"Force profile: {profile_file or profile.force}",
                        profile_sha256 or ""))
    return AnnexAbout(title=title, rubric=line, sources=tuple(sources))


def annex_xlsx(tables: list[AnnexTable], rubric: Rubric, about: AnnexAbout | str) -> bytes:
    """A workbook: contents sheet, a readable sheet per table, native bar charts (see
    :mod:`hmic_audit.render.annex_xlsx`)."""
    if isinstance(about, str):
        about = AnnexAbout(title=about, rubric=f"Rubric {rubric.name} version "
                           f"{rubric.version}")
    return annex_workbook(tables, rubric, about,
                          left_out=list(getattr(tables, "refused", [])))


def _cells(table: AnnexTable) -> list[list[object]]:
    return [["" if v is None else v for v in row] for row in table.rows]


def annex_csv_files(tables: list[AnnexTable], folder: Path,
                    warnings: list[str] | None = None) -> dict[Path, bytes]:
    """One CSV per table (a note, when there is one, as a last line)."""
    out = {}
    for table in tables:
        rows = _cells(table)
        if table.note:
            rows = rows + [[f"Note: {table.note}"]]
        out[folder / f"{table.name}.csv"] = render_csv([c.title for c in table.columns], rows,
                                                        warnings)
    return out


def annex_markdown(tables: list[AnnexTable], title: str) -> str:
    """Every table as Markdown under its title, notes in italics."""
    parts = [f"# {md_escape(title)}\n"]
    for table in tables:
        parts.append(f"## {md_escape(table.title)}\n")
        rows = [[f"{v:.1f}" if isinstance(v, float) and c.kind in ("percent", "ci") else v
                 for v, c in zip(row, table.columns, strict=True)] for row in _cells(table)]
        parts.append(md_table([c.title for c in table.columns], rows))
        if table.note:
            parts.append(f"\n_{md_escape(table.note)}_\n")
    return "\n".join(parts)


def annex_json(tables: list[AnnexTable], title: str) -> str:
    """One JSON document: the title and every table."""
    return render_json({"title": title, "tables": [
        t.model_dump(mode="json", exclude={"queries", "derived"}) for t in tables]})


def annex_outputs(tables: list[AnnexTable], out: Path, rubric: Rubric,
                  about: AnnexAbout | str, *, table_files: str = "csv",
                  facts: dict[str, Any] | None = None) -> dict[Path, bytes]:
    """Every file ``annex --out`` writes: one file per table into a folder (a path
    without an extension, or an existing folder) - CSV, or with ``table_files``
    ``parquet`` typed Parquet carrying ``facts`` (the rubric and inputs) and the table's
    title and note in its metadata - else one .xlsx, .md or .json file (the Markdown and
    JSON under ``about``'s title)."""
    title = about if isinstance(about, str) else about.title
    suffix = out.suffix.lower()
    if (suffix == "" or out.is_dir()) and table_files == "parquet":
        from .parquet import annex_table_frame, frame_parquet

        return {out / f"{t.name}.parquet": frame_parquet(
            annex_table_frame(t), {**(facts or {}), "table": t.name, "title": t.title,
                                   "note": t.note}) for t in tables}
    if suffix == "" or out.is_dir():
        return annex_csv_files(tables, out)
    if suffix == ".xlsx":
        return {out: annex_xlsx(tables, rubric, about)}
    if suffix == ".md":
        return {out: annex_markdown(tables, title).encode("utf-8")}
    return {out: annex_json(tables, title).encode("utf-8")}
