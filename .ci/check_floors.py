"""Check that every runtime dependency's floor in pyproject.toml equals its pin in
.ci/lowest-constraints.txt, so the floors CI tests cannot drift from the ones declared;
with --installed, that the running interpreter has every pinned package at its pin.

Standard library only (tomllib): it runs before any virtual environment exists.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / ".ci" / "lowest-constraints.txt"
NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


def normal_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def release(version: str) -> tuple[int, ...]:
    """A plain release number with trailing zeros dropped (2.6 == 2.6.0)."""
    if not re.fullmatch(r"\d+(\.\d+)*", version):
        raise ValueError(f"not a plain release number: {version!r}")
    parts = [int(p) for p in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def floors() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    found: dict[str, str] = {}
    for requirement in project["dependencies"]:
        spec = requirement.split(";", 1)[0]
        match = NAME.match(spec)
        if match is None:
            raise SystemExit(f"pyproject.toml: cannot read the requirement {requirement!r}")
        name, specifiers = match.groups()
        lows = [s.strip()[2:].strip() for s in specifiers.split(",") if s.strip().startswith(">=")]
        if len(lows) != 1:
            raise SystemExit(f"pyproject.toml: {requirement!r} needs exactly one '>=' floor")
        found[normal_name(name)] = lows[0]
    return found


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for number, line in enumerate(CONSTRAINTS.read_text("utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep or not name.strip() or not version.strip():
            raise SystemExit(f"{CONSTRAINTS.name}:{number}: expected 'name==version', got {line!r}")
        found[normal_name(name.strip())] = version.strip()
    return found


def installed() -> int:
    """With --installed: every pinned package is installed at its pin (run in the venv)."""
    from importlib.metadata import PackageNotFoundError, version

    problems = []
    for name, pin in sorted(pins().items()):
        try:
            have = version(name)
        except PackageNotFoundError:
            problems.append(f"{name}: not installed (pin {pin})")
            continue
        if release(have) != release(pin):
            problems.append(f"{name}: {have} installed, pin {pin}")
    for problem in problems:
        print(f"not at its floor: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(", ".join(f"{name}=={pin}" for name, pin in sorted(pins().items())))
    return 0


def main() -> int:
    if sys.argv[1:] == ["--installed"]:
        return installed()
    declared, pinned = floors(), pins()
    problems = []
    for name in sorted(declared.keys() | pinned.keys()):
        if name not in pinned:
            problems.append(f"{name}: floor {declared[name]} in pyproject.toml, no pin")
        elif name not in declared:
            problems.append(f"{name}: pinned to {pinned[name]} but not a runtime dependency")
        elif release(declared[name]) != release(pinned[name]):
            problems.append(f"{name}: floor {declared[name]} in pyproject.toml, "
                            f"pin {pinned[name]} in {CONSTRAINTS.name}")
    for problem in problems:
        print(f"floor mismatch: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"floors: the {len(declared)} runtime dependency floors match {CONSTRAINTS.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
