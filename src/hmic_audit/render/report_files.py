"""Render a report context to its files: the report itself and its figures file; and a
template that fails, as a problem naming the template file and line.

The figures file is named after the whole report file name (``report.html`` ->
``report.html.figures.json``), so a report written as HTML and as Markdown to one folder
keeps two figures files, one for each, neither overwriting the other.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..problems import Problem
from .formats import check_out

if TYPE_CHECKING:  # imported by the caller
    from ..report.context import ReportContext
    from .chart_child import ChartChild

FIGURES_SUFFIX = ".figures.json"


def figures_path(out: Path) -> Path:
    """``report.html`` -> ``report.html.figures.json`` beside it."""
    return out.with_name(f"{out.name}{FIGURES_SUFFIX}")


def figures_document(ctx: ReportContext, report_name: str) -> dict[str, object]:
    """Every figure the report shows, with its rule and the cases behind it."""
    return {
        "report": report_name,
        "rubric": {"name": ctx.rubric.name, "version": ctx.rubric.version,
                   "sha256": ctx.rubric.sha256},
        "inputs": [{"what": what, "sha256": digest} for what, digest in ctx.provenance],
        "figures": [f.model_dump(mode="json") for f in ctx.figures.all()],
    }


def render_outputs(ctx: ReportContext, out: Path, *, templates: Path | None = None,
                   charts: ChartChild | None = None) -> dict[Path, bytes]:
    """Every file ``report --out`` writes, rendered in memory. The charts are drawn by
    ``charts`` (:class:`ChartChild`; any not handed over yet are handed over here) while
    the text is rendered here; an HTML page asks for them once the page is rendered, a
    Word document before it is built; any the child did not draw are drawn here."""
    from .json import json_bytes
    from .report_markdown import markdown_for_file, render_report_markdown

    suffix = out.suffix.lower()
    check_out(out, "report")
    if charts is not None:
        charts.hand(ctx.charts, ctx.chart_data, ctx.rubric)
    markdown = render_report_markdown(ctx, templates=templates)
    figures = json_bytes(figures_document(ctx, out.name))

    def drawn() -> dict[str, str | bytes] | None:
        return charts.drawn() if charts is not None else None

    if suffix == ".md":
        data = markdown_for_file(markdown).encode("utf-8")
    elif suffix == ".html":
        from .report_html import render_report_html

        data = render_report_html(ctx, markdown, templates=templates,
                                  charts=drawn).encode("utf-8")
    else:
        from .report_docx import render_report_docx

        data = render_report_docx(ctx, markdown, charts=drawn())
    return {out: data, figures_path(out): figures}


def shipped_templates() -> Path:
    """The folder of the shipped report templates."""
    return Path(__file__).resolve().parents[1] / "templates" / "report"


def template_problem(exc: BaseException, templates: Path | None) -> Problem:
    """A template that failed to compile or render (a Jinja error, or any error raised
    while a template of ``templates`` ran), as a problem naming the template — relative
    to its folder, with "shipped template" for one of ours — and its line."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    filename, line = _where(exc, templates)
    if isinstance(exc, TemplateSyntaxError):
        filename, line = exc.filename or exc.name or filename, exc.lineno
        what = f"is not a valid template: {exc.message}"
    elif isinstance(exc, TemplateNotFound):
        where = (f"is neither in {templates} nor among" if templates is not None
                 else "is not among")
        what = f"includes {exc.name!r}, which {where} the shipped templates"
    elif isinstance(exc, UndefinedError):
        what = _undefined(exc.message or str(exc))
    elif isinstance(exc, SecurityError):
        what = f"does something the template sandbox refuses: {exc.message or exc}"
    else:
        what = f"could not be rendered: {type(exc).__name__}: {exc}"
    return Problem(code="template-error", file=_shown(filename, templates), row=line,
                   message=what)


def _where(exc: BaseException, templates: Path | None) -> tuple[str | None, int | None]:
    """The innermost template frame of the traceback (Jinja rewrites a render error's
    traceback so that each template frame carries the template's file and line)."""
    roots = [shipped_templates(), *([templates.resolve()] if templates else [])]
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2") or any(_inside(name, root) for root in roots):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _inside(name: str, root: Path) -> bool:
    try:
        Path(name).resolve().relative_to(root)
    except (ValueError, OSError):
        return False
    return True


def _shown(filename: str | None, templates: Path | None) -> str | None:
    """A template's name as a person looks for it: ``chapters/theme.md.j2`` in the
    ``--templates`` folder, or ``shipped template chapters/theme.md.j2``."""
    if filename is None:
        return None
    path = Path(filename)
    if templates is not None and _inside(filename, templates.resolve()):
        return str(Path(templates.name) / path.resolve().relative_to(templates.resolve()))
    if _inside(filename, shipped_templates()):
        shipped = path.resolve().relative_to(shipped_templates())
        return f"shipped template {shipped.as_posix()}"
    return path.name


_NO_ATTRIBUTE = re.compile(r"^'(?:[\w.]+\.)?(\w+)(?: object)?' has no attribute '([^']*)'$")


def _undefined(message: str) -> str:
    """Jinja's undefined-name message in words: what is missing, and where the names a
    template receives are listed."""
    see = "; docs/templates.md lists what a template receives"
    found = _NO_ATTRIBUTE.match(message)
    if found:
        holder, name = found.groups()
        holder = {"dict": "this mapping", "NoneType": "an absent value"}.get(holder, holder)
        return f"uses {name!r}, which {holder} does not have{see}"
    undefined = re.match(r"^'([^']*)' is undefined$", message)
    if undefined:
        return f"uses {undefined.group(1)!r}, which templates are not given{see}"
    return f"could not be rendered: {message}{see}"
