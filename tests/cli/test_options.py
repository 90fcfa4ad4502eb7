"""Options every command shares: --month-first on each that reads cases, --quiet and a
spinner on each, --all on each that shows problems; lock files skipped with a notice;
counts in words with proper plurals."""

from __future__ import annotations

import contextlib
import json

import pytest

from hmic_audit.text import plural

from ..conftest import LONG_HEADERS, ROOT, SAMPLE, invoke, write_xlsx
from .test_help import COMMANDS, _function
from .test_report import FORCE

READS_CASES = ["grade", "validate", "compare", "report", "annex"]
SHOWS_PROBLEMS = [*READS_CASES, "rubric check"]


def required_options(command: str, folder) -> list[object]:
    """What ``command`` needs besides its cases file (outputs go to ``folder``)."""
    return {"annex": ["--out", folder / "a.xlsx"],
            "report": ["--force", FORCE, "--out", folder / "r.md"]}.get(command, [])


def _options(command: str) -> set[str]:
    return {opt for p in _function(command.split()).params for opt in p.opts}


@pytest.mark.parametrize("command", [" ".join(c) for c in COMMANDS])
def test_every_command_has_quiet(command):
    assert {"--quiet", "-q"} <= _options(command)


@pytest.mark.parametrize("command", READS_CASES)
def test_every_command_reading_cases_has_month_first(command):
    assert "--month-first" in _options(command)
    help_text = _function([command]).params
    [option] = [p for p in help_text if "--month-first" in p.opts]
    assert option.help == ("Read typed dates such as 07/03/2014 as month first (US order); "
                           "dates are day first otherwise.")


@pytest.mark.parametrize("command", SHOWS_PROBLEMS)
def test_every_command_showing_problems_has_all(command):
    assert "--all" in _options(command)


def _us_dates(tmp_path):
    rows = [["U1", "self-assessed", "s47", "Wigan", "force", "07/13/2014", "Good"],
            ["U1", "self-assessed", "s47", "Wigan", "inspector", "07/14/2014", "Adequate"]]
    return write_xlsx(tmp_path / "us.xlsx", LONG_HEADERS, rows)


def test_month_first_reads_us_dates(runner, tmp_path):
    path = _us_dates(tmp_path)
    assert invoke(runner, "validate", path).exit_code == 1  # 13th month, read day first
    assert invoke(runner, "validate", path, "--month-first").exit_code == 0
    assert invoke(runner, "grade", path, "--month-first").exit_code == 0


@pytest.mark.parametrize("command", READS_CASES)
def test_month_first_reaches_the_reader(runner, tmp_path, monkeypatch, command):
    import hmic_audit
    import hmic_audit.workbook.check as check

    seen: list[bool] = []
    real_read, real_check = check.read_audits, check.check_grid

    def read(*args, **kwargs):
        seen.append(kwargs["month_first"])
        return real_read(*args, **kwargs)

    def check_grid(*args, **kwargs):
        seen.append(kwargs["month_first"])
        return real_check(*args, **kwargs)

    monkeypatch.setattr(hmic_audit, "read_audits", read)
    monkeypatch.setattr(check, "check_grid", check_grid)
    extra = required_options(command, tmp_path)
    result = invoke(runner, command, _us_dates(tmp_path), "--month-first", *extra)
    assert seen and all(seen), result.stderr
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("command", ["validate", "compare", "grade", "annex", "report"])
def test_spinner_and_quiet(runner, tmp_path, monkeypatch, command):
    """Each command reading cases shows the spinner while it reads (unless --quiet)."""
    import importlib

    module = importlib.import_module(f"hmic_audit.cli.{command}")
    spins: list[tuple[str, bool]] = []

    @contextlib.contextmanager
    def progress(description, quiet=False):
        spins.append((description, quiet))
        yield

    from hmic_audit.cli import output

    for shows in (module, output):  # a command's own, or its job's feedback's
        if hasattr(shows, "progress"):
            monkeypatch.setattr(shows, "progress", progress)
    extra = required_options(command, tmp_path)
    loud = invoke(runner, command, SAMPLE, *extra)
    assert loud.exit_code == 0, loud.stderr
    assert any("cases.xlsx" in d and not q for d, q in spins)
    spins.clear()
    quiet = invoke(runner, command, SAMPLE, "--quiet", *extra)
    assert quiet.exit_code == 0 and spins and all(q for _, q in spins)
    assert "wrote" not in quiet.stderr and "notice" not in quiet.stderr
    if command == "validate":
        assert "144 audits, no errors" in loud.stderr and quiet.stderr == ""


def _lock_file(folder, name):
    path = folder / name
    path.write_bytes(b"\x0cInspector 1" + b"\x00" * 40 + b"I\x00n\x00s\x00p\x00" * 8)
    return path


@pytest.mark.parametrize("lock", ["~$cases.xlsx", ".~lock.cases.xlsx#"])
def test_annex_skips_lock_files_with_a_notice(runner, tmp_path, lock):
    locked = _lock_file(tmp_path, lock)
    out = tmp_path / "annex.xlsx"
    result = invoke(runner, "annex", SAMPLE, locked, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert out.exists()
    text = " ".join(result.stderr.split())
    assert "notice" in text and lock in text and "skipped" in text
    only = invoke(runner, "annex", locked, "--out", tmp_path / "b.xlsx")
    assert only.exit_code == 2 and "lock file" in only.stderr


def test_compare_skips_lock_files(runner, tmp_path):
    locked = _lock_file(tmp_path, "~$cases.xlsx")
    result = invoke(runner, "compare", locked, SAMPLE, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["pairs"] == 30
    assert "~$cases.xlsx" in result.stderr


def test_plural():
    assert plural(1, "audit") == "1 audit"
    assert plural(0, "audit") == "0 audits"
    assert plural(20_000, "row") == "20,000 rows"
    assert plural(1, "criterion", "criteria") == "1 criterion"
    assert plural(3, "criterion", "criteria") == "3 criteria"


def test_counts_are_in_words_with_plurals(runner, tmp_path):
    one = write_xlsx(tmp_path / "one.xlsx", LONG_HEADERS, [
        ["C1", "inspector-selected", "s47", "Wigan", "inspector", "2014-07-01", "Good"]])
    result = invoke(runner, "validate", one)
    assert "one.xlsx: 1 audit, no errors" in result.stderr
    result = invoke(runner, "grade", one, "--out", tmp_path / "g.csv")
    assert "(1 audit)" in result.stderr
    assert "1 case, 1 audit" in result.stdout
    bad = write_xlsx(tmp_path / "bad.xlsx", LONG_HEADERS, [
        ["C1", "inspector-selected", "s47", "Wigan", "inspector", "2014-07-01", "Goodish"]])
    result = invoke(runner, "validate", bad)
    assert "bad.xlsx: 1 error" in result.stderr
    rubric = invoke(runner, "template", "--out", tmp_path / "form.xlsx",
                    "--rubric", ROOT / "tests" / "data" / "three-level.yaml")
    assert " criteria," in rubric.stderr or " criterion," in rubric.stderr
    for stream in (result.stdout, result.stderr, rubric.stderr):
        assert "(s)" not in stream and "1 audits" not in stream and "1 errors" not in stream
