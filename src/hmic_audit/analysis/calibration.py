"""Reader calibration (``hmic-audit agree``): who reads harder or softer than the other
readers of the same cases, and which criteria the readers answer differently.

The functions take the cases x readers matrices :mod:`~hmic_audit.analysis.readers`
builds (codes 0 to ``k`` - 1, best first for grades; -1 a reading not made) and are pure
numpy:

* :func:`grade_lean`: per reader, over the cases they graded with at least one other
  reader, how often their grade is better than, level with or worse than the mean of the
  other readers' grades of the case, and the sum of (their grade minus that mean) in
  levels, so positive means they graded worse: they read harder.
* :func:`lean_label`: the plain-language reading of a reader's lean. The lean is their
  mean difference less the typical reader's (the median of the mean differences of the
  readers with at least :data:`LEAN_MIN_CASES` shared cases). NOTE: the others' mean of
  a case holds every other reader, so one reader a grade harder than the rest moves each
  other reader's own mean difference by up to -1/(readers - 1) levels (-1/3 with four
  readers); measured from the typical reader, the rest stay in line. A reader "reads
  harder" when their lean is more than :data:`LEAN_LEVELS` (a quarter of a grade) above
  it over at least :data:`LEAN_MIN_CASES` cases, "reads softer" when more than a quarter
  below, "in line" otherwise; with fewer cases there are "too few cases" to say. With two
  readers the typical lean is zero, so the rule reads their mean differences directly.
* :func:`pair_disagreement`: per case, the pairs of readings (``m (m - 1) / 2`` for
  ``m`` readings) and the pairs whose answers differ.
* :func:`reader_disagreement`: per reader, the pairs of (their reading, another
  reader's reading of the same case) and how many differ.
* :func:`answer_splits`: k x k counts of differing pairs by the two answers given.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict

LEAN_LEVELS = 0.25
"""A mean difference from the other readers beyond this many grade levels is a lean."""
LEAN_MIN_CASES = 5
"""Fewer cases shared with other readers than this: too few to call a lean."""
LEANS = ("reads harder", "reads softer", "in line", "too few cases")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReaderLean(_Frozen):
    """One reader's grades against the mean of the other readers' grades of each case."""

    reader: str
    cases: int
    """Cases this reader graded with at least one other reader."""
    better: int
    """Cases where their grade was better than the others' mean."""
    level: int
    worse: int
    mean_difference: float | None
    """Their grade minus the others' mean, in levels, averaged over ``cases``; positive:
    they graded worse (read harder). None without cases."""
    lean: float | None
    """``mean_difference`` less the typical reader's (the median over readers with
    enough cases); the label reads this. None without cases or a typical reader."""
    label: str
    """``reads harder``, ``reads softer``, ``in line`` or ``too few cases``."""


class AnswerSplit(_Frozen):
    """Pairs of readings of one criterion that gave these two different answers."""

    answers: list[str]
    """The two answers, in the rubric's words and order."""
    pairs: int


class ReaderRate(_Frozen):
    """One reader against the others on one criterion."""

    reader: str
    pairs: int
    """Pairs of (this reader's answer, another reader's answer to the same case)."""
    differing: int
    rate: float | None
    """``differing / pairs``; None without pairs."""


class CriterionSpread(_Frozen):
    """How often the readers of a case answer one criterion differently."""

    criterion: str
    cases: int
    """Cases with two answers or more."""
    pairs: int
    """Pairs of readings of the same case (n/a and blanks left out)."""
    differing: int
    rate: float | None
    splits: list[AnswerSplit]
    """The differing pairs by the answers given, most first."""
    readers: list[ReaderRate]
    """Each reader's disagreement with the others, in reader order."""


class Calibration(_Frozen):
    """Who reads harder or softer, and where the criteria are read differently."""

    lean_levels: float
    lean_min_cases: int
    typical_difference: float | None
    """The median of the readers' mean differences (readers with enough cases)."""
    readers: list[ReaderLean]
    criteria: list[CriterionSpread]
    """Every criterion some case has two answers for, in rubric order."""


def _counts(matrix: np.ndarray, k: int) -> np.ndarray:
    m = np.asarray(matrix, dtype=np.int64)
    counts = np.zeros((len(m), k), dtype=np.int64)
    for c in range(k):
        counts[:, c] = (m == c).sum(axis=1)
    return counts


def grade_lean(grades: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per reader (column): cases shared with another reader, better, level, worse and
    the summed difference (own minus the others' mean, levels). Missing: -1."""
    g = np.asarray(grades, dtype=np.int64)
    read = g >= 0
    m = read.sum(axis=1, keepdims=True)
    total = np.where(read, g, 0).sum(axis=1, keepdims=True)
    shared = read & (m >= 2)
    others = np.where(shared, (total - np.where(read, g, 0)) / np.maximum(m - 1, 1), 0.0)
    diff = np.where(shared, g - others, 0.0)
    # NOTE: the others' mean is a fraction with denominator m - 1 <= readers, so an
    # exact tie is compared on integers: own * (m - 1) against the others' sum.
    own_x = np.where(shared, g * (m - 1), 0)
    others_sum = np.where(shared, total - g, 0)
    return (shared.sum(axis=0), (shared & (own_x < others_sum)).sum(axis=0),
            (shared & (own_x == others_sum)).sum(axis=0),
            (shared & (own_x > others_sum)).sum(axis=0), diff.sum(axis=0))


def typical_difference(means: np.ndarray, cases: np.ndarray) -> float | None:
    """The median of the readers' mean differences, over readers with at least
    :data:`LEAN_MIN_CASES` shared cases; None when no reader has that many."""
    enough = (np.asarray(cases) >= LEAN_MIN_CASES) & ~np.isnan(means)
    return float(np.median(np.asarray(means)[enough])) if enough.any() else None


def lean_label(lean: float | None, cases: int) -> str:
    """The plain-language reading of a lean (see the module's notes)."""
    if lean is None or cases < LEAN_MIN_CASES:
        return "too few cases"
    if lean > LEAN_LEVELS:
        return "reads harder"
    if lean < -LEAN_LEVELS:
        return "reads softer"
    return "in line"


def pair_disagreement(matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per case (row): pairs of readings and pairs giving different answers."""
    counts = _counts(matrix, k)
    m = counts.sum(axis=1)
    pairs = m * (m - 1) // 2
    same = (counts * (counts - 1) // 2).sum(axis=1)
    return pairs, pairs - same


def reader_disagreement(matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per reader (column): pairs with another reader's answer to the same case, and how
    many of them differ."""
    a = np.asarray(matrix, dtype=np.int64)
    counts = _counts(a, k)
    m = counts.sum(axis=1, keepdims=True)
    read = a >= 0
    own = np.take_along_axis(counts, np.where(read, a, 0), axis=1)  # same answer, self too
    pairs = np.where(read, m - 1, 0)
    differing = np.where(read, m - own, 0)
    return pairs.sum(axis=0), differing.sum(axis=0)


def answer_splits(matrix: np.ndarray, k: int) -> np.ndarray:
    """k x k: pairs of readings of the same case answering (row, column), row < column."""
    counts = _counts(matrix, k)
    splits = counts.T @ counts
    return np.triu(splits, 1)


def calibrate(grades: np.ndarray, criteria: list[tuple[str, np.ndarray]],
              readers: list[str], answers: list[str]) -> Calibration:
    """Calibration of ``readers`` from their grades matrix (scale positions) and, per
    criterion id, their scored-answer matrix (positions in ``answers``)."""
    cases, better, level, worse, summed = grade_lean(grades)
    means = np.where(cases > 0, summed / np.maximum(cases, 1), np.nan)
    typical = typical_difference(means, cases)
    leans = []
    for i, name in enumerate(readers):
        n = int(cases[i])
        mean = float(means[i]) if n else None
        lean = mean - typical if mean is not None and typical is not None else None
        leans.append(ReaderLean(reader=name, cases=n, better=int(better[i]),
                                level=int(level[i]), worse=int(worse[i]),
                                mean_difference=mean, lean=lean, label=lean_label(lean, n)))
    k = len(answers)
    spreads = []
    for what, matrix in criteria:
        pairs, differing = pair_disagreement(matrix, k)
        if not pairs.any():
            continue
        split = answer_splits(matrix, k)
        found = sorted(((int(split[a, b]), a, b) for a in range(k) for b in range(a + 1, k)
                        if split[a, b]), key=lambda t: (-t[0], t[1], t[2]))
        r_pairs, r_diff = reader_disagreement(matrix, k)
        spreads.append(CriterionSpread(
            criterion=what, cases=int((pairs > 0).sum()), pairs=int(pairs.sum()),
            differing=int(differing.sum()),
            rate=float(differing.sum() / pairs.sum()),
            splits=[AnswerSplit(answers=[answers[a], answers[b]], pairs=n)
                    for n, a, b in found],
            readers=[ReaderRate(reader=name, pairs=int(r_pairs[i]),
                                differing=int(r_diff[i]),
                                rate=float(r_diff[i] / r_pairs[i]) if r_pairs[i] else None)
                     for i, name in enumerate(readers)]))
    return Calibration(lean_levels=LEAN_LEVELS, lean_min_cases=LEAN_MIN_CASES,
                       typical_difference=typical, readers=leans, criteria=spreads)
