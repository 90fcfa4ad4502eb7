"""Render the report's Markdown from the Jinja templates.

One template set (``templates/report/*.md.j2``) feeds all three formats: the Markdown it
produces is converted to HTML and to Word. Output escaping is on: every value placed by
``{{ ... }}`` is escaped for Markdown unless it is a registered figure or a phrase the
report built from them, so text from the cases cannot add headings, links, images or
table breaks, and is never treated as template source. Authored narrative is Markdown by
design and passes through the ``markdown`` filter. Undefined names are errors.

``--templates DIR`` puts a folder of replacement templates in front of the shipped ones;
those are rendered in Jinja's sandbox.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from ..report.context import ReportContext, Table
from ..report.figures import Figure, Phrase
from .markdown import md_escape

CHART_SCHEME = "chart:"


def _finalize(value: object) -> str:
    if isinstance(value, Figure | Phrase):
        return str(value)
    if value is None:
        return ""
    return md_escape(value)


def _markdown(text: str) -> Phrase:
    """Authored Markdown: placed as written (trimmed)."""
    return Phrase(str(text).strip())


def _table(table: Table) -> Phrase:
    def cell(v: object) -> str:
        return str(v) if isinstance(v, Figure | Phrase) else md_escape(v)

    numeric = [any(isinstance(row[i], Figure) for row in table.rows)
               for i in range(len(table.headers))]
    lines = ["| " + " | ".join(md_escape(h) for h in table.headers) + " |",
             "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.rows]
    return Phrase("\n".join(lines))


def environment(templates: Path | None = None) -> Environment:
    """The Jinja environment: shipped templates, optionally behind a user's folder."""
    loader = PackageLoader("hmic_audit", "templates/report")
    cls: type[Environment] = Environment
    if templates is not None:
        loader = ChoiceLoader([FileSystemLoader(str(templates)), loader])  # type: ignore[assignment]
        cls = SandboxedEnvironment
    env = cls(loader=loader, undefined=StrictUndefined, finalize=_finalize,
              autoescape=False, trim_blocks=True, lstrip_blocks=True,
              keep_trailing_newline=True)
    env.filters["markdown"] = _markdown
    env.globals["table"] = _table
    return env


def render_report_markdown(ctx: ReportContext, *, templates: Path | None = None) -> str:
    """The report as Markdown, charts as ``![caption](chart:ID)`` placeholders."""
    env = environment(templates)

    def chart(chart_id: str) -> Phrase:
        return Phrase(f"![{md_escape(ctx.charts[chart_id])}]({CHART_SCHEME}{chart_id})")

    text = env.get_template("report.md.j2").render(
        ctx=ctx, c=ctx.context, f=ctx.findings, k=ctx.comparison, n=ctx.next_steps,
        chart=chart)
    # Collapse runs of blank lines left by optional blocks.
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"


def markdown_for_file(markdown: str) -> str:
    """The Markdown output file: chart placeholders become a note (charts are drawn in the
    HTML and Word versions)."""
    import re

    return re.sub(r"!\[([^\]]*)\]\(chart:[\w-]+\)",
                  r"*Chart: \1 (drawn in the HTML and Word versions).*", markdown)
