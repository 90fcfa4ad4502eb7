"""Build the small workbooks in ``tests/data/formats/``: one cases table saved as .xls,
.ods and .xlsb, as a real user's file would be (title rows above the header), a copy
with one bad grade, and a copy with the features the pre-flights report (a merged range
in the data, an error value, formulas with saved values, a link to another workbook).

Run ``python tests/data/formats/make_formats.py``; the files are committed, so the tests
need none of the writers:

* ``.xls`` is written with xlwt (``pip install xlwt``, a test-time tool only);
* ``.ods`` and ``.xlsb`` are written here by hand: the ODS as LibreOffice lays it out
  (a million empty rows and 16,384 empty columns written as repeats), the XLSB as the
  records of [MS-XLSB] that the reader reads (no Python package writes .xlsb);
* ``cases-libreoffice.ods`` is the .xlsx converted by LibreOffice itself, when
  ``soffice`` is installed (its metadata carries the time it was made, so it is made
  only when missing).

The tests import this module for its writers (``ods_bytes``, ``xlsb_bytes``), to build
the odd and hostile variants they need.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).resolve().parent
EPOCH = (1980, 1, 1, 0, 0, 0)

HEADERS = ["Case ref", "Sample", "Case type", "Area", "Assessor", "Audit date", "Grade",
           "ic_prompt_response", "ic_immediate_safety", "ic_child_seen", "ah_risk_assessed",
           "ah_referral_made", "dm_supervisor_review"]
ROWS = [
    ["C-1", "self-assessed", "domestic abuse", "Bolton", "force", "2014-06-03", "Good",
     "yes", "yes", "yes", "yes", "yes", "yes"],
    ["C-1", "self-assessed", "Domestic abuse", "Bolton", "inspector", "2014-07-03",
     "adequate", "yes", "yes", "partly", "yes", "no", "yes"],
    ["C-2", "inspector-selected", "s47", "Wigan", "inspector", "2014-07-04", "inadequate",
     "no", "no", "no", "no", "no", "no"],
]
TITLE = "Child protection case audit - Greater Manchester"
HEADER_ROW = 3
"""Row 1 holds the title, row 2 is blank, the header is row 3 and the audits rows 4-6."""
BAD_CELL = (5, 7)
"""(row, column) given the grade "Goodish" in the bad copy: G5."""


class Error(str):
    """A cell holding a spreadsheet error value (``#DIV/0!``)."""


class Formula:
    """A cell holding a formula and the value saved with it."""

    def __init__(self, text: str, value: Any, link: str | None = None) -> None:
        self.text, self.value, self.link = text, value, link


Grid = dict[tuple[int, int], Any]
"""(row, column), 1-based -> value: str, int or float, Error, Formula."""


def table(bad: bool = False) -> Grid:
    cells: Grid = {(1, 1): TITLE}
    for c, header in enumerate(HEADERS, 1):
        cells[(HEADER_ROW, c)] = header
    for r, row in enumerate(ROWS, HEADER_ROW + 1):
        for c, value in enumerate(row, 1):
            cells[(r, c)] = value
    if bad:
        cells[BAD_CELL] = "Goodish"
    return cells


def features() -> tuple[Grid, list[tuple[int, int, int, int]]]:
    """The table with: an error value at N4, a formula with its saved value at O4, a
    formula linking to grades.xlsx at P4 (ODS only: the other writers drop it), and
    Notes merged over rows 5-6 (column Q)."""
    cells = table()
    cells[(HEADER_ROW, 14)], cells[(HEADER_ROW, 15)] = "Score", "Total"
    cells[(HEADER_ROW, 16)], cells[(HEADER_ROW, 17)] = "Linked", "Notes"
    cells[(4, 14)] = Error("#DIV/0!")
    cells[(4, 15)] = Formula("2+3", 5)
    cells[(4, 16)] = Formula("[1]Sheet1!A1", 7, link="grades.ods")
    cells[(5, 17)] = "seen together"
    return cells, [(5, 17, 6, 17)]


# --- .ods -------------------------------------------------------------------------

ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" '
          'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def ods_cell(value: Any, extra: str = "") -> str:
    if value is None:
        return f"<table:table-cell{extra}/>"
    if isinstance(value, Error):
        return (f'<table:table-cell table:formula="of:=1/0" office:value-type="string" '
                f'office:string-value="" calcext:value-type="error"{extra}>'
                f"<text:p>{escape(value)}</text:p></table:table-cell>")
    if isinstance(value, Formula):
        text = (f"of:=['file:///home/inspector/{value.link}'#$Sheet1.A1]" if value.link
                else f"of:={value.text}")
        return (f'<table:table-cell table:formula={quoteattr(text)} office:value-type="float" '
                f'office:value="{value.value}" calcext:value-type="float"{extra}>'
                f"<text:p>{value.value}</text:p></table:table-cell>")
    if isinstance(value, int | float):
        return (f'<table:table-cell office:value-type="float" office:value="{value}"'
                f'{extra}><text:p>{value}</text:p></table:table-cell>')
    return (f'<table:table-cell office:value-type="string" calcext:value-type="string"'
            f"{extra}><text:p>{escape(str(value))}</text:p></table:table-cell>")


def ods_content(sheets: dict[str, Grid], merges: dict[str, list] | None = None,
                rows_xml: dict[str, str] | None = None) -> bytes:
    """content.xml as LibreOffice writes it: empty rows and cells as repeats, down to row
    1,048,576 and across to column 16,384."""
    tables = []
    for name, cells in sheets.items():
        spans = {(m[0], m[1]): m for m in (merges or {}).get(name, [])}
        covered = {(r, c) for (t, lft, b, rgt) in spans.values()
                   for r in range(t, b + 1) for c in range(lft, rgt + 1)} - set(spans)
        rows = ['<table:table-column table:number-columns-repeated="16384"/>']
        height = max((r for r, _ in cells), default=0)
        width = max((c for _, c in cells), default=0)
        blank = 0
        for r in range(1, height + 1):
            line = []
            for c in range(1, width + 1):
                if (r, c) in covered:
                    line.append("<table:covered-table-cell/>")
                    continue
                extra = ""
                if (r, c) in spans:
                    t, lft, b, rgt = spans[(r, c)]
                    extra = (f' table:number-columns-spanned="{rgt - lft + 1}" '
                             f'table:number-rows-spanned="{b - t + 1}"')
                line.append(ods_cell(cells.get((r, c)), extra))
            while line and line[-1] == "<table:table-cell/>":
                line.pop()
            if not line:
                blank += 1
                continue
            if blank:
                rows.append(f'<table:table-row table:number-rows-repeated="{blank}">'
                            '<table:table-cell table:number-columns-repeated="16384"/>'
                            "</table:table-row>")
                blank = 0
            rest = 16384 - len(line)
            rows.append("<table:table-row>" + "".join(line)
                        + f'<table:table-cell table:number-columns-repeated="{rest}"/>'
                        "</table:table-row>")
        rows.append((rows_xml or {}).get(name, ""))
        rows.append(f'<table:table-row table:number-rows-repeated="{1048576 - height}">'
                    '<table:table-cell table:number-columns-repeated="16384"/>'
                    "</table:table-row>")
        tables.append(f"<table:table table:name={quoteattr(name)}>{''.join(rows)}"
                      "</table:table>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<office:document-content {ODS_NS} office:version="1.3"><office:body>'
            f"<office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
            "</office:document-content>").encode()


def ods_bytes(sheets: dict[str, Grid] | None = None, merges: dict[str, list] | None = None,
              content: bytes | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    content = content if content is not None else ods_content(sheets or {}, merges)
    manifest = (b'<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
                b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                b'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
                b'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                b'<manifest:file-entry manifest:full-path="content.xml" '
                b'manifest:media-type="text/xml"/></manifest:manifest>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype", EPOCH), ODS_MIME, zipfile.ZIP_STORED)
        for name, data in {"content.xml": content, "META-INF/manifest.xml": manifest,
                           **(extra or {})}.items():
            z.writestr(zipfile.ZipInfo(name, EPOCH), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- .xlsb --------------------------------------------------------------------------

def record(kind: int, data: bytes = b"") -> bytes:
    """One record: its type and length as [MS-XLSB] varints, then the data."""
    head = bytes([kind]) if kind < 0x80 else bytes([(kind & 0x7F) | 0x80, kind >> 7])
    size, length = len(data), b""
    while True:
        byte = size & 0x7F
        size >>= 7
        length += bytes([byte | (0x80 if size else 0)])
        if not size:
            break
    return head + length + data


def wide(text: str) -> bytes:
    """An XLWideString: a character count, then UTF-16."""
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


XLSB_ERRORS = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17,
               "#NAME?": 0x1D, "#NUM!": 0x24, "#N/A": 0x2A}


def xlsb_sheet(cells: Grid, strings: list[str], merges: list | None = None,
               inline: bool = False) -> bytes:
    out = [record(0x81), record(0x94, struct.pack("<4I", 0, 0, 0, 0)), record(0x91)]
    for r in sorted({r for r, _ in cells}):
        out.append(record(0x00, struct.pack("<IIHBBBI", r - 1, 0, 300, 0, 0, 0, 0)))
        for c in sorted(c for rr, c in cells if rr == r):
            value, col = cells[(r, c)], struct.pack("<II", c - 1, 0)
            if isinstance(value, Error):
                out.append(record(0x03, col + bytes([XLSB_ERRORS[value]])))
            elif isinstance(value, Formula):
                formula = struct.pack("<I", 7) + bytes([0x1E, 2, 0, 0x1E, 3, 0, 0x03]) \
                    + struct.pack("<I", 0)
                out.append(record(0x09, col + struct.pack("<dH", value.value, 0) + formula))
            elif isinstance(value, int | float):
                out.append(record(0x05, col + struct.pack("<d", value)))
            elif inline:
                out.append(record(0x06, col + wide(str(value))))
            else:
                if value not in strings:
                    strings.append(value)
                out.append(record(0x07, col + struct.pack("<I", strings.index(value))))
    out.append(record(0x92))
    if merges:
        out.append(record(0xB1, struct.pack("<I", len(merges))))
        for top, left, bottom, right in merges:
            out.append(record(0xB0, struct.pack("<4I", top - 1, bottom - 1, left - 1,
                                                 right - 1)))
        out.append(record(0xB2))
    out.append(record(0x82))
    return b"".join(out)


def xlsb_bytes(sheets: dict[str, Grid], merges: dict[str, list] | None = None,
               parts: dict[str, bytes] | None = None, inline: bool = False,
               date1904: bool = False) -> bytes:
    """A workbook of the records the reader needs: the book with its sheet list, each
    sheet, the shared strings; ``parts`` replaces or adds parts."""
    strings: list[str] = []
    sheet_parts = {f"xl/worksheets/sheet{i}.bin": xlsb_sheet(cells, strings,
                                                              (merges or {}).get(name), inline)
                   for i, (name, cells) in enumerate(sheets.items(), 1)}
    book = [record(0x83), record(0x99, struct.pack("<II", int(date1904), 0) + wide("")),
            record(0x8F)]
    for i, name in enumerate(sheets, 1):
        book.append(record(0x9C, struct.pack("<II", 0, i) + wide(f"rId{i}") + wide(name)))
    book += [record(0x90), record(0x9D, struct.pack("<IIIdIH", 0, 1, 100, 0.001, 0, 0)),
             record(0x84)]
    sst = [record(0x9F, struct.pack("<II", len(strings), len(strings)))]
    sst += [record(0x13, b"\x00" + wide(s)) for s in strings]
    sst.append(record(0xA0))
    n = len(sheets)
    rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/'
                   f'officeDocument/2006/relationships/worksheet" '
                   f'Target="worksheets/sheet{i}.bin"/>' for i in range(1, n + 1))
    rels += (f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/'
             'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.bin"/>')
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.bin" ContentType='
                        '"application/vnd.ms-excel.worksheet"/>' for i in range(1, n + 1))
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://'
            'schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels"'
            ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.'
            'sheet.binary.macroEnabled.main"/>' + overrides + '<Override PartName="/xl/'
            'sharedStrings.bin" ContentType="application/vnd.ms-excel.sharedStrings"/>'
            "</Types>").encode(),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
            b'"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            b'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>'
        ),
        "xl/_rels/workbook.bin.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
            f'"http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            "</Relationships>").encode(),
        "xl/workbook.bin": b"".join(book),
        **sheet_parts,
        "xl/sharedStrings.bin": b"".join(sst),
        **(parts or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(zipfile.ZipInfo(name, EPOCH), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- .xls (xlwt, only when the files are made) ---------------------------------------

def xls_bytes(cells: Grid, merges: list | None = None) -> bytes:
    import xlwt

    book = xlwt.Workbook()
    book.add_sheet("Notes").write(0, 0, "not the data")
    sheet = book.add_sheet("Cases")
    spans = {(m[0], m[1]): m for m in merges or []}
    for (r, c), value in cells.items():
        if (r, c) in spans:
            top, left, bottom, right = spans[(r, c)]
            sheet.write_merge(top - 1, bottom - 1, left - 1, right - 1, value)
        elif isinstance(value, Error):
            sheet.row(r - 1).set_cell_error(c - 1, str(value))
        elif isinstance(value, Formula):
            if value.link is None:
                sheet.write(r - 1, c - 1, xlwt.Formula(value.text))
        else:
            sheet.write(r - 1, c - 1, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    grid, merges = features()
    files = {
        "cases.ods": ods_bytes({"Notes": {(1, 1): "not the data"}, "Cases": table()}),
        "bad-grade.ods": ods_bytes({"Cases": table(bad=True)}),
        "features.ods": ods_bytes({"Cases": grid}, {"Cases": merges}),
        "cases.xlsb": xlsb_bytes({"Notes": {(1, 1): "not the data"}, "Cases": table()}),
        "bad-grade.xlsb": xlsb_bytes({"Cases": table(bad=True)}),
        "features.xlsb": xlsb_bytes({"Cases": grid}, {"Cases": merges}),
        "cases.xls": xls_bytes(table()),
        "bad-grade.xls": xls_bytes(table(bad=True)),
        "features.xls": xls_bytes(grid, merges),
    }
    for name, data in files.items():
        (HERE / name).write_bytes(data)
        print(f"wrote {name} ({len(data):,} bytes)")
    target = HERE / "cases-libreoffice.ods"
    soffice = shutil.which("soffice")
    if soffice and not target.exists():
        import openpyxl

        with tempfile.TemporaryDirectory() as tmp:
            book = openpyxl.Workbook()
            book.active.title = "Cases"
            for (r, c), value in table().items():
                book.active.cell(row=r, column=c, value=value)
            book.save(Path(tmp) / "cases-libreoffice.xlsx")
            subprocess.run([soffice, "--headless", "--convert-to", "ods", "--outdir", tmp,
                            str(Path(tmp) / "cases-libreoffice.xlsx")], check=True,
                           capture_output=True)
            shutil.copy(Path(tmp) / "cases-libreoffice.ods", target)
        print(f"wrote {target.name} (LibreOffice)")


if __name__ == "__main__":
    main()
