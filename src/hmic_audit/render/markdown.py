"""Markdown rendering: tables and headings, with user text escaped so it cannot add
markup (headings, links, table breaks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..text import md_escape

__all__ = ["md_escape", "md_table"]

if TYPE_CHECKING:
    from ..analysis.compare import Comparison
    from ..rubric import Rubric



def md_table(headers: list[str], rows: list[list[object]]) -> str:
    """A GitHub-flavoured Markdown table; numbers right-aligned."""
    def cell(v: object) -> str:
        if isinstance(v, float):
            return f"{v:.2e}" if v and abs(v) < 0.001 else f"{v:.3f}"
        return md_escape(v)

    numeric = [all(isinstance(r[i], int | float) and not isinstance(r[i], bool)
                   for r in rows if i < len(r) and r[i] not in (None, ""))
               and any(i < len(r) and r[i] not in (None, "") for r in rows)
               for i in range(len(headers))]
    lines = ["| " + " | ".join(md_escape(h) for h in headers) + " |",
             "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def render_comparison_markdown(comparison: Comparison, rubric: Rubric) -> str:
    """The comparison as a Markdown document: a heading and every table."""
    from .compare_tables import comparison_tables

    c = comparison
    files = ", ".join(md_escape(i.file) for i in c.inputs)
    parts = ["# Self-assessment compared with inspection\n",
             f"Input: {files}. Rubric {md_escape(c.rubric.name)} v{md_escape(c.rubric.version)}; "
             f"{c.use} grades compared; judgements {c.threshold} or more levels apart count "
             "as significantly different.\n",
             f"{md_escape(c.direction.sentence)}\n"]
    for t in comparison_tables(c, rubric):
        parts.append(f"## {md_escape(t.title)}\n")
        parts.append(md_table(t.headers, t.rows))
        if t.note:
            parts.append(f"\n_{md_escape(t.note)}_\n")
    return "\n".join(parts)
