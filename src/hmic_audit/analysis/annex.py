"""Annex tables: the published tables behind a report, pure functions of graded audits.

Every proportion is shown with its count and denominator and, where a percentage is
shown, a Wilson 95% interval. Grade tables count *final* grades. Several workbooks (one
per force, or one with a ``force`` column) add the national tables comparing forces;
their total rows are the sums of the per-force rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..problems import HmicAuditError
from ..profile import ForceProfile, month_label
from ..rubric import Rubric
from ..scoring.grading import InputRef
from ..workbook.models import Assessor, Audit, GradedAudit, Sample
from .stats import cohen_kappa, crosstab, wilson_interval

Cell = str | int | float | None
ColumnKind = Literal["label", "count", "percent", "ci", "text", "number"]


class Column(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    title: str
    kind: ColumnKind
    of: str | None = None
    """For percent and ci columns: the count column (numerator) they derive from."""
    denominator: str | None = None
    """For percent and ci columns: the count column holding the denominator."""


class AnnexTable(BaseModel):
    """One published table."""

    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    total_row: bool = False
    """The last row holds the column sums of the count columns."""
    row_sums: list[tuple[str, list[str]]] = []
    """Per row, count columns that add up to another: (total column, part columns)."""
    chart: bool = False
    """A grade distribution: drawn as a bar chart in xlsx."""
    note: str | None = None

    def column(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)


TABLE_NAMES = ["case_types", "grades_by_sample", "grades_by_case_type", "grades_by_area",
               "theme_results", "criterion_compliance", "crosstab", "ofsted",
               "national_grades", "national_acceptable", "national_agreement"]


def _int(value: Cell) -> int:
    return value if isinstance(value, int) else 0


def _pct(part: int, whole: int) -> list[Cell]:
    ci = wilson_interval(part, whole)
    if ci is None:
        return [None, None, None]
    return [round(100 * part / whole, 1), round(100 * ci[0], 1), round(100 * ci[1], 1)]


def _share_columns(of: str, denominator: str, label: str) -> list[Column]:
    return [Column(key=f"{of}_pct", title=f"{label} %", kind="percent", of=of,
                   denominator=denominator),
            Column(key=f"{of}_low", title="95% CI low", kind="ci", of=of,
                   denominator=denominator),
            Column(key=f"{of}_high", title="95% CI high", kind="ci", of=of,
                   denominator=denominator)]


def _grade_table(name: str, title: str, label: str, groups: list[tuple[str, list[GradedAudit]]],
                 rubric: Rubric, note: str | None = None) -> AnnexTable:
    keys = rubric.grade_keys
    columns = [Column(key="group", title=label, kind="label")]
    columns += [Column(key=g, title=rubric.grade_labels[g], kind="count") for g in keys]
    columns += [Column(key="ungraded", title="Not graded", kind="count"),
                Column(key="total", title="Total", kind="count")]
    rows: list[list[Cell]] = []
    for group, audits in groups:
        counts = [sum(a.final_grade == g for a in audits) for g in keys]
        rows.append([group, *counts, sum(a.final_grade is None for a in audits), len(audits)])
    rows.append(["Total", *(sum(_int(r[i]) for r in rows) for i in range(1, len(keys) + 3))])
    return AnnexTable(name=name, title=title, columns=columns, rows=rows, total_row=True,
                      row_sums=[("total", [*keys, "ungraded"])], chart=True, note=note)


def _inspector(graded: Sequence[GradedAudit]) -> list[GradedAudit]:
    return [a for a in graded if a.assessor is Assessor.INSPECTOR]


def case_types(graded: Sequence[GradedAudit], rubric: Rubric) -> AnnexTable:
    insp = _inspector(graded)
    rows: list[list[Cell]] = []
    for ct in rubric.case_types:
        counts = [sum(a.case_type == ct.key and a.sample is s for a in insp) for s in Sample]
        if any(counts):
            rows.append([ct.label, *counts, sum(counts)])
    rows.append(["Total", *(sum(_int(r[i]) for r in rows) for i in (1, 2, 3))])
    return AnnexTable(
        name="case_types", title="Cases examined by type and sample",
        columns=[Column(key="type", title="Type of case", kind="label"),
                 Column(key="self", title="Self-assessed", kind="count"),
                 Column(key="further", title="Selected by inspectors", kind="count"),
                 Column(key="total", title="Total", kind="count")],
        rows=rows, total_row=True, row_sums=[("total", ["self", "further"])])


def grades_by_sample(graded: Sequence[GradedAudit], rubric: Rubric) -> AnnexTable:
    groups = [(f"{s.value}, {a.value}", [g for g in graded if g.sample is s and g.assessor is a])
              for s in Sample for a in Assessor]
    return _grade_table("grades_by_sample", "Final grades by sample and assessor",
                        "Sample and assessor", [g for g in groups if g[1]], rubric)


def grades_by_case_type(graded: Sequence[GradedAudit], rubric: Rubric) -> AnnexTable:
    insp = _inspector(graded)
    groups = [(ct.label, [a for a in insp if a.case_type == ct.key]) for ct in rubric.case_types]
    return _grade_table("grades_by_case_type", "Inspectors' final grades by case type",
                        "Type of case", [g for g in groups if g[1]], rubric)


def grades_by_area(graded: Sequence[GradedAudit], rubric: Rubric) -> AnnexTable:
    insp = _inspector(graded)
    areas = sorted({a.area or "(no area)" for a in insp}, key=str.casefold)
    groups = [(area, [a for a in insp if (a.area or "(no area)") == area]) for area in areas]
    return _grade_table("grades_by_area", "Inspectors' final grades by area", "Area", groups,
                        rubric)


SCOPES: list[tuple[str, Callable[[Audit], bool]]] = [
    ("inspectors, all cases", lambda a: a.assessor is Assessor.INSPECTOR),
    ("inspectors, self-assessed", lambda a: a.assessor is Assessor.INSPECTOR
     and a.sample is Sample.SELF_ASSESSED),
    ("inspectors, selected by inspectors", lambda a: a.assessor is Assessor.INSPECTOR
     and a.sample is Sample.INSPECTOR_SELECTED),
    ("force, self-assessed", lambda a: a.assessor is Assessor.FORCE),
]


def _compliance_columns(first: list[Column]) -> list[Column]:
    return [*first,
            Column(key="yes", title="Met (yes)", kind="count"),
            Column(key="partly", title="Partly", kind="count"),
            Column(key="no", title="Not met (no)", kind="count"),
            Column(key="answered", title="Answered", kind="count"),
            Column(key="met", title="Met", kind="text"),
            Column(key="not_met", title="Not met", kind="text"),
            *_share_columns("yes", "answered", "Met")]


class _Answers:
    """Answer counts per criterion for each scope of audits, computed once with numpy."""

    def __init__(self, audits: Sequence[Audit], rubric: Rubric) -> None:
        from ..rubric import ANSWER_CODES
        from ..workbook.frame import answer_matrix

        codes = answer_matrix(audits, rubric)
        self.ids = rubric.criterion_ids
        self.counts: dict[str, np.ndarray] = {}
        for scope, keep in SCOPES:
            mask = np.fromiter((keep(a) for a in audits), dtype=bool, count=len(audits))
            chosen = codes[mask]
            self.counts[scope] = np.stack([(chosen == ANSWER_CODES[a]).sum(axis=0)
                                           for a in ("yes", "partly", "no")])

    def met(self, scope: str, ids: list[str]) -> tuple[int, int, int, int]:
        cols = [self.ids.index(i) for i in ids]
        yes, partly, no = (int(x) for x in self.counts[scope][:, cols].sum(axis=1))
        return yes, partly, no, yes + partly + no


def theme_results(audits: Sequence[Audit], rubric: Rubric,
                  answers: _Answers | None = None) -> AnnexTable:
    answers = answers or _Answers(audits, rubric)
    rows: list[list[Cell]] = []
    for theme in rubric.themes:
        ids = [c.id for c in rubric.criteria if c.theme == theme.key]
        for scope, _ in SCOPES:
            yes, partly, no, n = answers.met(scope, ids)
            if n:
                rows.append([theme.label, scope, yes, partly, no, n, f"{yes} of {n}",
                             f"{no} of {n}", *_pct(yes, n)])
    return AnnexTable(
        name="theme_results", title="Theme results: share of applicable criteria met",
        columns=_compliance_columns([Column(key="theme", title="Theme", kind="label"),
                                     Column(key="scope", title="Audits", kind="text")]),
        rows=rows, row_sums=[("answered", ["yes", "partly", "no"])],
        note="Every yes, partly or no answer to a criterion of the theme counts once; "
        "n/a and blank answers are left out.")


def criterion_compliance(audits: Sequence[Audit], rubric: Rubric,
                         answers: _Answers | None = None) -> AnnexTable:
    answers = answers or _Answers(audits, rubric)
    rows: list[list[Cell]] = []
    for c in rubric.criteria:
        for scope, _ in SCOPES:
            yes, partly, no, n = answers.met(scope, [c.id])
            if n:
                rows.append([c.id, c.question, scope, yes, partly, no, n, f"{yes} of {n}",
                             f"{no} of {n}", *_pct(yes, n)])
    return AnnexTable(
        name="criterion_compliance", title="Criterion compliance",
        columns=_compliance_columns([Column(key="criterion", title="Criterion", kind="label"),
                                     Column(key="question", title="Question", kind="text"),
                                     Column(key="scope", title="Audits", kind="text")]),
        rows=rows, row_sums=[("answered", ["yes", "partly", "no"])])


def crosstab_table(audits: Sequence[Audit], graded: Sequence[GradedAudit],
                   rubric: Rubric) -> AnnexTable | None:
    force, insp = _pairs(audits, graded, rubric)
    if not len(force):
        return None
    k = len(rubric.scale)
    table = crosstab(force, insp, k)
    labels = [rubric.grade_labels[g] for g in rubric.grade_keys]
    rows: list[list[Cell]] = [[labels[i], *map(int, table[i]), int(table[i].sum())]
                              for i in range(k)]
    rows.append(["Total", *map(int, table.sum(axis=0)), int(table.sum())])
    return AnnexTable(
        name="crosstab", title="Self-assessed cases: force grade (rows) by inspector grade",
        columns=[Column(key="force", title="Force \\ inspectors", kind="label"),
                 *(Column(key=g, title=labels[i], kind="count")
                   for i, g in enumerate(rubric.grade_keys)),
                 Column(key="total", title="Total", kind="count")],
        rows=rows, total_row=True, row_sums=[("total", rubric.grade_keys)])


def _pairs(audits: Sequence[Audit], graded: Sequence[GradedAudit], rubric: Rubric
           ) -> tuple[np.ndarray, np.ndarray]:
    """Force and inspector levels of every case graded by both (per force, by reference)."""
    level = {g: i for i, g in enumerate(rubric.grade_keys)}
    sides: dict[tuple[str, str], dict[Assessor, str]] = {}
    for a, g in zip(audits, graded, strict=True):
        if g.final_grade is not None:
            sides.setdefault((a.force or "", a.case_ref.casefold()), {})[a.assessor] = \
                g.final_grade
    both = [s for s in sides.values() if len(s) == 2]
    return (np.array([level[s[Assessor.FORCE]] for s in both], dtype=int),
            np.array([level[s[Assessor.INSPECTOR]] for s in both], dtype=int))


def ofsted_table(profile: ForceProfile) -> AnnexTable:
    return AnnexTable(
        name="ofsted", title=f"Ofsted judgements of the local authorities ({profile.force})",
        columns=[Column(key="authority", title="Local authority", kind="label"),
                 Column(key="judgement", title="Ofsted judgement", kind="text"),
                 Column(key="date", title="Date", kind="text")],
        rows=[[la.name, la.ofsted_judgement.capitalize(), month_label(la.judgement_month)]
              for la in profile.local_authorities])


def force_of(audit: Audit, inputs: dict[str, str]) -> str:
    """The force an audit belongs to: its ``force`` column, else its file's name."""
    if audit.force:
        return audit.force
    return inputs.get(audit.source.file if audit.source else "", "(unknown)")


def national_tables(audits: Sequence[Audit], graded: Sequence[GradedAudit], rubric: Rubric,
                    forces: list[str], force_names: list[str]) -> list[AnnexTable]:
    """Tables comparing forces; ``forces`` gives each audit's force, in order."""
    insp = [(f, g) for f, g in zip(forces, graded, strict=True)
            if g.assessor is Assessor.INSPECTOR]
    grades = _grade_table("national_grades", "Inspectors' final grades by force", "Force",
                          [(n, [g for f, g in insp if f == n]) for n in force_names], rubric)
    ok = rubric.acceptable_grades
    label = " or ".join(rubric.grade_labels[g].lower() for g in ok)
    rows: list[list[Cell]] = []
    for n in force_names + ["Total"]:
        mine = [g for f, g in insp if (f == n or n == "Total") and g.final_grade]
        hits = sum(g.final_grade in ok for g in mine)
        rows.append([n, hits, len(mine), f"{hits} of {len(mine)}", *_pct(hits, len(mine))])
    acceptable = AnnexTable(
        name="national_acceptable", title=f"Share of cases judged {label}, by force",
        columns=[Column(key="force", title="Force", kind="label"),
                 Column(key="ok", title=label.capitalize(), kind="count"),
                 Column(key="graded", title="Graded", kind="count"),
                 Column(key="share", title="Share", kind="text"),
                 *_share_columns("ok", "graded", label.capitalize())],
        rows=rows, total_row=True, note="Inspectors' final grades of every case they "
        "examined; cases without a grade are left out.")
    return [grades, acceptable, _national_agreement(audits, graded, rubric, forces,
                                                    force_names)]


def _national_agreement(audits: Sequence[Audit], graded: Sequence[GradedAudit],
                        rubric: Rubric, forces: list[str], force_names: list[str]
                        ) -> AnnexTable:
    k = len(rubric.scale)
    rows: list[list[Cell]] = []
    for n in force_names + ["Total"]:
        keep = [i for i, f in enumerate(forces) if f == n or n == "Total"]
        force, insp = _pairs([audits[i] for i in keep], [graded[i] for i in keep], rubric)
        diff = insp - force
        kappa = cohen_kappa(crosstab(force, insp, k), "quadratic") if len(diff) else None
        rows.append([n, int(len(diff)), int((diff == 0).sum()), int((abs(diff) <= 1).sum()),
                     int((diff > 0).sum()), int((diff < 0).sum()),
                     *(None if kappa is None or v is None else round(v, 3)
                       for v in ((kappa.value, kappa.ci_low, kappa.ci_high) if kappa
                                 else (None, None, None)))])
    return AnnexTable(
        name="national_agreement", title="Force against inspector agreement, by force",
        columns=[Column(key="force", title="Force", kind="label"),
                 Column(key="pairs", title="Pairs", kind="count"),
                 Column(key="exact", title="Same grade", kind="count"),
                 Column(key="within_one", title="Within one grade", kind="count"),
                 Column(key="force_higher", title="Force graded higher", kind="count"),
                 Column(key="force_lower", title="Force graded lower", kind="count"),
                 Column(key="kappa", title="Kappa (quadratic)", kind="number"),
                 Column(key="kappa_low", title="95% CI low", kind="number"),
                 Column(key="kappa_high", title="95% CI high", kind="number")],
        rows=rows, total_row=True,
        note="Kappa in the total row is computed on all pairs together, not summed.")


def build_annex(audits: Sequence[Audit], graded: Sequence[GradedAudit], rubric: Rubric, *,
                inputs: Sequence[InputRef], profile: ForceProfile | None = None,
                tables: Sequence[str] | None = None) -> list[AnnexTable]:
    """Every annex table (or those named), in publication order."""
    unknown = [t for t in tables or [] if t not in TABLE_NAMES]
    if unknown:
        from ..problems import Problem

        raise HmicAuditError("unknown table", [Problem(
            code="unknown-table", value=", ".join(unknown),
            message=f"--tables names {', '.join(unknown)}; the tables are "
            f"{', '.join(TABLE_NAMES)}")])
    file_force = {i.file: i.file.rsplit(".", 1)[0] for i in inputs}
    forces = [force_of(a, file_force) for a in audits]
    names = sorted(set(forces), key=str.casefold)
    answered = _Answers(audits, rubric)
    built = [case_types(graded, rubric), grades_by_sample(graded, rubric),
             grades_by_case_type(graded, rubric), grades_by_area(graded, rubric),
             theme_results(audits, rubric, answered), criterion_compliance(audits, rubric,
                                                                         answered)]
    if (x := crosstab_table(audits, graded, rubric)) is not None:
        built.append(x)
    if profile is not None:
        built.append(ofsted_table(profile))
    if len(names) > 1:
        built += national_tables(audits, graded, rubric, forces, names)
    return [t for t in built if tables is None or t.name in tables]


__all__ = ["AnnexTable", "Column", "TABLE_NAMES", "build_annex"]
