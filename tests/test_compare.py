"""compare(): pairing, the sample's figures, two-file mode and degenerate inputs."""

from __future__ import annotations

import dataclasses
import json

import pytest

from hmic_audit import HmicAuditError, load_rubric, read_workbook
from hmic_audit.analysis.compare import compare_sets

from .conftest import ROOT, SAMPLE, write_xlsx

SAMPLE_RUBRIC = ROOT / "sample_cases" / "gmp-2014" / "rubric.yaml"


@pytest.fixture(scope="module")
def sample_set(rubric):
    return read_workbook(SAMPLE, rubric)[0]


def test_sample_margins_direction_and_significant_differences(rubric, sample_set):
    c = compare_sets([sample_set], rubric)
    assert c.pairs == 30
    assert c.force_margin == [19, 9, 2, 0]
    assert c.inspector_margin == [8, 16, 1, 5]
    assert c.direction.force_higher > c.direction.force_lower
    assert c.direction.mean_difference > 0
    assert c.direction.sentence.startswith(f"Inspectors judged {c.direction.force_higher} "
                                           "of 30 cases less favourably than the force")
    # default threshold: two levels, which the reported grades force to at least three
    assert c.threshold == 2
    assert len(c.significant) >= 3
    assert c.inspector_only == 84 and c.unmatched == []


def test_sample_threshold_gives_the_reports_two_cases(sample_set):
    sample_rubric = load_rubric(SAMPLE_RUBRIC)
    c = compare_sets([sample_set], sample_rubric)
    assert c.threshold == 3
    assert [(d.case_ref, d.force_grade, d.inspector_grade) for d in c.significant] == [
        ("SA-001", "good", "inadequate"), ("SA-002", "good", "inadequate")]
    assert "ic_immediate_safety" in [x.id for x in c.significant[0].criteria]
    # --threshold overrides the rubric
    assert len(compare_sets([sample_set], sample_rubric, threshold=2).significant) >= 3


def test_crosstab_agrees_with_the_case_list(rubric, sample_set):
    c = compare_sets([sample_set], rubric)
    keys = rubric.grade_keys
    rebuilt = [[0] * 4 for _ in keys]
    for p in c.cases:
        rebuilt[keys.index(p.force_grade)][keys.index(p.inspector_grade)] += 1
    assert rebuilt == c.crosstab
    assert c.exact == sum(c.crosstab[i][i] for i in range(4))


def test_criterion_agreement(rubric, sample_set):
    c = compare_sets([sample_set], rubric)
    by_id = {x.id: x for x in c.criteria}
    # the two sides assessed risk identically in every self-assessed case
    assert by_id["ah_risk_assessed"].pairs == 30
    # recomputed directly from the audits
    force = {a.case_ref: a for a in sample_set.audits if a.assessor.value == "force"}
    insp = {a.case_ref: a for a in sample_set.audits if a.assessor.value == "inspector"
            and a.case_ref in force}
    answered = [(force[r].answers.get("dm_rationale_recorded"),
                 insp[r].answers.get("dm_rationale_recorded")) for r in force]
    both = [(f, i) for f, i in answered if f in ("yes", "partly", "no")
            and i in ("yes", "partly", "no")]
    x = by_id["dm_rationale_recorded"]
    assert (x.pairs, x.agree) == (len(both), sum(f == i for f, i in both))
    assert (x.force_no, x.inspector_no) == (sum(f == "no" for f, _ in both),
                                            sum(i == "no" for _, i in both))


def test_by_case_type_and_area_add_up(rubric, sample_set):
    for by in ("case_type", "area"):
        c = compare_sets([sample_set], rubric, by=by)
        assert sum(g.pairs for g in c.groups) == 30
        assert sum(g.exact for g in c.groups) == c.exact
        assert sum(g.significant for g in c.groups) == len(c.significant)
    c = compare_sets([sample_set], rubric, by="case_type")
    assert {g.group: g.pairs for g in c.groups}["Domestic abuse"] == 5


def _two_files(tmp_path, rubric, sample_set, drop_force=(), drop_inspector=()):
    headers = ["Case ref", "Sample", "Case type", "Area", "Grade", *rubric.criterion_ids]
    files = []
    for side, drop in (("force", drop_force), ("inspector", drop_inspector)):
        rows = [[a.case_ref, a.sample.value, a.case_type, a.area or "", a.grade or "",
                 *(a.answers.get(c, "") for c in rubric.criterion_ids)]
                for a in sample_set.audits
                if a.assessor.value == side and a.case_ref not in drop]
        files.append(write_xlsx(tmp_path / f"{side}.xlsx", headers, rows))
    return files


def test_two_file_mode_pairs_by_reference_and_lists_unmatched(tmp_path, rubric, sample_set):
    self_file, insp_file = _two_files(tmp_path, rubric, sample_set,
                                      drop_force=("SA-004",), drop_inspector=("SA-010",))
    from hmic_audit import Assessor

    sets = [read_workbook(self_file, rubric, only=Assessor.FORCE)[0],
            read_workbook(insp_file, rubric, only=Assessor.INSPECTOR)[0]]
    c = compare_sets(sets, rubric)
    assert c.pairs == 28
    assert sorted((u.case_ref, u.has.value, u.file) for u in c.unmatched) == [
        ("SA-004", "inspector", "inspector.xlsx"), ("SA-010", "force", "force.xlsx")]
    assert [i.file for i in c.inputs] == ["force.xlsx", "inspector.xlsx"]
    assert c.inspector_only == 84


def test_two_files_whose_types_disagree(tmp_path, rubric, sample_set):
    from hmic_audit import Assessor

    self_file, insp_file = _two_files(tmp_path, rubric, sample_set)
    force = read_workbook(self_file, rubric, only=Assessor.FORCE)[0]
    changed = [a.model_copy(update={"case_type": "missing_child"}) if a.case_ref == "SA-003"
               else a for a in force.audits]
    force = force.model_copy(update={"audits": changed})
    inspectors = read_workbook(insp_file, rubric, only=Assessor.INSPECTOR)[0]
    with pytest.raises(HmicAuditError) as info:
        compare_sets([force, inspectors], rubric)
    [problem] = info.value.problems
    assert problem.code == "case-type-mismatch" and "SA-003" in problem.message


def _tiny(tmp_path, rubric, rows):
    headers = ["Case ref", "Sample", "Case type", "Assessor", "Grade", "ah_risk_assessed"]
    return read_workbook(write_xlsx(tmp_path / "t.xlsx", headers, rows), rubric)[0]


def test_no_pairs(tmp_path, rubric):
    s = _tiny(tmp_path, rubric, [["A", "inspector-selected", "DA", "inspector", "good", ""]])
    with pytest.raises(HmicAuditError) as info:
        compare_sets([s], rubric)
    assert "no case has both a force and an inspector audit" in info.value.problems[0].message


def test_one_pair_gives_notes_not_nan(tmp_path, rubric):
    s = _tiny(tmp_path, rubric, [["A", "", "DA", "force", "good", ""],
                                 ["A", "", "DA", "inspector", "adequate", ""]])
    c = compare_sets([s], rubric)
    assert c.pairs == 1
    assert all(k.value is None and "at least two" in (k.note or "") for k in c.kappa.values())
    assert c.alpha_ordinal.value is None
    assert c.direction.sign_test_p == 1.0


def test_every_pair_the_same_grade(tmp_path, rubric):
    rows = [[ref, "", "DA", side, "good", ""] for ref in "ABC" for side in ("force",
                                                                            "inspector")]
    c = compare_sets([_tiny(tmp_path, rubric, rows)], rubric)
    assert c.exact == 3
    assert c.kappa["unweighted"].value is None
    assert "undefined" in (c.kappa["unweighted"].note or "")
    assert c.direction.sign_test_p is None


def test_one_side_missing_grades(tmp_path, rubric):
    rows = [["A", "", "DA", "force", "", "yes"], ["A", "", "DA", "inspector", "good", ""]]
    s = _tiny(tmp_path, rubric, rows)
    with pytest.raises(HmicAuditError) as info:
        compare_sets([s], rubric, use="given")
    assert "try --use final" in info.value.problems[0].message


def test_frames_results_and_audit_sets_compare_alike(rubric, sample_set):
    from hmic_audit import grade, read_audits

    frame = read_audits(SAMPLE, rubric)[0]
    result = grade(frame, rubric)
    expected = compare_sets([sample_set], rubric, by="area")
    assert compare_sets([frame], rubric, by="area") == expected
    assert compare_sets([result], rubric, by="area") == expected


def test_two_files_pair_references_ignoring_case(tmp_path, rubric, sample_set):
    import openpyxl

    from hmic_audit import Assessor, read_audits

    self_file, insp_file = _two_files(tmp_path, rubric, sample_set)
    wb = openpyxl.load_workbook(insp_file)
    ws = wb.active
    for row in ws.iter_rows(min_row=2):
        row[0].value = str(row[0].value).lower()
    wb.save(insp_file)
    frames = [read_audits(self_file, rubric, only=Assessor.FORCE)[0],
              read_audits(insp_file, rubric, only=Assessor.INSPECTOR)[0]]
    c = compare_sets(frames, rubric)
    assert c.pairs == 30 and c.unmatched == [] and c.inspector_only == 84
    assert c.crosstab == compare_sets([sample_set], rubric).crosstab
    assert {p.case_ref for p in c.cases} == {f"SA-{n:03d}" for n in range(1, 31)}


def test_comparison_frames_for_analysts(rubric, sample_set):
    c = compare_sets([sample_set], rubric, by="case_type")
    frames = c.frames()
    assert set(frames) == {"crosstab", "cases", "significant", "criteria", "groups",
                           "unmatched"}
    table = frames["crosstab"]
    assert table.values.tolist() == c.crosstab
    assert table.sum(axis=1).tolist() == c.force_margin
    cases = frames["cases"]
    assert len(cases) == c.pairs and cases["significant"].sum() == len(c.significant)
    assert list(cases["force_grade"].cat.categories) == rubric.grade_keys
    assert len(frames["significant"]) == sum(len(d.criteria) for d in c.significant)
    assert frames["groups"]["pairs"].sum() == c.pairs
    assert len(frames["criteria"]) == len(c.criteria) and frames["unmatched"].empty


def test_direction_sentence_says_none_not_zero():
    from hmic_audit.analysis.compare import _direction_sentence

    assert _direction_sentence(3, 0, 1) == ("Inspectors judged 3 of 4 cases less favourably "
                                            "than the force; in 1 the force was harsher; in "
                                            "none did they give the same grade.")


def test_the_cases_are_columns_dumped_where_the_field_was(rubric, sample_set):
    """A comparison keeps its compared cases as columns (``paired``); the models
    (``cases``), the JSON and the analysts' frame list the same cases in the same order,
    and the JSON keeps them between ``significant`` and ``criteria``."""
    import pickle

    c = compare_sets([sample_set], rubric)
    dumped = c.model_dump(mode="json")
    keys = list(dumped)
    assert keys[keys.index("significant") + 1] == "cases"
    assert keys[keys.index("cases") + 1] == "criteria"
    assert dumped["cases"] == [p.model_dump(mode="json") for p in c.cases]
    assert len(c.cases) == c.pairs == len(c.paired)
    assert "cases" not in c.model_dump(exclude={"cases"})
    assert list(c.model_dump(include={"pairs", "cases"})) == ["pairs", "cases"]
    # each case as the workbook has it: a written grade is the final one
    audit = {(a.case_ref, a.assessor.value): a for a in sample_set.audits}
    written = 0
    for p in c.cases:
        force, inspector = audit[(p.case_ref, "force")], audit[(p.case_ref, "inspector")]
        assert p.case_type == force.case_type == inspector.case_type
        if force.grade and inspector.grade:
            assert (p.force_grade, p.inspector_grade) == (force.grade, inspector.grade)
            written += 1
        assert rubric.grade_keys.index(p.inspector_grade) - rubric.grade_keys.index(
            p.force_grade) == p.levels
        assert p.significant == (abs(p.levels) >= c.threshold)
        assert p.force_original is None and p.inspector_original is None
    assert written >= 20
    levels = c.paired.levels
    assert c.paired.refs(levels > 0) == [p.case_ref for p in c.cases if p.levels > 0]
    assert c.paired.refs() == [p.case_ref for p in c.cases]
    frame = c.frames()["cases"]
    assert frame["case_ref"].tolist() == c.paired.refs()
    assert frame["levels"].tolist() == levels.tolist()
    # equal by value (columns included), and after a trip through pickle
    assert c == compare_sets([sample_set], rubric)
    assert pickle.loads(pickle.dumps(c)) == c
    other = c.model_copy()
    other._paired = dataclasses.replace(c.paired, case_ref=c.paired.case_ref[::-1])
    assert other != c and other.cases[0].case_ref == c.cases[-1].case_ref


def test_a_comparison_reads_back_from_its_json(rubric, sample_set, tmp_path):
    """What compare --format json prints is a Comparison again, its cases included (and,
    through a crosswalk, each grade as given)."""
    from hmic_audit.analysis.comparison import Comparison

    c = compare_sets([sample_set], rubric)
    # read as data: pydantic 2.0's own JSON parser reads some floats a unit in the
    # last place off (kappa's, not the cases), which equality would see
    again = Comparison.model_validate(json.loads(c.model_dump_json()))
    assert again == c and again.cases == c.cases
    assert again.model_dump_json() == c.model_dump_json()
    assert Comparison.model_validate(c.model_dump()) == c
    walked = c.model_copy()
    walked._paired = dataclasses.replace(
        c.paired, force_original=["Good"] * len(c.paired),
        inspector_original=[None] * len(c.paired))
    back = Comparison.model_validate(json.loads(walked.model_dump_json()))
    assert back.paired.force_original == ["Good"] * len(c.paired) and back != c
    assert [p.force_original for p in back.cases] == ["Good"] * len(c.paired)
    without = c.model_dump(exclude={"cases"})
    assert len(Comparison.model_validate(without).paired) == 0
    assert Comparison(**c.model_dump()) == c
    assert len(Comparison.model_validate_json(c.model_dump_json()).cases) == c.pairs
    # what cannot be a compared case is a validation error, not a crash
    from pydantic import ValidationError

    for bad in (None, [{**c.model_dump()["cases"][0], "force_grade": "Good"}]):
        with pytest.raises(ValidationError):
            Comparison.model_validate({**c.model_dump(), "cases": bad})


def test_the_cases_dump_with_include_and_exclude_as_a_field_did(rubric, sample_set):
    """include/exclude reach into the cases (indices, "__all__", their fields) and the
    exclude_* options apply to them; the keys keep the fields' order."""
    c = compare_sets([sample_set], rubric)
    every = c.model_dump()["cases"]
    assert c.model_dump(exclude={"cases": {0, 1}})["cases"] == every[2:]
    assert c.model_dump(exclude={"cases": True}).get("cases") is None
    assert c.model_dump(include={"cases": {0}})["cases"] == every[:1]
    assert c.model_dump(include={"cases": {"__all__": {"case_ref"}}})["cases"] == [
        {"case_ref": p["case_ref"]} for p in every]
    assert c.model_dump(exclude={"cases": {"__all__": {"area", "force_original"}}})[
        "cases"][0] == {k: v for k, v in every[0].items() if k not in ("area",
                                                                       "force_original")}
    assert all(None not in p.values() for p in c.model_dump(exclude_none=True)["cases"])
    unset = c.model_dump(exclude_unset=True)["cases"][0]
    assert "force_original" not in unset and "case_ref" in unset
    keys = list(c.model_dump(exclude={"pairs", "significant"}))
    assert keys[keys.index("direction") + 1] == "cases"
    assert list(c.model_dump(include={"criteria", "cases", "pairs"})) == [
        "pairs", "cases", "criteria"]
    assert json.loads(c.model_dump_json(exclude={"cases": {0}}))["cases"] == every[1:]
