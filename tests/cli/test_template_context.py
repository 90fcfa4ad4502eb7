"""docs/templates.md lists exactly what the report templates receive.

The names are taken from a real run (the sample with its full force profile, rendered as
Markdown and as HTML): every keyword a template is rendered with, and below it every
field of a context object and every key of a context mapping, down to the values a
template places (figures, phrases, tables, text). The page must name each of them, and
nothing else, in the first column of its tables, under the heading of the template that
receives it.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import jinja2
import pytest

from ..conftest import ROOT, SAMPLE
from .test_report import FORCE

DOC = ROOT / "docs" / "templates.md"

OPAQUE = {"ctx.profile", "ctx.rubric", "ctx.figures", "ctx.charts", "ctx.chart_data"}
"""Names documented as a whole: their inside is a model documented elsewhere (the
profile, the rubric), data keyed by data (chart ids), or the renderer's own."""


def _names(value: object, name: str, found: set[str], aliases: dict[int, str]) -> None:
    """Record ``name`` and what lies below it: a context object's fields under its type's
    name (``ThemeSection.label``: the same for every theme), a mapping's keys under its
    own name (``c.staff``); a value also given to the template under a short name of its
    own (``c`` for ``ctx.context``) is documented under that name."""
    from pydantic import BaseModel

    from hmic_audit.report.figures import Figure, Phrase
    from hmic_audit.report.tables import Table

    found.add(name)
    if name in OPAQUE or isinstance(value, Figure | Phrase | Table | BaseModel | str):
        return
    if aliases.get(id(value), name) != name:
        return  # documented under its short name
    if isinstance(value, list | tuple):
        for item in value:
            if dataclasses.is_dataclass(item) or isinstance(item, dict):
                _names(item, f"{name}[]", found, aliases)
        found.discard(f"{name}[]") if any(dataclasses.is_dataclass(i) for i in value) \
            else None
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        owner = name if "." not in name and "[" not in name else type(value).__name__
        for f in dataclasses.fields(value):
            _names(getattr(value, f.name), f"{owner}.{f.name}", found, aliases)
    elif isinstance(value, dict):
        for key, item in value.items():
            _names(item, f"{name}.{key}", found, aliases)


@pytest.fixture(scope="module")
def received(tmp_path_factory) -> dict[str, set[str]]:
    """Template file -> every name it receives, from a real run."""
    from typer.testing import CliRunner

    from ..conftest import invoke

    seen: dict[str, set[str]] = {}
    real = jinja2.Template.render

    def spy(self, *args, **kwargs):
        names = seen.setdefault(Path(self.filename or self.name or "").name, set())
        given = dict(*args, **kwargs)
        aliases = {id(v): k for k, v in given.items() if isinstance(v, dict | list)}
        for key, value in given.items():
            _names(value, key, names, aliases)
        return real(self, *args, **kwargs)

    folder = tmp_path_factory.mktemp("doc")
    jinja2.Template.render = spy  # type: ignore[method-assign]
    try:
        for suffix in ("md", "html"):
            result = invoke(CliRunner(), "report", SAMPLE, "--force", FORCE,
                            "--out", folder / f"r.{suffix}")
            assert result.exit_code == 0, result.stderr
    finally:
        jinja2.Template.render = real  # type: ignore[method-assign]
    return seen


def documented() -> dict[str, set[str]]:
    """Template file -> the names in the first column of the page's tables under it."""
    found: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            heading = re.match(r"^## .*`([\w.]+\.j2)`", line)
            current = found.setdefault(heading.group(1), set()) if heading else None
        elif current is not None and line.startswith("| `"):
            current.update(re.findall(r"`([^`]+)`", line.split("|")[1]))
    return found


def test_every_name_a_template_receives_is_documented(received):
    doc = documented()
    for template in ("report.md.j2", "page.html.j2"):
        missing = sorted(received[template] - doc.get(template, set()))
        extra = sorted(doc.get(template, set()) - received[template])
        assert (missing, extra) == ([], []), (
            f"docs/templates.md, section {template}: add {missing}, remove {extra}")


def test_the_filters_and_the_sandbox_are_documented():
    from hmic_audit.render.report_markdown import environment

    text = DOC.read_text(encoding="utf-8")
    filters = text[text.index("## Filters"):]
    own = set(environment().filters) - set(jinja2.defaults.DEFAULT_FILTERS)
    assert own and set(re.findall(r"^\| `(\w+)` \|", filters, flags=re.M)) == own
    assert "sandbox" in text and "--templates" in text
