"""The Northshire 2022 sample on the shipped three-level rubric child-protection-2021.

Every command runs on it and exits 0, and the grades are cross-checked against a scorer
written here in plain Python from the rubric's YAML (weighted share of points over the
applicable scored answers, bands, limiting caps, min_answered), reading the workbook with
openpyxl: nothing of hmic-audit is used to compute the expected figures.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from hmic_audit import load_rubric

from .conftest import ROOT, invoke, stdout_json

SAMPLE_DIR = ROOT / "sample_cases" / "northshire-2022"
CASES = SAMPLE_DIR / "cases.xlsx"
PROFILE = SAMPLE_DIR / "force.yaml"
GENERATOR = SAMPLE_DIR / "generate.py"
RUBRIC_NAME = "child-protection-2021"
RUBRIC_FILE = ROOT / "rubrics" / f"{RUBRIC_NAME}.yaml"
R = ["-r", RUBRIC_NAME]


# An independent scorer ---------------------------------------------------------------


def _norm(text: object) -> str:
    return " ".join(str(text).lower().replace(".", " ").split())


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return yaml.safe_load(RUBRIC_FILE.read_text(encoding="utf-8"))


def _lookup(items: list[dict[str, Any]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for item in items:
        for name in (item["key"], item["label"], *item.get("aliases", [])):
            table.setdefault(_norm(name), item["key"])
    return table


@pytest.fixture(scope="module")
def expected(spec) -> list[dict[str, Any]]:
    """Every audit of the workbook, scored from the YAML alone."""
    grades = [g["key"] for g in spec["scale"]]
    grade_of = _lookup(spec["scale"])
    type_of = _lookup(spec["case_types"])
    answer_of = _lookup(spec["answers"])
    points = {a["key"]: a["score"] for a in spec["answers"]}
    worst = min((a for a in spec["answers"] if a["score"] is not None),
                key=lambda a: a["score"])["key"]

    ws = openpyxl.load_workbook(CASES, read_only=True)["Cases"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "Case ref")
    col = {h: j for j, h in enumerate(rows[head]) if h}
    out = []
    for r in rows[head + 1:]:
        if not r[col["Case ref"]]:
            continue
        case_type = type_of[_norm(r[col["Case type"]])]
        answers = {c["id"]: answer_of[_norm(r[col[c["id"]]])] for c in spec["criteria"]
                   if r[col[c["id"]]] not in (None, "")}
        applicable = [c for c in spec["criteria"]
                      if c.get("applies_to") is None or case_type in c["applies_to"]]
        earned = possible = 0.0
        answered = 0
        for c in applicable:
            a = answers.get(c["id"])
            if a is None or points[a] is None:
                continue
            answered += 1
            possible += c.get("weight", 1.0)
            earned += c.get("weight", 1.0) * points[a]
        computed = None
        score = None
        capped = []
        if answered >= spec["min_answered"] and possible > 0:
            score = round(100.0 * earned / possible, 6)
            level = next(i for i, g in enumerate(grades) if score >= spec["bands"][g])
            band = level
            for rule in spec.get("limiting", []):
                when = answer_of[_norm(rule["when"])] if "when" in rule else worst
                if any(c["id"] == rule["criterion"] for c in applicable) \
                        and answers.get(rule["criterion"]) == when:
                    level = max(level, grades.index(rule["cap"]))
                    if grades.index(rule["cap"]) > band:
                        capped.append(rule["criterion"])
            computed = grades[level]
        written = r[col["Grade"]]
        given = grade_of[_norm(written)] if written else None
        out.append({"case_ref": r[col["Case ref"]], "case_type": case_type,
                    "sample": _norm(r[col["Sample"]]).replace(" ", "-"),
                    "assessor": _norm(r[col["Assessor"]]), "score": score,
                    "computed": computed, "given": given, "final": given or computed,
                    "capped": capped})
    return out


def _distribution(expected, spec, sample=None, assessor="inspector") -> list[int]:
    counts = Counter(a["final"] for a in expected if a["assessor"] == assessor
                     and (sample is None or a["sample"] == sample))
    return [counts[g["key"]] for g in spec["scale"]]


# The sample and the rubric -----------------------------------------------------------


def test_generator_is_deterministic_and_matches_the_committed_file(tmp_path):
    out = tmp_path / "cases.xlsx"
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out)], check=True,
                   capture_output=True)
    assert out.read_bytes() == CASES.read_bytes()


def test_rubric_is_shipped_with_three_grades_and_its_settings():
    rubric = load_rubric(RUBRIC_NAME)
    assert rubric.name == "hmic-cp-2021"
    assert [g.label for g in rubric.scale] == ["Good", "Requires improvement", "Inadequate"]
    assert rubric.parse_grade("requiring improvement") == "requires_improvement"
    assert rubric.scale[1].in_sentence == "as requiring improvement"
    assert [a.key for a in rubric.answers] == ["yes", "partly", "no", "n/a"]
    assert rubric.parse_answer("partially met") == "partly"
    assert rubric.significant_difference == 2
    assert rubric.acceptable_grades == ["good"]
    assert rubric.requires_version == ">=0.1"
    assert rubric.changelog and rubric.changelog[0].version == rubric.version


def test_rubric_check_and_show(runner):
    checked = invoke(runner, "rubric", "check", RUBRIC_NAME)
    assert checked.exit_code == 0, checked.output
    assert "no problems" in checked.output
    shown = invoke(runner, "rubric", "show", RUBRIC_NAME)
    assert shown.exit_code == 0, shown.output
    assert "hmic-cp-2021" in shown.output
    for label, band in (("Good", 75), ("Requires improvement", 50), ("Inadequate", 0)):
        assert re.search(rf"{label}\s+score >= {band}\b", shown.output), label
    assert "Adequate" not in shown.output


def test_profile_check(runner):
    result = invoke(runner, "profile", "check", PROFILE)
    assert result.exit_code == 0, result.output
    assert "Northshire Police" in result.output


# The figures -------------------------------------------------------------------------


def test_inspectors_grade_ten_eighteen_ten(expected, spec):
    assert _distribution(expected, spec) == [10, 18, 10]
    assert len({a["case_ref"] for a in expected if a["assessor"] == "inspector"}) == 38
    # the force self-assessed some of them, more kindly than inspectors
    force = _distribution(expected, spec, assessor="force")
    inspectors_sa = _distribution(expected, spec, sample="self-assessed")
    assert sum(force) == sum(inspectors_sa) > 0
    assert force[0] > inspectors_sa[0] and force[2] < inspectors_sa[2]
    # every audit is gradable and its written grade is within one level of its answers
    grades = [g["key"] for g in spec["scale"]]
    assert all(a["computed"] for a in expected)
    assert all(abs(grades.index(a["computed"]) - grades.index(a["given"])) <= 1
               for a in expected)


def test_validate(runner):
    result = invoke(runner, "validate", CASES, *R)
    assert result.exit_code == 0, result.output
    assert "52 audits, no errors" in result.output


def test_grade_json_matches_the_independent_scores(runner, expected, spec):
    result = invoke(runner, "grade", CASES, *R, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = stdout_json(result)
    assert doc["rubric"]["grades"] == [g["key"] for g in spec["scale"]]
    mine = {(a["case_ref"], a["assessor"]): a for a in expected}
    theirs = {(a["case_ref"], a["assessor"]): a for a in doc["audits"]}
    assert theirs.keys() == mine.keys()
    for key, a in mine.items():
        t = theirs[key]
        assert t["score"] == pytest.approx(a["score"]), key
        assert (t["computed_grade"], t["given_grade"], t["final_grade"]) == \
            (a["computed"], a["given"], a["final"]), key
        assert t["override"] == (a["computed"] != a["given"]), key
    for d in doc["summary"]["distributions"]:
        counts = [d["counts"][g["key"]] for g in spec["scale"]]
        assert counts == _distribution(expected, spec, d["sample"], d["assessor"]), d
    assert sorted(doc["summary"]["overrides"]) == sorted(
        f"{a['case_ref']}/{a['assessor']}" for a in expected if a["computed"] != a["given"])


def test_grade_human(runner, expected, spec):
    result = invoke(runner, "grade", CASES, *R)
    assert result.exit_code == 0, result.output
    assert "hmic-cp-2021" in result.output
    assert f"{len({a['case_ref'] for a in expected})} cases, {len(expected)} audits" \
        in result.output


def test_explain_names_the_cap_that_set_a_grade(runner, expected):
    capped = next(a for a in expected if a["capped"] and a["assessor"] == "inspector")
    result = invoke(runner, "grade", CASES, *R, "--explain", capped["case_ref"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"capped by {capped['capped'][0]}" in text
    assert "final Requires improvement" in text or "final Inadequate" in text


def test_compare_counts_the_pairs_two_levels_apart(runner, expected, spec):
    grades = [g["key"] for g in spec["scale"]]
    by_case: dict[str, dict[str, str]] = {}
    for a in expected:
        by_case.setdefault(a["case_ref"], {})[a["assessor"]] = a["final"]
    pairs = [p for p in by_case.values() if len(p) == 2]
    apart = sorted(ref for ref, p in by_case.items() if len(p) == 2
                   and abs(grades.index(p["force"]) - grades.index(p["inspector"]))
                   >= spec["significant_difference"])
    human = invoke(runner, "compare", CASES, *R)
    assert human.exit_code == 0, human.output
    result = invoke(runner, "compare", CASES, *R, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = stdout_json(result)
    assert doc["pairs"] == len(pairs)
    assert doc["threshold"] == 2
    assert sorted(s["case_ref"] for s in doc["significant"]) == apart
    assert len(apart) == 2
    cross = [[sum(1 for p in pairs if p["force"] == f and p["inspector"] == i)
              for i in grades] for f in grades]
    assert doc["crosstab"] == cross


def _grade_table(expected, spec) -> list[list[Any]]:
    """The annex's 'grades by sample and assessor' rows, from the independent scores."""
    rows = []
    for sample, assessor in (("self-assessed", "force"), ("self-assessed", "inspector"),
                             ("inspector-selected", "inspector")):
        counts = _distribution(expected, spec, sample, assessor)
        rows.append([f"{sample}, {assessor}", *counts, 0, sum(counts)])
    counts = _distribution(expected, spec)
    rows.append(["All cases, inspectors", *counts, 0, sum(counts)])
    return rows


def test_annex_xlsx_md_json_grade_tables(runner, expected, spec, tmp_path):
    want = _grade_table(expected, spec)
    assert want[-1][1:4] == [10, 18, 10]
    out = {ext: tmp_path / f"annex.{ext}" for ext in ("xlsx", "md", "json")}
    for path in out.values():
        result = invoke(runner, "annex", CASES, *R, "--out", path, "--quiet")
        assert result.exit_code == 0, result.output
        assert path.is_file()

    ws = openpyxl.load_workbook(out["xlsx"], read_only=True)["Grades by sample"]
    cells = [list(r) for r in ws.iter_rows(values_only=True) if r and r[0] is not None]
    assert cells[1] == ["Sample and assessor", "Good", "Requires improvement", "Inadequate",
                        "Not graded", "Total"]
    assert cells[2:2 + len(want)] == want  # the notes follow

    doc = json.loads(out["json"].read_text(encoding="utf-8"))
    table = next(t for t in doc["tables"] if t["name"] == "grades_by_sample")
    assert [c["key"] for c in table["columns"][1:4]] == [g["key"] for g in spec["scale"]]
    assert table["rows"] == want

    md = out["md"].read_text(encoding="utf-8")
    for row in want:
        assert "| " + " | ".join(str(v) for v in row) + " |" in md


@pytest.mark.parametrize("ext", ["md", "html"])
def test_report_with_the_force_profile(runner, expected, spec, tmp_path, ext):
    out = tmp_path / f"report.{ext}"
    result = invoke(runner, "report", CASES, "--force", PROFILE, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Northshire Police" in text
    assert "hmic-cp-2021" in text
    # a three-level report: no grade of the four-level scale creeps in
    assert re.search(r"(?<!in)adequate\b", text, re.IGNORECASE) is None
    assert "as requiring improvement" in text
    figures = Path(f"{out}.figures.json")
    assert figures.is_file()


def test_report_is_the_same_twice(runner, tmp_path):
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    for out in (a, b):
        result = invoke(runner, "report", CASES, "--force", PROFILE, "--out", out, "--quiet")
        assert result.exit_code == 0, result.output
    assert a.read_bytes() == b.read_bytes()


def _listed(wb: openpyxl.Workbook, formula: str) -> list[str]:
    sheet, ref = formula.split("!")
    cells = wb[sheet.strip("'")][ref.replace("$", "")]
    return [row[0].value for row in cells]


def test_template_drop_downs_use_the_rubrics_words(runner, spec, tmp_path):
    out = tmp_path / "form.xlsx"
    result = invoke(runner, "template", "--rubric", RUBRIC_NAME, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    ws = wb["Cases"]
    header = {c.value: c.column_letter for c in ws[1]}
    lists = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            for rng in str(dv.sqref).split():
                lists[re.match(r"[A-Z]+", rng).group()] = _listed(wb, dv.formula1)
    answer_labels = [a["label"] for a in spec["answers"]]
    for c in spec["criteria"]:
        assert lists[header[c["id"]]] == answer_labels, c["id"]
    assert lists[header["Grade"]] == [g["label"] for g in spec["scale"]]
    assert lists[header["Case type"]] == [t["label"] for t in spec["case_types"]]
