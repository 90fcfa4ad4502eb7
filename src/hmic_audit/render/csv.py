"""CSV rendering, safe to open in a spreadsheet.

UTF-8 with a byte-order mark so Excel reads accents correctly; a cell that starts with
``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading apostrophe (OWASP's
advice against formula injection), except plain numbers such as ``-3.5``.
"""

from __future__ import annotations

import csv
import io
import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def safe_cell(value: object) -> str:
    """Text for a CSV cell, defused if a spreadsheet could run it as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def render_csv(headers: list[str], rows: list[list[object]]) -> bytes:
    """CSV bytes for a table."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in headers])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
