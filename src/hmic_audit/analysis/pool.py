"""The audits of one or several graded inputs as one set of columns: what every table of
the analysis stage is counted from.

A :class:`Pool` lines up the columns of its :class:`~hmic_audit.scoring.grading.GradeResult`
objects one input after another, with case ids shared across inputs (references equal
ignoring case are one case). For a single input nothing is copied: the columns are the
result's own arrays. No per-audit object is ever built here.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property

import numpy as np

from ..rubric import Rubric
from ..scoring.grading import GradeResult, grade
from ..workbook.format import ASSESSORS, SAMPLES, Assessor, Sample
from ..workbook.frame import AuditFrame, case_ids
from ..workbook.models import AuditSet

FORCE = ASSESSORS.index(Assessor.FORCE)
INSPECTOR = ASSESSORS.index(Assessor.INSPECTOR)
SELF = SAMPLES.index(Sample.SELF_ASSESSED)
FURTHER = SAMPLES.index(Sample.INSPECTOR_SELECTED)
"""Codes of the assessors and samples in the columns."""

Gradable = GradeResult | AuditFrame | AuditSet
"""What the analysis functions accept for an input: graded, or to be graded."""


def as_results(inputs: Sequence[Gradable], rubric: Rubric) -> list[GradeResult]:
    """Each input graded (a ``GradeResult`` is used as it is, never graded again)."""
    return [x if isinstance(x, GradeResult) else grade(x, rubric) for x in inputs]


class Pool:
    """The audits of several graded inputs side by side, one entry per audit."""

    def __init__(self, results: Sequence[GradeResult]) -> None:
        if not results:
            raise ValueError("a pool needs at least one graded input")
        self.results = list(results)
        self.sample = self._join(lambda r: r.frame.sample)
        self.assessor = self._join(lambda r: r.frame.assessor)
        self.case_type = self._join(lambda r: r.frame.case_type)
        self.final = self._join(lambda r: r.final)
        """Final grade per audit (position on the scale), -1 when none."""

    def __len__(self) -> int:
        return len(self.sample)

    def _join(self, column: Callable[[GradeResult], np.ndarray]) -> np.ndarray:
        if len(self.results) == 1:
            return column(self.results[0])
        return np.concatenate([column(r) for r in self.results])

    @cached_property
    def source(self) -> np.ndarray:
        """Which input (position in ``results``) each audit came from."""
        return np.repeat(np.arange(len(self.results)), [len(r) for r in self.results])

    @cached_property
    def case(self) -> np.ndarray:
        """Case id per audit, shared across inputs, numbered in first-seen order."""
        return case_ids([r.frame for r in self.results])

    @cached_property
    def case_ref(self) -> np.ndarray:
        """Case reference per audit (object array)."""
        return self._join(lambda r: r.frame.case_ref)

    @cached_property
    def row(self) -> np.ndarray:
        """Spreadsheet row per audit."""
        return self._join(lambda r: r.frame.row)

    @cached_property
    def answers(self) -> np.ndarray:
        """Answer codes, audits x criteria."""
        return self._join(lambda r: r.frame.answers)

    def level(self, use: str) -> np.ndarray:
        """Per audit, the grade of the kind chosen (``final``, ``computed`` or ``given``)."""
        return self.final if use == "final" else self._join(lambda r: r.level(use))

    def extra(self, name: str) -> np.ndarray:
        """An optional field per audit (None where blank or where an input lacks it)."""
        return self._join(lambda r: r.frame.extra(name))

    def theme_scores(self, theme: str) -> np.ndarray:
        """One theme's score per audit (NaN where the theme had nothing to score)."""
        return self._join(lambda r: r.arrays.theme_scores[theme])

    def file(self, i: int) -> str:
        """The file audit ``i`` was read from."""
        return self.results[int(self.source[i])].frame.file

    def refs(self, positions: np.ndarray) -> list[str]:
        """The case references of some audits, as a list."""
        return self.case_ref[positions].tolist()

    @cached_property
    def _ref_rank(self) -> tuple[np.ndarray, np.ndarray]:
        """Each audit's reference as its rank among the distinct references, sorted."""
        refs = self.case_ref.tolist()
        distinct = sorted(dict.fromkeys(refs))
        rank_of = {ref: n for n, ref in enumerate(distinct)}
        rank = np.fromiter(map(rank_of.__getitem__, refs), dtype=np.int64, count=len(refs))
        ordered = np.empty(len(distinct), dtype=object)
        ordered[:] = distinct
        return rank, ordered

    def case_list(self, positions: np.ndarray) -> list[str]:
        """The distinct case references of some audits, sorted: each reference is ranked
        once, so any number of such lists costs no sorting at all."""
        rank, ordered = self._ref_rank
        chosen = np.zeros(len(ordered), dtype=bool)
        chosen[rank[positions]] = True
        return ordered[chosen].tolist()


def encode(values: np.ndarray, blank: str) -> tuple[np.ndarray, list[str]]:
    """Integer codes for a column of text (None or empty read as ``blank``), and the
    distinct values in the order they first appear."""
    seen: dict[str, int] = {}
    codes = np.fromiter((seen.setdefault(v or blank, len(seen)) for v in values.tolist()),
                        dtype=np.int64, count=len(values))
    return codes, list(seen)


def dense(*keys: np.ndarray) -> np.ndarray:
    """A non-negative integer id per distinct combination of non-negative integer keys,
    equal ids for equal combinations (not necessarily consecutive)."""
    varying = [k for k in keys if len(k) and k.min() != k.max()]
    if not varying:
        return np.zeros(len(keys[0]), dtype=np.int64)
    if len(varying) == 1:
        return varying[0]
    combined = np.zeros(len(varying[0]), dtype=np.int64)
    for key in varying:
        combined = combined * (int(key.max()) + 1) + key
    _, inverse = np.unique(combined, return_inverse=True)
    return np.asarray(inverse, dtype=np.int64).reshape(-1)


@contextmanager
def many_objects() -> Iterator[None]:
    """Pause the cyclic garbage collector while a result of many small objects (records,
    models) is built: none of them form cycles, and at a hundred thousand audits the
    collector's repeated passes over the growing heap cost more than the building."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
