"""The disclosure audit's linear program against one built afresh.

The library keeps one HiGHS model for a whole publication and changes it as counts are
hidden: combinations a published 0 rules out are left out of it (and come back when that
0 is hidden), each end of a range is solved once while the model stands, and the least
end only when the greatest does not settle the question. Here every range it gives is
checked against scipy's ``linprog`` on the whole system written out again from the cubes
(every combination a column, no merging, nothing left out), after every change.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import csr_array

from hmic_audit import grade, load_rubric, read_audits
from hmic_audit.analysis.annex import build_annex
from hmic_audit.analysis.disclosure import Count, Protection, case_query, protection
from hmic_audit.analysis.pool import Pool
from hmic_audit.analysis.tables import Shared

from .test_disclosure import THRESHOLD, generated_csv


def registered(path: Path) -> Protection:
    """Every count of a force's annex tables registered, small ones hidden, nothing
    protected yet."""
    rubric = load_rubric()
    result = grade(read_audits(path, rubric)[0], rubric)
    guard = protection(Shared(Pool([result]), rubric), THRESHOLD)
    for table in build_annex([result], rubric):
        for r in range(len(table.rows)):
            for i in range(len(table.columns)):
                if table.columns[i].kind == "count" and (q := table.query(r, i)):
                    guard.add(q, f"{table.name} {r} {i}")
    return guard


def fresh_range(guard: Protection, count: Count) -> tuple[float, float]:
    """The count's least and greatest value over the linear relaxation, from scratch:
    a published count equal to its value, a hidden one at least 1 (0 if it is 0), the
    rubric's ties at most 0."""
    cases = len(guard.cubes["case"].counts)

    def row(c: Count) -> np.ndarray:
        out = np.zeros(cases + len(guard.cubes["answer"].counts))
        out[slice(None, cases) if c.query.unit == "case" else slice(cases, None)] = c.mask
        return out

    published = [c for c in guard.counts if not c.hidden and not c.probe]
    hidden = [c for c in guard.counts if c.hidden]
    a_ub = np.array([*guard.ties, *(-row(c) for c in hidden)])
    b_ub = np.array([0.0] * len(guard.ties) + [-float(c.value > 0) for c in hidden])
    system = {"A_eq": csr_array(np.array([row(c) for c in published])),
              "b_eq": np.array([float(c.value) for c in published]),
              "A_ub": csr_array(a_ub), "b_ub": b_ub, "bounds": (0, None),
              "method": "highs-ds"}
    ends = []
    for sign in (1.0, -1.0):
        res = linprog(sign * row(count), **system)
        assert res.status in (0, 3), res.message
        ends.append(float("inf") if res.status == 3 else sign * res.fun)
    return ends[0], ends[1]


def another(value: int, lo: float, hi: float) -> bool:
    """Whether a range holds a whole number other than ``value``."""
    return hi >= value + 1 - 1e-6 or lo <= value - 1 + 1e-6


def agree(guard: Protection, counts: list[Count]) -> None:
    for count in counts:
        lo, hi = fresh_range(guard, count)
        assert guard.range(count) == pytest.approx((lo, hi), abs=1e-6), count.where
        if count.hidden:
            assert guard.safe(count) == another(count.value, lo, hi), count.where
        if count.hidden or count.probe:
            assert guard.determined(count) == (hi - lo < 1e-6), count.where


@pytest.fixture(scope="module")
def guard(tmp_path_factory) -> Protection:
    folder = tmp_path_factory.mktemp("protection")
    return registered(generated_csv(folder / "northshire.csv", 60, 7))


def test_ranges_agree_with_a_program_built_afresh_as_counts_are_hidden(guard):
    rng = random.Random(11)
    small = [c for c in guard.counts if c.primary]
    zeros = [c for c in guard.counts if c.value == 0 and not c.hidden]
    others = [c for c in guard.counts if c.value >= THRESHOLD]
    assert len(small) >= 10 and len(zeros) >= 10 and len(others) >= 10
    agree(guard, rng.sample(small, 4) + rng.sample(others, 2))
    # counts asked about, not published (a report's sentences): no lower bound
    rubric = guard.cubes["case"].domains
    probes = [guard.add(case_query(case_type=t, area=a), "probe", probe=True)
              for t in rubric["case_type"][:3] for a in rubric["area"][:2]]
    agree(guard, probes)
    # a published 0 hidden: the combinations it alone ruled out are back in the program
    freed = 0
    for zero in rng.sample(zeros, len(zeros)):
        zero.hidden = True
        guard._update(zero)
        if fresh_range(guard, zero)[1] > 0.5:
            agree(guard, rng.sample(small, 3) + [zero])
            freed += 1
            if freed == 3:
                break
    assert freed == 3
    # published counts hidden and published again: every change is taken in
    for other in rng.sample(others, 3):
        other.hidden = True
        guard._update(other)
        agree(guard, rng.sample(small, 3))
        other.hidden = False
        guard._update(other)
        agree(guard, rng.sample(small, 2))


def test_a_protected_force_leaves_every_small_count_another_whole_number(guard):
    guard.protect()
    small = [c for c in guard.counts if c.primary]
    for count in random.Random(5).sample(small, 6):
        assert another(count.value, *fresh_range(guard, count)), count.where


@pytest.mark.parametrize("value, lo, hi, safe", [
    (1, 1.0, 1.6, False),  # wider than 0, yet 1 is the only whole number in it
    (1, 1.0, 1.9999999, True),
    (1, 1.0, 2.0, True),
    (3, 2.4, 3.5, False),
    (3, 2.0, 3.0, True),
    (3, 3.0, 4.0, True),
    (3, 3.0, float("inf"), True),
])
def test_protected_means_another_whole_number_is_possible(guard, monkeypatch, value, lo,
                                                           hi, safe):
    """The rule itself, on ranges a linear program could give: a hidden count is
    protected only when its relaxed range holds a whole number besides its value."""
    count = next(c for c in guard.counts if c.primary and not c.probe)
    monkeypatch.setattr(count, "value", value)
    monkeypatch.setattr(count, "hidden", True)
    system = guard._system()
    ends = {1.0: lo, -1.0: None if hi == float("inf") else hi}
    monkeypatch.setattr(system, "extreme", lambda c, sign: (ends[sign], []))
    assert guard.safe(count) is safe
