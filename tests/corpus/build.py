"""Build the planted-mistake corpus: cases workbooks typed the way people type them.

Run from the repository root::

    python tests/corpus/build.py

It writes every workbook into ``tests/corpus/files/`` and the list of mistakes planted in
each into ``tests/corpus/manifest.yaml``; ``tests/test_corpus.py`` then asserts that
``hmic-audit validate FILE --format json`` reports exactly those problems, each at its
cell, and nothing else. Both the files and the manifest are committed, so the tests need
none of the writers below.

Needs (for this script only): xlsxwriter and openpyxl (the package and its test extra
bring them), PyYAML, and two writers nothing else uses::

    pip install xlwt odfpy

xlwt writes the ``.xls`` files (Excel 97-2003, as old force systems still export) and
odfpy the ``.ods`` files (LibreOffice Calc). Everything is seeded and dated, so running
the script again gives the same cells and the same manifest (xlsx, xls and ods containers
may differ in their metadata bytes only).

How the workbooks are written, and why it matters:

* written as an analyst or inspector would type them, not as ``template`` writes them:
  title rows above the header ("Greater Blankshire Police - child protection audit,
  July 2014" then a blank row), header spellings of every kind ("Case Ref.", "URN",
  "Date of audit", "Inspector's grade", "Self-assessment grade", "Child's age"...),
  aliases ("RI", "Req. improvement", "s47", "DA", "CSE", "Y", "N", "N/A", "Part"), the
  published Annex A case-type labels verbatim (with the report's curly apostrophe), UK
  dates typed in every form and real date cells, blank rows between blocks, trailing
  spaces and mixed case;
* saved the way programs save them: xlsx by xlsxwriter (cached formula results, real
  date cells, the 1904 date system, a link to another workbook, a pasted ``#N/A``) and by
  openpyxl (formulas with no saved result); CSV as Excel exports it (UTF-8, UTF-8 with a
  byte-order mark, Windows-1252, semicolon-delimited, tab-delimited text, every line
  padded to the table's width, a cell with a line break in quotes); ``.ods`` and ``.xls``;
* every mistake is planted through ``Table.plant`` / ``Table.expect``, which record the
  cell (as the spreadsheet shows it) with the problem code, severity and, for "did you
  mean" messages, the text the message must contain (``suggest``).

The expected problems follow the workbook format of the README and issue 11 (dates,
headers, suggestions, formats, notices); the manifest is written from what was planted,
never from what the tool reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FILES = HERE / "files"
MANIFEST = HERE / "manifest.yaml"
RUBRIC = yaml.safe_load((ROOT / "rubrics" / "child-protection-2014.yaml").read_text("utf-8"))
APPLIES = {c["id"]: set(c.get("applies_to") or [t["key"] for t in RUBRIC["case_types"]])
           for c in RUBRIC["criteria"]}
CREATED = dt.datetime(2014, 7, 21, 9, 30)
TITLE = "Greater Blankshire Police \u2013 child protection audit, July 2014"

E, W, N = "error", "warning", "notice"


# Cell values other than text, numbers and dates ------------------------------------

@dataclass(frozen=True)
class Formula:
    """A formula saved with its result (as Excel saves a calculated workbook)."""

    text: str
    cached: Any


@dataclass(frozen=True)
class Uncached:
    """A formula saved without a result (as openpyxl or a script leaves it)."""

    text: str


@dataclass(frozen=True)
class ErrorValue:
    """An error value pasted as a value (no formula), such as ``#N/A``."""

    text: str


@dataclass(frozen=True)
class ExternalLink:
    """A formula pointing into another workbook, with the value Excel saved for it."""

    text: str
    cached: Any
    target: str


@dataclass(frozen=True)
class TooLong:
    """Text longer than the 32,767 characters an Excel cell holds (written into the XML
    by hand: the writers cut it)."""

    text: str


def describe(value: Any) -> str:
    """A planted value, for the manifest's notes."""
    if value is None:
        return "left blank"
    if isinstance(value, Formula):
        return f"={value.text} saved as {value.cached!r}"
    if isinstance(value, dt.date):
        return f"date cell {value.isoformat()}"
    return repr(value)[:60]


# A table as typed ------------------------------------------------------------------

def column_letter(index: int) -> str:
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Expected:
    """A problem ``validate`` must report. Row-located ones keep the row they were planted
    in (``obj``), so rows inserted or removed later do not move them."""

    code: str
    severity: str
    cell: str | None = None
    row: int | None = None
    suggest: str | None = None
    note: str | None = None
    obj: dict[str, Any] | None = None
    key: str | None = None


@dataclass
class Table:
    """A header row under optional title rows, then data rows (None: a blank row).

    ``columns`` are (key, header as typed); the key addresses the column in this script
    (a blank header is a column with no header). ``lead`` empty columns come first.
    """

    columns: list[tuple[str, str]]
    title: list[str | None] = field(default_factory=list)
    lead: int = 0
    rows: list[dict[str, Any] | None] = field(default_factory=list)
    expected: list[Expected] = field(default_factory=list)

    # where things are
    @property
    def keys(self) -> list[str]:
        return [k for k, _ in self.columns]

    @property
    def header_row(self) -> int:
        return len(self.title) + 1

    def row_number(self, i: int) -> int:
        return self.header_row + 1 + i

    def letter(self, key: str) -> str:
        return column_letter(self.lead + self.keys.index(key) + 1)

    def cell(self, i: int, key: str) -> str:
        return f"{self.letter(key)}{self.row_number(i)}"

    def header_cell(self, key: str) -> str:
        return f"{self.letter(key)}{self.header_row}"

    def find(self, ref: str, who: str | None = None, nth: int = 0) -> int:
        """Index of the ``nth`` row of case ``ref`` (by the assessor ``who``)."""
        hits = [i for i, r in enumerate(self.rows) if r is not None and r.get("_case") == ref
                and (who is None or r.get("_who") == who)]
        return hits[nth]

    # building
    def add(self, **values: Any) -> int:
        self.rows.append(values)
        return len(self.rows) - 1

    def blank(self, count: int = 1) -> None:
        self.rows.extend([None] * count)

    def set(self, i: int, key: str, value: Any) -> None:
        row = self.rows[i]
        assert row is not None, f"row {i} is blank"
        row[key] = value

    # mistakes
    def plant(self, i: int, key: str, value: Any, code: str, severity: str = E,
              suggest: str | None = None, note: str | None = None) -> None:
        """Type ``value`` into a cell and expect ``code`` there."""
        self.set(i, key, value)
        self.expect_at(i, key, code, severity, suggest, note or describe(value))

    def expect_at(self, i: int, key: str, code: str, severity: str = E,
                  suggest: str | None = None, note: str | None = None) -> None:
        """Expect ``code`` at the cell of column ``key`` in data row ``i``."""
        assert key in self.keys, key
        self.expected.append(Expected(code, severity, suggest=suggest, note=note,
                                      obj=self.rows[i], key=key))

    def expect_header(self, key: str, code: str, severity: str = E,
                      suggest: str | None = None, note: str | None = None) -> None:
        self.expected.append(Expected(code, severity, cell=self.header_cell(key),
                                      row=self.header_row, suggest=suggest,
                                      note=note or dict(self.columns)[key]))

    def expect_row(self, row: int, code: str, severity: str = E, note: str | None = None
                   ) -> None:
        self.expected.append(Expected(code, severity, row=row, note=note))

    def expect_file(self, code: str, severity: str = E, note: str | None = None) -> None:
        self.expected.append(Expected(code, severity, note=note))

    def header_below_title(self) -> None:
        assert self.title
        self.expect_row(self.header_row, "header-below-title", N,
                        note=f"header on row {self.header_row}")

    def resolved(self) -> list[dict[str, Any]]:
        """The expected problems with their cells, as the manifest lists them."""
        out = []
        for x in self.expected:
            cell, row = x.cell, x.row
            if x.obj is not None:
                i = next(i for i, r in enumerate(self.rows) if r is x.obj)
                cell, row = self.cell(i, str(x.key)), self.row_number(i)
            item: dict[str, Any] = {"code": x.code, "severity": x.severity, "cell": cell,
                                    "row": row}
            if x.suggest:
                item["suggest"] = x.suggest
            if x.note:
                item["note"] = x.note
            out.append(item)
        return out

    # the grid a writer writes: spreadsheet row number -> cells from column 1
    def grid(self) -> dict[int, list[Any]]:
        out: dict[int, list[Any]] = {}
        pad = [None] * self.lead
        for n, line in enumerate(self.title, start=1):
            if line is not None:
                out[n] = pad + [line]
        out[self.header_row] = pad + [h for _, h in self.columns]
        for i, row in enumerate(self.rows):
            if row is None:
                continue
            cells = [row.get(k) for k in self.keys]
            while cells and cells[-1] in (None, ""):
                cells.pop()
            out[self.row_number(i)] = pad + cells
        return out

    @property
    def width(self) -> int:
        return self.lead + len(self.columns)

    @property
    def last_row(self) -> int:
        return self.row_number(len(self.rows) - 1) if self.rows else self.header_row


# Writers ---------------------------------------------------------------------------

def write_xlsx(table: Table, path: Path, *, date_1904: bool = False,
               sheets_before: tuple[str, ...] = (), sheet: str = "Cases",
               merges: dict[str, Any] | None = None) -> None:
    """As Excel saves a workbook: real date cells, numbers, cached formula results."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"date_1904": date_1904})
    wb.set_properties({"created": CREATED, "author": "Audit team"})
    for name in sheets_before:
        wb.add_worksheet(name).write(0, 0, "Type one row per audit on the Cases sheet.")
    ws = wb.add_worksheet(sheet)
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    time_fmt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    bold = wb.add_format({"bold": True})
    errors: dict[str, str] = {}
    long_texts: dict[str, str] = {}
    links: list[ExternalLink] = []
    for n, cells in table.grid().items():
        for j, value in enumerate(cells):
            r = n - 1
            if value is None:
                continue
            if isinstance(value, Formula):
                ws.write_formula(r, j, value.text, None, value.cached)
            elif isinstance(value, ExternalLink):
                ws.write_formula(r, j, value.text, None, value.cached)
                links.append(value)
            elif isinstance(value, ErrorValue):
                ws.write_number(r, j, 424242)
                errors[f"{column_letter(j + 1)}{n}"] = value.text
            elif isinstance(value, TooLong):
                marker = f"TOO-LONG-{len(long_texts)}"
                ws.write_string(r, j, marker)
                long_texts[marker] = value.text
            elif isinstance(value, dt.datetime):
                ws.write_datetime(r, j, value, time_fmt)
            elif isinstance(value, dt.date):
                ws.write_datetime(r, j, dt.datetime.combine(value, dt.time()), date_fmt)
            elif isinstance(value, int | float):
                ws.write_number(r, j, value)
            elif n == table.header_row:
                ws.write_string(r, j, str(value), bold)
            else:
                ws.write_string(r, j, str(value))
    for span, value in (merges or {}).items():
        ws.merge_range(span, value)
    wb.close()
    if errors or long_texts or links:
        _patch_xlsx(path, f"xl/worksheets/sheet{len(sheets_before) + 1}.xml", errors,
                    long_texts, links)


def _patch_xlsx(path: Path, sheet_part: str, errors: dict[str, str],
                long_texts: dict[str, str], links: list[ExternalLink]) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
        infos = {i.filename: i for i in z.infolist()}
    xml = parts[sheet_part].decode()
    for ref, text in errors.items():
        xml, count = re.subn(rf'<c r="{ref}"([^>]*)><v>424242</v>',
                             rf'<c r="{ref}"\1 t="e"><v>{text}</v>', xml)
        assert count == 1, ref
    parts[sheet_part] = xml.encode()
    if long_texts:
        strings = parts["xl/sharedStrings.xml"].decode()
        for marker, text in long_texts.items():
            strings = strings.replace(f"<t>{marker}</t>", f"<t>{escape(text)}</t>")
        parts["xl/sharedStrings.xml"] = strings.encode()
    if links:
        target = links[0].target
        parts["xl/externalLinks/externalLink1.xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<externalBook r:id="rId1"><sheetNames><sheetName val="Grades"/></sheetNames>'
            '<sheetDataSet><sheetData sheetId="0"><row r="14"><cell r="F14" t="str">'
            f'<v>{escape(str(links[0].cached))}</v></cell></row></sheetData></sheetDataSet>'
            '</externalBook></externalLink>').encode()
        parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/externalLinkPath" Target="{escape(target)}" '
            'TargetMode="External"/></Relationships>').encode()
        rels = parts["xl/_rels/workbook.xml.rels"].decode()
        parts["xl/_rels/workbook.xml.rels"] = rels.replace(
            "</Relationships>",
            '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/externalLink" Target="externalLinks/externalLink1.xml"/>'
            "</Relationships>").encode()
        book = parts["xl/workbook.xml"].decode()
        parts["xl/workbook.xml"] = book.replace(
            "</sheets>", '</sheets><externalReferences><externalReference r:id="rId99"/>'
            "</externalReferences>").encode()
        types = parts["[Content_Types].xml"].decode()
        parts["[Content_Types].xml"] = types.replace(
            "</Types>", '<Override PartName="/xl/externalLinks/externalLink1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'externalLink+xml"/></Types>').encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            info = infos.get(name) or zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)


def write_openpyxl(table: Table, path: Path) -> None:
    """As a script saves a workbook with openpyxl: formulas without results."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = CREATED
    ws = wb.active
    ws.title = "Cases"
    for n, cells in table.grid().items():
        for j, value in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, Uncached):
                value = value.text
            cell = ws.cell(row=n, column=j + 1, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
    wb.save(path)


def text_of(value: Any, *, date_format: str = "%d/%m/%Y") -> str:
    """A cell as Excel writes it to CSV in a UK locale (what the cell shows)."""
    if value is None:
        return ""
    if isinstance(value, Formula | ExternalLink):
        return text_of(value.cached, date_format=date_format)
    if isinstance(value, dt.datetime):
        return value.strftime(date_format + " %H:%M")
    if isinstance(value, dt.date):
        return value.strftime(date_format)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_csv(table: Table, path: Path, *, encoding: str = "utf-8",
              delimiter: str = ",", date_format: str = "%d/%m/%Y",
              quoting: int = csv.QUOTE_MINIMAL, pad: bool = True) -> None:
    """As Excel's "Save as CSV": every line padded to the table's width, CRLF line ends,
    quotes only where needed (a comma, a quote or a line break in the cell)."""
    grid = table.grid()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=quoting)
    for n in range(1, table.last_row + 1):
        cells = [text_of(v, date_format=date_format) for v in grid.get(n, [])]
        if pad:
            cells += [""] * (table.width - len(cells))
        writer.writerow(cells)
    data = buffer.getvalue()
    if encoding == "utf-8-sig":
        path.write_bytes(b"\xef\xbb\xbf" + data.encode("utf-8"))
    elif encoding == "utf-16":  # as Excel's "Unicode Text": little-endian, with a BOM
        path.write_bytes(b"\xff\xfe" + data.encode("utf-16-le"))
    else:
        path.write_bytes(data.encode(encoding))


def write_xls(table: Table, path: Path) -> None:
    """Excel 97-2003 (.xls) with real date cells, via xlwt."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Cases")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    bold = xlwt.easyxf("font: bold on")
    for n, cells in table.grid().items():
        for j, value in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write(n - 1, j, value, date_style)
            elif n == table.header_row:
                ws.write(n - 1, j, value, bold)
            else:
                ws.write(n - 1, j, value)
    wb.save(str(path))


def write_ods(table: Table, path: Path) -> None:
    """LibreOffice Calc (.ods): date cells as dates, numbers as floats, formulas with
    their saved values, via odfpy."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table as OdsTable
    from odf.table import TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    sheet = OdsTable(name="Cases")
    grid = table.grid()
    for n in range(1, table.last_row + 1):
        tr = TableRow()
        cells = grid.get(n, [])
        if not cells:
            tr.addElement(TableCell())
        for value in cells:
            if value is None:
                tr.addElement(TableCell())
                continue
            shown = text_of(value)
            if isinstance(value, Formula):
                cached = value.cached
                if isinstance(cached, int | float):
                    tc = TableCell(valuetype="float", value=cached,
                                   formula="of:=" + value.text)
                else:
                    tc = TableCell(valuetype="string", formula="of:=" + value.text)
                    tc.setAttrNS("urn:oasis:names:tc:opendocument:xmlns:office:1.0",
                                 "string-value", str(cached))
            elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                tc = TableCell(valuetype="date", datevalue=value.isoformat())
            elif isinstance(value, int | float):
                tc = TableCell(valuetype="float", value=value)
            else:
                tc = TableCell(valuetype="string")
            tc.addElement(P(text=shown))
            tr.addElement(tc)
        sheet.addElement(tr)
    doc.spreadsheet.addElement(sheet)
    doc.save(str(path))


# What people type ------------------------------------------------------------------

AREAS = ["Ashby", "Blankton", "Cobham Moor", "Dunsby", "Eastwick", "Fenby St Mary",
         "Greystone", "Harlow Vale"]
ANNEX_A = {
    "s47_enquiry": "Child protection enquiry (s. 47)",
    "domestic_abuse": "Domestic abuse",
    "general_concern": "General concerns with a child where a referral to children\u2019s "
                       "social care services was made",
    "sex_offender": "Sex offender enquiry",
    "police_protection": "Police protection",
    "sexual_exploitation": "At risk of sexual exploitation",
    "online_abuse": "On-line sexual abuse",
    "child_in_custody": "Child in custody",
}
CASE_TYPES_TYPED = {
    "s47_enquiry": ["s47", "S.47", "Child protection enquiry (s. 47)", "Section 47", "s.47"],
    "domestic_abuse": ["DA", "Domestic abuse", "domestic abuse", "DV"],
    "general_concern": [ANNEX_A["general_concern"], "General concern", "general concerns"],
    "sex_offender": ["Sex offender enquiry", "RSO", "Sex offender"],
    "police_protection": ["Police protection", "PP", "s46", "Police protection (s.46)"],
    "sexual_exploitation": ["CSE", "At risk of sexual exploitation",
                            "Child sexual exploitation"],
    "online_abuse": ["On-line sexual abuse", "Online", "IIOC"],
    "child_in_custody": ["Child in custody", "Custody"],
    "missing_child": ["Missing", "Missing child", "MFH", "Missing from home"],
}
ANNEX_TYPES = list(ANNEX_A)
ALL_TYPES = [*ANNEX_TYPES, "missing_child"]
GRADES_TYPED = {
    "good": ["Good", "Good", "good", "GOOD", "Good "],
    "adequate": ["Adequate", "Adequate", "adequate", "Adequate "],
    "requires_improvement": ["RI", "Requires improvement", "Req. improvement",
                             "requires improvement"],
    "inadequate": ["Inadequate", "inadequate", "INADEQUATE"],
}
GRADE_KEYS = list(GRADES_TYPED)
ANSWERS_TYPED = {"yes": ["Y", "Yes", "yes", "y", "YES", "Y"],
                 "partly": ["Part", "Partly", "partly", "In part"],
                 "no": ["N", "No", "no", "N"]}
NOT_APPLICABLE = ["N/A", "n/a", "NA", None]
SAMPLES_TYPED = {"self": ["Self-assessed", "Self assessed", "SA", "self-assessed"],
                 "is": ["Inspector selected", "Inspector-selected", "IS"]}
ASSESSORS_TYPED = {"force": ["Force", "force", "Self-assessor", "Police"],
                   "inspector": ["Inspector", "HMIC", "inspector", "Inspectors"]}
GENDERS_TYPED = {"female": ["F", "Female", "Girl", "female"],
                 "male": ["M", "Male", "Boy", "male"]}
NOTES = [
    "Referral to children's social care the same day.",
    "Strategy discussion held the next morning; joint visit arranged.",
    "No record that the child was seen on their own.",
    "MARAC referral made; flag placed on the address.",
    "Supervisor review late but direction clear.",
    "Child spoken to at school with a social worker present.",
    "Return interview not done for 5 days.",
    "Good liaison with the MASH.",
    "",
    "",
]
# Criteria every case type has (the answers of the generated rows use these).
CRITERIA = ["ic_child_seen", "ah_risk_assessed", "ah_information_shared",
            "dm_supervisor_review", "ta_child_listened_to"]
DATE_FORMS: list[Callable[[dt.date], Any]] = [
    lambda d: d,                                       # a real date cell
    lambda d: d.strftime("%d/%m/%Y"),                  # 03/07/2014
    lambda d: f"{d.day}/{d.month}/{d:%y}",             # 3/7/14
    lambda d: d.strftime("%d-%m-%Y"),                  # 03-07-2014
    lambda d: f"{d.day} {d:%B %Y}",                    # 3 July 2014
    lambda d: d.strftime("%d.%m.%Y"),                  # 03.07.2014
    lambda d: d.isoformat(),                           # 2014-07-03
    lambda d: f"{d.isoformat()} 10:15",                # 2014-07-03 10:15
    lambda d: dt.datetime.combine(d, dt.time(14, 5)),  # a real date-and-time cell
]


class Typist:
    """Seeded choices of how a person types each value."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def pick(self, options: list[Any]) -> Any:
        return self.rng.choice(options)

    def case_type(self, key: str) -> str:
        return self.pick(CASE_TYPES_TYPED[key])

    def grade(self, key: str) -> str:
        return self.pick(GRADES_TYPED[key])

    def answers(self, case_type: str, criteria: list[str], grade: str) -> dict[str, Any]:
        weights = {"good": (8, 1, 0), "adequate": (5, 3, 1), "requires_improvement": (3, 3, 3),
                   "inadequate": (1, 2, 6)}[grade]
        out: dict[str, Any] = {}
        for cid in criteria:
            if case_type not in APPLIES[cid]:
                out[cid] = self.pick(NOT_APPLICABLE)
            else:
                key = self.rng.choices(["yes", "partly", "no"], weights)[0]
                out[cid] = self.pick(ANSWERS_TYPED[key])
        return out

    def date(self, start: dt.date, forms: list[int] | None = None) -> Any:
        day = start + dt.timedelta(days=self.rng.randrange(0, 20))
        form = self.pick(forms if forms is not None else list(range(len(DATE_FORMS))))
        return DATE_FORMS[form](day)


def long_rows(typist: Typist, *, self_cases: int, further: int, prefix: str = "",
              criteria: list[str] = CRITERIA, forms: list[int] | None = None,
              block_gap: int = 1, types: list[str] | None = None,
              gap_every: int = 0) -> list[dict[str, Any] | None]:
    """Audits of a long-layout table: a force and an inspector audit of each
    self-assessed case, then one inspector audit of each further case; each row holds
    ``_case`` and ``_who`` for lookups."""
    t = typist
    rows: list[dict[str, Any] | None] = []

    def audit(ref: str, sample: str, ctype: str, area: str, who: str, day: dt.date,
              age: int, gender: str, grade: str, sample_typed: str | None) -> dict[str, Any]:
        row = {"_case": ref, "_who": who, "_type": ctype,
               "ref": ref, "sample": sample_typed, "type": t.case_type(ctype),
               "area": area, "who": t.pick(ASSESSORS_TYPED[who]),
               "date": t.date(day, forms), "age": age,
               "gender": t.pick(GENDERS_TYPED[gender]), "grade": t.grade(grade),
               "notes": t.pick(NOTES) or None}
        row.update(t.answers(ctype, criteria, grade))
        return row

    for k in range(self_cases):
        ref = f"{prefix}SA-{k + 1:03d}"
        ctype = (types or ANNEX_TYPES)[k % len(types or ANNEX_TYPES)]
        area, age = t.pick(AREAS), t.rng.randrange(0, 18)
        gender = t.pick(["female", "male"])
        sample = t.pick(SAMPLES_TYPED["self"])
        force_grade = t.rng.choices(GRADE_KEYS, (6, 3, 1, 0))[0]
        insp_grade = t.rng.choices(GRADE_KEYS, (3, 5, 1, 2))[0]
        rows.append(audit(ref, "self", ctype, area, "force", dt.date(2014, 6, 2), age,
                          gender, force_grade, sample))
        rows.append(audit(ref, "self", ctype, area, "inspector", dt.date(2014, 7, 1), age,
                          gender, insp_grade, t.pick([sample, None])))
        if gap_every and (k + 1) % gap_every == 0:
            rows.append(None)
    rows.extend([None] * block_gap)
    for k in range(further):
        ref = f"{prefix}IS-{k + 1:03d}"
        ctype = (types or ALL_TYPES)[k % len(types or ALL_TYPES)]
        grade = t.rng.choices(GRADE_KEYS, (4, 4, 1, 2))[0]
        rows.append(audit(ref, "is", ctype, t.pick(AREAS), "inspector", dt.date(2014, 7, 1),
                          t.rng.randrange(0, 18), t.pick(["female", "male"]), grade,
                          t.pick(SAMPLES_TYPED["is"] + [None])))
        if gap_every and (k + 1) % gap_every == 0:
            rows.append(None)
    while rows and rows[-1] is None:
        rows.pop()
    return rows


def wide_rows(typist: Typist, *, self_cases: int, further: int, prefix: str = "W",
              forms: list[int] | None = None, types: list[str] | None = None
              ) -> list[dict[str, Any] | None]:
    """One row per case: self-assessed cases carry both grades, further cases the
    inspectors' grade only."""
    t = typist
    rows: list[dict[str, Any] | None] = []
    for k in range(self_cases + further):
        own = k < self_cases
        ref = f"{prefix}{k + 1:03d}"
        ctype = (types or (ANNEX_TYPES if own else ALL_TYPES))[k % len(
            types or (ANNEX_TYPES if own else ALL_TYPES))]
        rows.append({
            "_case": ref, "_type": ctype, "ref": ref,
            "sample": t.pick(SAMPLES_TYPED["self" if own else "is"] + [None]),
            "type": t.case_type(ctype), "area": t.pick(AREAS),
            "date": t.date(dt.date(2014, 7, 1), forms), "age": t.rng.randrange(0, 18),
            "gender": t.pick(GENDERS_TYPED[t.pick(["female", "male"])]),
            "own": t.grade(t.rng.choices(GRADE_KEYS, (6, 3, 1, 0))[0]) if own else None,
            "insp": t.grade(t.rng.choices(GRADE_KEYS, (3, 5, 1, 2))[0]),
            "notes": t.pick(NOTES) or None,
        })
    return rows


def long_columns(criteria: list[str] = CRITERIA, **headers: str) -> list[tuple[str, str]]:
    """Long-layout columns with the given headers (keys: ref, sample, type, area, who,
    date, age, gender, grade, notes; a key given as '' is left out)."""
    base = {"ref": "Case ref", "sample": "Sample", "type": "Case type", "area": "Area",
            "who": "Assessor", "date": "Audit date", "age": "Age", "gender": "Gender",
            "grade": "Grade"}
    base.update({k: v for k, v in headers.items() if k in base})
    cols = [(k, h) for k, h in base.items() if h]
    cols += [(cid, headers.get(cid, cid)) for cid in criteria]
    if headers.get("notes", "Notes"):
        cols.append(("notes", headers.get("notes", "Notes")))
    return cols


def wide_columns(**headers: str) -> list[tuple[str, str]]:
    base = {"ref": "Case ref", "sample": "Sample", "type": "Case type", "area": "Area",
            "date": "Audit date", "age": "Age", "gender": "Gender", "own": "Self grade",
            "insp": "Inspector grade", "notes": "Notes"}
    base.update(headers)
    return [(k, h) for k, h in base.items() if h]


# The corpus ------------------------------------------------------------------------

@dataclass
class Entry:
    name: str
    description: str
    table: Table
    write: Callable[[Table, Path], None]
    exit: int | None = None

    def exit_code(self) -> int:
        if self.exit is not None:
            return self.exit
        return 1 if any(e.severity == E for e in self.table.expected) else 0


CORPUS: list[Entry] = []


def entry(name: str, description: str, write: Callable[[Table, Path], None],
          exit: int | None = None) -> Callable[[Callable[[], Table]], Callable[[], Table]]:
    def register(make: Callable[[], Table]) -> Callable[[], Table]:
        CORPUS.append(Entry(name, description, make(), write, exit))
        return make
    return register


def utf8(t: Table, p: Path) -> None:
    write_csv(t, p, encoding="utf-8")


def utf8_bom(t: Table, p: Path) -> None:
    write_csv(t, p, encoding="utf-8-sig")


def cp1252(t: Table, p: Path) -> None:
    write_csv(t, p, encoding="cp1252")


# --- clean files: no problem at all ---------------------------------------------------

@entry("01_clean_long_small.xlsx", "3 audits, long layout, header on row 1, 'Case Ref.', "
       "'Type of case', 'Audit Date', 'Overall grade', 'Child's age', real date cells, "
       "a reference typed as a number; clean", write_xlsx)
def _clean_long_small() -> Table:
    t = Table(long_columns(ref="Case Ref.", sample="", type="Type of case",
                           date="Audit Date", age="Child's age", grade="Overall grade"))
    t.add(ref="SA-101", type="DA", area="Blankton", who="Force", date=dt.date(2014, 6, 3),
          age=9, gender="F", grade="Good", ic_child_seen="Y", ah_risk_assessed="Y",
          ah_information_shared="Y", dm_supervisor_review="Y", ta_child_listened_to="Part",
          notes="MARAC referral made; flag placed on the address.")
    t.add(ref="SA-101", type="Domestic abuse", area="Blankton", who="Inspector",
          date=dt.date(2014, 7, 8), age=9, gender="Female", grade="RI", ic_child_seen="N",
          ah_risk_assessed="Y", ah_information_shared="Part", dm_supervisor_review="N",
          ta_child_listened_to="N")
    t.add(ref=14023, type="s47", area="Dunsby", who="Inspector", date=dt.date(2014, 7, 9),
          age=14, gender="M", grade="Adequate", ic_child_seen="Y", ah_risk_assessed="Y",
          ah_information_shared="N/A", dm_supervisor_review="Y", ta_child_listened_to="N")
    return t


@entry("02_clean_wide_small.csv", "3 cases, wide layout, UTF-8 without BOM: 'URN', "
       "'Type of case', 'Local authority', 'Date of audit', 'Self-assessment grade', "
       "\"Inspector's grade\"; references with leading zeros; dates 03/07/2014, 3/7/14, "
       "2014-07-03; clean", utf8)
def _clean_wide_small() -> Table:
    t = Table(wide_columns(ref="URN", sample="", type="Type of case", area="Local authority",
                           date="Date of audit", age="", gender="",
                           own="Self-assessment grade", insp="Inspector's grade",
                           notes=""))
    t.add(ref="00123", type="Domestic abuse", area="Ashby", date="03/07/2014", own="Good",
          insp="RI")
    t.add(ref="00124", type="CSE", area="Eastwick", date="3/7/14", own="Adequate",
          insp="Adequate")
    t.add(ref="00131", type="Missing", area="Ashby", date="2014-07-03", insp="Inadequate")
    return t


@entry("03_clean_annex_a_labels.xlsx", "16 audits of 8 self-assessed cases, every case "
       "type typed as the published Annex A label verbatim (curly apostrophe in 'children’s', "
       "'Child protection enquiry (s. 47)', 'On-line sexual abuse'); clean", write_xlsx)
def _clean_annex() -> Table:
    t = Table(long_columns(ref="Case reference", sample="Sample", type="Type of case",
                           who="Audited by", date="Date of audit", age="", gender="",
                           grade="Grade"))
    ty = Typist(3)
    for k, (key, label) in enumerate(ANNEX_A.items()):
        ref = f"GB/2014/{k + 1:04d}"
        area = AREAS[k % len(AREAS)]
        for who, day, grade in (("Force", dt.date(2014, 6, 10 + k), "good"),
                                ("Inspectors", dt.date(2014, 7, 7 + k), "adequate")):
            row = {"_case": ref, "ref": ref, "sample": "Self-assessed", "type": label,
                   "area": area, "who": who, "date": day, "grade": ty.grade(grade)}
            row.update(ty.answers(key, CRITERIA, grade))
            t.rows.append(row)
    return t


@entry("04_clean_long_medium.xlsx", "200 audits (60 self-assessed cases, 80 further), "
       "long layout, every date form typed or as date cells, aliases, a header typed with "
       "a line break ('Age of<LF>child'), blank rows between blocks of ten, the one sheet "
       "called 'Sheet1'; clean", lambda t, p: write_xlsx(t, p, sheet="Sheet1"))
def _clean_long_medium() -> Table:
    t = Table(long_columns(ref="Case no.", sample="Sample type", type="Category",
                           area="Division", who="Reviewer", date="Review date",
                           age="Age of\nchild", gender="Child gender",
                           grade="Overall judgement", notes="Comments"))
    t.rows = long_rows(Typist(4), self_cases=60, further=80, gap_every=10)
    assert sum(r is not None for r in t.rows) == 200
    return t


@entry("05_clean_wide_bom.csv", "30 cases, wide layout, UTF-8 with BOM as Excel's 'CSV "
       "UTF-8', Annex A labels (curly apostrophe), \"Force's grade\" and 'Inspectors "
       "Grade', a non-breaking space in 'Case Ref' and a trailing one in 'Sample ', blank rows "
       "between blocks; clean", utf8_bom)
def _clean_wide_bom() -> Table:
    t = Table(wide_columns(ref="Case\u00a0Ref", sample="Sample ", type="Type of case", area="LA",
                           date="Audit Date", age="Child's age", gender="Sex",
                           own="Force's grade", insp="Inspectors Grade", notes="Notes"))
    ty = Typist(5)
    rows = wide_rows(ty, self_cases=16, further=14, forms=[1, 2, 6], prefix="C")
    for r in rows:
        if r is not None and r["_type"] in ANNEX_A:
            r["type"] = ANNEX_A[r["_type"]]
    t.rows = rows[:10] + [None] + rows[10:20] + [None] + rows[20:]
    return t


@entry("06_clean_long.ods", "10 audits, long layout, LibreOffice Calc .ods with date cells "
       "and numbers; clean", write_ods)
def _clean_ods() -> Table:
    t = Table(long_columns(ref="Case ref", type="Case type", who="Assessor",
                           date="Audit date", age="Child age", gender="Child gender"))
    t.rows = long_rows(Typist(6), self_cases=3, further=4, forms=[0, 0, 1], block_gap=0)
    return t


@entry("07_clean_long.xls", "12 audits, long layout, Excel 97-2003 .xls with date cells; "
       "clean", write_xls)
def _clean_xls() -> Table:
    t = Table(long_columns(ref="URN", type="Type", who="Assessor", date="Date",
                           grade="Judgement"))
    t.rows = long_rows(Typist(7), self_cases=4, further=4, forms=[0], block_gap=0)
    return t


@entry("08_clean_1904_dates.xlsx", "6 cases, wide layout, a workbook using the 1904 date "
       "system (old Mac Excel), date cells; clean",
       lambda t, p: write_xlsx(t, p, date_1904=True))
def _clean_1904() -> Table:
    t = Table(wide_columns(own="Self assessed grade", insp="HMIC grade"))
    t.rows = wide_rows(Typist(8), self_cases=3, further=3, forms=[0])
    return t


# --- notices only -----------------------------------------------------------------------

@entry("09_title_rows_notices.xlsx", "long layout under a title and a blank row (header on "
       "row 3), an instructions sheet first; formulas with saved values, a reference with "
       "a trailing space, grades 'Inadequate.' and 'Good!'; only notices", lambda t, p:
       write_xlsx(t, p, sheets_before=("Instructions",)))
def _title_notices() -> Table:
    t = Table(long_columns(ref="Case Ref", sample="Sample", type="Type of case",
                           who="Assessor", date="Audit Date", age="Child's age",
                           gender="Gender", grade="Overall grade"),
              title=[TITLE, None])
    t.header_below_title()
    t.rows = long_rows(Typist(9), self_cases=5, further=6, forms=[0, 1])
    i = t.find("SA-002", "force")
    t.plant(i, "area", Formula('PROPER("blankton")', "Blankton"), "formula-value-used", N)
    t.set(t.find("SA-002", "inspector"), "area", "Blankton")  # as the formula shows
    t.plant(t.find("IS-003"), "age", Formula("2014-2001", 13), "formula-value-used", N)
    t.plant(t.find("SA-004", "inspector"), "ref", "SA-004 ", "value-trimmed", N)
    t.plant(t.find("IS-005"), "grade", "Inadequate.", "value-normalised", N)
    t.plant(t.find("SA-005", "force"), "grade", "Good!", "value-normalised", N)
    t.set(t.find("IS-001"), "grade", "GOOD")           # case only: nothing to say
    t.set(t.find("IS-002"), "grade", "requires improvement ")
    return t


# --- dates ------------------------------------------------------------------------------

@entry("10_every_date_form.csv", "long layout, UTF-8 with BOM; every UK date form typed "
       "(03/07/2014, 3/7/14, 03-07-2014, 3 July 2014, 3 Jul 2014, 03.07.2014, ISO, ISO with "
       "time); TBC, next week, 31/02/2014, 2014-13-01, 07/31/2014 among day-first dates, "
       "14/07/2041, 01/01/1985", utf8_bom)
def _every_date() -> Table:
    t = Table(long_columns(ref="Case reference", type="Case type", who="Reviewer",
                           date="Date of audit", age="", gender=""))
    t.rows = long_rows(Typist(10), self_cases=6, further=10, block_gap=1, forms=[1])
    typed = ["03/07/2014", "3/7/14", "03-07-2014", "3 July 2014", "3 Jul 2014", "03.07.2014",
             "2014-07-03", "2014-07-03 10:15", "14/07/2014", "25/06/2014", "1/7/2014",
             "30/06/14"]
    data = [i for i, r in enumerate(t.rows) if r is not None]
    for i, text in zip(data, typed, strict=False):
        t.set(i, "date", text)
    # mistakes, each in a row of its own (a row in error makes no audit: the case's
    # other audit is then not reported as incomplete)
    t.plant(t.find("IS-001"), "date", "TBC", "bad-date")
    t.plant(t.find("IS-002"), "date", "next week", "bad-date")
    t.plant(t.find("IS-003"), "date", "31/02/2014", "impossible-date")
    t.plant(t.find("IS-004"), "date", "2014-13-01", "impossible-date")
    t.plant(t.find("IS-005"), "date", "07/31/2014", "impossible-date",
            note="'07/31/2014' where the column has day-first-only dates (14/07/2014)")
    t.plant(t.find("IS-006"), "date", "14/07/2041", "future-date")
    t.plant(t.find("IS-007"), "date", "01/01/1985", "early-date")
    return t


@entry("11_month_first_dates.csv", "wide layout from a US-set PC, UTF-8: dates typed "
       "month first (07/31/2014, 7/28/14) with none only readable day first; ambiguous "
       "07/03/2014 and ISO dates beside them", utf8)
def _month_first() -> Table:
    t = Table(wide_columns(ref="Case number", sample="", type="Type", area="Borough",
                           date="Date", age="", gender="", notes=""))
    t.rows = wide_rows(Typist(11), self_cases=4, further=6)
    dates = ["07/31/2014", "07/03/2014", "07/25/2014", "2014-07-01", "7/28/14", "07/02/2014",
             "06/30/2014", "07/03/2014", "2014-07-08", "07/01/2014"]
    month_first = {"07/31/2014", "07/25/2014", "7/28/14", "06/30/2014"}
    for i, text in enumerate(dates):
        if text in month_first:
            t.plant(i, "date", text, "month-first-date",
                    note=f"{text!r}: only readable month first (suggest --month-first)")
        else:
            t.set(i, "date", text)
    return t


# --- encodings and delimiters -----------------------------------------------------------

@entry("12_windows1252_export.csv", "long layout saved by Excel as 'CSV (Comma delimited)' "
       "in Windows-1252: en dash in the title, '£' and 'é' in notes, the Annex A label with "
       "its curly apostrophe; header on row 3; a self-assessed case without its inspector "
       "audit; a custody criterion answered for a domestic abuse case", cp1252)
def _cp1252() -> Table:
    crit = [*CRITERIA, "pd_appropriate_adult"]
    t = Table(long_columns(crit, ref="Case Ref.", sample="Sample", type="Type of case",
                           who="Assessor", date="Audit date", age="Age", gender="Gender",
                           grade="Grade", notes="Notes"),
              title=["Greater Blankshire Police \u2013 case audit", None])
    t.expect_file("encoding-guessed", W)
    t.header_below_title()
    t.rows = long_rows(Typist(12), self_cases=4, further=5, criteria=crit, forms=[1])
    t.set(t.find("SA-003", "force"), "type", ANNEX_A["general_concern"])
    t.set(t.find("SA-003", "inspector"), "type", ANNEX_A["general_concern"])
    t.set(t.find("IS-002"), "notes", "Paid £20 for a taxi home; café owner called police.")
    # SA-004 has no inspector audit
    t.rows.pop(t.find("SA-004", "inspector"))
    t.expect_at(t.find("SA-004", "force"), "ref", "incomplete-case", W)
    da = next(i for i, r in enumerate(t.rows) if r and r["_type"] == "domestic_abuse"
              and r["_who"] == "inspector" and r["_case"].startswith("IS"))
    t.plant(da, "pd_appropriate_adult", "Y", "criterion-not-applicable")
    return t


@entry("13_semicolon_european.csv", "long layout exported by a European Excel: semicolons, "
       "dates 03.07.2014, UTF-8 with BOM; 'Inspecter', a blank assessor, a blank case type, "
       "'yse'", lambda t, p: write_csv(t, p, encoding="utf-8-sig", delimiter=";",
                                       date_format="%d.%m.%Y"))
def _semicolon() -> Table:
    t = Table(long_columns(ref="Case ref", sample="Sample", type="Case type", area="Area",
                           who="Assessor", date="Audit date", grade="Grade"))
    t.expect_file("delimiter-detected", N)
    t.rows = long_rows(Typist(13), self_cases=4, further=6, forms=[0, 5])
    t.plant(t.find("SA-002", "inspector"), "who", "Inspecter", "unknown-assessor",
            suggest="inspector")
    t.plant(t.find("SA-003", "force"), "who", None, "missing-assessor")
    t.plant(t.find("IS-004"), "type", None, "missing-case-type")
    t.plant(t.find("IS-005"), "ah_risk_assessed", "yse", "unknown-answer", suggest="yes")
    return t


@entry("14_tab_delimited.txt", "wide layout saved as 'Text (Tab delimited)': 'Adequte', a "
       "case with neither grade, a reference typed with leading spaces",
       lambda t, p: write_csv(t, p, encoding="utf-8", delimiter="\t",
                              quoting=csv.QUOTE_NONE))
def _tab() -> Table:
    t = Table(wide_columns(ref="Ref", type="Case type", own="Force grade",
                           insp="HMIC grade", notes="Comments"))
    t.expect_file("delimiter-detected", N)
    t.rows = wide_rows(Typist(14), self_cases=5, further=7, forms=[1, 2])
    t.plant(t.find("W003"), "insp", "Adequte", "unknown-grade", suggest="Adequate")
    t.plant(t.find("W009"), "insp", None, "no-grade-or-answers")
    t.plant(t.find("W010"), "ref", "   W010", "value-trimmed", N)
    return t


# --- across the audits of a case --------------------------------------------------------

@entry("15_cross_audit.xlsx", "long layout: force and inspector audits of a case that "
       "disagree on area, age, gender, case type and sample; a force audit typed twice; a "
       "force audit of an inspector-selected case; a self-assessed case with no inspector "
       "audit", write_xlsx)
def _cross() -> Table:
    t = Table(long_columns(ref="Case ref", sample="Sample", type="Case type", area="Area",
                           who="Assessor", date="Audit date", age="Child's age",
                           gender="Gender", grade="Grade"))
    t.rows = long_rows(Typist(15), self_cases=8, further=4, forms=[0])
    t.set(t.find("SA-002", "force"), "area", "Ashby")
    t.plant(t.find("SA-002", "inspector"), "area", "Dunsby", "area-differs", W)
    t.set(t.find("SA-003", "force"), "age", 14)
    t.plant(t.find("SA-003", "inspector"), "age", 15, "age-differs", W)
    t.set(t.find("SA-004", "force"), "gender", "F")
    t.plant(t.find("SA-004", "inspector"), "gender", "M", "gender-differs", W)
    for who in ("force", "inspector"):  # every criterion applies to both types
        t.set(t.find("SA-005", who), "ic_child_seen", "Y")
    t.set(t.find("SA-005", "force"), "type", "DA")
    t.plant(t.find("SA-005", "inspector"), "type", "s47", "case-type-mismatch")
    t.set(t.find("SA-006", "force"), "sample", "Self-assessed")
    t.plant(t.find("SA-006", "inspector"), "sample", "Inspector selected", "sample-mismatch")
    dup = dict(t.rows[t.find("SA-007", "force")] or {})
    at = t.find("SA-007", "inspector") + 1
    t.rows.insert(at, dup)
    t.expect_at(at, "who", "duplicate-audit", note="SA-007 force audit typed twice")
    # IS-002: inspector-selected, but a force audit too
    insp = t.find("IS-002")
    t.set(insp, "sample", "Inspector selected")
    force = dict(t.rows[insp] or {}, who="Force", _who="force")
    t.rows.insert(insp, force)
    t.expect_at(insp, "sample", "force-audit-of-inspector-case")
    t.rows.pop(t.find("SA-008", "inspector"))
    t.set(t.find("SA-008", "force"), "sample", "Self-assessed")
    t.expect_at(t.find("SA-008", "force"), "ref", "incomplete-case", W)
    return t


# --- headers ------------------------------------------------------------------------------

@entry("16_misnamed_case_type.xlsx", "long layout under a title row with the case type "
       "header typed 'Case tpye'; the rows below hold mistakes that must not be reported "
       "(row checking stops)", write_xlsx)
def _misnamed_type() -> Table:
    t = Table(long_columns(type="Case tpye", date="Audit Date"), title=[TITLE])
    t.header_below_title()
    t.expect_header("type", "misnamed-column", suggest="case type")
    t.rows = long_rows(Typist(16), self_cases=3, further=3, forms=[0])
    t.set(t.find("IS-001"), "grade", "Goood")
    t.set(t.find("IS-002"), "date", "TBC")
    return t


@entry("17_misnamed_assessor.csv", "long layout, UTF-8 with BOM, the assessor header typed "
       "'Assesor'; mistakes in the rows must not be reported (row checking stops)", utf8_bom)
def _misnamed_assessor() -> Table:
    t = Table(long_columns(who="Assesor", date="Date of audit"))
    t.expect_header("who", "misnamed-column", suggest="assessor")
    t.rows = long_rows(Typist(17), self_cases=3, further=2, forms=[1])
    t.set(t.find("SA-001", "inspector"), "who", "Inspecter")
    t.set(t.find("IS-001"), "ah_risk_assessed", "yse")
    return t


@entry("18_misnamed_inspector_grade.xlsx", "wide layout with 'Self grade' and the "
       "inspectors' column typed 'Inspecter grade'; the rows (which would otherwise read as "
       "cases with a force grade only) must not be reported", write_xlsx)
def _misnamed_grade() -> Table:
    t = Table(wide_columns(insp="Inspecter grade"))
    t.expect_header("insp", "misnamed-column", suggest="inspector grade")
    t.rows = wide_rows(Typist(18), self_cases=4, further=2, forms=[0])
    t.set(t.find("W002"), "own", "Goood")
    return t


@entry("19_unknown_columns.xlsx", "long layout starting in column B with columns the tool "
       "does not know ('Officer in case', 'Date of referral'), a misspelt criterion id "
       "'ah_risk_asessed' and notes typed right of the table under no header; warnings "
       "only", write_xlsx)
def _unknown_columns() -> Table:
    crit = ["ic_child_seen", "ah_risk_asessed", "dm_supervisor_review"]
    cols = long_columns(crit, ref="Case Ref.", date="Date of audit", notes="")
    cols.insert(3, ("oic", "Officer in case"))
    cols.insert(7, ("referral", "Date of referral"))
    cols += [("blank1", ""), ("blank2", "")]
    t = Table(cols, lead=1)
    rows = long_rows(Typist(19), self_cases=3, further=3,
                     criteria=["ic_child_seen", "ah_risk_assessed", "dm_supervisor_review"],
                     forms=[0], types=["domestic_abuse", "s47_enquiry", "missing_child"])
    for r in rows:
        if r:
            r["ah_risk_asessed"] = r.pop("ah_risk_assessed")
            r["oic"] = "DC 4412"
            r["referral"] = dt.date(2014, 5, 28)
    t.rows = rows
    t.expect_header("oic", "unknown-column", W)
    t.expect_header("referral", "unknown-column", W)
    t.expect_header("ah_risk_asessed", "unknown-column", W, suggest="ah_risk_assessed")
    t.plant(t.find("SA-002", "inspector"), "blank2", "see email 12/07",
            "value-without-header", W)
    t.plant(t.find("IS-003"), "blank1", "chased", "value-without-header", W)
    return t


@entry("20_duplicate_column.csv", "long layout, UTF-8 with BOM, with both 'Case type' and "
       "'Category', and both 'Notes' and 'Comments'", utf8_bom)
def _duplicate_column() -> Table:
    cols = long_columns()
    cols.insert(4, ("category", "Category"))
    cols.append(("comments", "Comments"))
    t = Table(cols)
    t.rows = long_rows(Typist(20), self_cases=3, further=3, forms=[1])
    for r in t.rows:
        if r:
            r["category"] = r["type"]
    t.set(t.find("IS-001"), "comments", "see notes")
    t.expect_header("category", "duplicate-column")
    t.expect_header("comments", "duplicate-column")
    return t


@entry("21_missing_case_type_column.xlsx", "long layout under a title row with no case type "
       "column at all; mistakes in the rows must not be reported", write_xlsx)
def _missing_column() -> Table:
    t = Table(long_columns(type=""), title=["Case audit July 2014 (force sample)"])
    t.header_below_title()
    t.expect_row(t.header_row, "missing-column", note="no case_type column")
    t.rows = long_rows(Typist(21), self_cases=2, further=3, forms=[0])
    t.set(t.find("IS-001"), "grade", "Goood")
    return t


@entry("22_wrong_sheet_summary.csv", "the summary sheet exported instead of the cases: a "
       "grade count table with no case reference column anywhere", utf8)
def _no_header() -> Table:
    t = Table([("g", "Grade"), ("f", "Force"), ("i", "Inspectors")],
              title=["Self-assessed cases: grades", None])
    for grade, force, insp in (("Good", 19, 8), ("Adequate", 9, 16),
                               ("Requires improvement", 2, 1), ("Inadequate", 0, 5),
                               ("Total", 30, 30)):
        t.add(g=grade, f=force, i=insp)
    t.expect_file("missing-header", note="no case reference column in the first 30 rows")
    return t


# validate exits 1: the file was read and its check found the problem (grade, compare,
# annex and report exit 2 on it, like every error, and write nothing)
@entry("23_no_audits.xlsx", "the audit form's header row and nothing under it", write_xlsx,
       exit=1)
def _no_audits() -> Table:
    t = Table(long_columns())
    t.expect_row(t.header_row, "no-audits", note="headers, no data rows (at the header row, "
                 "not at a cell)")
    return t


# --- cells a reader cannot take at face value ------------------------------------------

_MERGES: dict[str, Any] = {}
"""Merged ranges of 24_excel_cells.xlsx (known once its table is built)."""


@entry("24_excel_cells.xlsx", "long layout: a grade formula showing #DIV/0!, a pasted "
       "#N/A in a date, the case type of two audits merged into one cell, an age computed "
       "by a formula", lambda t, p: write_xlsx(t, p, merges=_MERGES))
def _excel_cells() -> Table:
    t = Table(long_columns(date="Audit Date"))
    t.rows = long_rows(Typist(24), self_cases=4, further=4, forms=[0])
    t.plant(t.find("IS-001"), "grade", Formula("COUNTIF(H2:H9,\"Y\")/0", "#DIV/0!"),
            "error-cell", note="=COUNTIF(...)/0 saved as #DIV/0!")
    t.plant(t.find("IS-002"), "date", ErrorValue("#N/A"), "error-cell", note="pasted #N/A")
    f, i = t.find("SA-003", "force"), t.find("SA-003", "inspector")
    assert i == f + 1
    t.set(f, "type", None)
    t.set(i, "type", None)
    _MERGES[f"{t.cell(f, 'type')}:{t.cell(i, 'type')}"] = "CSE"
    t.expect_at(f, "type", "merged-cells", note="case type merged over both audits")
    t.plant(t.find("IS-004"), "age", Formula("2014-2003", 11), "formula-value-used", N)
    return t


@entry("25_uncached_formulas.xlsx", "long layout written by a script with openpyxl: a "
       "grade and an area computed by formulas that were never calculated; real date "
       "cells", write_openpyxl)
def _uncached() -> Table:
    t = Table(long_columns(date="Audit date"))
    t.rows = long_rows(Typist(25), self_cases=3, further=3, forms=[0])
    g = t.find("IS-002")
    t.plant(g, "grade", Uncached(f'=IF({t.letter("ah_risk_assessed")}{t.row_number(g)}="Y",'
                                 '"Good","Requires improvement")'), "formula-without-value")
    t.plant(t.find("IS-003"), "area", Uncached('=PROPER("eastwick")'),
            "formula-without-value")
    return t


@entry("26_control_characters.csv", "long layout, UTF-8: one note with a NUL byte pasted "
       "from a case system, another with a BEL; otherwise clean (warnings only)", utf8)
def _controls() -> Table:
    t = Table(long_columns(date="Audit date"))
    t.rows = long_rows(Typist(26), self_cases=3, further=3, forms=[1])
    t.plant(t.find("IS-001"), "notes", "Seen at home\x00 mother present", "control-characters",
            W, note="NUL in a note")
    t.plant(t.find("SA-002", "force"), "notes", "Child\x07 refused to speak", "control-characters",
            W, note="BEL in a note")
    return t


@entry("27_cell_too_long.xlsx", "long layout with a case note of 40,000 characters (pasted "
       "from a case file), over Excel's 32,767-character cell limit", write_xlsx)
def _too_long() -> Table:
    t = Table(long_columns(date="Audit date"))
    t.rows = long_rows(Typist(27), self_cases=3, further=3, forms=[0])
    words = Typist(270)
    text = " ".join(words.pick(["child", "seen", "officer", "referral", "mother", "school",
                                "strategy", "discussion", "visit", "no", "further", "action",
                                "risk", "social", "worker", "home", "police", "called",
                                str(words.rng.randrange(1000))]) for _ in range(7000))
    text = text[:40_000].strip()
    assert len(text) > 32_767
    t.plant(t.find("IS-002"), "notes", TooLong(text), "cell-too-long",
            note="40,000 characters")
    return t


@entry("28_external_link.xlsx", "long layout where one grade is a formula pointing into "
       "another workbook (grades.xlsx), saved with its value 'Good'", write_xlsx)
def _external() -> Table:
    t = Table(long_columns(date="Audit date"))
    t.rows = long_rows(Typist(28), self_cases=3, further=3, forms=[0])
    t.expect_file("external-links", W, note="the workbook has an externalLink part")
    t.plant(t.find("IS-002"), "grade", ExternalLink("[1]Grades!$F$14", "Good",
                                                    "file:///C:/Audits/grades.xlsx"),
            "external-link", W, note="='[grades.xlsx]Grades'!$F$14 saved as Good")
    return t


@entry("29_lookalike_refs.csv", "long layout, UTF-8 with BOM: references pasted from other "
       "systems (a non-breaking hyphen, full-width letters), one typed '  00126<TAB>', and "
       "a row with no reference", utf8_bom)
def _lookalikes() -> Table:
    t = Table(long_columns(ref="Case Ref", date="Audit date"))
    t.rows = long_rows(Typist(29), self_cases=3, further=4, forms=[1])
    t.plant(t.find("SA-001", "inspector"), "ref", "SA\u2011001", "reference-normalised", W)
    t.plant(t.find("SA-002", "inspector"), "ref", "\uff33\uff21-002", "reference-normalised",
            W)
    i = t.find("IS-003")
    t.set(i, "_case", "00126")
    t.plant(i, "ref", "  00126\t", "value-trimmed", N)
    t.plant(t.find("IS-004"), "ref", None, "missing-case-ref")
    return t


# --- .ods and .xls with mistakes ------------------------------------------------------

@entry("30_ods_mistakes.ods", "long layout in LibreOffice Calc under a title row: "
       "'Burglary', 'Domestic abus', age 18, 'Femal', an area computed by a formula", write_ods)
def _ods() -> Table:
    t = Table(long_columns(ref="Case ref", date="Date of audit", age="Child's age",
                           gender="Child's gender"), title=[TITLE])
    t.header_below_title()
    t.rows = long_rows(Typist(30), self_cases=3, further=5, forms=[0])
    t.plant(t.find("IS-001"), "type", "Burglary", "unknown-case-type")
    t.plant(t.find("IS-002"), "type", "Domestic abus", "unknown-case-type",
            suggest="Domestic abuse")
    t.plant(t.find("IS-003"), "age", 18, "bad-age")
    t.plant(t.find("IS-004"), "gender", "Femal", "unknown-gender", suggest="female")
    t.plant(t.find("IS-005"), "area", Formula('PROPER("greystone")', "Greystone"),
            "formula-value-used", N)
    return t


@entry("31_xls_mistakes.xls", "wide layout in Excel 97-2003 under a title and a blank row: "
       "'Goood', 'next week', date cells in 2041 and 1985", write_xls)
def _xls() -> Table:
    t = Table(wide_columns(ref="Case Ref.", type="Type of case", date="Audit Date",
                           own="Self-assessment grade", insp="Inspector's grade"),
              title=[TITLE, None])
    t.header_below_title()
    t.rows = wide_rows(Typist(31), self_cases=4, further=6, forms=[0])
    t.plant(t.find("W002"), "own", "Goood", "unknown-grade", suggest="Good")
    t.plant(t.find("W005"), "date", "next week", "bad-date")
    t.plant(t.find("W006"), "date", dt.date(2041, 7, 14), "future-date")
    t.plant(t.find("W007"), "date", dt.date(1985, 1, 1), "early-date")
    return t


# --- medium files -----------------------------------------------------------------------

@entry("32_medium_long.csv", "200 audits, long layout, UTF-8 with BOM, two title rows and a "
       "blank row, blank rows between blocks, a note with a line break in quotes; mistakes "
       "spread through it", utf8_bom)
def _medium_long() -> Table:
    t = Table(long_columns(ref="Case Ref.", sample="Sample", type="Type of case",
                           area="Local authority", who="Audited by", date="Audit Date",
                           age="Child's age", gender="Gender", grade="Overall grade",
                           notes="Notes"),
              title=[TITLE, "Prepared by the force audit team for HMIC", None])
    t.header_below_title()
    rows = long_rows(Typist(32), self_cases=60, further=81, gap_every=20,
                     forms=[1, 2, 3, 4, 5, 6, 7])
    t.rows = rows
    t.rows.pop(t.find("SA-041", "inspector"))
    assert sum(r is not None for r in t.rows) == 200
    t.set(t.find("SA-010", "force"), "notes", "Seen at school.\nMother told the same day.")
    t.expect_at(t.find("SA-041", "force"), "ref", "incomplete-case", W)
    t.plant(t.find("SA-007", "inspector"), "grade", "Requires improvment", "unknown-grade",
            suggest="Requires improvement")
    t.plant(t.find("IS-012"), "ah_risk_assessed", "partyl", "unknown-answer", suggest="partly")
    t.plant(t.find("IS-020"), "age", "15.5", "bad-age")
    t.plant(t.find("IS-033"), "date", "31/06/2014", "impossible-date")
    t.plant(t.find("IS-047"), "grade", "Good!", "value-normalised", N)
    i = t.find("IS-049")
    assert t.rows[i]["_type"] == "sex_offender"  # type: ignore[index]
    t.plant(i, "ic_child_seen", "Y", "criterion-not-applicable")
    t.set(t.find("SA-030", "force"), "area", "Ashby")
    t.plant(t.find("SA-030", "inspector"), "area", "Eastwick", "area-differs", W)
    t.set(t.find("SA-022", "force"), "age", 12)
    t.plant(t.find("SA-022", "inspector"), "age", 13, "age-differs", W)
    dup = dict(t.rows[t.find("IS-060")] or {})
    at = t.find("IS-061")
    t.rows.insert(at, dup)
    t.rows.pop(t.find("IS-081"))  # keep 200 audits
    t.expect_at(at, "who", "duplicate-audit", note="IS-060 typed twice")
    return t


@entry("33_medium_wide.xlsx", "200 cases, wide layout, 'Self-assessment grade' and "
       "'Inspectors Grade', date cells and typed dates, the one sheet called 'GBP audit July "
       "2014'; mistakes spread through it",
       lambda t, p: write_xlsx(t, p, sheet="GBP audit July 2014"))
def _medium_wide() -> Table:
    t = Table(wide_columns(ref="Case reference", sample="Selection", type="Type of case",
                           area="Area", date="Date of audit", age="Age", gender="Gender",
                           own="Self-assessment grade", insp="Inspectors Grade",
                           notes="Notes"))
    t.rows = wide_rows(Typist(33), self_cases=60, further=140, forms=[0, 0, 1, 2, 6])
    t.plant(t.find("W015"), "insp", "Outstanding", "unknown-grade")
    t.plant(t.find("W050"), "area", Formula('PROPER("dunsby")', "Dunsby"),
            "formula-value-used", N)
    i = t.find("W150")
    t.set(i, "own", "Good")
    t.plant(i, "sample", "Inspector selected", "force-audit-of-inspector-case")
    t.set(t.find("W031"), "sample", "Self-assessed")
    t.set(t.find("W031"), "type", "DA")
    t.set(t.find("W031"), "insp", None)
    t.expect_at(t.find("W031"), "ref", "incomplete-case", W)
    t.plant(t.find("W160"), "insp", None, "no-grade-or-answers")
    t.plant(t.find("W170"), "sample", "Self-asessed", "unknown-sample",
            suggest="self-assessed")
    t.plant(t.find("W180"), "date", "TBC", "bad-date")
    dup = dict(t.rows[t.find("W100")] or {})
    t.rows.insert(t.find("W101"), dup)
    t.rows.pop(t.find("W200"))
    t.expect_at(t.find("W100", nth=1), "ref", "duplicate-audit", note="W100 typed twice")
    return t


# --- choices ------------------------------------------------------------------------------

@entry("34_choices_did_you_mean.xlsx", "long layout with report-example columns: "
       "'Self-asessed', 'Insp.', 'Good practise', 'Initial response', 'Adequte', "
       "'Sex offender enquirey', 'Boy'/'M' for one child (no difference)", write_xlsx)
def _choices() -> Table:
    cols = long_columns(date="Audit date")
    cols.insert(-1, ("example", "Example"))
    cols.insert(-1, ("theme", "Example theme"))
    t = Table(cols)
    t.rows = long_rows(Typist(34), self_cases=4, further=7, forms=[0],
                       types=["sex_offender", "domestic_abuse", "s47_enquiry"])
    t.set(t.find("SA-001", "force"), "gender", "Boy")
    t.set(t.find("SA-001", "inspector"), "gender", "M")
    t.set(t.find("IS-001"), "example", "Good practice")
    t.set(t.find("IS-001"), "theme", "Initial contact")
    t.set(t.find("IS-002"), "example", "Concern")
    t.plant(t.find("SA-002", "force"), "sample", "Self-asessed", "unknown-sample",
            suggest="self-assessed")
    t.plant(t.find("SA-003", "inspector"), "who", "Insp.", "unknown-assessor")
    t.plant(t.find("IS-003"), "example", "Good practise", "unknown-example")
    t.set(t.find("IS-004"), "example", "Concern")
    t.plant(t.find("IS-004"), "theme", "Initial response", "unknown-theme")
    t.plant(t.find("IS-005"), "grade", "Adequte", "unknown-grade", suggest="Adequate")
    i = t.find("IS-007")
    assert t.rows[i]["_type"] == "sex_offender"  # type: ignore[index]
    t.plant(i, "type", "Sex offender enquirey", "unknown-case-type",
            suggest="Sex offender enquiry")
    return t


@entry("35_ages_genders.csv", "long layout, UTF-8: ages 18, 2.5 and -1, a gender typed "
       "'Unknown', and two cases whose audits give the child different ages and genders "
       "('F'/'Female' is no difference); typed by hand, lines not padded to the table's width",
       lambda t, p: write_csv(t, p, pad=False))
def _ages() -> Table:
    t = Table(long_columns(age="Age of child", gender="Child's gender", date="Audit date"))
    t.rows = long_rows(Typist(35), self_cases=5, further=5, forms=[1])
    t.plant(t.find("IS-001"), "age", 18, "bad-age")
    t.plant(t.find("IS-002"), "age", "2.5", "bad-age")
    t.plant(t.find("IS-003"), "age", "-1", "bad-age")
    t.plant(t.find("IS-004"), "gender", "Unknown", "unknown-gender")
    t.set(t.find("SA-001", "force"), "gender", "F")
    t.set(t.find("SA-001", "inspector"), "gender", "Female")
    t.set(t.find("SA-002", "force"), "gender", "Girl")
    t.plant(t.find("SA-002", "inspector"), "gender", "Boy", "gender-differs", W)
    t.set(t.find("SA-003", "force"), "age", 7)
    t.plant(t.find("SA-003", "inspector"), "age", 17, "age-differs", W)
    return t


@entry("36_wide_cases.csv", "wide layout, UTF-8 with BOM, starting in column B as Excel "
       "exports a sheet with an empty first column: a case typed twice, a force grade for "
       "an inspector-selected case, a self-assessed case with the force grade only, a case "
       "with neither grade, a row without a reference", utf8_bom)
def _wide_cases() -> Table:
    t = Table(wide_columns(ref="Case no", sample="Sample", type="Case type",
                           date="Date of audit", own="Force judgement",
                           insp="Inspector judgement"), lead=1)
    t.rows = wide_rows(Typist(36), self_cases=5, further=7, forms=[1])
    dup = dict(t.rows[t.find("W002")] or {})
    t.rows.insert(t.find("W006"), dup)
    t.expect_at(t.find("W002", nth=1), "ref", "duplicate-audit", note="W002 typed twice")
    i = t.find("W008")
    t.set(i, "own", "Adequate")
    t.plant(i, "sample", "Inspector selected", "force-audit-of-inspector-case")
    t.set(t.find("W004"), "sample", "Self-assessed")
    t.set(t.find("W004"), "insp", None)
    t.expect_at(t.find("W004"), "ref", "incomplete-case", W)
    t.plant(t.find("W010"), "insp", None, "no-grade-or-answers")
    t.plant(t.find("W011"), "ref", None, "missing-case-ref")
    return t


@entry("37_long_row_mistakes.xlsx", "long layout: an audit with neither grade nor answers, "
       "a police-detention criterion answered for a domestic abuse case, a blank case type, "
       "and answers typed 'Yes.', 'in part' and 'not known'", write_xlsx)
def _long_rows() -> Table:
    crit = [*CRITERIA, "pd_appropriate_adult"]
    t = Table(long_columns(crit, date="Audit date", grade="Judgement"))
    t.rows = long_rows(Typist(37), self_cases=3, further=6, criteria=crit, forms=[0],
                       types=["domestic_abuse", "child_in_custody", "missing_child"])
    i = t.find("IS-002")
    for cid in crit:
        t.set(i, cid, None)
    t.plant(i, "grade", None, "no-grade-or-answers")
    j = t.find("IS-004")
    assert t.rows[j]["_type"] == "domestic_abuse"  # type: ignore[index]
    t.plant(j, "pd_appropriate_adult", "N", "criterion-not-applicable")
    t.plant(t.find("IS-005"), "type", None, "missing-case-type")
    t.plant(t.find("IS-006"), "ah_risk_assessed", "Yes.", "value-normalised", N)
    t.set(t.find("IS-003"), "ah_information_shared", "in part")
    t.set(t.find("IS-003"), "dm_supervisor_review", "not known")
    return t


@entry("38_unicode_text_utf16.txt", "wide layout saved by Excel as 'Unicode Text': UTF-16 "
       "with a byte-order mark, tab-delimited, \"Inspectors' grade\", Annex A labels with "
       "the curly apostrophe", lambda t, p: write_csv(t, p, encoding="utf-16",
                                                     delimiter="\t", quoting=csv.QUOTE_NONE))
def _utf16() -> Table:
    t = Table(wide_columns(ref="Case Ref", type="Type of case", date="Date of audit",
                           own="Self assessment grade", insp="Inspectors' grade",
                           notes="Notes"))
    t.expect_file("delimiter-detected", N)
    t.rows = wide_rows(Typist(38), self_cases=8, further=4, forms=[1, 2, 4])
    for r in t.rows:
        if r is not None and r["_type"] in ANNEX_A:
            r["type"] = ANNEX_A[r["_type"]]
    return t


# --- build ------------------------------------------------------------------------------

def build() -> None:
    FILES.mkdir(exist_ok=True)
    for old in FILES.iterdir():
        old.unlink()
    manifest: dict[str, Any] = {"files": []}
    for e in CORPUS:
        e.write(e.table, FILES / e.name)
        data_rows = sum(r is not None for r in e.table.rows)
        manifest["files"].append({
            "file": e.name, "description": e.description, "audit_rows": data_rows,
            "exit": e.exit_code(),
            "problems": e.table.resolved()})
    header = ("# The planted-mistake corpus: for each file in files/, every problem\n"
              "# `hmic-audit validate FILE --format json` must report (code, severity, and\n"
              "# cell - or row when the problem is about a row, or neither for the file),\n"
              "# nothing else, and the exit code. `suggest`: text the message must contain.\n"
              "# `note`: what was planted (not checked). Written by build.py: do not edit.\n")
    MANIFEST.write_text(header + yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True,
                                                width=100), encoding="utf-8")
    print(f"{len(CORPUS)} files, "
          f"{sum(len(e.table.expected) for e in CORPUS)} planted problems -> {FILES}")


if __name__ == "__main__":
    build()
