"""The graded audits as ``grade`` gives them: the graded table (``grade --out``) in each
of its formats, rendered to bytes; the JSON document of ``--format json`` in pieces; the
terminal views."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..rubric import Rubric
from ..scoring.grading import GradeResult
from .table import column_titles, graded_columns, graded_rows

if TYPE_CHECKING:
    from rich.console import RenderableType


def graded_json_pieces(result: GradeResult, rubric: Rubric
                       ) -> tuple[str, list[Callable[[], str]], str]:
    """``--format json``'s document in pieces (``GradeResult.json_pieces``, for
    ``render.json.stream_json``), with the topic grades in its head when the rubric
    rolls case file reviews up into them."""
    head, batches, tail = result.json_pieces()
    if rubric.rollup is not None:
        from ..analysis.rollup import topic_grades
        from .topics import with_topics

        head = with_topics(head, topic_grades(result, rubric))
    return head, batches, tail


def grade_views(result: GradeResult, rubric: Rubric) -> list[RenderableType]:
    """The terminal's summary: final grades by sample and assessor, overrides, and the
    topic grades when the rubric rolls reviews up into them."""
    from .console import grade_view, override_rows

    views = [grade_view(result.summary, result.input.file, rubric,
                        override_rows(result, rubric))]
    if rubric.rollup is not None:
        from ..analysis.rollup import topic_grades
        from .topics import topics_view

        views.append(topics_view(topic_grades(result, rubric), rubric))
    return views


def render_graded(suffix: str, result: GradeResult, rubric: Rubric, cut: list[str]) -> bytes:
    """``.json``: the whole result; ``.csv``, ``.xlsx`` and ``.parquet`` (typed, see
    :mod:`.parquet`): one row per audit. Cells cut to fit a spreadsheet are reported in
    ``cut``."""
    suffix = suffix.lower()
    if suffix == ".json":
        return "".join(result.json_parts()).encode("utf-8")
    if suffix == ".parquet":
        from .parquet import frame_parquet, provenance

        # free text stays out, as in the CSV and workbook: notes reach only a report's
        # examples, a live-risk reason only the escalations list
        frame = result.to_pandas().drop(columns=["notes", "live_risk"], errors="ignore")
        return frame_parquet(frame, provenance(rubric, [result.input]))
    columns = graded_columns(rubric)
    rows = graded_rows(result, rubric)
    if suffix == ".csv":
        from .csv import render_csv

        return render_csv(columns, rows, cut)
    from .xlsx import Sheet, render_workbook

    grade_cols = tuple(i for i, c in enumerate(columns) if c.endswith("_grade"))
    return render_workbook([Sheet("Graded", column_titles(rubric), rows,
                                  grade_columns=grade_cols,
                                  widths={columns.index("reasons"): 80})], rubric=rubric,
                           warnings=cut)
