"""Published outputs expose no child: --publish and --pseudonymise."""

from __future__ import annotations

import json
import re

import pytest

from hmic_audit.workbook.privacy import pseudonym

from ..conftest import SAMPLE, invoke, write_xlsx
from .test_report import FORCE, text_of

KEY = "a-test-key-that-is-long-enough"


def test_published_annex_hides_a_small_count_and_what_reveals_it(runner, tmp_path):
    """Counts {2, 10, 12}: self-assessed 2, further 10, total 12, in one case type."""
    rows = [[f"S{i}", "self-assessed", "Domestic abuse", "force", "good"] for i in range(2)]
    rows += [[f"S{i}", "self-assessed", "Domestic abuse", "inspector", "good"]
             for i in range(2)]
    rows += [[f"F{i}", "inspector-selected", "Domestic abuse", "inspector", "adequate"]
             for i in range(10)]
    cases = write_xlsx(tmp_path / "c.xlsx", ["Case ref", "Sample", "Case type", "Assessor",
                                             "Grade"], rows)
    out = tmp_path / "annex.json"
    result = invoke(runner, "annex", cases, "--publish", "--tables", "case_types",
                    "--out", out)
    assert result.exit_code == 0, result.stderr
    [table] = json.loads(out.read_text())["tables"]
    body = table["rows"][0]
    assert body[0] == "Domestic abuse" and body[1] == "c"
    # the 2 cannot be recovered: 12 - 10 is not available, as 10 (or 12) is hidden too
    assert body[2] == "c" or body[3] == "c"
    visible = [v for row in table["rows"] for v in row[1:] if v != "c"]
    assert 2 not in visible
    assert not ({12, 10} <= set(visible) and body[2] != "c")
    assert "shown as c" in table["note"]


def test_publish_threshold_never_below_three(runner, tmp_path):
    result = invoke(runner, "annex", SAMPLE, "--publish", "--suppress", "2",
                    "--out", tmp_path / "a.json")
    assert result.exit_code == 2 and "too low for publication" in result.stderr


def test_published_report_leaves_out_references_notes_and_ages(runner, tmp_path):
    out = tmp_path / "report.md"
    result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out, "--publish")
    assert result.exit_code == 0, result.stderr
    text = text_of(out)
    assert re.findall(r"\b(?:SA|IS)-\d{3}\b", text) == []
    assert "Examples from the cases" not in text and "Infant admitted" not in text
    assert "years old" not in text and "girls" not in text
    figures = json.loads((tmp_path / "report.md.figures.json").read_text())["figures"]
    assert all(f["cases"] == [] for f in figures)
    hidden = [f for f in figures if f["value"] == "suppressed"]
    assert hidden and all(f["shown"] in ("c", "an unpublished number") for f in hidden)
    # never "fewer than six": with the zeros it publishes, that would give a hidden
    # count's both ends; and a count hidden only to protect another can be large
    assert "fewer than" not in text
    plain = tmp_path / "plain.md"
    assert invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", plain).exit_code == 0
    truth = {f["id"]: f["value"] for f in json.loads(
        (tmp_path / "plain.md.figures.json").read_text())["figures"]}
    other = [f["id"] for f in hidden if f["shown"] == "an unpublished number"]
    assert other and any(truth[i] >= 6 for i in other) and any(truth[i] < 6 for i in other)
    assert "They judged eight good, sixteen adequate, an unpublished number" in text


def test_pseudonymised_outputs(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("HMIC_AUDIT_PSEUDONYM_KEY", KEY)
    doc = json.loads(invoke(runner, "grade", SAMPLE, "--pseudonymise", "-f", "json").stdout)
    refs = {a["case_ref"] for a in doc["audits"]}
    assert pseudonym(KEY.encode(), "SA-001") in refs
    assert all(re.fullmatch(r"P-[0-9a-f]{12}", r) for r in refs)
    assert len(refs) == 114
    compared = json.loads(invoke(runner, "compare", SAMPLE, "--pseudonymise",
                                 "-f", "json").stdout)
    assert {c["case_ref"] for c in compared["cases"]} <= refs
    out = tmp_path / "report.md"
    assert invoke(runner, "report", SAMPLE, "--force", FORCE, "--pseudonymise",
                  "--out", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "SA-001" not in text and pseudonym(KEY.encode(), "SA-001") in text
    # the key itself is written nowhere
    for path in tmp_path.iterdir():
        assert KEY not in path.read_text(encoding="utf-8")


def test_pseudonyms_need_a_key(runner, tmp_path, monkeypatch):
    monkeypatch.delenv("HMIC_AUDIT_PSEUDONYM_KEY", raising=False)
    result = invoke(runner, "grade", SAMPLE, "--pseudonymise")
    assert result.exit_code == 2 and "HMIC_AUDIT_PSEUDONYM_KEY" in result.stderr
    key_file = tmp_path / "key"
    key_file.write_text(KEY, encoding="utf-8")
    result = invoke(runner, "grade", SAMPLE, "--pseudonymise", "--key-file", key_file,
                    "-f", "json")
    assert result.exit_code == 0
    assert pseudonym(KEY.encode(), "IS-084") in result.stdout


@pytest.mark.parametrize("value", ["a private note about a child"])
def test_error_messages_never_quote_free_text(runner, tmp_path, value):
    rows = [["A1", "inspector-selected", "Domestic abuse", "inspector", "Goodish", value]]
    cases = write_xlsx(tmp_path / "c.xlsx", ["Case ref", "Sample", "Case type", "Assessor",
                                             "Grade", "Notes"], rows)
    result = invoke(runner, "grade", cases, "--format", "json")
    assert result.exit_code == 2
    assert "Goodish" in result.stderr and value not in result.stderr + result.stdout


@pytest.mark.parametrize("given", ["SA-001", " sa-001 ", "PSEUDONYM"])
def test_explain_with_pseudonymise_finds_the_case_and_shows_only_its_pseudonym(
        runner, monkeypatch, given):
    """The case is looked up by the pseudonym of its own reference (or by the pseudonym
    itself), among audits already pseudonymised: no output holds SA-001."""
    monkeypatch.setenv("HMIC_AUDIT_PSEUDONYM_KEY", KEY)
    alias = pseudonym(KEY.encode(), "SA-001")
    ref = alias if given == "PSEUDONYM" else given
    human = invoke(runner, "grade", SAMPLE, "--pseudonymise", "--explain", ref)
    assert human.exit_code == 0, human.stderr
    assert f"Case {alias} - " in human.stdout and "force audit" in human.stdout
    doc = invoke(runner, "grade", SAMPLE, "--pseudonymise", "--explain", ref, "-f", "json")
    assert json.loads(doc.stdout)["case_ref"] == alias
    for text in (human.stdout, human.stderr, doc.stdout):
        assert re.findall(r"\b(?:SA|IS)-\d{3}\b", text) == []


def test_explain_with_pseudonymise_repeats_no_reference_it_cannot_find(runner, monkeypatch):
    monkeypatch.setenv("HMIC_AUDIT_PSEUDONYM_KEY", KEY)
    result = invoke(runner, "grade", SAMPLE, "--pseudonymise", "--explain", "SA-0001",
                    "-f", "json")
    assert result.exit_code == 2
    assert "SA-0001" not in result.stdout + result.stderr
    assert "error: no such case" in result.stderr.splitlines()
    assert "has no case with the reference given to --explain" in result.stderr
    assert "Nothing was written" not in result.stderr


@pytest.mark.parametrize("source", ["environment", "key file"])
def test_a_key_too_short_is_called_too_short(runner, tmp_path, monkeypatch, source):
    args = ["grade", SAMPLE, "--pseudonymise"]
    if source == "environment":
        monkeypatch.setenv("HMIC_AUDIT_PSEUDONYM_KEY", "short")
    else:
        monkeypatch.delenv("HMIC_AUDIT_PSEUDONYM_KEY", raising=False)
        (tmp_path / "key.txt").write_text("short\n", encoding="utf-8")
        args += ["--key-file", tmp_path / "key.txt"]
    result = invoke(runner, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: pseudonym key too short\n")
    said = " ".join(result.stderr.replace("│", " ").split())
    assert "is too short (5 characters): --pseudonymise needs a secret key of at least 16 " \
        "characters" in said
    assert "no pseudonym key" not in result.stderr


def test_no_key_at_all_is_said_before_any_case_is_read(runner, monkeypatch):
    """The key is loaded first: its error is the first thing said (no notices about a
    workbook that will not be used)."""
    monkeypatch.setenv("HMIC_AUDIT_PSEUDONYM_KEY", "")
    result = invoke(runner, "grade", SAMPLE, "--pseudonymise")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no pseudonym key\n")
