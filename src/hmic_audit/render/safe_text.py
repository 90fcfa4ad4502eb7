"""Text made safe to carry into exports: no invisible controls, no runaway lengths.

Control characters (other than tab and newline) and bidirectional overrides, which can
make a cell read differently from what it holds, are shown as ``<U+202E>``. A cell longer
than a spreadsheet accepts is cut visibly, ending ``[truncated: N characters]``, and the
caller is told so it can warn; a long cell never makes an export fail half-way.
"""

from __future__ import annotations

from ..text import visible_controls

__all__ = ["CELL_LIMIT", "fit_cell", "visible_controls"]

CELL_LIMIT = 32_767
"""Excel's limit on the characters in one cell."""



def fit_cell(text: str, limit: int = CELL_LIMIT) -> tuple[str, bool]:
    """``text`` cleaned and, if too long for a cell, visibly cut; and whether it was cut."""
    if len(text) <= limit and text.isprintable():  # the common case, checked in C
        return text, False
    text = visible_controls(text)
    if len(text) <= limit:
        return text, False
    marker = f" [truncated: {len(text):,} characters]"
    return text[: limit - len(marker)] + marker, True
