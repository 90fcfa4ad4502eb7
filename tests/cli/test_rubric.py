"""`hmic-audit rubric check` and `rubric show` end to end."""

from __future__ import annotations

import json

from ..conftest import ROOT, invoke

DEFAULT = ROOT / "rubrics" / "child-protection-2014.yaml"


def test_check_default_is_clean(runner):
    result = invoke(runner, "rubric", "check", DEFAULT)
    assert result.exit_code == 0
    assert "hmic-cp-2014 v1.0: no problems" in result.stderr


def test_check_lists_every_problem_exit_1(runner, tmp_path):
    text = DEFAULT.read_text(encoding="utf-8")
    text = text.replace("theme: investigation\n    question: Was evidence",
                        "theme: investigaton\n    question: Was evidence")
    text = text.replace("    weight: 3\n  - id: ic_child_seen",
                        "    weight: -3\n  - id: ic_child_seen")
    text = text.replace("  adequate: 60", "  adequate: 85")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = invoke(runner, "rubric", "check", bad, "--format", "json")
    assert result.exit_code == 1
    found = {(p["column"], p["code"]) for p in json.loads(result.stdout)["problems"]}
    assert found == {("criteria[12].theme", "unknown-theme"),
                     ("criteria[1].weight", "negative-weight"),
                     ("bands", "bands-out-of-order")}
    human = invoke(runner, "rubric", "check", bad)
    assert human.exit_code == 1
    assert "criteria[12].theme" in human.stderr and "3 problems" in human.stderr


def test_check_missing_file_is_exit_2(runner, tmp_path):
    result = invoke(runner, "rubric", "check", tmp_path / "none.yaml")
    assert result.exit_code == 2


def test_show_tree(runner):
    result = invoke(runner, "rubric", "show")
    assert result.exit_code == 0
    out = result.stdout
    for text in ("hmic-cp-2014 v1.0", "Initial contact", "ic_immediate_safety", "weight 3",
                 "caps at Inadequate", "Police detention", "Requires improvement"):
        assert text in out


def test_show_json_round_trips(runner):
    from hmic_audit import Rubric, load_rubric

    doc = json.loads(invoke(runner, "rubric", "show", "--format", "json").stdout)
    assert Rubric.model_validate(doc).model_dump() == load_rubric().model_dump()
