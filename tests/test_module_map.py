"""README's module map matches the package's folders and modules."""

from __future__ import annotations

import re

from .conftest import ROOT

PACKAGE = ROOT / "src" / "hmic_audit"
LISTED_BY_FILE = ("io", "workbook", "scoring", "analysis", "report")
"""Stages whose every module the map names (render's are described by kind)."""


def _map() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("| stage | folder | what lives there |")
    rows = {}
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        _, folder, what = (c.strip() for c in line.strip("|").split("|", 2))
        rows[folder.strip("`/")] = what
    return rows


def test_every_folder_is_a_stage_in_the_map():
    folders = {p.name for p in PACKAGE.iterdir()
               if p.is_dir() and (p / "__init__.py").exists()}
    assert set(_map()) == folders


def test_every_module_named_exists_and_every_module_is_named():
    for folder, what in _map().items():
        named = set(re.findall(r"`([\w/]+\.py)`", what))
        for name in named:
            assert (PACKAGE / folder / name).exists() or any(
                (PACKAGE / folder / sub / name).exists() for sub in ("rules",)), name
        if folder in LISTED_BY_FILE:
            modules = {p.name for p in (PACKAGE / folder).glob("*.py")
                       if p.name != "__init__.py"}
            assert modules <= named, f"{folder}/: {sorted(modules - named)} not in README"


def test_shared_modules_are_named():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    shared = text[text.index("Shared by every stage:"):]
    for module in PACKAGE.glob("*.py"):
        if module.name not in ("__init__.py", "__main__.py"):
            assert f"`{module.name}`" in shared, module.name
