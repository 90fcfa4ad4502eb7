"""Exit codes as the README documents them: 0 done, 1 a check found problems, 2 bad
input or usage (130 interrupted), for every command and every way it can end."""

from __future__ import annotations

from pathlib import Path

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


def _console(*args: object, **kwargs):
    """The command run as the console script runs it (``python -m hmic_audit``): the
    process that leaves without tearing the interpreter down (``cli/start.leave``).
    Standard output buffered, as in a shell (this machine may set PYTHONUNBUFFERED)."""
    import os
    import subprocess
    import sys

    kwargs.setdefault("stdout", subprocess.PIPE)
    env = {k: v for k, v in kwargs.pop("env", os.environ).items()
           if k != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-m", "hmic_audit", *map(str, args)],  # noqa: S603
                          stderr=subprocess.PIPE, env=env, **kwargs)


FULL = "/dev/full"


@pytest.mark.skipif(not __import__("os").path.exists(FULL), reason="needs /dev/full")
@pytest.mark.parametrize("args", [
    ["grade", SAMPLE, "--format", "json", "-q"],  # streamed
    ["grade", SAMPLE],  # tables
    ["validate", ROOT / "pyproject.toml", "--format", "json"],  # the error document
], ids=["streamed json", "tables", "error document"])
def test_a_full_disk_on_standard_output_is_said_not_a_traceback(args):
    with open(FULL, "wb") as full:
        done = _console(*args, stdout=full)
    stderr = done.stderr.decode()
    assert done.returncode == 1, stderr
    assert "error: cannot write to standard output: No space left on device" in stderr
    assert "Traceback" not in stderr


def test_a_reader_that_stops_early_is_no_error():
    """``hmic-audit grade x --format json | head``: a pipe whose reader has gone ends
    the command quietly (exit 1, nothing said on stderr but the usual notices) - as
    typer does too for what it writes itself."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first byte
    try:
        done = _console("grade", SAMPLE, "--format", "json", "-q", stdout=write_end)
    finally:
        os.close(write_end)
    stderr = done.stderr.decode()
    assert done.returncode == 1
    assert stderr == "", stderr


def test_a_file_that_fails_while_read_is_not_blamed_on_standard_output(
        runner, tmp_path, monkeypatch):
    """A device error reading the cases (a flaky network share) is the input's: exit 2
    naming the file, not a failed standard output."""
    import errno

    from hmic_audit.io import delimited

    path = tmp_path / "cases.csv"
    path.write_text("Case ref,Grade\nC1,Good\n", encoding="utf-8")

    real = delimited.Path.read_bytes

    def fails(self):
        if self.name == path.name:
            raise OSError(errno.EIO, "Input/output error")
        return real(self)

    monkeypatch.setattr(delimited.Path, "read_bytes", fails)
    result = invoke(runner, "grade", path)
    assert result.exit_code == 2, result.stderr
    assert "cases.csv" in result.stderr and "Input/output error" in result.stderr
    assert "standard output" not in result.stderr


def test_the_console_script_writes_what_the_application_writes(runner, tmp_path,
                                                              monkeypatch):
    """The console script leaves without the interpreter's teardown, and draws a
    report's charts in a child that made matplotlib ready beforehand: every file it
    wrote is whole - the same bytes as the application run all in this process."""
    from hmic_audit import processes

    monkeypatch.setenv(processes.ONE_PROCESS_VARIABLE, "1")
    from .test_report import FORCE

    outputs = {"annex.xlsx": ["annex", SAMPLE],
               "report.docx": ["report", SAMPLE, "--force", FORCE],
               "report.html": ["report", SAMPLE, "--force", FORCE],  # charts drawn apart
               "report.md": ["report", SAMPLE, "--force", FORCE]}
    (tmp_path / "console").mkdir()
    (tmp_path / "in-process").mkdir()
    console = {k: v for k, v in __import__("os").environ.items()
               if k != processes.ONE_PROCESS_VARIABLE}
    for name, args in outputs.items():
        ours, theirs = tmp_path / "console" / name, tmp_path / "in-process" / name
        done = _console(*args, "--out", ours, env=console)
        assert done.returncode == 0, done.stderr
        assert invoke(runner, *args, "--out", theirs).exit_code == 0
        assert ours.read_bytes() == theirs.read_bytes(), name
        figures = Path(f"{ours}.figures.json")
        if figures.exists():
            assert figures.read_bytes() == Path(f"{theirs}.figures.json").read_bytes()
