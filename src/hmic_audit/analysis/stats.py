"""Agreement statistics for two raters on an ordinal scale: pure numpy, no I/O.

Everything works on a k x k contingency table (rater A's levels in rows, rater B's in
columns, level 0 the best grade), so the cost does not grow with the number of pairs
beyond building the table.

* Cohen's kappa, unweighted and linear- or quadratic-weighted, with the large-sample
  standard error of Fleiss, Cohen & Everitt (1969) and a normal 95% interval;
* Krippendorff's alpha for ordinal data (two coders, no missing values), from the
  coincidence matrix;
* the two-sided exact sign test on the pairs that differ.

A statistic that is undefined for the data (no variation at all, too few pairs) is
returned as ``None`` with a reason, never as NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

Weighting = Literal["unweighted", "linear", "quadratic"]
Z_95 = 1.959963984540054
"""Two-sided 95% quantile of the standard normal distribution."""


def crosstab(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """k x k table of counts: rows are ``a``'s levels, columns ``b``'s."""
    return np.bincount(np.asarray(a) * k + np.asarray(b), minlength=k * k).reshape(k, k)


def agreement_weights(k: int, weighting: Weighting) -> np.ndarray:
    """Agreement weights: 1 on the diagonal, falling with distance (0 at the extremes)."""
    i, j = np.indices((k, k))
    distance = np.abs(i - j) / max(k - 1, 1)
    if weighting == "unweighted":
        return (i == j).astype(float)
    if weighting == "linear":
        return 1.0 - distance
    return 1.0 - distance**2


@dataclass(frozen=True)
class Estimate:
    """A statistic with its standard error and 95% confidence interval, or why not."""

    value: float | None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    note: str | None = None
    """Why the value (or its interval) is missing."""


def cohen_kappa(table: np.ndarray, weighting: Weighting = "unweighted") -> Estimate:
    """Cohen's kappa for a contingency table, with Fleiss-Cohen-Everitt standard error."""
    n = int(table.sum())
    if n < 2:
        return Estimate(None, note="kappa needs at least two pairs")
    k = table.shape[0]
    w = agreement_weights(k, weighting)
    p = table / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    p_o = float((w * p).sum())
    p_e = float((w * np.outer(rows, cols)).sum())
    if math.isclose(p_e, 1.0, abs_tol=1e-12):
        return Estimate(None, note="kappa is undefined: both sides gave every case the same "
                        "grade, so there is no variation to agree on")
    if rows.max() > 1.0 - 1e-12 or cols.max() > 1.0 - 1e-12:
        # Agreement is then exactly what chance gives: kappa is 0 whatever the other side
        # did, and the standard error's formula degenerates (it can even go negative).
        side = "the force" if rows.max() > 1.0 - 1e-12 else "the inspectors"
        return Estimate(0.0, note=f"{side} gave every case the same grade, so kappa is 0 "
                        "whatever the other side did, and has no interval")
    kappa = (p_o - p_e) / (1.0 - p_e)
    w_row = w @ cols  # weighted mean agreement of each row category
    w_col = rows @ w  # ... of each column category
    term = (p * (w - (w_row[:, None] + w_col[None, :]) * (1.0 - kappa)) ** 2).sum()
    variance = (term - (kappa - p_e * (1.0 - kappa)) ** 2) / (n * (1.0 - p_e) ** 2)
    if variance < 0:
        if variance < -1e-12:
            return Estimate(kappa, note="the interval cannot be computed for these pairs")
        variance = 0.0
    se = math.sqrt(variance)
    agree = math.isclose(p_o, 1.0, abs_tol=1e-12)
    # kappa lies in [-1, 1]: a Wald interval reaching past either end is cut there
    return Estimate(kappa, se, max(-1.0, kappa - Z_95 * se), min(1.0, kappa + Z_95 * se),
                    note="every pair agrees exactly; the interval has no width"
                    if agree and se == 0 else None)


def krippendorff_alpha_ordinal(table: np.ndarray) -> Estimate:
    """Krippendorff's alpha, ordinal metric, for two coders rating every unit."""
    o = (table + table.T).astype(float)  # coincidence matrix: each pair counted both ways
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n < 4:
        return Estimate(None, note="alpha needs at least two pairs")
    cum = np.cumsum(n_c)
    lo = np.minimum.outer(np.arange(len(n_c)), np.arange(len(n_c)))
    hi = np.maximum.outer(np.arange(len(n_c)), np.arange(len(n_c)))
    between = cum[hi] - cum[lo] + n_c[lo]  # sum of n_g for g from the lower to the higher
    delta2 = (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2
    np.fill_diagonal(delta2, 0.0)
    expected = (np.outer(n_c, n_c) * delta2).sum()
    if expected == 0:
        return Estimate(None, note="alpha is undefined: every rating is the same grade")
    return Estimate(1.0 - (n - 1.0) * (o * delta2).sum() / expected)


def sign_test(positive: int, negative: int) -> float | None:
    """Two-sided exact sign test p-value (ties already left out); None without pairs."""
    n = positive + negative
    if n == 0:
        return None
    m = min(positive, negative)
    if n <= 2000:
        tail = sum(math.comb(n, i) for i in range(m + 1))
        return min(1.0, 2 * tail / 2**n)
    i = np.arange(m + 1)
    log_pmf = (math.lgamma(n + 1) - np.array([math.lgamma(x + 1) for x in i])
               - np.array([math.lgamma(n - x + 1) for x in i]) - n * math.log(2.0))
    top = log_pmf.max()
    return min(1.0, 2.0 * math.exp(top) * float(np.exp(log_pmf - top).sum()))


def wilson_interval(successes: int, n: int) -> tuple[float, float] | None:
    """Wilson score 95% interval for a proportion; None when n is 0."""
    if n <= 0:
        return None
    p = successes / n
    z2 = Z_95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)
