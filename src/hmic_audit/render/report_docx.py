"""The report as a Word document (python-docx), for teams who edit in Word.

Built from the same Markdown as the other formats, walked as markdown-it tokens: real
Word headings (Heading 1-3), paragraphs with bold and italic runs, bulleted lists,
tables with a header row, quotations for recommendations, and charts as PNG pictures.
The file is made byte-for-byte stable: fixed document properties and fixed timestamps
inside the zip container.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from ..report.context import ReportContext
from .report_markdown import CHART_SCHEME

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


def _inline(paragraph: Any, children: list[Any], pictures: dict[str, bytes]) -> None:
    """Add runs for inline tokens: text, bold, italic, code, line breaks, charts."""
    from docx.shared import Cm

    bold = italic = False
    for tok in children:
        if tok.type == "text" or tok.type == "code_inline":
            run = paragraph.add_run(tok.content)
            run.bold, run.italic = bold or None, italic or None
            if tok.type == "code_inline":
                run.font.name = "Consolas"
        elif tok.type == "strong_open":
            bold = True
        elif tok.type == "strong_close":
            bold = False
        elif tok.type == "em_open":
            italic = True
        elif tok.type == "em_close":
            italic = False
        elif tok.type == "softbreak":
            paragraph.add_run(" ")
        elif tok.type == "hardbreak":
            paragraph.add_run().add_break()
        elif tok.type == "image":
            src = str(tok.attrs.get("src", ""))
            if src.startswith(CHART_SCHEME):
                run = paragraph.add_run()
                run.add_picture(io.BytesIO(pictures[src[len(CHART_SCHEME):]]), width=Cm(16))
                paragraph.add_run().add_break()
                caption = paragraph.add_run(tok.content)
                caption.italic = True


def _table(doc: Any, rows: list[list[tuple[list[Any], str | None]]],
           pictures: dict[str, bytes]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    table.style = "Table Grid"
    for i, row in enumerate(rows):
        for j, (children, align) in enumerate(row):
            cell = table.cell(i, j)
            paragraph = cell.paragraphs[0]
            _inline(paragraph, children, pictures)
            if i == 0:
                for run in paragraph.runs:
                    run.bold = True
            if align == "right":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()


def render_report_docx(ctx: ReportContext, markdown: str) -> bytes:
    """The report as .docx bytes."""
    from docx import Document
    from markdown_it import MarkdownIt

    from .charts import draw, png

    pictures = {cid: png(draw(cid, ctx.chart_data, ctx.rubric)) for cid in ctx.charts}
    tokens = MarkdownIt("commonmark", {"html": False}).enable("table").parse(markdown)
    doc = Document()
    props = doc.core_properties
    stamp = dt.datetime.combine(ctx.profile.publication_date, dt.time())
    props.title = f"{ctx.force}: child protection inspection"
    props.author = props.last_modified_by = "hmic-audit"
    props.created = props.modified = stamp
    props.revision = 1
    props.comments = ""
    list_depth = quote_depth = 0
    table_rows: list[list[tuple[list[Any], str | None]]] | None = None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            doc.add_heading(tokens[i + 1].content, level=0 if level == 1 else level - 1)
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
            align = "right" if "right" in style else None
            table_rows[-1].append((tokens[i + 1].children or [], align))
        elif tok.type == "table_close" and table_rows is not None:
            _table(doc, table_rows, pictures)
            table_rows = None
        elif tok.type == "inline" and table_rows is None:
            paragraph = doc.add_paragraph(
                style="List Bullet" if list_depth else "Quote" if quote_depth else None)
            _inline(paragraph, tok.children or [], pictures)
        elif tok.type == "hr":
            doc.add_page_break()
        i += 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return stable_zip(buffer.getvalue())
