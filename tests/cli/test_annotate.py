"""validate/grade --annotate: the user's own workbook, marked and graded, nothing of theirs
changed.

The workbook is made the way a person makes one in Excel (openpyxl): the audits on a sheet
that is not called Cases and is not first, a title row, a bold filled header, widths, a
filter, frozen panes, a date format, a notes sheet. The planted mistakes are listed with
their cells; the test asserts the copy marks exactly those, links to each, and keeps every
other value, style and width.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

from ..conftest import SAMPLE, invoke

HEADERS = ["Case ref", "Sample", "Case type", "Assessor", "Audit date", "Grade",
           "ic_prompt_response", "ic_immediate_safety", "ic_child_seen", "ah_risk_assessed",
           "ah_referral_made", "dm_supervisor_review"]
ROWS = [
    ["C-1", "Self-assessed", "Domestic abuse", "Force", dt.date(2014, 6, 3), "Good",
     "yes", "yes", "yes", "yes", "yes", "yes"],
    ["C-1", "Self-assessed", "Domestic abuse", "Inspector", dt.date(2014, 7, 3), "",
     "yes", "no", "partly", "yes", "maybe", "yes"],              # K4: unknown answer
    ["C-2", "Inspector-selected", "Domestc abuse", "Inspector", dt.date(2014, 7, 4), "",
     "no", "no", "no", "no", "no", "no"],                        # C5: unknown case type
    ["C-3", "Inspector-selected", "s47", "Inspector", "31/02/2014", "Adequate",
     "yes", "yes", "yes", "yes", "yes", "yes"],                  # E6: no such date
]
PLANTED = {("K4", "unknown-answer"), ("C5", "unknown-case-type"), ("E6", "impossible-date")}
DATA = "Audit data"


def _users_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Read me"
    notes["A1"] = "Audits for the July inspection. Do not sort the notes."
    notes["A1"].font = Font(italic=True, color="7F7F7F")
    notes.column_dimensions["A"].width = 70
    ws = wb.create_sheet(DATA)
    ws["A1"] = "Northtown Police - case audits"
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", start_color="1F3864", end_color="1F3864")
    for row in ROWS:
        ws.append(row)
    for r in range(3, 3 + len(ROWS)):
        ws.cell(row=r, column=5).number_format = "dd/mm/yyyy"
    for letter, width in zip("ABCDEF", (12, 20, 24, 12, 14, 12), strict=True):
        ws.column_dimensions[letter].width = width
    ws.auto_filter.ref = f"A2:L{2 + len(ROWS)}"
    ws.freeze_panes = "B3"
    wb.save(path)
    return path


def _cells(ws) -> dict[str, tuple]:
    """Every cell's value and style, by reference."""
    return {c.coordinate: (c.value, c.number_format, c.font.b, c.font.i, c.font.color and
                           c.font.color.rgb, c.fill.fill_type, c.fill.start_color.rgb)
            for row in ws.iter_rows() for c in row}


@pytest.fixture()
def users(tmp_path) -> Path:
    return _users_workbook(tmp_path / "audits.xlsx")


def test_validate_marks_exactly_the_planted_cells_and_changes_nothing_else(
        runner, users, tmp_path):
    before = hashlib.sha256(users.read_bytes()).hexdigest()
    out = tmp_path / "checked.xlsx"
    result = invoke(runner, "validate", users, "--sheet", DATA, "--annotate", out,
                    "--format", "json")
    assert result.exit_code == 1  # the file has errors; the copy is what --annotate is for
    problems = json.loads(result.stdout)["problems"]
    assert {(p["cell"], p["code"]) for p in problems if p["severity"] == "error"} == PLANTED
    assert hashlib.sha256(users.read_bytes()).hexdigest() == before  # input untouched

    original, copy = openpyxl.load_workbook(users), openpyxl.load_workbook(out)
    assert copy.sheetnames == ["Problems", "Read me", DATA]
    marked = {p["cell"]: p for p in problems if p["cell"]}
    for name in original.sheetnames:
        old, new = _cells(original[name]), _cells(copy[name])
        assert old.keys() <= new.keys()
        for ref, (value, *style) in old.items():
            if name == DATA and ref in marked:
                continue
            assert new[ref] == (value, *style), (name, ref)
            assert copy[name][ref].comment is None
        for letter, dim in original[name].column_dimensions.items():
            assert copy[name].column_dimensions[letter].width == dim.width
    data = copy[DATA]
    assert data.auto_filter.ref == original[DATA].auto_filter.ref
    assert data.freeze_panes == "B3"
    for ref, p in marked.items():
        cell = data[ref]
        assert cell.value == original[DATA][ref].value
        colour = {"error": "FFC7CE", "warning": "FFEB9C", "notice": "DDEBF7"}[p["severity"]]
        assert cell.fill.fill_type == "solid" and cell.fill.start_color.rgb.endswith(colour)
        assert p["message"] in cell.comment.text

    sheet = copy["Problems"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(problems)
    links = {}
    for r in range(3, sheet.max_row + 1):
        cell = sheet.cell(row=r, column=3)
        if cell.value:
            links[cell.value] = cell.hyperlink.location
    assert links == {ref: f"'{DATA}'!{ref}" for ref in marked}


def test_the_annotated_copy_reads_as_the_workbook_it_was_made_from(runner, users, tmp_path):
    out = tmp_path / "checked.xlsx"
    first = invoke(runner, "validate", users, "--sheet", DATA, "--annotate", out, "-f", "json")
    again = invoke(runner, "validate", out, "--sheet", DATA, "-f", "json")
    assert again.exit_code == 1
    assert [(p["cell"], p["code"]) for p in json.loads(again.stdout)["problems"]] == \
        [(p["cell"], p["code"]) for p in json.loads(first.stdout)["problems"]]


def test_the_same_input_gives_the_same_bytes(runner, users, tmp_path):
    """A second later too: openpyxl stamps the time of saving, which is put back."""
    import time

    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    invoke(runner, "validate", users, "--sheet", DATA, "--annotate", a)
    time.sleep(1.1)
    invoke(runner, "validate", users, "--sheet", DATA, "--annotate", b)
    assert a.read_bytes() == b.read_bytes()


def test_a_csv_becomes_an_xlsx_of_its_data_as_text(runner, tmp_path):
    path = tmp_path / "audits.csv"
    path.write_text("Case ref,Sample,Case type,Assessor,Grade,ic_child_seen\n"
                    "00123,self-assessed,domestic abuse,inspector,Good,perhaps\n",
                    encoding="utf-8")
    out = tmp_path / "checked.xlsx"
    result = invoke(runner, "validate", path, "--annotate", out)
    assert result.exit_code == 1
    copy = openpyxl.load_workbook(out)
    data = copy[copy.sheetnames[1]]
    assert data["A2"].value == "00123"  # a reference stays text: no 123.0
    assert data["F2"].value == "perhaps" and "not an answer" in data["F2"].comment.text


def test_grade_adds_its_grades_beside_the_data(runner, tmp_path):
    out = tmp_path / "graded.xlsx"
    result = invoke(runner, "grade", SAMPLE, "--annotate", out, "--quiet")
    assert result.exit_code == 0, result.stderr
    graded = json.loads(invoke(runner, "grade", SAMPLE, "--format", "json").stdout)["audits"]
    copy = openpyxl.load_workbook(out)
    ws = copy["Cases"]
    header = [c.value for c in ws[3]]
    first = header.index("hmic-audit score")
    assert header[first:] == ["hmic-audit score", "hmic-audit computed grade",
                              "hmic-audit final grade", "hmic-audit override",
                              "hmic-audit reasons"]
    assert "rubric hmic-cp-2014 v1.0" in ws.cell(row=2, column=first + 1).value
    labels = {"good": "Good", "adequate": "Adequate", "requires_improvement":
              "Requires improvement", "inadequate": "Inadequate", None: None}
    for audit in graded:
        row = audit["source"]["row"]
        score, computed, final, override, reasons = (
            ws.cell(row=row, column=first + 1 + k).value for k in range(5))
        assert score == (None if audit["score"] is None else round(audit["score"], 1))
        assert (computed or None) == labels[audit["computed_grade"]]
        assert final == labels[audit["final_grade"]]
        assert (override == "yes") is audit["override"]
        assert (reasons or "") == "; ".join(r["message"] for r in audit["reasons"])
    good = next(a for a in graded if a["final_grade"] == "good")
    fill = ws.cell(row=good["source"]["row"], column=first + 3).fill
    assert fill.start_color.rgb.endswith("C6EFCE")  # the rubric's colour for good
    # graded again, the copy gives the same grades: the added columns are not read
    again = invoke(runner, "grade", out, "--format", "json")
    assert again.exit_code == 0, again.stderr
    assert [a["final_grade"] for a in json.loads(again.stdout)["audits"]] == \
        [a["final_grade"] for a in graded]
    assert "unknown-column" not in again.stderr


def test_grade_of_a_workbook_with_errors_writes_the_marked_copy_and_stops(
        runner, users, tmp_path):
    out = tmp_path / "graded.xlsx"
    result = invoke(runner, "grade", users, "--sheet", DATA, "--annotate", out)
    assert result.exit_code == 2
    copy = openpyxl.load_workbook(out)
    listed = {(r[2], r[0]) for r in copy["Problems"].iter_rows(min_row=3, values_only=True)}
    assert {(cell, "error") for cell, _ in PLANTED} <= listed
    assert copy[DATA]["K4"].comment is not None
    assert "hmic-audit score" not in [c.value for c in copy[DATA][2]]


@pytest.mark.parametrize("args, code", [
    (["--annotate", "checked.csv"], "bad-output-format"),
    (["--annotate", "audits.xlsx"], "output-is-input")])
def test_refused_annotations(runner, users, args, code):
    args = [str(users.parent / a) if a.endswith((".csv", ".xlsx")) else a for a in args]
    result = invoke(runner, "validate", users, *args, "--format", "json")
    assert result.exit_code == 2
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == [code]


def test_annotate_is_never_pseudonymised(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("HMIC_AUDIT_PSEUDONYM_KEY", "k" * 40)
    result = invoke(runner, "grade", SAMPLE, "--pseudonymise", "--annotate",
                    tmp_path / "g.xlsx", "--format", "json")
    assert result.exit_code == 2 and not (tmp_path / "g.xlsx").exists()


def test_text_that_looks_like_a_formula_stays_text(runner, tmp_path):
    """A CSV cell '=1+1' (or a typed '=HYPERLINK(...)') must not become a live formula
    in the copy (found by a review)."""
    path = tmp_path / "audits.csv"
    path.write_text("Case ref,Sample,Case type,Assessor,Grade\n"
                    'C-1,self-assessed,domestic abuse,inspector,"=1+1"\n', encoding="utf-8")
    out = tmp_path / "checked.xlsx"
    invoke(runner, "validate", path, "--annotate", out)
    copy = openpyxl.load_workbook(out)
    data = copy[copy.sheetnames[1]]
    assert data["E2"].value == "=1+1" and data["E2"].data_type == "s"
    values = [c for row in copy["Problems"].iter_rows(min_row=3) for c in row
              if c.value == "=1+1"]
    assert values and all(c.data_type == "s" for c in values)


def test_an_annotated_copy_annotated_again_replaces_what_was_added(runner, tmp_path):
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    assert invoke(runner, "grade", SAMPLE, "--annotate", once, "-q").exit_code == 0
    assert invoke(runner, "grade", once, "--annotate", twice, "-q").exit_code == 0
    book = openpyxl.load_workbook(twice)
    assert book.sheetnames.count("Problems") == 1 and book.sheetnames[0] == "Problems"
    header = [c.value for c in book["Cases"][3]]
    assert header.count("hmic-audit score") == 1
    assert header == [c.value for c in openpyxl.load_workbook(once)["Cases"][3]]
    again = invoke(runner, "validate", twice, "-f", "json")
    assert again.exit_code == 0, again.stdout


def test_grades_only_rows_say_whose_grade_each_column_holds(runner, tmp_path):
    from ..conftest import write_xlsx

    path = write_xlsx(tmp_path / "wide.xlsx", ["Case ref", "Case type", "Self grade",
                                                "Inspector grade"],
                      [["X1", "domestic abuse", "Good", None],
                       ["X2", "domestic abuse", None, "Inadequate"]])
    out = tmp_path / "graded.xlsx"
    assert invoke(runner, "grade", path, "--annotate", out, "-q").exit_code == 0
    ws = openpyxl.load_workbook(out)["Cases"]
    header = [c.value for c in ws[1]]
    force = header.index("hmic-audit final grade (force)") + 1
    inspector = header.index("hmic-audit final grade (inspector)") + 1
    assert (ws.cell(row=2, column=force).value, ws.cell(row=2, column=inspector).value) == (
        "Good", None)
    assert (ws.cell(row=3, column=force).value, ws.cell(row=3, column=inspector).value) == (
        None, "Inadequate")


def test_the_users_filter_spans_the_added_columns(runner, users, tmp_path):
    fixed = tmp_path / "clean.xlsx"
    wb = openpyxl.load_workbook(users)
    ws = wb[DATA]
    ws["K4"], ws["C5"], ws["E6"] = "yes", "Domestic abuse", dt.date(2014, 7, 5)
    wb.save(fixed)
    out = tmp_path / "graded.xlsx"
    result = invoke(runner, "grade", fixed, "--sheet", DATA, "--annotate", out, "-q")
    assert result.exit_code == 0, result.stderr
    ws = openpyxl.load_workbook(out)[DATA]
    last = max(c.column for c in ws[2] if c.value)
    assert ws.auto_filter.ref == f"A2:{openpyxl.utils.get_column_letter(last)}6"


def test_a_marked_header_stays_readable(runner, tmp_path):
    """A misspelt header in white on dark blue, marked amber, would be white on amber:
    its text is made dark (found by a review)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Cases"
    ws.append([*HEADERS[:6], "Oficer in case"])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", start_color="1F3864", end_color="1F3864")
    ws.append([*ROWS[0][:6], "DC Jones"])
    path = tmp_path / "audits.xlsx"
    wb.save(path)
    out = tmp_path / "checked.xlsx"
    invoke(runner, "validate", path, "--annotate", out)
    cell = openpyxl.load_workbook(out)["Cases"]["G1"]
    assert cell.comment is not None and cell.fill.start_color.rgb.endswith("FFEB9C")
    assert cell.font.b and cell.font.color.rgb.endswith("000000")
    untouched = openpyxl.load_workbook(out)["Cases"]["A1"]
    assert untouched.font.color.rgb.endswith("FFFFFF")  # only the marked cell changes
