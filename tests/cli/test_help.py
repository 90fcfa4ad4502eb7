"""Every command explains itself with an example, and the README mentions it."""

from __future__ import annotations

import pytest

from ..conftest import ROOT, invoke

COMMANDS = [["grade"], ["validate"], ["compare"], ["agree"], ["report"], ["check-report"],
            ["annex"], ["template"],
            ["moderate"],
            ["rounds"],
            ["actions"],
            ["sample"],
            ["escalations"],
            ["rubric", "check"],
            ["rubric", "show"], ["rubric", "diff"], ["rubric", "crosswalk"],
            ["profile", "init"], ["profile", "check"]]


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
    import os
    import subprocess
    import sys

    code = ("import atexit, sys; from hmic_audit.cli.start import main\n"
            "atexit.register(lambda: print(sorted(m for m in ('numpy', 'pandas', "
            "'openpyxl', 'python_calamine') if m in sys.modules)))\n"
            "sys.argv = ['hmic-audit', '--help']\nmain()")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=env)  # buffered: the handler's line still comes
    assert done.stdout.strip().splitlines()[-1] == "[]"


def _help(command: list[str], width: int) -> str:
    from typer.testing import CliRunner

    result = invoke(CliRunner(env={"COLUMNS": str(width), "NO_COLOR": "1"}), *command,
                    "--help")
    assert result.exit_code == 0
    return result.stdout


def _function(command: list[str]):
    import typer.main

    from hmic_audit.cli.app import app

    cmd = typer.main.get_command(app)
    for name in command:
        cmd = cmd.commands[name]  # type: ignore[attr-defined]
    return cmd


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_prose_reflows(command):
    """On a terminal wide enough, each paragraph of the help is one line: no line breaks
    in the middle of a sentence, wherever the docstring was wrapped."""
    from hmic_audit.cli.command import reflowed

    text = _help(command, 1000)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for paragraph in reflowed(_function(command).help).split("\n\n"):
        if paragraph.startswith(" "):
            continue  # examples, checked below
        assert " ".join(paragraph.split()) in lines, paragraph


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_examples_paste(command):
    """At 80 columns every example stands whole: a full command a line, a long one
    continued with a backslash; each parses as the command it names."""
    import shlex

    import typer.main

    from hmic_audit.cli.app import app

    text = _help(command, 80)
    examples, current = [], ""
    for line in text.splitlines():
        words = line.strip()
        if current:
            current += " " + words.rstrip("\\").strip()
        elif words.startswith("hmic-audit "):
            current = words.rstrip("\\").strip()
        else:
            continue
        if not words.endswith("\\"):
            examples.append(current)
            current = ""
    assert examples
    assert any(e.startswith(f"hmic-audit {' '.join(command)}") for e in examples)
    for example in examples:
        cmd, rest = typer.main.get_command(app), shlex.split(example)[1:]
        while hasattr(cmd, "commands"):
            cmd, rest = cmd.commands[rest[0]], rest[1:]
        cmd.make_context(example, rest)  # raises a usage error if the example is wrong


@pytest.mark.parametrize("command", [[], *COMMANDS], ids=lambda c: " ".join(c) or "top")
def test_help_shows_no_python_types_and_a_plain_usage_line(command):
    text = _help(command, 120)
    for noise in ("<bool>", "<path>", "<str>", "<list", "{", "}"):
        assert noise not in text
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    if command == ["annex"]:
        assert usage.strip().endswith("annex [OPTIONS] CASES...")
    if command == ["rubric", "show"]:
        assert usage.strip().endswith("show [OPTIONS] [RUBRIC]")
    if command == ["compare"]:
        assert usage.strip().endswith("compare [OPTIONS] FILE [INSPECTOR_FILE]")


def test_version_from_the_package_metadata(runner):
    from importlib.metadata import version

    result = invoke(runner, "--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"hmic-audit {version('hmic-audit')}"


LINES = [[], ["--help"], ["--help", "grade"], ["--version"], ["--version", "grade"],
         ["grdae"], ["grade", "--help"], ["grade"], ["compare", "--bogus", "x.xlsx"],
         ["rubric"], ["rubric", "--help"], ["rubric", "check", "--help"],
         ["profile", "init", "--help"], ["rubric", "shwo"], ["--", "grade"],
         ["--", "grade", "--help"], ["--", "grade", "x.xlsx"], ["--", "--help"]]


@pytest.mark.parametrize("argv", LINES, ids=lambda a: " ".join(a) or "nothing")
def test_the_command_line_gets_the_same_answer_from_only_what_it_reaches(argv):
    """``main`` builds the named command alone, or every command listed without its
    parameters: each says exactly what the whole application says."""
    from typer.testing import CliRunner

    from hmic_audit.cli.app import app, for_argv

    runner = CliRunner(env={"COLUMNS": "100"})
    whole, slim = runner.invoke(app, argv), runner.invoke(for_argv(argv), argv)
    assert (slim.exit_code, slim.stdout, slim.stderr) == (
        whole.exit_code, whole.stdout, whole.stderr)
    assert whole.stdout or whole.stderr


def test_the_list_of_commands_is_built_without_their_parameters():
    import typer.main

    from hmic_audit.cli.app import COMMANDS, for_argv

    listed = typer.main.get_command(for_argv(["--help"])).commands  # type: ignore[attr-defined]
    assert list(listed) == list(COMMANDS)
    assert all(c.params == [] for n, c in listed.items() if n not in ("rubric", "profile"))
    alone = typer.main.get_command(for_argv(["grade", "x.xlsx"])).commands  # type: ignore[attr-defined]
    assert list(alone) == ["grade"] and alone["grade"].params


def test_the_entry_point_starts_reading_before_it_imports_the_application():
    """The console script's module imports only the standard library, so the cases
    workbook starts loading before typer, pydantic and numpy are imported."""
    import subprocess
    import sys

    code = ("import sys; import hmic_audit.cli.start\n"
            "print(sorted(m for m in ('typer', 'rich', 'pydantic', 'numpy', 'pyarrow', "
            "'hmic_audit.cli.app') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_the_console_script_asks_numpy_for_one_blas_thread():
    """OpenBLAS's idle threads poll for a tenth of a second at start-up: the console
    script asks for one thread before numpy is imported - as few threads as when the
    user asks for one - unless the user has chosen a number."""
    import os
    import subprocess
    import sys

    sample = str(ROOT / "sample_cases" / "gmp-2014" / "cases.xlsx")
    code = ("import atexit, os, sys; from hmic_audit.cli.start import main\n"
            "atexit.register(lambda: print(os.environ.get('OPENBLAS_NUM_THREADS'), "
            "len(os.listdir('/proc/self/task')), 'numpy' in sys.modules))\n"
            f"sys.argv = ['hmic-audit', 'validate', {sample!r}, '-q']\nmain()")
    base = {k: v for k, v in os.environ.items()
            if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "GOTO_NUM_THREADS")}

    def run(**preset: str) -> tuple[str, int]:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={**base, **preset, "HMIC_AUDIT_ONE_PROCESS": "1"})
        variable, threads, numpy = done.stdout.strip().splitlines()[-1].split()
        assert numpy == "True"  # numpy was imported: its threads were started by then
        return variable, int(threads)

    variable, threads = run()
    assert (variable, threads) == run(OPENBLAS_NUM_THREADS="1")
    assert run(OPENBLAS_NUM_THREADS="2") == ("2", threads + 1)
    assert run(OMP_NUM_THREADS="2") == ("None", threads + 1)
