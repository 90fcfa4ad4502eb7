"""Topic grades from case file reviews: how the inspectors' reviews of each topic (a theme
of the rubric) roll up into the force's grade for that topic, as the rubric's ``rollup``
says.

Each inspector audit the rubric can grade (``result.arrays.gradable``: at least
``min_answered`` scored answers) is one case file review; an inspector audit with fewer
is "not gradable" as a whole and is not a review for any topic either. A review's grade
for a topic is its theme score put through the rubric's ``bands`` (limiting criteria cap
a whole audit, not a topic); a review with no scored answer in the topic has no score
there and does not count for it.
The force's topic grade is then, by ``rollup.method``:

* ``median``: the median review grade; with an even number of reviews, the worse of the
  two middle grades. On grades sorted best first that is the one at position ``n // 2``
  for any ``n``.
* ``share``: the best grade g such that at least ``at_least[g]`` of the reviews are graded
  g or better; when no share is reached, the worst grade.

A topic without a single review has no grade (``None``). Force self-assessments do not
count: the roll-up is the inspectors' judgement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..rubric import Rollup, Rubric
from ..workbook.format import ASSESSORS, Assessor

if TYPE_CHECKING:
    import pandas as pd

    from ..scoring.grading import GradeResult
    from .annex_table import AnnexTable

SHARE_TOLERANCE = 1e-9
"""A share is reached when ``reviews at g or better >= share x reviewed`` allowing this
much for float arithmetic (0.2 x 5 is 1.0000000000000002 in binary, yet one review in five
is a share of 0.2)."""


class TopicGrade(BaseModel):
    """One topic's case file reviews and the force's grade for it."""

    model_config = ConfigDict(frozen=True)

    theme: str
    """The theme key of the topic."""
    label: str
    counts: dict[str, int]
    """Grade key -> inspector reviews with that topic grade, every grade, best first."""
    reviewed: int
    """Inspector reviews with a score for the topic (the sum of ``counts``)."""
    acceptable: int
    """Reviews graded one of the rubric's acceptable grades (good or better)."""
    grade: str | None
    """The force's topic grade (a grade key); None when no review scored the topic."""


class TopicGrades(BaseModel):
    """Every topic's roll-up, as ``grade`` and ``annex`` show it."""

    model_config = ConfigDict(frozen=True)

    method: str
    at_least: dict[str, float] | None
    acceptable: list[str]
    """The grades counted in ``TopicGrade.acceptable``, best first."""
    reviews: int
    """Case file reviews in the result: inspector audits the rubric can grade."""
    not_gradable: int = 0
    """Inspector audits left out because the rubric cannot grade them (fewer than
    ``min_answered`` scored answers)."""
    topics: list[TopicGrade]

    def to_pandas(self) -> pd.DataFrame:
        """A row per topic: counts per grade, reviewed, acceptable and the grade."""
        import pandas as pd

        return pd.DataFrame([{"theme": t.theme, "label": t.label, **t.counts,
                              "reviewed": t.reviewed, "acceptable": t.acceptable,
                              "grade": t.grade} for t in self.topics])


def band_levels(scores: np.ndarray, rubric: Rubric) -> np.ndarray:
    """Per score, its grade through the bands (position on the scale, 0 the best);
    -1 where there is no score (NaN)."""
    lower = np.array([rubric.bands[g] for g in rubric.grade_keys[:-1]], dtype=float)
    level = (np.nan_to_num(scores, nan=-1.0)[:, None] < lower[None, :]).sum(axis=1)
    return np.where(np.isnan(scores), -1, level)


def _inspector(result: GradeResult) -> np.ndarray:
    return np.asarray(result.frame.assessor == ASSESSORS.index(Assessor.INSPECTOR))


def is_review(result: GradeResult) -> np.ndarray:
    """Per audit: is it a case file review (an inspector's audit the rubric can grade)?"""
    return _inspector(result) & result.arrays.gradable


def review_levels(result: GradeResult, rubric: Rubric) -> dict[str, np.ndarray]:
    """Per topic (theme key), every audit's topic grade (position on the scale, 0 the
    best): -1 for an audit that is not a case file review (not an inspector's, or not
    gradable), or has no score for the topic."""
    review = is_review(result)
    return {t.key: np.where(review, band_levels(result.arrays.theme_scores[t.key],
                                                   rubric), -1) for t in rubric.themes}


def roll_up(counts: np.ndarray, rollup: Rollup, rubric: Rubric) -> int:
    """The rolled-up grade (a position on the scale) of reviews counted per grade (best
    first); -1 when there are none."""
    n = int(counts.sum())
    if n == 0:
        return -1
    if rollup.method == "median":
        # sorted best first, the (n // 2)-th: the middle one, or for an even n the worse
        # of the two middle ones
        return int(np.searchsorted(np.cumsum(counts), n // 2, side="right"))
    shares = rollup.at_least or {}
    better = np.cumsum(counts)
    for level, key in enumerate(rubric.grade_keys[:-1]):
        if key in shares and better[level] >= shares[key] * n - SHARE_TOLERANCE:
            return level
    return len(rubric.grade_keys) - 1


def topic_grades(result: GradeResult, rubric: Rubric) -> TopicGrades:
    """The topic grades of a graded result by the rubric's ``rollup`` (which it must
    have): per topic, the inspector reviews at each grade, how many scored the topic,
    how many were acceptable, and the force's grade."""
    rollup = rubric.rollup
    if rollup is None:
        raise ValueError(f"rubric {rubric.name} has no rollup")
    inspector = _inspector(result)
    review = inspector & result.arrays.gradable
    k = len(rubric.scale)
    acceptable = np.zeros(k, dtype=bool)
    acceptable[[rubric.grade_level(g) for g in rubric.acceptable_grades]] = True
    topics = []
    reviews = review_levels(result, rubric)
    for theme in rubric.themes:
        levels = reviews[theme.key]
        counts = np.bincount(levels[levels >= 0], minlength=k)
        level = roll_up(counts, rollup, rubric)
        topics.append(TopicGrade(
            theme=theme.key, label=theme.label,
            counts=dict(zip(rubric.grade_keys, map(int, counts), strict=True)),
            reviewed=int(counts.sum()), acceptable=int(counts[acceptable].sum()),
            grade=rubric.grade_keys[level] if level >= 0 else None))
    return TopicGrades(method=rollup.method, at_least=rollup.at_least,
                       acceptable=[g for g in rubric.grade_keys
                                   if g in rubric.acceptable_grades],
                       reviews=int(review.sum()),
                       not_gradable=int((inspector & ~review).sum()), topics=topics)


def acceptable_words(rubric: Rubric) -> str:
    """How the acceptable grades read: 'good or better' when they are the best grades
    down to one, else the grades listed ('good or adequate')."""
    from ..text import or_list

    keys = [g for g in rubric.grade_keys if g in rubric.acceptable_grades]
    if keys == rubric.grade_keys[:len(keys)] and len(keys) > 1:
        return f"{rubric.grade_labels[keys[-1]].lower()} or better"
    return or_list([rubric.grade_labels[g].lower() for g in keys])


def topics_table(result: GradeResult, rubric: Rubric) -> AnnexTable | None:
    """The annex table "Topic grades from case file reviews": a row per topic with the
    inspectors' reviews at each grade, reviewed, acceptable ("22 of 48", a percentage
    with its Wilson interval) and the force's grade; None when the rubric has no rollup.

    Its counts carry no disclosure query: a review's topic grade comes from several
    answers at once, which the publication's case and answer cubes
    (:mod:`hmic_audit.analysis.disclosure`) cannot express, so no publication
    (``--suppress``, ``--publish``) holds this table."""
    from ..text import plural
    from .annex_table import AnnexTable, Column, percent_cells, share_columns

    if rubric.rollup is None:
        return None
    topics = topic_grades(result, rubric)
    keys = rubric.grade_keys
    words = acceptable_words(rubric)
    columns = [Column(key="topic", title="Topic", kind="label"),
               *(Column(key=g, title=rubric.grade_labels[g], kind="count") for g in keys),
               Column(key="reviewed", title="Reviewed", kind="count"),
               # one acceptable grade would repeat its grade column's title
               Column(key="acceptable", title=words.capitalize() + (
                   " (acceptable)" if len(rubric.acceptable_grades) == 1 else ""),
                   kind="count"),
               Column(key="acceptable_of", title=f"{words.capitalize()} of reviewed",
                      kind="text", spells=("acceptable", "reviewed")),
               *share_columns("acceptable", "reviewed", words.capitalize()),
               Column(key="force_grade", title="Force grade", kind="text")]
    rows: list[list[str | int | float | None]] = [
        [t.label, *(t.counts[g] for g in keys), t.reviewed, t.acceptable,
         f"{t.acceptable} of {t.reviewed}", *percent_cells(t.acceptable, t.reviewed),
         rubric.grade_labels[t.grade] if t.grade is not None else "not graded"]
        for t in topics.topics]
    rule = rubric.rollup.describe(rubric) if rubric.rollup else ""
    left_out = ""
    if topics.not_gradable:
        left_out = (f" {plural(topics.not_gradable, 'inspector audit')} with fewer "
                    f"{'is' if topics.not_gradable == 1 else 'are'} left out.")
    return AnnexTable(
        name="topic_grades", title="Topic grades from case file reviews", columns=columns,
        rows=rows, row_sums=[("reviewed", list(keys))],
        note=f"Each inspector case file review ({topics.reviews} in all) is graded on each "
        "topic by its topic score through the rubric's bands; a review with no scored "
        "answer in a topic does not count for it. Only inspector audits the rubric can "
        f"grade (at least {rubric.min_answered} scored answers) count as case file "
        f"reviews.{left_out} Force grade: {rule}.")
