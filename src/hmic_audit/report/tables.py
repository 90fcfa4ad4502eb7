"""The report's tables: the comparison's cross-tab, and Annex A (cases by type and
sample); the agreement measures are explained in words in Annex A (report/method.py).
Every cell is a registered figure counting the same units as the annex table it
repeats (the cross-tab, the cases by type), so when publishing it is hidden exactly when
the annex hides it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.annex_table import pairs_query
from ..analysis.comparison import CaseColumns, Comparison
from ..analysis.disclosure import audited, case_query
from ..rubric import Rubric
from ..workbook.format import SAMPLES
from .figures import FigureBook
from .findings import ReportTables


@dataclass
class Table:
    """A table of the report: headers, and rows of labels and figures."""

    headers: list[str]
    rows: list[list[object]]


def crosstab(book: FigureBook, c: Comparison, rubric: Rubric) -> Table:
    """The comparison's cross-tab, each cell a figure listing its cases."""
    labels = [rubric.grade_labels[g] for g in c.grades]
    cell_cases = _cell_cases(c.paired, len(c.grades))
    rows: list[list[object]] = []
    for i, g in enumerate(c.grades):
        cells = [book.count(f"compare.crosstab.{g}.{h}", c.crosstab[i][j],
                            f"cases graded {labels[i]} by the force and {labels[j]} by "
                            "inspectors", words=False, cell=True,
                            cases=cell_cases[i * len(c.grades) + j],
                            query=case_query(force_grade=g, inspector_grade=h))
                 for j, h in enumerate(c.grades)]
        total = book.count(f"compare.force_total.{g}", c.force_margin[i],
                           f"cases graded {labels[i]} by the force", words=False, cell=True,
                           query=case_query(force_grade=g, inspector_grade=c.grades))
        rows.append([labels[i], *cells, total])
    totals = [book.count(f"compare.inspector_total.{g}", c.inspector_margin[j],
                         f"cases graded {labels[j]} by inspectors", words=False, cell=True,
                         query=case_query(force_grade=c.grades, inspector_grade=g))
              for j, g in enumerate(c.grades)]
    rows.append(["Total", *totals, book.count("compare.total", c.pairs, "pairs",
                                              words=False, cell=True,
                                              query=pairs_query(c.grades, lambda d: True))])
    return Table(["Force \\ inspectors", *labels, "Total"], rows)


def _cell_cases(paired: CaseColumns, k: int) -> list[list[str]]:
    """The references of each cell of the cross-tab (force level * k + inspector level),
    each cell's in the order the cases were compared."""
    cell = paired.force_level * k + paired.inspector_level
    order = np.argsort(cell, kind="stable").tolist()
    refs = paired.case_ref
    ends = np.cumsum(np.bincount(cell, minlength=k * k)).tolist()
    return [[refs[n] for n in order[start:end]]
            for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def annex_a(book: FigureBook, t: ReportTables, rubric: Rubric) -> Table:
    """Cases by type and sample, each cell a figure (rows without a case left out, and
    only the cells shown registered)."""
    rows: list[list[object]] = []
    # a sample without a case (no self-assessment, say) is no column of zeros
    shown = [s for s in range(len(SAMPLES)) if t.types.counts[:, s].sum()] or \
        list(range(len(SAMPLES)))
    for r in t.types.shown:
        ct = rubric.case_types[r]
        cells: list[object] = [ct.label]
        for s in shown:
            sample = SAMPLES[s]
            group = t.types.members(r, s)
            cells.append(book.count(f"annex_a.{sample.value}.{ct.key}", len(group),
                                    f"{sample.value} cases of type {ct.label}", words=False,
                                    cell=True, cases=t.refs(group), query=audited(
                                        "inspector", case_type=ct.key, sample=sample.value)))
        rows.append(cells)
    types = [rubric.case_type_keys[r] for r in t.types.shown]
    totals = [book.count(f"annex_a.{sample.value}.total", int(t.types.counts[:, s].sum()),
                         f"{sample.value} cases", words=False, cell=True, query=audited(
                             "inspector", case_type=types, sample=sample.value))
              for s, sample in enumerate(SAMPLES) if s in shown]
    rows.append(["Total", *totals])
    titles = ["Self-assessed", "Selected by inspectors"]
    return Table(["Type of case", *(titles[s] for s in shown)], rows)
