"""Rich renderables for the terminal views; the CLI prints them, nothing here prints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ..problems import Problem
from ..rubric import Rubric
from ..scoring.explain import CaseExplanation
from ..scoring.grading import GradeResult, GradeSummary
from ..workbook.format import ASSESSORS

if TYPE_CHECKING:  # imported lazily at run time: the compare view is not always needed
    from ..analysis.compare import Comparison
    from .compare_tables import TableSpec

GRADE_STYLES = ["green", "cyan", "yellow", "red", "magenta", "blue"]


def grade_style(rubric: Rubric, key: str | None) -> str:
    """A colour per grade: the colours run from green (best) toward red (worst)."""
    if key is None:
        return "dim"
    levels = len(rubric.scale)
    palette = ["green", "cyan", "yellow", "red"] if levels <= 4 else GRADE_STYLES
    idx = rubric.grade_level(key)
    if levels < len(palette):  # spread: best green, worst red
        idx = round(idx * (len(palette) - 1) / max(levels - 1, 1))
    return palette[min(idx, len(palette) - 1)]


def problems_view(problems: list[Problem], title: str | None = None) -> RenderableType:
    """Problems as a list a person can work through, errors first."""
    table = Table(title=title, show_lines=False, expand=False, title_justify="left")
    table.add_column("", no_wrap=True)
    table.add_column("Where", no_wrap=True, style="bold")
    table.add_column("Problem")
    ordered = sorted(problems, key=lambda p: (not p.is_error,))
    for p in ordered:
        mark = Text("error", style="red bold") if p.is_error else Text("warning", style="yellow")
        table.add_row(mark, p.location or "-", p.message)
    return table


def _pct(n: int, total: int) -> str:
    return f"{n} ({100 * n / total:.0f}%)" if total else str(n)


SHOW_AT_MOST = 20
"""Rows of a per-audit list shown in the terminal; the rest are counted (use --out)."""


def override_rows(result: GradeResult, rubric: Rubric, limit: int | None = SHOW_AT_MOST
                  ) -> list[tuple[str, str, str, str, float | None]]:
    """(case, assessor, written, computed, score) of the overrides (the first ``limit``)."""
    import numpy as np

    f = result.frame
    labels = [g.label for g in rubric.scale]
    picked = np.flatnonzero(result.override)[:limit].tolist()
    return [(str(f.case_ref[i]), ASSESSORS[f.assessor[i]].value, labels[f.grade[i]],
             labels[result.computed[i]], float(result.arrays.score[i])) for i in picked]


def _some(items: list[str]) -> str:
    shown = ", ".join(items[:SHOW_AT_MOST])
    more = len(items) - SHOW_AT_MOST
    return shown + (f" and {more:,} more" if more > 0 else "")


def grade_view(summary: GradeSummary, file: str, rubric: Rubric,
               overrides: list[tuple[str, str, str, str, float | None]]) -> RenderableType:
    """Grade distributions per sample and assessor, overrides (the first ``SHOW_AT_MOST``
    of ``overrides``; the count comes from the summary) and ungraded audits."""
    s = summary
    parts: list[RenderableType] = [Text.assemble(
        ("Graded ", ""), (file, "bold"),
        f" with rubric {rubric.name} v{rubric.version}: "
        f"{s.cases:,} cases, {s.audits:,} audits")]
    table = Table(title="Final grades by sample and assessor", title_justify="left")
    table.add_column("Sample")
    table.add_column("Assessor")
    table.add_column("Audits", justify="right")
    for g in rubric.scale:
        table.add_column(g.label, justify="right", style=grade_style(rubric, g.key))
    table.add_column("Ungraded", justify="right")
    table.add_column("Overrides", justify="right")
    for d in s.distributions:
        graded = d.audits - d.ungraded
        table.add_row(d.sample.value, d.assessor.value, str(d.audits),
                      *(_pct(d.counts[g], graded) for g in rubric.grade_keys),
                      str(d.ungraded), str(d.overrides))
    parts.append(table)
    if overrides:
        t = Table(title="Overrides: the assessor's grade differs from the rubric's",
                  title_justify="left")
        for col in ("Case", "Assessor", "Written", "Computed", "Score"):
            t.add_column(col)
        for ref, assessor, written, computed, score in overrides[:SHOW_AT_MOST]:
            t.add_row(ref, assessor, written, computed,
                      f"{score:.1f}" if score is not None else "-")
        parts.append(t)
        if len(s.overrides) > SHOW_AT_MOST:
            parts.append(Text(f"... and {len(s.overrides) - SHOW_AT_MOST:,} more overrides "
                              "(all of them are in --out or --format json)", style="dim"))
    if s.not_gradable:
        parts.append(Text(f"Not gradable (too few scored answers): {_some(s.not_gradable)}",
                          style="yellow"))
    if s.ungraded:
        parts.append(Text(f"No grade at all: {_some(s.ungraded)}", style="red"))
    parts.append(Text("Use --explain CASE to see why a case got its grade.", style="dim"))
    return Group(*parts)


def explain_view(explanation: CaseExplanation, rubric: Rubric) -> RenderableType:
    """Each audit of a case: criteria, answers, points lost, caps and the grades."""
    parts: list[RenderableType] = []
    themes = {t.key: t.label for t in rubric.themes}
    for item in explanation.audits:
        g = item.graded
        table = Table(title=f"Case {g.case_ref} - {rubric.case_type_labels[g.case_type]} - "
                      f"{g.assessor.value} audit", title_justify="left")
        for col, justify in (("Theme", "left"), ("Criterion", "left"), ("Question", "left"),
                             ("Answer", "left"), ("Weight", "right"), ("Points lost", "right")):
            table.add_column(col, justify=justify)  # type: ignore[arg-type]
        for line in item.criteria:
            answer = line.answer or "(blank)"
            style = {"no": "red", "partly": "yellow", "yes": "green"}.get(line.answer or "", "dim")
            lost = f"-{line.points_lost:.1f}" if line.points_lost else ""
            if line.caps_at:
                lost += f" cap: {rubric.grade_labels[line.caps_at]}"
            table.add_row(themes[line.theme], line.id, line.question, Text(answer, style=style),
                          f"{line.weight:g}", lost)
        parts.append(table)
        if g.gradable:
            band = rubric.grade_labels[g.band_grade or ""]
            summary = f"Score {g.score:.1f} of 100 -> band {band}"
            if g.caps:
                summary += f"; capped by {', '.join(g.caps)}"
            summary += f" -> computed {rubric.grade_labels[g.computed_grade or '']}"
        else:
            summary = g.reasons[0].message if g.reasons else "not gradable"
        if g.given_grade:
            summary += f"; written {rubric.grade_labels[g.given_grade]}"
            if g.override:
                summary += " (override)"
        final = rubric.grade_labels.get(g.final_grade or "", "none")
        parts.append(Text.assemble(summary + "; final ", (final, "bold " + grade_style(
            rubric, g.final_grade))))
    return Group(*parts)


def rubric_view(rubric: Rubric) -> RenderableType:
    """The rubric as a tree: scale, themes, criteria with weights, caps and case types."""
    tree = Tree(Text(f"{rubric.name} v{rubric.version} - {rubric.title}", style="bold"))
    scale = tree.add("Scale (best first) and bands")
    for g in rubric.scale:
        aliases = f"  aliases: {', '.join(g.aliases)}" if g.aliases else ""
        scale.add(Text.assemble((g.label, grade_style(rubric, g.key)),
                                f"  score >= {rubric.bands.get(g.key, 0):g}{aliases}"))
    types = tree.add(f"Case types ({len(rubric.case_types)})")
    for ct in rubric.case_types:
        types.add(f"{ct.key}: {ct.label}")
    caps = {r.criterion: r for r in rubric.limiting}
    themes = tree.add(f"Themes and criteria ({len(rubric.criteria)})")
    for theme in rubric.themes:
        node = themes.add(Text(theme.label, style="bold"))
        for c in rubric.criteria:
            if c.theme != theme.key:
                continue
            applies = "all case types" if c.applies_to is None else ", ".join(c.applies_to)
            line = Text.assemble((c.id, "cyan"), f"  weight {c.weight:g}  ({applies})")
            if c.id in caps:
                rule = caps[c.id]
                line.append(f"  caps at {rubric.grade_labels.get(rule.cap, rule.cap)} "
                            f"when {rule.when}", style="red")
            sub = node.add(line)
            sub.add(Text(c.question, style="dim"))
    tree.add("Answers score: " + ", ".join(f"{k} {v:g}" for k, v in
                                            rubric.answer_scores.items()) + "; n/a drops out")
    tree.add(f"Gradable with at least {rubric.min_answered} scored answers; judgements "
             f"{rubric.significant_difference} or more levels apart differ significantly")
    return tree


def fmt_number(v: object) -> str:
    """Cell text: floats to three decimals, tiny ones (p-values) in scientific notation."""
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.2e}" if v and abs(v) < 0.001 else f"{v:.3f}"
    return str(v)


def spec_table(spec: TableSpec, rubric: Rubric | None = None,
               at_most: int | None = None) -> RenderableType:
    """A rich table from a shared table spec (see ``render.compare_tables``), showing at
    most ``at_most`` rows and counting the rest."""
    table = Table(title=spec.title, title_justify="left")
    for i, h in enumerate(spec.headers):
        numeric = any(isinstance(r[i], int | float) for r in spec.rows if i < len(r))
        table.add_column(h, justify="right" if numeric and i else "left")
    for row in spec.rows[:at_most]:
        table.add_row(*(fmt_number(v) for v in row))
    notes: list[RenderableType] = []
    more = spec.more + (max(len(spec.rows) - at_most, 0) if at_most is not None else 0)
    if more:
        notes.append(Text(f"... and {more:,} more rows (all of them are "
                          "in --out or --format json)", style="dim"))
    if spec.note:
        notes.append(Text(spec.note, style="italic"))
    return Group(table, *notes) if notes else table


def compare_view(comparison: Comparison, rubric: Rubric) -> RenderableType:
    """The comparison for the terminal: every table but the full case list."""
    from .compare_tables import comparison_tables

    c = comparison
    head = Text.assemble(
        "Compared ", (", ".join(i.file for i in c.inputs), "bold"),
        f" with rubric {c.rubric.name} v{c.rubric.version}: {c.pairs} pairs, {c.use} grades, "
        f"significant at {c.threshold}+ levels")
    parts: list[RenderableType] = [head]
    parts += [spec_table(t, rubric) for t in comparison_tables(c, rubric, with_cases=False,
                                                               at_most=SHOW_AT_MOST)]
    if c.inspector_only:
        parts.append(Text(f"{c.inspector_only} inspector-selected case(s) have inspector "
                          "audits only, by design, and are not compared.", style="dim"))
    return Group(*parts)
