"""A blank audit workbook built from a rubric (``hmic-audit template``).

Sheet ``Cases``: the form's identity columns (``workbook.audit_form.form_fields``), then,
in the long layout, one column per criterion (header = criterion id, cell comment = its
question and the case types it applies to). The data area is an Excel table of
``ROWS`` rows, so sorting and filtering keep rows whole, and every row of it has:

* drop-down lists for case type, sample, assessor, grade(s), example tag, example theme,
  gender and every answer column, and for the area when areas are given (a force
  profile's local authorities, or a list): an area not in the list is asked about, not
  refused, since some forces record divisions or "force-wide";
* date and age checks, and dates and case references formatted as such;
* light red shading on a required cell left blank in a row that is being filled (a case
  reference without a case type or, long layout, an assessor; a row without a case
  reference; an audit with neither a grade nor an answer; a grades-only row with
  neither grade).

The header row is locked (sheet protection without a password: Review > Unprotect Sheet
lifts it); the data cells are not, and sorting, filtering and resizing columns stay
allowed. Sheet ``Instructions`` explains the form (the criteria by theme, or the grades).
Hidden sheet ``Lists`` holds the drop-down values; hidden sheet ``_hmic_audit`` (see
``io.form_stamp``) records the rubric's name, version and SHA-256, so a form checked
against another rubric gets a warning. A filled-in copy is valid input to every command.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import xlsxwriter
import xlsxwriter.utility

from ..io.form_stamp import FORM_SHEET
from ..rubric import Rubric
from ..workbook.audit_form import FormLayout, form_fields, required_fields
from ..workbook.dates import OLDEST_AUDIT_DATE
from .xlsx import FIXED_CREATED

ROWS = 10_000
"""Data rows of the form's table, each with the drop-down lists, checks and shading."""
TABLE_NAME = "AuditForm"
MISSING = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
"""Light red: a required cell left blank."""
PROTECTION = {"autofilter": True, "sort": True, "format_columns": True,
              "format_rows": True, "select_locked_cells": True,
              "select_unlocked_cells": True}
"""What a user may still do on the protected Cases sheet (beyond typing in data cells)."""

_col = xlsxwriter.utility.xl_col_to_name


def _lists(rubric: Rubric, areas: list[str] | None) -> dict[str, list[str]]:
    """The drop-down lists, by the name heading their column on the Lists sheet."""
    values = {
        "Case type": [c.label for c in rubric.case_types],
        "Sample": ["Self-assessed", "Inspector-selected"],
        "Assessor": ["Force", "Inspector"],
        "Grade": [g.label for g in rubric.scale],
        "Example": ["Good practice", "Concern"],
        "Example theme": [t.label for t in rubric.themes],
        "Child gender": ["Female", "Male", "Other"],
        "Answer": [a.label for a in rubric.answers],
    }
    if areas:
        values["Area"] = list(areas)
    return values


LIST_OF = {"case_type": "Case type", "sample": "Sample", "assessor": "Assessor",
           "grade": "Grade", "self_grade": "Grade", "inspector_grade": "Grade",
           "example": "Example", "example_theme": "Example theme",
           "child_gender": "Child gender", "area": "Area"}
"""Field -> the list its drop-down offers."""


def template_xlsx(rubric: Rubric, *, layout: FormLayout = "long",
                  areas: list[str] | None = None,
                  rows: Sequence[Mapping[str, str]] = (),
                  more_sheets: Callable[[Any], None] | None = None,
                  made_by: str = "hmic-audit template") -> bytes:
    """The blank form as xlsx bytes (same rubric, layout and areas: same bytes).

    ``rows`` pre-fills the table's first rows, each a field name of the form -> text
    (``hmic-audit sample``: case ref, case type label, area, sample); the cells keep the
    form's formats and stay unlocked. ``more_sheets(workbook)`` adds sheets after the
    form's own (an xlsxwriter ``Workbook``); ``made_by`` goes in the hidden stamp."""
    if len(rows) > ROWS:
        raise ValueError(f"the form has {ROWS:,} rows; {len(rows):,} given")
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False})
    title = "Audit form" if layout == "long" else "Grades form"
    wb.set_properties({"created": FIXED_CREATED, "author": "hmic-audit",
                       "title": f"{title}: {rubric.title}"})
    cases = wb.add_worksheet("Cases")
    instructions = wb.add_worksheet("Instructions")
    lists = wb.add_worksheet("Lists")
    stamp = wb.add_worksheet(FORM_SHEET)
    lists.hide()
    stamp.hide()

    values = _lists(rubric, areas)
    ranges = {}
    for c, (name, items) in enumerate(values.items()):
        lists.write_string(0, c, name)
        for r, item in enumerate(items, start=1):
            lists.write_string(r, c, item)
        ranges[name] = f"=Lists!${_col(c)}$2:${_col(c)}${len(items) + 1}"

    _cases_sheet(wb, cases, rubric, layout, ranges, rows)
    _instructions(wb, instructions, rubric, layout, areas)
    for r, (key, value) in enumerate((("rubric", rubric.name),
                                      ("version", rubric.version),
                                      ("sha256", rubric.sha256 or ""),
                                      ("layout", layout),
                                      ("made by", made_by))):
        stamp.write_string(r, 0, key)
        stamp.write_string(r, 1, value)
    stamp.protect()
    if more_sheets is not None:
        more_sheets(wb)
    wb.close()
    return buffer.getvalue()


def _cases_sheet(wb: Any, cases: Any, rubric: Rubric, layout: FormLayout,
                 ranges: dict[str, str], rows: Sequence[Mapping[str, str]] = ()) -> None:
    head = wb.add_format({"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF",
                          "text_wrap": True, "valign": "top", "border": 1})
    crit_head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True,
                               "valign": "top", "border": 1, "rotation": 90})
    plain = wb.add_format({"locked": False})
    date = wb.add_format({"num_format": "dd/mm/yyyy", "locked": False})
    text = wb.add_format({"num_format": "@", "locked": False})
    missing = wb.add_format(MISSING)
    last = ROWS
    fields = form_fields(layout)
    criteria = rubric.criteria if layout == "long" else []
    position = {f.name: c for c, f in enumerate(fields)}
    width = len(fields) + len(criteria)

    columns: list[dict[str, Any]] = []
    for c, f in enumerate(fields):
        columns.append({"header": f.title, "header_format": head})
        cases.set_column(c, c, f.width, date if f.kind == "date" else
                         text if f.kind == "reference" else plain)
        listed = LIST_OF.get(f.name)
        if listed in ranges:
            options: dict[str, Any] = {
                "validate": "list", "source": ranges[str(listed)], "error_title": f.title,
                "error_message": f"Choose a {f.title.lower()} from the list."}
            if f.name == "area":  # divisions and "force-wide" are asked about, not refused
                options.update(error_type="warning", error_message=(
                    "This is not one of the force's areas in the list. Keep it anyway?"))
            cases.data_validation(1, c, last, c, options)
        elif f.kind == "date":
            cases.data_validation(1, c, last, c, {
                "validate": "date", "criteria": "between", "minimum": OLDEST_AUDIT_DATE,
                "maximum": dt.date(2100, 12, 31),
                "error_message": "Enter a date (dd/mm/yyyy)."})
        elif f.kind == "age":
            cases.data_validation(1, c, last, c, {
                "validate": "integer", "criteria": "between", "minimum": 0, "maximum": 17,
                "error_message": "Enter the child's age in whole years, 0 to 17."})
    answers = rubric.answer_list_text()
    answer_width = max(6, min(16, max(len(a.label) for a in rubric.answers) + 1))
    for j, criterion in enumerate(criteria):
        c = len(fields) + j
        columns.append({"header": criterion.id, "header_format": crit_head})
        cases.set_column(c, c, answer_width, plain)
        cases.data_validation(1, c, last, c, {
            "validate": "list", "source": ranges["Answer"], "error_title": criterion.id,
            "error_message": f"Answer {answers} (leave blank if not answered)."})
    cases.add_table(0, 0, last, width - 1, {
        "name": TABLE_NAME, "columns": columns, "style": "Table Style Light 1",
        "autofilter": True})
    for c, f in enumerate(fields):
        cases.write_comment(0, c, f.help, {"x_scale": 2})
    for j, criterion in enumerate(criteria):
        applies = ("all case types" if criterion.applies_to is None else
                   "; ".join(rubric.case_type_labels[k] for k in criterion.applies_to))
        cases.write_comment(0, len(fields) + j,
                            f"{criterion.question}\n\nApplies to: {applies}.",
                            {"x_scale": 3, "y_scale": 2})
    for r, row in enumerate(rows, start=1):
        for name, value in row.items():
            f = fields[position[name]]  # KeyError: not a field of this layout's form
            cases.write_string(r, position[name], value,
                               text if f.kind == "reference" else plain)
    _shade_missing(cases, layout, position, width, len(criteria), missing)
    cases.set_row(0, 150 if criteria else 45)
    cases.freeze_panes(1, 1)
    cases.protect("", PROTECTION)


def _shade_missing(cases: Any, layout: FormLayout, position: dict[str, int], width: int,
                   n_criteria: int, missing: Any) -> None:
    """Conditional formats shading a required cell left blank, row by row as it is typed
    (formulas written for row 2; Excel moves them down the range)."""
    ref = f"${_col(position['case_ref'])}2"
    has_ref = f"LEN(TRIM({ref}))>0"

    def shade(columns: list[int], formula: str) -> None:
        for c in columns:
            cases.conditional_format(1, c, ROWS, c, {
                "type": "formula", "criteria": f"={formula}", "format": missing})

    others = [c for c in range(width) if c != position["case_ref"]]
    row_filled = "+".join(f"COUNTA(${_col(a)}2:${_col(b)}2)" for a, b in _spans(others))
    shade([position["case_ref"]], f"AND(LEN(TRIM({ref}))=0,{row_filled}>0)")
    for name in required_fields(layout):
        c = position[name]
        shade([c], f"AND({has_ref},LEN(TRIM({_col(c)}2))=0)")
    if layout == "long":
        grade = position["grade"]
        first = len(position)
        cells = f"${_col(grade)}2"
        if n_criteria:
            cells += f",${_col(first)}2:${_col(first + n_criteria - 1)}2"
        shade([grade], f"AND({has_ref},COUNTA({cells})=0)")
    else:
        grades = [position["self_grade"], position["inspector_grade"]]
        counted = ",".join(f"${_col(c)}2" for c in grades)
        shade(grades, f"AND({has_ref},COUNTA({counted})=0)")


def _spans(columns: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of column positions, as (first, last)."""
    spans: list[tuple[int, int]] = []
    for c in columns:
        if spans and spans[-1][1] == c - 1:
            spans[-1] = (spans[-1][0], c)
        else:
            spans.append((c, c))
    return spans


def _instructions(wb: Any, sheet: Any, rubric: Rubric, layout: FormLayout,
                  areas: list[str] | None) -> None:
    bold = wb.add_format({"bold": True})
    big = wb.add_format({"bold": True, "font_size": 14})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    answers = rubric.answer_list_text()
    sheet.write_string(0, 0, f"{rubric.title} (rubric {rubric.name} v{rubric.version})", big)
    if layout == "long":
        first = ("One row per audit on the Cases sheet. Answer each criterion that applies "
                 f"to the case type with {answers}; leave the others blank.")
    else:
        first = ("Grades only: one row per case on the Cases sheet, with the force's own "
                 "grade (Self grade) and the inspectors' grade (Inspector grade); either "
                 "may be blank, not both. Criteria are not answered on this form.")
    area = ("Area: choose from the list." if areas else
            "Area: type the local authority or division.")
    notes = (f"{first} {area} A required cell left blank turns light red. The header row "
             "is protected without a password (Review > Unprotect Sheet to change it); "
             f"the first {ROWS:,} rows below it take data.")
    sheet.set_row(1, 60)
    if layout == "long":
        heads: tuple[str, ...] = ("Theme", "Criterion", "Question", "Applies to", "Weight")
        for c, title in enumerate(heads):
            sheet.write_string(3, c, title, bold)
        row = 4
        for theme in rubric.themes:
            for criterion in rubric.criteria:
                if criterion.theme != theme.key:
                    continue
                applies = ("All case types" if criterion.applies_to is None else
                           "; ".join(rubric.case_type_labels[k]
                                     for k in criterion.applies_to))
                for c, value in enumerate((theme.label, criterion.id, criterion.question,
                                           applies)):
                    sheet.write_string(row, c, value, wrap)
                sheet.write_number(row, 4, criterion.weight)
                row += 1
        widths: tuple[int, ...] = (26, 26, 60, 50, 8)
    else:
        sheet.write_string(3, 0, "Grades, best first", bold)
        for r, g in enumerate(rubric.scale, start=4):
            sheet.write_string(r, 0, g.label, wrap)
        sheet.write_string(3, 1, "Case types", bold)
        for r, t in enumerate(rubric.case_types, start=4):
            sheet.write_string(r, 1, t.label, wrap)
        widths = (60, 60)
    sheet.merge_range(1, 0, 1, len(widths) - 1, notes, wrap)
    for c, w in enumerate(widths):
        sheet.set_column(c, c, w)
