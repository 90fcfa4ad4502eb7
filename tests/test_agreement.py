"""Agreement beyond kappa: Gwet's AC1/AC2 (two raters and many), Fleiss' kappa and
Krippendorff's alpha (many raters, missing readings), each cross-checked against an
independent implementation: the ``krippendorff`` package, statsmodels' ``fleiss_kappa``,
a plain-Python Gwet written here from the published formulas, and golden values printed
by irrCAC (Gwet's package, ported to Python) in a separate virtualenv
(tests/data/agreement/irrcac_golden.py says how)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from hmic_audit.analysis.agreement import fleiss_kappa, gwet_ac_raters, krippendorff_alpha
from hmic_audit.analysis.stats import cohen_kappa, crosstab, gwet_ac, t_quantile_975

GOLDEN = json.loads((Path(__file__).parent / "data" / "agreement" /
                     "irrcac_golden.json").read_text())
K = 4


def generated(raters: int, subjects: int, seed: int, missing: float = 0.2) -> np.ndarray:
    """Skewed grades (most the second), readers mostly agreeing, some readings missing."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(K, size=subjects, p=[0.1, 0.7, 0.15, 0.05])
    noise = rng.choice([-1, 0, 1], size=(subjects, raters), p=[0.1, 0.8, 0.1])
    x = np.clip(truth[:, None] + noise, 0, K - 1).astype(float)
    x[rng.random(x.shape) < missing] = np.nan
    return x


# An independent Gwet AC1/AC2, plain Python, from Gwet (2014), Handbook, ch. 5 --------

def weight(k: int, l_: int, q: int, kind: str) -> float:
    if kind == "unweighted":
        return 1.0 if k == l_ else 0.0
    d = abs(k - l_) / (q - 1)
    return 1.0 - d if kind == "linear" else 1.0 - d * d


def plain_gwet(rows: list[list[float | None]], q: int, kind: str) -> tuple[float, float]:
    """(coefficient, standard error) of Gwet's AC1/AC2, missing readings allowed."""
    subjects = [[int(v) for v in row if v is not None] for row in rows]
    subjects = [s for s in subjects if s]
    n = len(subjects)
    counts = [[s.count(c) for c in range(q)] for s in subjects]
    t_w = sum(weight(k, l_, q, kind) for k in range(q) for l_ in range(q))
    pi = [sum(r[c] / sum(r) for r in counts) / n for c in range(q)]
    p_e = t_w / (q * (q - 1)) * sum(p * (1 - p) for p in pi)
    pa_i, twice = [], []
    for r in counts:
        m = sum(r)
        twice.append(m >= 2)
        if m < 2:
            pa_i.append(0.0)
            continue
        star = [sum(weight(k, l_, q, kind) * r[l_] for l_ in range(q)) for k in range(q)]
        pa_i.append(sum(r[k] * (star[k] - 1) for k in range(q)) / (m * (m - 1)))
    n2 = sum(twice)
    p_a = sum(pa_i) / n2
    ac = (p_a - p_e) / (1 - p_e)
    total = 0.0
    for r, pa, two in zip(counts, pa_i, twice, strict=True):
        pe_i = t_w / (q * (q - 1)) * sum(r[k] * (1 - pi[k]) for k in range(q)) / sum(r)
        c = n / n2 * (pa - (p_e if two else 0.0)) / (1 - p_e)
        c -= 2 * (1 - ac) * (pe_i - p_e) / (1 - p_e)
        total += (c - ac) ** 2
    return ac, math.sqrt(total / (n * (n - 1)))


def rows_of(x: np.ndarray) -> list[list[float | None]]:
    return [[None if math.isnan(v) else float(v) for v in row] for row in x.tolist()]


@pytest.mark.parametrize("raters", [2, 3, 5])
@pytest.mark.parametrize("kind", ["unweighted", "linear", "quadratic"])
def test_gwet_matches_plain_python_from_the_formulas(raters: int, kind: str) -> None:
    x = generated(raters, 60, seed=raters)
    e = gwet_ac_raters(x, K, kind)  # type: ignore[arg-type]
    value, se = plain_gwet(rows_of(x), K, kind)
    assert e.value == pytest.approx(value, abs=1e-9)
    assert e.se == pytest.approx(se, abs=1e-9)
    read = int((~np.isnan(x)).any(axis=1).sum())  # cases with no reading are left out
    half = scipy_stats.t.ppf(0.975, read - 1) * se
    assert e.ci_low == pytest.approx(max(-1, value - half), abs=1e-9)
    assert e.ci_high == pytest.approx(min(1, value + half), abs=1e-9)


@pytest.mark.parametrize("dataset", GOLDEN["datasets"], ids=lambda d: f"{d['raters']} readers")
def test_gwet_and_fleiss_match_irrcac_golden_values(dataset: dict) -> None:
    x = np.array([[np.nan if v is None else v for v in row] for row in dataset["ratings"]])
    found = {"ac1": gwet_ac_raters(x, K), "ac2_linear": gwet_ac_raters(x, K, "linear"),
             "ac2_quadratic": gwet_ac_raters(x, K, "quadratic"), "fleiss": fleiss_kappa(x, K)}
    for name, e in found.items():
        golden = dataset["irrcac"][name]
        for field in ("value", "se", "ci_low", "ci_high"):
            assert getattr(e, field) == pytest.approx(golden[field], abs=1e-9), (name, field)


@pytest.mark.parametrize("raters", [2, 3, 5])
def test_fleiss_matches_statsmodels_on_complete_data(raters: int) -> None:
    x = generated(raters, 70, seed=10 + raters, missing=0.0)
    table, _ = aggregate_raters(x.astype(int), n_cat=K)
    assert fleiss_kappa(x, K).value == pytest.approx(sm_fleiss(table), abs=1e-9)


@pytest.mark.parametrize("raters", [2, 3, 5])
@pytest.mark.parametrize("metric", ["nominal", "ordinal"])
def test_alpha_matches_krippendorff_package(raters: int, metric: str) -> None:
    x = generated(raters, 50, seed=20 + raters)
    expected = krippendorff.alpha(reliability_data=x.T, level_of_measurement=metric,
                                  value_domain=list(range(K)))
    e = krippendorff_alpha(x, K, metric)  # type: ignore[arg-type]
    assert e.value == pytest.approx(expected, abs=1e-9)
    assert e.ci_low is not None and e.ci_high is not None
    assert e.ci_low <= e.value <= e.ci_high


def test_alpha_interval_is_the_same_every_run_and_missing_as_minus_one() -> None:
    x = generated(3, 40, seed=7)
    minus = np.where(np.isnan(x), -1, x).astype(int)
    assert krippendorff_alpha(x, K) == krippendorff_alpha(minus, K)


@pytest.mark.parametrize("kind", ["unweighted", "linear", "quadratic"])
def test_two_rater_ac_equals_the_multi_rater_one_with_two_raters(kind: str) -> None:
    x = generated(2, 45, seed=3, missing=0.0).astype(int)
    pair = gwet_ac(crosstab(x[:, 0], x[:, 1], K), kind)  # type: ignore[arg-type]
    many = gwet_ac_raters(x, K, kind)  # type: ignore[arg-type]
    assert pair.value == pytest.approx(many.value, abs=1e-12)
    # the table's variance divides by n, the subjects' sum of squares by n - 1
    n = len(x)
    assert pair.se == pytest.approx(many.se * math.sqrt((n - 1) / n), abs=1e-12)


def test_kappa_paradox_high_agreement_low_kappa_high_ac1() -> None:
    # 100 cases, 95 both "adequate": 96% agreement, kappa about 0.65, AC1 about 0.96
    table = np.zeros((4, 4), dtype=int)
    table[1, 1], table[2, 2], table[1, 2], table[2, 1], table[0, 0] = 93, 2, 2, 1, 2
    kappa = cohen_kappa(table).value
    ac1 = gwet_ac(table).value
    assert kappa is not None and ac1 is not None
    assert kappa < 0.75 < 0.9 < ac1


def test_gwet_textbook_two_rater_example() -> None:
    # Gwet (2008), table 1 style: 2 categories, a=40 agree yes, d=40 agree no, b=c=10.
    # p_a = 0.8, pi = 0.5 each, p_e = 2 * 0.25 = 0.5, AC1 = 0.6 (equal to kappa here)
    table = np.array([[40, 10], [10, 40]])
    assert gwet_ac(table).value == pytest.approx(0.6, abs=1e-12)
    assert cohen_kappa(table).value == pytest.approx(0.6, abs=1e-12)


def test_undefined_cases_are_notes_not_nan() -> None:
    assert gwet_ac(np.zeros((4, 4), dtype=int)).value is None
    one = np.full((5, 3), 1.0)
    assert krippendorff_alpha(one, K).value is None
    assert krippendorff_alpha(one, K).note
    single = np.array([[1, -1], [2, -1]])
    assert gwet_ac_raters(single, K).value is None
    assert fleiss_kappa(single, K).note


def test_intervals_are_cut_at_one() -> None:
    table = np.diag([30, 0, 0, 1])
    e = gwet_ac(table, "quadratic")
    assert e.value == pytest.approx(1.0)
    assert e.ci_high is not None and e.ci_high <= 1.0


@pytest.mark.parametrize("df", [1, 2, 5, 29, 79, 1000, 100000])
def test_t_quantile_matches_scipy(df: int) -> None:
    assert t_quantile_975(df) == pytest.approx(scipy_stats.t.ppf(0.975, df), abs=1e-9)
