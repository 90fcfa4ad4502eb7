"""`rubric diff`, `requires_version` and `changelog`: the library's diff of two rubrics
and the commands that show them.

Edited rubrics are built from the shipped default by editing its YAML data here; what the
diff must list is what the test changed, read from that data, not from the tool."""

from __future__ import annotations

import copy
import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml

from hmic_audit.rubric_diff import SECTIONS, diff_rubrics
from hmic_audit.rubric_file import load_rubric

from .conftest import ROOT, invoke

DEFAULT = ROOT / "rubrics" / "child-protection-2014.yaml"


def base_data() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def criterion(data: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in data["criteria"] if c["id"] == cid)


def grade(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(g for g in data["scale"] if g["key"] == key)


def answer(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(a for a in data["answers"] if a["key"] == key)


NEW_CRITERION = {"id": "rm_ancillary_orders", "theme": "risk_management",
                 "question": "Were ancillary orders sought where they would protect children?",
                 "applies_to": ["sex_offender", "sexual_exploitation"], "weight": 1}
NEW_RULE = {"criterion": "dm_supervisor_review", "cap": "requires_improvement",
            "reason": "no supervisor reviewed the case"}


def edited(data: dict[str, Any]) -> tuple[dict[str, Any], dict[tuple[str, str], tuple]]:
    """The default rubric with nine edits, and each edit's (kind, key) with the old and
    new values it made."""
    new = copy.deepcopy(data)
    expected: dict[tuple[str, str], tuple] = {}
    # a criterion added, after the last risk-management one
    at = max(i for i, c in enumerate(new["criteria"]) if c["theme"] == "risk_management")
    new["criteria"].insert(at + 1, dict(NEW_CRITERION))
    expected["criterion-added", NEW_CRITERION["id"]] = (None, None)
    # one removed
    gone = criterion(data, "rm_local_officers_told")
    new["criteria"] = [c for c in new["criteria"] if c["id"] != gone["id"]]
    expected["criterion-removed", gone["id"]] = (None, None)
    # one reweighted
    was = criterion(data, "ic_immediate_safety")["weight"]
    criterion(new, "ic_immediate_safety")["weight"] = was + 1
    expected["criterion-reweighted", "ic_immediate_safety"] = (was, was + 1)
    # a question reworded
    question = criterion(data, "ic_demeanour_recorded")["question"]
    criterion(new, "ic_demeanour_recorded")["question"] = "Is the child's demeanour recorded?"
    expected["criterion-reworded", "ic_demeanour_recorded"] = (
        question, "Is the child's demeanour recorded?")
    # a band moved
    band = data["bands"]["adequate"]
    new["bands"]["adequate"] = band + 5
    expected["band-changed", "adequate"] = (band, band + 5)
    # a grade relabelled
    label = grade(data, "adequate")["label"]
    grade(new, "adequate")["label"] = "Satisfactory"
    expected["grade-relabelled", "adequate"] = (label, "Satisfactory")
    # an answer scoring differently
    score = answer(data, "partly")["score"]
    answer(new, "partly")["score"] = 0.25
    expected["answer-rescored", "partly"] = (score, 0.25)
    # a limiting rule added
    new["limiting"].append(dict(NEW_RULE))
    expected["limiting-added", NEW_RULE["criterion"]] = (None, None)
    # a setting changed
    fewest = data["min_answered"]
    new["min_answered"] = fewest - 1
    expected["setting-changed", "min_answered"] = (fewest, fewest - 1)
    return new, expected


@pytest.fixture()
def pair(tmp_path: Path) -> tuple[Path, Path, dict[tuple[str, str], tuple]]:
    data = base_data()
    new, expected = edited(data)
    return DEFAULT, write(tmp_path / "edited.yaml", new), expected


# The library ----------------------------------------------------------------------------

def test_each_edit_listed_once_and_nothing_else(pair):
    old_path, new_path, expected = pair
    diff = diff_rubrics(load_rubric(old_path), load_rubric(new_path))
    found = [(c.kind, c.key) for c in diff.changes]
    assert sorted(found) == sorted(expected)  # one entry per edit, none twice
    for change in diff.changes:
        old, new = expected[change.kind, change.key]
        if old is not None or new is not None:
            assert (change.old, change.new) == (old, new), change.kind
        assert change.key in change.message
    assert not diff.same
    assert (diff.old.version, diff.new.file) == ("1.0", "edited.yaml")


def test_messages_say_what_changed(pair):
    old_path, new_path, _ = pair
    data = base_data()
    diff = diff_rubrics(load_rubric(old_path), load_rubric(new_path))
    said = {(c.kind, c.key): c.message for c in diff.changes}
    weight = criterion(data, "ic_immediate_safety")["weight"]
    assert f"from {weight:g} to {weight + 1:g}" in said[
        "criterion-reweighted", "ic_immediate_safety"]
    assert "'Satisfactory'" in said["grade-relabelled", "adequate"]
    assert "'Adequate'" in said["grade-relabelled", "adequate"]
    assert f"{data['bands']['adequate'] + 5:g}" in said["band-changed", "adequate"]
    assert "0.25" in said["answer-rescored", "partly"]
    assert "0.5" in said["answer-rescored", "partly"]
    rule = said["limiting-added", "dm_supervisor_review"]
    assert "Requires improvement" in rule and "'No'" in rule
    assert NEW_RULE["reason"] in rule
    added = said["criterion-added", NEW_CRITERION["id"]]
    assert NEW_CRITERION["question"] in added and "Management of those posing a risk" in added
    assert "from 5 to 4" in said["setting-changed", "min_answered"]


def test_changes_in_rubric_order_and_deterministic(pair):
    old_path, new_path, _ = pair
    first = diff_rubrics(load_rubric(old_path), load_rubric(new_path))
    again = diff_rubrics(load_rubric(old_path), load_rubric(new_path))
    assert first.model_dump_json() == again.model_dump_json()
    order = list(SECTIONS)
    positions = [order.index(c.section) for c in first.changes]
    assert positions == sorted(positions)
    criteria = [c.key for c in first.changes if c.section == "criteria"]
    # the new rubric's criteria in its order (reweighted, reworded, added), then removed
    new_ids = [c["id"] for c in yaml.safe_load(new_path.read_text("utf-8"))["criteria"]]
    kept = [k for k in criteria if k in new_ids]
    assert kept == sorted(kept, key=new_ids.index)
    assert criteria[-1] == "rm_local_officers_told"


def test_equal_rubrics_give_an_empty_diff(tmp_path):
    # the same data written differently (no comments, other layout) is the same rubric
    copy_path = write(tmp_path / "copy.yaml", base_data())
    diff = diff_rubrics(load_rubric(DEFAULT), load_rubric(copy_path))
    assert diff.changes == [] and diff.same
    assert diff_rubrics(load_rubric(), load_rubric()).same


def test_the_diff_backwards_undoes_it(pair):
    old_path, new_path, expected = pair
    back = diff_rubrics(load_rubric(new_path), load_rubric(old_path))
    swap = {"criterion-added": "criterion-removed", "criterion-removed": "criterion-added",
            "limiting-added": "limiting-removed"}
    assert sorted((c.kind, c.key) for c in back.changes) == sorted(
        (swap.get(kind, kind), key) for kind, key in expected)


def _one_edit(edit) -> list[tuple[str, str | None]]:
    data = base_data()
    new = copy.deepcopy(data)
    edit(new)
    from hmic_audit.rubric_file import parse_rubric

    old_rubric, _ = parse_rubric(yaml.safe_dump(data), file="a.yaml")
    new_rubric, problems = parse_rubric(yaml.safe_dump(new), file="b.yaml")
    assert new_rubric is not None and not [p for p in problems if p.is_error], problems
    assert old_rubric is not None
    return [(c.kind, c.key) for c in diff_rubrics(old_rubric, new_rubric).changes]


def _set(path: str, value: Any):
    def edit(data: dict[str, Any]) -> None:
        data[path] = value
    return edit


EDITS = {
    "name": (_set("name", "hmic-cp-2015"), [("name-changed", "name")]),
    "version": (_set("version", "2.0"), [("version-changed", "version")]),
    "title": (_set("title", "Another title"), [("title-changed", "title")]),
    "requires_version": (_set("requires_version", ">=0.1,<9"),
                         [("requires-version-changed", "requires_version")]),
    "changelog": (lambda d: d["changelog"].insert(0, {"version": "1.1",
                                                      "changes": ["Bands moved."]}),
                  [("changelog-added", "1.1")]),
    # acceptable is left to the default, the better half of the scale: it follows
    "grade added": (lambda d: (d["scale"].insert(0, {"key": "outstanding",
                                                     "label": "Outstanding"}),
                               d["bands"].update(outstanding=95)),
                    [("grade-added", "outstanding"), ("setting-changed", "acceptable")]),
    "grade removed": (lambda d: (d["scale"].pop(1), d["bands"].pop("adequate")),
                      [("grade-removed", "adequate"), ("setting-changed", "acceptable")]),
    "scale reordered": (lambda d: (d["scale"].insert(0, d["scale"].pop(1)),
                                   d["bands"].update(adequate=90, good=60)),
                        [("scale-reordered", None), ("band-changed", "adequate"),
                         ("band-changed", "good"), ("setting-changed", "acceptable")]),
    "answer added": (lambda d: d["answers"].insert(3, {"key": "unknown", "label": "Unknown",
                                                       "score": None}),
                     [("answer-added", "unknown")]),
    "answer removed": (lambda d: d["answers"].pop(1), [("answer-removed", "partly")]),
    "answer relabelled": (lambda d: answer(d, "partly").update(label="In part"),
                          [("answer-relabelled", "partly")]),
    "answer aliases": (lambda d: answer(d, "no").update(aliases=["n", "not met"]),
                       [("answer-aliases-changed", "no")]),
    "case type added": (lambda d: (d["case_types"].append({"key": "fgm", "label": "FGM"})),
                        [("case-type-added", "fgm")]),
    "case type relabelled": (lambda d: d["case_types"][1].update(label="Domestic violence"),
                             [("case-type-relabelled", "domestic_abuse")]),
    "theme relabelled": (lambda d: d["themes"][0].update(label="First contact"),
                         [("theme-relabelled", "initial_contact")]),
    "criterion moved": (lambda d: criterion(d, "dm_supervisor_review").update(
        theme="investigation"), [("criterion-moved", "dm_supervisor_review")]),
    "applies_to": (lambda d: criterion(d, "pd_health_recorded").update(
        applies_to=["child_in_custody", "police_protection"]),
        [("criterion-applies-to-changed", "pd_health_recorded")]),
    "cap changed": (lambda d: d["limiting"][2].update(cap="inadequate"),
                    [("limiting-changed", "ah_risk_assessed")]),
    "cap answer changed": (lambda d: d["limiting"][2].update(when="partly"),
                           [("limiting-changed", "ah_risk_assessed")]),
    "cap removed": (lambda d: d["limiting"].pop(3),
                    [("limiting-removed", "ah_return_interview")]),
    "significant_difference": (_set("significant_difference", 1),
                               [("setting-changed", "significant_difference")]),
    "acceptable": (_set("acceptable", ["good"]), [("setting-changed", "acceptable")]),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_each_kind_of_change(name):
    edit, expected = EDITS[name]
    assert _one_edit(edit) == expected


def test_applies_to_and_cap_sentences():
    def edit(d: dict[str, Any]) -> None:
        criterion(d, "pd_health_recorded")["applies_to"] = ["police_protection"]
        d["limiting"][2].update(cap="inadequate", when="partly")

    data = base_data()
    new = copy.deepcopy(data)
    edit(new)
    from hmic_audit.rubric_file import parse_rubric

    a, _ = parse_rubric(yaml.safe_dump(data))
    b, _ = parse_rubric(yaml.safe_dump(new))
    assert a is not None and b is not None
    said = {c.kind: c.message for c in diff_rubrics(a, b).changes}
    assert said["criterion-applies-to-changed"] == (
        "Criterion pd_health_recorded now also applies to police_protection and no longer "
        "applies to child_in_custody.")
    assert "fires on 'Partly' (was 'No')" in said["limiting-changed"]
    assert "caps at Inadequate (was Requires improvement)" in said["limiting-changed"]


# The command ----------------------------------------------------------------------------

def test_cli_human_names_every_change(runner, pair):
    old_path, new_path, expected = pair
    result = invoke(runner, "rubric", "diff", old_path, new_path)
    assert result.exit_code == 0
    out = result.stdout
    assert f"{len(expected)} changes" in out
    for kind, key in expected:
        assert kind in out and key in out
    for title in ("Criteria", "Bands", "Limiting criteria", "Settings", "Answers",
                  "Grade scale"):
        assert title in out


def test_cli_json_and_md(runner, pair):
    old_path, new_path, expected = pair
    result = invoke(runner, "rubric", "diff", old_path, new_path, "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["same"] is False
    assert sorted((c["kind"], c["key"]) for c in doc["changes"]) == sorted(expected)
    again = invoke(runner, "rubric", "diff", old_path, new_path, "--format", "json")
    assert again.stdout == result.stdout

    md = invoke(runner, "rubric", "diff", old_path, new_path, "-f", "md")
    assert md.exit_code == 0
    text = md.stdout
    assert text.startswith("# Rubric changes: hmic-cp-2014 v1.0 to hmic-cp-2014 v1.0")
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(bullets) == len(expected)
    for heading in ("## Criteria", "## Bands", "## Limiting criteria", "## Settings"):
        assert heading in text
    for key in ("rm_ancillary_orders", "rm_local_officers_told", "ic_immediate_safety",
                "ic_demeanour_recorded", "Satisfactory", "0.25", "dm_supervisor_review",
                "min_answered"):
        assert key in text


def test_cli_no_differences_is_exit_0(runner, tmp_path):
    copy_path = write(tmp_path / "copy.yaml", base_data())
    result = invoke(runner, "rubric", "diff", "child-protection-2014", copy_path)
    assert result.exit_code == 0 and "no differences" in result.stdout
    doc = json.loads(invoke(runner, "rubric", "diff", DEFAULT, copy_path, "-f", "json").stdout)
    assert doc["same"] is True and doc["changes"] == []
    md = invoke(runner, "rubric", "diff", DEFAULT, copy_path, "-f", "md").stdout
    assert "No differences" in md and "\n- " not in md


def test_cli_bad_rubric_is_exit_2_with_every_problem(runner, tmp_path):
    data = base_data()
    data["criteria"][1]["weight"] = -3
    bad = write(tmp_path / "bad.yaml", data)
    other = copy.deepcopy(base_data())
    other["bands"]["adequate"] = 95
    worse = write(tmp_path / "worse.yaml", other)
    result = invoke(runner, "rubric", "diff", DEFAULT, bad)
    assert result.exit_code == 2
    assert "bad.yaml" in result.stderr and "criteria[1].weight" in result.stderr
    assert "Traceback" not in result.stderr
    both = invoke(runner, "rubric", "diff", bad, worse)
    assert both.exit_code == 2
    assert "criteria[1].weight" in both.stderr and "bands-out-of-order" not in both.stdout
    assert "worse.yaml" in both.stderr
    doc = json.loads(invoke(runner, "rubric", "diff", bad, worse, "-f", "json").stdout)
    assert doc["ok"] is False
    assert {(p["file"], p["code"]) for p in doc["problems"]} == {
        ("bad.yaml", "negative-weight"), ("worse.yaml", "bands-out-of-order")}
    missing = invoke(runner, "rubric", "diff", DEFAULT, tmp_path / "none.yaml")
    assert missing.exit_code == 2


# requires_version and changelog ---------------------------------------------------------

def test_version_outside_range_warns_but_the_rubric_is_used(runner, tmp_path):
    running = version("hmic-audit")
    data = base_data()
    data["requires_version"] = f">{running}"
    path = write(tmp_path / "future.yaml", data)
    rubric = load_rubric(path)  # still loads
    assert [(p.code, p.severity.value, p.column) for p in rubric.warnings] == [
        ("rubric-version-mismatch", "warning", "requires_version")]
    result = invoke(runner, "rubric", "check", path)
    assert result.exit_code == 0
    assert "requires_version" in result.stderr and running in result.stderr
    assert "1 warning" in result.stderr
    doc = json.loads(invoke(runner, "rubric", "check", path, "--format", "json").stdout)
    assert doc["ok"] is True and doc["warnings"] == 1
    assert doc["problems"][0]["code"] == "rubric-version-mismatch"
    shown = invoke(runner, "rubric", "show", path)
    assert shown.exit_code == 0 and "requires_version" in shown.stderr
    # inside the range: no warning
    data["requires_version"] = f"=={running}"
    inside = write(tmp_path / "now.yaml", data)
    assert load_rubric(inside).warnings == []
    clean = invoke(runner, "rubric", "check", inside)
    assert clean.exit_code == 0 and "no problems" in clean.stderr


def test_every_shipped_rubric_admits_the_version_it_ships_with():
    """Why a shipped rubric's ``requires_version`` is not checked as it loads: this
    holds it. Its copy elsewhere is checked (the version parser imported only then)."""
    import subprocess
    import sys

    from hmic_audit.rubric_file import requires_version_problems, shipped_rubrics_dir

    shipped = sorted(shipped_rubrics_dir().glob("*.yaml"))
    assert len(shipped) >= 3
    for path in shipped:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")).get("requires_version")
        assert requires_version_problems(spec, path.name) == [], path.name
    script = ("import sys; from hmic_audit.rubric_file import load_rubric; load_rubric(); "
              "print('packaging' in sys.modules); load_rubric(sys.argv[1]); "
              "print('packaging' in sys.modules)")
    itself = shipped_rubrics_dir() / "child-protection-2014.yaml"
    out = subprocess.run([sys.executable, "-c", script, str(itself)], check=True,
                         capture_output=True, text=True).stdout.split()
    assert out == ["False", "False"]


def test_a_copy_of_a_shipped_rubric_has_its_version_range_checked(tmp_path):
    text = DEFAULT.read_text(encoding="utf-8").replace(
        'requires_version: ">=0.1"', 'requires_version: ">=90.0"')
    copy_ = tmp_path / "child-protection-2014.yaml"
    copy_.write_text(text, encoding="utf-8")
    assert [p.code for p in load_rubric(copy_).warnings] == ["rubric-version-mismatch"]


def test_bad_specifier_is_an_error_naming_the_key(runner, tmp_path):
    text = DEFAULT.read_text(encoding="utf-8").replace(
        'requires_version: ">=0.1"', 'requires_version: "soon"')
    assert "soon" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    line = text.splitlines().index('requires_version: "soon"') + 1
    for command in (["rubric", "show", bad], ["rubric", "diff", DEFAULT, bad]):
        result = invoke(runner, *command)
        assert result.exit_code == 2, command
        assert f"bad.yaml line {line} (requires_version)" in result.stderr
        assert "'soon'" in result.stderr and "Traceback" not in result.stderr
    # checking is rubric check's job: it found a problem (exit 1), as for any other
    check = invoke(runner, "rubric", "check", bad, "--format", "json")
    assert check.exit_code == 1
    assert [(p["column"], p["code"]) for p in json.loads(check.stdout)["problems"]] == [
        ("requires_version", "bad-requires-version")]


def test_default_rubric_has_its_changelog_and_range(runner):
    data = base_data()
    assert data["version"] == "1.0" and data["requires_version"] == ">=0.1"
    assert [e["version"] for e in data["changelog"]] == ["1.0"]
    text = DEFAULT.read_text(encoding="utf-8")
    for key in ("requires_version", "changelog"):
        before = text[:text.index(f"\n{key}:")].splitlines()
        assert any(line.startswith(f"# {key}:") for line in before[-4:]), key
    shown = invoke(runner, "rubric", "show")
    assert shown.exit_code == 0
    assert "Written for hmic-audit >=0.1" in shown.stdout
    assert data["changelog"][0]["changes"][0].split(",")[0] in shown.stdout


def test_show_lists_the_changelog_newest_first(runner, tmp_path):
    data = base_data()
    data["changelog"] = [{"version": "1.0", "changes": ["First."]},
                         {"version": "1.10", "date": "2024-04-01", "changes": ["Tenth."]},
                         {"version": "1.2", "changes": ["Second."]}]
    path = write(tmp_path / "logged.yaml", data)
    out = invoke(runner, "rubric", "show", path).stdout
    # 1.10 is newer than 1.2 (version numbers, not text)
    assert out.index("Tenth.") < out.index("Second.") < out.index("First.")
    assert "2024-04-01" in out


# Spellings: what is read, not the alias lists -------------------------------------------

SHIPPED = ("child-protection-2014", "child-protection-2021", "child-protection-2024")
_ITEMS = {"scale": "scale", "answers": "answers", "case_types": "case_types"}


def _read(data: dict[str, Any], section: str, key: str) -> set[str]:
    """Every spelling the item ``key`` of a rubric's YAML data is read from: key, label
    and aliases, each as a workbook cell is matched (case, separators and end punctuation
    ignored)."""
    from hmic_audit.text import label_key

    item = next(i for i in data[section] if i["key"] == key)
    return {label_key(str(s)) for s in (item["key"], item["label"], *item.get("aliases", []))}


def _shipped(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / "rubrics" / f"{name}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("old_name,new_name", [(a, b) for i, a in enumerate(SHIPPED)
                                               for b in SHIPPED[i + 1:]])
def test_spelling_changes_between_shipped_rubrics_are_real(old_name, new_name):
    from hmic_audit.text import label_key

    old_data, new_data = _shipped(old_name), _shipped(new_name)
    diff = diff_rubrics(load_rubric(old_name), load_rubric(new_name))
    reported = {(c.section, c.key) for c in diff.changes if c.kind.endswith("aliases-changed")}
    for section in _ITEMS:
        keys = {i["key"] for i in old_data[section]} & {i["key"] for i in new_data[section]}
        for key in keys:
            before, after = _read(old_data, section, key), _read(new_data, section, key)
            label = label_key(next(i["label"] for i in new_data[section] if i["key"] == key))
            # the new label is said by a relabelling; any other gain or loss is reported
            moved = (after - before - {label}) | (before - after)
            assert ((section, key) in reported) == bool(moved), (section, key, moved)
    for change in diff.changes:
        if change.kind.endswith("aliases-changed"):
            assert {label_key(s) for s in change.old} == _read(old_data, change.section,
                                                                 change.key)
            assert {label_key(s) for s in change.new} == _read(new_data, change.section,
                                                                 change.key)


def test_spellings_still_read_are_not_reported_lost_or_gained():
    said = [c.message for c in diff_rubrics(load_rubric("child-protection-2014"),
                                            load_rubric("child-protection-2024")).changes]
    # 'requires improvement' is the grade's label in both: still read
    assert not [m for m in said if "no longer read from 'requires improvement'" in m]
    said = [c.message for c in diff_rubrics(load_rubric("child-protection-2021"),
                                            load_rubric("child-protection-2024")).changes]
    # 'domestic abuse' was the 2021 label (and key): not new in 2024
    assert not [m for m in said if "also read from 'domestic abuse'" in m]


def test_a_removed_item_whose_spelling_another_item_reads_says_so():
    old, new = load_rubric("child-protection-2014"), load_rubric("child-protection-2024")
    said = {(c.kind, c.key): c.message for c in diff_rubrics(old, new).changes}
    old_data, new_data = _shipped("child-protection-2014"), _shipped("child-protection-2024")
    labels = {a["key"]: a["label"] for a in new_data["answers"]}
    for gone in old_data["answers"]:
        # which answer of 2024 reads the old key, found from the YAML data
        now = [k for k in labels if gone["key"].lower().replace("/", " ")
               in {s.replace("/", " ") for s in _read(new_data, "answers", k)}]
        message = said["answer-removed", gone["key"]]
        assert len(now) == 1, gone
        assert message == (f"Answer '{gone['label']}' ({gone['key']}) removed; "
                           f"'{gone['key']}' is now read as '{labels[now[0]]}'.")
    assert said["answer-removed", "yes"] == (
        "Answer 'Yes' (yes) removed; 'yes' is now read as 'Evident'.")
    # a case type removed whose spellings nothing reads: the plain sentence
    custody = said["case-type-removed", "child_in_custody"]
    assert custody == "Case type 'Child in custody' (child_in_custody) removed."
