"""Check a grid of text against the workbook format and a rubric: the checking stage.

Two layouts are recognised from the headers:

* **long** - one row per audit, with an ``assessor`` column (force / inspector), an
  optional overall ``grade`` and one column per criterion id holding yes / partly / no / n/a;
* **wide** - one row per case with ``self_grade`` and/or ``inspector_grade`` (grades only).

Every rule is a unit in :mod:`hmic_audit.workbook.rules`, run over whole columns. All
problems are collected; any error raises one ``WorkbookError`` holding every problem
(errors and warnings, file-level first, then the header, then row by row, then across
cases). Otherwise the audits come back as an :class:`AuditFrame`, with the warnings.

Errors (the command stops, exit 2, nothing written): unknown case type, sample, assessor,
grade, answer, example tag, example theme or gender (each with the value it probably
meant, when one is a typing slip away); a missing case reference, case type or (long
layout) assessor; text that is no date, a date that is not on the calendar, a future or
pre-1990 date, dates typed month first without ``--month-first``; an age outside 0-17;
the same case audited twice by one assessor; a case whose type or sample differs between
its audits; an audit with neither a grade nor any answer; a criterion answered (other
than n/a) for a case type it does not apply to; a force audit of an inspector-selected
case; in a one-side file, the other side's audits (or all of them: files swapped); a
required column missing, misspelt or given twice; a header with no audits under it; an
Excel error cell, a formula without a saved value, or merged cells in the data.

Warnings (shown; the command carries on): a column the tool does not know (named and
ignored, with the field or criterion it probably meant); a value under a column with no
header; a case reference with lookalike characters (folded); a case whose audits give
different areas, ages or genders; a self-assessed case that lacks its force or its
inspector audit; control characters removed from a note; a cell taking its value from
another workbook; a CSV read as Windows-1252; macros (ignored); an audit form made for
another rubric, version or rubric file than the one checking it.

Notices (what the reader did on the user's behalf): the header found under a title, a
delimiter other than a comma, punctuation dropped from a value, a formula's saved result
used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..io.sheets import read_grid
from ..io.table import Grid
from ..problems import Problem, WorkbookError
from ..rubric import Rubric
from ..text import plural, strip_controls
from .dates import parse_date
from .format import Assessor, parse_age, text_value
from .frame import EXTRA_FIELDS, AuditFrame
from .rules import CASE_RULES, HEADER_RULES, ROW_RULES, Drafts
from .rules.cells import LIVE_RISK
from .sheet import Sheet, locate

STOPPING = ("unknown-layout", "missing-column", "misnamed-column", "no-audits")
"""Header problems after which no row can be read."""


def read_audits(path: str | Path, rubric: Rubric, *, encoding: str | None = None,
                sheet: str | None = None, only: Assessor | None = None,
                month_first: bool = False) -> tuple[AuditFrame, list[Problem]]:
    """Read and check a cases file (.xlsx, .csv or .json): the audits as columns, and the
    warnings. ``only`` declares a file holding one side's audits (as in ``compare SELF
    INSPECTORS``): the assessor column may then be left out, a row by the other side is
    an error, and a self-assessed case is not expected to have both audits there.
    ``month_first`` reads typed dates such as ``07/03/2014`` as 3 July (US order); by
    default dates are day first.

    Raises ``WorkbookError`` listing every problem when the file cannot be read or holds
    any error.
    """
    return check_grid(read_grid(path, encoding=encoding, sheet=sheet), rubric, only=only,
                      month_first=month_first)


def check_grid(grid: Grid, rubric: Rubric, *, only: Assessor | None = None,
               month_first: bool = False) -> tuple[AuditFrame, list[Problem]]:
    """Check a grid that has been read (see ``read_audits``)."""
    sheet = locate(grid, rubric, only)
    sheet.month_first = month_first
    sheet.layout = _layout(sheet)
    for header_rule in HEADER_RULES:
        header_rule(sheet)
    found = list(grid.problems) + sheet.problems
    if any(p.code in STOPPING for p in sheet.problems):
        # the root cause first: what stopped the check, then the rest in order
        _raise(grid, sorted(found, key=lambda p: p.code not in STOPPING))
    sheet.problems = []
    for row_rule in ROW_RULES:
        row_rule(sheet)
    found += sorted(sheet.problems, key=_place)
    drafts = Drafts.of(sheet)
    sheet.problems = []
    for case_rule in CASE_RULES:
        case_rule(sheet, drafts)
    found += sorted(sheet.problems, key=lambda p: p.row or 0)  # rule order within a row
    if any(p.is_error for p in found):
        _raise(grid, found)
    return _frame(sheet, drafts), _risk_first(found)


def _place(problem: Problem) -> tuple[int, str, str]:
    cell = problem.cell or ""
    letters = cell.rstrip("0123456789")
    return (problem.row or 0, f"{len(letters):02d}{letters}", problem.code)


def _raise(grid: Grid, found: list[Problem]) -> None:
    errors = sum(p.is_error for p in found)
    raise WorkbookError(f"{grid.file} has {plural(errors, 'problem')}", _risk_first(found))


def _risk_first(found: list[Problem]) -> list[Problem]:
    """A child found still at risk (``live-risk``) before every other problem, whatever
    stops the check (see ``rules.cells.live_risk``)."""
    return sorted(found, key=lambda p: p.code != LIVE_RISK)


def _layout(sheet: Sheet) -> str | None:
    columns = sheet.columns
    wide = "self_grade" in columns or "inspector_grade" in columns
    if "assessor" in columns or (sheet.only is not None and not wide):
        return "long"
    return "wide" if wide else None


def _frame(sheet: Sheet, drafts: Drafts) -> AuditFrame:
    """The kept audits as columns."""
    rubric = sheet.rubric
    kept = np.flatnonzero(drafts.kept)
    rows = drafts.row[kept]
    answers = np.zeros((len(kept), len(rubric.criteria)), dtype=np.int8)
    if sheet.layout == "long":
        for m in sheet.criteria():
            column = sheet.data(m.position)
            codes = column.lookup([rubric.answer_codes.get(str(rubric.parse_answer(v)), 0)
                                   for v in column.values], 0, np.int8)
            answers[:, rubric.criterion_ids.index(str(m.criterion))] = codes[rows]
    extras = {}
    for name in EXTRA_FIELDS:
        cells = sheet.column(name)
        if cells is None:
            continue
        values: list[Any]
        if name in ("area", "force", "reader"):
            values = [text_value(v) for v in cells.values]
        elif name == "audit_date":
            values = [parse_date(v, sheet.month_first, sheet.grid.date1904)
                      for v in cells.values]
        elif name == "child_age":
            values = [parse_age(v) for v in cells.values]
        elif name == "notes":
            values = [strip_controls(v) for v in cells.values]
        else:
            values = sheet.parsed(name)
        extras[name] = cells.lookup(values, None)[rows]
    return AuditFrame(
        file=sheet.file, sha256=sheet.grid.sha256, layout=str(sheet.layout),
        sheet=sheet.sheet_name,
        fields=[name for name in sheet.columns if not name.startswith("criterion:")],
        row=sheet.rows[rows], case_ref=drafts.refs[kept],
        case=drafts.case[kept],  # every case keeps its first audit: ids stay dense
        sample=np.asarray(drafts.sample[drafts.case[kept]], dtype=np.int64),
        case_type=drafts.case_type[kept], assessor=drafts.assessor[kept],
        grade=drafts.grade[kept], answers=answers, extras=extras)

