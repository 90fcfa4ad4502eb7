"""The report as one self-contained HTML file.

The report's Markdown is converted with markdown-it (CommonMark plus tables) with raw
HTML switched off, so nothing in the text can become markup; link targets such as
``javascript:`` are refused by markdown-it. Chart placeholders become inline SVG; any
other image is dropped, so the page makes no external request. The page shell is a Jinja
template rendered with HTML autoescaping.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..report.context import ReportContext
from .report_markdown import CHART_SCHEME


def markdown_to_html(markdown: str, charts: dict[str, str]) -> str:
    """HTML for report Markdown; ``charts`` maps chart ids to SVG."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")

    def image(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        token = tokens[idx]
        src = str(token.attrs.get("src", ""))
        if not src.startswith(CHART_SCHEME):
            return ""  # no external images
        chart_id = src[len(CHART_SCHEME):]
        caption = _escape(token.content)
        return (f'<figure class="chart" id="chart-{_escape(chart_id)}">{charts[chart_id]}'
                f"<figcaption>{caption}</figcaption></figure>")

    md.add_render_rule("image", image)
    html = md.render(markdown)
    return html.replace("<p><figure", "<figure").replace("</figure></p>", "</figure>")


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def render_report_html(ctx: ReportContext, markdown: str, *,
                       templates: Path | None = None) -> str:
    """The whole page: shell template, report body, inline SVG charts."""
    from .charts import draw, svg

    charts = {cid: svg(draw(cid, ctx.chart_data, ctx.rubric)) for cid in ctx.charts}
    body = markdown_to_html(markdown, charts)
    loader = PackageLoader("hmic_audit", "templates/report")
    cls: type[Environment] = Environment
    if templates is not None:
        loader = ChoiceLoader([FileSystemLoader(str(templates)), loader])  # type: ignore[assignment]
        cls = SandboxedEnvironment
    env = cls(loader=loader, autoescape=True, undefined=StrictUndefined)
    page = env.get_template("page.html.j2").render(
        # The body comes from markdown-it with raw HTML disabled: every piece of text in it
        # is already escaped, so it is marked safe for the autoescaping shell template.
        title=f"{ctx.force}: child protection inspection", body=Markup(body))  # noqa: S704
    return page if page.endswith("\n") else page + "\n"
