"""Exit codes as the README documents them: 0 done, 1 a check found problems, 2 bad
input or usage (130 interrupted), for every command and every way it can end."""

from __future__ import annotations

import pytest

from ..conftest import ROOT, SAMPLE, invoke, long_rows_good, write_xlsx
from .test_options import required_options

RUBRIC = ROOT / "rubrics" / "child-protection-2014.yaml"
EXIT_CODES = {"0": "success", "1": "a check", "2": "bad input or usage", "130": "interrupted"}


def test_the_readme_documents_these_codes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### Exit codes"):]
    for code, words in EXIT_CODES.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| {code} |"))
        assert words in row


def _not_a_workbook(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x00\x01 this is not a spreadsheet \xff" * 20)
    return path


@pytest.mark.parametrize("name", ["old.xls", "cases.xlsx", "cases.pdf", "missing.xlsx"])
@pytest.mark.parametrize("command", ["grade", "validate", "compare", "annex", "report"])
def test_a_file_that_cannot_be_read_is_exit_2(runner, tmp_path, name, command):
    path = tmp_path / name if name == "missing.xlsx" else _not_a_workbook(tmp_path, name)
    result = invoke(runner, command, path, *required_options(command, tmp_path))
    assert result.exit_code == 2, result.stderr
    assert name in result.stderr and "Traceback" not in result.stderr


def test_validate_problems_found_is_exit_1(runner, tmp_path):
    headers, rows = long_rows_good()
    rows[0][6] = "Goodish"
    result = invoke(runner, "validate", write_xlsx(tmp_path / "bad.xlsx", headers, rows))
    assert result.exit_code == 1


def test_rubric_check_exit_codes(runner, tmp_path):
    assert invoke(runner, "rubric", "check", RUBRIC).exit_code == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nversion: [\n", encoding="utf-8")
    assert invoke(runner, "rubric", "check", broken).exit_code == 1  # the check found it
    assert invoke(runner, "rubric", "check", tmp_path / "none.yaml").exit_code == 2
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert invoke(runner, "rubric", "check", binary).exit_code == 2


USAGE = [
    ["grade"], ["grade", SAMPLE, "--no-such-option"], ["grade", SAMPLE, "--format", "yaml"],
    ["validate"], ["validate", SAMPLE, "--format", "xml"], ["compare"],
    ["compare", SAMPLE, "--use", "best"], ["compare", SAMPLE, "--threshold", "0"],
    ["annex", SAMPLE], ["annex", SAMPLE, "--out", "a.xlsx", "--suppress", "-1"],
    ["report", SAMPLE], ["report", SAMPLE, "--out", "r.html", "--format", "yaml"],
    ["template"], ["template", "--out", "t.xlsx", "-f", "xml"], ["rubric"],
    ["rubric", "check"], ["rubric", "show", "a", "b"], ["profile"], ["profile", "init"],
    ["profile", "check"], ["profile", "check", "a.yaml", "b.yaml"], ["no-such-command"], [],
]


@pytest.mark.parametrize("args", USAGE, ids=lambda a: " ".join(map(str, a)) or "nothing")
def test_usage_errors_are_exit_2(runner, args):
    assert invoke(runner, *args).exit_code == 2


def test_compare_with_three_files_is_exit_2(runner):
    assert invoke(runner, "compare", SAMPLE, SAMPLE, SAMPLE).exit_code == 2


def test_interrupted_is_exit_130(runner, monkeypatch):
    import hmic_audit

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(hmic_audit, "read_audits", interrupted)
    result = invoke(runner, "grade", SAMPLE)
    assert result.exit_code == 130
    assert "interrupted" in result.stderr


def test_json_error_document_counts_notices_apart(runner, tmp_path):
    import json

    headers, rows = long_rows_good()
    rows[0][6] = "Goodish"
    doc = json.loads(invoke(runner, "grade", write_xlsx(tmp_path / "b.xlsx", headers, rows),
                            "-f", "json").stdout)
    assert doc["ok"] is False
    assert doc["errors"] == sum(p["severity"] == "error" for p in doc["problems"]) == 1
    assert doc["warnings"] == sum(p["severity"] == "warning" for p in doc["problems"])
    assert doc["notices"] == sum(p["severity"] == "notice" for p in doc["problems"])
