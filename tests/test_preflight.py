"""The pre-flight scan of .xlsx containers: cell facts read from the sheet XML, whatever
its chunking, row order or shape (written by openpyxl, by xlsxwriter, or by hand); and
the reader placing every value at the cell a person sees."""

from __future__ import annotations

import random
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from hmic_audit.io import container, preflight, scan_xlsx
from hmic_audit.io.preflight import SheetFacts, check_xlsx
from hmic_audit.io.sheets import read_grid
from hmic_audit.problems import column_letter

from .conftest import SAMPLE

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MIB = 1 << 20


# --- building workbooks -------------------------------------------------------------

@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real small workbook (openpyxl) whose sheet XML the hostile shapes replace."""
    path = tmp_path_factory.mktemp("base") / "base.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Cases"
    wb.active["A1"] = "x"
    wb.save(path)
    return path


def with_sheet(base: Path, path: Path, xml: str | bytes) -> Path:
    """A copy of the base workbook with xl/worksheets/sheet1.xml replaced by xml."""
    data = xml.encode() if isinstance(xml, str) else xml
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            part = src.read(info.filename)
            out.writestr(info, data if info.filename == "xl/worksheets/sheet1.xml" else part)
    return path


def sheet(rows: str, after: str = "", root: str = f'<worksheet xmlns="{NS}">',
          close: str = "</worksheet>", data: tuple[str, str] = ("<sheetData>", "</sheetData>"),
          ) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + root
            + '<dimension ref="A1"/>' + data[0] + rows + data[1] + after + close)


def scan_facts(path: Path) -> SheetFacts:
    scan = check_xlsx(path, path.name)
    assert scan.ok, scan.problems
    return scan.sheets["Cases"]


def sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml")


@pytest.fixture
def regions(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every stretch of sheet data the scan searched, in order."""
    seen: list[bytes] = []
    real = scan_xlsx._SheetScan._cells

    def spy(self: Any, data: bytes) -> None:
        seen.append(bytes(data))
        real(self, data)

    monkeypatch.setattr(scan_xlsx._SheetScan, "_cells", spy)
    return seen


def sheet_data(xml: bytes) -> bytes:
    """What lies between <sheetData> and </sheetData>."""
    start = re.search(rb"<(?:\w+:)?sheetData\b[^>]*>", xml)
    end = re.search(rb"</(?:\w+:)?sheetData\s*>", xml)
    assert start and end
    return xml[start.end():end.start()]


# --- an independent reading of the sheet XML (ElementTree), as readers place cells ----

def placed(path: Path) -> dict[str, str]:
    """Cell reference -> text, as the reader placed every value it read."""
    grid = read_grid(path)
    out = {}
    for j, column in enumerate(grid.columns):
        letters = column_letter(grid.column_numbers[j])
        for i, row in enumerate(grid.rows.tolist()):
            if column.text(i):
                out[f"{letters}{row}"] = column.text(i)
    return out


def reference(xml: bytes) -> dict[str, Any]:
    """errors, uncached, formulas, links and merged, by a full XML parse."""
    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    def where(ref: str) -> tuple[int, int]:
        letters = ref.rstrip("0123456789").upper()
        number = 0
        for ch in letters:
            number = number * 26 + ord(ch) - 64
        return int(ref[len(letters):]), number

    out: dict[str, Any] = {"errors": {}, "uncached": set(), "formulas": set(),
                           "links": {}, "merged": set()}
    row = col = 0
    for el in ET.fromstring(xml).iter():
        name = local(el.tag)
        if name == "row":
            row = int(el.get("r")) if el.get("r") else row + 1
            col = 0
        elif name == "mergeCell":
            a, _, b = el.get("ref", "").partition(":")
            (r1, c1), (r2, c2) = where(a), where(b or a)
            out["merged"].add((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
        elif name == "c":
            r, c = where(el.get("r")) if el.get("r") else (max(row, 1), col + 1)
            col = c
            kids = {local(k.tag): k for k in el}
            kind = el.get("t", "n")
            v = kids.get("v")
            text = None if v is None else (v.text or "")
            ref = f"{column_letter(c)}{r}"
            if kind == "e" and v is not None:
                out["errors"][ref] = text
            uncached = "f" in kids and not text and "is" not in kids
            if uncached:
                out["uncached"].add(ref)
            if "f" in kids and "[1]" in (kids["f"].text or ""):
                out["links"][ref] = "external workbook 1"
            elif "f" in kids and not uncached and kind != "e":
                out["formulas"].add(ref)
    return out


def assert_matches_reference(facts: SheetFacts, xml: bytes) -> None:
    want = reference(xml)
    assert facts.errors == want["errors"]
    assert facts.uncached == want["uncached"]
    assert facts.formulas == want["formulas"]
    assert facts.links == want["links"]
    assert set(facts.merged) == want["merged"]
    assert len(facts.merged) == len(want["merged"])


# --- ordinary workbooks ---------------------------------------------------------------

def test_sample_workbook_facts():
    scan = check_xlsx(SAMPLE, SAMPLE.name)
    assert scan.problems == []
    wb = openpyxl.load_workbook(SAMPLE, read_only=True)
    with zipfile.ZipFile(SAMPLE) as z:
        parts = scan_xlsx._sheet_parts(z)
        for name, facts in scan.sheets.items():
            ws = wb[name]
            assert facts.rows >= ws.max_row and facts.columns >= ws.max_column
            assert_matches_reference(facts, z.read(parts[name]))
    facts = scan.sheets["Cases"]
    assert facts.errors == {} and facts.uncached == set() and facts.merged == []


def test_openpyxl_workbook(tmp_path):
    path = tmp_path / "op.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cases"
    for r in range(1, 40):
        ws.append([f"C{r}", r, r * 1.5, "inspector", "yes" if r % 2 else "no"])
    ws["G5"] = "#DIV/0!"  # openpyxl writes this as an error cell
    ws["H7"] = "=SUM(B1:B3)"  # formulas are saved without a value
    ws.merge_cells("B45:C47")
    wb.save(path)
    facts = scan_facts(path)
    assert facts.errors == {"G5": "#DIV/0!"}
    assert facts.uncached == {"H7"}
    assert facts.merged == [(45, 2, 47, 3)]
    assert facts.rows >= 39 and facts.columns >= 8
    assert_matches_reference(facts, sheet_xml(path))


def test_xlsxwriter_workbook_with_leading_blank_rows_and_columns(tmp_path):
    path = tmp_path / "xw.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Cases")
    bold = wb.add_format({"bold": True})
    ws.write_blank("A1", None, bold)  # styled but empty: not where the grid starts
    ws.write_blank("B2", None, bold)
    ws.write_row("C4", ["Case ref", "Grade", "Date"])
    ws.write_row("C5", ["A-1", "good", 3])
    ws.write_formula("E6", "=1/0", None, "#DIV/0!")
    ws.write_formula("D6", "=E5*2", None, 6)
    ws.merge_range("G10:H12", "merged")
    wb.close()
    facts = scan_facts(path)
    assert facts.errors == {"E6": "#DIV/0!"}
    assert facts.uncached == set()
    assert facts.merged == [(10, 7, 12, 8)]
    assert_matches_reference(facts, sheet_xml(path))


def test_values_sit_where_a_person_sees_them(tmp_path):
    path = tmp_path / "offset.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Cases")
    ws.write_blank("A1", None, wb.add_format({"bold": True}))  # styled but empty
    ws.write_row("D3", ["a", "b"])
    ws.write_row("B7", ["c"])  # further left, lower down
    wb.close()
    assert placed(path) == {"D3": "a", "E3": "b", "B7": "c"}
    assert read_grid(path).rows[0] == 3  # leading blank rows are left out, and counted


# --- cells across the chunk boundary ------------------------------------------------

def _straddling_sheet() -> tuple[str, str, str]:
    """Sheet XML with an error cell across the first 1 MiB boundary and an uncached
    formula across the second, each with a formula of 10,000 characters; and the two
    cells' XML."""
    formula = "+".join(["1/0"] * 2500)
    assert len(formula) > 4096 * 2
    error = f'<c r="E{{row}}" t="e"><f>{formula}</f><v>#DIV/0!</v></c>'
    uncached = f'<c r="F{{row}}"><f>{formula}</f></c>'
    head = sheet("", data=("<sheetData>", "")).replace("</worksheet>", "")
    parts = [head]
    size = len(head)
    row = 0
    cells = {}
    for target, template in ((MIB, error), (2 * MIB, uncached)):
        while True:
            row += 1
            filler = (f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>case {row} '
                      f'{"x" * 60}</t></is></c><c r="B{row}"><v>{row}</v></c></row>')
            if size + len(filler) > target - 5000:
                break
            parts.append(filler)
            size += len(filler)
        cell = template.format(row=row)
        line = f'<row r="{row}"><c r="A{row}"><v>1</v></c>{cell}</row>'
        start = size + line.index(cell)
        assert start < target < start + len(cell)  # the cell straddles the boundary
        parts.append(line)
        size += len(line)
        cells[target] = (cell, row)
    parts.append('</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'
                 "</worksheet>")
    xml = "".join(parts)
    assert xml.isascii()
    return xml, *(f"{cells[t][0]}" for t in (MIB, 2 * MIB))


def test_cells_across_the_real_chunk_boundary_are_found_once(base, tmp_path, regions):
    assert container.CHUNK == MIB
    xml, error_cell, uncached_cell = _straddling_sheet()
    path = with_sheet(base, tmp_path / "straddle.xlsx", xml)
    facts = scan_facts(path)
    error_ref = re.search(r'r="(\w+)"', error_cell).group(1)
    uncached_ref = re.search(r'r="(\w+)"', uncached_cell).group(1)
    assert facts.errors == {error_ref: "#DIV/0!"}
    assert facts.uncached == {uncached_ref}
    assert facts.merged == [(1, 1, 1, 2)]
    # every cell was searched whole, in exactly one stretch, and nothing twice
    assert b"".join(regions) == sheet_data(xml.encode())
    for cell in (error_cell.encode(), uncached_cell.encode()):
        holding = [r for r in regions if cell[:20] in r]
        assert len(holding) == 1 and cell in holding[0]
    assert_matches_reference(facts, xml.encode())


@pytest.mark.parametrize("chunk", [64, 97, 256, 1000, 4096])
def test_any_chunk_size_gives_the_same_facts(base, tmp_path, monkeypatch, regions, chunk):
    rows = []
    for r in range(1, 60):
        text = "y" * (r * 37 % 700)  # some cells longer than the chunk
        cells = [f'<c r="B{r}" t="inlineStr"><is><t>{text}</t></is></c>']
        if r % 7 == 0:
            cells.append(f'<c r="C{r}" t="e"><f>{"1/0+" * (r * 20)}1/0</f><v>#N/A</v></c>')
        if r % 11 == 0:
            cells.append(f'<c r="D{r}"><f t="shared" ref="D{r}:D{r + 1}" si="{r}">'
                         f'{"A1+" * (r * 30)}1</f></c>')
        if r % 13 == 0:
            cells.append(f'<c r="E{r}" s="1"/>')
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    xml = sheet("".join(rows), after='<mergeCells count="2"><mergeCell ref="B2:C3"/>'
                '<mergeCell ref="E20:E30"/></mergeCells>')
    path = with_sheet(base, tmp_path / "chunks.xlsx", xml)
    whole = scan_facts(path)
    regions.clear()
    monkeypatch.setattr(container, "CHUNK", chunk)
    facts = scan_facts(path)
    assert len(regions) > 1 or chunk > len(xml)
    assert b"".join(regions) == sheet_data(xml.encode())
    for field in ("errors", "uncached", "formulas", "links", "merged"):
        assert getattr(facts, field) == getattr(whole, field)
    assert facts.errors == {f"C{r}": "#N/A" for r in range(7, 60, 7)}
    assert facts.uncached == {f"D{r}" for r in range(11, 60, 11)}
    assert facts.merged == [(2, 2, 3, 3), (20, 5, 30, 5)]
    assert_matches_reference(facts, xml.encode())


def test_a_cell_larger_than_many_chunks_is_carried_whole(base, tmp_path, monkeypatch,
                                                           regions):
    big = "z" * 50_000
    xml = sheet(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{big}</t></is></c>'
                f'<c r="B1" t="e"><f>{"1/0+" * 5000}1/0</f><v>#REF!</v></c></row>'
                '<row r="2"><c r="C2"><v>2</v></c></row>')
    path = with_sheet(base, tmp_path / "long.xlsx", xml)
    monkeypatch.setattr(container, "CHUNK", 512)
    facts = scan_facts(path)
    assert facts.errors == {"B1": "#REF!"}
    assert b"".join(regions) == sheet_data(xml.encode())


# --- row numbers from the cells' own references --------------------------------------

def test_rows_out_of_order(base, tmp_path):
    xml = sheet('<row r="9"><c r="C9"><v>9</v></c></row>'
                '<row r="4"><c r="D4" t="inlineStr"><is><t>four</t></is></c></row>'
                '<row r="12"><c r="B12"><v>12</v></c></row>'
                '<row r="2"><c r="A2" s="3"/></row>')  # styled but empty: no value
    path = with_sheet(base, tmp_path / "order.xlsx", xml)
    assert placed(path) == {"C9": "9", "D4": "four", "B12": "12"}


def test_out_of_order_rows_in_later_chunks(base, tmp_path, monkeypatch):
    rows = [f'<row r="{r}"><c r="C{r}"><v>{r}</v></c></row>' for r in range(50, 300)]
    rows.insert(200, '<row r="7"><c r="E7"><v>7</v></c></row>')
    rows.insert(220, '<row r="600"><c r="B600" t="inlineStr"><is><t>b</t></is></c></row>')
    xml = sheet("".join(rows))
    path = with_sheet(base, tmp_path / "late.xlsx", xml)
    for chunk in (MIB, 300):
        monkeypatch.setattr(container, "CHUNK", chunk)
        assert check_xlsx(path, "late.xlsx").ok
    cells = placed(path)
    assert cells["E7"] == "7" and cells["B600"] == "b" and cells["C50"] == "50"


def test_cell_references_win_over_row_tags(base, tmp_path):
    # readers place a cell by its own reference, even inside a row tag that disagrees
    xml = sheet('<row r="5"><c r="C5"><v>1</v></c></row><row r="6"><c r="D2"><v>2</v></c>'
                '</row>')
    path = with_sheet(base, tmp_path / "disagree.xlsx", xml)
    assert placed(path) == {"C5": "1", "D2": "2"}


def test_sheet_without_values(base, tmp_path):
    xml = sheet('<row r="3"><c r="B3" s="1"/></row>', after='<mergeCells count="1">'
                '<mergeCell ref="A1:A2"/></mergeCells>')
    path = with_sheet(base, tmp_path / "blank.xlsx", xml)
    assert scan_facts(path).merged == [(1, 1, 2, 1)]
    grid = read_grid(path)
    assert grid.height == 0 and grid.columns == [] and grid.merged == [(1, 1, 2, 1)]
    facts = scan_facts(with_sheet(base, tmp_path / "none.xlsx",
                                  sheet("", data=("<sheetData/>", ""))))
    assert facts.errors == {} and facts.merged == [] and facts.rows == 0
    assert read_grid(tmp_path / "none.xlsx").height == 0


# --- cells without references, and other shapes of XML --------------------------------

def test_cells_without_references_sit_where_their_order_puts_them(base, tmp_path):
    # A cell without r takes the column after the previous cell of its row; a row
    # without r the number after the previous row tag.
    xml = sheet('<row r="3"><c s="1"/><c><v>1</v></c><c t="e"><v>#N/A</v></c></row>'
                '<row><c r="C4"><v>2</v></c><c><f>1/0</f></c></row>'
                '<row r="2"><c/><c/><c/><c t="inlineStr"><is><t>x</t></is></c></row>')
    path = with_sheet(base, tmp_path / "norefs.xlsx", xml)
    facts = scan_facts(path)
    assert facts.errors == {"C3": "#N/A"}
    assert facts.uncached == {"D4"}
    assert_matches_reference(facts, xml.encode())
    assert placed(path) == {"B3": "1", "C4": "2", "D2": "x"}


def test_cells_without_references_count_towards_the_used_range(base, tmp_path):
    wide = "<c/>" * 1_200
    xml = sheet(f'<row r="1"><c r="A1"><v>1</v></c></row><row r="2">{wide}<c><v>2</v></c>'
                "</row>")
    scan = check_xlsx(with_sheet(base, tmp_path / "wide.xlsx", xml), "wide.xlsx")
    assert [p.code for p in scan.problems] == ["used-range-too-large"]


@pytest.mark.parametrize("ref", ["xfd1048576", "A20000000", "AAAA5"])
def test_far_references_in_any_form_are_refused(base, tmp_path, ref):
    xml = sheet(f'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="{ref}"><v>1</v>'
                "</c></row>")
    scan = check_xlsx(with_sheet(base, tmp_path / "far.xlsx", xml), "far.xlsx")
    assert [p.code for p in scan.problems] == ["used-range-too-large"]


def test_other_shapes_of_xml(base, tmp_path):
    # prefixed elements, lowercase references, attributes in another order, single
    # quotes and whitespace: readers accept them all, and so does the scan
    root = f'<x:worksheet xmlns:x="{NS}">'
    xml = sheet('<x:row r="2"><x:c r="B2" t="e"><x:v>#DIV/0!</x:v></x:c>'
                '<x:c r="C2"><x:f>A1</x:f></x:c></x:row>'
                '<row r="3"><c s="0" t="e" r="d3"><v>#N/A</v></c>'
                "<c r='E3'\n t='e'><v>#REF!</v></c>"
                '<c\n r="F3">\n  <f>1/0</f>\n</c></row>',
                root=root, close="</x:worksheet>",
                data=("<x:sheetData>", "</x:sheetData>"),
                after='<x:mergeCells><x:mergeCell ref="c5:b4"/></x:mergeCells>')
    facts = scan_facts(with_sheet(base, tmp_path / "shapes.xlsx", xml))
    assert facts.errors == {"B2": "#DIV/0!", "D3": "#N/A", "E3": "#REF!"}
    assert facts.uncached == {"C2", "F3"}
    assert facts.merged == [(4, 2, 5, 3)]
    assert_matches_reference(facts, xml.encode())


def test_sheets_of_100000_rows_and_more(base, tmp_path, monkeypatch):
    rows = [f'<row r="{r}"><c r="B{r}"><v>{r}</v></c></row>' for r in range(1, 4)]
    rows += [f'<row r="{r}"><c r="B{r}"><v>{r}</v></c><c r="C{r}" t="e"><v>#N/A</v></c>'
             f'<c r="D{r}"><f>1/0</f><v></v></c></row>' for r in range(99_990, 100_010)]
    rows.append('<row r="100020"><c r="A2"><v>0</v></c></row>')  # a value above and left
    xml = sheet("".join(rows))
    path = with_sheet(base, tmp_path / "tall.xlsx", xml)
    for chunk in (MIB, 200):
        monkeypatch.setattr(container, "CHUNK", chunk)
        facts = scan_facts(path)
        assert facts.rows == 100_020
        assert facts.errors == {f"C{r}": "#N/A" for r in range(99_990, 100_010)}
        assert facts.uncached == {f"D{r}" for r in range(99_990, 100_010)}
    stray = sheet("".join(rows[:-1]) + '<row r="100030"><c r="ZZ3"><v>1</v></c></row>')
    scan = check_xlsx(with_sheet(base, tmp_path / "stray.xlsx", stray), "stray.xlsx")
    assert [p.code for p in scan.problems] == ["used-range-too-large"]


# --- merged cells -----------------------------------------------------------------------

def test_merged_ranges(base, tmp_path, monkeypatch):
    merges = "".join(f'<mergeCell ref="A{r}:C{r + 1}"/>' for r in range(10, 400, 2))
    xml = sheet('<row r="1"><c r="A1"><v>1</v></c></row>',
                after=f'<mergeCells count="196">{merges}<mergeCell ref="D2"/>'
                '<mergeCell ref="D2"/><mergeCell ref="bogus"/></mergeCells>')
    path = with_sheet(base, tmp_path / "merges.xlsx", xml)
    want = [(r, 1, r + 1, 3) for r in range(10, 400, 2)] + [(2, 4, 2, 4)]
    assert scan_facts(path).merged == want
    monkeypatch.setattr(container, "CHUNK", 100)
    assert scan_facts(path).merged == want
    monkeypatch.setattr(scan_xlsx, "MAX_MERGES", 3)
    assert scan_facts(path).merged == want[:3]


# --- many random sheets against the full XML parse ---------------------------------------

def _random_sheet(rng: random.Random, shape: set[str]) -> str:
    p = "x:" if "prefix" in shape else ""
    gap = "\n  " if "pretty" in shape else ""
    rows = []
    numbers = rng.sample(range(1, 60), rng.randint(1, 25))
    if "tall" in shape:  # rows around 100,000, where rows are measured another way
        numbers = [n + 99_970 if n > 3 else n for n in numbers]
    if "shuffled" not in shape:
        numbers.sort()
    for number in numbers:
        cols = sorted(rng.sample(range(1, 30), rng.randint(1, 6)))
        cells = []
        for col in cols:
            ref = f"{column_letter(col)}{number}"
            if "lowercase" in shape:
                ref = ref.lower()
            kind = rng.choice(["n", "str", "err", "errf", "uncached", "shared", "empty",
                               "styled", "emptyv", "emptystr", "long", "cached", "link"])
            attrs = {"r": ref} if "norefs" not in shape or rng.random() < 0.3 else {}
            body = ""
            if kind == "n":
                body = f"<{p}v>{col}</{p}v>"
            elif kind == "str":
                attrs["t"] = "inlineStr"
                body = f"<{p}is><{p}t>t{col}</{p}t></{p}is>"
            elif kind in ("err", "errf"):
                attrs["t"] = "e"
                f = f"<{p}f>{'1/0+' * rng.randint(1, 400)}1</{p}f>" if kind == "errf" else ""
                body = f"{f}{gap}<{p}v>#N/A</{p}v>"
            elif kind == "uncached":
                body = f"<{p}f>{'B2+' * rng.randint(1, 400)}1</{p}f>"
            elif kind == "shared":
                body = f'<{p}f t="shared" si="0"/>{gap}<{p}v>4</{p}v>'
            elif kind == "styled":
                attrs["s"] = "1"
            elif kind == "emptyv":
                body = f"<{p}v></{p}v>"
            elif kind == "emptystr":
                attrs["t"] = "str"
                body = f"<{p}f>A1</{p}f><{p}v></{p}v>"
            elif kind == "cached":
                body = f"<{p}f>{'B2*' * rng.randint(1, 400)}1</{p}f>{gap}<{p}v>{col}</{p}v>"
            elif kind == "link":
                body = f"<{p}f>[1]Grades!A{col}</{p}f>{gap}<{p}v>{col}</{p}v>"
            elif kind == "long":
                attrs["t"] = "inlineStr"
                body = f"<{p}is><{p}t>{'w' * rng.randint(100, 6000)}</{p}t></{p}is>"
            items = list(attrs.items())
            if "reordered" in shape:
                items.reverse()
            quote = "'" if "quotes" in shape else '"'
            text = "".join(f" {k}={quote}{v}{quote}" for k, v in items)
            if kind == "empty" or (kind == "styled" and rng.random() < 0.5):
                cells.append(f"<{p}c{text}/>")
            else:
                cells.append(f"<{p}c{text}>{gap}{body}{gap}</{p}c>")
        row_attr = "" if "norefs" in shape and rng.random() < 0.5 else f' r="{number}"'
        rows.append(f"<{p}row{row_attr}>{gap}{gap.join(cells)}{gap}</{p}row>")
    merges = "".join(f'<{p}mergeCell ref="{column_letter(rng.randint(1, 9))}'
                     f'{rng.randint(1, 50)}:J{rng.randint(1, 50)}"/>'
                     for _ in range(rng.randint(0, 5)))
    root = (f'<x:worksheet xmlns:x="{NS}">' if p else f'<worksheet xmlns="{NS}">')
    return sheet(gap.join(rows), root=root, close=f"</{p}worksheet>",
                 data=(f"<{p}sheetData>", f"</{p}sheetData>"),
                 after=f"<{p}mergeCells>{merges}</{p}mergeCells>" if merges else "")


SHAPES = [set(), {"shuffled"}, {"norefs"}, {"lowercase"}, {"reordered"}, {"quotes"},
          {"prefix"}, {"pretty"}, {"shuffled", "norefs", "pretty"}, {"prefix", "shuffled"},
          {"tall"}, {"tall", "shuffled"}]


@pytest.mark.parametrize("seed", range(48))
def test_random_sheets_match_a_full_parse(base, tmp_path, monkeypatch, regions, seed):
    rng = random.Random(seed)
    shape = SHAPES[seed % len(SHAPES)]
    xml = _random_sheet(rng, shape)
    path = with_sheet(base, tmp_path / f"random{seed}.xlsx", xml)
    for chunk in (MIB, rng.randint(40, 3000)):
        regions.clear()
        monkeypatch.setattr(container, "CHUNK", chunk)
        facts = scan_facts(path)
        assert_matches_reference(facts, xml.encode())
        assert b"".join(regions) == sheet_data(xml.encode())


# --- the module's surface and the hostile corpus -------------------------------------

def test_public_names_are_kept():
    for name in ("check_xlsx", "check_ods", "check_xls", "check_xlsb", "WorkbookScan",
                 "SheetFacts", "sniff", "XLS_MAGIC", "MAX_UNCOMPRESSED_BYTES", "MAX_RATIO",
                 "MAX_ROWS", "MAX_COLUMNS", "MAX_CELLS", "MAX_ENTRIES", "EXCEL_CELL_CHARS"):
        assert hasattr(preflight, name)
    facts = SheetFacts()
    assert (facts.rows, facts.columns, facts.errors, facts.uncached, facts.formulas,
            facts.links, facts.too_long, facts.merged) == (0, 0, {}, set(), set(), {}, {}, [])


def test_hostile_corpus_still_refused(tmp_path):
    corpus = Path(__file__).resolve().parent / "data" / "hostile"
    expect = {"entity_bomb.xlsx": "xml-entities", "zip_bomb.xlsx": "zip-bomb",
              "stray_cell.xlsx": "used-range-too-large", "truncated.xlsx": "corrupt-xlsx"}
    for name, code in expect.items():
        shutil.copy(corpus / name, tmp_path / name)
        scan = check_xlsx(tmp_path / name, name)
        assert [p.code for p in scan.problems] == [code]
    facts = check_xlsx(corpus / "merged.xlsx", "merged.xlsx").sheets["Cases"]
    assert (3, 5, 4, 5) in facts.merged


def test_long_text_outside_the_sheet_data_is_carried(base, tmp_path, monkeypatch):
    # one long text node after the data, no tag in many chunks (random letters, so the
    # part does not compress like a zip bomb)
    footer = "".join(random.Random(0).choices("abcdefghijklmnopqrstuvwxyz", k=200_000))
    xml = sheet('<row r="2"><c r="B2"><v>1</v></c></row>',
                after=f"<headerFooter><oddFooter>{footer}</oddFooter></headerFooter>"
                '<mergeCells count="1"><mergeCell ref="B2:B3"/></mergeCells>')
    path = with_sheet(base, tmp_path / "footer.xlsx", xml)
    monkeypatch.setattr(container, "CHUNK", 1000)
    facts = scan_facts(path)
    assert facts.merged == [(2, 2, 3, 2)]


# --- large parts, inflated in a second thread ------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_threaded_inflating_gives_the_same_facts(base, tmp_path, monkeypatch, seed):
    rng = random.Random(seed)
    xml = _random_sheet(rng, SHAPES[seed % len(SHAPES)])
    path = with_sheet(base, tmp_path / f"threaded{seed}.xlsx", xml)
    whole = scan_facts(path)
    monkeypatch.setattr(container, "_THREADED", 0)
    monkeypatch.setattr(container, "CHUNK", rng.randint(50, 5000))
    facts = scan_facts(path)
    for field in ("errors", "uncached", "formulas", "links", "merged"):
        assert getattr(facts, field) == getattr(whole, field)
    assert_matches_reference(facts, xml.encode())


def test_a_damaged_part_is_corrupt_when_threaded(base, tmp_path, monkeypatch):
    xml = sheet("".join(f'<row r="{r}"><c r="A{r}"><v>{r * 7919 % 1000}</v></c></row>'
                        for r in range(1, 3000)))
    path = with_sheet(base, tmp_path / "damaged.xlsx", xml)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(path.read_bytes())
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    monkeypatch.setattr(container, "_THREADED", 0)
    scan = check_xlsx(path, "damaged.xlsx")
    assert [p.code for p in scan.problems] == ["corrupt-xlsx"]
