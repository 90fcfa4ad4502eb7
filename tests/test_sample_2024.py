"""The 2024 sample (Wyvern Valley Police, fictional): its generator reproduces the committed
workbook, and every command runs on it with the 2024 rubric."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import openpyxl
import pytest
import yaml

from .conftest import ROOT, invoke, stdout_json

FOLDER = ROOT / "sample_cases" / "wyvern-valley-2024"
CASES = FOLDER / "cases.xlsx"
PROFILE = FOLDER / "force.yaml"
RUBRIC = ["--rubric", "child-protection-2024"]


def test_generator_is_deterministic_and_matches_the_committed_file(tmp_path):
    out = tmp_path / "cases.xlsx"
    subprocess.run([sys.executable, str(FOLDER / "generate.py"), "--out", str(out)],
                   check=True, capture_output=True)
    assert out.read_bytes() == CASES.read_bytes()


def test_sample_holds_48_inspector_reviews_and_some_self_assessments():
    rows = list(openpyxl.load_workbook(CASES, read_only=True).active.iter_rows(
        values_only=True))
    col = {h: i for i, h in enumerate(rows[0])}
    who = Counter((r[col["Sample"]], r[col["Assessor"]]) for r in rows[1:])
    assert who == {("Self-assessed", "Force"): 12, ("Self-assessed", "Inspector"): 12,
                   ("Inspector-selected", "Inspector"): 36}
    answers = {r[i] for r in rows[1:] for i in range(col["Notes"] + 1, len(rows[0]))} - {None}
    # inspectors answer in the rubric's words, the force in the older ones (aliases)
    assert answers == {"Evident", "Partly evident", "Not evident", "Not applicable",
                       "Yes", "Partly", "No", "N/A"}


def test_validate_and_grade(runner):
    assert invoke(runner, "validate", CASES, *RUBRIC).exit_code == 0
    human = invoke(runner, "grade", CASES, *RUBRIC)
    assert human.exit_code == 0
    assert "hmic-cp-2024" in human.stdout
    doc = stdout_json(invoke(runner, "grade", CASES, *RUBRIC, "--format", "json"))
    assert len(doc["audits"]) == 60
    assert doc["rubric"]["grades"] == ["outstanding", "good", "adequate",
                                       "requires_improvement", "inadequate"]
    explained = invoke(runner, "grade", CASES, *RUBRIC, "--explain", "SA-001")
    assert explained.exit_code == 0
    assert "SA-001" in explained.stdout
    as_json = invoke(runner, "grade", CASES, *RUBRIC, "--explain", "IS-007",
                     "--format", "json")
    assert as_json.exit_code == 0
    stdout_json(as_json)


def test_compare(runner):
    assert invoke(runner, "compare", CASES, *RUBRIC).exit_code == 0
    doc = stdout_json(invoke(runner, "compare", CASES, *RUBRIC, "--format", "json"))
    assert doc


@pytest.mark.parametrize("name", ["annex.xlsx", "annex.md", "annex.json"])
def test_annex(runner, tmp_path, name):
    out = tmp_path / name
    result = invoke(runner, "annex", CASES, *RUBRIC, "--force", PROFILE, "--out", out,
                    "--format", "json")
    assert result.exit_code == 0
    assert "topic_grades" in stdout_json(result)["tables"]
    assert out.stat().st_size > 0


@pytest.mark.parametrize("name", ["report.md", "report.html"])
def test_report_with_profile(runner, tmp_path, name):
    out = tmp_path / name
    # the profile names the rubric: no --rubric needed
    result = invoke(runner, "report", CASES, "--force", PROFILE, "--out", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Wyvern Valley Police" in text
    # the topic grade is the tool's roll-up of the reviews, not a grade inspectors gave
    assert "Partnership working: the inspectors' case file reviews grade it" in text
    assert "inspectors graded it" not in text
    assert "How each topic was graded" in text


def test_template_profile_and_rubric(runner, tmp_path):
    form = tmp_path / "form.xlsx"
    assert invoke(runner, "template", *RUBRIC, "--out", form).exit_code == 0
    headers = [c.value for c in next(openpyxl.load_workbook(form)["Cases"].iter_rows())]
    assert "ld_supervisor_direction" in headers
    assert invoke(runner, "profile", "check", PROFILE).exit_code == 0
    assert invoke(runner, "rubric", "check", "child-protection-2024").exit_code == 0
    shown = invoke(runner, "rubric", "show", "child-protection-2024")
    assert shown.exit_code == 0
    assert "Risk assessment and referral" in shown.stdout
    doc = stdout_json(invoke(runner, "rubric", "show", "child-protection-2024",
                             "--format", "json"))
    assert doc["rollup"] == {"method": "median", "at_least": None}


def test_rubric_2024_says_its_version_range_and_changelog(runner):
    path = ROOT / "rubrics" / "child-protection-2024.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["requires_version"] == ">=0.1"
    assert [e["version"] for e in data["changelog"]] == [data["version"]]
    text = path.read_text(encoding="utf-8")
    for key in ("requires_version", "changelog"):  # commented like the other rubrics
        before = text[:text.index(f"\n{key}:")].splitlines()
        assert any(line.startswith(f"# {key}:") for line in before[-4:]), key
    shown = invoke(runner, "rubric", "show", "child-protection-2024")
    assert shown.exit_code == 0
    assert "Written for hmic-audit >=0.1" in shown.stdout
    assert " ".join(data["changelog"][0]["changes"][0].split()[:4]) in " ".join(
        shown.stdout.split())


def test_rubric_2024_glossary_defines_grades_for_reviews_and_topics():
    data = yaml.safe_load((ROOT / "rubrics" / "child-protection-2024.yaml").read_text(
        encoding="utf-8"))
    # case file reviews and topics are graded in the same words: each grade's definition
    # must fit both
    for g in data["scale"]:
        meaning = data["glossary"][g["label"].lower()]
        assert meaning.startswith("a case file review or a topic graded "), g["key"]
