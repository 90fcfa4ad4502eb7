"""A report draft read as text: its paragraphs and its tables, in document order.

``check-report`` compares a draft written or edited by people with the report the
cases give; this module only reads the draft. Markdown is parsed with markdown-it (raw
HTML off), HTML with the standard library's parser (nothing fetched, no script run:
``script``, ``style``, ``svg`` and ``head`` are skipped), Word with python-docx
(body paragraphs and tables; footnote marks are not in a paragraph's text).

Footnote marks (``[^3]`` in Markdown, ``<sup>`` in HTML) are left out of the text, so a
note's number is never read as a claim. Headings, list items and footnote texts are
paragraphs like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..problems import HmicAuditError, Problem

DRAFT_SUFFIXES = (".md", ".html", ".htm", ".docx")
MAX_DRAFT_BYTES = 50_000_000


@dataclass
class Draft:
    """A draft's text: paragraphs (numbered from 1 in document order) and tables (each a
    list of rows of cell texts, the header row first)."""

    paragraphs: list[str] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)


def clean(text: str) -> str:
    """Whitespace collapsed, curly quotes and dashes made plain, Markdown's backslash
    escapes undone: the same sentence reads the same in every format."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u2212", "-").replace("\u00a0", " ")
    text = text.replace("\u21a9", "")  # a footnote's link back to its mark
    return re.sub(r"\s+", " ", text).strip()


def read_draft(path: Path) -> Draft:
    """The draft's paragraphs and tables. Raises ``HmicAuditError`` (exit 2) naming the
    file when it is missing, of a format not read, or cannot be parsed."""
    suffix = path.suffix.lower()
    if suffix not in DRAFT_SUFFIXES:
        raise _unreadable(path, f"is a {suffix or 'file without a suffix'}; check-report "
                          "reads .md, .html and .docx drafts")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _unreadable(path, f"cannot be read ({exc.strerror or exc})") from None
    if size > MAX_DRAFT_BYTES:
        raise _unreadable(path, f"is larger than {MAX_DRAFT_BYTES // 1_000_000} MB")
    try:
        if suffix == ".docx":
            return _docx(path)
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _unreadable(path, "is not UTF-8 text: save it as UTF-8") from None
    except HmicAuditError:
        raise
    except Exception as exc:  # python-docx raises zip, XML and key errors alike
        kind = type(exc).__name__
        raise _unreadable(path, f"is not a Word document that can be read ({kind})"
                          ) from None
    return markdown_draft(text) if suffix == ".md" else html_draft(text)


def _unreadable(path: Path, message: str) -> HmicAuditError:
    return HmicAuditError(f"cannot read the draft {path.name}", [Problem(
        code="unreadable-draft", file=path.name, message=f"{path.name} {message}")])


_NOTE_DEF = re.compile(r"^\[\^[^\]\s]+\]:[ \t]*(.*)$", re.MULTILINE)
_NOTE_REF = re.compile(r"\[\^[^\]\s]+\]")


def markdown_draft(text: str) -> Draft:
    """A Markdown draft: footnote texts (``[^1]: ...``) become paragraphs at the end."""
    from markdown_it import MarkdownIt

    notes = [m.group(1) for m in _NOTE_DEF.finditer(text)]
    body = _NOTE_REF.sub("", _NOTE_DEF.sub("", text))
    tokens = MarkdownIt("commonmark", {"html": False}).enable("table").parse(body)
    draft = Draft()
    row: list[str] | None = None
    table: list[list[str]] | None = None
    for i, token in enumerate(tokens):
        if token.type == "table_open":
            table = []
            draft.tables.append(table)
        elif token.type == "table_close":
            table = None
        elif token.type == "tr_open":
            row = []
            if table is not None:
                table.append(row)
        elif token.type == "inline":
            content = clean(_inline_text(token))
            opener = tokens[i - 1].type if i else ""
            if opener in ("th_open", "td_open") and row is not None:
                row.append(content)
            elif content:
                draft.paragraphs.append(content)
    draft.paragraphs += [clean(n) for n in notes if clean(n)]
    return draft


def _inline_text(token: object) -> str:
    parts = []
    for child in getattr(token, "children", None) or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


class _Html(HTMLParser):
    """Text of block elements; cells of tables."""

    BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "dt",
                        "dd", "figcaption", "pre"})
    SKIP = frozenset({"script", "style", "svg", "head", "sup", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.draft = Draft()
        self.skip = 0
        self.text: list[str] | None = None
        self.stack: list[list[str] | None] = []
        self.row: list[str] | None = None
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
        elif self.skip:
            return
        elif tag == "table":
            self.tables.append([])
            self.draft.tables.append(self.tables[-1])
        elif tag == "tr" and self.tables:
            self.row = []
            self.tables[-1].append(self.row)
        elif tag in ("td", "th"):
            self.cell = []
        elif tag in self.BLOCKS:
            self._flush()
            self.stack.append(self.text)
            self.text = []
        elif tag == "br" and self.text is not None:
            self.text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif self.skip:
            return
        elif tag == "table" and self.tables:
            self.tables.pop()
        elif tag in ("td", "th") and self.cell is not None:
            if self.row is not None:
                self.row.append(clean("".join(self.cell)))
            self.cell = None
        elif tag in self.BLOCKS and self.stack:
            self._flush()
            self.text = self.stack.pop()

    def _flush(self) -> None:
        if self.text is not None and (content := clean("".join(self.text))):
            self.draft.paragraphs.append(content)
        if self.text is not None:
            self.text.clear()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.text is not None:
            self.text.append(data)


def html_draft(text: str) -> Draft:
    """An HTML draft: paragraphs, headings, list items and captions; table cells. The
    text of ``sup`` elements (footnote marks), scripts, styles and drawings is left out."""
    parser = _Html()
    parser.feed(text)
    parser.close()
    parser._flush()
    return parser.draft


def _docx(path: Path) -> Draft:
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    draft = Draft()
    # the body's paragraphs and tables in document order (iter_inner_content would do
    # this, but only from python-docx 1.1)
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            if content := clean(Paragraph(child, document).text):
                draft.paragraphs.append(content)
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            draft.tables.append([[clean(c.text) for c in row.cells] for row in table.rows])
    draft.paragraphs += _docx_notes(document)
    return draft


def _docx_notes(document: Any) -> list[str]:
    """The texts of a Word document's footnotes (its separators left out)."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import parse_xml  # docx.oxml has it only from python-docx 1.1

    out = []
    for part in document.part.package.iter_parts():
        if str(part.partname) != "/word/footnotes.xml":
            continue
        root = parse_xml(part.blob)
        for note in root.iter(qn("w:footnote")):
            if note.get(qn("w:type")) in ("separator", "continuationSeparator"):
                continue
            for p in note.iter(qn("w:p")):
                text = "".join(t.text or "" for t in p.iter(qn("w:t")))
                if content := clean(text):
                    out.append(content)
    return out
