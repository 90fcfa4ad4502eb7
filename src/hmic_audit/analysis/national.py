"""The national view: tables comparing forces, when the inputs hold more than one.

An audit's force is its ``force`` column, else the name of the file it came from (without
the extension). Forces are listed alphabetically (ignoring case) and each table ends with
a total row: the sum of the force rows (agreement's kappa is computed on every pair
together, not summed).
"""

from __future__ import annotations

import numpy as np

from ..rubric import Rubric
from ..text import or_list
from . import tables as t
from .annex_table import (
    AnnexTable,
    Cell,
    Column,
    grade_table,
    pairs_query,
    percent_cells,
    share_columns,
)
from .disclosure import Query, case_query
from .stats import cohen_kappa, crosstab
from .tables import Shared


def national_tables(shared: Shared) -> list[AnnexTable]:
    """Grades, the share judged acceptable, and agreement, per force; none when every
    audit belongs to one force."""
    pool, rubric = shared.pool, shared.rubric
    forces, names = shared.forces
    if len(names) < 2:
        return []
    grades = t.grades_by_force(pool, rubric, forces, names)
    return [grade_table("national_grades", "Inspectors' final grades by force", "Force",
                        grades, rubric),
            _acceptable(grades, rubric), _agreement(shared, forces, names)]


def _acceptable(grades: t.GradeTable, rubric: Rubric) -> AnnexTable:
    ok = [rubric.grade_keys.index(g) for g in rubric.acceptable_grades]
    label = or_list([rubric.grade_labels[g].lower() for g in rubric.acceptable_grades])
    hits = grades.counts[:, ok].sum(axis=1).tolist()
    graded = grades.counts.sum(axis=1).tolist()
    rows: list[list[Cell]] = []
    queries: list[list[Query | None]] = []
    forces = [str(k) for k in grades.keys]
    for name, h, n in [*zip(grades.labels, hits, graded, strict=True),
                       ("Total", sum(hits), sum(graded))]:
        rows.append([name, h, n, f"{h} of {n}", *percent_cells(h, n)])
        which = forces if name == "Total" and len(rows) > len(forces) else name
        queries.append([None, case_query(force=which, inspector_grade=rubric.acceptable_grades),
                        case_query(force=which, inspector_grade=rubric.grade_keys),
                        None, None, None, None])
    return AnnexTable(queries=queries,
        name="national_acceptable", title=f"Share of cases judged {label}, by force",
        columns=[Column(key="force", title="Force", kind="label"),
                 Column(key="ok", title=label.capitalize(), kind="count"),
                 Column(key="graded", title="Graded", kind="count"),
                 Column(key="share", title="Share", kind="text", spells=("ok", "graded")),
                 *share_columns("ok", "graded", label.capitalize())],
        rows=rows, total_row=True, note="Inspectors' final grades of every case they "
        "examined; cases without a grade are left out.")


def _agreement(shared: Shared, forces: np.ndarray, names: list[str]) -> AnnexTable:
    k = len(shared.rubric.scale)
    every = shared.pairs  # each case paired within its own force
    rows: list[list[Cell]] = []
    for n, name in enumerate(names):
        mine = forces[every.force] == n
        rows.append(_agreement_row(name, every.force_level[mine],
                                   every.inspector_level[mine], k))
    rows.append(_agreement_row("Total", every.force_level, every.inspector_level, k))
    keys = shared.rubric.grade_keys
    every_force: list[str | list[str]] = [*names, list(names)]
    queries = [[None, *_agreement_queries(which, keys), None, None, None]
               for which in every_force]
    # kappa is computed from each force's whole cross-tab, which no table publishes
    derived = [[case_query(force=which, force_grade=a, inspector_grade=b) for a in keys
                for b in keys] for which in every_force]
    return AnnexTable(queries=queries, derived=derived,
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


def _agreement_queries(force: str | list[str], keys: list[str]) -> list[Query | None]:
    """The units of an agreement row's counts: pairs, same grade, within one grade, force
    higher, force lower."""
    return [pairs_query(keys, keep, force=force) for keep in (
        lambda d: True, lambda d: d == 0, lambda d: abs(d) <= 1, lambda d: d > 0,
        lambda d: d < 0)]


def _agreement_row(name: str, force: np.ndarray, insp: np.ndarray, k: int) -> list[Cell]:
    diff = insp - force
    kappa = cohen_kappa(crosstab(force, insp, k), "quadratic") if len(diff) else None
    values = (kappa.value, kappa.ci_low, kappa.ci_high) if kappa else (None, None, None)
    return [name, int(len(diff)), int((diff == 0).sum()), int((abs(diff) <= 1).sum()),
            int((diff > 0).sum()), int((diff < 0).sum()),
            *(None if v is None else round(v, 3) for v in values)]
