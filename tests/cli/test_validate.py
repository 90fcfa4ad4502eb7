"""`hmic-audit validate` end to end: exit 0 clean, 1 with problems, 2 for a bad rubric."""

from __future__ import annotations

import json

from ..conftest import SAMPLE, invoke, long_rows_good, write_xlsx


def test_clean_workbook(runner):
    result = invoke(runner, "validate", SAMPLE)
    assert result.exit_code == 0
    assert "144 audits, no errors" in result.stderr
    assert result.stdout == ""


def test_problems_exit_1_with_full_list(runner, tmp_path):
    headers, rows = long_rows_good()
    rows[0][6] = "Goodish"
    rows[2][2] = "teapot"
    bad = write_xlsx(tmp_path / "bad.xlsx", headers + ["mystery"], [r + ["?"] for r in rows])
    result = invoke(runner, "validate", bad)
    assert result.exit_code == 1
    for text in ("Cases!G2", "Goodish", "Cases!C4", "teapot", "Cases!N1", "mystery"):
        assert text in result.stderr
    assert "bad.xlsx: 2 errors" in result.stderr


def test_json_report(runner, tmp_path):
    headers, rows = long_rows_good()
    rows[1][7] = "perhaps"
    bad = write_xlsx(tmp_path / "bad.xlsx", headers, rows)
    result = invoke(runner, "validate", bad, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["errors"] == 1
    assert [(p["sheet"], p["row"], p["column"], p["code"]) for p in doc["problems"]] == [
        ("Cases", 3, "ic_prompt_response", "unknown-answer")]


def test_unreadable_workbook_is_bad_input(runner, tmp_path):
    """A file that cannot be read at all is bad input (exit 2), not a workbook the check
    found problems in (exit 1); the problem still says what to do."""
    fake = tmp_path / "cases.xlsx"
    fake.write_text("case_ref,grade\n", encoding="utf-8")
    result = invoke(runner, "validate", fake, "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["problems"][0]["code"] == "csv-saved-as-xlsx"
    assert "rename it to .csv" in json.loads(result.stdout)["problems"][0]["message"]


def test_bad_rubric_is_exit_2(runner, tmp_path):
    rubric = tmp_path / "r.yaml"
    rubric.write_text("name: x\n", encoding="utf-8")
    result = invoke(runner, "validate", SAMPLE, "--rubric", rubric)
    assert result.exit_code == 2
    assert "r.yaml" in result.stderr and "version" in result.stderr


def test_many_bad_rows_are_listed_quickly(runner, tmp_path):
    """Every row wrong in a large file: the check stays linear in the rows."""
    import time

    headers, rows = long_rows_good()
    bad = [[f"R{i}", *rows[2][1:6], "Goodish", *rows[2][7:]] for i in range(20_000)]
    path = write_xlsx(tmp_path / "bad.xlsx", headers, bad)
    started = time.monotonic()
    result = invoke(runner, "validate", path, "--format", "json")
    assert time.monotonic() - started < 30
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"] == 20_000


def test_no_header_on_the_sheet_read_names_the_other_sheets(runner, tmp_path):
    """The first sheet is instructions, the audits are on another: the message names the
    other sheets and the --sheet that reads one, not only "add one above the data"."""
    headers, rows = long_rows_good()
    path = write_xlsx(tmp_path / "book.xlsx", headers, rows, sheet="Audit data",
                      extra_sheets=("Instructions",))
    result = invoke(runner, "validate", path, "--format", "json")
    [problem] = json.loads(result.stdout)["problems"]
    assert (problem["code"], problem["sheet"]) == ("missing-header", "Instructions")
    assert problem["message"] == (
        "has no header row with a case reference column (case_ref) in its first 30 rows; "
        "add one above the data, or, if the audits are on another sheet ('Audit data'), "
        'name it: --sheet "Audit data"')
    assert invoke(runner, "validate", path, "--sheet", "Audit data").exit_code == 0
