"""The rules of the cases workbook format, one unit each, registered in one place.

A unit looks at whole columns with vectorised operations and reports a located problem
(file, sheet, cell, header, value, expected) only for the rows it flags. They run in the
order listed: header units, then (when the header allows reading rows) row units, then
case units on the audits the clean rows make. Removing a unit fails its test in
``tests/test_rules.py``, which feeds each a workbook breaking only its rule.
"""

from __future__ import annotations

from collections.abc import Callable

from ..sheet import Sheet
from . import cases, cells, columns, form
from .cases import Drafts

HEADER_RULES: list[Callable[[Sheet], None]] = [
    cells.live_risk,  # first, and before anything can stop the check: a child at risk
    form.form_rubric_mismatch,
    columns.delimiter_detected,
    columns.header_below_title,
    columns.unknown_columns,
    columns.repeated_columns,
    columns.layout_known,
    columns.required_columns,
    columns.answers_in_wide_layout,
    columns.has_audits,
]
"""Rules about the file and its header row; an ``unknown-layout``, ``missing-column``,
``misnamed-column`` or ``no-audits`` stops here."""

ROW_RULES: list[Callable[[Sheet], None]] = [
    columns.values_without_header,
    columns.error_cells,
    columns.uncached_formulas,
    columns.merged_cells,
    columns.formula_values,
    cells.case_ref_lookalikes,
    cells.case_ref_trimmed,
    cells.case_ref_blank,
    cells.case_type_blank,
    cells.unknown_choice("case_type", "unknown-case-type"),
    cells.unknown_choice("sample", "unknown-sample"),
    cells.dates,
    cells.ages,
    cells.unknown_choice("child_gender", "unknown-gender"),
    cells.unknown_choice("example", "unknown-example"),
    cells.unknown_choice("example_theme", "unknown-theme"),
    cells.unknown_choice("self_grade", "unknown-grade", ("wide",)),
    cells.unknown_choice("inspector_grade", "unknown-grade", ("wide",)),
    cells.unknown_choice("assessor", "unknown-assessor", ("long",)),
    cells.assessor_blank,
    cells.assessor_other_side,
    cells.unknown_choice("grade", "unknown-grade", ("long",)),
    cells.answers,
    cells.answers_apply,
    cells.audit_empty,
    cells.normalised_values,
    cells.free_text_controls,
    cells.case_ungraded,  # last: it looks at the other row units' verdicts
]
"""Rules about the values of each row."""

CASE_RULES: list[Callable[[Sheet, Drafts], None]] = [
    cases.duplicate_audits,
    cases.case_type_differs,
    cases.sample_differs,
    cases.detail_differs("area", "area-differs", "area"),
    cases.detail_differs("child_age", "age-differs", "age"),
    cases.detail_differs("child_gender", "gender-differs", "gender"),
    cases.force_audit_of_inspector_case,
    cases.incomplete_cases,
]
"""Rules across the audits of one case."""

__all__ = ["CASE_RULES", "HEADER_RULES", "ROW_RULES", "Drafts"]
