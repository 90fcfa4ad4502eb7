"""Agreement statistics for two raters on an ordinal scale: pure numpy, no I/O.

Everything works on a k x k contingency table (rater A's levels in rows, rater B's in
columns, level 0 the best grade), so the cost does not grow with the number of pairs
beyond building the table.

* Cohen's kappa, unweighted and linear- or quadratic-weighted, with the large-sample
  standard error of Fleiss, Cohen & Everitt (1969) and a normal 95% interval;
* Gwet's AC1 (unweighted) and AC2 (linear or quadratic weights), with Gwet's standard
  error and a Student-t 95% interval (:func:`gwet_ac`);
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


def gwet_ac(table: np.ndarray, weighting: Weighting = "unweighted") -> Estimate:
    """Gwet's AC1 (``unweighted``) or AC2 (``linear`` or ``quadratic`` weights, those of
    :func:`agreement_weights`) for two raters, from their k x k contingency table.

    With ``p_kl`` the share of subjects rated k by A and l by B, ``w`` the weights,
    ``T_w`` their sum, ``pi_k = (p_k+ + p_+k) / 2`` and ``q = k`` categories (every grade
    of the scale, used or not)::

        p_a = sum_kl w_kl p_kl
        p_e = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k)
        AC  = (p_a - p_e) / (1 - p_e)

    The variance is Gwet's, conditional on the sample of subjects (no finite-population
    correction)::

        v = 1 / (n (1 - p_e)^2) * [ sum_kl p_kl (w_kl - 2 (1 - AC) T_w (1 - (pi_k + pi_l)/2)
                                                  / (q (q - 1)))^2
                                    - (p_a - 2 (1 - AC) p_e)^2 ]

    and the 95% interval is ``AC -/+ t(0.975, n - 1) * sqrt(v)``, cut at -1 and 1.
    References: K. L. Gwet (2008), Computing inter-rater reliability and its variance in
    the presence of high agreement, Br J Math Stat Psychol 61, 29-48; K. L. Gwet (2014),
    Handbook of Inter-Rater Reliability, 4th ed., chapters 2-3 (the R package irrCAC's
    ``gwet.ac1.table``). The multi-rater version over subjects
    (:func:`hmic_audit.analysis.agreement.gwet_ac_raters`) gives the same coefficient
    for two raters; its variance, a sum of squares over n - 1, is n / (n - 1) times this
    one.

    Unlike kappa, AC1 does not collapse when one grade dominates (most cases "adequate"):
    its chance agreement shrinks as the grades concentrate.
    """
    n = int(table.sum())
    if n < 2:
        return Estimate(None, note="AC1 needs at least two pairs")
    q = table.shape[0]
    if q < 2:
        return Estimate(None, note="AC1 needs a scale of two grades or more")
    w = agreement_weights(q, weighting)
    t_w = float(w.sum())
    p = table / n
    pi = (p.sum(axis=1) + p.sum(axis=0)) / 2.0
    p_a = float((w * p).sum())
    p_e = t_w * float((pi * (1.0 - pi)).sum()) / (q * (q - 1))
    ac = (p_a - p_e) / (1.0 - p_e)
    pe_kl = t_w * (1.0 - (pi[:, None] + pi[None, :]) / 2.0) / (q * (q - 1))
    term = float((p * (w - 2.0 * (1.0 - ac) * pe_kl) ** 2).sum())
    variance = (term - (p_a - 2.0 * (1.0 - ac) * p_e) ** 2) / (n * (1.0 - p_e) ** 2)
    return t_interval(ac, max(variance, 0.0), n)


def t_interval(value: float, variance: float, n: int) -> Estimate:
    """``value`` with a Student-t 95% interval on n - 1 degrees of freedom, cut at -1, 1."""
    se = math.sqrt(variance)
    half = t_quantile_975(n - 1) * se
    return Estimate(value, se, max(-1.0, value - half), min(1.0, value + half),
                    note="the interval has no width: every subject contributes alike"
                    if se == 0 else None)


def t_quantile_975(df: int) -> float:
    """The 0.975 quantile of Student's t distribution with ``df`` degrees of freedom
    (bisection on the distribution function, itself from the regularized incomplete beta
    function by its continued fraction: accurate to about 1e-12)."""
    if df < 1:
        return math.inf
    if df == 1:
        return math.tan(math.pi * 0.475)
    lo, hi = 0.0, 10.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        # upper tail of t at mid: I_{df/(df+t^2)}(df/2, 1/2) / 2
        if _beta_inc(df / 2.0, 0.5, df / (df + mid * mid)) / 2.0 > 0.025:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-14:
            break
    return (lo + hi) / 2.0


def _beta_inc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b) (continued fraction, Lentz)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x)
                 + b * math.log1p(-x))
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - _beta_inc(b, a, 1.0 - x)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    f = d
    for m in range(1, 500):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            f *= c * d
        if abs(c * d - 1.0) < 1e-16:
            break
    return math.exp(log_front) * f / a


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
