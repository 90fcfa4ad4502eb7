"""The table under its header, its columns mapped to fields: what the rule units look at.

``locate`` finds the header row in a :class:`~hmic_audit.io.table.Grid` (the first row,
within the first ``HEADER_SEARCH_ROWS``, with a case-reference column), keeps the rows
below it that hold anything, and maps each header to a field of the format or a
criterion id of the rubric. A :class:`Sheet` then gives the rule units whole columns,
each column's distinct values parsed once, and one way to report a located problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..io.table import Grid, TextColumn, all_printable_ascii, dictionary_indices
from ..problems import Problem, Severity, WorkbookError
from ..rubric import Rubric
from ..text import clean_reference, closest, header_key
from .format import HEADER_SEARCH_ROWS, HEADER_TO_FIELD, Assessor, choice, field_of


@dataclass(frozen=True)
class Mapped:
    """A column whose header names a field or a criterion."""

    slot: str
    """The field name, or ``criterion:<id>``."""
    position: int
    """Index among the table's columns."""
    header: str
    """The header as the user wrote it."""
    number: int
    """1-based spreadsheet column (for cell references)."""
    field: str | None = None
    criterion: str | None = None


@dataclass(frozen=True)
class Unmapped:
    """A header that names nothing the tool knows, or repeats one already mapped."""

    position: int
    header: str
    number: int
    hint: str | None = None
    """A criterion id the header probably meant."""
    hint_field: str | None = None
    """A field the header probably meant (a misspelling such as ``Assesor``)."""
    repeats: str | None = None
    """For a repeated column: the header of the column it repeats."""


def find_header(grid: Grid) -> int | None:
    """Grid row of the header: the first (within ``HEADER_SEARCH_ROWS``) naming a case
    reference column."""
    if grid.header_at is not None:
        return grid.header_at
    for i in range(min(grid.height, HEADER_SEARCH_ROWS)):
        if any(field_of(c.text(i)) == "case_ref" for c in grid.columns):
            return i
    return None


@dataclass
class Sheet:
    """One table being checked: its columns, mapped headers, and the problems found."""

    grid: Grid
    rubric: Rubric
    header_at: int
    """Grid row of the header."""
    keep: np.ndarray
    """Grid rows below the header that hold anything (the data rows)."""
    only: Assessor | None = None
    """The one assessor whose audits this file holds, when declared (two-file compare)."""
    columns: dict[str, Mapped] = field(default_factory=dict)
    unknown: list[Unmapped] = field(default_factory=list)
    repeated: list[Unmapped] = field(default_factory=list)
    layout: str | None = None
    """``long`` or ``wide`` once known."""
    month_first: bool = False
    """Typed dates are month first (``--month-first``); day first otherwise."""
    problems: list[Problem] = field(default_factory=list)
    row_error: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """Per data row: has a rule flagged an error in it?"""
    unreadable: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """Per data row: does it hold a cell the reader could not read (errors, merges)?"""
    hidden: set[tuple[int, int]] = field(default_factory=set)
    """(data row, spreadsheet column) of each cell the reader could not read: reported
    once as what it is, never again as blank."""
    plain_refs: bool = False
    """Are the case references plain ASCII (so no lookalike can be among them)?"""
    _parsed: dict[str, list[Any]] = field(default_factory=dict)
    _ref_keys: np.ndarray | None = None
    _data: dict[int, TextColumn] = field(default_factory=dict)

    # The table ---------------------------------------------------------------------

    @property
    def file(self) -> str:
        return self.grid.file

    @property
    def sheet_name(self) -> str | None:
        return self.grid.sheet

    @property
    def is_csv(self) -> bool:
        """Is the table a CSV file (cells named like a sheet's, but no sheet name)?"""
        return self.grid.format == "csv"

    @property
    def header_row(self) -> int:
        return int(self.grid.rows[self.header_at])

    @property
    def headers(self) -> list[str]:
        return [c.text(self.header_at) for c in self.grid.columns]

    @property
    def width(self) -> int:
        """How many columns the header row names (trailing blank headers left out)."""
        headers = self.headers
        width = len(headers)
        while width and not headers[width - 1]:
            width -= 1
        return width

    @property
    def rows(self) -> np.ndarray:
        """Row number as shown of each data row."""
        return self.grid.rows[self.keep]

    def __len__(self) -> int:
        return len(self.keep)

    def column(self, slot: str) -> TextColumn | None:
        """A mapped column's cells in the data rows (None when the file has no such column)."""
        mapped = self.columns.get(slot)
        return None if mapped is None else self.data(mapped.position)

    def data(self, position: int) -> TextColumn:
        """The cells of a table column in the data rows."""
        if position not in self._data:
            keep = self.keep
            rows: np.ndarray | slice = keep
            if len(keep) and keep[-1] - keep[0] + 1 == len(keep):  # no blank rows: a view
                rows = slice(int(keep[0]), int(keep[-1]) + 1)
            self._data[position] = self.grid.columns[position].take(rows)
        return self._data[position]

    def filled(self, slot: str) -> np.ndarray:
        """Per data row: does the column hold anything? (all False without the column)"""
        column = self.column(slot)
        return np.zeros(len(self), dtype=bool) if column is None else column.filled

    def blank(self, slot: str) -> np.ndarray:
        """Per data row: is the column's cell blank (and not merely unreadable)?"""
        blank = ~self.filled(slot)
        mapped = self.columns.get(slot)
        if mapped is not None and self.hidden:
            for row, column in self.hidden:
                if column == mapped.number:
                    blank[row] = False
        return blank

    def criteria(self) -> list[Mapped]:
        return [m for m in self.columns.values() if m.criterion]

    # Parsing -----------------------------------------------------------------------

    def parsed(self, slot: str) -> list[Any]:
        """Each distinct value of a choice field parsed once (None where it does not parse)."""
        if slot not in self._parsed:
            column = self.column(slot)
            parse = choice(slot, self.rubric).parse
            self._parsed[slot] = [] if column is None else [parse(v) for v in column.values]
        return self._parsed[slot]

    def codes(self, slot: str, order: list[Any]) -> np.ndarray:
        """Per data row, the position in ``order`` of the parsed value (-1 when blank or
        unknown)."""
        column = self.column(slot)
        if column is None:
            return np.full(len(self), -1, dtype=np.int64)
        position = {v: i for i, v in enumerate(order)}
        return column.lookup([position.get(p, -1) if p is not None else -1
                              for p in self.parsed(slot)], -1, np.int64)

    def refs(self) -> list[str]:
        """Each distinct case reference cleaned (lookalike characters folded). Plain
        ASCII references (the usual) only have runs of spaces made one, over the whole
        Arrow column at once when there is one (100,000 references of a national file
        are not looped over in Python)."""
        if "case_ref" not in self._parsed:
            column = self.column("case_ref")
            values = [] if column is None else column.values
            arrow = None if column is None else column.arrow
            if arrow is not None and all_printable_ascii(arrow):
                from ..io import kernels as k

                cleaned = k.utf8_trim(k.replace_substring_regex(arrow, " {2,}", " "), " ")
                same = k.all_(k.equal(cleaned, arrow)).as_py() is not False  # the usual
                self._parsed["case_ref"] = list(values) if same else cleaned.to_pylist()
                self._ref_keys = dictionary_indices(
                    k.dictionary_encode(k.ascii_lower(cleaned)).indices).astype(np.int64)
                self.plain_refs = True
            elif all(v.isascii() and v.isprintable() for v in values):
                # NFKC leaves these be; split() splits printable ASCII at spaces only
                self._parsed["case_ref"] = [" ".join(v.split()) for v in values]
                self.plain_refs = True
            else:
                self._parsed["case_ref"] = [clean_reference(v) for v in values]
        return self._parsed["case_ref"]

    def ref_keys(self) -> np.ndarray:
        """Per distinct case reference, its case: references equal ignoring case share
        one, numbered in the order they first appear among the distinct values."""
        refs = self.refs()
        if self._ref_keys is None:
            case_of: dict[str, int] = {}
            self._ref_keys = np.array([case_of.setdefault(r.casefold(), len(case_of))
                                       for r in refs], dtype=np.int64)
        return self._ref_keys

    def row_refs(self) -> np.ndarray:
        """Per data row, the cleaned case reference ('' when blank)."""
        column = self.column("case_ref")
        if column is None:
            return np.full(len(self), "", dtype=object)
        return column.lookup(self.refs(), "")

    # Problems ----------------------------------------------------------------------

    def at_header(self, code: str, message: str, position: int | None, header: str | None,
                  value: object = None, severity: Severity = Severity.ERROR) -> None:
        """A problem located at a header cell (or at the header row)."""
        number = self.grid.column_numbers[position] if position is not None else None
        self.problems.append(Problem.at_cell(
            code, message, file=self.file, sheet=self.sheet_name, row=self.header_row,
            column=header, column_index=number, value=value, severity=severity,
            grid=self.is_csv))

    def flag(self, code: str, rows: np.ndarray, slot: str | None, message: Any,
             value: Any = None, expected: str | None = None,
             severity: Severity = Severity.ERROR) -> None:
        """Problems at data rows ``rows`` (positions, or a boolean mask) in one column.

        ``message`` and ``value`` are text, or functions of the row position giving text;
        ``value`` defaults to the cell's text. Errors mark their rows as in error.
        """
        positions = np.flatnonzero(rows) if rows.dtype == bool else np.asarray(rows)
        for i in positions.tolist():
            self.flag_one(code, i, slot, message(i) if callable(message) else message,
                          value(i) if callable(value) else value, expected, severity)

    def flag_one(self, code: str, i: int, slot: str | None, message: str,
                 value: object = None, expected: str | None = None,
                 severity: Severity = Severity.ERROR) -> None:
        """One problem at data row ``i`` in one column (``value`` defaults to the cell's
        text); an error marks the row as in error."""
        mapped = self.columns.get(slot) if slot else None
        if value is None and mapped is not None:
            value = self.data(mapped.position).text(i)
        self.problems.append(Problem.at_cell(
            code, message, file=self.file, sheet=self.sheet_name, row=int(self.rows[i]),
            column=mapped.header if mapped else None,
            column_index=mapped.number if mapped else None, value=value,
            expected=expected, severity=severity, grid=self.is_csv))
        if severity is Severity.ERROR:
            self.row_error[i] = True


def locate(grid: Grid, rubric: Rubric, only: Assessor | None = None) -> Sheet:
    """The sheet's data rows under its header, with headers mapped; ``WorkbookError``
    when no header row can be found."""
    header_at = find_header(grid)
    if header_at is None:
        advice = "add one above the data"
        others = [name for name in grid.sheets if name != grid.sheet]
        if others:
            advice += (", or, if the audits are on another sheet ("
                       + ", ".join(repr(name) for name in others)
                       + f"), name it: --sheet \"{others[0]}\"")
        raise WorkbookError(f"{grid.file}: no header row", [
            Problem(code="missing-header", file=grid.file, sheet=grid.sheet,
                    message=f"has no header row with a case reference column (case_ref) in "
                    f"its first {HEADER_SEARCH_ROWS} rows; {advice}")])
    below = np.arange(header_at + 1, grid.height)
    filled = np.zeros(len(below), dtype=bool)
    for column in grid.columns:
        filled |= column.index[header_at + 1:] >= 0
    keep = below[filled]
    sheet = Sheet(grid=grid, rubric=rubric, header_at=header_at, keep=keep, only=only)
    sheet.row_error = np.zeros(len(sheet), dtype=bool)
    sheet.unreadable = np.zeros(len(sheet), dtype=bool)
    _map_columns(sheet)
    return sheet


ADDED_BY_GRADE = "hmic-audit "
"""Headers of the columns ``grade --annotate`` adds (``render.annotated``): skipped, so an
annotated copy reads as the workbook it was made from."""


def _map_columns(sheet: Sheet) -> None:
    criteria = {header_key(cid): cid for cid in sheet.rubric.criterion_ids}
    numbers = sheet.grid.column_numbers
    for position, header in enumerate(sheet.headers[:sheet.width]):
        if header.startswith(ADDED_BY_GRADE):
            continue  # a column grade --annotate added beside the data: not the user's
        key = header_key(header)
        name = field_of(header)
        criterion = criteria.get(key) if name is None else None
        if name is None and criterion is None:
            if header:
                sheet.unknown.append(Unmapped(position, header, numbers[position],
                                              **_closest(key, criteria)))
            continue
        slot = name or f"criterion:{criterion}"
        if slot in sheet.columns:
            sheet.repeated.append(Unmapped(position, header, numbers[position],
                                           repeats=sheet.columns[slot].header))
            continue
        sheet.columns[slot] = Mapped(slot, position, header, numbers[position], field=name,
                                     criterion=criterion)


def _closest(key: str, criteria: dict[str, str]) -> dict[str, str]:
    """The field or criterion id an unknown header (by ``header_key``) probably meant."""
    spellings = {**{k: f"field:{v}" for k, v in HEADER_TO_FIELD.items()},
                 **{k: f"criterion:{v}" for k, v in criteria.items()}}
    meant = closest(key, spellings)
    if meant is None:
        return {}
    kind, _, name = meant.partition(":")
    return {"hint": name} if kind == "criterion" else {"hint_field": name}
