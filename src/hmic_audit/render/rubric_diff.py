"""What moved between two rubrics, for the terminal and as Markdown (``rubric diff``)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..rubric_diff import RubricDiff, RubricId
from ..text import md_escape, plural
from .fit import fit


def _name(rubric: RubricId) -> str:
    return f"{rubric.name} v{rubric.version}"


def headline(diff: RubricDiff) -> str:
    """One line: which rubrics, and how many changes."""
    sides = f"{_name(diff.old)} -> {_name(diff.new)}"
    if diff.same:
        return f"{sides}: no differences"
    return f"{sides}: {plural(len(diff.changes), 'change')}"


def rubric_diff_view(diff: RubricDiff) -> RenderableType:
    """The changes in a table per section of the rubric."""
    parts: list[RenderableType] = [Text(headline(diff), style="bold")]
    if diff.same:
        parts.append(Text("The two rubrics grade and read workbooks alike."))
    for title, changes in diff.by_section():
        table = Table(title=f"{title} ({len(changes)})", title_justify="left",
                      show_header=True)
        table.add_column("Change")
        table.add_column("What changed")
        for change in changes:
            table.add_row(change.kind, change.message)
        parts.append(Text(""))
        parts.append(fit(table))
    return Group(*parts)


def rubric_diff_markdown(diff: RubricDiff) -> str:
    """The changes as a Markdown document: a heading per section, a bullet per change."""
    lines = [f"# Rubric changes: {md_escape(_name(diff.old))} to "
             f"{md_escape(_name(diff.new))}", ""]
    if diff.same:
        lines += ["No differences: the two rubrics grade and read workbooks alike.", ""]
    else:
        lines += [f"{plural(len(diff.changes), 'change').capitalize()}.", ""]
    for title, changes in diff.by_section():
        lines += [f"## {md_escape(title)}", ""]
        lines += [f"- {md_escape(c.message)}" for c in changes]
        lines.append("")
    return "\n".join(lines)
