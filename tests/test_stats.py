"""Agreement statistics, checked against independent implementations and published
examples."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

from hmic_audit import Assessor, grade, read_workbook
from hmic_audit.analysis.stats import cohen_kappa, crosstab, krippendorff_alpha_ordinal, sign_test

from .conftest import SAMPLE

SK_WEIGHTS = {"unweighted": None, "linear": "linear", "quadratic": "quadratic"}


def _sample_levels(rubric):
    audits, _ = read_workbook(SAMPLE, rubric)
    result = grade(audits, rubric)
    level = {g: i for i, g in enumerate(rubric.grade_keys)}
    pairs = {}
    for a in result.audits:
        pairs.setdefault(a.case_ref, {})[a.assessor] = level[a.final_grade]
    both = [p for p in pairs.values() if len(p) == 2]
    return (np.array([p[Assessor.FORCE] for p in both]),
            np.array([p[Assessor.INSPECTOR] for p in both]))


def _random_ratings(seed: int, n: int, k: int):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, k, n)
    b = np.clip(a + rng.integers(-2, 3, n), 0, k - 1)
    return a, b


def _cases(rubric):
    yield "sample", *_sample_levels(rubric), 4
    for seed, n, k in ((1, 40, 4), (2, 300, 4), (3, 25, 3), (4, 500, 5), (5, 12, 4)):
        yield f"random-{seed}", *_random_ratings(seed, n, k), k


@pytest.mark.parametrize("weighting", ["unweighted", "linear", "quadratic"])
def test_kappa_matches_scikit_learn_and_statsmodels(rubric, weighting):
    for name, a, b, k in _cases(rubric):
        table = crosstab(a, b, k)
        ours = cohen_kappa(table, weighting)
        expected = cohen_kappa_score(a, b, labels=list(range(k)),
                                     weights=SK_WEIGHTS[weighting])
        assert ours.value == pytest.approx(expected, abs=1e-9), name
        sm = sm_kappa(table, wt=SK_WEIGHTS[weighting]) if SK_WEIGHTS[weighting] else \
            sm_kappa(table)
        assert ours.se == pytest.approx(sm.std_kappa, abs=1e-9), name
        assert ours.ci_low == pytest.approx(sm.kappa_low, abs=1e-9), name
        assert ours.ci_high == pytest.approx(sm.kappa_upp, abs=1e-9), name


def test_alpha_matches_the_krippendorff_package(rubric):
    for name, a, b, k in _cases(rubric):
        ours = krippendorff_alpha_ordinal(crosstab(a, b, k)).value
        expected = krippendorff.alpha(reliability_data=np.vstack([a, b]),
                                      level_of_measurement="ordinal",
                                      value_domain=list(range(k)))
        assert ours == pytest.approx(expected, abs=1e-9), name


def test_sign_test_matches_scipy(rubric):
    for name, a, b, _ in _cases(rubric):
        pos, neg = int((a < b).sum()), int((a > b).sum())
        assert sign_test(pos, neg) == pytest.approx(binomtest(min(pos, neg), pos + neg,
                                                              0.5).pvalue, abs=1e-9), name
    for pos, neg in ((0, 7), (5, 5), (1200, 1333), (2900, 3100)):  # both exact and lgamma
        assert sign_test(pos, neg) == pytest.approx(binomtest(pos, pos + neg).pvalue,
                                                    abs=1e-9)


# Published worked examples -----------------------------------------------------------

@pytest.mark.parametrize("table, kappa", [
    # Cohen's kappa article (Wikipedia), "simple example": 50 grant proposals.
    ([[20, 5], [10, 15]], 0.4),
    # ... and its two tables with the same agreement but different kappa.
    ([[45, 15], [25, 15]], 0.1304),
    ([[25, 35], [5, 35]], 0.2593),
])
def test_published_kappa_examples(table, kappa):
    assert cohen_kappa(np.array(table)).value == pytest.approx(kappa, abs=5e-5)


def test_published_alpha_example():
    """Krippendorff (2011), 'Computing Krippendorff's alpha-reliability', binary data,
    two observers, ten units: alpha = 0.095 (two categories: ordinal equals nominal)."""
    a = np.array([0, 1, 0, 0, 0, 0, 0, 0, 1, 0])
    b = np.array([1, 1, 1, 0, 0, 1, 0, 0, 0, 0])
    assert krippendorff_alpha_ordinal(crosstab(a, b, 2)).value == pytest.approx(0.095,
                                                                                abs=5e-4)


def test_hand_worked_sign_test():
    # 9 pairs one way, 1 the other: P = 2 * (C(10,0) + C(10,1)) / 2**10 = 22 / 1024
    assert sign_test(9, 1) == 22 / 1024
    assert sign_test(3, 3) == 1.0
    assert sign_test(0, 0) is None


def test_hand_worked_quadratic_kappa():
    # 3 levels, 4 pairs: (0,0) (1,1) (2,1) (2,2). Agreement weights 1 - (d/2)^2.
    # p_o = (1 + 1 + 0.75 + 1) / 4 = 0.9375; margins rows (.25,.25,.5) cols (.25,.5,.25)
    # p_e = sum_ij r_i c_j w_ij = .25*.625 + .25*.875 + .5*.625 = 0.6875
    # kappa = (0.9375 - 0.6875) / (1 - 0.6875) = 0.8
    table = crosstab(np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2]), 3)
    assert cohen_kappa(table, "quadratic").value == pytest.approx(0.8)


# Degenerate inputs -------------------------------------------------------------------

def test_no_variation_is_undefined_not_nan():
    table = crosstab(np.array([1, 1, 1]), np.array([1, 1, 1]), 4)
    for weighting in ("unweighted", "linear", "quadratic"):
        e = cohen_kappa(table, weighting)
        assert e.value is None and "same grade" in (e.note or "")
    alpha = krippendorff_alpha_ordinal(table)
    assert alpha.value is None and alpha.note


def test_one_pair_is_too_few():
    table = crosstab(np.array([0]), np.array([2]), 4)
    assert cohen_kappa(table).value is None
    assert "at least two" in (cohen_kappa(table).note or "")
    assert krippendorff_alpha_ordinal(table).value is None


def test_perfect_agreement_has_a_zero_width_interval():
    table = crosstab(np.array([0, 1, 2, 3]), np.array([0, 1, 2, 3]), 4)
    e = cohen_kappa(table, "linear")
    assert e.value == pytest.approx(1.0) and e.se == 0.0 and e.note


@pytest.mark.parametrize("pairs", [3, 4, 6, 10, 20, 1000])
@pytest.mark.parametrize("constant", ["force", "inspectors"])
def test_one_side_constant_is_kappa_zero_without_an_interval(pairs, constant):
    """One side gave every case the same grade (once a math domain error, at some sizes):
    kappa is 0, as scikit-learn gives it, with no interval and no claim of agreement."""
    rng = np.random.default_rng(pairs)
    same = np.zeros(pairs, dtype=np.int64)
    other = rng.integers(0, 4, pairs)
    other[0], other[1] = 0, 1  # the other side varies
    a, b = (same, other) if constant == "force" else (other, same)
    for weighting in ("unweighted", "linear", "quadratic"):
        e = cohen_kappa(crosstab(a, b, 4), weighting)
        expected = cohen_kappa_score(a, b, labels=[0, 1, 2, 3],
                                     weights=SK_WEIGHTS[weighting])
        assert e.value == 0.0 == pytest.approx(expected, abs=1e-12)
        assert e.ci_low is None and e.se is None
        assert f"{constant if constant == 'force' else 'the inspectors'}" in (e.note or "")
        assert "agrees exactly" not in (e.note or "")


def test_kappa_never_fails_on_small_random_tables():
    rng = np.random.default_rng(11)
    for _ in range(3000):
        n = int(rng.integers(2, 12))
        a, b = rng.integers(0, 4, n), rng.integers(0, 4, n)
        for weighting in ("unweighted", "linear", "quadratic"):
            e = cohen_kappa(crosstab(a, b, 4), weighting)
            assert e.value is None or (e.ci_low is None) == (e.se is None)


def test_kappa_interval_stays_within_its_range():
    """A Wald interval of a high kappa from few pairs reaches past 1 ('0.500, -0.111 to
    1.111' was shown, found by a review): it is cut at kappa's own bounds."""
    table = np.array([[5, 1], [0, 2]])
    e = cohen_kappa(table)
    assert e.value is not None and e.se is not None
    assert e.value + 1.959963984540054 * e.se > 1  # the unclamped end is past 1
    assert e.ci_high == 1.0 and -1.0 <= e.ci_low < e.value
