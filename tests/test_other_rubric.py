"""A workbook filled in for another shipped rubric, read under the default one: one
``other-rubric`` warning, first among the column problems, names the rubric and the
--rubric to give. Its figures are checked against the workbook's headers (openpyxl) and
the rubrics' YAML criterion ids."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

from .conftest import ROOT, invoke, stdout_json, write_xlsx

SAMPLES = ROOT / "sample_cases"
COLUMN_CODES = {"other-rubric", "unknown-column", "misnamed-column", "duplicate-column",
                "unknown-layout", "missing-column"}


def criterion_ids(name: str) -> set[str]:
    data = yaml.safe_load((ROOT / "rubrics" / f"{name}.yaml").read_text(encoding="utf-8"))
    return {c["id"] for c in data["criteria"]}


def criterion_headers(path: Path) -> set[str]:
    """The headers of the workbook's header row that look like criterion ids."""
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[-1]
    for row in sheet.iter_rows(values_only=True):
        cells = [str(c).strip() for c in row if c is not None]
        if any(c.casefold() in ("case ref", "case_ref", "case reference") for c in cells):
            return {c for c in cells if "_" in c and c.islower()}
    raise AssertionError("no header row")


def problems(runner, path: Path, *rubric: str) -> list[dict]:
    result = invoke(runner, "validate", path, *rubric, "--format", "json")
    assert "Traceback" not in result.output
    return stdout_json(result)["problems"]


@pytest.mark.parametrize("sample,shipped", [("northshire-2022", "child-protection-2021"),
                                            ("wyvern-valley-2024", "child-protection-2024")])
def test_a_sample_read_under_the_default_rubric_names_its_own(runner, sample, shipped):
    path = SAMPLES / sample / "cases.xlsx"
    found = problems(runner, path)
    hints = [p for p in found if p["code"] == "other-rubric"]
    assert len(hints) == 1
    hint = hints[0]
    assert hint["severity"] == "warning" and hint["value"] == shipped
    assert hint["message"].startswith(f"these columns are criteria of the shipped rubric "
                                      f"{shipped}: give --rubric {shipped}")
    # every criterion column the default rubric lacks is one of the other rubric's
    unknown = criterion_headers(path) - criterion_ids("child-protection-2014")
    theirs = unknown & criterion_ids(shipped)
    assert len(unknown) >= 3 and theirs == unknown
    assert f"({len(theirs)} of the {len(unknown)} columns" in hint["message"]
    # first among the column problems: before every unknown column it explains
    columns = [p["code"] for p in found if p["code"] in COLUMN_CODES]
    assert columns[0] == "other-rubric"
    assert columns.count("unknown-column") == len(unknown)
    # under its own rubric, no hint
    assert not [p for p in problems(runner, path, "--rubric", shipped)
                if p["code"] == "other-rubric"]


def test_the_human_output_shows_the_hint_first(runner):
    path = SAMPLES / "northshire-2022" / "cases.xlsx"
    out = " ".join(invoke(runner, "validate", path, "--all").output.split())
    said = out.replace("│", " ")
    said = " ".join(said.split())
    assert "give --rubric child-protection-2021" in said
    assert said.index("child-protection-2021") < said.index("ir_timely_response")


def test_no_hint_for_a_workbook_of_its_rubric_or_too_few_columns(runner, tmp_path):
    assert not [p for p in problems(runner, SAMPLES / "gmp-2014" / "cases.xlsx")
                if p["code"] == "other-rubric"]
    theirs = sorted(criterion_ids("child-protection-2021")
                    - criterion_ids("child-protection-2014"))
    head = ["Case ref", "Case type", "Assessor", "Grade"]
    row = ["C-1", "s47", "inspector", "Good"]
    # two unknown columns of another rubric: not enough to say the workbook is its
    two = write_xlsx(tmp_path / "two.xlsx", head + theirs[:2], [row + ["Yes", "No"]])
    assert not [p for p in problems(runner, two) if p["code"] == "other-rubric"]
    # three unknown columns, but only one of them another rubric's: not most of them
    mixed = write_xlsx(tmp_path / "mixed.xlsx", head + theirs[:1] + ["colour", "mood"],
                       [row + ["Yes", "red", "calm"]])
    assert not [p for p in problems(runner, mixed) if p["code"] == "other-rubric"]
    # three, two of them the 2021 rubric's: most, so the hint
    most = write_xlsx(tmp_path / "most.xlsx", head + theirs[:2] + ["colour"],
                      [row + ["Yes", "No", "red"]])
    hints = [p for p in problems(runner, most) if p["code"] == "other-rubric"]
    assert [h["value"] for h in hints] == ["child-protection-2021"]
    assert "(2 of the 3 columns" in hints[0]["message"]
