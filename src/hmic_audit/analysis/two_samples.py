"""Two independent samples compared: a difference of proportions with Newcombe's
interval, and an ordinal shift (Mann-Whitney U, probability of superiority, Cliff's
delta). Pure Python and numpy, no I/O.

Levels are positions on a grade scale, 0 the best grade: "better" means a lower level.
A statistic undefined for the data is ``None`` with a reason, never NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .stats import Z_95, wilson_interval


def newcombe_difference(x1: int, n1: int, x2: int, n2: int
                        ) -> tuple[float, float, float] | None:
    """``p2 - p1`` (the second proportion less the first) with the hybrid score 95%
    interval of Newcombe (1998, method 10), built from each proportion's Wilson
    interval (l, u)::

        L = d - sqrt((p2 - l2)^2 + (u1 - p1)^2)
        U = d + sqrt((u2 - p2)^2 + (p1 - l1)^2)

    R. G. Newcombe (1998), Interval estimation for the difference between independent
    proportions: comparison of eleven methods, Statistics in Medicine 17, 873-890.
    None when either sample is empty."""
    w1, w2 = wilson_interval(x1, n1), wilson_interval(x2, n2)
    if w1 is None or w2 is None:
        return None
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = w1, w2
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return d, max(-1.0, low), min(1.0, high)


@dataclass(frozen=True)
class Shift:
    """How the levels of a second sample sit against a first's."""

    n1: int
    n2: int
    u: float | None
    """Mann-Whitney U of the first sample: pairs (first, second) where the first's level is
    higher (worse), ties counting a half - as ``scipy.stats.mannwhitneyu(first, second)``."""
    z: float | None
    p_value: float | None
    """Two-sided, normal approximation with continuity and tie corrections."""
    superiority: float | None
    """Probability that a case of the second sample is graded better than one of the
    first, ties counting a half (U / (n1 n2))."""
    cliffs_delta: float | None
    """P(second better) - P(first better), from -1 to 1 (2 x superiority - 1)."""
    note: str | None = None


def mann_whitney(first: np.ndarray, second: np.ndarray) -> Shift:
    """Mann-Whitney U test of two samples of levels (ties allowed), with the probability
    that the second is better and Cliff's delta.

    Ranks are mid-ranks over both samples; ``U1 = R1 - n1 (n1 + 1) / 2``, mean
    ``n1 n2 / 2``, variance ``n1 n2 / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1)))`` over
    the tied groups of size t, ``z = (|U1 - mean| - 1/2) / sd`` and ``p = 2 (1 - Phi(z))``
    (capped at 1)."""
    a = np.asarray(first, dtype=np.int64)
    b = np.asarray(second, dtype=np.int64)
    n1, n2 = len(a), len(b)
    if n1 == 0 or n2 == 0:
        return Shift(n1, n2, None, None, None, None, None,
                     note="each round needs at least one graded case")
    both = np.concatenate([a, b])
    values, counts = np.unique(both, return_counts=True)
    below = np.cumsum(counts) - counts  # values strictly lower
    mid_rank = below + (counts + 1) / 2.0
    r1 = float(mid_rank[np.searchsorted(values, a)].sum())
    u1 = r1 - n1 * (n1 + 1) / 2.0
    superiority = u1 / (n1 * n2)  # first worse (higher level) = second better
    delta = 2.0 * superiority - 1.0
    n = n1 + n2
    ties = float((counts.astype(float) ** 3 - counts).sum())
    variance = n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1))) if n > 1 else 0.0
    if variance <= 0:
        return Shift(n1, n2, u1, None, None, superiority, delta,
                     note="every case of both rounds has the same grade: no test")
    z = (abs(u1 - n1 * n2 / 2.0) - 0.5) / math.sqrt(variance)
    p = min(1.0, math.erfc(z / math.sqrt(2.0)))  # 2 * (1 - Phi(z))
    return Shift(n1, n2, u1, z, p, superiority, delta)


__all__ = ["Z_95", "Shift", "mann_whitney", "newcombe_difference"]
