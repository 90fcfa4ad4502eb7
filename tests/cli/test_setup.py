"""The README's set-up commands: the PowerShell line of each job performs the same steps
as the POSIX line (.ci/run runs the POSIX ones)."""

from __future__ import annotations

import re
import shlex

from ..conftest import ROOT


def _setup_blocks() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Set-up"):]
    section = section[:section.index("\n## ", 1)]
    return re.findall(r"```(sh|powershell)\n(.*?)\n```", section, re.S)


def _steps(command: str, separator: str, windows: bool) -> list[tuple[str, ...]]:
    """Each step of a one-line command in a form both shells share."""
    steps = []
    for part in command.split(separator):
        words = shlex.split(part.replace("\\", "/") if windows else part)
        match words:
            case ["python3" | "py", "-m", "venv", folder]:
                steps.append(("venv", folder))
            case [".", activate] | [activate] if "activate" in activate.lower():
                folder, _, script = activate.partition("/")
                assert script in ("bin/activate", "Scripts/Activate.ps1"), activate
                steps.append(("activate", folder))
            case ["pip", "install", *targets]:
                steps.append(("pip install", *targets))
            case ["hmic-audit" | "pytest", *args]:
                steps.append((words[0], *args))
            case _:
                raise AssertionError(f"unexpected step {part!r}")
    return steps


def test_two_setup_commands_per_platform():
    assert [lang for lang, _ in _setup_blocks()] == ["sh", "powershell", "sh", "powershell"]
    for _, block in _setup_blocks():
        assert "\n" not in block.strip()  # one command a block


def test_powershell_lines_do_what_the_posix_lines_do():
    blocks = _setup_blocks()
    for (_, posix), (_, windows) in zip(blocks[::2], blocks[1::2], strict=True):
        ps_steps = _steps(windows, ";", windows=True)
        assert _steps(posix, "&&", windows=False) == ps_steps
        assert [s[0] for s in ps_steps[:3]] == ["venv", "activate", "pip install"]
    main_job, suite = (_steps(b, "&&", windows=False) for _, b in blocks[::2])
    assert main_job[-1][:2] == ("hmic-audit", "grade")
    assert (ROOT / main_job[-1][2]).exists()
    assert main_job[2] == ("pip install", ".") and suite[2] == ("pip install", ".[test]")
    assert suite[-1] == ("pytest",)
