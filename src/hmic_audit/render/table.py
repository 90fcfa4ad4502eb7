"""The graded table: one row per audit, the shape shared by the CSV and xlsx outputs."""

from __future__ import annotations

from ..rubric import Rubric
from ..scoring.grading import GradeResult

IDENTITY = ["case_ref", "sample", "case_type", "assessor", "area"]


def graded_columns(rubric: Rubric) -> list[str]:
    """Column names of the graded table, in order."""
    return [*IDENTITY, "answered", "score", *(f"theme:{t}" for t in rubric.theme_keys),
            "band_grade", "computed_grade", "given_grade", "final_grade", "override",
            "caps", "reasons"]


def graded_rows(result: GradeResult, rubric: Rubric) -> list[list[object]]:
    """Rows of the graded table: grade labels as people write them, scores to 1 decimal."""
    labels = rubric.grade_labels
    rows: list[list[object]] = []
    for a in result.audits:
        reasons = "; ".join(r.message for r in a.reasons)
        rows.append([
            a.case_ref, a.sample.value, rubric.case_type_labels[a.case_type], a.assessor.value,
            a.area or "", a.answered,
            None if a.score is None else round(a.score, 1),
            *(None if a.theme_scores[t] is None else round(a.theme_scores[t], 1)  # type: ignore[arg-type]
              for t in rubric.theme_keys),
            labels.get(a.band_grade or "", ""), labels.get(a.computed_grade or "", ""),
            labels.get(a.given_grade or "", ""), labels.get(a.final_grade or "", ""),
            "yes" if a.override else "no", ", ".join(a.caps), reasons,
        ])
    return rows


def column_titles(rubric: Rubric) -> list[str]:
    """Headers for people: theme columns carry the theme's label."""
    titles = []
    themes = {t.key: t.label for t in rubric.themes}
    for name in graded_columns(rubric):
        if name.startswith("theme:"):
            titles.append(f"{themes[name[6:]]} score")
        else:
            titles.append(name.replace("_", " ").capitalize())
    return titles
