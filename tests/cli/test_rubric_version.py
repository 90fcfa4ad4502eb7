"""A rubric written for another hmic-audit version: every command that loads it says so
(a warning on stderr), and still does its work."""

from __future__ import annotations

import pytest

from ..conftest import DATA, SAMPLE, invoke


@pytest.fixture(scope="module")
def future_rubric(tmp_path_factory):
    text = (DATA / "five-level.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "0.5"', 'version: "0.5"\nrequires_version: ">=90.0"')
    path = tmp_path_factory.mktemp("future") / "future.yaml"
    path.write_text(text.replace("extends: child-protection-2014",
                                 f"extends: {DATA.parent.parent / 'rubrics'}"
                                 "/child-protection-2014.yaml"), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [
    ["grade", SAMPLE], ["validate", SAMPLE], ["compare", SAMPLE],
    ["annex", SAMPLE, "--out", "{tmp}/annex.md"], ["report", SAMPLE, "--out", "{tmp}/r.md"],
    ["template", "--out", "{tmp}/form.xlsx"]], ids=lambda c: c[0])
def test_every_command_warns_and_still_works(runner, future_rubric, tmp_path, command):
    args = [str(a).replace("{tmp}", str(tmp_path)) for a in command]
    result = invoke(runner, *args, "--rubric", future_rubric, "--quiet")
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stderr.split())
    assert "1 warning in future.yaml" in said
    assert "hmic-audit >=90.0" in said


def test_rubric_check_lists_the_warnings_of_a_rubric_with_errors(runner, future_rubric,
                                                                 tmp_path):
    """A rubric with an error and a version warning: both listed, the error first; the
    count says which is which (exit 1)."""
    text = future_rubric.read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("significant_difference: 3", "significant_difference: -3"),
                      encoding="utf-8")
    result = invoke(runner, "rubric", "check", broken, "--format", "json")
    assert result.exit_code == 1
    import json

    found = json.loads(result.stdout)["problems"]
    severities = [p["severity"] for p in found]
    assert severities[0] == "error" and severities[-1] == "warning"
    assert any(">=90.0" in p["message"] for p in found if p["severity"] == "warning")
    human = invoke(runner, "rubric", "check", broken)
    said = " ".join((human.stdout + human.stderr).split())
    assert f"broken.yaml: {severities.count('error')} problem" in said
    assert ", 1 warning" in said
