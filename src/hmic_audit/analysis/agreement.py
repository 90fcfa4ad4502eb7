"""Agreement among several raters (readers) of the same subjects (cases): pure numpy.

Every function takes a subjects x raters matrix of category codes (0 to ``k`` - 1, the
scale's positions, best first) where a missing reading is ``-1`` or NaN, and ``k``, the
number of categories of the scale (used or not: chance agreement depends on it).
Subjects with no reading at all are left out. Each returns an
:class:`~hmic_audit.analysis.stats.Estimate`.

* :func:`fleiss_kappa`: Fleiss' kappa (1971). On complete data it is Fleiss' own
  statistic; with missing readings it is Gwet's (2014) extension: agreement averaged over
  the subjects read at least twice, category shares over the subjects read at least once.
  Standard error: Gwet's linearised variance conditional on the subjects (2014, ch. 5).
* :func:`gwet_ac_raters`: Gwet's AC1 / AC2 (Gwet 2008; Handbook of Inter-Rater
  Reliability, 4th ed., 2014, ch. 5), missing readings allowed, with the same variance.
* :func:`krippendorff_alpha`: Krippendorff's alpha, nominal or ordinal metric, from the
  coincidence matrix of the pairable values (units with two readings or more), with a
  95% percentile interval from a bootstrap over subjects (1,000 resamples, fixed seed).

Formulas, with ``r_ik`` the readings of subject i in category k, ``r_i = sum_k r_ik``,
``w`` the weights of :func:`~hmic_audit.analysis.stats.agreement_weights`, ``T_w`` their
sum, ``r*_ik = sum_l w_kl r_il``, n the subjects read at least once and n2 those read at
least twice::

    p_a   = 1/n2 sum_{i: r_i >= 2} sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))
    pi_k  = 1/n sum_i r_ik / r_i
    AC:    p_e = T_w / (q (q - 1)) sum_k pi_k (1 - pi_k)
    Fleiss: p_e = sum_kl w_kl pi_k pi_l
    coefficient = (p_a - p_e) / (1 - p_e)

and the variance ``1 / (n (n - 1)) sum_i (c*_i - c)^2`` of the subjects' linearised
contributions ``c*_i = n/n2 (p_a,i - p_e [r_i >= 2]) / (1 - p_e) - 2 (1 - c) (p_e,i -
p_e) / (1 - p_e)``, where ``p_e,i`` is ``T_w / (q (q - 1)) sum_k r_ik (1 - pi_k) / r_i``
for AC and ``sum_k r_ik pibar_k / r_i`` (``pibar = (w pi + w' pi) / 2``) for Fleiss. The
interval is ``c -/+ t(0.975, n - 1) se``, cut at -1 and 1, as Gwet's irrCAC gives it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .stats import Estimate, Weighting, agreement_weights, t_interval

Metric = Literal["nominal", "ordinal"]
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 2014
"""Krippendorff's alpha's interval: resamples of the subjects, and the fixed seed that
makes the same data give the same interval."""


def category_counts(ratings: np.ndarray, k: int) -> np.ndarray:
    """Subjects x categories: how many readings put each subject in each category (codes
    outside 0..k-1, -1 and NaN, are missing). Subjects with no reading are left out."""
    r = np.asarray(ratings, dtype=float)
    if r.ndim != 2:
        raise ValueError("ratings must be a subjects x raters matrix")
    codes = np.where(np.isnan(r), -1, r).astype(np.int64)
    counts = np.zeros((r.shape[0], k), dtype=np.int64)
    for c in range(k):
        counts[:, c] = (codes == c).sum(axis=1)
    return counts[counts.sum(axis=1) > 0]


def _chance_corrected(counts: np.ndarray, k: int, weighting: Weighting,
                      fleiss: bool) -> Estimate:
    name = "Fleiss' kappa" if fleiss else "AC1" if weighting == "unweighted" else "AC2"
    n = len(counts)
    read = counts.sum(axis=1).astype(float)
    twice = read >= 2
    n2 = int(twice.sum())
    if n2 == 0:
        return Estimate(None, note=f"{name} needs a case read by two readers or more")
    if k < 2:
        return Estimate(None, note=f"{name} needs a scale of two grades or more")
    w = agreement_weights(k, weighting)
    weighted = counts @ w.T  # r*_ik
    pairs = np.where(twice, read * (read - 1), 1.0)
    pa_i = np.where(twice, (counts * (weighted - 1)).sum(axis=1) / pairs, 0.0)
    p_a = float(pa_i[twice].sum()) / n2
    pi = (counts / read[:, None]).sum(axis=0) / n
    if fleiss:
        p_e = float(pi @ w @ pi)
        pe_i = counts @ ((w @ pi + w.T @ pi) / 2.0) / read
    else:
        scale = float(w.sum()) / (k * (k - 1))
        p_e = scale * float((pi * (1.0 - pi)).sum())
        pe_i = scale * (counts @ (1.0 - pi)) / read
    if np.isclose(p_e, 1.0, atol=1e-12, rtol=0.0):
        return Estimate(None, note=f"{name} is undefined: every reading is the same grade")
    value = (p_a - p_e) / (1.0 - p_e)
    if n < 2:
        return Estimate(value, note="one case: no interval")
    c_i = (n / n2) * (pa_i - p_e * twice) / (1.0 - p_e)
    c_i = c_i - 2.0 * (1.0 - value) * (pe_i - p_e) / (1.0 - p_e)
    variance = float(((c_i - value) ** 2).sum()) / (n * (n - 1))
    return t_interval(value, variance, n)


def fleiss_kappa(ratings: np.ndarray, k: int) -> Estimate:
    """Fleiss' kappa of a subjects x raters matrix (missing: -1 or NaN); with missing
    readings Gwet's extension (see the module's notes)."""
    return _chance_corrected(category_counts(ratings, k), k, "unweighted", fleiss=True)


def gwet_ac_raters(ratings: np.ndarray, k: int, weighting: Weighting = "unweighted"
                   ) -> Estimate:
    """Gwet's AC1 (``unweighted``) or AC2 (``linear``, ``quadratic``) of a subjects x
    raters matrix (missing: -1 or NaN)."""
    return _chance_corrected(category_counts(ratings, k), k, weighting, fleiss=False)


def _unit_coincidences(counts: np.ndarray) -> np.ndarray:
    """Per pairable unit, its coincidence matrix (flattened): (r r' - diag r) / (m - 1)."""
    m = counts.sum(axis=1).astype(float)
    outer = counts[:, :, None] * counts[:, None, :]
    k = counts.shape[1]
    outer[:, np.arange(k), np.arange(k)] -= counts
    return (outer / (m - 1.0)[:, None, None]).reshape(len(counts), k * k)


def _delta2(n_c: np.ndarray, metric: Metric) -> np.ndarray:
    k = len(n_c)
    if metric == "nominal":
        return 1.0 - np.eye(k)
    idx = np.arange(k)
    lo, hi = np.minimum.outer(idx, idx), np.maximum.outer(idx, idx)
    cum = np.cumsum(n_c)
    between = cum[hi] - cum[lo] + n_c[lo]
    delta2 = (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2
    np.fill_diagonal(delta2, 0.0)
    return np.asarray(delta2, dtype=float)


def _alpha(o: np.ndarray, metric: Metric) -> float | None:
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    delta2 = _delta2(n_c, metric)
    expected = float((np.outer(n_c, n_c) * delta2).sum())
    if expected <= 0:
        return None
    return 1.0 - (n - 1.0) * float((o * delta2).sum()) / expected


def krippendorff_alpha(ratings: np.ndarray, k: int, metric: Metric = "ordinal", *,
                       resamples: int = BOOTSTRAP_RESAMPLES,
                       seed: int = BOOTSTRAP_SEED) -> Estimate:
    """Krippendorff's alpha of a subjects x raters matrix (missing: -1 or NaN), nominal
    or ordinal, from the coincidence matrix of the units read at least twice.

    The 95% interval is a percentile bootstrap over those units: ``resamples`` samples
    of the units drawn with replacement (numpy's default generator seeded with ``seed``,
    so the same data give the same interval), alpha recomputed on each (the ordinal
    metric on each resample's own marginals), the 2.5th and 97.5th percentiles taken;
    resamples where alpha is undefined are dropped. ``se`` is the resamples' standard
    deviation. This is a bootstrap over cases, not Krippendorff's own (2004) bootstrap of
    pairable values; it reflects the sampling of cases, which is what varies between
    inspections.
    """
    counts = category_counts(ratings, k)
    counts = counts[counts.sum(axis=1) >= 2]
    if len(counts) == 0:
        return Estimate(None, note="alpha needs a case read by two readers or more")
    units = _unit_coincidences(counts)
    value = _alpha(units.sum(axis=0).reshape(k, k), metric)
    if value is None:
        return Estimate(None, note="alpha is undefined: every reading is the same grade")
    if len(units) < 2 or resamples < 2:
        return Estimate(value, note="too few cases for an interval")
    rng = np.random.default_rng(seed)
    found: list[float] = []
    size = len(units)
    for start in range(0, resamples, 100):
        batch = min(100, resamples - start)
        picks = rng.integers(0, size, size=(batch, size))
        weights = np.zeros((batch, size))
        np.add.at(weights, (np.repeat(np.arange(batch), size), picks.reshape(-1)), 1.0)
        for o in weights @ units:
            a = _alpha(o.reshape(k, k), metric)
            if a is not None:
                found.append(a)
    if len(found) < 2:
        return Estimate(value, note="the bootstrap found too little variation for an interval")
    sample = np.array(found)
    low, high = np.percentile(sample, [2.5, 97.5])
    return Estimate(value, float(sample.std(ddof=1)), max(-1.0, float(low)),
                    min(1.0, float(high)))
