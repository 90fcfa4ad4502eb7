"""The comparison as tables, computed once and shared by the terminal, Markdown, xlsx and
CSV outputs; ``comparison_file`` renders the file ``compare --out`` writes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..analysis.compare import Comparison, Statistic
from ..crosswalk import CrosswalkRef
from ..rubric import Rubric
from ..text import md_escape
from .markdown import md_table


@dataclass(frozen=True)
class TableSpec:
    """A titled table: the unit every comparison output is built from."""

    name: str
    """Short name (xlsx sheet name)."""
    title: str
    headers: list[str]
    rows: list[list[object]]
    note: str | None = None
    grade_columns: tuple[int, ...] = ()
    more: int = 0
    """Rows left out of ``rows`` (a view showing only the first few)."""


def pct(part: int, whole: int) -> str:
    """A whole-number percentage, "-" without a whole."""
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _ci(s: Statistic) -> str:
    if s.ci_low is None or s.ci_high is None:
        return ""
    return f"{s.ci_low:.3f} to {s.ci_high:.3f}"


def _value(s: Statistic) -> object:
    return round(s.value, 4) if s.value is not None else "undefined"


def crosstab_table(c: Comparison, rubric: Rubric) -> TableSpec:
    """Force grades (rows) by inspector grades (columns), with margins."""
    labels = [rubric.grade_labels[g] for g in c.grades]
    rows: list[list[object]] = [[label, *counts, sum(counts)]
                                for label, counts in zip(labels, c.crosstab, strict=True)]
    rows.append(["Total", *c.inspector_margin, c.pairs])
    return TableSpec("Cross-tab", "Force grades (rows) against inspector grades (columns)",
                     ["Force \\ Inspectors", *labels, "Total"], rows,
                     grade_columns=(0,))


def agreement_table(c: Comparison) -> TableSpec:
    """Agreement, kappa, Gwet's AC1/AC2, alpha, direction and the sign test."""
    d = c.direction
    rows: list[list[object]] = [
        ["Pairs compared", c.pairs, "", ""],
        ["Exact agreement", c.exact, pct(c.exact, c.pairs), ""],
        ["Agreement within one grade", c.within_one, pct(c.within_one, c.pairs), ""],
    ]
    for name, label in (("unweighted", "Cohen's kappa"), ("linear", "Kappa, linear weights"),
                        ("quadratic", "Kappa, quadratic weights")):
        s = c.kappa[name]
        rows.append([label, _value(s), _ci(s), s.note or ""])
    for label, gwet in (("Gwet's AC1", c.ac1), ("Gwet's AC2, quadratic weights",
                                                 c.ac2_quadratic)):
        if gwet is not None:
            rows.append([label, _value(gwet), _ci(gwet), gwet.note or ""])
    a = c.alpha_ordinal
    rows.append(["Krippendorff's alpha (ordinal)", _value(a), "", a.note or ""])
    rows += [
        ["Force graded higher than inspectors", d.force_higher, pct(d.force_higher, c.pairs),
         ""],
        ["Same grade", d.same, pct(d.same, c.pairs), ""],
        ["Force graded lower than inspectors", d.force_lower, pct(d.force_lower, c.pairs), ""],
        ["Mean difference (inspector minus force, levels)", round(d.mean_difference, 4), "",
         "positive: inspectors less favourable"],
        ["Sign test p-value (two-sided, exact)",
         "n/a" if d.sign_test_p is None else float(f"{d.sign_test_p:.6g}"), "",
         "no case differs" if d.sign_test_p is None else ""],
        [f"Significant differences ({c.threshold}{'+' if c.or_more else ''} levels)",
         len(c.significant), "", ""],
    ]
    return TableSpec("Agreement", "Agreement and direction", ["Measure", "Value",
                     "Share or 95% interval", "Note"], rows, note=d.sentence)


def differences_table(c: Comparison, rubric: Rubric, at_most: int | None = None
                      ) -> TableSpec:
    """The cases whose judgements differ significantly (the first ``at_most``), with the
    criteria answered differently in the rubric's words."""
    def said(key: str | None) -> str:
        answer = rubric.answers_by_key.get(key or "")
        return answer.label if answer else "blank"

    rows: list[list[object]] = [
        [d.case_ref, rubric.case_type_labels[d.case_type], d.area or "",
         rubric.grade_labels[d.force_grade], rubric.grade_labels[d.inspector_grade], d.levels,
         "; ".join(f"{x.id}: {said(x.force)} / {said(x.inspector)}" for x in d.criteria)]
        for d in c.significant[:at_most]]
    return TableSpec("Significant", f"Cases whose judgements differ by {c.threshold}{c.or_more} "
                     "grade levels", ["Case", "Case type", "Area", "Force", "Inspectors",
                                      "Levels", "Criteria answered differently (force / "
                                      "inspectors)"], rows, grade_columns=(3, 4),
                     note=None if rows else "No case differs by that much.",
                     more=len(c.significant) - len(rows))


def criteria_table(c: Comparison, rubric: Rubric) -> TableSpec:
    """How often the two sides answered each criterion alike."""
    themes = {t.key: t.label for t in rubric.themes}
    rows: list[list[object]] = [
        [x.id, themes[x.theme], x.pairs, x.agree, pct(x.agree, x.pairs), x.force_no,
         x.inspector_no, x.more_no] for x in c.criteria]
    worst = rubric.worst_answer.label.lower()
    return TableSpec("Criteria", "Criterion answers: how often the two sides agreed",
                     ["Criterion", "Theme", "Both answered", "Same answer", "Agreement",
                      f"Force '{worst}'", f"Inspectors '{worst}'", f"More often '{worst}'"],
                     rows)


def groups_table(c: Comparison) -> TableSpec | None:
    """Headline figures per case type or area (None without ``--by``)."""
    if not c.by:
        return None
    title = "case type" if c.by == "case_type" else "area"
    rows: list[list[object]] = [
        [g.group, g.pairs, g.exact, pct(g.exact, g.pairs), g.within_one,
         _value(g.kappa_quadratic), g.force_higher, g.same, g.force_lower, g.significant]
        for g in c.groups]
    return TableSpec("By group", f"Headline figures by {title}",
                     [title.capitalize(), "Pairs", "Exact", "Exact %", "Within one",
                      "Kappa (quadratic)", "Force higher", "Same", "Force lower",
                      "Significant"], rows)


def cases_table(c: Comparison, rubric: Rubric) -> TableSpec:
    """Every compared case with both grades (through a crosswalk, also each grade as
    given under its own rubric)."""
    types, grades = rubric.case_type_labels, rubric.grade_labels
    cases = c.paired.records()
    rows: list[list[object]] = [
        [p["case_ref"], types[p["case_type"]], p["area"] or "", grades[p["force_grade"]],
         grades[p["inspector_grade"]], p["levels"], "yes" if p["significant"] else "no"]
        for p in cases]
    headers = ["Case", "Case type", "Area", "Force grade", "Inspector grade", "Levels apart",
               "Significant"]
    if c.crosswalk is not None:
        headers += ["Force grade as given", "Inspector grade as given"]
        for row, p in zip(rows, cases, strict=True):
            row += [p["force_original"] or "", p["inspector_original"] or ""]
        headers[3:5] = [f"Force grade ({c.crosswalk.name})",
                        f"Inspector grade ({c.crosswalk.name})"]
    return TableSpec("Cases", "Every compared case", headers, rows, grade_columns=(3, 4))


def unmatched_table(c: Comparison, at_most: int | None = None) -> TableSpec | None:
    """Cases not compared: one side only, or no grade of the kind compared on one side
    (the first ``at_most``)."""
    if not c.unmatched and not c.excluded:
        return None
    rows: list[list[object]] = [[u.case_ref, f"{u.has.value} only", u.file or "", u.row or ""]
                                for u in c.unmatched[:at_most]]
    left = None if at_most is None else max(at_most - len(rows), 0)
    rows += [[ref, f"no {c.use} grade on one side", "", ""] for ref in c.excluded[:left]]
    return TableSpec("Unmatched", "Cases not compared", ["Case", "Why", "File", "Row"], rows,
                     more=len(c.unmatched) + len(c.excluded) - len(rows))


class _Crosswalked(Protocol):
    @property
    def crosswalk(self) -> CrosswalkRef | None: ...


def crosswalk_table(c: _Crosswalked) -> TableSpec | None:
    """How a crosswalk put the inputs' grades on one scale (None without one): for a
    comparison, or any result that names its crosswalk (``rounds``)."""
    if c.crosswalk is None:
        return None
    x = c.crosswalk
    return TableSpec("Crosswalk", f"Grades put on one scale by crosswalk {x.name} "
                     f"v{x.version} ({x.title})", ["Rubric", "Grade", "Counted as"],
                     [[m.rubric, m.grade, m.becomes] for m in x.mapping],
                     note="The inputs were graded under different rubrics, so their "
                     "criteria are not compared; grades are compared on the scale "
                     f"{', '.join(x.scale)}.")


def comparison_tables(c: Comparison, rubric: Rubric, *, with_cases: bool = True,
                      at_most: int | None = None) -> list[TableSpec]:
    """Every table of a comparison, in reading order (the crosswalk first, when one put
    the grades on one scale); the case lists (significant differences, cases not
    compared) cut to their first ``at_most`` rows for a view."""
    tables = [t for t in (crosswalk_table(c),) if t is not None]
    tables += [crosstab_table(c, rubric), agreement_table(c),
               differences_table(c, rubric, at_most)]
    if c.crosswalk is None:
        tables.append(criteria_table(c, rubric))
    tables += [t for t in (groups_table(c), unmatched_table(c, at_most)) if t is not None]
    if with_cases:
        tables.append(cases_table(c, rubric))
    return tables


def comparison_file(out: Path, c: Comparison, rubric: Rubric, cut: list[str]) -> bytes:
    """The bytes of ``compare --out``: .md (a report), .csv (one row per compared case)
    or .xlsx (a sheet per table). Cells cut to fit a spreadsheet are noted in ``cut``."""
    suffix = out.suffix.lower()
    if suffix == ".md":
        return render_comparison_markdown(c, rubric).encode("utf-8")
    if suffix == ".parquet":  # one row per compared case, typed (see render.parquet)
        from .parquet import frame_parquet, provenance

        facts = provenance(rubric, c.inputs)
        if c.crosswalk is not None:
            facts["crosswalk"] = c.crosswalk.model_dump(mode="json")
        cases = c.frames()["cases"]
        for column in ("case_type", "area"):  # categories, as grade's Parquet has them
            cases[column] = cases[column].astype("category")
        return frame_parquet(cases, facts)
    if suffix == ".csv":
        from .csv import render_csv

        table = cases_table(c, rubric)
        return render_csv(table.headers, table.rows, cut)
    from .xlsx import Sheet, render_workbook

    sheets = [Sheet(t.name, t.headers, t.rows, grade_columns=t.grade_columns, note=t.note)
              for t in comparison_tables(c, rubric)]
    return render_workbook(sheets, rubric=rubric, warnings=cut)


def render_comparison_markdown(comparison: Comparison, rubric: Rubric) -> str:
    """The comparison as a Markdown document: a heading and every table."""
    c = comparison
    files = ", ".join(md_escape(i.file) for i in c.inputs)
    parts = ["# Self-assessment compared with inspection\n",
             f"Input: {files}. Graded on {md_escape(c.basis)}; "
             f"{c.use} grades compared; judgements {c.threshold}{c.or_more} levels apart count "
             "as significantly different.\n",
             f"{md_escape(c.direction.sentence)}\n"]
    for t in comparison_tables(c, rubric):
        parts.append(f"## {md_escape(t.title)}\n")
        parts.append(md_table(t.headers, t.rows))
        if t.note:
            parts.append(f"\n_{md_escape(t.note)}_\n")
    return "\n".join(parts)
