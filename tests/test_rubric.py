"""The rubric model: the shipped default, loose labels, and every inconsistency listed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hmic_audit import RubricError, load_rubric, parse_rubric
from hmic_audit.problems import flatten
from hmic_audit.rubric_file import shipped_rubrics_dir

from .conftest import DATA, ROOT

DEFAULT = ROOT / "rubrics" / "child-protection-2014.yaml"


def test_default_rubric_is_shipped_inside_the_package(rubric):
    assert rubric.name == "hmic-cp-2014"
    assert (shipped_rubrics_dir() / "child-protection-2014.yaml").read_bytes() == \
        DEFAULT.read_bytes()


def test_default_rubric_shape(rubric):
    assert rubric.grade_keys == ["good", "adequate", "requires_improvement", "inadequate"]
    assert 25 <= len(rubric.criteria) <= 40
    assert len(rubric.themes) == 7
    assert len(rubric.case_types) == 9  # eight Annex A types plus missing children
    assert rubric.significant_difference == 2
    assert rubric.limiting, "the default rubric caps grades"
    assert rubric.check() == []


@pytest.mark.parametrize("typed, key", [
    ("Good ", "good"), ("GOOD", "good"), ("RI", "requires_improvement"),
    ("Requires Improvement", "requires_improvement"),
    ("req. improvement", "requires_improvement"), ("  inadequate", "inadequate"),
    ("Goodish", None),
])
def test_grades_are_matched_loosely_through_aliases(rubric, typed, key):
    assert rubric.parse_grade(typed) == key


@pytest.mark.parametrize("typed, key", [
    ("s.47", "s47_enquiry"), ("Child protection enquiry (s.47)", "s47_enquiry"),
    ("DOMESTIC ABUSE", "domestic_abuse"), ("cse", "sexual_exploitation"),
    ("Missing", "missing_child"), ("burglary", None),
])
def test_case_types_are_matched_by_key_label_or_alias(rubric, typed, key):
    assert rubric.parse_case_type(typed) == key


@pytest.mark.parametrize("typed, answer", [
    ("Y", "yes"), ("No", "no"), ("N/A", "n/a"), ("na", "n/a"), ("Partly", "partly"),
    ("not applicable", "n/a"), ("maybe", None),
])
def test_answers_are_matched_loosely(rubric, typed, answer):
    assert rubric.parse_answer(typed) == answer


def _mutated(mutate) -> str:
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    mutate(data)
    return yaml.safe_dump(data, sort_keys=False)


def _set(path, value):
    def mutate(data):
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    return mutate


@pytest.mark.parametrize("mutate, code, column", [
    (_set(["criteria", 3, "theme"], "nonsense"), "unknown-theme", "criteria[3].theme"),
    (_set(["criteria", 2, "weight"], -1), "negative-weight", "criteria[2].weight"),
    (_set(["bands", "adequate"], 90), "bands-out-of-order", "bands"),
    (_set(["criteria", 0, "applies_to"], ["s47_enquiry", "burglary"]), "unknown-case-type",
     "criteria[0].applies_to[1]"),
    (_set(["limiting", 0, "cap"], "dreadful"), "unknown-grade", "limiting[0].cap"),
    (_set(["bands", "dreadful"], 10), "unknown-grade", "bands.dreadful"),
    (_set(["significant_difference"], 7), "bad-setting", "significant_difference"),
    (_set(["limiting", 1, "criterion"], "no_such"), "unknown-criterion",
     "limiting[1].criterion"),
])
def test_each_inconsistency_is_named_with_its_key_path(mutate, code, column):
    rubric, problems = parse_rubric(_mutated(mutate), file="r.yaml")
    assert (code, column) in flatten(problems, "code", "column")


def test_every_problem_is_listed_not_just_the_first(tmp_path: Path):
    def mutate(data):
        data["criteria"][0]["theme"] = "x"
        data["criteria"][1]["weight"] = -2
        data["bands"]["good"] = 10
        data["criteria"][4]["applies_to"] = ["nope"]
    path = tmp_path / "bad.yaml"
    path.write_text(_mutated(mutate), encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    codes = {p.code for p in info.value.problems}
    assert {"unknown-theme", "negative-weight", "bands-out-of-order",
            "unknown-case-type"} <= codes


def test_structural_errors_carry_key_paths():
    text = _mutated(lambda d: d["criteria"][5].update(weight="heavy", colour="red"))
    rubric, problems = parse_rubric(text, file="r.yaml")
    assert rubric is None
    assert ("criteria[5].weight", "bad-rubric-field") in flatten(problems, "column", "code")
    assert ("criteria[5].colour", "bad-rubric-field") in flatten(problems, "column", "code")


def test_unquoted_yaml_version_and_booleans_are_explained():
    text = DEFAULT.read_text(encoding="utf-8").replace('version: "1.0"', "version: 1.10")
    _, problems = parse_rubric(text, file="r.yaml")
    assert any(p.column == "version" and "quote" in p.message for p in problems)
    # YAML 1.2 booleans: unquoted yes / no / on stay text, in keys and in aliases
    text = (DEFAULT.read_text(encoding="utf-8").replace('  - key: "yes"', "  - key: yes")
            .replace('  - key: "no"', "  - key: no").replace("aliases: [i, inad, poor]",
                                                       "aliases: [i, inad, poor, no, off]"))
    rubric, problems = parse_rubric(text, file="r.yaml")
    assert problems == [] and rubric is not None
    assert rubric.answer_keys == ["yes", "partly", "no", "n/a"]
    assert [a.score for a in rubric.answers] == [1.0, 0.5, 0.0, None]
    assert rubric.parse_grade("off") == "inadequate"


def test_three_level_rubric_loads():
    three = load_rubric(DATA / "three-level.yaml")
    assert three.grade_keys == ["good", "requires_improvement", "inadequate"]
    assert three.parse_grade("RI") == "requires_improvement"
    assert three.parse_grade("adequate") is None


def test_missing_rubric_names_the_shipped_ones():
    with pytest.raises(RubricError) as info:
        load_rubric("no-such-rubric")
    assert "child-protection-2014" in info.value.problems[0].message


def test_sample_rubric_extends_the_default_with_a_threshold_of_three(rubric):
    sample = load_rubric(ROOT / "sample_cases" / "gmp-2014" / "rubric.yaml")
    assert sample.significant_difference == 3
    assert rubric.significant_difference == 2
    assert sample.criteria == rubric.criteria and sample.scale == rubric.scale
    assert sample.sha256 != rubric.sha256


def test_extends_problems(tmp_path: Path):
    (tmp_path / "base.yaml").write_text("extends: child-protection-2014\n", encoding="utf-8")
    (tmp_path / "chained.yaml").write_text("extends: base.yaml\n", encoding="utf-8")
    (tmp_path / "missing.yaml").write_text("extends: nowhere.yaml\n", encoding="utf-8")
    for name, text in (("chained.yaml", "itself extends"), ("missing.yaml", "neither a file")):
        with pytest.raises(RubricError) as info:
            load_rubric(tmp_path / name)
        assert [p.code for p in info.value.problems] == ["bad-extends"]
        assert text in info.value.problems[0].message
    assert load_rubric(tmp_path / "base.yaml").name == "hmic-cp-2014"


@pytest.mark.parametrize("text, expect", [
    ("name: &n x\nversion: *n\n", "anchor"),
    ("name: a\nname: b\n", "repeats the key 'name'"),
    ("name: a\n? [x, y]\n: 1\n", "uses a list or a mapping as a key"),
    ("name: a\n? {x: 1}\n: 1\n", "uses a list or a mapping as a key"),
    ("name: !!python/object/apply:os.system [echo hi]\n", "tag"),
    ("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b, *b]\n", "anchor"),  # alias bomb
])
def test_hostile_yaml_is_refused_with_a_location(tmp_path: Path, text, expect):
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    [problem] = info.value.problems
    assert expect in problem.message and problem.row is not None


def test_oversized_yaml_is_refused(tmp_path: Path):
    path = tmp_path / "r.yaml"
    path.write_text("name: x\n" + "# padding\n" * 300_000, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert info.value.problems[0].code == "too-large"
