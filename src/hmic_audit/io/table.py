"""A table of text cells held as columns: what every reader returns.

Each column is *dictionary-encoded*: its distinct non-blank texts once, and per row an
index into them (``-1`` for a blank cell). A workbook of 100,000 audits has a few dozen
distinct values in most columns, so everything later (parsing, checking, scoring) works
on the distinct values once and spreads the result over the rows with numpy.

Row numbers are the ones the spreadsheet shows; blank rows are left out but counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..problems import Problem

WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003"
              "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
"""What Python's ``str.strip()`` strips: every character ``str.isspace()`` calls white
space (tested to be so)."""

_MIDNIGHT = r"^([0-9]{4}-[0-9]{2}-[0-9]{2}) 00:00:00$"
_MIDNIGHT_PY = re.compile(_MIDNIGHT)


def cell_text(value: str) -> str:
    """One cell's text as the checks see it: trimmed of white space, and an Excel date
    at midnight (which the workbook reader writes ``2014-07-03 00:00:00``) as the date
    alone. For Python strings (JSON, title rows, the row-wise CSV reader); Arrow columns
    take :func:`cell_texts`, the same rule over a whole array (``pa.array`` of Python
    strings would import pandas and refuses lone surrogates, which JSON can hold).
    ``tests/test_read.py`` checks that the two agree."""
    value = value.strip()
    if len(value) == 19 and _MIDNIGHT_PY.match(value):
        return value[:10]
    return value


def cell_texts(raw: Any) -> tuple[Any, Any]:
    """:func:`cell_text` of every text of an Arrow string array, with Arrow's compute
    functions (the white space of ``str.strip``, the same pattern); and each text only
    trimmed."""
    from . import kernels as k

    trimmed = k.utf8_trim(raw, WHITESPACE)
    return k.replace_substring_regex(trimmed, _MIDNIGHT, r"\1"), trimmed


@dataclass(frozen=True)
class TextColumn:
    """One column: distinct non-blank texts, and per row the position of its text."""

    values: list[str]
    index: np.ndarray
    """int32 per row: position in ``values``, or -1 for a blank cell."""
    padded: np.ndarray | None = None
    """Per row: was the cell's text trimmed of spaces, tabs or line breaks at its ends?
    (None when no cell was.)"""
    arrow: Any = None
    """``values`` as an Arrow string array, when the column was made from one (for
    vectorised work on the distinct texts; None for plain Python strings)."""

    def __len__(self) -> int:
        return len(self.index)

    @property
    def filled(self) -> np.ndarray:
        """Per row: does the cell hold anything?"""
        return self.index >= 0

    def text(self, row: int) -> str:
        """The text of one row's cell ('' when blank)."""
        k = int(self.index[row])
        return "" if k < 0 else self.values[k]

    def take(self, rows: np.ndarray | slice) -> TextColumn:
        """The column restricted to some rows (positions, or a slice: a view, no copy)."""
        padded = None if self.padded is None else self.padded[rows]
        return TextColumn(self.values, self.index[rows], padded, self.arrow)

    def then(self, below: TextColumn) -> TextColumn:
        """This column with another's rows appended below."""
        if not len(self):
            return below
        position = {v: k for k, v in enumerate(self.values)}
        values = list(self.values)
        remap = np.empty(len(below.values) + 1, dtype=np.int32)
        remap[-1] = -1
        for k, v in enumerate(below.values):
            remap[k] = position.setdefault(v, len(position))
            if len(values) < len(position):
                values.append(v)
        padded = None
        if self.padded is not None or below.padded is not None:
            padded = np.concatenate([_padding(self), _padding(below)])
        return TextColumn(values, np.concatenate([self.index, remap[below.index]]), padded)

    def lookup(self, per_value: Sequence[Any], blank: Any, dtype: Any = object
               ) -> np.ndarray:
        """Spread one result per distinct value over the rows (``blank`` for blanks)."""
        table = np.empty(len(per_value) + 1, dtype=dtype)
        table[:-1] = per_value
        table[-1] = blank
        return table[self.index]

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> TextColumn:
        """Encode plain Python strings (JSON and row-wise CSV readers)."""
        position: dict[str, int] = {}
        texts = list(texts)
        index = [position.setdefault(t, len(position)) if t else -1
                 for t in (cell_text(t) for t in texts)]
        padded = [bool(t) and t.strip() != t and bool(t.strip()) for t in texts]
        return cls(list(position), np.asarray(index, dtype=np.int32),
                   np.asarray(padded, dtype=bool) if any(padded) else None)

    @classmethod
    def from_arrow(cls, array: Any) -> TextColumn:
        """Encode an Arrow string column (fastexcel and pyarrow's CSV reader; nulls are
        blank cells), or one dictionary-encoded already (a sheet loaded by
        :mod:`~hmic_audit.io.sheet_load`, whose indices are int32): Arrow
        dictionary-encodes it and every distinct text is trimmed
        (:func:`cell_texts`) with Arrow's compute functions, never one by one in
        Python."""
        import pyarrow as pa

        from . import kernels as k

        if hasattr(array, "combine_chunks"):  # a table's columns come in chunks
            array = array.combine_chunks()
        encoded = array if pa.types.is_dictionary(array.type) else k.dictionary_encode(array)
        raw = encoded.dictionary
        index = dictionary_indices(encoded.indices)
        # NOTE: no comparison with a Python value here: pyarrow's conversion of one
        # imports pandas (0.2 s); a text's length says whether it is blank.
        texts, trimmed = cell_texts(raw)
        if k.all_(k.equal(texts, raw)).as_py() is not False \
                and not k.any_(_blank(raw)).as_py():
            return cls(raw.to_pylist(), index, arrow=raw)
        # Blanks, and texts equal once trimmed, need their positions remapped; cells
        # trimmed of white space are remembered (a reference '  00126 ' is noticed).
        padded = None
        pad = k.and_(k.not_equal(raw, trimmed), k.invert(_blank(trimmed)))
        if k.any_(pad).as_py():
            padded = np.append(_bools(pad), False)[index]
        again = k.dictionary_encode(texts)
        values, codes = again.dictionary, dictionary_indices(again.indices)
        found = k.indices_nonzero(_blank(values)).to_pylist()
        if found:  # a text of white space only: a blank cell
            blank = found[0]
            codes = np.where(codes == blank, -1, codes - (codes > blank)).astype(np.int32)
            values = pa.concat_arrays([values[:blank], values[blank + 1:]])
        remap = np.append(codes, np.int32(-1))
        return cls(values.to_pylist(), remap[index], padded, values)


def _padding(column: TextColumn) -> np.ndarray:
    if column.padded is None:
        return np.zeros(len(column), dtype=bool)
    return column.padded


def all_printable_ascii(texts: Any) -> bool:
    """Whether every text of an Arrow string array is printable ASCII (space to ``~``)."""
    from . import kernels as k

    return k.all_(k.match_substring_regex(texts, r"^[\x20-\x7e]*$")).as_py() is not False


def _blank(texts: Any) -> Any:
    """Per text of an Arrow string array: is it empty?"""
    from . import kernels as k

    return k.invert(k.to_bool(k.utf8_length(texts)))


def _bits(buffer: Any, offset: int, n: int) -> np.ndarray:
    """``n`` bits of an Arrow bit buffer from ``offset``, as numpy booleans (read
    straight from the buffer: pyarrow's own conversions import pandas just to look for
    pandas objects)."""
    bits = np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little")
    return bits[offset:offset + n].astype(bool)


def _bools(array: Any) -> np.ndarray:
    """An Arrow boolean array (no nulls) as numpy."""
    return _bits(array.buffers()[1], array.offset, len(array))


def dictionary_indices(indices: Any) -> np.ndarray:
    """Dictionary indices as int32, nulls as -1, read from the Arrow buffers."""
    n, offset = len(indices), indices.offset
    validity, data = indices.buffers()[:2]
    values = np.frombuffer(data, dtype=np.int32)[offset:offset + n].copy()
    if indices.null_count and validity is not None:
        values[~_bits(validity, offset, n)] = -1
    return values


@dataclass
class Grid:
    """Every cell of one sheet (or CSV/JSON file) as text columns, before any header is
    known: what a reader hands to the checking stage."""

    file: str
    """File name for messages (not the full path: paths can name people)."""
    path: Path
    format: str
    sheet: str | None
    sha256: str
    rows: np.ndarray
    """Row number as the spreadsheet shows it of each grid row (int64)."""
    columns: list[TextColumn]
    column_numbers: list[int]
    """1-based spreadsheet column of each grid column (for references such as ``F14``)."""
    header_at: int | None = None
    """Grid row of the header when the format fixes it (JSON keys); else None (search)."""
    problems: list[Problem] = field(default_factory=list)
    """Found while reading the whole file (an encoding guessed, macros ignored)."""
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row, column) -> Excel error value (``#DIV/0!``), which the reader shows blank."""
    uncached: set[tuple[int, int]] = field(default_factory=set)
    """(row, column) of formulas whose result was never saved (the reader shows blank)."""
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    """Merged ranges as (top row, left column, bottom row, right column), 1-based."""
    formulas: set[tuple[int, int]] = field(default_factory=set)
    """(row, column) of cells holding a formula whose saved value is what was read (the
    reader does not calculate). Cells in ``links``, ``error_cells`` or ``uncached`` are
    not repeated here. Found in .xlsx/.xlsm, .xlsb, .xls and .ods."""
    links: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row, column) -> the other workbook the cell's formula refers to, as its user knows
    it: the file name without its folders (``grades.xlsx``), or ``external workbook 2``
    when the file does not say which. The value read is the one last saved (or blank, for
    a cell also in ``uncached``). Found in .xlsx/.xlsm and .ods."""
    delimiter: str | None = None
    """The delimiter a CSV (or delimited .txt) was read with: ``,``, ``;`` or a tab
    (sniffed from its first lines); None for workbooks and JSON."""
    date1904: bool = False
    """The workbook counts dates in Excel's 1904 date system (serial numbers typed in a
    date column are read with it)."""
    sheets: list[str] = field(default_factory=list)
    """Every sheet of the workbook, in its order (the one read among them); [] for CSV
    and JSON. Lets a message about the sheet read name the others."""
    form: dict[str, str] | None = None
    """What an audit form's hidden stamp sheet records (``io.form_stamp``: rubric name,
    version, SHA-256, layout), when the workbook has one; None otherwise."""

    @property
    def height(self) -> int:
        return len(self.rows)

    def row_texts(self, i: int) -> list[str]:
        """The cells of one grid row (for finding the header)."""
        return [c.text(i) for c in self.columns]
