"""A blank audit workbook built from a rubric (``hmic-audit template``).

Sheet ``Cases``: the long layout's fields (``workbook.format.FIELDS``), then one column
per criterion (header = criterion id, cell comment = its question and the case types it
applies to), with drop-down lists for
case type, sample, assessor, grade, example tag and every answer column, and frozen
panes. Sheet ``Instructions``: the criteria by theme with their questions and case
types. Sheet ``Lists`` (hidden) holds the drop-down values. A filled-in copy is valid
input to ``grade``.
"""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter
import xlsxwriter.utility

from ..rubric import Rubric
from ..workbook.dates import OLDEST_AUDIT_DATE
from ..workbook.format import FIELDS
from .xlsx import FIXED_CREATED

ROWS = 1000
"""Rows prepared with drop-down lists."""


def template_xlsx(rubric: Rubric) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"created": FIXED_CREATED, "author": "hmic-audit",
                       "title": f"Audit form: {rubric.title}"})
    head = wb.add_format({"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF",
                          "text_wrap": True, "valign": "top", "border": 1})
    crit_head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True,
                               "valign": "top", "border": 1, "rotation": 90})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    text = wb.add_format({"num_format": "@"})
    cases = wb.add_worksheet("Cases")
    instructions = wb.add_worksheet("Instructions")
    lists = wb.add_worksheet("Lists")
    lists.hide()

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
    ranges = {}
    for c, (name, items) in enumerate(values.items()):
        lists.write_string(0, c, name)
        for r, item in enumerate(items, start=1):
            lists.write_string(r, c, item)
        col = xlsxwriter.utility.xl_col_to_name(c)
        ranges[name] = f"=Lists!${col}$2:${col}${len(items) + 1}"

    last = ROWS
    identity = [f for f in FIELDS if f.in_form]
    for c, f in enumerate(identity):
        name = f.title
        cases.write_string(0, c, name, head)
        cases.write_comment(0, c, f.help, {"x_scale": 2})
        cases.set_column(c, c, f.width, date if f.kind == "date" else
                         text if f.kind == "reference" else None)
        if name in ranges:
            cases.data_validation(1, c, last, c, {
                "validate": "list", "source": ranges[name],
                "error_title": name, "error_message": f"Choose a {name.lower()} from the list."})
        elif f.kind == "date":
            cases.data_validation(1, c, last, c, {
                "validate": "date", "criteria": "between", "minimum": OLDEST_AUDIT_DATE,
                "maximum": dt.date(2100, 12, 31),
                "error_message": "Enter a date (dd/mm/yyyy)."})
        elif f.kind == "age":
            cases.data_validation(1, c, last, c, {
                "validate": "integer", "criteria": "between", "minimum": 0, "maximum": 17,
                "error_message": "Enter the child's age in whole years, 0 to 17."})
    start = len(identity)
    answers = rubric.answer_list_text()
    width = max(6, min(16, max(len(a.label) for a in rubric.answers) + 1))
    for j, criterion in enumerate(rubric.criteria):
        c = start + j
        applies = ("all case types" if criterion.applies_to is None else
                   "; ".join(rubric.case_type_labels[k] for k in criterion.applies_to))
        cases.write_string(0, c, criterion.id, crit_head)
        cases.write_comment(0, c, f"{criterion.question}\n\nApplies to: {applies}.",
                            {"x_scale": 3, "y_scale": 2})
        cases.set_column(c, c, width)
        cases.data_validation(1, c, last, c, {
            "validate": "list", "source": ranges["Answer"],
            "error_title": criterion.id,
            "error_message": f"Answer {answers} (leave blank if not answered)."})
    cases.set_row(0, 150)
    cases.freeze_panes(1, 1)
    cases.autofilter(0, 0, 0, start + len(rubric.criteria) - 1)

    bold = wb.add_format({"bold": True})
    big = wb.add_format({"bold": True, "font_size": 14})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    instructions.write_string(0, 0, f"{rubric.title} (rubric {rubric.name} "
                              f"v{rubric.version})", big)
    instructions.write_string(1, 0, "One row per audit on the Cases sheet. Answer each "
                              f"criterion that applies to the case type with {answers}; "
                              "leave the others blank.", wrap)
    for c, title in enumerate(("Theme", "Criterion", "Question", "Applies to", "Weight")):
        instructions.write_string(3, c, title, bold)
    row = 4
    for theme in rubric.themes:
        for criterion in rubric.criteria:
            if criterion.theme != theme.key:
                continue
            applies = ("All case types" if criterion.applies_to is None else
                       "; ".join(rubric.case_type_labels[k] for k in criterion.applies_to))
            for c, value in enumerate((theme.label, criterion.id, criterion.question,
                                       applies)):
                instructions.write_string(row, c, value, wrap)
            instructions.write_number(row, 4, criterion.weight)
            row += 1
    for c, width in enumerate((26, 26, 60, 50, 8)):
        instructions.set_column(c, c, width)
    wb.close()
    return buffer.getvalue()
