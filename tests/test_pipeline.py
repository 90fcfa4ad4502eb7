"""One pipeline for every format and size: the same data gives the same audits and grades
whether it comes as .xlsx, .csv or .json, clean or awkwardly typed."""

from __future__ import annotations

import csv
import importlib.util
import json

import pytest

from hmic_audit import grade, read_audits
from hmic_audit.render.graded import render_graded

from .conftest import ROOT, invoke

spec = importlib.util.spec_from_file_location("bench_generate",
                                              ROOT / "benchmarks" / "generate.py")
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gen")
    xlsx, text = folder / "generated.xlsx", folder / "generated.csv"
    generate.write(1500, xlsx)
    generate.write(1500, text)
    return xlsx, text


def _audits(frame, rubric):
    """The audits as plain data, without where they were read from."""
    dump = frame.to_audit_set(rubric).model_dump(mode="json")
    for audit in dump["audits"]:
        audit.pop("source")
    return dump["audits"]


def test_xlsx_csv_and_json_give_the_same_audits_and_grades(rubric, generated, tmp_path):
    xlsx, text = generated
    from_xlsx, w1 = read_audits(xlsx, rubric)
    from_csv, w2 = read_audits(text, rubric)
    with text.open(encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    as_json = tmp_path / "generated.json"
    as_json.write_text(json.dumps(records), encoding="utf-8")
    from_json, w3 = read_audits(as_json, rubric)
    assert len(from_xlsx) == 1500 and w1 == w2 == w3 == []
    assert _audits(from_xlsx, rubric) == _audits(from_csv, rubric) == _audits(from_json,
                                                                             rubric)
    tables = [render_graded(".csv", grade(f, rubric), rubric, [])
              for f in (from_xlsx, from_csv, from_json)]
    assert tables[0] == tables[1] == tables[2]


def test_awkward_csv_reads_like_the_clean_one(rubric, generated, tmp_path):
    """Blank lines (pyarrow would drop them and lose the row numbers), Windows-1252 and
    ragged rows take Python's csv module: the audits are the same."""
    _, text = generated
    clean = _audits(read_audits(text, rubric)[0], rubric)
    lines = text.read_text(encoding="utf-8").splitlines(keepends=True)
    blank = tmp_path / "blank.csv"
    blank.write_text("".join(lines[:3] + ["\n"] + lines[3:]), encoding="utf-8")
    frame, _ = read_audits(blank, rubric)
    assert _audits(frame, rubric) == clean
    assert frame.row[:3].tolist() == [2, 3, 5]  # the blank line 4 is counted
    accented = text.read_text(encoding="utf-8").replace("Bolton", "Bólton")
    utf8, latin = tmp_path / "utf8.csv", tmp_path / "latin.csv"
    utf8.write_text(accented, encoding="utf-8")
    latin.write_bytes(accented.encode("cp1252"))
    frame, warnings = read_audits(latin, rubric)
    assert [w.code for w in warnings] == ["encoding-guessed"]
    assert "Bólton" in frame.extra("area").tolist()
    assert _audits(frame, rubric) == _audits(read_audits(utf8, rubric)[0], rubric)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("".join(lines[:2] + [lines[2].rstrip("\n") + ",\n"] + lines[3:]),
                      encoding="utf-8")
    assert _audits(read_audits(ragged, rubric)[0], rubric) == clean


def test_cli_writes_what_the_library_renders(runner, rubric, generated, tmp_path):
    xlsx, _ = generated
    out = tmp_path / "graded.csv"
    assert invoke(runner, "grade", xlsx, "--out", out).exit_code == 0
    result = grade(read_audits(xlsx, rubric)[0], rubric)
    assert out.read_bytes() == render_graded(".csv", result, rubric, [])


def test_one_bad_cell_in_a_large_file_reads_once_and_reads_as_in_a_small_one(
        rubric, generated, tmp_path, monkeypatch):
    """The file is pre-flighted and read once, and the message is the one a small file
    gets for the same cell. (The reader may run in a child process: each read is counted
    in a file, which the child writes too.)"""
    import fastexcel
    import openpyxl

    import hmic_audit.io.sheets as sheets
    from hmic_audit import WorkbookError

    xlsx, _ = generated
    book = openpyxl.load_workbook(xlsx)
    rows = list(book["Cases"].iter_rows(values_only=True))
    grade_col = rows[0].index("Grade")
    for name, keep in (("large", len(rows)), ("small", 12)):
        small = openpyxl.Workbook()
        sheet = small.active
        sheet.title = "Cases"
        for r in rows[:keep]:
            sheet.append(list(r))
        sheet.cell(row=9, column=grade_col + 1, value="Goodish")
        small.save(tmp_path / f"{name}.xlsx")
    scans: list[int] = []
    counted = tmp_path / "reads.txt"
    real_read, real_scan = fastexcel.read_excel, sheets.check_xlsx

    def counting_read(*args, **kwargs):
        with counted.open("a") as fh:
            fh.write("read\n")
        return real_read(*args, **kwargs)

    monkeypatch.setattr(fastexcel, "read_excel", counting_read)
    monkeypatch.setattr(sheets, "check_xlsx", lambda *a, **k: scans.append(1)
                        or real_scan(*a, **k))
    found = {}
    for name in ("large", "small"):
        counted.write_text("")
        scans.clear()
        with pytest.raises(WorkbookError) as info:
            read_audits(tmp_path / f"{name}.xlsx", rubric)
        assert (counted.read_text().count("read"), len(scans)) == (1, 1), name
        found[name] = [(p.code, p.cell, p.column, p.value, p.message)
                       for p in info.value.problems if p.is_error]
    assert found["large"] == found["small"]
    assert [f[:2] for f in found["large"]] == [("unknown-grade",
                                                f"{chr(65 + grade_col)}9")]


@pytest.mark.parametrize("where", ["fastexcel.read_excel", "pyarrow.csv.read_csv"])
def test_a_reading_library_failing_is_a_located_message_not_a_traceback(
        runner, generated, tmp_path, monkeypatch, where):
    """Seen in the field: pyarrow built for NumPy 2 beside NumPy 1.26 fails on import."""
    import importlib

    module, name = where.rsplit(".", 1)

    def broken(*args, **kwargs):
        raise ImportError("pyarrow requires NumPy 2.0 or newer")

    monkeypatch.setattr(importlib.import_module(module), name, broken)
    xlsx, text = generated
    path = xlsx if module == "fastexcel" else text
    result = invoke(runner, "grade", path, "--out", tmp_path / "g.csv")
    assert result.exit_code == 2
    assert path.name in result.stderr and "NumPy 2.0" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "g.csv").exists()
