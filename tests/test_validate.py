"""Validation: every error located at its cell, warnings that carry on, both layouts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hmic_audit import WorkbookError, grade, load_rubric, read_audits, read_workbook
from hmic_audit.problems import flatten

from .conftest import DATA, long_rows_good, write_xlsx

HEADERS, GOOD_ROWS = long_rows_good()
# Columns: A case ref, B sample, C case type, D area, E assessor, F audit date, G grade,
# H ic_prompt_response, I ic_immediate_safety, J ic_child_seen, K ah_risk_assessed,
# L ah_referral_made, M dm_supervisor_review


def _errors(tmp_path: Path, rows, rubric, headers=HEADERS):
    path = write_xlsx(tmp_path / "cases.xlsx", headers, rows)
    with pytest.raises(WorkbookError) as info:
        read_workbook(path, rubric)
    return [p for p in info.value.problems if p.is_error]


def _row(**changes):
    row = list(GOOD_ROWS[2])  # C-2, inspector-selected, s47, inspector
    for index, value in changes.items():
        row[int(index[1:])] = value
    return row


@pytest.mark.parametrize("row, cell, code", [
    (_row(c2="burglary"), "C2", "unknown-case-type"),
    (_row(c6="Goodish"), "G2", "unknown-grade"),
    (_row(c7="perhaps"), "H2", "unknown-answer"),
    (_row(c1="random"), "B2", "unknown-sample"),
    (_row(c4="social worker"), "E2", "unknown-assessor"),
    (_row(c4=""), "E2", "missing-assessor"),
    (_row(c0=""), "A2", "missing-case-ref"),
    (_row(c2=""), "C2", "missing-case-type"),
    (_row(c5="31/02/2014"), "F2", "impossible-date"),
    (_row(c5="next week"), "F2", "bad-date"),
    (_row(c5=dt.date(2099, 1, 1)), "F2", "future-date"),
    (_row(c6="", c7="", c8="", c9="", c10="", c11="", c12=""), "G2", "no-grade-or-answers"),
    (_row(c2="child in custody"), "H2", "criterion-not-applicable"),
])
def test_each_row_error_names_its_cell(tmp_path, rubric, row, cell, code):
    errors = _errors(tmp_path, [row], rubric)
    assert (cell, code) in flatten(errors, "cell", "code")
    problem = next(p for p in errors if p.code == code)
    assert problem.sheet == "Cases" and problem.file == "cases.xlsx"
    assert f"Cases!{cell}" in str(problem)


def test_unknown_grade_message_tells_how_to_fix(tmp_path, rubric):
    [problem] = _errors(tmp_path, [_row(c6="Goodish")], rubric)
    assert str(problem) == (
        'cases.xlsx Cases!G2 (Grade): \'Goodish\' is not a grade in rubric hmic-cp-2014; use '
        "good, adequate, requires improvement or inadequate, or add an alias under the grade "
        "in the rubric's scale")


def test_cross_row_errors(tmp_path, rubric):
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[1],  # duplicate inspector audit of C-1
            _row(c0="C-3"), _row(c0="C-3", c4="force", c2="domestic abuse")]
    errors = _errors(tmp_path, rows, rubric)
    assert flatten(errors, "row", "code") == [
        (4, "duplicate-audit"), (6, "case-type-mismatch"), (6, "force-audit-of-inspector-case")]
    assert "already has an inspector audit at row 3" in errors[0].message


def test_sample_mismatch(tmp_path, rubric):
    rows = [GOOD_ROWS[0], list(GOOD_ROWS[1])]
    rows[1][1] = "inspector-selected"
    errors = _errors(tmp_path, rows, rubric)
    assert ("B3", "sample-mismatch") in flatten(errors, "cell", "code")


def test_unknown_columns_are_warnings_that_name_them(tmp_path, rubric):
    headers = HEADERS + ["ic_child_sen", "Team notes"]
    rows = [r + ["", "x"] for r in GOOD_ROWS]
    path = write_xlsx(tmp_path / "cases.xlsx", headers, rows)
    audits, warnings = read_workbook(path, rubric)
    assert len(audits.audits) == 3
    assert flatten(warnings, "cell", "code") == [("N1", "unknown-column"),
                                                 ("O1", "unknown-column")]
    assert "did you mean criterion 'ic_child_seen'" in warnings[0].message
    assert "'Team notes' is ignored" in warnings[1].message


def test_incomplete_self_assessed_case_is_a_warning(tmp_path, rubric):
    path = write_xlsx(tmp_path / "cases.xlsx", HEADERS, [GOOD_ROWS[0]])
    _, warnings = read_workbook(path, rubric)
    assert flatten(warnings, "code") == [("incomplete-case",)]


def test_sample_is_inferred_when_blank(tmp_path, rubric):
    rows = [list(r) for r in GOOD_ROWS]
    for r in rows:
        r[1] = ""
    audits, _ = read_workbook(write_xlsx(tmp_path / "c.xlsx", HEADERS, rows), rubric)
    assert [a.sample.value for a in audits.audits] == ["self-assessed", "self-assessed",
                                                       "inspector-selected"]


def twenty_mistakes() -> list[list]:
    """Rows holding twenty different mistakes, each in its own cell."""
    r = _row
    return [
        r(c0="E01", c2="burglary"),                       # 1 unknown case type
        r(c0="E02", c6="Goodish"),                        # 2 unknown grade
        r(c0="E03", c7="perhaps"),                        # 3 unknown answer
        r(c0="E04", c1="random"),                         # 4 unknown sample
        r(c0="E05", c4="social worker"),                  # 5 unknown assessor
        r(c0="E06", c4=""),                               # 6 missing assessor
        r(c0=""),                                         # 7 missing case ref
        r(c0="E08", c2=""),                               # 8 missing case type
        r(c0="E09", c5="31/02/2014"),                     # 9 bad date
        r(c0="E10", c5=dt.date(2099, 1, 1)),              # 10 future date
        r(c0="E11", c6="", c7="", c8="", c9="", c10="", c11="", c12=""),  # 11 nothing
        r(c0="E12", c2="child in custody", c8="", c9="", c11=""),  # 12 not applicable
        r(c0="E13"), r(c0="E13"),                         # 13 duplicate audit
        r(c0="E14"), r(c0="E14", c4="force", c1=""),      # 14 force audit, inspector case
        r(c0="E15", c1="self-assessed", c4="force"),
        r(c0="E15", c1="self-assessed", c2="cse"),        # 15 case type differs
        r(c0="E16", c8="maybe"),                          # 16 unknown answer, other column
        r(c0="E17", c6="outstanding"),                    # 17 unknown grade, other value
        r(c0="E18", c2="sex offender", c7="", c9="", c11="", c8="yes"),  # 18 n/a, other
        r(c0="E19", c5="yesterday"),                      # 19 bad date, other text
        r(c0="E20", c2="teapot"),                         # 20 unknown case type again
    ]


def test_twenty_mistakes_in_one_message(tmp_path, rubric):
    rows = twenty_mistakes()
    path = write_xlsx(tmp_path / "twenty.xlsx", HEADERS, rows)
    with pytest.raises(WorkbookError) as info:
        read_workbook(path, rubric)
    errors = [p for p in info.value.problems if p.is_error]
    assert len(errors) == 20
    assert len({p.cell for p in errors}) == 20, "every mistake at its own cell"
    assert all(p.cell and p.sheet == "Cases" for p in errors)


def test_wide_layout(tmp_path, rubric):
    headers = ["Case reference", "Case type", "Area", "Self grade", "Inspector grade"]
    rows = [["W1", "DA", "Bury", "Good", "RI"], ["W2", "s.47", "Wigan", "", "inadequate"]]
    audits, warnings = read_workbook(write_xlsx(tmp_path / "w.xlsx", headers, rows), rubric)
    assert warnings == []
    assert [(a.case_ref, a.sample.value, a.assessor.value, a.grade) for a in audits.audits] == [
        ("W1", "self-assessed", "force", "good"),
        ("W1", "self-assessed", "inspector", "requires_improvement"),
        ("W2", "inspector-selected", "inspector", "inadequate")]
    result = grade(audits, rubric)
    by = {(d.sample.value, d.assessor.value): d.counts for d in result.summary.distributions}
    assert by[("self-assessed", "force")]["good"] == 1
    assert by[("inspector-selected", "inspector")]["inadequate"] == 1


def test_wide_layout_errors(tmp_path, rubric):
    headers = ["Case ref", "Case type", "Self grade", "Inspector grade"]
    rows = [["W1", "DA", "Goodish", ""], ["W2", "DA", "", ""]]
    path = write_xlsx(tmp_path / "w.xlsx", headers, rows)
    with pytest.raises(WorkbookError) as info:
        read_workbook(path, rubric)
    assert flatten(info.value.problems, "cell", "code") == [
        ("C2", "unknown-grade"), ("D3", "no-grade-or-answers")]


def test_layout_must_be_recognisable(tmp_path, rubric):
    path = write_xlsx(tmp_path / "x.xlsx", ["Case ref", "Case type", "Grade"],
                      [["A", "DA", "good"]])
    with pytest.raises(WorkbookError) as info:
        read_workbook(path, rubric)
    assert info.value.problems[0].code == "unknown-layout"


def test_three_level_scale_grades_validates_and_summarises(tmp_path):
    three = load_rubric(DATA / "three-level.yaml")
    headers = ["Case ref", "Sample", "Case type", "Assessor", "Grade", "seen", "recorded",
               "referred", "appropriate_adult"]
    rows = [
        ["T1", "self-assessed", "Domestic abuse", "force", "", "yes", "yes", "yes", ""],
        ["T1", "self-assessed", "Domestic abuse", "inspector", "", "yes", "partly", "no", ""],
        ["T2", "inspector-selected", "Child in custody", "inspector", "", "yes", "yes", "",
         "no"],
        ["T3", "inspector-selected", "Domestic abuse", "inspector", "RI", "", "", "", ""],
    ]
    audits, _ = read_workbook(write_xlsx(tmp_path / "t.xlsx", headers, rows), three)
    result = grade(audits, three)
    assert [a.final_grade for a in result.audits] == [
        "good", "requires_improvement", "inadequate", "requires_improvement"]
    for d in result.summary.distributions:
        assert list(d.counts) == ["good", "requires_improvement", "inadequate"]
    inspector = next(d for d in result.summary.distributions
                     if d.sample.value == "inspector-selected")
    assert inspector.counts == {"good": 0, "requires_improvement": 1, "inadequate": 1}
    # a four-level label is unknown on this scale
    rows[3][4] = "adequate"
    with pytest.raises(WorkbookError) as info:
        read_workbook(write_xlsx(tmp_path / "t2.xlsx", headers, rows), three)
    [problem] = info.value.problems
    assert problem.code == "unknown-grade"
    assert "use good, requires improvement or inadequate" in problem.message


@pytest.mark.parametrize("column, value, code", [
    ("Child age", "19", "bad-age"), ("Child age", "twelve", "bad-age"),
    ("Child gender", "unknown", "unknown-gender"), ("Example", "brilliant", "unknown-example"),
])
def test_optional_columns_are_checked(tmp_path, rubric, column, value, code):
    headers = HEADERS + ["Child age", "Child gender", "Example"]
    row = _row() + ["", "", ""]
    row[headers.index(column)] = value
    errors = _errors(tmp_path, [row], rubric, headers)
    letter = "ABCDEFGHIJKLMNOP"[headers.index(column)]
    assert flatten(errors, "cell", "code") == [(f"{letter}2", code)]


def test_optional_columns_are_read(tmp_path, rubric):
    headers = HEADERS + ["Child age", "Gender", "Report example", "Notes"]
    row = _row() + [14, "F", "Good practice", "A note"]
    audits, _ = read_workbook(write_xlsx(tmp_path / "c.xlsx", headers, [row]), rubric)
    [a] = audits.audits
    assert (a.child_age, a.child_gender, a.example, a.notes) == (14, "female",
                                                                 "good_practice", "A note")


def test_lookalike_references_are_folded_so_duplicates_are_seen(tmp_path, rubric):
    rows = [_row(c0="IS\u2011001"), _row(c0="ＩＳ-001"), _row(c0="IS-0\u200b02"),
            _row(c0="IS-002")]
    path = write_xlsx(tmp_path / "cases.xlsx", HEADERS, rows)
    with pytest.raises(WorkbookError) as info:
        read_workbook(path, rubric)
    problems = info.value.problems
    assert flatten([p for p in problems if p.is_error], "row", "code") == [
        (3, "duplicate-audit"), (5, "duplicate-audit")]
    normalised = [p for p in problems if p.code == "reference-normalised"]
    assert [p.row for p in normalised] == [2, 3, 4]
    assert "\\u2011" in normalised[0].message


def test_an_unknown_case_type_expects_the_labels_its_message_lists(rubric, tmp_path):
    """The problem's ``expected`` (shown and in JSON) names the case types as the message
    and the audit form's drop-down do: by their labels, not the rubric's keys."""
    path = tmp_path / "cases.xlsx"
    headers, rows = long_rows_good()
    rows[0][headers.index("Case type")] = "Burglary"
    write_xlsx(path, headers, rows)
    with pytest.raises(WorkbookError) as info:
        read_audits(path, rubric)
    found = [p for p in info.value.problems if p.code == "unknown-case-type"]
    labels = [c.label for c in rubric.case_types]
    assert found and found[0].expected == "; ".join(labels)
    assert all(label in found[0].message for label in labels)
