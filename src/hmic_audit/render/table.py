"""The graded table: one row per audit, the shape shared by the CSV and xlsx outputs."""

from __future__ import annotations

import numpy as np

from ..rubric import Rubric
from ..scoring.grading import GradeResult
from ..workbook.format import ASSESSORS, SAMPLES

IDENTITY = ["case_ref", "sample", "case_type", "assessor", "area"]


def graded_columns(rubric: Rubric) -> list[str]:
    """Column names of the graded table, in order."""
    return [*IDENTITY, "answered", "score", *(f"theme:{t}" for t in rubric.theme_keys),
            "band_grade", "computed_grade", "given_grade", "final_grade", "override",
            "caps", "reasons"]


def graded_rows(result: GradeResult, rubric: Rubric) -> list[list[object]]:
    """Rows of the graded table: grade labels as people write them, scores to 1 decimal."""
    f, a = result.frame, result.arrays
    labels = [*(g.label for g in rubric.scale), ""]  # position -1 reads as blank
    type_labels = [rubric.case_type_labels[t] for t in rubric.case_type_keys]
    assessors = [x.value for x in ASSESSORS]
    samples = [x.value for x in SAMPLES]
    areas = f.extra("area")
    score = np.round(a.score, 1)
    themes = np.column_stack([np.round(a.theme_scores[t], 1) for t in rubric.theme_keys])
    reasons, caps = result.reasons, result.caps
    rows: list[list[object]] = []
    for i in range(len(f)):
        gradable = bool(a.gradable[i])
        rows.append([
            f.case_ref[i], samples[f.sample[i]], type_labels[f.case_type[i]],
            assessors[f.assessor[i]], areas[i] or "", int(a.answered[i]),
            float(score[i]) if gradable else None,
            *(None if np.isnan(v) else float(v) for v in themes[i]),
            labels[a.band_level[i]], labels[result.computed[i]], labels[f.grade[i]],
            labels[result.final[i]], "yes" if result.override[i] else "no",
            ", ".join(caps[i]), "; ".join(r["message"] for r in reasons[i]),
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
