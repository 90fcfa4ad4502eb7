"""Word features python-docx has no API for, built as WordprocessingML: fields (a table
of contents, caption numbers), footnotes, page size, and a picture's alternative text.

* :func:`toc` — a ``TOC \\o "1-2" \\h \\z \\u`` field whose shown result already lists
  the chapters (Word fills in page numbers when fields are updated, which the document
  asks for on opening);
* :func:`caption` — "Table 3: ..." in the Caption style, the number a ``SEQ`` field so
  Word renumbers captions as tables are added or moved;
* :class:`Footnotes` — a footnotes part with real Word footnotes (separator, numbered
  notes) and the references to them;
* :func:`a4` — A4 paper with the margins of a printed report.
"""

from __future__ import annotations

from typing import Any

from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import OxmlElement, parse_xml

A4_TWIPS = (11906, 16838)
"""A4 width and height in twentieths of a point, as Word stores them (210 x 297 mm)."""


def a4(document: Any) -> None:
    """Every section of the document on A4, with 25 mm side and 20 mm top and bottom
    margins."""
    from docx.shared import Mm, Twips

    for section in document.sections:
        # Word keeps page sizes in twips: A4 is 11906 x 16838
        section.page_width, section.page_height = (Twips(t) for t in A4_TWIPS)
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin = section.bottom_margin = Mm(20)


def _element(tag: str, children: list[Any] | None = None,
             attrs: dict[str, str] | None = None) -> Any:
    """A WordprocessingML element with attributes (``{"w:val": ...}``) and children."""
    element = OxmlElement(tag)
    for key, value in (attrs or {}).items():
        element.set(qn(key), value)
    for child in children or []:
        element.append(child)
    return element


def _field_char(run: Any, kind: str) -> None:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    run._r.append(element)


def _instruction(run: Any, code: str) -> None:
    element = OxmlElement("w:instrText")
    element.set(qn("xml:space"), "preserve")
    element.text = f" {code} "
    run._r.append(element)


def update_fields_on_open(document: Any) -> None:
    """Ask Word to update every field (contents, caption numbers) when it opens."""
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        element = OxmlElement("w:updateFields")
        element.set(qn("w:val"), "true")
        settings.append(element)


def toc(document: Any, entries: list[tuple[int, str]]) -> None:
    """A "Contents" heading and a table-of-contents field over heading levels 1-2, its
    shown result the ``entries`` (level, text) until Word updates it."""
    from docx.shared import Mm

    document.add_paragraph("Contents", style="TOC Heading")
    first = document.add_paragraph()
    _field_char(first.add_run(), "begin")
    _instruction(first.add_run(), 'TOC \\o "1-2" \\h \\z \\u')
    _field_char(first.add_run(), "separate")
    paragraph = first
    for n, (level, text) in enumerate(entries):
        if n:
            paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Mm(8 * (level - 1))
        paragraph.paragraph_format.space_after = Mm(1)
        paragraph.add_run(text)
    _field_char(paragraph.add_run(), "end")
    update_fields_on_open(document)


def caption(document: Any, kind: str, number: int, text: str) -> Any:
    """A caption paragraph: "Table 3: text", the number a SEQ field (its current value
    shown, so the text reads right before Word updates it)."""
    paragraph = document.add_paragraph(style="Caption")
    paragraph.add_run(f"{kind} ")
    _field_char(paragraph.add_run(), "begin")
    _instruction(paragraph.add_run(), f"SEQ {kind} \\* ARABIC")
    _field_char(paragraph.add_run(), "separate")
    paragraph.add_run(str(number))
    _field_char(paragraph.add_run(), "end")
    if text:
        paragraph.add_run(f": {text}")
    return paragraph


def alt_text(shape: Any, title: str, description: str) -> None:
    """A picture's alternative text (what a screen reader says, Word's Alt Text)."""
    properties = shape._inline.docPr
    properties.set("title", title)
    properties.set("descr", description)


class Footnotes:
    """The document's footnotes part: add notes, reference them from runs."""

    def __init__(self, document: Any) -> None:
        from docx.opc.constants import CONTENT_TYPE as CT
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import XmlPart

        self.root = parse_xml(
            f"<w:footnotes {nsdecls('w', 'r')}>"
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0"'
            ' w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p>'
            "</w:footnote>"
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing'
            ' w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r>'
            "<w:continuationSeparator/></w:r></w:p></w:footnote></w:footnotes>")
        part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, self.root,
                       document.part.package)
        document.part.relate_to(part, RT.FOOTNOTES)
        self._styles(document)

    @staticmethod
    def _styles(document: Any) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Pt

        names = {s.name for s in document.styles}
        if "Footnote Text" not in names:
            style = document.styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = document.styles["Normal"]
            style.font.size = Pt(9)
            style.paragraph_format.space_after = Pt(0)
        if "Footnote Reference" not in names:
            style = document.styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
            style.font.superscript = True

    @staticmethod
    def _reference_run(tag: str, attrs: dict[str, str] | None = None) -> Any:
        return _element("w:r", [_element("w:rPr", [
            _element("w:rStyle", attrs={"w:val": "FootnoteReference"})]),
            _element(tag, attrs=attrs)])

    def add(self, note_id: int, runs: list[tuple[str, bool, bool]]) -> None:
        """Footnote ``note_id`` (1, 2, ...) holding runs of (text, bold, italic)."""
        p = _element("w:p", [
            _element("w:pPr", [_element("w:pStyle", attrs={"w:val": "FootnoteText"})]),
            self._reference_run("w:footnoteRef")])
        for text, bold, italic in [(" ", False, False), *runs]:
            flags = [_element(flag) for flag, on in (("w:b", bold), ("w:i", italic)) if on]
            shown = _element("w:t", attrs={"xml:space": "preserve"})
            shown.text = text
            p.append(_element("w:r", ([_element("w:rPr", flags)] if flags else []) + [shown]))
        self.root.append(_element("w:footnote", [p], attrs={"w:id": str(note_id)}))

    def reference(self, paragraph: Any, note_id: int) -> None:
        """A reference to footnote ``note_id`` at the end of the paragraph so far."""
        paragraph._p.append(self._reference_run("w:footnoteReference",
                                                {"w:id": str(note_id)}))
