"""`hmic-audit profile init` and `profile check`: a skeleton to fill in, problems in plain
words with their key path and line, and the same words when `report --force` fails."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from hmic_audit.profile import ForceProfile

from ..conftest import LONG_HEADERS, SAMPLE, invoke, write_xlsx
from .test_report import FORCE, SAMPLE_DIR

PYDANTIC_WORDING = ("Field required", "Input should be", "unable to parse", "valid integer",
                    "Value error", "Extra inputs")


def _keys(model: type, prefix: str = "") -> list[tuple[str, bool, str | None]]:
    """Every key of a profile model, nested ones too: (path, required, description)."""
    from hmic_audit.io.yamlfile import field_docs
    from hmic_audit.render.profile_skeleton import _model

    found = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        found.append((path, info.is_required(), field_docs(model).get(name)))
        inner = _model(info.annotation)
        for arg in getattr(info.annotation, "__args__", ()):
            inner = inner or _model(arg) or next(
                (m for m in map(_model, getattr(arg, "__args__", ())) if m), None)
        if inner is not None:
            found += _keys(inner, f"{path}.")
    return found


def _fill(text: str, values: dict[str, str]) -> str:
    """The skeleton with the empty value of each key (first occurrence) filled in, its
    comments kept."""
    for key, value in values.items():
        text, n = re.subn(rf"^(\s*(?:- )?){re.escape(key)}:$", rf"\g<1>{key}: {value}", text,
                          count=1, flags=re.M)
        assert n == 1, key
    return text


REQUIRED = {"inspection_month": '"2014-07"', "publication_date": "2014-12-01",
            "total": "100", "police_officers": "60", "police_staff": "30", "pcsos": "10",
            "as_at": "2014-03-31", "name": "Bury", "ofsted_judgement": "good",
            "judgement_month": '"2013-05"', "safeguarding_boards": "1"}


def test_init_writes_every_key_commented(runner, tmp_path):
    out = tmp_path / "force.yaml"
    result = invoke(runner, "profile", "init", "--force-name", "Test Police", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "fill in the keys marked Required" in result.stderr
    text = out.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["force"] == "Test Police" and data["rubric"] == "child-protection-2014"
    for path, required, description in _keys(ForceProfile):
        name = path.rsplit(".", 1)[-1]
        assert description, f"{path} has no docstring: the skeleton cannot explain it"
        mark = "Required" if required else "Optional"
        assert re.search(rf"# (- # )?{re.escape(name)} \({mark}", text), path
    # the rubric's own keys are offered where the profile refers to them
    assert "initial_contact, assessment_help" in text and "s47_enquiry" in text
    flat = re.sub(r"\s*\n\s*#\s*", " ", text)  # comments read across their line breaks
    assert ("One of: outstanding, good, adequate, requires improvement, requires improvement "
            "to be good, inadequate") in flat


def test_fresh_skeleton_lists_what_to_fill_in_and_a_filled_one_is_clean(runner, tmp_path):
    out = tmp_path / "force.yaml"
    assert invoke(runner, "profile", "init", "--force-name", "Test Police",
                  "--out", out).exit_code == 0
    result = invoke(runner, "profile", "check", out)
    assert result.exit_code == 1
    assert "workforce.total is empty: fill it in" in result.stderr
    assert re.search(r"force\.yaml line \d+ \(workforce\.total\)", result.stderr)
    assert "local_authorities[0].ofsted_judgement is empty: fill it in with outstanding" \
        in result.stderr
    out.write_text(_fill(out.read_text(encoding="utf-8"), REQUIRED), encoding="utf-8")
    result = invoke(runner, "profile", "check", out)
    assert result.exit_code == 0, result.stderr
    assert "force.yaml: no problems (force Test Police" in result.stderr


def test_init_names_the_force_from_the_cases(runner, tmp_path):
    cases = write_xlsx(tmp_path / "west-mercia.xlsx", [*LONG_HEADERS, "Force"],
                       [["C-1", "inspector-selected", "s47", "Bury", "inspector",
                         "2014-07-04", "good", "West Mercia Police"]])
    out = tmp_path / "force.yaml"
    assert invoke(runner, "profile", "init", cases, "--out", out).exit_code == 0
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["force"] == "West Mercia Police"


def test_init_keeps_an_existing_file_unless_replace(runner, tmp_path):
    out = tmp_path / "force.yaml"
    out.write_text("force: my work\n", encoding="utf-8")
    result = invoke(runner, "profile", "init", "--out", out)
    assert result.exit_code == 2 and "--replace" in result.stderr
    assert out.read_text(encoding="utf-8") == "force: my work\n"
    assert invoke(runner, "profile", "init", "--out", out, "--replace").exit_code == 0
    assert "force (Required)" in out.read_text(encoding="utf-8")


def test_init_names_a_rubric_file_relative_to_the_profile(runner, tmp_path):
    shutil.copy(SAMPLE_DIR / "rubric.yaml", tmp_path / "rubric.yaml")
    (tmp_path / "profiles").mkdir()
    out = tmp_path / "profiles" / "force.yaml"
    assert invoke(runner, "profile", "init", "--rubric", tmp_path / "rubric.yaml",
                  "--out", out).exit_code == 0
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["rubric"] == "../rubric.yaml"


def test_init_format_json(runner, tmp_path):
    out = tmp_path / "force.yaml"
    result = invoke(runner, "profile", "init", "--out", out, "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and doc["force"] is None
    assert [(f["path"], f["what"], f["bytes"]) for f in doc["files"]] == [
        (str(out), "force profile", out.stat().st_size)]


def _mistaken(tmp_path: Path) -> Path:
    """The sample profile with a mistake of each kind, written in the sample's layout."""
    text = FORCE.read_text(encoding="utf-8")
    text = text.replace("ofsted_judgement: inadequate, judgement_month: \"2014-09\"",
                        "ofsted_judgement: Goood, judgement_month: \"2014-09\"")
    text = text.replace("  total: 11223", "  total: lots")
    text = text.replace("  pcsos: 789\n", "")
    text = text.replace("safeguarding_boards: 10", "safeguarding_boards: ten")
    text = text.replace("\ncontext: >", "\ncontxt: >")
    text = text.replace("criterion: ta_child_listened_to", "criterion: ta_child_listend_to")
    bad = tmp_path / "force.yaml"
    bad.write_text(text, encoding="utf-8")
    shutil.copy(SAMPLE_DIR / "rubric.yaml", tmp_path / "rubric.yaml")
    return bad


def _line(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_check_lists_problems_in_plain_words_with_line_and_did_you_mean(runner, tmp_path):
    bad = _mistaken(tmp_path)
    result = invoke(runner, "profile", "check", bad)
    assert result.exit_code == 1
    assert "force.yaml: 5 problems" in result.stderr  # references wait for the structure
    assert f"force.yaml line {_line(bad, 'Goood')}" in result.stderr
    problems = json.loads(invoke(runner, "profile", "check", bad, "-f", "json").stdout)[
        "problems"]
    found = {(p["column"], p["row"], p["message"]) for p in problems}
    assert found == {
        ("local_authorities[2].ofsted_judgement", _line(bad, "Goood"),
         "local_authorities[2].ofsted_judgement is 'Goood'; did you mean 'good'? Use "
         "outstanding, good, adequate, requires improvement, requires improvement to be good or "
         "inadequate"),
        ("workforce.total", _line(bad, "total: lots"),
         "workforce.total must be a whole number (it is 'lots')"),
        ("workforce.pcsos", _line(bad, "workforce:"),  # missing: where its parent is
         "workforce.pcsos is missing: add it (police community support officers)"),
        ("safeguarding_boards", _line(bad, "safeguarding_boards"),
         "safeguarding_boards must be a whole number (it is 'ten')"),
        ("contxt", _line(bad, "contxt"),
         "contxt is not a force profile key (check its spelling); did you mean 'context'?"),
    }
    for wording in PYDANTIC_WORDING:
        assert wording not in result.stderr and wording not in json.dumps(problems)


def test_check_names_references_the_rubric_does_not_know(runner, tmp_path):
    bad = tmp_path / "force.yaml"
    bad.write_text(FORCE.read_text(encoding="utf-8").replace(
        "criterion: ta_child_listened_to", "criterion: ta_child_listend_to"),
        encoding="utf-8")
    shutil.copy(SAMPLE_DIR / "rubric.yaml", tmp_path / "rubric.yaml")
    result = invoke(runner, "profile", "check", bad, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    [problem] = doc["problems"]
    assert problem["column"] == "highlights.trusted_adult[0].criterion"
    assert problem["row"] == _line(bad, "ta_child_listend_to")
    assert "did you mean 'ta_child_listened_to'?" in problem["message"]


def test_report_with_a_bad_profile_gives_the_same_words(runner, tmp_path):
    bad = _mistaken(tmp_path)
    checked = invoke(runner, "profile", "check", bad, "--format", "json")
    out = tmp_path / "report.html"
    result = invoke(runner, "report", SAMPLE, "--force", bad, "--out", out, "-f", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["problems"] == json.loads(checked.stdout)["problems"]
    assert f"force.yaml line {_line(bad, 'Goood')}" in result.stderr
    assert not [w for w in PYDANTIC_WORDING if w in result.stderr]
    assert "Nothing was written" in result.stderr and list(tmp_path.glob("report*")) == []


def test_sample_profile_is_clean(runner):
    result = invoke(runner, "profile", "check", FORCE)
    assert result.exit_code == 0, result.stderr
    assert "no problems (force Greater Manchester Police, rubric hmic-cp-2014" in \
        " ".join(result.stderr.split())


@pytest.mark.parametrize("content, code", [(None, "file-not-found"),
                                           (b"force: \xff\xfe\n", "bad-encoding")])
def test_unreadable_profile_is_exit_2(runner, tmp_path, content, code):
    path = tmp_path / "force.yaml"
    if content is not None:
        path.write_bytes(content)
    result = invoke(runner, "profile", "check", path, "--format", "json")
    assert result.exit_code == 2
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == [code]


def test_bad_yaml_is_a_problem_found_with_its_line(runner, tmp_path):
    path = tmp_path / "force.yaml"
    path.write_text("force: x\nworkforce: [1, 2\n", encoding="utf-8")
    result = invoke(runner, "profile", "check", path)
    assert result.exit_code == 1
    assert re.search(r"force\.yaml line \d", result.stderr)


def _profile_with(tmp_path: Path, old: str, new: str) -> Path:
    """The sample profile with ``old`` replaced by ``new`` (once), beside the rubric."""
    text = FORCE.read_text(encoding="utf-8")
    assert old in text, old
    bad = tmp_path / "force.yaml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    shutil.copy(SAMPLE_DIR / "rubric.yaml", tmp_path / "rubric.yaml")
    return bad


def _problems(runner, path: Path) -> list[dict]:
    result = invoke(runner, "profile", "check", path, "--format", "json")
    assert result.exit_code == 1, result.stderr
    return json.loads(result.stdout)["problems"]


def test_count_figure_must_be_a_whole_number(runner, tmp_path):
    bad = _profile_with(tmp_path, "value: 6, chapter: context}",
                        "value: 2.5, chapter: context}")
    [problem] = _problems(runner, bad)
    assert problem["column"] == "figures[1].value"
    assert problem["row"] == _line(bad, "value: 2.5")
    assert problem["message"].startswith("figures[1].value is 2.5, but a count must be a "
                                         "whole number")
    # a share may be a fraction, and a count written 6.0 is whole
    ok = _profile_with(tmp_path, "value: 6, chapter: context}", "value: 6.0, chapter: context}")
    assert invoke(runner, "profile", "check", ok).exit_code == 0


def test_misspelt_required_key_is_one_problem_not_also_missing(runner, tmp_path):
    bad = _profile_with(tmp_path, "publication_date:", "publicaton_date:")
    [problem] = _problems(runner, bad)
    assert problem["message"] == ("publicaton_date is not a force profile key (check its "
                                  "spelling); did you mean 'publication_date'?")
    assert problem["row"] == _line(bad, "publicaton_date")
    # a missing key that no misspelling explains is still reported
    gone = _profile_with(tmp_path, "publication_date: 2014-12-01\n", "")
    assert [p["message"].split(":")[0] for p in _problems(runner, gone)] == [
        "publication_date is missing"]


def test_problems_are_listed_in_line_order(runner, tmp_path):
    bad = _mistaken(tmp_path)
    problems = _problems(runner, bad)
    rows = [p["row"] for p in problems]
    assert None not in rows and rows == sorted(rows)
    text = invoke(runner, "profile", "check", bad).stderr
    shown = [int(n) for n in re.findall(r"force\.yaml line (\d+)", text)]
    assert shown == sorted(shown) and len(shown) == len(problems)
    # the rubric checks too: workforce.total (checked last) is near the top of the file
    bad = _profile_with(tmp_path, "criterion: ta_child_listened_to", "criterion: nope_nope")
    bad.write_text(bad.read_text(encoding="utf-8").replace("  total: 11223", "  total: 5"),
                   encoding="utf-8")
    problems = _problems(runner, bad)
    assert [p["column"] for p in problems] == ["workforce.total",
                                               "highlights.trusted_adult[0].criterion"]
    assert [p["row"] for p in problems] == [_line(bad, "total: 5"), _line(bad, "nope_nope")]


def test_yaml_syntax_error_says_what_and_where(runner, tmp_path):
    path = tmp_path / "force.yaml"
    path.write_text("force: x\nrubric: y\nworkforce: {total: [1, 2: 3}\n", encoding="utf-8")
    [problem] = _problems(runner, path)
    assert problem["code"] == "bad-yaml" and problem["row"] == 3
    message = problem["message"]
    assert re.match(r"line 3, column \d+: the YAML is not valid here: ", message), message
    assert "check the brackets" in message and "is not accepted:" not in message
    path.write_text("force: x\nrubric: a: b\n", encoding="utf-8")
    [problem] = _problems(runner, path)
    assert problem["message"].startswith("line 2, column 10: the YAML is not valid here: "
                                         "mapping values are not allowed here")
    assert "check the colons" in problem["message"]


def test_unknown_criterion_is_quoted_with_did_you_mean(runner, tmp_path):
    bad = _profile_with(tmp_path, "criterion: ta_child_listened_to",
                        "criterion: ta_child_listend_to")
    [problem] = _problems(runner, bad)
    assert problem["message"] == (
        "highlights.trusted_adult[0].criterion is 'ta_child_listend_to', which is not a "
        "criterion of rubric hmic-cp-2014; did you mean 'ta_child_listened_to'?")
    far = _profile_with(tmp_path, "criterion: ta_child_listened_to", "criterion: zzz")
    [problem] = _problems(runner, far)
    assert "is 'zzz', which is not a criterion" in problem["message"]
    assert "did you mean" not in problem["message"]


@pytest.mark.parametrize("name, first", [
    (None, "# Force profile: fill in the force's name below."),
    ("Test Police", "# Force profile for Test Police."),
])
def test_skeleton_first_line_names_the_force_or_asks_for_it(runner, tmp_path, name, first):
    out = tmp_path / "force.yaml"
    args = ["--force-name", name] if name else []
    assert invoke(runner, "profile", "init", *args, "--out", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith(first)
    assert "the force:" not in text.splitlines()[0]
