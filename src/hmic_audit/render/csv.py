"""CSV rendering, safe to open in a spreadsheet.

UTF-8 with a byte-order mark so Excel reads accents correctly; a cell that starts with
``=``, ``+``, ``-``, ``@``, tab, carriage return or line feed gets a leading apostrophe
(OWASP's rule against CSV injection), except a plain number such as ``-7`` or ``+3.5``
(ASCII digits, one optional point, nothing else), which a spreadsheet can only read as
that number: text such as ``-1+2`` or ``-cmd|...`` is defused. Control and
bidirectional characters are shown as ``<U+202E>`` and over-long cells cut visibly.
"""

from __future__ import annotations

import csv
import io
import re

from .safe_text import CELL_LIMIT, fit_cell

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
"""A plain number in ASCII digits, matched whole (``$`` would let ``-7`` followed by a
line break through, and ``\\d`` takes digits of other scripts)."""


def safe_cell(value: object, cut: list[str] | None = None) -> str:
    """Text for a CSV cell: defused if a spreadsheet could run it as a formula, controls
    shown, over-long text visibly cut (noted in ``cut``)."""
    if value is None:
        return ""
    text, truncated = fit_cell(str(value))
    if truncated and cut is not None:
        cut.append(text[:40])
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def render_csv(headers: list[str], rows: list[list[object]],
               warnings: list[str] | None = None) -> bytes:
    """CSV bytes for a table; a message per over-long cell goes to ``warnings``."""
    cut: list[str] = []
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h, cut) for h in headers])
    writer.writerows([safe_cell(v, cut) for v in row] for row in rows)
    if warnings is not None:
        warnings += [f"a cell starting {start!r} was longer than {CELL_LIMIT:,} characters "
                     "and was cut" for start in cut]
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
