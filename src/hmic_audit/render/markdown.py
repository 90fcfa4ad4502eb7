"""Markdown rendering: tables and headings, with user text escaped so it cannot add
markup (headings, links, table breaks)."""

from __future__ import annotations

from ..text import md_escape

__all__ = ["md_escape", "md_table"]


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
