"""The graded table (``grade --out``) in each of its formats, rendered to bytes."""

from __future__ import annotations

from ..rubric import Rubric
from ..scoring.grading import GradeResult
from .table import column_titles, graded_columns, graded_rows


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
