"""Reading workbooks, .csv and .json into text cells, keeping the spreadsheet's row numbers."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from hmic_audit import WorkbookError, read_workbook
from hmic_audit.io.sheets import read_grid
from hmic_audit.workbook.sheet import locate

from .conftest import LONG_HEADERS, write_xlsx


class Table:
    """What a reader gave, under its header: row numbers with their cells as text."""

    def __init__(self, path: Path, **options: str) -> None:
        from hmic_audit import load_rubric

        grid = read_grid(path, **options)
        sheet = locate(grid, load_rubric())
        self.sheet = grid.sheet
        self.problems = grid.problems
        self.header_row = sheet.header_row
        self.headers = sheet.headers
        columns = [sheet.data(p) for p in range(len(grid.columns))]
        self.rows = [(int(n), [c.text(i) for c in columns])
                     for i, n in enumerate(sheet.rows.tolist())]


read_table = Table

CSV_TEXT = ("case_ref,sample,case_type,area,assessor,grade,notes\n"
            "00123,inspector-selected,Domestic abuse,Bury,inspector,Good,Café visit\n"
            "\n"
            "00124,inspector-selected,s47,Bury,inspector,N/A,\n")


def test_xlsx_header_under_title_rows_and_row_numbers_kept(tmp_path: Path):
    rows = [["00123", "inspector-selected", "Domestic abuse", "Bury", "inspector", None,
             "Good"], None, None,
            ["A-7", "inspector-selected", "s47", "Bury", "inspector", None, "Good"]]
    path = write_xlsx(tmp_path / "t.xlsx", LONG_HEADERS, rows, title_rows=2)
    table = read_table(path)
    assert table.header_row == 3
    assert [n for n, _ in table.rows] == [4, 7]
    assert table.rows[0][1][0] == "00123"  # text reference keeps its leading zeros


def test_cases_sheet_is_preferred_else_the_first(tmp_path: Path):
    headers, rows = LONG_HEADERS, [["X1", "", "s47", "", "inspector", None, "good"]]
    with_cases = write_xlsx(tmp_path / "a.xlsx", headers, rows, extra_sheets=("About",))
    assert read_table(with_cases).sheet == "Cases"
    other = write_xlsx(tmp_path / "b.xlsx", headers, rows, sheet="Audits")
    assert read_table(other).sheet == "Audits"


def test_sheet_named_ignoring_case_and_spacing(tmp_path: Path):
    """--sheet "audit data" reads the sheet "Audit data"; an exact name wins, and names
    alike but for case and spacing are never guessed between."""
    headers, rows = LONG_HEADERS, [["X1", "", "s47", "", "inspector", None, "good"]]
    path = write_xlsx(tmp_path / "a.xlsx", headers, rows, sheet="Audit data",
                      extra_sheets=("Instructions",))
    for given in ("Audit data", "audit data", "AUDIT DATA", " Audit  Data "):
        assert read_grid(path, sheet=given).sheet == "Audit data"
    exact = write_xlsx(tmp_path / "b.xlsx", headers, rows, sheet="audit-data",
                       extra_sheets=("Audit data",))
    assert read_grid(exact, sheet="audit-data").sheet == "audit-data"
    with pytest.raises(WorkbookError) as info:
        read_grid(exact, sheet="AUDIT DATA")
    [problem] = info.value.problems
    assert problem.code == "missing-sheet"
    assert problem.message == ("has no sheet 'AUDIT DATA'; its sheets 'Audit data', "
                               "'audit-data' differ from it only in case or spacing: give "
                               "one exactly")
    with pytest.raises(WorkbookError, match="no sheet 'Summary'"):
        read_grid(path, sheet="Summary")


def test_grid_names_every_sheet_of_the_workbook(tmp_path: Path):
    headers, rows = LONG_HEADERS, [["X1", "", "s47", "", "inspector", None, "good"]]
    path = write_xlsx(tmp_path / "a.xlsx", headers, rows, sheet="Audit data",
                      extra_sheets=("Instructions", "Notes"))
    grid = read_grid(path)
    assert grid.sheet == "Instructions"
    assert grid.sheets == ["Instructions", "Notes", "Audit data"]
    csv_path = tmp_path / "c.csv"
    csv_path.write_text(CSV_TEXT, encoding="utf-8")
    assert read_grid(csv_path).sheets == []


def test_numbers_and_dates_become_text(tmp_path: Path):
    import datetime as dt

    rows = [[123, "inspector-selected", "s47", "Bury", "inspector", dt.date(2014, 7, 3),
             "good"]]
    table = read_table(write_xlsx(tmp_path / "n.xlsx", LONG_HEADERS, rows))
    cells = table.rows[0][1]
    assert cells[0] == "123"  # not "123.0"
    assert cells[5] == "2014-07-03"


def test_csv_utf8_with_and_without_bom(tmp_path: Path):
    plain = tmp_path / "plain.csv"
    plain.write_text(CSV_TEXT, encoding="utf-8")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + CSV_TEXT.encode("utf-8"))
    for path in (plain, bom):
        table = read_table(path)
        assert table.headers[0] == "case_ref"
        assert table.rows[0][1][0] == "00123"
        assert table.rows[0][1][6] == "Café visit"
        assert [n for n, _ in table.rows] == [2, 4]  # blank line 3 counted
        assert table.rows[1][1][5] == "N/A"  # not turned into a blank
        assert table.problems == []


def test_csv_cp1252_is_detected_with_a_warning(tmp_path: Path):
    path = tmp_path / "win.csv"
    path.write_bytes(CSV_TEXT.encode("cp1252"))
    table = read_table(path)
    assert table.rows[0][1][6] == "Café visit"
    assert [w.code for w in table.problems] == ["encoding-guessed"]
    # what was done, not an order: the user is told how to change it if it is wrong
    assert table.problems[0].message == (
        "is not UTF-8: read as Windows-1252 (cp1252); if that is wrong, name the encoding "
        "with --encoding, or save the file as CSV UTF-8")


def test_csv_encoding_can_be_given(tmp_path: Path):
    path = tmp_path / "latin.csv"
    path.write_bytes(CSV_TEXT.replace("Café", "Caf\u00e9").encode("latin-1"))
    table = read_table(path, encoding="latin-1")
    assert table.rows[0][1][6] == "Café visit" and table.problems == []


def test_semicolon_csv(tmp_path: Path):
    path = tmp_path / "semi.csv"
    path.write_text(CSV_TEXT.replace(",", ";"), encoding="utf-8")
    assert read_table(path).rows[0][1][2] == "Domestic abuse"


def test_json_records(tmp_path: Path, rubric):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps({"audits": [
        {"case_ref": "00123", "case_type": "s47", "assessor": "inspector", "grade": "Good",
         "sample": "inspector-selected"},
        {"case_ref": "00124", "case_type": "cse", "assessor": "inspector", "grade": None,
         "ta_child_listened_to": "N/A", "ic_child_seen": "yes", "ic_prompt_response": "yes",
         "ic_immediate_safety": "yes", "ah_risk_assessed": "no", "ah_referral_made": "yes"},
    ]}), encoding="utf-8")
    audits, warnings = read_workbook(path, rubric)
    assert [a.case_ref for a in audits.audits] == ["00123", "00124"]
    assert audits.audits[1].answers["ta_child_listened_to"] == "n/a"
    assert warnings == []


def test_json_bad_shape_is_located(tmp_path: Path):
    path = tmp_path / "bad.json"
    path.write_text('[{"case_ref": "A", "grade": ["good"]}]', encoding="utf-8")
    with pytest.raises(WorkbookError) as info:
        read_table(path)
    assert [(p.row, p.column, p.code) for p in info.value.problems] == [
        (1, "grade", "bad-json-value")]


def test_missing_header_row_is_reported(tmp_path: Path):
    path = tmp_path / "nohead.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(WorkbookError) as info:
        read_table(path)
    assert info.value.problems[0].code == "missing-header"


@pytest.mark.parametrize("content, code", [
    (b"case_ref,grade\nA,good\n", "csv-saved-as-xlsx"),
    (b"\x00\x01binary stuff", "not-xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old-xls"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
     "encrypted-workbook"),
    (b"PK\x03\x04garbage", "corrupt-xlsx"),
])
def test_files_that_are_not_workbooks(tmp_path: Path, content, code):
    path = tmp_path / "cases.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookError) as info:
        read_table(path)
    assert info.value.problems[0].code == code


def test_stray_cell_far_away_is_refused_before_the_reader_sees_it(tmp_path: Path):
    """A value at XFD1048576 would make the Rust reader allocate the whole grid and abort."""
    path = tmp_path / "stray.xlsx"
    write_xlsx(path, LONG_HEADERS, [["A", "", "s47", "", "inspector", None, "good"]])
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    xml = parts[sheet].decode()
    xml = xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr">'
                      "<is><t>x</t></is></c></row></sheetData>")
    parts[sheet] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    with pytest.raises(WorkbookError) as info:
        read_table(path)
    problem = info.value.problems[0]
    assert problem.code == "used-range-too-large"
    assert "XFD1048576" in problem.message


def test_unsupported_extension(tmp_path: Path):
    path = tmp_path / "cases.numbers"
    path.write_bytes(b"x")
    with pytest.raises(WorkbookError) as info:
        read_table(path)
    assert info.value.problems[0].code == "unsupported-format"


@pytest.mark.parametrize("text, expect", [
    ('[{"case_ref": "A", "case_ref": "B"}]', "repeats the key 'case_ref'"),
    ('[{"case_ref": "A", "child_age": NaN}]', "NaN"),
    ('[{"case_ref": "A", "child_age": Infinity}]', "Infinity"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('[{"case_ref": "A",}]', "not valid JSON"),
])
def test_hostile_json_is_refused(tmp_path: Path, text, expect):
    path = tmp_path / "cases.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorkbookError) as info:
        read_table(path)
    [problem] = info.value.problems
    assert expect in problem.message and problem.file == "cases.json"


@pytest.mark.parametrize("ref, row", [("ZZ900000", 900000), ("BA1000000", 1000000),
                                      ("AAA5", 5)])
def test_far_cells_of_every_shape_are_refused(tmp_path: Path, ref, row):
    """Rows x columns is what a reader allocates: a far cell of any shape is caught."""
    path = tmp_path / "far.xlsx"
    write_xlsx(path, LONG_HEADERS, [["A", "", "s47", "", "inspector", None, "good"]] * 3)
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet].decode().replace(
        "</sheetData>", f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c>'
        "</row></sheetData>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    if ref == "AAA5":  # 703 columns by 5 rows is small: it reads, with a warning-free table
        read_table(path)
        return
    with pytest.raises(WorkbookError) as info:
        read_table(path)
    assert info.value.problems[0].code == "used-range-too-large"


def test_python_and_arrow_read_a_cell_alike():
    """The cell rule is written twice - for Python strings (JSON, title rows) and for
    Arrow columns (workbooks, CSV) - and both give the same columns: every character
    Python calls white space, dates at midnight in every near form, blanks."""
    import random

    import pyarrow as pa

    from hmic_audit.io.table import WHITESPACE, TextColumn

    assert set(WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
    pieces = [*WHITESPACE, "a", "B", "0", "١", "２", "-", ":", "\u200b", "é", "00126",
              "2014-07-03 00:00:00", "2014-07-03 00:00:01", "2014-7-03 00:00:00",
              "٢٠١٤-٠٧-٠٣ 00:00:00", "2014-07-03T00:00:00", "2014-07-03  00:00:00", ""]
    rng = random.Random(3)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
             for _ in range(3000)] + pieces
    python = TextColumn.from_texts(texts)
    arrow = TextColumn.from_arrow(pa.array(texts, type=pa.string()))
    assert arrow.values == python.values
    assert arrow.index.tolist() == python.index.tolist()
    assert arrow.padded is not None and python.padded is not None
    assert arrow.padded.tolist() == python.padded.tolist()
    # a sheet loaded in a child comes dictionary-encoded already: the same column
    from hmic_audit.io.sheet_load import _encoded

    batch = _encoded(pa.RecordBatch.from_arrays([pa.array(texts, type=pa.string())],
                                                names=["A"]))
    assert pa.types.is_dictionary(batch.column(0).type)
    encoded = TextColumn.from_arrow(batch.column(0))
    assert (encoded.values, encoded.index.tolist()) == (python.values, python.index.tolist())
    assert encoded.padded is not None and encoded.padded.tolist() == python.padded.tolist()
    assert TextColumn.from_texts([" 2014-07-03 00:00:00\t"]).values == ["2014-07-03"]
    nulls = TextColumn.from_arrow(pa.array([None, " x", None, "x"], type=pa.string()))
    assert (nulls.values, nulls.index.tolist()) == (["x"], [-1, 0, -1, 0])


def test_case_references_read_alike_from_arrow_and_from_python(tmp_path: Path, rubric):
    """Plain references are cleaned and told apart ignoring case over Arrow columns (CSV,
    workbooks) and in Python (JSON): the same references give the same cleaned texts and
    the same cases either way, runs of spaces made one and capitals ignored."""
    import json

    from hmic_audit.io.sheets import read_grid
    from hmic_audit.workbook.sheet import locate

    refs = ["C  001", "c 001", "C001", "C 001 ", "  D-7", "d-7", "E~x", "e~X", "F 1  2"]
    rows = [{"Case ref": r, "Grade": "good"} for r in refs]
    (tmp_path / "a.csv").write_text("Case ref,Grade\n" + "".join(
        f"{r},good\n" for r in refs), encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps(rows), encoding="utf-8")
    sheets = [locate(read_grid(tmp_path / name), rubric) for name in ("a.csv", "a.json")]
    assert sheets[0].column("case_ref").arrow is not None  # the Arrow path is taken
    assert sheets[1].column("case_ref").arrow is None
    seen = []
    for sheet in sheets:
        column = sheet.column("case_ref")
        cleaned = [sheet.refs()[k] for k in column.index.tolist()]
        keys = sheet.ref_keys()[column.index].tolist()
        seen.append((cleaned, [keys.index(k) for k in keys], sheet.plain_refs))
    assert seen[0] == seen[1]
    assert seen[0][0] == ["C 001", "c 001", "C001", "C 001", "D-7", "d-7", "E~x", "e~X",
                          "F 1 2"]
    assert seen[0][1] == [0, 0, 2, 0, 4, 4, 6, 6, 8]


def test_kernels_called_by_name_give_what_pyarrow_compute_gives():
    """``io/kernels.py`` calls Arrow's kernels by name (importing ``pyarrow.compute``
    costs every command ~40 ms); each gives what the function of the same name there
    gives, nulls, empty arrays and white space included."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from hmic_audit.io import kernels as k
    from hmic_audit.io.table import WHITESPACE

    texts = pa.array([" a ", "\u3000b\t", None, "", "2014-07-03 00:00:00", "A  B", "a"])
    flags = pa.array([True, None, False, True])
    same = [
        (k.utf8_trim(texts, WHITESPACE), pc.utf8_trim(texts, characters=WHITESPACE)),
        (k.replace_substring_regex(texts, " {2,}", " "),
         pc.replace_substring_regex(texts, pattern=" {2,}", replacement=" ")),
        (k.match_substring_regex(texts, "^a"), pc.match_substring_regex(texts, "^a")),
        (k.utf8_length(texts), pc.utf8_length(texts)),
        (k.ascii_lower(texts), pc.ascii_lower(texts)),
        (k.dictionary_encode(texts), texts.dictionary_encode()),
        (k.to_bool(pa.array([0, 3, None])), pc.cast(pa.array([0, 3, None]), pa.bool_())),
        (k.equal(texts, texts), pc.equal(texts, texts)),
        (k.not_equal(texts, texts), pc.not_equal(texts, texts)),
        (k.and_(flags, flags), pc.and_(flags, flags)),
        (k.invert(flags), pc.invert(flags)),
        (k.indices_nonzero(flags), pc.indices_nonzero(flags)),
    ]
    for ours, theirs in same:
        assert ours.equals(theirs)
    for array in (flags, pa.array([], pa.bool_()), pa.array([None], pa.bool_())):
        assert k.all_(array).as_py() == pc.all(array).as_py()
        assert k.any_(array).as_py() == pc.any(array).as_py()


def test_reading_does_not_import_pyarrow_compute(tmp_path: Path):
    """Reading and checking a workbook and a CSV (cells, case references) uses the
    kernels by name only: a command that reads cases pays none of ``pyarrow.compute``'s
    import."""
    import os
    import subprocess
    import sys

    row = ["C  001", "self-assessed", "Domestic abuse", "Bolton", "Force", "2014-05-01",
           "Good"]
    write_xlsx(tmp_path / "a.xlsx", LONG_HEADERS, [row])
    (tmp_path / "a.csv").write_text(",".join(LONG_HEADERS) + "\n" + ",".join(row) + "\n",
                                    encoding="utf-8")
    code = ("import atexit, sys\nfrom hmic_audit.cli.start import main\n"
            "atexit.register(lambda: print('pyarrow.compute' in sys.modules))\n"
            "sys.argv = ['hmic-audit', 'validate', sys.argv[1]]\nmain()")
    for name in ("a.xlsx", "a.csv"):
        for one_process in ("0", "1"):
            env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
            done = subprocess.run([sys.executable, "-c", code, name], capture_output=True,
                                  text=True, cwd=tmp_path, env={
                                      **env, "HMIC_AUDIT_ONE_PROCESS": one_process})
            assert (done.returncode, done.stdout.strip()) == (0, "False"), done.stderr
