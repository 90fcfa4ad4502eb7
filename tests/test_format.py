"""The workbook format is declared once: the README's table, the audit form and the
header matching all come from ``workbook.format.FIELDS``."""

from __future__ import annotations

import openpyxl
import pytest

from hmic_audit import read_audits
from hmic_audit.problems import WorkbookError
from hmic_audit.render.template_xlsx import template_xlsx
from hmic_audit.text import typing_distance
from hmic_audit.workbook.format import FIELDS, choice, field_of, field_rows, words_key

from .conftest import ROOT, write_xlsx


def _readme_table() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("| Field | Header in the audit form |")
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def test_readme_lists_every_field_as_declared():
    assert _readme_table() == field_rows()
    assert [row[0].split("`")[1] for row in _readme_table()] == [f.name for f in FIELDS]


def test_audit_form_has_the_declared_columns_in_order(rubric, tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_bytes(template_xlsx(rubric))
    sheet = openpyxl.load_workbook(path)["Cases"]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    form = [f.title for f in FIELDS if f.in_form]
    assert headers[:len(form)] == form
    assert headers[len(form):] == rubric.criterion_ids


@pytest.mark.parametrize("field", [f for f in FIELDS if f.layout != "wide"],
                         ids=lambda f: f.name)
def test_every_header_spelling_is_read_as_its_field(rubric, tmp_path, field):
    """Each accepted spelling, typed in capitals with spaces, maps to the field."""
    for spelling in (field.title, *field.headers):
        typed = spelling.upper().replace("_", " ")
        headers = {"case_ref": "Case ref", "case_type": "Case type", "assessor": "Assessor",
                   "grade": "Grade"}
        headers[field.name] = typed
        path = write_xlsx(tmp_path / "h.xlsx", list(headers.values()),
                          [["C1", "s47", "inspector", "good"]])  # optional field left blank
        audits, warnings = read_audits(path, rubric)
        assert field.name in audits.fields, spelling
        assert not [w for w in warnings if w.code == "unknown-column"], spelling


# Headers as people type them -----------------------------------------------------------

TYPED_HEADERS = {
    "Date of audit": "audit_date", "Date of Review": "audit_date", "DateOfAudit": "audit_date",
    "Inspector's grade": "inspector_grade", "Inspectors' Grade": "inspector_grade",
    "INSPECTORS GRADE": "inspector_grade", "Overall inspector grade": "inspector_grade",
    "Self-assessment grade": "self_grade", "Force's grade": "self_grade",
    "Self assessment": "self_grade", "Overall grade": "grade", "Overall Judgement": "grade",
    "Type of case": "case_type", "Child's age": "child_age", "Age (years)": "child_age",
    "Age of the child": "child_age", "Gender of child": "child_gender",
    "Case Ref.": "case_ref", "Case reference number": "case_ref", "URN": "case_ref",
    "Local Authority Area": "area", "Comments": "notes", "Audited by:": "assessor",
}


@pytest.mark.parametrize("typed, name", TYPED_HEADERS.items())
def test_headers_typed_every_way_name_their_field(typed, name):
    assert field_of(typed) == name


@pytest.mark.parametrize("typed", ["Date of birth", "Officer in case", "Team", "Ethnicity",
                                   "Notes 2", "Grade rationale"])
def test_other_headers_name_no_field(typed):
    assert field_of(typed) is None


def test_no_two_fields_share_a_loose_spelling():
    seen: dict[str, str] = {}
    for f in FIELDS:
        for spelling in (f.name, f.title, *f.headers):
            key = words_key(spelling)
            assert seen.setdefault(key, f.name) == f.name, (spelling, seen[key])


def test_real_mistakes_are_found_under_typed_headers(rubric, tmp_path):
    """The headers people type are read, so the mistakes in those columns are reported
    (not hidden behind 'no grade' errors for an ignored column)."""
    headers = ["Case Ref", "Type of case", "Date of audit", "Self-assessment grade",
               "Inspector's grade"]
    rows = [["W1", "s47", "03/07/2014", "Good", "Goood"],
            ["W2", "DA", "03.07.2014", "Adequate", "Inadequate"],
            ["W2", "DA", "3/7/14", "Adequate", "Inadequate"],
            ["W3", "CSE", "14/07/2041", "Good", "Requires improvement"]]
    path = write_xlsx(tmp_path / "typed.xlsx", headers, rows, title_rows=1)
    with pytest.raises(WorkbookError) as caught:
        read_audits(path, rubric)
    found = [(p.cell, p.code) for p in caught.value.problems if p.severity != "notice"]
    assert found == [("E3", "unknown-grade"), ("C6", "future-date"),
                     ("A5", "duplicate-audit")]
    assert caught.value.problems[0].code == "header-below-title"  # the title row, noticed
    assert "'Goood' is not a grade in rubric hmic-cp-2014; did you mean 'Good'?" in (
        caught.value.problems[1].message)


# "Did you mean" ------------------------------------------------------------------------

@pytest.mark.parametrize("field, typed, meant", [
    ("grade", "Goood", "Good"), ("grade", "Adequte", "Adequate"),
    ("grade", "Requires improvment", "Requires improvement"),
    ("answer", "yse", "yes"), ("answer", "patly", "partly"),
    ("case_type", "Domestic abuce", "Domestic abuse"),
    ("sample", "self-asessed", "self-assessed"), ("assessor", "inspecter", "inspector"),
    ("child_gender", "femle", "female"), ("example", "Good practise", "good practice"),
    ("grade", "Excellent", None), ("answer", "maybe", None), ("grade", "OK", None),
])
def test_a_typing_slip_gets_the_value_it_probably_meant(rubric, field, typed, meant):
    reading = choice(field, rubric)
    assert reading.parse(typed) is None
    assert reading.suggest(typed) == meant
    message = reading.refusal(typed)
    assert (f"did you mean {meant!r}?" in message) is (meant is not None)


def test_no_suggestion_flips_a_grade():
    """'adequate' under a scale of good / requires improvement / inadequate is two edits
    from 'inadequate': too far to suggest the opposite judgement."""
    from hmic_audit.rubric_file import load_rubric

    three = load_rubric(ROOT / "tests" / "data" / "three-level.yaml")
    assert choice("grade", three).suggest("adequate") is None


def _textbook_distance(a: str, b: str) -> int:
    """Optimal string alignment distance, written out recursively (the oracle)."""
    from functools import cache

    @cache
    def d(i: int, j: int) -> int:
        if not i or not j:
            return i or j
        best = min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))
        if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
            best = min(best, d(i - 2, j - 2) + 1)
        return best

    return d(len(a), len(b))


@pytest.mark.parametrize("a, b", [("yse", "yes"), ("goood", "good"), ("ca", "abc"),
                                  ("adequate", "inadequate"), ("", "abc"), ("abcd", "badc"),
                                  ("requires improvment", "requires improvement")])
def test_typing_distance_matches_the_textbook(a, b):
    expected = _textbook_distance(a, b)
    assert typing_distance(a, b, 10) == expected
    assert typing_distance(a, b, 0) == min(expected, 1)  # stops early past the limit


ANNEX_A = {  # the case types as the published report's Annex A prints them
    "Child protection enquiry (s. 47)": "s47_enquiry",
    "Domestic abuse": "domestic_abuse",
    "General concerns with a child where a referral to children\u2019s social care "
    "services was made": "general_concern",
    "Sex offender enquiry": "sex_offender",
    "Police protection": "police_protection",
    "At risk of sexual exploitation": "sexual_exploitation",
    "On-line sexual abuse": "online_abuse",
    "Child in custody": "child_in_custody",
}


@pytest.mark.parametrize("label, key", ANNEX_A.items())
def test_the_default_rubric_reads_annex_a_labels_verbatim(rubric, label, key):
    assert rubric.parse_case_type(label) == key


def test_a_workbook_in_annex_a_wording_checks_clean(rubric, tmp_path):
    headers = ["Case ref", "Type of case", "Assessor", "Grade"]
    rows = [[f"A{i}", label, "Inspector", "Good"] for i, label in enumerate(ANNEX_A)]
    frame, problems = read_audits(write_xlsx(tmp_path / "a.xlsx", headers, rows), rubric)
    assert frame.cases == len(ANNEX_A) and not problems
    assert sorted(set(frame.case_type.tolist())) == list(range(len(ANNEX_A)))


def test_the_root_cause_leads(rubric, tmp_path):
    """A Windows-1252 CSV missing its case type column: the missing column is the first
    problem shown, before the file-level warning, and no row is reported."""
    path = tmp_path / "cases.csv"
    path.write_bytes("Case ref,Assessor,Grade,Notes\nA1,Inspector,Good,cost \xa35\n"
                     "A2,Inspector,Goood,\n".encode("cp1252"))
    with pytest.raises(WorkbookError) as caught:
        read_audits(path, rubric)
    assert [p.code for p in caught.value.problems] == ["missing-column", "encoding-guessed"]
