"""The fast column-wise path gives exactly what the row-by-row path gives."""

from __future__ import annotations

import importlib.util

import pytest

from hmic_audit import grade, read_workbook
from hmic_audit.render.table import graded_rows
from hmic_audit.scoring.fastgrade import grade_frame
from hmic_audit.workbook.fastpath import read_frame

from .conftest import ROOT, SAMPLE, long_rows_good, write_xlsx

spec = importlib.util.spec_from_file_location("bench_generate",
                                              ROOT / "benchmarks" / "generate.py")
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "generated.xlsx"
    generate.write(1500, path)
    return path


@pytest.mark.parametrize("which", ["generated", "sample"])
def test_fast_path_equals_slow_path(rubric, generated, which):
    path = generated if which == "generated" else SAMPLE
    frame = read_frame(path, rubric)
    assert frame is not None, "a clean workbook takes the fast path"
    slow, warnings = read_workbook(path, rubric)
    assert frame.warnings == warnings
    assert frame.to_audit_set(rubric).model_dump() == slow.model_dump()
    result = grade(slow, rubric)
    grades = grade_frame(frame, rubric)
    assert grades.summary(rubric) == result.summary
    assert grades.table_rows(rubric) == graded_rows(result, rubric)


def test_fast_cli_output_equals_the_slow_rendering(runner, rubric, generated, tmp_path,
                                                   monkeypatch):
    from hmic_audit.render.csv import render_csv
    from hmic_audit.render.table import graded_columns

    from .conftest import invoke

    calls = []
    import hmic_audit.workbook.fastpath as fastpath

    real = fastpath.read_frame
    monkeypatch.setattr("hmic_audit.FAST_PATH_BYTES", 0)
    monkeypatch.setattr(fastpath, "read_frame",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    out = tmp_path / "graded.csv"
    assert invoke(runner, "grade", generated, "--out", out).exit_code == 0
    slow = grade(read_workbook(generated, rubric)[0], rubric)
    assert calls, "the CLI took the fast path"
    assert out.read_bytes() == render_csv(graded_columns(rubric), graded_rows(slow, rubric))


@pytest.mark.parametrize("change", ["bad grade", "duplicate", "blank row", "title rows",
                                    "lookalike"])
def test_anything_unusual_falls_back_or_agrees(rubric, tmp_path, change):
    headers, rows = long_rows_good()
    title_rows = 0
    if change == "bad grade":
        rows[0][6] = "Goodish"
    elif change == "duplicate":
        rows.append(list(rows[2]))
    elif change == "blank row":
        rows.insert(1, None)
    elif change == "title rows":
        title_rows = 2
    else:
        rows[2][0] = "C\u20112"
    path = write_xlsx(tmp_path / "c.xlsx", headers, rows, title_rows=title_rows)
    frame = read_frame(path, rubric)
    if change in ("bad grade", "duplicate", "lookalike"):
        assert frame is None
        return
    assert frame is not None
    slow, _ = read_workbook(path, rubric)
    assert frame.to_audit_set(rubric).model_dump() == slow.model_dump()


@pytest.mark.parametrize("bom", [False, True])
def test_csv_fast_path_equals_slow_path(rubric, tmp_path, bom):
    path = tmp_path / "generated.csv"
    generate.write(800, path)
    if bom:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    frame = read_frame(path, rubric)
    assert frame is not None
    slow, warnings = read_workbook(path, rubric)
    assert frame.warnings == warnings
    assert frame.to_audit_set(rubric).model_dump() == slow.model_dump()
    assert grade_frame(frame, rubric).summary(rubric) == grade(slow, rubric).summary


def test_csv_with_blank_lines_or_other_encodings_falls_back(rubric, tmp_path):
    path = tmp_path / "g.csv"
    generate.write(50, path)
    text = path.read_text(encoding="utf-8")
    blank = tmp_path / "blank.csv"
    blank.write_text(text.replace("\n", "\n\n", 3), encoding="utf-8")
    assert read_frame(blank, rubric) is None
    latin = tmp_path / "latin.csv"
    latin.write_bytes(text.replace("Bolton", "Bólton").encode("cp1252"))
    assert read_frame(latin, rubric) is None
