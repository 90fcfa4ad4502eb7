"""The GMP sample reproduces every case-level figure C1-C13 of gmp-figures.md."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from hmic_audit import Assessor, Sample, grade, read_workbook

from .conftest import ROOT, SAMPLE

GENERATOR = ROOT / "sample_cases" / "gmp-2014" / "generate.py"
FOUR = ["good", "adequate", "requires_improvement", "inadequate"]


@pytest.fixture(scope="module")
def loaded(rubric):
    audits, warnings = read_workbook(SAMPLE, rubric)
    # no warning; one notice: the header sits under the workbook's title rows
    assert [(p.code, p.row) for p in warnings] == [("header-below-title", 3)]
    return audits, grade(audits, rubric)


def _counts(audits) -> list[int]:
    c = Counter(a.final_grade for a in audits)
    return [c[g] for g in FOUR]


def _inspector(result, sample=None, case_type=None):
    return [a for a in result.audits if a.assessor is Assessor.INSPECTOR
            and (sample is None or a.sample is sample)
            and (case_type is None or a.case_type == case_type)]


def test_c1_c2_self_assessed_cases_and_types(loaded):
    audits, result = loaded
    sa = {a.case_ref: a.case_type for a in audits.audits if a.sample is Sample.SELF_ASSESSED}
    assert len(sa) == 30
    assert all(len(result.case(ref)) == 2 for ref in sa)  # all reviewed by inspectors
    assert Counter(sa.values()) == {
        "s47_enquiry": 5, "domestic_abuse": 5, "general_concern": 5, "sex_offender": 3,
        "police_protection": 3, "sexual_exploitation": 3, "online_abuse": 3,
        "child_in_custody": 3}


def test_c3_c4_c6_c7_grade_distributions(loaded):
    _, result = loaded
    dist = {(d.sample, d.assessor): [d.counts[g] for g in FOUR]
            for d in result.summary.distributions}
    assert dist[(Sample.SELF_ASSESSED, Assessor.FORCE)] == [19, 9, 2, 0]
    assert dist[(Sample.SELF_ASSESSED, Assessor.INSPECTOR)] == [8, 16, 1, 5]
    assert dist[(Sample.INSPECTOR_SELECTED, Assessor.INSPECTOR)] == [29, 33, 4, 18]
    assert sum(dist[(Sample.INSPECTOR_SELECTED, Assessor.INSPECTOR)]) == 84
    # the summary agrees with a count over the per-audit results
    assert _counts(_inspector(result, Sample.INSPECTOR_SELECTED)) == [29, 33, 4, 18]


def test_c5_judgements_that_differ_significantly(loaded, rubric):
    _, result = loaded
    level = {g: i for i, g in enumerate(rubric.grade_keys)}
    gaps = []
    for ref in {a.case_ref for a in result.audits if a.sample is Sample.SELF_ASSESSED}:
        pair = {a.assessor: a.final_grade for a in result.case(ref)}
        gaps.append(abs(level[pair[Assessor.FORCE]] - level[pair[Assessor.INSPECTOR]]))
    assert sum(g >= 3 for g in gaps) == 2  # the sample's reading of "differed significantly"
    assert sum(g >= rubric.significant_difference for g in gaps) >= 3  # default: two levels


def test_c8_listened_to_the_child(loaded):
    audits, _ = loaded
    further = [a for a in audits.audits if a.sample is Sample.INSPECTOR_SELECTED]
    answered = [a.answers["ta_child_listened_to"] for a in further
                if a.answers.get("ta_child_listened_to") in ("yes", "partly", "no")]
    assert (answered.count("yes"), len(answered)) == (6, 84)


def test_c9_missing_children(loaded):
    _, result = loaded
    missing = _inspector(result, case_type="missing_child")
    assert all(a.sample is Sample.INSPECTOR_SELECTED for a in missing)
    assert (len(missing), _counts(missing)[3]) == (10, 4)


def test_c10_investigation_delays(loaded):
    audits, _ = loaded
    answers = [a.answers.get("in_no_significant_delay") for a in audits.audits
               if a.assessor is Assessor.INSPECTOR]
    examined = [x for x in answers if x in ("yes", "partly", "no")]
    assert (examined.count("no"), len(examined)) == (8, 36)


def test_c11_police_protection_best_interests(loaded):
    audits, _ = loaded
    pp = [a for a in audits.audits if a.assessor is Assessor.INSPECTOR
          and a.case_type == "police_protection"]
    by_sample = Counter(a.sample for a in pp)
    assert by_sample == {Sample.SELF_ASSESSED: 3, Sample.INSPECTOR_SELECTED: 6}
    assert [a.answers["dm_protection_justified"] for a in pp] == ["yes"] * 9


def test_c12_c13_children_in_detention(loaded):
    audits, result = loaded
    custody = [a for a in audits.audits if a.assessor is Assessor.INSPECTOR
               and a.case_type == "child_in_custody"]
    assert len(custody) == 12
    assert Counter(a.sample for a in custody) == {Sample.SELF_ASSESSED: 3,
                                                  Sample.INSPECTOR_SELECTED: 9}
    assert {a.child_gender for a in custody if a.sample is Sample.SELF_ASSESSED} == {"male"}
    assert _counts(_inspector(result, case_type="child_in_custody")) == [0, 7, 0, 5]
    ages = [a.child_age for a in custody]
    assert (min(ages), max(ages)) == (12, 17)
    assert sorted(a.child_age for a in custody if a.child_gender == "female") == [14, 16]


def test_answers_agree_with_grades_apart_from_documented_overrides(loaded):
    _, result = loaded
    overrides = {(a.case_ref, a.assessor.value) for a in result.audits if a.override}
    assert overrides == {("SA-013", "force"), ("IS-023", "inspector"),
                         ("IS-036", "inspector")}
    assert all(a.gradable for a in result.audits)


def test_generator_is_deterministic_and_matches_the_committed_file(tmp_path):
    out = tmp_path / "cases.xlsx"
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True,
                   capture_output=True)
    assert out.read_bytes() == SAMPLE.read_bytes()
