"""The workbook format is declared once: the README's table, the audit form and the
header matching all come from ``workbook.format.FIELDS``."""

from __future__ import annotations

import openpyxl
import pytest

from hmic_audit import read_audits
from hmic_audit.render.template_xlsx import template_xlsx
from hmic_audit.workbook.format import FIELDS, field_rows

from .conftest import ROOT, write_xlsx


def _readme_table() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("| Field | Header in the audit form |")
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def test_readme_lists_every_field_as_declared():
    assert _readme_table() == field_rows()
    assert [row[0].split("`")[1] for row in _readme_table()] == [f.name for f in FIELDS]


def test_audit_form_has_the_declared_columns_in_order(rubric, tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_bytes(template_xlsx(rubric))
    sheet = openpyxl.load_workbook(path)["Cases"]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    form = [f.title for f in FIELDS if f.in_form]
    assert headers[:len(form)] == form
    assert headers[len(form):] == rubric.criterion_ids


@pytest.mark.parametrize("field", [f for f in FIELDS if f.layout != "wide"],
                         ids=lambda f: f.name)
def test_every_header_spelling_is_read_as_its_field(rubric, tmp_path, field):
    """Each accepted spelling, typed in capitals with spaces, maps to the field."""
    for spelling in (field.title, *field.headers):
        typed = spelling.upper().replace("_", " ")
        headers = {"case_ref": "Case ref", "case_type": "Case type", "assessor": "Assessor",
                   "grade": "Grade"}
        headers[field.name] = typed
        path = write_xlsx(tmp_path / "h.xlsx", list(headers.values()),
                          [["C1", "s47", "inspector", "good"]])  # optional field left blank
        audits, warnings = read_audits(path, rubric)
        assert field.name in audits.fields, spelling
        assert not [w for w in warnings if w.code == "unknown-column"], spelling
