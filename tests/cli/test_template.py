"""`hmic-audit template`: the blank audit workbook, and reading it back."""

from __future__ import annotations

import datetime as dt

import openpyxl

from hmic_audit import grade, read_workbook
from hmic_audit.workbook.format import FIELDS

from ..conftest import invoke


def test_template_has_validations_comments_and_instructions(runner, tmp_path, rubric):
    out = tmp_path / "form.xlsx"
    result = invoke(runner, "template", "--out", out)
    assert result.exit_code == 0, result.stderr
    wb = openpyxl.load_workbook(out)
    # Lists (the drop-down values) and _hmic_audit (the rubric it was made for) are hidden
    assert wb.sheetnames == ["Cases", "Instructions", "Lists", "_hmic_audit"]
    assert [wb[s].sheet_state for s in wb.sheetnames[2:]] == ["hidden", "hidden"]
    ws = wb["Cases"]
    headers = [c.value for c in ws[1]]
    assert headers[-len(rubric.criteria):] == rubric.criterion_ids
    assert ws.freeze_panes == "B2"
    first = headers.index(rubric.criterion_ids[0]) + 1
    assert rubric.criteria[0].question in ws.cell(1, first).comment.text
    lists = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
             for dv in ws.data_validations.dataValidation if dv.type == "list"}
    letter = openpyxl.utils.get_column_letter
    for name in ("Case type", "Sample", "Assessor", "Grade"):
        assert letter(headers.index(name) + 1) in lists, name
    for cid in rubric.criterion_ids:
        assert letter(headers.index(cid) + 1) in lists, cid
    values = [c.value for c in wb["Lists"]["A"][1:] if c.value]
    assert values == [c.label for c in rubric.case_types]
    questions = [r[2] for r in wb["Instructions"].iter_rows(min_row=5, values_only=True)]
    assert set(questions) == {c.question for c in rubric.criteria}


def _fill(path, answer: str, rubric) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Cases"]
    headers = [c.value for c in ws[1]]
    case_type = rubric.case_types[0]
    values = {"Case ref": "T-001", "Sample": "Inspector-selected", "Case type": case_type.label,
              "Area": "Bury", "Assessor": "Inspector", "Audit date": dt.datetime(2014, 7, 3),
              "Grade": "Adequate"}
    for name, value in values.items():
        ws.cell(2, headers.index(name) + 1, value)
    for c in rubric.criteria_for(case_type.key):
        ws.cell(2, headers.index(c.id) + 1, answer)
    wb.save(path)


def test_filled_template_grades_cleanly(runner, tmp_path, rubric):
    out = tmp_path / "form.xlsx"
    invoke(runner, "template", "--out", out)
    _fill(out, "yes", rubric)
    audits, warnings = read_workbook(out, rubric)
    assert warnings == []
    [graded] = grade(audits, rubric).audits
    assert graded.computed_grade == "good" and graded.given_grade == "adequate"
    assert invoke(runner, "grade", out).exit_code == 0


def test_filled_template_with_a_bad_answer_gets_a_located_error(runner, tmp_path, rubric):
    out = tmp_path / "form.xlsx"
    invoke(runner, "template", "--out", out)
    _fill(out, "maybe", rubric)
    result = invoke(runner, "grade", out)
    assert result.exit_code == 2
    first = 1 + sum(f.in_form for f in FIELDS)
    cell = f"Cases!{openpyxl.utils.get_column_letter(first)}2"
    assert cell in result.stderr and "'maybe' is not an answer" in result.stderr


def test_three_level_template(runner, tmp_path):
    from ..conftest import DATA

    out = tmp_path / "three.xlsx"
    assert invoke(runner, "template", "--rubric", DATA / "three-level.yaml",
                  "--out", out).exit_code == 0
    lists = openpyxl.load_workbook(out)["Lists"]
    grades = [c.value for c in lists["D"][1:] if c.value]
    assert grades == ["Good", "Requires improvement", "Inadequate"]


def test_format_json_summarises_what_was_written(runner, tmp_path, rubric):
    import hashlib
    import json

    out = tmp_path / "form.xlsx"
    result = invoke(runner, "template", "--out", out, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and doc["problems"] == []
    assert doc["files"] == [{"path": str(out), "what": "audit form",
                             "bytes": out.stat().st_size,
                             "sha256": hashlib.sha256(out.read_bytes()).hexdigest()}]
    assert doc["counts"] == {"criteria": len(rubric.criteria), "themes": len(rubric.themes),
                             "case_types": len(rubric.case_types)}
    assert doc["rubric"] == {"name": rubric.name, "version": rubric.version}
    assert "wrote" in result.stderr


def test_format_json_error_document(runner, tmp_path):
    import json

    result = invoke(runner, "template", "--out", tmp_path / "form.csv", "-f", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["problems"][0]["code"] == "bad-output-format"
