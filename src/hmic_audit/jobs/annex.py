"""``annex``: the publishable tables of one force or several, rendered in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .feedback import SILENT, Feedback
from .graded import cases_files, read_and_grade

if TYPE_CHECKING:
    from ..analysis.annex import Annex
    from ..problems import Problem
    from ..scoring.grading import GradeResult


@dataclass
class MadeAnnex:
    """The annex's files (not yet written) and what went into them."""

    outputs: dict[Path, bytes]
    annex: Annex
    results: list[GradeResult]
    inputs: list[Path]
    """Every file read: an output must not overwrite one."""
    folder: bool
    """Whether ``outputs`` are a folder's files (one per table)."""
    problems: list[Problem] = field(default_factory=list)


def make_annex(paths: list[Path], out: Path, *, force: Path | None = None,
               tables: list[str] | None = None, suppress: int = 0,
               publish: bool = False, rubric: list[str] | None = None,
               crosswalk: str | Path | None = None, table_files: str = "csv",
               encoding: str | None = None, sheet: str | None = None,
               month_first: bool = False, moderated: Path | None = None,
               feedback: Feedback = SILENT) -> MadeAnnex:
    """The annex tables of the cases in ``paths`` rendered for ``out`` (.xlsx, .md,
    .json, or a folder of one CSV - ``table_files`` "parquet": Parquet - per table).

    ``force`` (a force profile) adds the Ofsted table and may name the rubric;
    ``tables`` chooses tables by name. Counts below ``suppress`` are hidden (0: none);
    ``publish`` makes the annex fit for publication (``suppress`` 0: the publication
    default) and leaves out any table too small to publish, told to the feedback.
    Several files, one per force, add the national tables, under one ``--rubric`` or
    one per file put on one scale by ``crosswalk``."""
    from ..analysis.annex import build_annex
    from ..crosswalk import rubrics_for
    from ..problems import Problem, Severity, WorkbookError
    from ..profile import load_profile
    from ..render.annex_out import annex_about, annex_outputs
    from ..render.formats import check_out
    from ..workbook.privacy import publish_threshold

    files, skipped = cases_files(paths, feedback)
    if not files:
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
    rubrics, the_crosswalk = rubrics_for(len(files), rubric, crosswalk)
    the_rubric = rubrics[0]
    profile, profile_sha = load_profile(force, the_rubric) if force else (None, None)
    threshold = publish_threshold(suppress) if publish else suppress
    graded = read_and_grade(files, rubrics, encoding=encoding, sheet=sheet,
                            month_first=month_first, moderated=moderated,
                            feedback=feedback)
    results = graded.results
    built = build_annex(results, the_rubric, profile=profile, tables=tables,
                        threshold=threshold, publish=publish, crosswalk=the_crosswalk)
    if the_crosswalk is not None:
        from ..analysis.common_scale import common_rubric

        the_rubric = common_rubric(the_crosswalk, rubrics)
    seen = skipped + graded.problems
    for name in built.refused:
        message = (f"table {name} left out: too few cases to publish without identifying "
                   "a child")
        feedback.warning(message)
        seen.append(Problem(code="table-left-out", severity=Severity.WARNING,
                            message=message, value=name))
    about = annex_about(results, the_rubric, profile=profile, profile_sha256=profile_sha,
                        profile_file=force.name if force else None,
                        crosswalk=the_crosswalk, publish=publish)
    facts = None
    if table_files == "parquet":
        from ..render.parquet import provenance

        facts = provenance(the_rubric, [r.input for r in results])
        if the_crosswalk is not None:
            facts["crosswalk"] = {"name": the_crosswalk.name,
                                  "version": the_crosswalk.version}
    outputs = annex_outputs(built, out, the_rubric, about, table_files=table_files,
                            facts=facts)
    return MadeAnnex(outputs=outputs, annex=built, results=results,
                     inputs=[*files, *([force] if force else [])], folder=folder,
                     problems=seen)
