"""`hmic-audit compare` end to end."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from hmic_audit import load_rubric, read_workbook
from hmic_audit.analysis.compare import compare_sets

from ..conftest import SAMPLE, invoke, write_xlsx
from ..test_compare import SAMPLE_RUBRIC, _two_files


def test_human_view(runner):
    result = invoke(runner, "compare", SAMPLE)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "30 pairs" in out and "less favourably than the force" in out
    total = next(line for line in out.splitlines() if "│ Total" in line)
    assert [c.strip() for c in total.strip("│ ").split("│")][1:] == ["8", "16", "1", "5", "30"]
    assert "Cohen's kappa" in out and "Krippendorff" in out and "Sign test" in out


def test_json_equals_the_library(runner, rubric):
    result = invoke(runner, "compare", SAMPLE, "--format", "json", "--by", "area")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    expected = compare_sets([read_workbook(SAMPLE, rubric)[0]], rubric, by="area")
    assert doc == expected.model_dump(mode="json")
    assert doc["force_margin"] == [19, 9, 2, 0] and doc["inspector_margin"] == [8, 16, 1, 5]


def test_sample_rubric_threshold_and_override(runner):
    doc = json.loads(invoke(runner, "compare", SAMPLE, "--rubric", SAMPLE_RUBRIC,
                            "-f", "json").stdout)
    assert doc["threshold"] == 3 and len(doc["significant"]) == 2
    doc = json.loads(invoke(runner, "compare", SAMPLE, "--rubric", SAMPLE_RUBRIC,
                            "--threshold", "2", "-f", "json").stdout)
    assert doc["threshold"] == 2 and len(doc["significant"]) >= 3


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".md"])
def test_every_out_format(runner, tmp_path, suffix):
    out = tmp_path / f"compare{suffix}"
    result = invoke(runner, "compare", SAMPLE, "--rubric", SAMPLE_RUBRIC, "--by",
                    "case_type", "--out", out)
    assert result.exit_code == 0, result.stderr
    if suffix == ".xlsx":
        wb = openpyxl.load_workbook(out)
        assert wb.sheetnames[:4] == ["Cross-tab", "Agreement", "Significant", "Criteria"]
        assert "By group" in wb.sheetnames and "Cases" in wb.sheetnames
        rows = list(wb["Cross-tab"].iter_rows(values_only=True))
        assert rows[-1] == ("Total", 8, 16, 1, 5, 30)
        assert [r[-1] for r in rows[1:5]] == [19, 9, 2, 0]
        assert wb["Significant"].max_row == 3
    elif suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
        assert len(rows) == 30
        assert sum(r["Significant"] == "yes" for r in rows) == 2
    else:
        text = out.read_text(encoding="utf-8")
        assert "| Total | 8 | 16 | 1 | 5 | 30 |" in text
        # three levels is the whole four-level scale: 'or more' could not happen
        assert "## Cases whose judgements differ by 3 grade levels" in text
        assert "| SA\\-001 |" in text or "| SA-001 |" in text
    again = tmp_path / f"again{suffix}"
    invoke(runner, "compare", SAMPLE, "--rubric", SAMPLE_RUBRIC, "--by", "case_type",
           "--out", again)
    assert again.read_bytes() == out.read_bytes()


def test_two_files_with_unmatched_cases(runner, tmp_path, rubric):
    sample_set = read_workbook(SAMPLE, rubric)[0]
    self_file, insp_file = _two_files(tmp_path, rubric, sample_set,
                                      drop_force=("SA-004",), drop_inspector=("SA-010",))
    result = invoke(runner, "compare", self_file, insp_file, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["pairs"] == 28
    assert {(u["case_ref"], u["has"]) for u in doc["unmatched"]} == {
        ("SA-004", "inspector"), ("SA-010", "force")}
    assert "2 cases audited by one side only were not compared" in result.stderr
    human = invoke(runner, "compare", self_file, insp_file)
    assert "Cases not compared" in human.stdout and "SA-004" in human.stdout


def test_two_files_where_the_inspector_file_holds_force_rows(runner, tmp_path):
    headers = ["Case ref", "Case type", "Assessor", "Grade"]
    a = write_xlsx(tmp_path / "a.xlsx", headers, [["A", "DA", "force", "good"]])
    b = write_xlsx(tmp_path / "b.xlsx", headers, [["A", "DA", "force", "good"]])
    result = invoke(runner, "compare", a, b)
    assert result.exit_code == 2
    assert "b.xlsx Cases!C2" in result.stderr and "holds the inspector audits" in result.stderr


@pytest.mark.parametrize("rows, args, expect", [
    ([["A", "inspector-selected", "DA", "inspector", "good"]], [],
     "no case has both a force and an inspector audit"),
    ([["A", "", "DA", "force", ""], ["A", "", "DA", "inspector", "good"]], ["--use", "given"],
     "try --use final"),
])
def test_degenerate_inputs_exit_2_with_a_message(runner, tmp_path, rows, args, expect):
    headers = ["Case ref", "Sample", "Case type", "Assessor", "Grade", "ah_risk_assessed"]
    rows = [r + ["yes"] for r in rows]
    path = write_xlsx(tmp_path / "t.xlsx", headers, rows)
    result = invoke(runner, "compare", path, *args)
    assert result.exit_code == 2
    assert expect in result.stderr
    assert "Traceback" not in result.stderr and "nan" not in result.stdout.lower()


@pytest.mark.parametrize("rows, note", [
    ([["A", "DA", "force", "good"], ["A", "DA", "inspector", "adequate"]], "at least two"),
    ([[r, "DA", s, "good"] for r in "ABC" for s in ("force", "inspector")], "undefined"),
])
def test_degenerate_statistics_are_explained(runner, tmp_path, rows, note):
    path = write_xlsx(tmp_path / "t.xlsx", ["Case ref", "Case type", "Assessor", "Grade"],
                      rows)
    result = invoke(runner, "compare", path)
    assert result.exit_code == 0, result.stderr
    assert note in result.stdout
    assert "nan" not in result.stdout.lower()
    doc = json.loads(invoke(runner, "compare", path, "-f", "json").stdout)
    assert doc["kappa"]["unweighted"]["value"] is None


def test_three_level_rubric(runner, tmp_path):
    from ..conftest import DATA

    three = DATA / "three-level.yaml"
    rows = [[r, "Domestic abuse", s, g] for r, s, g in (
        ("A", "force", "good"), ("A", "inspector", "inadequate"),
        ("B", "force", "good"), ("B", "inspector", "good"),
        ("C", "force", "ri"), ("C", "inspector", "inadequate"))]
    path = write_xlsx(tmp_path / "t.xlsx", ["Case ref", "Case type", "Assessor", "Grade"],
                      rows)
    doc = json.loads(invoke(runner, "compare", path, "--rubric", three, "-f", "json").stdout)
    assert doc["grades"] == load_rubric(three).grade_keys
    assert doc["crosstab"] == [[1, 0, 1], [0, 0, 1], [0, 0, 0]]
    assert [d["case_ref"] for d in doc["significant"]] == ["A"]


def test_wrong_number_of_files(runner, tmp_path):
    result = invoke(runner, "compare", SAMPLE, SAMPLE, SAMPLE)
    assert result.exit_code == 2
    assert "one workbook or two" in result.stderr
