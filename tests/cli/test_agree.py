"""``hmic-audit agree``: several inspector readers of the same cases."""

from __future__ import annotations

from pathlib import Path

import krippendorff
import numpy as np
import pytest
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from tests.conftest import invoke, stdout_json, write_xlsx

GRADES = ["good", "adequate", "requires improvement", "inadequate"]
HEADERS = ["Case ref", "Case type", "Assessor", "Reader", "Grade", "ic_child_seen"]
# case -> grades of readers Ann, Bob, Cy (positions on the scale): mostly adequate
READS = [(1, 1, 1), (1, 1, 2), (0, 0, 1), (1, 1, 1), (2, 2, 2), (1, 2, 1), (1, 1, 1),
         (3, 3, 2), (1, 1, 1), (0, 1, 1), (1, 1, 1), (2, 1, 2)]
READERS = ["Ann", "Bob", "Cy"]


def multi_reader(path: Path, *, same_reader: bool = False) -> Path:
    rows = []
    for c, grades in enumerate(READS):
        ref = f"C-{c + 1}"
        rows.append([ref, "domestic abuse", "force", None, "good", "yes"])
        for who, g in zip(READERS, grades, strict=True):
            name = "Ann" if same_reader and c == 0 else who
            rows.append([ref, "domestic abuse", "inspector", name.upper() if who == "Bob"
                         else name, GRADES[g], "no" if g >= 2 else "yes"])
    return write_xlsx(path, HEADERS, rows)


def test_agree_reports_all_readers_and_each_pair(runner, tmp_path: Path) -> None:
    path = multi_reader(tmp_path / "double.xlsx")
    result = invoke(runner, "agree", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    found = stdout_json(result)
    assert found["readers"] == ["Ann", "BOB", "Cy"]
    grade = found["grade"]
    assert grade["cases"] == len(READS) and grade["readings"] == 3 * len(READS)
    matrix = np.array(READS)
    expected = fleiss_kappa(aggregate_raters(matrix, n_cat=4)[0])
    assert grade["fleiss"]["value"] == pytest.approx(expected, abs=1e-9)
    alpha = krippendorff.alpha(reliability_data=matrix.T, level_of_measurement="ordinal",
                               value_domain=[0, 1, 2, 3])
    assert grade["alpha"]["value"] == pytest.approx(alpha, abs=1e-9)
    assert grade["ac1"]["ci_low"] < grade["ac1"]["value"] < grade["ac1"]["ci_high"]
    pairs = {tuple(p["readers"]): p for p in grade["pairs"]}
    assert set(pairs) == {("Ann", "BOB"), ("Ann", "Cy"), ("BOB", "Cy")}
    ann_bob = pairs[("Ann", "BOB")]
    assert ann_bob["cases"] == len(READS)
    assert ann_bob["exact"] == sum(a == b for a, b, _ in READS)
    assert [c["what"] for c in found["criteria"]] == ["ic_child_seen"]
    # the same input gives the same bytes (the bootstrap is seeded)
    assert invoke(runner, "agree", path, "--format", "json").stdout == result.stdout


def test_agree_human_view_names_the_coefficients(runner, tmp_path: Path) -> None:
    result = invoke(runner, "agree", multi_reader(tmp_path / "double.xlsx"))
    assert result.exit_code == 0
    for words in ("Fleiss' kappa", "Gwet's AC1", "Krippendorff's alpha", "Cohen's kappa",
                  "BOB", "Cy"):
        assert words in result.stdout


def test_agree_without_reader_column_exits_2(runner, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "one.xlsx", HEADERS[:3] + HEADERS[4:], [
        ["C-1", "domestic abuse", "inspector", "good", "yes"],
        ["C-2", "domestic abuse", "inspector", "adequate", "yes"]])
    result = invoke(runner, "agree", path, "--format", "json")
    assert result.exit_code == 2
    problem = stdout_json(result)["problems"][0]
    assert problem["code"] == "no-readers" and "Reader column" in problem["message"]
    human = invoke(runner, "agree", path)
    assert human.exit_code == 2 and human.stdout == ""
    assert "no reader column" in " ".join(human.stderr.split())
    assert "Traceback" not in human.stderr


def test_one_reader_twice_is_still_a_duplicate(runner, tmp_path: Path) -> None:
    path = multi_reader(tmp_path / "twice.xlsx", same_reader=True)
    result = invoke(runner, "validate", path, "--format", "json")
    assert result.exit_code == 1
    problems = stdout_json(result)["problems"]
    dup = [p for p in problems if p["code"] == "duplicate-audit"]
    # C-1 read three times by Ann: the second and third readings are duplicates
    assert len(dup) == 2 and all("same reader" in p["message"] for p in dup)
    assert {p["row"] for p in dup} == {4, 5}


def test_readers_that_differ_pass_validate(runner, tmp_path: Path) -> None:
    result = invoke(runner, "validate", multi_reader(tmp_path / "double.xlsx"))
    assert result.exit_code == 0, result.stdout


def test_compare_uses_the_first_reader_and_says_so(runner, tmp_path: Path) -> None:
    result = invoke(runner, "compare", multi_reader(tmp_path / "double.xlsx"),
                    "--format", "json")
    assert result.exit_code == 0, result.stderr
    found = stdout_json(result)
    assert found["pairs"] == len(READS)
    inspector = {c["case_ref"]: c["inspector_grade"] for c in found["cases"]}
    assert inspector["C-2"] == "adequate"  # Ann's, the first row; Cy said RI
    assert len(found["later_readings"]) == len(READS)
    assert "first" in result.stderr and "agree" in result.stderr
    assert found["ac1"]["value"] is not None
