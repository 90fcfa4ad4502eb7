"""The stamp an audit form carries: which rubric it was made from.

``hmic-audit template`` writes a hidden sheet, ``FORM_SHEET``, holding one key per row
in column A and its value in column B: the rubric's name, version and SHA-256, and the
form's layout. The reader loads that sheet only when a sheet of exactly that name exists
(a few cells, no cost to other workbooks) and keeps the pairs on the ``Grid``; the
checking stage compares them with the rubric in use (``form-rubric-mismatch``).
"""

from __future__ import annotations

from typing import Any

FORM_SHEET = "_hmic_audit"
"""The hidden sheet of an audit form recording the rubric it was made from."""
STAMP_ROWS = 20
"""Rows of the stamp sheet read (it holds a handful)."""


def read_stamp(reader: Any, names: list[str]) -> dict[str, str] | None:
    """The key/value pairs of a workbook's stamp sheet (fastexcel reader), or None when
    the workbook has none, or it cannot be read: the stamp only ever serves a warning, so
    a damaged one is treated as absent rather than stopping the read."""
    if FORM_SHEET not in names:
        return None
    try:
        batch = reader.load_sheet(FORM_SHEET, header_row=None, dtypes="string",
                                  n_rows=STAMP_ROWS).to_arrow()
    except Exception:  # noqa: BLE001 - see the docstring: unreadable means absent
        return None
    if batch.num_columns < 2:
        return None
    keys, values = batch.column(0).to_pylist(), batch.column(1).to_pylist()
    return {str(k).strip(): "" if v is None else str(v).strip()
            for k, v in zip(keys, values, strict=True) if k is not None and str(k).strip()}
