"""Problems found in input files, and the exceptions that carry them.

A problem is data: a stable code, a severity, where it is (file, sheet, row, column),
the offending value, what was expected and a sentence a person can act on. Every reader
and checker collects problems instead of stopping at the first, and raises one
``HmicAuditError`` subclass holding all of them when any is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    """How bad a problem is: an error stops the command, a warning is shown and passed,
    a notice says what the reader did on the user's behalf (a header found below a title
    row, a delimiter detected, a value trimmed) and is shown without counting as a warning."""

    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"


def column_letter(index: int) -> str:
    """Excel's letters for a 1-based column number (1 -> A, 27 -> AA)."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    """The 1-based column number of Excel's letters (A -> 1, AA -> 27)."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def cell_position(ref: str) -> tuple[int, int]:
    """``"F14"`` -> (14, 6): row and column of a cell reference."""
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters):]), column_number(letters)


class Problem(BaseModel):
    """One thing wrong (or worth a warning) in an input file."""

    model_config = ConfigDict(frozen=True)

    code: str
    """Stable identifier, e.g. ``unknown-grade``; tests and scripts match on it."""
    message: str
    """A full sentence saying what is wrong and how to fix it."""
    severity: Severity = Severity.ERROR
    file: str | None = None
    """Name of the input file (not its full path: paths can name people)."""
    sheet: str | None = None
    row: int | None = None
    """Row number as the spreadsheet shows it (1-based, blank rows counted); in a YAML
    file, the line."""
    column: str | None = None
    """Column header as the user wrote it, or a key path for YAML/JSON files."""
    cell: str | None = None
    """Cell reference such as ``F14`` for spreadsheets."""
    value: str | None = None
    """The offending value, as text."""
    expected: str | None = None

    @classmethod
    def at_cell(
        cls,
        code: str,
        message: str,
        *,
        file: str | None,
        sheet: str | None,
        row: int | None,
        column: str | None,
        column_index: int | None = None,
        value: object = None,
        expected: str | None = None,
        severity: Severity = Severity.ERROR,
        grid: bool = False,
    ) -> Problem:
        """Build a problem that names its cell; ``column_index`` is 1-based. A sheet's
        cells are named; a sheetless file's only when it is a ``grid`` (a CSV, whose
        cells Excel names the same way when it opens one), not JSON."""
        cell = None
        if column_index is not None and row is not None and (sheet is not None or grid):
            cell = f"{column_letter(column_index)}{row}"
        return cls(
            code=code,
            message=message,
            severity=severity,
            file=file,
            sheet=sheet,
            row=row,
            column=column,
            cell=cell,
            value=None if value is None else str(value),
            expected=expected,
        )

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def location(self) -> str:
        """Where the problem is, as a person would look for it."""
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet and self.cell:
            parts.append(f"{self.sheet}!{self.cell}")
        elif self.sheet and self.row:
            parts.append(f"{self.sheet} row {self.row}")
        elif self.sheet:
            parts.append(f"sheet {self.sheet}")
        elif self.cell:
            parts.append(self.cell)
        elif self.row:
            # A YAML file (rubric, force profile) or a template has lines, not rows.
            text = (self.file or "").lower().endswith((".yaml", ".yml", ".j2"))
            parts.append(f"line {self.row}" if text else f"row {self.row}")
        if self.column:
            parts.append(f"({self.column})" if self.row or self.cell else self.column)
        return " ".join(parts)

    def __str__(self) -> str:
        where = self.location
        return f"{where}: {self.message}" if where else self.message


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that are errors."""
    return [p for p in problems if p.is_error]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that are warnings (not errors, not notices)."""
    return [p for p in problems if p.severity is Severity.WARNING]


def notices(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that are notices."""
    return [p for p in problems if p.severity is Severity.NOTICE]


def flatten(problems: Iterable[Problem], *fields: str) -> list[tuple[object, ...]]:
    """A compact projection for tests: ``flatten(ps, "row", "column", "code")``."""
    return [tuple(getattr(p, f) for f in fields) for p in problems]


class HmicAuditError(Exception):
    """Base of every error caused by bad input; the CLI turns it into exit code 2."""

    def __init__(self, summary: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(summary)
        self.summary = summary
        self.problems = list(problems)


class WorkbookError(HmicAuditError):
    """A cases workbook (xlsx, csv or json) could not be read or failed validation."""


class RubricError(HmicAuditError):
    """A rubric file is missing, unreadable or inconsistent."""


class OutputError(HmicAuditError):
    """An output could not be written (or would overwrite an input)."""
