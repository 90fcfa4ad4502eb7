"""Topic grades from case file reviews (a rubric with a ``rollup``): the terminal table
``grade`` shows, and the key it adds to ``grade --format json``."""

from __future__ import annotations

import json

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..analysis.rollup import TopicGrades, acceptable_words
from ..rubric import Rubric
from .console import grade_style
from .fit import fit


def topics_view(topics: TopicGrades, rubric: Rubric) -> RenderableType:
    """A row per topic: the inspectors' reviews at each grade, how many reviewed it, how
    many were acceptable, and the force's grade; the roll-up rule under it."""
    table = Table(title="Topic grades from the inspectors' case file reviews",
                  title_justify="left")
    table.add_column("Topic")
    for g in rubric.scale:
        table.add_column(g.label, justify="right")
    table.add_column("Reviewed", justify="right")
    table.add_column(acceptable_words(rubric).capitalize(), justify="right")
    table.add_column("Force grade")
    for t in topics.topics:
        grade = Text(rubric.grade_labels[t.grade], style=grade_style(rubric, t.grade)) \
            if t.grade is not None else Text("not graded (no reviews)", style="dim")
        table.add_row(t.label, *(f"{t.counts[g]:,}" for g in rubric.grade_keys),
                      f"{t.reviewed:,}", f"{t.acceptable:,}", grade)
    return Group(fit(table), Text(_rule(topics, rubric), style="dim"))


def _rule(topics: TopicGrades, rubric: Rubric) -> str:
    rule = rubric.rollup.describe(rubric) if rubric.rollup else ""
    left_out = f" ({topics.not_gradable:,} not gradable, left out)" \
        if topics.not_gradable else ""
    return (f"Force grade: {rule}. Only inspector audits the rubric can grade (at least "
            f"{rubric.min_answered} scored answers) count as case file reviews{left_out}.")


AUDITS_KEY = ',\n  "audits": ['


def with_topics(head: str, topics: TopicGrades) -> str:
    """The head of ``grade --format json``'s document (``GradeResult.json_pieces``) with a
    ``topic_grades`` key added after ``summary`` (before the audits, which stream after
    it)."""
    at = head.rfind(AUDITS_KEY)
    if at < 0:  # pragma: no cover - the document's shape is GradeResult.json_pieces'
        raise ValueError("unexpected start of the graded JSON document")
    body = json.dumps(topics.model_dump(mode="json"), indent=2, ensure_ascii=False)
    return head[:at] + ',\n  "topic_grades": ' + body.replace("\n", "\n  ") + head[at:]
