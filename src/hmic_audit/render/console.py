"""Rich renderables for the terminal views; the CLI prints them, nothing here prints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ..rubric import ChangeNote, Rubric
from ..scoring.explain import AuditExplanation, CaseExplanation
from ..scoring.grading import GradeResult, GradeSummary
from ..text import plural
from ..workbook.format import ASSESSORS
from .fit import fit, records

if TYPE_CHECKING:  # imported lazily at run time: the compare view is not always needed
    from ..analysis.compare import Comparison
    from ..analysis.readers import ReaderAgreements
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
        f"{plural(s.cases, 'case')}, {plural(s.audits, 'audit')}"
        + (f", {plural(s.moderated, 'grade')} moderated" if s.moderated else ""))]
    parts.append(fit(_grades_table(s, rubric), fallback=records(_grades_by_row(s, rubric))))
    if overrides:
        t = Table(title="Overrides: the assessor's grade differs from the rubric's",
                  title_justify="left")
        for col in ("Case", "Assessor", "Written", "Computed", "Score"):
            t.add_column(col)
        for ref, assessor, written, computed, score in overrides[:SHOW_AT_MOST]:
            t.add_row(ref, assessor, written, computed,
                      f"{score:.1f}" if score is not None else "-")
        parts.append(fit(t))
        if len(s.overrides) > SHOW_AT_MOST:
            more = plural(len(s.overrides) - SHOW_AT_MOST, "more override")
            parts.append(Text(f"... and {more} (all of them are in --out or --format json)",
                              style="dim"))
    if s.not_gradable:
        parts.append(Text(f"Not gradable (too few scored answers): {_some(s.not_gradable)}",
                          style="yellow"))
    if s.ungraded:
        parts.append(Text(f"No grade at all: {_some(s.ungraded)}", style="red"))
    parts.append(Text("Use --explain CASE to see why a case got its grade.", style="dim"))
    return Group(*parts)


def _grades_table(s: GradeSummary, rubric: Rubric) -> Table:
    """Grades down the side, a column per sample and assessor: as many grades as the
    rubric has, and the full labels, still fit 80 columns."""
    table = Table(title="Final grades by sample and assessor", title_justify="left")
    table.add_column("Final grade")
    for d in s.distributions:
        table.add_column(f"{d.sample.value}\n{d.assessor.value}", justify="right")
    table.add_row("Audits", *(f"{d.audits:,}" for d in s.distributions), end_section=True)
    for g in rubric.scale:
        table.add_row(Text(g.label, style=grade_style(rubric, g.key)),
                      *(_pct(d.counts[g.key], d.audits - d.ungraded)
                        for d in s.distributions))
    table.add_row("Ungraded", *(f"{d.ungraded:,}" for d in s.distributions),
                  end_section=True)
    table.add_row("Overrides", *(f"{d.overrides:,}" for d in s.distributions))
    return table


def _grades_by_row(s: GradeSummary, rubric: Rubric) -> Table:
    """The same figures a row per sample and assessor (shown as blocks when the columns
    of the other view cannot fit)."""
    table = Table(title="Final grades by sample and assessor")
    for header in ("Sample and assessor", "Audits", *(g.label for g in rubric.scale),
                   "Ungraded", "Overrides"):
        table.add_column(header)
    for d in s.distributions:
        graded = d.audits - d.ungraded
        table.add_row(f"{d.sample.value}, {d.assessor.value}", f"{d.audits:,}",
                      *(_pct(d.counts[g], graded) for g in rubric.grade_keys),
                      f"{d.ungraded:,}", f"{d.overrides:,}")
    return table


def explain_view(explanation: CaseExplanation, rubric: Rubric) -> RenderableType:
    """Each audit of a case: criteria, answers, points lost, caps and the grades; for an
    audit without answers (a grades-only workbook), a sentence saying so."""
    parts: list[RenderableType] = []
    for item in explanation.audits:
        g = item.graded
        title = (f"Case {g.case_ref} - {rubric.case_type_labels[g.case_type]} - "
                 f"{g.assessor.value} audit")
        if item.has_answers:
            parts.append(fit(_criteria_table(item, rubric, title)))
        else:
            parts.append(Text(title, style="italic"))
        parts.append(_grade_path(item, rubric))
    return Group(*parts)


def _answer_style(key: str | None, rubric: Rubric) -> str:
    """An answer's colour: its own from the rubric, else green for the best-scoring
    answer, red for the lowest, yellow between; dim for a blank or an unscored one."""
    answer = rubric.answers_by_key.get(key or "")
    if answer is None or not answer.scored:
        return "dim"
    if answer.colour:
        return f"on #{answer.colour} black"
    if answer.key == rubric.best_answer.key:
        return "green"
    return "red" if answer.key == rubric.worst_answer.key else "yellow"


def _criteria_table(item: AuditExplanation, rubric: Rubric, title: str) -> Table:
    """Criteria under their theme: the id with its question below it, the answer, the
    weight and the points lost (with any cap)."""
    themes = {t.key: t.label for t in rubric.themes}
    table = Table(title=title, title_justify="left")
    table.add_column("Theme and criterion")
    table.add_column("Answer")
    table.add_column("Weight", justify="right")
    table.add_column("Points lost", justify="right")
    theme = None
    for line in item.criteria:
        if line.theme != theme:
            theme = line.theme
            if table.rows:
                table.rows[-1].end_section = True
            table.add_row(Text(themes[line.theme], style="bold"), "", "", "")
        style = _answer_style(line.answer, rubric)
        lost = f"-{line.points_lost:.1f}" if line.points_lost else ""
        if line.caps_at:
            lost += f" cap: {rubric.grade_labels[line.caps_at]}"
        criterion = Text.assemble((line.id, "cyan"), "\n", (line.question, "dim"))
        shown = rubric.answers_by_key[line.answer].label if line.answer else "(blank)"
        table.add_row(criterion, Text(shown, style=style),
                      f"{line.weight:g}", lost.strip())
    return table


def _grade_path(item: AuditExplanation, rubric: Rubric) -> Text:
    """Score to band to computed to final grade, in one line; for an audit without
    answers, that its grade was written, not computed."""
    g = item.graded
    labels = rubric.grade_labels
    if not item.has_answers:
        if g.given_grade:
            summary = (f"No criterion is answered in this audit: its grade, "
                       f"{labels[g.given_grade]}, was given in the workbook, not computed "
                       "from answers")
        else:
            summary = "No criterion is answered and no grade was written"
    elif g.gradable:
        summary = f"Score {g.score:.1f} of 100 -> band {labels[g.band_grade or '']}"
        if g.caps:
            summary += f"; capped by {', '.join(g.caps)}"
        summary += f" -> computed {labels[g.computed_grade or '']}"
        if g.given_grade:
            summary += f"; written {labels[g.given_grade]}"
            if g.override:
                summary += " (override)"
    else:
        summary = g.reasons[0].message if g.reasons else "not gradable"
        if g.given_grade:
            summary += f"; written {labels[g.given_grade]}"
    final = labels.get(g.final_grade or "", "none")
    return Text.assemble(summary + "; final ", (final, "bold " + grade_style(
        rubric, g.final_grade)))


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
                            f"when {rubric.answers_by_key[rule.answer(rubric)].label}",
                            style="red")
            sub = node.add(line)
            sub.add(Text(c.question, style="dim"))
    unscored = [a.label for a in rubric.answers if not a.scored]
    tree.add("Answers score: " + ", ".join(f"{a.label} {a.score:g}"
                                           for a in rubric.scored_answers)
             + (f"; {', '.join(unscored)} not scored (drops out)" if unscored else ""))
    if rubric.rollup is not None:
        tree.add(f"Topic grades: each theme is a topic; the force's grade for a topic is "
                 f"{rubric.rollup.describe(rubric)} of the inspectors' case file reviews")
    tree.add(f"Gradable with at least {rubric.min_answered} scored answers; judgements "
             f"{rubric.significant_difference}"
             f"{'' if rubric.significant_difference >= len(rubric.scale) - 1 else ' or more'} "
             "levels apart differ significantly")
    if rubric.requires_version is not None:
        tree.add(f"Written for hmic-audit {rubric.requires_version}")
    if rubric.changelog:
        log = tree.add(f"Changelog ({len(rubric.changelog)}), newest first")
        for note in changelog_newest_first(rubric):
            entry = log.add(Text.assemble((f"{note.version}", "bold"),
                                          f"  {note.date}" if note.date else ""))
            for change in note.changes:
                entry.add(change)
    return tree


def changelog_newest_first(rubric: Rubric) -> list[ChangeNote]:
    """The rubric's changelog, newest version first: ordered by version number when
    every entry's version is one (PEP 440), else as the file lists them."""
    from packaging.version import InvalidVersion, Version

    try:
        versions = [Version(note.version) for note in rubric.changelog]
    except InvalidVersion:
        return list(rubric.changelog)
    order = sorted(range(len(versions)), key=lambda i: versions[i], reverse=True)
    return [rubric.changelog[i] for i in order]


def fmt_number(v: object) -> str:
    """Cell text: floats to three decimals, tiny ones (p-values) in scientific notation,
    and a float already rounded to one decimal (a percentage: 75.4) as it is."""
    if v is None:
        return ""
    if isinstance(v, float):
        if v and abs(v) < 0.001:
            return f"{v:.2e}"
        return f"{v:.1f}" if (abs(v) >= 1 or not v) and v == round(v, 1) else f"{v:.3f}"
    return str(v)


def spec_table(spec: TableSpec, rubric: Rubric | None = None,
               at_most: int | None = None) -> RenderableType | None:
    """A rich table from a shared table spec (see ``render.compare_tables``), showing at
    most ``at_most`` rows and counting the rest; a table without rows is left out (its
    title and note stand alone when it has a note), and so None when it has neither."""
    more = spec.more + (max(len(spec.rows) - at_most, 0) if at_most is not None else 0)
    if not spec.rows and not more:
        if not spec.note:
            return None
        return Group(Text(spec.title, style="italic"), Text(spec.note, style="italic"))
    rows = spec.rows[:at_most]
    # a column with nothing in it (criteria answered differently, in a grades-only
    # workbook) is left out too
    keep = [i for i in range(len(spec.headers))
            if any(fmt_number(r[i]) for r in rows if i < len(r))]
    table = Table(title=spec.title, title_justify="left")
    for i in keep:
        numeric = any(isinstance(r[i], int | float) for r in rows if i < len(r))
        table.add_column(spec.headers[i], justify="right" if numeric and i else "left")
    for row in rows:
        table.add_row(*(fmt_number(row[i]) if i < len(row) else "" for i in keep))
    notes: list[RenderableType] = []
    if more:
        notes.append(Text(f"... and {plural(more, 'more row')} (all of them are "
                          "in --out or --format json)", style="dim"))
    if spec.note:
        notes.append(Text(spec.note, style="italic"))
    return Group(fit(table), *notes)


def compare_view(comparison: Comparison, rubric: Rubric) -> RenderableType:
    """The comparison for the terminal: every table but the full case list."""
    from .compare_tables import comparison_tables

    c = comparison
    head = Text.assemble(
        "Compared ", (", ".join(i.file for i in c.inputs), "bold"),
        f" on {c.basis}: {plural(c.pairs, 'pair')}, "
        f"{c.use} grades, significant at {c.threshold}{'+' if c.or_more else ''} levels"
        + (f", {plural(c.moderated, 'grade')} moderated" if c.moderated else ""))
    parts: list[RenderableType] = [head]
    for spec in comparison_tables(c, rubric, with_cases=False, at_most=SHOW_AT_MOST):
        view = spec_table(spec, rubric)
        if view is not None:
            parts.append(view)
    if c.inspector_only:
        has, be = ("has", "is") if c.inspector_only == 1 else ("have", "are")
        parts.append(Text(f"{plural(c.inspector_only, 'inspector-selected case')} {has} "
                          f"inspector audits only, by design, and {be} not compared.",
                          style="dim"))
    return Group(*parts)


def agree_view(found: ReaderAgreements) -> RenderableType:
    """``hmic-audit agree`` for the terminal: all readers together, then each pair."""
    from .agree_tables import agree_tables

    head = Text.assemble("Readers of ", (", ".join(i.file for i in found.inputs), "bold"),
                         f": {plural(len(found.readers), 'reader')}, "
                         f"{plural(found.cases, 'case')} with an inspector audit")
    views = [spec_table(s) for s in agree_tables(found)]
    return Group(head, *(v for v in views if v is not None))
