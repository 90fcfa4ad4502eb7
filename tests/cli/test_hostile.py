"""Hostile and broken input fails loudly and precisely; outputs carry nothing onward."""

from __future__ import annotations

import html as html_lib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from ..conftest import ROOT, SAMPLE, invoke, long_rows_good, write_xlsx

CORPUS = Path(__file__).resolve().parents[1] / "data" / "hostile"

# file, problem code, words the message must contain, cell (when the problem has one)
FAILURES = [
    ("csv_saved_as.xlsx", "csv-saved-as-xlsx", "CSV file saved as .xlsx", None),
    ("old.xlsx", "old-xls", "old .xls", None),
    ("encrypted.xlsx", "encrypted-workbook", "save an unprotected copy", None),
    ("truncated.xlsx", "corrupt-xlsx", "truncated or corrupt", None),
    ("entity_bomb.xlsx", "xml-entities", "entity bomb", None),
    ("zip_bomb.xlsx", "zip-bomb", "zip bomb", None),
    ("stray_cell.xlsx", "used-range-too-large", "XFD1048576", None),
    ("error_cells.xlsx", "error-cell", "#DIV/0!", "E3"),
    ("error_cells.xlsx", "formula-without-value", "never saved", "E4"),
    ("merged.xlsx", "merged-cells", "E3:E4 are merged", "E3"),
]


@pytest.mark.parametrize("name, code, words, cell", FAILURES,
                         ids=[f"{f[0]}-{f[1]}" for f in FAILURES])
def test_each_failure_mode(runner, tmp_path, name, code, words, cell):
    source = tmp_path / name
    shutil.copy(CORPUS / name, source)
    out = tmp_path / "graded.xlsx"
    started = time.monotonic()
    result = invoke(runner, "grade", source, "--out", out, "--format", "json")
    assert time.monotonic() - started < 5
    assert result.exit_code == 2
    problems = json.loads(result.stdout)["problems"]
    match = [p for p in problems if p["code"] == code]
    assert match and words in match[0]["message"]
    assert match[0]["file"] == name
    if cell:
        assert match[0]["cell"] == cell and f"Cases!{cell}" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing written


@pytest.mark.parametrize("name, code", [("macros.xlsm", "macros"),
                                        ("external_links.xlsx", "external-links")])
def test_macros_and_links_are_reported_not_run(runner, name, code):
    result = invoke(runner, "validate", CORPUS / name, "--format", "json")
    assert result.exit_code == 0
    [warning] = json.loads(result.stdout)["problems"]
    assert warning["code"] == code and warning["severity"] == "warning"


@pytest.mark.skipif(sys.platform != "linux", reason="uses ulimit and timeout")
@pytest.mark.parametrize("name, words", [("entity_bomb.xlsx", "entity bomb"),
                                         ("zip_bomb.xlsx", "zip bomb"),
                                         ("stray_cell.xlsx", "XFD1048576")])
def test_bombs_under_memory_and_time_limits(name, words):
    exe = shutil.which("hmic-audit", path=str(Path(sys.executable).parent)) or "hmic-audit"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "COLUMNS": "200"}
    done = subprocess.run(  # noqa: S603
        ["bash", "-c", f'ulimit -v 1048576; exec timeout 10 "{exe}" grade "{CORPUS / name}"'],
        capture_output=True, text=True, env=env)
    assert done.returncode == 2, done.stderr
    assert words in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr


PAYLOADS = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(A1)",
            "\tTAB", "<script>alert(1)</script>", "{{ 7*7 }}", "[x](javascript:alert(1))",
            "evil\u202egnp.exe", "bell\x07"]


def _payload_workbook(tmp_path, as_csv: bool = False):
    """Cases whose reference, area and notes hold formula, markup, template and control
    payloads (and, as CSV, a reference longer than a spreadsheet cell can hold)."""
    headers, rows = long_rows_good()
    headers = [*headers, "Notes", "Example"]
    built = []
    for i, payload in enumerate(PAYLOADS):
        row = list(rows[2])
        row[0] = f"P{i}{payload}"
        row[3] = payload
        row[5] = "2014-07-04"
        built.append([*row, payload, "concern"])
    if not as_csv:
        return write_xlsx(tmp_path / "payload.xlsx", headers, built)
    built.append(["LONG" + "x" * 40_000, *built[0][1:]])
    import csv

    path = tmp_path / "payload.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([headers, *built])
    return path


def test_exports_carry_no_formula_and_no_invisible_text(runner, tmp_path):
    cases = _payload_workbook(tmp_path, as_csv=True)
    xlsx, csv_out = tmp_path / "graded.xlsx", tmp_path / "graded.csv"
    for out in (xlsx, csv_out):
        result = invoke(runner, "grade", cases, "--out", out)
        assert result.exit_code == 0, result.stderr
        assert "longer than 32,767 characters and was cut" in result.stderr
    with zipfile.ZipFile(xlsx) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)
    text = csv_out.read_bytes().decode("utf-8-sig")
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@", "\t")) or cell[:1] == '"'
    assert "'=HYPERLINK" in text or "\"'=HYPERLINK" in text
    assert "'+1+1" in text and "'-2+3" in text and "'@SUM" in text
    assert "\u202e" not in text and "<U+202E>" in text and "\x07" not in text
    assert "[truncated: 40,004 characters]" in text


def test_annex_and_report_from_hostile_notes(runner, tmp_path):
    from .test_report import FORCE

    cases = _payload_workbook(tmp_path)
    shutil.copy(FORCE, tmp_path / "force.yaml")
    shutil.copy(FORCE.parent / "rubric.yaml", tmp_path / "rubric.yaml")
    annex = tmp_path / "annex.xlsx"
    assert invoke(runner, "annex", cases, "--out", annex).exit_code == 0
    with zipfile.ZipFile(annex) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if "worksheets" in n)
    for suffix in ("html", "md"):
        out = tmp_path / f"report.{suffix}"
        result = invoke(runner, "report", cases, "--force", tmp_path / "force.yaml",
                        "--out", out)
        assert result.exit_code == 0, result.stderr
        text = out.read_text(encoding="utf-8")
        assert 'href="javascript' not in text
        if suffix == "md":  # every < from the cases is escaped, so none opens a tag
            assert re.findall(r"(?<!\\)<script", text) == []
        else:
            assert "<script" not in text
        assert "\u202e" not in text
        assert "<U+202E>" in re.sub(r"\\(.)", r"\1", html_lib.unescape(text))
        if suffix == "html":
            visible = re.sub(r"<svg.*?</svg>", "", text, flags=re.S)
            assert "{{ 7*7 }}" in visible and "&lt;script&gt;" in visible
        else:
            assert "\\{\\{ 7\\*7 \\}\\}" in text and "\\<script\\>" in text


def test_outputs_are_private(runner, tmp_path):
    out = tmp_path / "graded.csv"
    assert invoke(runner, "grade", SAMPLE, "--out", out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_failed_write_changes_nothing(runner, tmp_path, monkeypatch):
    from .test_report import FORCE

    out = tmp_path / "report.md"
    figures = tmp_path / "report.md.figures.json"
    out.write_text("old report", encoding="utf-8")
    figures.write_text("old figures", encoding="utf-8")
    real = os.replace
    calls = {"n": 0}

    def flaky(src, dst):
        calls["n"] += 1
        if str(src).endswith(".tmp") and calls["n"] > 3:
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr("hmic_audit.io.write.os.replace", flaky)
    result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out)
    assert result.exit_code == 2 and "nothing was changed" in result.stderr
    assert out.read_text(encoding="utf-8") == "old report"
    assert figures.read_text(encoding="utf-8") == "old figures"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md", "report.md.figures.json"]


def test_1904_date_system_is_honoured(runner, tmp_path):
    import datetime as dt

    import xlsxwriter

    path = tmp_path / "mac.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"date_1904": True})
    ws = wb.add_worksheet("Cases")
    ws.write_row(0, 0, ["Case ref", "Case type", "Assessor", "Grade", "Audit date"])
    ws.write_row(1, 0, ["M-1", "Domestic abuse", "inspector", "good"])
    ws.write_datetime(1, 4, dt.datetime(2014, 7, 3), wb.add_format({"num_format": "d/m/yy"}))
    wb.close()
    from hmic_audit import load_rubric, read_workbook

    audits, _ = read_workbook(path, load_rubric())
    assert audits.audits[0].audit_date == dt.date(2014, 7, 3)
    assert invoke(runner, "grade", path).exit_code == 0


@pytest.mark.parametrize("text, words", [
    ("name: &n x\nversion: *n\n", "anchor"),
    ("name: a\nname: b\n", "repeats the key"),
    ("name: !!python/object/apply:os.system [echo hi]\n", "tag"),
])
def test_hostile_rubric_through_the_cli(runner, tmp_path, text, words):
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    check = invoke(runner, "rubric", "check", path)
    assert check.exit_code == 1 and words in check.stderr and "rubric.yaml" in check.stderr
    grade = invoke(runner, "grade", SAMPLE, "--rubric", path)
    assert grade.exit_code == 2 and "Traceback" not in grade.stderr


@pytest.mark.parametrize("text, words", [
    ('[{"case_ref": "A", "case_ref": "B"}]', "repeats the key"),
    ('[{"case_ref": "A", "child_age": NaN}]', "NaN"),
    ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
])
def test_hostile_json_through_the_cli(runner, tmp_path, text, words):
    path = tmp_path / "cases.json"
    path.write_text(text, encoding="utf-8")
    result = invoke(runner, "grade", path, "--out", tmp_path / "g.csv")
    assert result.exit_code == 2 and words in result.stderr
    assert not (tmp_path / "g.csv").exists()


def test_future_and_impossible_dates(runner, tmp_path):
    headers, rows = long_rows_good()
    rows[0][5] = "2099-01-01"
    rows[1][5] = "31/02/2014"
    path = write_xlsx(tmp_path / "dates.xlsx", headers, rows)
    result = invoke(runner, "grade", path, "-f", "json")
    assert result.exit_code == 2
    codes = {(p["cell"], p["code"]) for p in json.loads(result.stdout)["problems"]}
    assert {("F2", "future-date"), ("F3", "impossible-date")} <= codes


def test_csv_defusing_is_the_rule_the_readme_states():
    """OWASP's rule (an apostrophe before =, +, -, @, tab, carriage return), plus line
    feed, except plain numbers: the README says so, in both places, and the code does it."""
    from hmic_audit.render.csv import safe_cell

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    for stated in ("cell starting with `=`, `+`, `-`, `@`, tab, carriage return or line "
                   "feed gets a leading apostrophe",
                   "unless it is a plain number such as `-7` or `+3.5`",
                   "cells starting with `=`, `+`, `-`, `@`, tab, carriage return or line "
                   "feed get a leading apostrophe (OWASP's rule against CSV injection), "
                   "except plain numbers such as `-7` or `+3.5`"):
        assert stated in readme
    for start in ("=", "+", "-", "@", "\t", "\r", "\n"):
        assert safe_cell(f"{start}1+2") == f"'{start}1+2"
    for number in ("-7", "+3.5", "-0.25", "12"):
        assert safe_cell(number) == number
    for text in ("-1+2", "-cmd|' /C calc'!A0", "-7\n", "-\u0663", "+7 ", "-7e3"):
        assert safe_cell(text) == "'" + text
