"""The report as a Word document (python-docx), for teams who edit in Word.

Built from the same finished Markdown as the other formats, walked as markdown-it
tokens: A4 pages; the title, then a table of contents (a Word field, filled in when Word
updates fields on opening); real Word headings (Heading 1 for the numbered chapters and
annexes, Heading 2 below them); paragraphs with bold and italic runs; bulleted lists;
tables with a header row repeated on each page, each under a "Table N" caption; charts
as PNG pictures with alternative text, each over a "Figure N" caption (caption numbers
are ``SEQ`` fields); quotations for recommendations; and real footnotes. The file is
made byte-for-byte stable: fixed document properties and fixed timestamps inside the
zip container.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from typing import Any

from ..report.context import ReportContext
from .report_markdown import CHART_SCHEME, caption_of, parser, split_notes

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def stable_zip(data: bytes) -> bytes:
    """The same zip with every entry's timestamp fixed, entries in the same order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _runs(children: list[Any]) -> list[tuple[str, bool, bool]]:
    """Inline tokens as (text, bold, italic) runs (footnote text)."""
    runs, bold, italic = [], False, False
    for tok in children:
        if tok.type in ("text", "code_inline"):
            runs.append((tok.content, bold, italic))
        elif tok.type in ("strong_open", "strong_close"):
            bold = tok.type == "strong_open"
        elif tok.type in ("em_open", "em_close"):
            italic = tok.type == "em_open"
        elif tok.type in ("softbreak", "hardbreak"):
            runs.append((" ", bold, italic))
    return runs


def _text(token: Any) -> str:
    """The plain text of an inline token."""
    return "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))


class _Writer:
    """Walks the report's tokens into a python-docx document."""

    def __init__(self, doc: Any, ctx: ReportContext, notes: dict[int, str],
                 charts: Mapping[str, str | bytes]) -> None:
        from .docx_fields import Footnotes

        self.doc, self.ctx, self.charts = doc, ctx, charts
        self.footnotes: Footnotes | None = None
        if notes:
            md, self.footnotes = parser(), Footnotes(doc)
            for n, text in sorted(notes.items()):
                self.footnotes.add(n, _runs(md.parseInline(text)[0].children or []))

    def inline(self, paragraph: Any, children: list[Any]) -> None:
        """Add runs for inline tokens: text, bold, italic, code, breaks, footnotes."""
        bold = italic = False
        for tok in children:
            if tok.type in ("text", "code_inline"):
                run = paragraph.add_run(tok.content)
                run.bold, run.italic = bold or None, italic or None
                if tok.type == "code_inline":
                    run.font.name = "Consolas"
            elif tok.type in ("strong_open", "strong_close"):
                bold = tok.type == "strong_open"
            elif tok.type in ("em_open", "em_close"):
                italic = tok.type == "em_open"
            elif tok.type == "softbreak":
                paragraph.add_run(" ")
            elif tok.type == "hardbreak":
                paragraph.add_run().add_break()
            elif tok.type == "footnote_ref" and self.footnotes is not None:
                self.footnotes.reference(paragraph, tok.meta["n"])

    def picture(self, token: Any) -> None:
        """A chart in its own paragraph, alternative text set, a Figure caption under it."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm

        from .charts import describe, draw_charts
        from .docx_fields import alt_text, caption

        chart_id = str(token.attrs.get("src", ""))[len(CHART_SCHEME):]
        picture = self.charts.get(chart_id)
        if not isinstance(picture, bytes):  # a chart written in another form: draw it
            picture = draw_charts([chart_id], self.ctx.chart_data, self.ctx.rubric, "png"
                                  )[chart_id]
            assert isinstance(picture, bytes)  # noqa: S101 - drawn as PNG
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        shape = paragraph.add_run().add_picture(io.BytesIO(picture), width=Cm(15.5))
        alt_text(shape, *describe(chart_id, self.ctx.chart_data, self.ctx.rubric))
        head, _, text = token.content.partition(": ")
        number = head.rpartition(" ")[2]
        caption(self.doc, "Figure", int(number) if number.isdigit() else 0, text)

    def table(self, rows: list[list[tuple[list[Any], str | None]]]) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.oxml.parser import OxmlElement

        table = self.doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        table.style = "Table Grid"
        header = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")  # the header row again on every page
        repeat.set(qn("w:val"), "true")
        header.append(repeat)
        for i, row in enumerate(rows):
            for j, (children, align) in enumerate(row):
                paragraph = table.cell(i, j).paragraphs[0]
                self.inline(paragraph, children)
                if i == 0:
                    for run in paragraph.runs:
                        run.bold = True
                if align == "right":
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.doc.add_paragraph()

    def write(self, tokens: list[Any]) -> None:
        from .docx_fields import caption

        list_depth = quote_depth = 0
        table_rows: list[list[tuple[list[Any], str | None]]] | None = None
        contents = [(int(t.tag[1]) - 1, _text(tokens[i + 1])) for i, t in enumerate(tokens)
                    if t.type == "heading_open" and t.tag in ("h2", "h3")]
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            found = caption_of(tokens, i)
            if found:
                paragraph = caption(self.doc, *found)
                paragraph.paragraph_format.keep_with_next = True
                i += 3
                continue
            if tok.type == "heading_open":
                level = int(tok.tag[1])
                heading = self.doc.add_heading(level=0 if level == 1 else level - 1)
                self.inline(heading, tokens[i + 1].children or [])
                if level == 1 and contents:
                    self._after_title(tokens, i + 3, contents)
                    i = self._skip_to_heading(tokens, i + 3)
                    continue
                i += 3
                continue
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                list_depth += 1
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                list_depth -= 1
            elif tok.type == "blockquote_open":
                quote_depth += 1
            elif tok.type == "blockquote_close":
                quote_depth -= 1
            elif tok.type == "table_open":
                table_rows = []
            elif tok.type == "tr_open" and table_rows is not None:
                table_rows.append([])
            elif tok.type in ("th_open", "td_open") and table_rows is not None:
                style = str(tok.attrs.get("style", ""))
                table_rows[-1].append((tokens[i + 1].children or [],
                                       "right" if "right" in style else None))
            elif tok.type == "table_close" and table_rows is not None:
                self.table(table_rows)
                table_rows = None
            elif tok.type == "inline" and table_rows is None:
                self._paragraph(tok, list_depth, quote_depth)
            elif tok.type == "hr":
                self.doc.add_page_break()
            i += 1

    def _paragraph(self, tok: Any, list_depth: int, quote_depth: int) -> None:
        children = tok.children or []
        images = [c for c in children if c.type == "image"
                  and str(c.attrs.get("src", "")).startswith(CHART_SCHEME)]
        if images and all(c.type == "image" or not c.content.strip() for c in children):
            for image in images:
                self.picture(image)
            return
        paragraph = self.doc.add_paragraph(
            style="List Bullet" if list_depth else "Quote" if quote_depth else None)
        self.inline(paragraph, [c for c in children if c.type != "image"])

    def _after_title(self, tokens: list[Any], start: int,
                     contents: list[tuple[int, str]]) -> None:
        """The paragraphs under the title, then the contents field."""
        from .docx_fields import toc

        i = start
        while i < len(tokens) and tokens[i].type != "heading_open":
            if tokens[i].type == "inline":
                self._paragraph(tokens[i], 0, 0)
            i += 1
        toc(self.doc, contents)

    @staticmethod
    def _skip_to_heading(tokens: list[Any], start: int) -> int:
        i = start
        while i < len(tokens) and tokens[i].type != "heading_open":
            i += 1
        return i


def render_report_docx(ctx: ReportContext, markdown: str, *,
                       charts: Mapping[str, str | bytes] | None = None) -> bytes:
    """The report as .docx bytes; its charts as PNG, drawn here unless ``charts`` has
    them already (``draw_charts``)."""
    from docx import Document

    from .charts import draw_charts
    from .docx_fields import a4

    body, notes = split_notes(markdown)
    tokens = parser().parse(body)
    doc = Document()
    a4(doc)
    props = doc.core_properties
    # Without a force profile there is no publication date: a fixed stamp keeps the
    # bytes the same from run to run.
    day = ctx.profile.publication_date if ctx.profile else dt.date(2000, 1, 1)
    stamp = dt.datetime.combine(day, dt.time())
    props.title = f"{ctx.force}: child protection inspection"
    props.author = props.last_modified_by = "hmic-audit"
    props.created = props.modified = stamp
    props.revision = 1
    props.comments = ""
    props.language = "en-GB"
    wanted = [cid for cid in ctx.charts if f"({CHART_SCHEME}{cid})" in markdown]
    if charts is None or not set(wanted) <= set(charts):
        charts = draw_charts(wanted, ctx.chart_data, ctx.rubric, "png")
    _Writer(doc, ctx, notes, charts).write(tokens)
    buffer = io.BytesIO()
    doc.save(buffer)
    return stable_zip(buffer.getvalue())
