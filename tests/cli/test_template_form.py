"""`hmic-audit template`: the form as a user meets it in a spreadsheet program.

The area drop-down (from a force profile or a list), the table of 10,000 rows whose
drop-downs, checks and shading reach every row, the grades-only (wide) form, the
protected header row, the red shading of a required cell left blank, and the hidden
record of the rubric the form was made for (a warning when it is checked against
another). Forms are opened with openpyxl, filled the way a user fills them (values
picked from their own drop-down lists) and read back by the commands.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from hmic_audit.render.template_xlsx import ROWS
from hmic_audit.workbook.format import FIELDS

from ..conftest import ROOT, invoke

PROFILE = ROOT / "sample_cases" / "gmp-2014" / "force.yaml"
DEFAULT_RUBRIC = ROOT / "rubrics" / "child-protection-2014.yaml"
LAST_ROW = ROWS + 1
"""The last row of the form's table (row 1 is the header)."""


def make(runner, tmp_path: Path, *args: object, name: str = "form.xlsx") -> Path:
    out = tmp_path / name
    result = invoke(runner, "template", "--out", out, *args)
    assert result.exit_code == 0, result.stderr
    return out


def headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def letter(ws, header: str) -> str:
    return openpyxl.utils.get_column_letter(headers(ws).index(header) + 1)


def drop_down(wb, cell: str) -> list[str] | None:
    """The values the drop-down of a Cases cell offers (read from the Lists sheet its
    validation points at), or None when the cell has no drop-down."""
    for dv in wb["Cases"].data_validations.dataValidation:
        if dv.type == "list" and cell in dv.sqref:
            sheet, ref = dv.formula1.split("!")
            return [row[0].value for row in wb[sheet.strip("'")][ref.replace("$", "")]]
    return None


def validation(ws, cell: str):
    return next((dv for dv in ws.data_validations.dataValidation if cell in dv.sqref), None)


# The area drop-down -----------------------------------------------------------------


def test_area_drop_down_lists_the_profiles_local_authorities(runner, tmp_path):
    import yaml

    out = make(runner, tmp_path, "--force", PROFILE)
    wb = openpyxl.load_workbook(out)
    ws = wb["Cases"]
    area = letter(ws, "Area")
    names = [la["name"] for la in
             yaml.safe_load(PROFILE.read_text(encoding="utf-8"))["local_authorities"]]
    assert drop_down(wb, f"{area}2") == names
    assert drop_down(wb, f"{area}{LAST_ROW}") == names
    # a division or "force-wide" is asked about, not refused
    assert validation(ws, f"{area}2").errorStyle == "warning"


def test_area_drop_down_from_a_list_file(runner, tmp_path):
    areas = tmp_path / "areas.txt"
    areas.write_bytes("\ufeffBury\r\n\r\n  Wigan  \r\nSaint Helens\n\n".encode())
    out = make(runner, tmp_path, "--areas", areas)
    wb = openpyxl.load_workbook(out)
    assert drop_down(wb, f"{letter(wb['Cases'], 'Area')}500") == ["Bury", "Wigan",
                                                                   "Saint Helens"]


def test_without_areas_the_area_column_is_free_text(runner, tmp_path):
    wb = openpyxl.load_workbook(make(runner, tmp_path))
    ws = wb["Cases"]
    assert validation(ws, f"{letter(ws, 'Area')}2") is None
    assert "Area" not in [c.value for c in wb["Lists"][1]]
    help_text = invoke(runner, "template", "--help").stdout
    assert "free text" in help_text


@pytest.mark.parametrize("content, row, words", [
    (b"Bury\nWigan\nbury\n", 3, "repeats the area on row 1"),
    (b"Bury\nWigan\nSt Helens \xe9\n", 3, "is not UTF-8"),
    (b"Bury\nArea\tCode\n", 2, "tab or control character"),
    (b"\n\n  \n", None, "holds no area"),
], ids=["duplicate", "not-utf8", "tab", "empty"])
def test_a_bad_areas_file_is_refused_at_its_line(runner, tmp_path, content, row, words):
    areas = tmp_path / "areas.txt"
    areas.write_bytes(content)
    out = tmp_path / "form.xlsx"
    result = invoke(runner, "template", "--areas", areas, "--out", out, "-f", "json")
    assert result.exit_code == 2
    assert not out.exists()
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["file"] == "areas.txt" and problem["row"] == row
    assert words in problem["message"]
    assert "Traceback" not in result.stderr and "areas.txt" in result.stderr


def test_missing_areas_file_and_both_sources_are_refused(runner, tmp_path):
    out = tmp_path / "form.xlsx"
    missing = invoke(runner, "template", "--areas", tmp_path / "nope.txt", "--out", out)
    assert missing.exit_code == 2 and "nope.txt" in missing.stderr
    areas = tmp_path / "areas.txt"
    areas.write_text("Bury\n", encoding="utf-8")
    both = invoke(runner, "template", "--areas", areas, "--force", PROFILE, "--out", out)
    assert both.exit_code == 2 and "--force or --areas" in both.stderr
    assert not out.exists()


# Every row of the table ---------------------------------------------------------------


def test_the_data_area_is_a_table_and_every_check_reaches_its_last_row(runner, tmp_path,
                                                                         rubric):
    wb = openpyxl.load_workbook(make(runner, tmp_path, "--force", PROFILE))
    ws = wb["Cases"]
    [(name, ref)] = ws.tables.items()
    width = len(headers(ws))
    assert ref == f"A1:{openpyxl.utils.get_column_letter(width)}{LAST_ROW}"
    assert [c.name for c in ws.tables[name].tableColumns] == headers(ws)
    typed = {f.title for f in FIELDS if f.kind in ("reference", "free-text")}
    for column in headers(ws):
        if column in typed:  # typed freely: a reference, notes, a live-risk reason
            continue
        col = letter(ws, column)
        assert validation(ws, f"{col}2") is not None, column
        assert validation(ws, f"{col}{LAST_ROW}") is not None, column
    for cid in rubric.criterion_ids:
        assert drop_down(wb, f"{letter(ws, cid)}{LAST_ROW}") == [a.label
                                                                  for a in rubric.answers]


def _fill_by_drop_downs(path: Path, rubric, rows: range) -> None:
    """Fill rows the way a user does: every choice picked from the cell's own drop-down."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Cases"]
    col = {h: letter(ws, h) for h in headers(ws)}

    def pick(header: str, r: int, wanted: str | None = None, k: int = 0) -> None:
        offered = drop_down(wb, f"{col[header]}{r}")
        assert offered, f"{header} row {r} has no drop-down"
        value = wanted if wanted is not None else offered[k % len(offered)]
        assert value in offered
        ws[f"{col[header]}{r}"] = value

    for k, r in enumerate(rows):
        case_type = rubric.case_types[k % len(rubric.case_types)]
        ws[f"{col['Case ref']}{r}"] = f"F-{r}"
        pick("Case type", r, case_type.label)
        pick("Sample", r, "Inspector-selected")
        pick("Assessor", r, "Inspector")
        if drop_down(wb, f"{col['Area']}{r}"):
            pick("Area", r, k=k)
        else:  # no areas given: free text
            ws[f"{col['Area']}{r}"] = "Bury"
        pick("Grade", r, k=k)
        pick("Child gender", r, k=k)
        pick("Example", r, k=k)
        pick("Example theme", r, k=k)
        ws[f"{col['Audit date']}{r}"] = dt.datetime(2014, 7, 3)
        ws[f"{col['Child age']}{r}"] = 9
        ws[f"{col['Notes']}{r}"] = "Seen and spoken to."
        for j, criterion in enumerate(rubric.criteria_for(case_type.key)):
            pick(criterion.id, r, k=j + k)
    wb.save(path)


def test_a_form_filled_through_its_drop_downs_past_row_1001_validates(runner, tmp_path,
                                                                       rubric):
    out = make(runner, tmp_path, "--force", PROFILE, "--rubric", DEFAULT_RUBRIC)
    _fill_by_drop_downs(out, rubric, range(1002, 1011))
    result = invoke(runner, "validate", out)
    assert result.exit_code == 0, result.stderr
    assert "9 audits, no errors" in result.stderr and "warning" not in result.stderr
    graded = invoke(runner, "grade", out, "--format", "json")
    assert graded.exit_code == 0, graded.stderr


# The grades-only form -----------------------------------------------------------------


def test_wide_form_has_the_two_grades_and_no_criteria(runner, tmp_path, rubric):
    from hmic_audit.workbook.format import FIELDS_BY_NAME

    out = make(runner, tmp_path, "--layout", "wide", "--format", "json")
    wb = openpyxl.load_workbook(out)
    ws = wb["Cases"]
    names = headers(ws)
    for field in ("case_ref", "case_type", "self_grade", "inspector_grade"):
        assert FIELDS_BY_NAME[field].title in names
    assert "Assessor" not in names and "Grade" not in names
    assert not set(names) & set(rubric.criterion_ids)
    grades = [g.label for g in rubric.scale]
    for header in ("Self grade", "Inspector grade"):
        assert drop_down(wb, f"{letter(ws, header)}{LAST_ROW}") == grades
    assert wb["_hmic_audit"]["B4"].value == "wide"


def test_a_filled_wide_form_validates_and_grades(runner, tmp_path, rubric):
    out = make(runner, tmp_path, "--layout", "wide", "--force", PROFILE, "--rubric",
               DEFAULT_RUBRIC)
    wb = openpyxl.load_workbook(out)
    ws = wb["Cases"]
    col = {h: letter(ws, h) for h in headers(ws)}
    rows = [("W-1", rubric.case_types[0].label, "Self-assessed", "Good", "Adequate"),
            ("W-2", rubric.case_types[1].label, "Inspector-selected", None, "Inadequate")]
    for r, (ref, case_type, sample, force, inspectors) in enumerate(rows, start=1500):
        ws[f"{col['Case ref']}{r}"] = ref
        for header, value in (("Case type", case_type), ("Sample", sample),
                              ("Self grade", force), ("Inspector grade", inspectors)):
            if value is not None:
                assert value in drop_down(wb, f"{col[header]}{r}")
                ws[f"{col[header]}{r}"] = value
    wb.save(out)
    result = invoke(runner, "validate", out)
    assert result.exit_code == 0, result.stderr
    graded = invoke(runner, "grade", out, "--format", "json")
    assert graded.exit_code == 0, graded.stderr
    text = graded.stdout
    assert "W-1" in text and "W-2" in text and "inadequate" in text


# Protection and shading ---------------------------------------------------------------


def test_header_row_is_locked_without_a_password_and_data_cells_are_not(runner, tmp_path):
    wb = openpyxl.load_workbook(make(runner, tmp_path))
    ws = wb["Cases"]
    protection = ws.protection
    assert protection.sheet and not protection.password
    # openpyxl reads these as "is the action locked?": sorting and filtering stay allowed
    assert not protection.autoFilter and not protection.sort
    assert all(c.protection.locked for c in ws[1])
    for column in ws.column_dimensions.values():  # the style an empty data cell takes
        assert column.protection.locked is False, column.index
    assert ws.freeze_panes == "B2"


def test_a_required_cell_left_blank_is_shaded_red(runner, tmp_path):
    wb = openpyxl.load_workbook(make(runner, tmp_path))
    ws = wb["Cases"]
    ref = letter(ws, "Case ref")
    rules = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    for header in ("Case type", "Assessor", "Grade", "Case ref"):
        col = letter(ws, header)
        [rule] = rules[f"{col}2:{col}{LAST_ROW}"]
        assert rule.type == "expression"
        assert f"${ref}2" in rule.formula[0]
        assert rule.dxf.fill.bgColor.rgb.endswith("FFC7CE")
    # the case type and assessor: blank while the row has a case reference
    case_type = letter(ws, "Case type")
    [rule] = rules[f"{case_type}2:{case_type}{LAST_ROW}"]
    assert rule.formula == [f"AND(LEN(TRIM(${ref}2))>0,LEN(TRIM({case_type}2))=0)"]


# The rubric the form was made for -------------------------------------------------------


def test_form_records_its_rubric_in_a_hidden_sheet(runner, tmp_path, rubric):
    wb = openpyxl.load_workbook(make(runner, tmp_path))
    stamp = wb["_hmic_audit"]
    assert stamp.sheet_state == "hidden"
    recorded = {row[0]: row[1] for row in stamp.iter_rows(values_only=True)}
    assert recorded["rubric"] == rubric.name and recorded["version"] == rubric.version
    assert recorded["sha256"] == rubric.sha256


def test_form_checked_against_another_rubric_version_gets_a_warning(runner, tmp_path,
                                                                     rubric):
    out = make(runner, tmp_path)
    _fill_by_drop_downs(out, rubric, range(2, 5))
    same = invoke(runner, "validate", out, "--format", "json")
    assert same.exit_code == 0, same.stderr
    assert json.loads(same.stdout)["problems"] == []
    bumped = tmp_path / "rubric-1.1.yaml"
    text = DEFAULT_RUBRIC.read_text(encoding="utf-8")
    assert f'version: "{rubric.version}"' in text
    bumped.write_text(text.replace(f'version: "{rubric.version}"', 'version: "9.9"', 1),
                      encoding="utf-8")
    other = invoke(runner, "validate", out, "--rubric", bumped, "--format", "json")
    assert other.exit_code == 0, other.stderr  # a warning, never an error
    [problem] = json.loads(other.stdout)["problems"]
    assert problem["code"] == "form-rubric-mismatch" and problem["severity"] == "warning"
    assert f"{rubric.name} v{rubric.version}" in problem["message"]
    assert f"{rubric.name} v9.9" in problem["message"]
    # every command reading the workbook says so
    graded = invoke(runner, "grade", out, "--rubric", bumped)
    assert graded.exit_code == 0 and "v9.9" in graded.stderr


def test_same_bytes_every_time(runner, tmp_path):
    first = make(runner, tmp_path, "--force", PROFILE, name="a.xlsx").read_bytes()
    assert make(runner, tmp_path, "--force", PROFILE, name="b.xlsx").read_bytes() == first


# LibreOffice ----------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_libreoffice_opens_the_form_and_its_copy_validates(runner, tmp_path, rubric,
                                                          layout):
    out = make(runner, tmp_path, "--layout", layout, "--force", PROFILE, "--rubric",
               DEFAULT_RUBRIC)
    if layout == "long":
        _fill_by_drop_downs(out, rubric, range(1002, 1005))
    else:
        wb = openpyxl.load_workbook(out)
        ws = wb["Cases"]
        for header, value in (("Case ref", "W-1"), ("Case type", rubric.case_types[0].label),
                              ("Inspector grade", rubric.scale[0].label)):
            ws[f"{letter(ws, header)}1002"] = value
        wb.save(out)
    saved = tmp_path / "lo"
    done = subprocess.run(
        [str(SOFFICE), "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(saved), str(out)],
        capture_output=True, text=True, timeout=300)
    copy = saved / out.name
    assert copy.exists(), done.stderr
    wb = openpyxl.load_workbook(copy)
    assert "_hmic_audit" in wb.sheetnames and wb["Cases"].protection.sheet
    result = invoke(runner, "validate", copy, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["problems"] == []
