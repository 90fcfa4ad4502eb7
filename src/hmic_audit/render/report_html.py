"""The report as one self-contained HTML file.

The report's Markdown is converted with markdown-it (CommonMark plus tables) with raw
HTML switched off, so nothing in the text can become markup; link targets such as
``javascript:`` are refused by markdown-it. Chart placeholders become inline SVG with a
``<title>`` and ``<desc>`` (any other image is dropped, so the page makes no external
request); a caption paragraph before a table becomes the table's ``<caption>``; chapters
get anchors listed in a contents list; footnote references link to the numbered notes
at the end. The page shell is a Jinja template rendered with HTML autoescaping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from markupsafe import Markup

from ..report.context import ReportContext
from .report_markdown import CHART_SCHEME, caption_of, parser, split_notes
from .templates_env import report_environment


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _text(token: Any) -> str:
    """The plain text of an inline token (escapes resolved, markup dropped)."""
    return "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))


def markdown_to_html(markdown: str, charts: dict[str, str]
                     ) -> tuple[str, list[tuple[str, str]]]:
    """HTML for finished report Markdown, and the contents (anchor, chapter title);
    ``charts`` maps chart ids to SVG."""
    from markdown_it.token import Token

    body, notes = split_notes(markdown)
    md = parser()
    seen: set[int] = set()

    def image(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        token = tokens[idx]
        src = str(token.attrs.get("src", ""))
        if not src.startswith(CHART_SCHEME):
            return ""  # no external images
        chart_id = src[len(CHART_SCHEME):]
        caption = _escape(token.content)
        return (f'<figure class="chart" id="chart-{_escape(chart_id)}">{charts[chart_id]}'
                f"<figcaption>{caption}</figcaption></figure>")

    def note_ref(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        n = tokens[idx].meta["n"]
        anchor = "" if n in seen else f' id="note-ref-{n}"'
        seen.add(n)
        return f'<sup class="note-ref"><a href="#note-{n}"{anchor}>{n}</a></sup>'

    def caption(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
        return f"<caption>{_escape(tokens[idx].content)}</caption>\n"

    md.add_render_rule("image", image)
    md.add_render_rule("footnote_ref", note_ref)
    md.add_render_rule("table_caption", caption)
    tokens = md.parse(body)
    contents: list[tuple[str, str]] = []
    out: list[Any] = []
    i = 0
    while i < len(tokens):
        found = caption_of(tokens, i)
        if found:  # the caption paragraph moves inside the table that follows it
            kind, number, text = found
            cap = Token("table_caption", "caption", 0)
            cap.content = f"{kind} {number}" + (f": {text}" if text else "")
            out += [tokens[i + 3], cap]
            i += 4
            continue
        tok = tokens[i]
        if tok.type == "heading_open" and tok.tag == "h2":
            anchor = f"chapter-{len(contents) + 1}"
            tok.attrSet("id", anchor)
            contents.append((anchor, _text(tokens[i + 1])))
        out.append(tok)
        i += 1
    html = md.renderer.render(out, md.options, {})
    html = html.replace("<p><figure", "<figure").replace("</figure></p>", "</figure>")
    if notes:
        items = "".join(
            f'<li id="note-{n}">{md.renderInline(text)} '
            f'<a href="#note-ref-{n}" class="back" aria-label="Back to the text">↩</a></li>\n'
            for n, text in sorted(notes.items()))
        html += ('<section class="notes" aria-labelledby="notes">\n<h2 id="notes">Notes</h2>\n'
                 f"<ol>\n{items}</ol>\n</section>\n")
    return html, contents


Drawn = Mapping[str, str | bytes]
"""Charts drawn (chart id -> SVG), as ``draw_charts`` gives them."""


def render_report_html(ctx: ReportContext, markdown: str, *,
                       templates: Path | None = None,
                       charts: Drawn | Callable[[], Drawn | None] | None = None) -> str:
    """The whole page: shell template, contents, report body, inline SVG charts, notes.

    ``charts`` are the charts drawn already, or what gives them when called: the page
    is rendered first, with a slot where each chart goes, and asks for them only then
    (a child process draws them meanwhile: :func:`~.report_files.render_outputs`). A
    chart not given is drawn here (``draw_charts``)."""
    wanted = [cid for cid in ctx.charts if f"({CHART_SCHEME}{cid})" in markdown]
    # NOTE: no NUL comes out of markdown-it (it replaces each with U+FFFD), so text in
    # the body cannot be mistaken for a slot.
    slots = {cid: f"\0chart:{cid}\0" for cid in wanted}
    body, contents = markdown_to_html(markdown, slots)
    env = report_environment(templates, autoescape=True, undefined=StrictUndefined)
    cut = body.find("<h2")  # the contents list goes after the title, before chapter one
    head, body = (body[:cut], body[cut:]) if cut >= 0 else (body, "")
    page = env.get_template("page.html.j2").render(
        # The body comes from markdown-it with raw HTML disabled: every piece of text in it
        # is already escaped, so it is marked safe for the autoescaping shell template.
        title=f"{ctx.force}: child protection inspection", head=Markup(head),  # noqa: S704
        body=Markup(body), contents=contents)  # noqa: S704
    if slots:
        drawn = charts() if callable(charts) else charts
        if drawn is None or not set(wanted) <= set(drawn):
            from .charts import draw_charts

            drawn = draw_charts(wanted, ctx.chart_data, ctx.rubric, "svg")
        for cid, slot in slots.items():
            page = page.replace(slot, str(drawn[cid]))
    return page if page.endswith("\n") else page + "\n"
