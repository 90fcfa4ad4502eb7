"""Reading back a workbook hmic-audit wrote and a person filled in (a moderation queue,
an action ledger): opened as values, its sheets checked, and the facts of its hidden
source sheet (what it was made from) read, each refusal naming the file and the command
that writes the right one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..problems import HmicAuditError, Problem


def open_written(path: Path, *, sheets: tuple[str, ...], source: str, facts: int,
                 error: type[HmicAuditError], code: str, what: str, command: str
                 ) -> tuple[Any, dict[str, Any]]:
    """The workbook at ``path`` (openpyxl, cached values) and the first ``facts`` rows of
    its ``source`` sheet as {name in column A: value in column B}; ``error`` (with
    ``code``) when it cannot be opened or lacks one of ``sheets``."""
    from openpyxl import load_workbook

    name = path.name
    try:
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any reading failure is the file's
        raise error(f"{name} cannot be read as {what}", [Problem(
            code=code, file=name, message=f"is not {what} workbook "
            f"({type(exc).__name__}); give the .xlsx {command} wrote")]) from None
    missing = [s for s in (*sheets, source) if s not in book.sheetnames]
    if missing:
        listed = " and ".join(repr(s) for s in (*sheets, source))
        raise error(f"{name} is not {what}", [Problem(
            code=code, file=name, message=f"has no {listed} sheets; give the .xlsx "
            f"{command} wrote")])
    made = {" ".join(str(book[source].cell(r, 1).value or "").split()):
            book[source].cell(r, 2).value for r in range(1, facts + 1)}
    return book, made
