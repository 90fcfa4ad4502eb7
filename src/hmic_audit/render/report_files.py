"""Render a report context to its files: the report itself and ``*.figures.json``."""

from __future__ import annotations

from pathlib import Path

from ..report.context import ReportContext
from .formats import check_out


def figures_path(out: Path) -> Path:
    """``report.html`` -> ``report.figures.json`` beside it."""
    return out.with_name(f"{out.stem}.figures.json")


def figures_document(ctx: ReportContext, report_name: str) -> dict[str, object]:
    """Every figure the report shows, with its rule and the cases behind it."""
    return {
        "report": report_name,
        "rubric": {"name": ctx.rubric.name, "version": ctx.rubric.version,
                   "sha256": ctx.rubric.sha256},
        "inputs": [{"what": what, "sha256": digest} for what, digest in ctx.provenance],
        "figures": [f.model_dump(mode="json") for f in ctx.figures.all()],
    }


def render_outputs(ctx: ReportContext, out: Path, *,
                   templates: Path | None = None) -> dict[Path, bytes]:
    """Every file ``report --out`` writes, rendered in memory."""
    from .json import render_json
    from .report_markdown import markdown_for_file, render_report_markdown

    suffix = out.suffix.lower()
    check_out(out, "report")
    markdown = render_report_markdown(ctx, templates=templates)
    if suffix == ".md":
        data = markdown_for_file(markdown).encode("utf-8")
    elif suffix == ".html":
        from .report_html import render_report_html

        data = render_report_html(ctx, markdown, templates=templates).encode("utf-8")
    else:
        from .report_docx import render_report_docx

        data = render_report_docx(ctx, markdown)
    return {out: data,
            figures_path(out): render_json(figures_document(ctx, out.name)).encode("utf-8")}
