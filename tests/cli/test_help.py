"""Every command explains itself with an example, and the README mentions it."""

from __future__ import annotations

import pytest

from ..conftest import ROOT, invoke

COMMANDS = [["grade"], ["validate"], ["compare"], ["report"], ["annex"], ["template"],
            ["rubric", "check"],
            ["rubric", "show"]]


def test_top_level_help(runner):
    result = invoke(runner, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    for name in ("grade", "validate", "rubric"):
        assert name in result.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_command_help_has_an_example(runner, command):
    result = invoke(runner, *command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"hmic-audit {' '.join(command)}" in result.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_readme_documents_the_command(command):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"hmic-audit {' '.join(command)}" in readme


def test_every_registered_command_is_covered():
    import typer.main

    from hmic_audit.cli.app import app

    group = typer.main.get_command(app)
    names = set()
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(cmd, "commands", None)
        names |= {f"{name} {s}" for s in sub} if sub else {name}
    assert names == {" ".join(c) for c in COMMANDS}


def test_usage_error_is_exit_2(runner):
    result = invoke(runner, "grade", "--format", "yaml", "x.xlsx")
    assert result.exit_code == 2


def test_help_does_not_import_the_heavy_libraries():
    import subprocess
    import sys

    code = ("import sys; from hmic_audit.cli.app import main; sys.argv = ['hmic-audit', "
            "'--help']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('numpy', 'pandas', 'openpyxl', 'python_calamine') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
