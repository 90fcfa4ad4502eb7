"""The shared tables of the analysis stage, each built by one function over a ``Pool``.

``compare``, ``annex`` and the report count from these and from nothing else, so a
figure is computed once however many outputs show it. Every table keeps, per audit, the
row it was counted in, so a caller can name the cases behind any cell (the report's
figures do); and every table gives analysts a pandas DataFrame with ``to_frame``.

* :class:`GradeTable` - final grades by a grouping: sample and assessor, case type, area,
  force (``grades_by_*``);
* :class:`CaseTypeTable` - the inspectors' cases by type and sample (Annex A);
* :class:`~hmic_audit.analysis.pairs.Pairs` - the force and the inspector audit of each
  case and their cross-tab (module :mod:`~hmic_audit.analysis.pairs`, re-exported here);
* :class:`~hmic_audit.analysis.answers.AnswerCounts` - scored answers per criterion
  for each scope of audits (module :mod:`~hmic_audit.analysis.answers`, re-exported).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ..rubric import Rubric
from ..workbook.format import ASSESSORS, SAMPLES
from .answers import SCOPES, AnswerCounts, answer_counts, scope_of
from .pairs import Pairs, Sides, graded_pairs, pairs, sides
from .pool import FORCE, FURTHER, INSPECTOR, SELF, Pool, dense, encode
from .stats import crosstab

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORCE", "FURTHER", "INSPECTOR", "NO_AREA", "SCOPES", "SELF",
           "AnswerCounts", "CaseTypeTable", "GradeTable", "Pairs", "Sides", "answer_counts",
           "case_types", "count_grades", "crosstab", "grades_by_area",
           "grades_by_case_type", "grades_by_force", "grades_by_sample", "graded_pairs",
           "name_order", "pairs", "scope_of", "sides"]

NO_AREA = "(no area)"


# Grade distributions --------------------------------------------------------------

@dataclass(frozen=True)
class GradeTable:
    """Final grades counted by group: one row per group, one column per grade."""

    by: str
    """What the rows are: ``sample and assessor``, ``case type``, ``area`` or ``force``."""
    keys: list[object]
    """Each row's key: (Sample, Assessor), a case type key, an area or a force name."""
    labels: list[str]
    grades: list[str]
    """Grade keys, best first."""
    counts: np.ndarray
    """Rows x grades."""
    ungraded: np.ndarray
    """Per row, audits with no final grade."""
    group: np.ndarray
    """Per audit of the pool, the row it is counted in (-1: not counted)."""
    final: np.ndarray
    """Per audit of the pool, its final grade (-1: none)."""

    @property
    def audits(self) -> np.ndarray:
        """Per row, every audit counted (graded or not)."""
        return self.counts.sum(axis=1) + self.ungraded

    def row(self, key: object) -> int | None:
        """The row of a key, None when the table has no such row."""
        return self.keys.index(key) if key in self.keys else None

    def members(self, row: int | None, grade: int | None = None) -> np.ndarray:
        """Pool positions of the audits counted in a row (with one final grade)."""
        if row is None:
            return np.zeros(0, dtype=np.int64)
        mask = self.group == row
        if grade is not None:
            mask &= self.final == grade
        return np.flatnonzero(mask)

    def to_frame(self) -> pd.DataFrame:
        """Rows as groups; a column per grade, then ``ungraded`` and ``total``."""
        import pandas as pd

        frame = pd.DataFrame(self.counts, columns=self.grades,
                             index=pd.Index(self.labels, name=self.by))
        frame["ungraded"] = self.ungraded
        frame["total"] = self.audits
        return frame


def count_grades(by: str, final: np.ndarray, group: np.ndarray, keys: list[object],
                 labels: list[str], grades: list[str], *, present_only: bool = True
                 ) -> GradeTable:
    """The builder behind every grade table: ``group`` gives each audit's row (-1: not
    counted); rows without audits are left out when ``present_only``."""
    k = len(grades)
    counted = group >= 0
    cells = np.bincount(group[counted] * (k + 1) + np.where(final[counted] >= 0,
                                                          final[counted], k),
                        minlength=len(keys) * (k + 1)).reshape(len(keys), k + 1)
    if present_only:
        keep = cells.sum(axis=1) > 0
        if not keep.all():
            renumber = np.where(keep, np.cumsum(keep) - 1, -1)
            group = np.where(counted, renumber[np.maximum(group, 0)], -1)
            cells = cells[keep]
            keys = [x for x, kept in zip(keys, keep.tolist(), strict=True) if kept]
            labels = [x for x, kept in zip(labels, keep.tolist(), strict=True) if kept]
    return GradeTable(by=by, keys=keys, labels=labels, grades=grades, counts=cells[:, :k],
                      ungraded=cells[:, k], group=group, final=final)


def grades_by_sample(pool: Pool, rubric: Rubric) -> GradeTable:
    """Final grades for each sample and assessor that has audits."""
    group = pool.sample * len(ASSESSORS) + pool.assessor
    keys: list[object] = [(s, a) for s in SAMPLES for a in ASSESSORS]
    labels = [f"{s.value}, {a.value}" for s in SAMPLES for a in ASSESSORS]
    return count_grades("sample and assessor", pool.final, group, keys, labels,
                        rubric.grade_keys)


def grades_by_case_type(pool: Pool, rubric: Rubric) -> GradeTable:
    """Inspectors' final grades for each case type they examined."""
    group = np.where(pool.assessor == INSPECTOR, pool.case_type, -1)
    return count_grades("case type", pool.final, group, list(rubric.case_type_keys),
                        [ct.label for ct in rubric.case_types], rubric.grade_keys)


def grades_by_area(pool: Pool, rubric: Rubric) -> GradeTable:
    """Inspectors' final grades for each area (ordered ignoring case)."""
    codes, areas = encode(pool.extra("area"), NO_AREA)
    return _by_names("area", pool, rubric, codes, areas, sorted(areas, key=_name_order))


def grades_by_force(pool: Pool, rubric: Rubric, forces: np.ndarray, names: list[str]
                    ) -> GradeTable:
    """Inspectors' final grades for each force named (a row for every force, even one
    with no inspector audit); ``forces`` holds each audit's position in ``names``."""
    group = np.where(pool.assessor == INSPECTOR, forces, -1)
    return count_grades("force", pool.final, group, list(names), list(names),
                        rubric.grade_keys, present_only=False)


def _by_names(by: str, pool: Pool, rubric: Rubric, codes: np.ndarray, found: list[str],
              order: list[str]) -> GradeTable:
    rank = np.array([order.index(x) for x in found], dtype=np.int64)
    group = np.where(pool.assessor == INSPECTOR, rank[codes] if len(rank) else codes, -1)
    return count_grades(by, pool.final, group, list(order), order, rubric.grade_keys)


def _name_order(name: str) -> tuple[str, str]:
    """Names sorted ignoring case (names equal but for case in a fixed order)."""
    return name.casefold(), name


def name_order(names: list[str] | set[str]) -> list[str]:
    """Names (areas, forces) in publication order: alphabetical, ignoring case."""
    return sorted(names, key=_name_order)


# Cases by type and sample ----------------------------------------------------------

@dataclass(frozen=True)
class CaseTypeTable:
    """The inspectors' audits counted by case type (every type of the rubric, in order)
    and sample (in ``SAMPLES`` order)."""

    keys: list[str]
    labels: list[str]
    counts: np.ndarray
    """Case types x samples."""
    group: np.ndarray
    """Per audit of the pool: case type x number of samples + sample (-1: not counted)."""

    @property
    def shown(self) -> list[int]:
        """Rows (case types) with at least one audit."""
        return np.flatnonzero(self.counts.sum(axis=1)).tolist()

    def members(self, case_type: int, sample: int | None = None) -> np.ndarray:
        """Pool positions of the inspector audits of a case type (and sample)."""
        if sample is not None:
            return np.flatnonzero(self.group == case_type * len(SAMPLES) + sample)
        return np.flatnonzero(self.group // len(SAMPLES) == case_type)

    def to_frame(self) -> pd.DataFrame:
        """Case types with audits as rows, a column per sample, then ``total``."""
        import pandas as pd

        rows = self.shown
        frame = pd.DataFrame(self.counts[rows], columns=[s.value for s in SAMPLES],
                             index=pd.Index([self.labels[r] for r in rows], name="case type"))
        frame["total"] = frame.sum(axis=1)
        return frame


def case_types(pool: Pool, rubric: Rubric) -> CaseTypeTable:
    """Inspectors' audits by case type and sample (the report's Annex A)."""
    n = len(SAMPLES)
    group = np.where(pool.assessor == INSPECTOR, pool.case_type * n + pool.sample, -1)
    types = rubric.case_type_keys
    counts = np.bincount(group[group >= 0], minlength=len(types) * n).reshape(len(types), n)
    return CaseTypeTable(keys=list(types), labels=[ct.label for ct in rubric.case_types],
                         counts=counts, group=group)


class Shared:
    """The tables several annex tables count from, each built once, when first needed."""

    def __init__(self, pool: Pool, rubric: Rubric) -> None:
        self.pool = pool
        self.rubric = rubric

    @cached_property
    def answers(self) -> AnswerCounts:
        """Answer counts per criterion and scope (theme results, criterion compliance)."""
        return answer_counts(self.pool, self.rubric)

    @cached_property
    def force_column(self) -> tuple[np.ndarray, list[str]]:
        """The ``force`` column as codes, and its values ("" for blank)."""
        return encode(self.pool.extra("force"), "")

    @cached_property
    def forces(self) -> tuple[np.ndarray, list[str]]:
        """Each audit's force (a position in the list returned) and the forces in
        publication order: its ``force`` column, else the name of the file it came from
        (without the extension)."""
        pool = self.pool
        column, values = self.force_column
        stems = [r.frame.file.rsplit(".", 1)[0] for r in pool.results]
        inputs = len(pool.results)
        combos, inverse = np.unique(column * inputs + pool.source, return_inverse=True)
        named = [values[c // inputs] or stems[c % inputs] for c in combos.tolist()]
        names = name_order(set(named))
        rank = np.array([names.index(n) for n in named], dtype=np.int64)
        return (rank[np.asarray(inverse).reshape(-1)] if len(rank) else
                np.zeros(0, dtype=np.int64)), names

    @cached_property
    def key(self) -> np.ndarray:
        """Per audit, the key force and inspector audits are paired by: the case within
        its force (two forces' files may use the same case references)."""
        return dense(self.forces[0], self.pool.case)

    @cached_property
    def pairs(self) -> Pairs:
        """Every case both sides graded (the cross-tab, the national total)."""
        return graded_pairs(self.pool, self.key)
