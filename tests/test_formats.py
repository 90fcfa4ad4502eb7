"""Workbooks as people really save them: .ods, .xls and .xlsb read like .xlsx; lock
files, long cells and odd bytes in CSV files met with a clear message."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import shutil
import struct
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from hmic_audit import WorkbookError
from hmic_audit.io.sheets import is_lock_file, read_grid
from hmic_audit.problems import column_letter

from .conftest import DATA, invoke, long_rows_good, write_xlsx

FORMATS = DATA / "formats"
HOSTILE = DATA / "hostile"


def refused(path: Path, **options: str) -> WorkbookError:
    with pytest.raises(WorkbookError) as info:
        read_grid(path, **options)
    return info.value


def assert_refused_by_the_cli(runner: Any, path: Path, code: str, words: str) -> None:
    """grade exits 2 with one problem, of this code, whose message has these words."""
    result = invoke(runner, "grade", path, "--format", "json")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["code"] == code and words in problem["message"]


# --- lock files ---------------------------------------------------------------------

EXCEL_OWNER = b"\x0bJane Smith" + b" " * 43 + b"\x0b\x00J\x00a\x00n\x00e" + b"\x00" * 100


@pytest.mark.parametrize("name, program, workbook", [
    ("~$cases.xlsx", "Excel", "cases.xlsx"),
    (".~lock.cases.ods#", "LibreOffice", "cases.ods"),
    (".~lock.cases.xlsx#", "LibreOffice", "cases.xlsx"),
])
def test_lock_files_are_named_as_such(runner, tmp_path, name, program, workbook):
    lock = tmp_path / name
    lock.write_bytes(EXCEL_OWNER if program == "Excel"
                     else b"Jane Smith,jane,laptop,13.05.2025 09:12,file:///home/jane;")
    assert is_lock_file(lock)
    [problem] = refused(lock).problems
    assert problem.code == "lock-file" and problem.file == name
    assert f"lock file {program} keeps while {workbook} is open" in problem.message
    assert f"give {workbook}" in problem.message
    result = invoke(runner, "grade", lock, "--format", "json")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert json.loads(result.stdout)["problems"][0]["code"] == "lock-file"


def test_excel_owner_file_of_a_long_name_names_its_workbook(tmp_path):
    """Excel keeps the name's length: "~$dget 2014.xlsx" is the owner of "Budget 2014.xlsx"."""
    (tmp_path / "Budget 2014.xlsx").write_bytes(b"PK\x03\x04")
    lock = tmp_path / "~$dget 2014.xlsx"
    lock.write_bytes(EXCEL_OWNER)
    [problem] = refused(lock).problems
    assert "while Budget 2014.xlsx is open" in problem.message


def test_a_real_workbook_is_never_a_lock_file(tmp_path):
    headers, rows = long_rows_good()
    path = write_xlsx(tmp_path / "~$odd name.xlsx", headers, rows)
    assert not is_lock_file(path)
    assert read_grid(path).height == 4
    assert not is_lock_file(tmp_path / "cases.xlsx")
    assert not is_lock_file(tmp_path / "~cases.xlsx")


# --- .ods, .xls and .xlsb read like .xlsx -----------------------------------------------

def _make_formats() -> Any:
    spec = importlib.util.spec_from_file_location("make_formats", FORMATS / "make_formats.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mf = _make_formats()
EXTENSIONS = ["ods", "xls", "xlsb"]


def _xlsx_twin(tmp_path: Path, bad: bool = False) -> Path:
    """The same table as the fixtures, saved as .xlsx by openpyxl."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Cases"
    for (r, c), value in mf.table(bad).items():
        book.active.cell(row=r, column=c, value=value)
    path = tmp_path / ("bad-grade.xlsx" if bad else "cases.xlsx")
    book.save(path)
    return path


def _cells(grid: Any) -> dict[str, str]:
    return {f"{column_letter(grid.column_numbers[j])}{row}": column.text(i)
            for j, column in enumerate(grid.columns)
            for i, row in enumerate(grid.rows.tolist()) if column.text(i)}


@pytest.mark.parametrize("ext", EXTENSIONS + ["libreoffice.ods"])
def test_every_format_reads_the_cells_a_person_sees(tmp_path, ext):
    name = f"cases-{ext}" if ext == "libreoffice.ods" else f"cases.{ext}"
    grid = read_grid(FORMATS / name)
    assert grid.sheet == "Cases"  # not the first sheet, "Notes"
    assert _cells(grid) == _cells(read_grid(_xlsx_twin(tmp_path)))
    assert grid.rows.tolist() == [1, 2, 3, 4, 5, 6]
    assert _cells(grid)["G4"] == "Good" and _cells(grid)["A1"].startswith("Child protection")


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_every_format_grades_like_xlsx(runner, tmp_path, ext):
    ours = invoke(runner, "grade", FORMATS / f"cases.{ext}", "--format", "json")
    twin = invoke(runner, "grade", _xlsx_twin(tmp_path), "--format", "json")
    assert ours.exit_code == twin.exit_code == 0, ours.stderr
    assert json.loads(ours.stdout)["summary"] == json.loads(twin.stdout)["summary"]


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_a_bad_cell_is_named_where_the_spreadsheet_shows_it(runner, ext):
    result = invoke(runner, "grade", FORMATS / f"bad-grade.{ext}", "--format", "json")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    [problem] = [p for p in json.loads(result.stdout)["problems"] if p["severity"] == "error"]
    assert (problem["code"], problem["sheet"], problem["row"], problem["cell"]) == \
        ("unknown-grade", "Cases", 5, "G5")
    assert "Goodish" in problem["message"]


@pytest.mark.parametrize("ext", EXTENSIONS)
def test_merges_errors_and_formulas_are_facts_in_every_format(ext):
    grid = read_grid(FORMATS / f"features.{ext}")
    assert grid.merged == [(5, 17, 6, 17)]
    assert grid.error_cells == {(4, 14): "#DIV/0!"}
    assert (4, 15) in grid.formulas and grid.uncached == set()
    if ext == "ods":
        assert grid.links == {(4, 16): "grades.ods"}
        assert (4, 16) not in grid.formulas


def test_the_sheet_can_be_named(tmp_path):
    for ext in EXTENSIONS:
        grid = read_grid(FORMATS / f"cases.{ext}", sheet="Notes")
        assert _cells(grid) == {"A1": "not the data"}
        with pytest.raises(WorkbookError) as info:
            read_grid(FORMATS / f"cases.{ext}", sheet="Nope")
        assert info.value.problems[0].code == "missing-sheet"


def test_unsupported_format_lists_what_is_accepted(tmp_path):
    path = tmp_path / "cases.numbers"
    path.write_bytes(b"x")
    [problem] = refused(path).problems
    assert problem.code == "unsupported-format"
    for ext in (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv", ".json"):
        assert ext in problem.message
    assert "save it as .xlsx" not in problem.message


# --- files whose contents are not what their name says -----------------------------------

@pytest.mark.parametrize("name, content, code, words", [
    ("cases.ods", b"x", "not-ods", "not an OpenDocument"),
    ("cases.ods", b"Case ref,Grade\nA,good\n", "csv-saved-as-ods", "CSV file saved as .ods"),
    ("cases.xls", b"<html><table><tr><td>Case ref</td></tr></table></html>", "not-xls",
     "web page"),
    ("cases.xls", b"PK\x03\x04" + b"\x00" * 40, "not-xls", "named .xls"),
    ("cases.xlsb", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old-xls",
     "rename it to .xls"),
    ("cases.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "corrupt-xls",
     "truncated or corrupt"),
    ("cases.xlsb", b"PK\x03\x04garbage", "corrupt-xlsb", "truncated or corrupt"),
])
def test_files_that_are_not_what_their_name_says(runner, tmp_path, name, content, code,
                                                  words):
    path = tmp_path / name
    path.write_bytes(content)
    assert_refused_by_the_cli(runner, path, code, words)


def test_an_ods_that_is_another_opendocument(tmp_path):
    path = tmp_path / "letter.ods"
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    path.write_bytes(data.getvalue())
    [problem] = refused(path).problems
    assert problem.code == "not-ods" and "opendocument.text" in problem.message


def test_an_encrypted_ods_is_named(tmp_path):
    path = tmp_path / "secret.ods"
    manifest = (b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                b'manifest:1.0"><manifest:file-entry manifest:full-path="content.xml">'
                b"<manifest:encryption-data/></manifest:file-entry></manifest:manifest>")
    path.write_bytes(mf.ods_bytes({"Cases": mf.table()},
                                  extra={"META-INF/manifest.xml": manifest}))
    assert refused(path).problems[0].code == "encrypted-workbook"


# --- hostile workbooks of the new formats are bounded like .xlsx ---------------------------

def test_ods_value_repeated_over_the_whole_sheet_is_refused(tmp_path):
    """LibreOffice's million empty repeated rows cost nothing; one value repeated over
    them would make the reader allocate every cell."""
    content = mf.ods_content({"Cases": mf.table()}, rows_xml={"Cases": (
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
        'office:value-type="string" table:number-columns-repeated="50"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>")})
    path = tmp_path / "repeated.ods"
    path.write_bytes(mf.ods_bytes(content=content))
    started = time.monotonic()
    [problem] = refused(path).problems
    assert problem.code == "used-range-too-large" and "'Cases'" in problem.message
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("where", ["column", "row"])
def test_ods_far_cell_in_another_sheet_is_refused(tmp_path, where):
    """The reader parses every table of an .ods when it opens it, so every one counts."""
    far = ('<table:table-row><table:table-cell table:number-columns-repeated="5000"/>'
           '<table:table-cell office:value-type="float" office:value="1"/></table:table-row>'
           if where == "column" else
           '<table:table-row table:number-rows-repeated="2000000"><table:table-cell/>'
           '</table:table-row><table:table-row><table:table-cell office:value-type="float" '
           'office:value="1"/></table:table-row>')
    content = mf.ods_content({"Cases": mf.table(), "Other": {(1, 1): "x"}},
                             rows_xml={"Other": far})
    path = tmp_path / "far.ods"
    path.write_bytes(mf.ods_bytes(content=content))
    [problem] = refused(path).problems
    assert problem.code == "used-range-too-large" and "'Other'" in problem.message


def test_ods_zip_bomb_and_entities_are_refused(tmp_path):
    bomb = tmp_path / "bomb.ods"
    bomb.write_bytes(mf.ods_bytes(content=b"<a>" + b" " * (300 << 20) + b"</a>"))
    assert refused(bomb).problems[0].code == "zip-bomb"
    entities = tmp_path / "entities.ods"
    entities.write_bytes(mf.ods_bytes(content=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a '
                                      b'"lol">]><office:document-content/>'))
    assert refused(entities).problems[0].code == "xml-entities"


def test_xlsb_far_column_is_refused(tmp_path):
    """One cell record naming a far column would make the reader allocate a row that
    wide."""
    path = tmp_path / "far.xlsb"
    path.write_bytes(mf.xlsb_bytes({"Cases": {**mf.table(), (3, 4_000_000): 1.0}}))
    [problem] = refused(path).problems
    assert problem.code == "used-range-too-large"


def test_xlsb_truncated_records_are_corrupt(tmp_path):
    good = zipfile.ZipFile(FORMATS / "cases.xlsb")
    parts = {n: good.read(n) for n in good.namelist()}
    parts["xl/worksheets/sheet2.bin"] = parts["xl/worksheets/sheet2.bin"][:-7]
    path = tmp_path / "cut.xlsb"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert refused(path).problems[0].code == "corrupt-xlsb"


def test_xls_far_column_is_refused(tmp_path):
    """A cell record's column is 16 bits in .xls: one stray value 60,000 columns to the
    right would make the reader allocate that many columns a row."""
    data = bytearray((FORMATS / "cases.xls").read_bytes())
    label = struct.pack("<HHHH", 0x00FD, 10, 2, 3)  # the header's text at row 3, column D
    at = data.find(label)
    assert at > 0
    data[at:at + 8] = struct.pack("<HHHH", 0x00FD, 10, 2, 60_000)
    path = tmp_path / "far.xls"
    path.write_bytes(bytes(data))
    [problem] = refused(path).problems
    assert problem.code == "used-range-too-large"


def test_xls_with_a_looping_sector_chain_is_corrupt(tmp_path):
    data = bytearray((FORMATS / "cases.xls").read_bytes())
    first_dir = struct.unpack_from("<I", data, 0x30)[0]
    fat_sector = struct.unpack_from("<I", data, 0x4C)[0]
    struct.pack_into("<I", data, 512 + fat_sector * 512 + first_dir * 4, first_dir)
    path = tmp_path / "loop.xls"
    path.write_bytes(bytes(data))
    started = time.monotonic()
    assert refused(path).problems[0].code == "corrupt-xls"
    assert time.monotonic() - started < 5


# --- long cells ----------------------------------------------------------------------------

def _note_workbook(tmp_path: Path, note: str, *, inline: bool = False) -> Path:
    """A valid long-layout workbook whose Notes (column N) of row 3 holds ``note``, as a
    shared string (as Excel saves it) or an inline string. Written by hand: the writers
    themselves cut text at Excel's limit."""
    headers, good = long_rows_good()
    rows = [[str(v) for v in row] + ["NOTE" if r == 1 else "ok"] for r, row in enumerate(good)]
    path = write_xlsx(tmp_path / "notes.xlsx", [*headers, "Notes"], rows)
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    text = note.replace("&", "&amp;").replace("<", "&lt;").encode()
    if inline:
        sheet = "xl/worksheets/sheet1.xml"
        index = parts["xl/sharedStrings.xml"].split(b"<si>").index(b"<t>NOTE</t></si>") - 1
        parts[sheet] = parts[sheet].replace(
            f'<c r="N3" t="s"><v>{index}</v></c>'.encode(),
            b'<c r="N3" t="inlineStr"><is><t>' + text + b"</t></is></c>")
        assert text in parts[sheet]
    else:
        parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(
            b"<t>NOTE</t>", b"<t>" + text + b"</t>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return path


@pytest.mark.parametrize("inline", [False, True], ids=["shared", "inline"])
def test_a_note_over_excels_limit_is_named_not_called_a_bomb(runner, tmp_path, inline):
    note = "x" * (1 << 20)  # one MiB of one letter packs like a zip bomb
    path = _note_workbook(tmp_path, note, inline=inline)
    result = invoke(runner, "grade", path, "--format", "json")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    [problem] = json.loads(result.stdout)["problems"]
    assert (problem["code"], problem["sheet"], problem["row"], problem["cell"]) == \
        ("cell-too-long", "Cases", 3, "N3")
    assert "32,767 characters" in problem["message"] and "1,048,576" in problem["message"]
    assert "bomb" not in result.stdout


def test_a_note_at_excels_limit_is_read(tmp_path):
    note = "é&<" * (32_767 // 3) + "z"
    assert len(note) == 32_767
    path = _note_workbook(tmp_path, note)
    assert _cells(read_grid(path))["N3"] == note


def test_a_zip_bomb_is_still_refused(tmp_path):
    """A part that would expand hundreds of megabytes from a few hundred kilobytes is a
    bomb, whatever it holds."""
    path = tmp_path / "bomb.xlsx"
    shutil.copy(HOSTILE / "zip_bomb.xlsx", path)
    [problem] = refused(path).problems
    assert problem.code == "zip-bomb" and "zip bomb" in problem.message


def test_too_many_parts_is_refused(tmp_path):
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(HOSTILE / "merged.xlsx") as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for i in range(10_001):
            dst.writestr(f"xl/media/x{i}.bin", b"")
    [problem] = refused(path).problems
    assert problem.code == "zip-bomb" and "10,0" in problem.message


def test_an_error_value_the_reader_cannot_read_is_named(runner, tmp_path):
    """Excel 365 writes #SPILL! and #CALC!, which stop the reader; the cell is named."""
    headers, rows = long_rows_good()
    path = write_xlsx(tmp_path / "spill.xlsx", [*headers, "Total"], rows)
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(
        b"</row></sheetData>",
        b'<c r="N4" t="e"><f>SEQUENCE(3)</f><v>#SPILL!</v></c></row></sheetData>')
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    result = invoke(runner, "grade", path, "--format", "json")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    [problem] = json.loads(result.stdout)["problems"]
    assert (problem["code"], problem["cell"], problem["value"]) == ("error-cell", "N4",
                                                                    "#SPILL!")


# --- formulas and links in .xlsx -------------------------------------------------------------

def test_xlsx_formulas_and_links_are_facts(tmp_path):
    headers, rows = long_rows_good()
    path = write_xlsx(tmp_path / "links.xlsx", [*headers, "A", "B", "C", "D"], rows)
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(
        b"</row></sheetData>",
        b'<c r="N4"><f>2+3</f><v>5</v></c>'
        b'<c r="O4"><f>[1]Sheet1!A1</f><v>7</v></c>'
        b"<c r=\"P4\" t=\"str\"><f>'C:\\x\\[grades.xlsx]Sheet 1'!A1</f><v>x</v></c>"
        b'<c r="Q4"><f>SUM(Table1[Score])</f><v>9</v></c></row></sheetData>')
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"</sheets>", b'</sheets><externalReferences><externalReference r:id="rId99"/>'
        b"</externalReferences>")
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org'
        b'/officeDocument/2006/relationships/externalLink" '
        b'Target="externalLinks/externalLink1.xml"/></Relationships>')
    parts["xl/externalLinks/externalLink1.xml"] = b'<?xml version="1.0"?><externalLink/>'
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/externalLinkPath" '
        b'Target="file:///C:/Users/jane.smith/Audits/force%20grades.xlsx" '
        b'TargetMode="External"/></Relationships>')
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    grid = read_grid(path)
    assert grid.links == {(4, 15): "force grades.xlsx", (4, 16): "grades.xlsx"}
    assert grid.formulas == {(4, 14), (4, 17)}
    assert "jane" not in repr(grid.links)  # folders can name people
    assert [p.code for p in grid.problems] == ["external-links"]


# --- CSV as people really type it --------------------------------------------------------------

def _csv(tmp_path: Path, rows: list[list[str]], name: str = "cases.csv",
         delimiter: str = ",", encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _csv_rows(note: str) -> list[list[str]]:
    headers, rows = long_rows_good()
    return [[*headers, "Notes"], *([str(v) for v in r] + [note if i == 1 else "ok"]
                                   for i, r in enumerate(rows))]


@pytest.mark.parametrize("size", [200_000, 1 << 20])
def test_a_csv_cell_over_128_kib_is_read(runner, tmp_path, size):
    note = "n" * size
    path = _csv(tmp_path, _csv_rows(note))
    grid = read_grid(path)
    assert _cells(grid)["N3"] == note
    result = invoke(runner, "validate", path, "--format", "json")
    assert result.exit_code in (0, 1) and "Traceback" not in result.stderr
    assert "field larger" not in result.stdout + result.stderr


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b[31m"])
def test_a_control_character_in_one_note_is_text(tmp_path, control):
    note = f"seen at home{control}then at school"
    grid = read_grid(_csv(tmp_path, _csv_rows(note)))
    assert _cells(grid)["N3"] == note
    assert grid.delimiter == ","


@pytest.mark.parametrize("content, code, words", [
    (None, "not-csv", "zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "not-csv", ".xls workbook"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 400 + b"IHDR" * 10, "not-csv", "binary data"),
    (b"case_ref,grade\r\nA,good\r\n" + b"\0" * 4096, "not-csv", "binary data"),
    ("case_ref,grade\r\nA,good\r\n".encode("utf-16-le"), "bad-encoding", "utf-16-le"),
])
def test_what_is_not_text_is_refused_as_such(runner, tmp_path, content, code, words):
    path = tmp_path / "cases.csv"
    if content is None:
        shutil.copy(HOSTILE / "merged.xlsx", path)
    else:
        path.write_bytes(content)
    assert_refused_by_the_cli(runner, path, code, words)


def test_utf16_without_bom_reads_when_named(tmp_path):
    path = _csv(tmp_path, _csv_rows("café"), delimiter="\t", encoding="utf-16-le")
    assert _cells(read_grid(path, encoding="utf-16-le"))["N3"] == "café"


@pytest.mark.parametrize("encoding, bom", [("utf-16", b""), ("utf-8", b"\xef\xbb\xbf"),
                                           ("utf-8", b""), ("cp1252", b"")])
def test_unicode_text_and_windows_csv_are_read(tmp_path, encoding, bom):
    """Excel's "Unicode Text" is UTF-16 with a byte-order mark and tabs; its "CSV" is
    Windows-1252 with semicolons where the decimal mark is a comma."""
    delimiter = "\t" if encoding == "utf-16" else ";"
    path = _csv(tmp_path, _csv_rows("café"), name="cases.txt", delimiter=delimiter,
                encoding=encoding)
    path.write_bytes(bom + path.read_bytes())
    grid = read_grid(path)
    assert _cells(grid)["N3"] == "café" and grid.delimiter == delimiter
    warned = [p.code for p in grid.problems]
    assert warned == (["encoding-guessed"] if encoding == "cp1252" else [])


def test_delimiter_is_none_for_workbooks(tmp_path):
    assert read_grid(FORMATS / "cases.ods").delimiter is None


def test_the_1904_date_system_is_a_fact(tmp_path):
    import xlsxwriter

    path = tmp_path / "mac.xlsx"
    book = xlsxwriter.Workbook(str(path), {"date_1904": True})
    book.add_worksheet("Cases").write(0, 0, "Case ref")
    book.close()
    assert read_grid(path).date1904
    xlsb = tmp_path / "mac.xlsb"
    xlsb.write_bytes(mf.xlsb_bytes({"Cases": mf.table()}, date1904=True))
    assert read_grid(xlsb).date1904
    assert not read_grid(FORMATS / "cases.xlsb").date1904
    assert not read_grid(FORMATS / "cases.xls").date1904


def test_semicolons_win_over_commas_in_the_notes(tmp_path):
    """A European Excel writes semicolons (and CRLF), and its notes are full of commas."""
    note = "seen at home, then at school, then again"
    path = _csv(tmp_path, _csv_rows(note), delimiter=";")
    assert b"\r\n" in path.read_bytes()
    grid = read_grid(path)
    assert grid.delimiter == ";" and _cells(grid)["N3"] == note
