"""Crosswalks: grades of different rubrics on one scale, in compare and annex.

The test data are written here as a user would type them: a force's self-assessment
graded on the 2014 four-level scale, the inspectors' re-inspection of the same cases on
the 2024 five tiers (with case types the 2024 rubric names), and written grades only. The
expected figures are counted in plain Python from those rows and the crosswalk's own YAML.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import yaml

from hmic_audit.crosswalk import load_crosswalk, parse_crosswalk, shipped_crosswalks
from hmic_audit.rubric_file import load_rubric, shipped_rubrics_dir

from .conftest import invoke, write_xlsx

CROSSWALKS = shipped_rubrics_dir() / "crosswalks"
LABELS_2014 = {"good": "Good", "adequate": "Adequate",
               "requires_improvement": "Requires improvement", "inadequate": "Inadequate"}
LABELS_2024 = {"outstanding": "Outstanding", **LABELS_2014}
TYPES = ["s47_enquiry", "domestic_abuse", "online_abuse", "police_protection"]


def _rows(seed: int, n: int = 24) -> tuple[list[list[str]], list[list[str]]]:
    """The force's and the inspectors' rows: case ref, sample, case type, grade (labels,
    typed as people type them)."""
    rng = random.Random(seed)
    force, inspectors = [], []
    for k in range(1, n + 1):
        ref, ctype = f"C-{k:03d}", rng.choice(TYPES)
        force.append([ref, "Self-assessed", ctype, LABELS_2014[rng.choice(list(LABELS_2014))]])
        inspectors.append([ref, "Self-assessed", ctype,
                           LABELS_2024[rng.choice(list(LABELS_2024))]])
    return force, inspectors


@pytest.fixture(scope="module")
def rounds(tmp_path_factory) -> tuple[Path, Path, list[list[str]], list[list[str]]]:
    folder = tmp_path_factory.mktemp("rounds")
    force, inspectors = _rows(11)
    head = ["Case ref", "Sample", "Case type", "Grade"]
    return (write_xlsx(folder / "force-2014.xlsx", head, force),
            write_xlsx(folder / "inspection-2024.xlsx", head, inspectors), force, inspectors)


def _key(label: str) -> str:
    return label.lower().replace(" ", "_")


def _mapping(name: str, source: str) -> dict[str, str]:
    data = yaml.safe_load((CROSSWALKS / f"{name}.yaml").read_text(encoding="utf-8"))
    if source not in data["maps"]:  # the target rubric's own grades
        return {g: g for g in LABELS_2024}
    return data["maps"][source]


def _expected_crosstab(force, inspectors, name, keys) -> list[list[int]]:
    to_f, to_i = _mapping(name, "child-protection-2014"), _mapping(name, "child-protection-2024")
    pairs = Counter((to_f[_key(f[3])], to_i[_key(i[3])])
                    for f, i in zip(force, inspectors, strict=True))
    return [[pairs[(a, b)] for b in keys] for a in keys]


def _compare(runner, rounds, crosswalk, *more):
    force, inspectors = rounds[:2]
    return invoke(runner, "compare", force, inspectors, "--rubric", "child-protection-2014",
                  "--rubric", "child-protection-2024", "--crosswalk", crosswalk,
                  "--use", "given", *more)


@pytest.mark.parametrize("name", ["2014-to-2024", "common-3"])
def test_compare_through_a_crosswalk_counts_pairs_on_the_target_scale(runner, rounds, name):
    result = _compare(runner, rounds, name, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    keys = doc["grades"]
    assert doc["crosstab"] == _expected_crosstab(rounds[2], rounds[3], name, keys)
    assert doc["pairs"] == 24 and doc["criteria"] == []
    # each case's grades also as given, under its own rubric
    given = {f[0]: (f[3], i[3]) for f, i in zip(rounds[2], rounds[3], strict=True)}
    assert {p["case_ref"]: (p["force_original"], p["inspector_original"])
            for p in doc["cases"]} == given
    # the mapping travels with the result: every source grade, as the file says
    walked = {(m["rubric"], m["grade"]): m["becomes"] for m in doc["crosswalk"]["mapping"]}
    labels = dict(zip(keys, load_crosswalk(name).grades, strict=True))
    for grade, target in _mapping(name, "child-protection-2014").items():
        assert walked[("hmic-cp-2014", LABELS_2014[grade])] == labels[target].label
    assert doc["rubric"]["name"] == load_crosswalk(name).name
    # only the rubrics of the inputs (common-3 also maps the 2021 scale)
    assert {m["rubric"] for m in doc["crosswalk"]["mapping"]} == {"hmic-cp-2014",
                                                                  "hmic-cp-2024"}


def test_threshold_and_labels_come_from_the_target(runner, rounds):
    doc = json.loads(_compare(runner, rounds, "common-3", "-f", "json").stdout)
    assert doc["threshold"] == 1  # the common scale's own setting
    assert doc["grades"] == ["good_or_better", "adequate", "below_adequate"]
    doc = json.loads(_compare(runner, rounds, "2014-to-2024", "-f", "json").stdout)
    assert doc["threshold"] == load_rubric("child-protection-2024").significant_difference
    assert doc["grades"][0] == "outstanding"


@pytest.mark.parametrize("suffix", [".md", ".xlsx", ".csv"])
def test_the_mapping_is_shown_in_every_output(runner, rounds, tmp_path, suffix):
    out = tmp_path / f"compare{suffix}"
    result = _compare(runner, rounds, "common-3", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "crosswalk cp-common-3" in result.stdout  # the terminal view
    assert "on the scale of crosswalk cp-common-3 v1.0" in " ".join(result.stdout.split())
    assert "rubric cp-common-3" not in result.stdout  # a crosswalk is not a rubric
    assert "Below adequate" in result.stdout
    if suffix == ".csv":  # one row per case: each grade on the scale and as given
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        mapping = {**_mapping("common-3", "child-protection-2014"),
                   **_mapping("common-3", "child-protection-2024")}
        labels = {g.key: g.label for g in load_crosswalk("common-3").grades}
        given = {f[0]: (f[3], i[3]) for f, i in zip(rounds[2], rounds[3], strict=True)}
        assert len(rows) == 24
        for row in rows:
            force, inspector = given[row["Case"]]
            assert (row["Force grade as given"], row["Inspector grade as given"]) == (
                force, inspector)
            assert row["Force grade (cp-common-3)"] == labels[mapping[_key(force)]]
            assert row["Inspector grade (cp-common-3)"] == labels[mapping[_key(inspector)]]
    elif suffix == ".md":
        text = out.read_text(encoding="utf-8")
        assert "| hmic-cp-2014 | Requires improvement | Below adequate |" in text
        assert "| hmic-cp-2024 | Outstanding | Good or better |" in text
    else:
        sheet = openpyxl.load_workbook(out)["Crosswalk"]
        rows = {tuple(r) for r in sheet.iter_rows(values_only=True)}
        assert ("hmic-cp-2014", "Inadequate", "Below adequate") in rows
        assert ("hmic-cp-2024", "Good", "Good or better") in rows


def test_different_rubrics_without_a_crosswalk_are_refused(runner, rounds):
    force, inspectors = rounds[:2]
    result = invoke(runner, "compare", force, inspectors, "--rubric", "child-protection-2014",
                    "--rubric", "child-protection-2024", "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert [p["code"] for p in doc["problems"]] == ["needs-crosswalk"]
    assert "--crosswalk" in doc["problems"][0]["message"]


def test_a_crosswalk_that_does_not_map_an_input_is_refused(runner, rounds, tmp_path):
    only_2021 = tmp_path / "only-2021.yaml"
    only_2021.write_text(
        "name: x\nversion: '1'\ntitle: X\ntarget: child-protection-2024\nmaps:\n"
        "  child-protection-2021: {good: good, requires_improvement: requires_improvement,"
        " inadequate: inadequate}\n", encoding="utf-8")
    result = _compare(runner, rounds, only_2021, "--format", "json")
    assert result.exit_code == 2
    problem, = json.loads(result.stdout)["problems"]
    assert problem["code"] == "crosswalk-mismatch" and "hmic-cp-2014" in problem["message"]


def test_one_rubric_per_file_or_one_for_all(runner, rounds):
    force = rounds[0]
    result = invoke(runner, "compare", force, "--rubric", "child-protection-2014",
                    "--rubric", "child-protection-2024", "-f", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["problems"][0]["code"] == "bad-arguments"


def test_every_shipped_crosswalk_loads_and_keeps_order():
    assert set(shipped_crosswalks()) >= {"common-3", "2014-to-2024"}
    for name in shipped_crosswalks():
        crosswalk = load_crosswalk(name)
        for source in load_crosswalk(name).maps:
            rubric = load_rubric(source)
            levels = crosswalk.levels(rubric).tolist()
            assert levels == sorted(levels), (name, source)  # better never lands lower


BAD = """\
name: bad
version: "1.0"
title: A crosswalk with one of each mistake
scale:
  - {key: good_or_better, label: Good or better}
  - {key: adequate, label: Adequate}
  - {key: below_adequate, label: Below adequate}
  - {key: adequate, label: Adequate again}
maps:
  child-protection-2014: {good: below_adequate, adequate: adequate,
                          requires_improvement: worse, excellent: good_or_better}
  no-such-rubric: {good: adequate}
significant_difference: 5
acceptable: [fine]
"""
PLANTED = {
    ("duplicate-key", "scale[3]"),
    ("bad-crosswalk-rubric", "maps.no-such-rubric"),
    ("unmapped-grade", "maps.child-protection-2014"),  # inadequate has no target
    ("unknown-grade", "maps.child-protection-2014.requires_improvement"),  # 'worse'
    ("unknown-grade", "maps.child-protection-2014.excellent"),
    ("bad-setting", "significant_difference"),
    ("unknown-grade", "acceptable[0]"),
    # good lands below adequate: found among the grades that do map, with the rest wrong
    ("crosswalk-order", "maps.child-protection-2014.good"),
}


PLANTED_LINES = {"scale[3]": 8, "maps.no-such-rubric": 12, "maps.child-protection-2014": 10,
                 "maps.child-protection-2014.requires_improvement": 11,
                 "maps.child-protection-2014.excellent": 11, "significant_difference": 13,
                 "acceptable[0]": 14, "maps.child-protection-2014.good": 10}
"""The line of BAD each planted problem is on (its key's, in flow mappings too)."""


def test_a_bad_crosswalk_lists_every_problem_and_nothing_else():
    crosswalk, problems = parse_crosswalk(BAD, file="bad.yaml")
    assert crosswalk is not None
    assert {(p.code, p.column) for p in problems} == PLANTED
    assert all(p.file == "bad.yaml" for p in problems)
    assert {p.column: p.row for p in problems} == PLANTED_LINES


def test_a_bad_crosswalk_stops_compare_with_exit_2(runner, rounds, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    result = _compare(runner, rounds, bad, "--format", "json")
    assert result.exit_code == 2
    assert {(p["code"], p["column"]) for p in json.loads(result.stdout)["problems"]} == PLANTED


def _walk(maps: str, extra: str = "") -> str:
    return ("name: o\nversion: '1'\ntitle: O\nscale:\n  - {key: top, label: Top}\n"
            f"  - {{key: bottom, label: Bottom}}\nmaps:\n  child-protection-2014: {maps}\n{extra}")


def test_order_must_be_kept_unless_declared():
    upside_down = "{good: bottom, adequate: top, requires_improvement: bottom, inadequate: bottom}"
    _, problems = parse_crosswalk(_walk(upside_down))
    assert [(p.code, p.column) for p in problems] == [
        ("crosswalk-order", "maps.child-protection-2014.good")]
    _, problems = parse_crosswalk(_walk(upside_down, "reorders: true\n"))
    assert problems == []
    kept = "{good: top, adequate: top, requires_improvement: bottom, inadequate: bottom}"
    assert parse_crosswalk(_walk(kept))[1] == []


def test_the_target_is_given_once():
    both = _walk("{good: top, adequate: top, requires_improvement: bottom, "
                 "inadequate: bottom}", "target: child-protection-2024\n")
    assert [p.code for p in parse_crosswalk(both)[1]] == ["bad-crosswalk-target"]
    neither = ("name: o\nversion: '1'\ntitle: O\nmaps:\n  child-protection-2014: "
               "{good: good}\n")
    assert "bad-crosswalk-target" in [p.code for p in parse_crosswalk(neither)[1]]


def test_grades_may_be_written_as_people_write_them():
    """Labels and aliases on either side, as rubrics accept (found by a review: 'Good'
    was refused for 'good'); a slip gets what it probably meant."""
    labels = ("{Good: top, Adequate: Top, 'requires improvement': bottom, "
              "INADEQUATE: BOTTOM}")
    crosswalk, problems = parse_crosswalk(_walk(labels))
    assert problems == [] and crosswalk is not None
    assert crosswalk.mapping(load_rubric("child-protection-2014")) == {
        "good": "top", "adequate": "top", "requires_improvement": "bottom",
        "inadequate": "bottom"}
    slip = "{goood: top, adequate: top, requires_improvement: botom, inadequate: bottom}"
    messages = [p.message for p in parse_crosswalk(_walk(slip))[1]]
    assert any("did you mean 'good'" in m for m in messages)
    assert any("did you mean 'bottom'" in m for m in messages)


def test_a_misspelt_key_is_named():
    crosswalk, problems = parse_crosswalk(_walk("{}", "reorder: true\n"), file="c.yaml")
    assert crosswalk is None
    assert any(p.column == "reorder" for p in problems)


def test_annex_counts_forces_under_different_rubrics_on_the_common_scale(
        runner, rounds, tmp_path):
    # two forces: one audited under 2014 (the force file), one under 2024 (inspectors')
    head = ["Case ref", "Sample", "Case type", "Assessor", "Grade"]
    files = []
    for rows, name in ((rounds[2], "north"), (rounds[3], "south")):
        typed = [[f"{name}-{r[0]}", r[1], r[2], who, r[3]] for r in rows
                 for who in ("Force", "Inspector")]
        files.append(write_xlsx(tmp_path / f"{name}.xlsx", head, typed))
    out = tmp_path / "national.json"
    result = invoke(runner, "annex", *files, "--rubric", "child-protection-2014",
                    "--rubric", "child-protection-2024", "--crosswalk", "common-3",
                    "--out", out)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    tables = {t["name"]: t for t in doc["tables"]}
    assert next(iter(tables)) == "crosswalk"  # the mapping comes first
    assert "theme_results" not in tables and "criterion_compliance" not in tables
    assert tables["national_acceptable"]["title"] == \
        "Share of cases judged good or better, or adequate, by force"
    national = tables["national_grades"]
    keys = [c["key"] for c in national["columns"]]
    expected = {}
    for name, rows, source in (("north", rounds[2], "child-protection-2014"),
                               ("south", rounds[3], "child-protection-2024")):
        counted = Counter(_mapping("common-3", source)[_key(r[3])] for r in rows)
        expected[name] = [counted[g] for g in ("good_or_better", "adequate",
                                                "below_adequate")]
    for row in national["rows"][:2]:
        cells = dict(zip(keys, row, strict=True))
        assert [cells["good_or_better"], cells["adequate"], cells["below_adequate"]] == \
            expected[cells[keys[0]]]


def test_annex_of_different_rubrics_without_a_crosswalk_is_refused(runner, rounds, tmp_path):
    result = invoke(runner, "annex", *rounds[:2], "--rubric", "child-protection-2014",
                    "--rubric", "child-protection-2024", "--out", tmp_path / "a.md",
                    "-f", "json")
    assert result.exit_code == 2
    assert not (tmp_path / "a.md").exists()


def test_rubric_crosswalk_checks_a_file_and_shows_its_mapping(runner, tmp_path):
    result = invoke(runner, "rubric", "crosswalk", "common-3")
    assert result.exit_code == 0, result.stderr
    assert "cp-common-3 v1.0" in result.stderr and "no problems" in result.stderr
    mapping = " ".join(result.stdout.split())  # the mapping on stdout, to keep or pipe
    assert "hmic-cp-2014: Good -> Good or better, Adequate -> Adequate, Requires " \
           "improvement -> Below adequate, Inadequate -> Below adequate" in mapping
    doc = json.loads(invoke(runner, "rubric", "crosswalk", "common-3", "-f", "json").stdout)
    assert doc["ok"] is True and doc["crosswalk"]["name"] == "cp-common-3"
    assert {"rubric": "hmic-cp-2024", "grade": "Outstanding", "becomes": "Good or better"} \
        in doc["crosswalk"]["mapping"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    result = invoke(runner, "rubric", "crosswalk", str(bad), "--format", "json")
    assert result.exit_code == 1  # the check found problems
    assert {(p["code"], p["column"]) for p in json.loads(result.stdout)["problems"]} == PLANTED
    assert invoke(runner, "rubric", "crosswalk", str(tmp_path / "none.yaml")).exit_code == 2


def test_a_case_has_one_type_where_both_rubrics_know_it(runner, tmp_path):
    """Through a crosswalk the two audits of a case are still checked for type when both
    rubrics have both types (found by a review); a type only one programme names (2014's
    general concern, 2024's criminal exploitation) may stand against the other's."""
    head = ["Case ref", "Sample", "Case type", "Grade"]
    force = write_xlsx(tmp_path / "f.xlsx", head, [
        ["C-1", "Self-assessed", "s47_enquiry", "Good"],
        ["C-2", "Self-assessed", "general_concern", "Adequate"]])
    same = write_xlsx(tmp_path / "i.xlsx", head, [
        ["C-1", "Self-assessed", "s47_enquiry", "Outstanding"],
        ["C-2", "Self-assessed", "criminal_exploitation", "Good"]])
    result = invoke(runner, "compare", force, same, "--rubric", "child-protection-2014",
                    "--rubric", "child-protection-2024", "--crosswalk", "common-3", "-f",
                    "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["pairs"] == 2
    other = write_xlsx(tmp_path / "j.xlsx", head, [
        ["C-1", "Self-assessed", "domestic_abuse", "Outstanding"],
        ["C-2", "Self-assessed", "criminal_exploitation", "Good"]])
    result = invoke(runner, "compare", force, other, "--rubric", "child-protection-2014",
                    "--rubric", "child-protection-2024", "--crosswalk", "common-3", "-f",
                    "json")
    assert result.exit_code == 2
    problem, = json.loads(result.stdout)["problems"]
    assert problem["code"] == "case-type-mismatch" and "'C-1'" in problem["message"]
