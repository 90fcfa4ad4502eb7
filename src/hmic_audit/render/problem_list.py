"""Problems for the terminal: grouped, capped, notices last; nothing here prints.

A workbook with one mistake copied down 20,000 rows holds 20,000 problems; listed one by
one they bury everything else. In the terminal, problems that say the same thing (same
code, severity, file, sheet, column and message) in several rows are shown once, with
the rows as ranges: ``Cases!F2–F20001 (Audit date), 20,000 rows``. At most
``SHOW_GROUPS`` of these are shown, with a closing line counting the rest, unless the
user asks for every problem (``--all``); ``--format json`` always lists each one.

Order is the library's (file, header, rows, cases: the root cause first), except that
notices, which say what the reader did on the user's behalf, come after the errors and
warnings, dimmed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..problems import Problem, Severity
from ..report.words import join_words
from ..text import plural
from .fit import fit

SHOW_GROUPS = 20
"""Groups of problems shown without ``--all``."""

SHOW_RANGES = 4
"""Row ranges named in a group's location before the rest are counted."""

DASH = "\u2013"  # en dash, as in "rows 2–20001"

MARKS = {Severity.ERROR: ("error", "red bold"), Severity.WARNING: ("warning", "yellow"),
         Severity.NOTICE: ("notice", "dim")}


@dataclass(frozen=True)
class ProblemGroup:
    """Problems that say the same thing, in the order the library found them."""

    problems: tuple[Problem, ...]

    @property
    def first(self) -> Problem:
        return self.problems[0]

    @property
    def location(self) -> str:
        """Where the problems are: one problem's own location, or the rows as ranges of
        cells (``Cases!F2–F9, F12``) or of rows (``rows 2–9, 12``), and how many rows."""
        if len(self.problems) == 1:
            return self.first.location
        p = self.first
        rows = sorted({q.row for q in self.problems if q.row is not None})
        letters = {(q.cell or "").rstrip("0123456789") for q in self.problems}
        if len(letters) == 1 and "" not in letters:  # one column: the cells as ranges
            where = p.model_copy(update={"cell": row_ranges(rows, prefix=letters.pop())})
            return f"{where.location}, {plural(len(rows), 'row')}"
        parts = [part for part in (p.file, p.sheet, f"rows {row_ranges(rows)}") if part]
        if p.column:
            parts.append(f"({p.column})")
        return " ".join(parts) + f", {plural(len(rows), 'row')}"


def row_ranges(rows: Sequence[int], prefix: str = "", at_most: int = SHOW_RANGES) -> str:
    """Sorted row numbers as runs: ``2–20001``, ``F2–F9, F12, F14, F16 and 7 more rows``
    (the rows left counted, not the ranges: a range left out may hold many rows)."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    shown = [f"{prefix}{a}" if a == b else f"{prefix}{a}{DASH}{prefix}{b}"
             for a, b in runs[:at_most]]
    left = sum(b - a + 1 for a, b in runs[at_most:])
    return ", ".join(shown) + (f" and {plural(left, 'more row')}" if left else "")


def group_problems(problems: Iterable[Problem]) -> list[ProblemGroup]:
    """Problems that say the same thing in different rows, gathered where the first of
    them stands; errors and warnings in the library's order, then notices."""
    groups: dict[object, list[Problem]] = {}
    for p in _notices_last(problems):
        key: object = (p.code, p.severity, p.file, p.sheet, p.column, p.message)
        if p.row is None:
            key = len(groups)  # nothing to gather a problem without a row into
        groups.setdefault(key, []).append(p)
    return [ProblemGroup(tuple(members)) for members in groups.values()]


def _notices_last(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.severity is Severity.NOTICE)


def counts(problems: Iterable[Problem]) -> dict[str, int]:
    """``{"errors": .., "warnings": .., "notices": ..}``: notices are not warnings."""
    found = {"errors": 0, "warnings": 0, "notices": 0}
    for p in problems:
        found[f"{p.severity.value}s"] += 1
    return found


def count_phrase(problems: Iterable[Problem]) -> str:
    """'2 errors, 1 warning and 3 notices' (kinds with none left out), or 'no problems'."""
    found = counts(problems)
    parts = [plural(n, kind[:-1]) for kind, n in found.items() if n]
    return join_words(parts) or "no problems"


def risk_banner(problems: Sequence[Problem]) -> Text | None:
    """The line said before anything else when an auditor found a child still at risk
    (``live-risk`` problems; None without any)."""
    at_risk = [p for p in problems if p.code == "live-risk"]
    if not at_risk:
        return None
    cells = [f"{p.sheet + '!' if p.sheet else ''}{p.cell or p.row}"
             for p in at_risk[:SHOW_RANGES]]
    if len(at_risk) > SHOW_RANGES:
        cells.append(f"{len(at_risk) - SHOW_RANGES} more")
    return Text(f" A CHILD MAY STILL BE AT RISK: {plural(len(at_risk), 'audit')} flagged "
                f"({join_words(cells)}). Tell the safeguarding lead now; hmic-audit "
                "escalations lists them with their reasons. ", style="bold white on red")


def problems_view(problems: Sequence[Problem], title: str | None = None, *,
                  show_all: bool = False) -> RenderableType:
    """Problems as a list a person can work through (see the module docstring)."""
    groups = ([ProblemGroup((p,)) for p in _notices_last(problems)] if show_all
              else group_problems(problems))
    shown = groups if show_all else groups[:SHOW_GROUPS]
    table = Table(title=title, title_justify="left")
    table.add_column("")
    table.add_column("Where")
    table.add_column("Message")  # notices are listed too: not every line is a problem
    for group in shown:
        mark, style = MARKS[group.first.severity]
        dim = "dim" if group.first.severity is Severity.NOTICE else ""
        table.add_row(Text(mark, style=style), Text(group.location, style=dim or "bold"),
                      Text(group.first.message, style=dim))
    parts: list[RenderableType] = [fit(table)]
    rest = groups[len(shown):]
    if rest:
        left = sum(len(g.problems) for g in rest)
        parts.append(Text(f"... and {plural(left, 'more problem')} not shown: use --all "
                          "to list every one, or --format json", style="dim"))
    return Group(*parts)
