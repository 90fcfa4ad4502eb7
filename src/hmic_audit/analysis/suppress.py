"""Statistical disclosure control for published annex tables (``--suppress N``).

*Primary* suppression hides every count from 1 to N-1 (zeros are shown: a published
zero says no case of that kind was examined). *Secondary* suppression then hides further
cells wherever a row or column would otherwise hold exactly one hidden cell, because a
published total would give it away (total minus the other cells); the smallest other
non-zero count in that line is hidden too, else the line's total. This repeats until no line has
a single hidden cell. Finally an audit solves the published sums as a linear system and
hides more cells while any hidden cell is still determined by them (as in a closed chain
of rows and columns). Percentages and intervals derived from a hidden count, or from a
hidden denominator, are hidden with it, and so is any text cell that spells the count
out ("6 of 84"). Hidden cells show ``MARKER`` and the table carries a note saying so.

``protect`` applies the policy to a whole annex: every table suppressed, and for
publication (``--publish``) a table too small to publish at all left out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .annex_table import Annex, AnnexTable, Cell
from .disclosure import Protection, protection
from .tables import Shared

MARKER = "c"


def suppress(table: AnnexTable, threshold: int) -> AnnexTable:
    """A copy of ``table`` with small counts hidden; unchanged when nothing is hidden."""
    if threshold <= 1:
        return table
    counts = [i for i, c in enumerate(table.columns) if c.kind == "count"]
    if not counts:
        return table
    def count(cell: tuple[int, int]) -> int:
        value = table.rows[cell[0]][cell[1]]
        return value if isinstance(value, int) else -1

    hidden = {(r, i) for r in range(len(table.rows)) for i in counts
              if 0 < count((r, i)) < threshold}
    if not hidden:
        return table
    lines = _lines(table, counts)
    changed = True
    while changed:
        changed = False
        for line in lines:
            inside = [cell for cell in line if cell in hidden]
            if len(inside) != 1:
                continue
            # The partner is the smallest non-zero part (hiding a zero protects nothing:
            # a hidden pair summing to its one other member pins both); else the total.
            parts = [cell for cell in line[:-1] if cell not in hidden and count(cell) > 0]
            if parts:
                hidden.add(min(parts, key=lambda c: (count(c), c)))
            elif line[-1] not in hidden:
                hidden.add(line[-1])
            else:
                continue
            changed = True
    _unpin(table, lines, hidden)
    rows: list[list[Cell]] = [list(row) for row in table.rows]
    key_index = {c.key: i for i, c in enumerate(table.columns)}
    for r, i in hidden:
        rows[r][i] = MARKER
    for r, row in enumerate(rows):
        for i, c in enumerate(table.columns):
            if c.kind in ("percent", "ci") and (
                    (r, key_index[c.of or ""]) in hidden
                    or (c.denominator and (r, key_index[c.denominator]) in hidden)):
                row[i] = MARKER
            elif c.kind == "text" and any((r, j) in hidden for j in counts):
                text = row[i]
                if isinstance(text, str) and " of " in text:
                    row[i] = MARKER
    note = (f"Counts from 1 to {threshold - 1} are shown as {MARKER}, with further cells "
            f"hidden where a total would reveal them.")
    return table.model_copy(update={"rows": rows, "note": f"{table.note} {note}".strip()
                                    if table.note else note})


def _pinned(lines: list[list[tuple[int, int]]], hidden: set[tuple[int, int]]
            ) -> list[tuple[int, int]]:
    """Hidden cells whose value the published sums determine (linear algebra: the cell's
    unit vector lies in the row space of the constraints on the hidden cells)."""
    cells = sorted(hidden)
    index = {cell: k for k, cell in enumerate(cells)}
    rows = []
    for line in lines:
        row = np.zeros(len(cells))
        for cell in line[:-1]:
            if cell in index:
                row[index[cell]] += 1
        if line[-1] in index:
            row[index[line[-1]]] -= 1
        if row.any():
            rows.append(row)
    if not rows:
        return []
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    pinned = []
    for k, cell in enumerate(cells):
        unit = np.zeros(len(cells))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            pinned.append(cell)
    return pinned


def _unpin(table: AnnexTable, lines: list[list[tuple[int, int]]],
           hidden: set[tuple[int, int]]) -> None:
    """Hide more cells until no hidden cell can be worked out from the published sums."""
    def value(cell: tuple[int, int]) -> int:
        v = table.rows[cell[0]][cell[1]]
        return v if isinstance(v, int) else 0

    everything = {c for line in lines for c in line}
    while pinned := _pinned(lines, hidden):
        cell = pinned[0]
        near = {c for line in lines if cell in line for c in line} - hidden
        # Nearest first: a non-zero cell in the same row or column, then a published zero
        # there (hiding it lets the chain move), then any other non-zero cell.
        options = ([c for c in near if value(c) > 0] or sorted(near)
                   or [c for c in everything - hidden if value(c) > 0])
        if not options:
            return
        hidden.add(min(options, key=lambda c: (value(c), c)))


def _lines(table: AnnexTable, counts: list[int]) -> list[list[tuple[int, int]]]:
    """Groups of cells tied by a published sum; each line's total comes last."""
    key_index = {c.key: i for i, c in enumerate(table.columns)}
    body: Sequence[int] = range(len(table.rows) - 1) if table.total_row else range(
        len(table.rows))
    if table.total_row and table.total_of is not None:
        body = table.total_of
    lines = []
    for total, parts in table.row_sums:
        for r in range(len(table.rows)):
            lines.append([(r, key_index[p]) for p in parts] + [(r, key_index[total])])
    if table.total_row:
        last = len(table.rows) - 1
        for i in counts:
            lines.append([(r, i) for r in body] + [(last, i)])
    return lines


def protect(tables: list[AnnexTable], threshold: int, shared: Shared, *,
            publish: bool = False) -> Annex:
    """Every table with small counts hidden, protected together as one publication (see
    :mod:`hmic_audit.analysis.disclosure`): every count from 1 to ``threshold - 1`` is
    hidden, and further counts until no hidden small count can be narrowed down from
    everything the tables publish, tables together. When publishing, a table whose cases
    are fewer than the threshold is left out first (named in ``refused``), and so is a
    table left with every count hidden. The annex keeps the :class:`Protection`, for
    the report's figures to be judged by the same decisions."""
    if threshold <= 1:
        return Annex(tables)
    refused = [t.name for t in tables if publish and _total(t) is not None
               and 0 < (_total(t) or 0) < threshold]
    chosen = [t for t in tables if t.name not in refused]
    guard = protection(shared, threshold)
    for table in chosen:
        for r, row in enumerate(table.rows):
            for i, column in enumerate(table.columns):
                if column.kind == "count" and (query := table.query(r, i)) is not None:
                    guard.add(query, f"table {table.name}, row {row[0]!s}, column "
                              f"{column.title!r}")
    guard.protect()
    hidden = [_hide(table, guard) for table in chosen]
    keep = [t for t in hidden if not (publish and _all_hidden(t))]
    annex = Annex(keep, refused=refused + [t.name for t in hidden if t not in keep])
    annex.protection = guard
    return annex


def _total(table: AnnexTable) -> int | None:
    counts = [i for i, c in enumerate(table.columns) if c.kind == "count"]
    if not table.total_row or not counts:
        return None
    value = table.rows[-1][counts[-1]]
    return value if isinstance(value, int) else None


def _all_hidden(table: AnnexTable) -> bool:
    cells = [row[i] for row in table.rows for i, c in enumerate(table.columns)
             if c.kind == "count"]
    return bool(cells) and not any(isinstance(c, int) and c > 0 for c in cells)


def _hide(table: AnnexTable, guard: Protection) -> AnnexTable:
    """The table as published: hidden counts, and every cell derived from one (a
    percentage, its interval, "6 of 84", a statistic of the row), show ``MARKER``."""
    key_index = {c.key: i for i, c in enumerate(table.columns)}
    rows: list[list[Cell]] = [list(row) for row in table.rows]
    hidden: set[tuple[int, int]] = set()
    for r in range(len(rows)):
        for i, column in enumerate(table.columns):
            query = table.query(r, i) if column.kind == "count" else None
            if query is not None and (found := guard.find(query)) and found.hidden:
                hidden.add((r, i))
                rows[r][i] = MARKER
    if not hidden and not table.derived:
        return table
    for r, row in enumerate(rows):
        counts_hidden = any((r, j) in hidden for j in range(len(row)))
        for i, c in enumerate(table.columns):
            if c.kind in ("percent", "ci") and (
                    (r, key_index[c.of or ""]) in hidden
                    or (c.denominator and (r, key_index[c.denominator]) in hidden)):
                row[i] = MARKER
            elif c.kind == "text" and counts_hidden:
                text = row[i]
                if isinstance(text, str) and " of " in text:
                    row[i] = MARKER
            elif c.kind == "number" and table.derived and row[i] is not None and not all(
                    guard.determined(guard.add(q, f"table {table.name}", probe=True))
                    for q in table.derived[r]):
                row[i] = MARKER
    note = (f"Counts from 1 to {guard.threshold - 1}, and further counts that would "
            f"reveal them, are shown as {MARKER}.")
    if not any(MARKER == cell for row in rows for cell in row):
        return table
    return table.model_copy(update={"rows": rows, "note": f"{table.note} {note}".strip()
                                    if table.note else note})
