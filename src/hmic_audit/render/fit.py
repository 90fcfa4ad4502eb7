"""Tables that fit the terminal without cutting a word.

A pipe or a Windows console is 80 columns wide. Left to itself rich narrows every column
of a wide table alike and cuts what no longer fits (``Asses…``, ``ic_prompt_re…``), and a
grade label or a case reference cut short is worse than useless. ``fit`` wraps a table so
that, at the width it is printed at, it is shown

1. as it is, when it fits;
2. else with its columns narrowed, each no narrower than its longest word, the room left
   shared out fairly (narrow columns whole, the widest ones wrapped); cells wrap between
   words;
3. else (the longest words alone are wider than the terminal) as a block per row: the
   first cell as a heading, then ``Header: value`` pairs wrapped underneath, or as a
   fallback view of the caller's choosing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

UNBOUNDED = 100_000
"""A width no cell reaches: to measure a cell's natural width."""


def fit(table: Table, fallback: RenderableType | None = None) -> RenderableType:
    """``table`` shown at the terminal's width without cutting a word (see the module
    docstring); ``fallback`` replaces the block-per-row view when even that is not
    wanted."""
    return _Fitted(table, fallback)


class _Fitted:
    def __init__(self, table: Table, fallback: RenderableType | None) -> None:
        self.table = table
        self.fallback = fallback

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table = self.table
        if not table.columns:
            return
        ranges = [_measure(console, options, column.header, column.cells)
                  for column in table.columns]
        least = [r.minimum for r in ranges]
        most = [r.maximum for r in ranges]
        room = options.max_width - _chrome(table)
        if sum(most) <= room:
            yield table
        elif sum(least) <= room:
            yield _narrowed(table, share_out(least, most, room))
        elif self.fallback is not None:
            yield self.fallback
        else:
            yield records(table)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)


def _measure(console: Console, options: ConsoleOptions, header: RenderableType,
             cells: Iterable[RenderableType]) -> Measurement:
    """The narrowest a column can be without cutting a word, and its natural width."""
    wide = options.update_width(UNBOUNDED)
    least = most = 0
    for cell in (header, *cells):
        m = Measurement.get(console, wide, cell)
        least, most = max(least, m.minimum), max(most, m.maximum)
    return Measurement(least, most)


def _chrome(table: Table) -> int:
    """Columns of a table spent on borders and padding rather than on cells."""
    # NOTE: rich (10.11 to 15) keeps these two helpers private; they are what its own
    # layout uses, so the sums here agree with what it draws.
    padding = sum(table._get_padding_width(i) for i in range(len(table.columns)))
    return table._extra_width + padding


def share_out(least: list[int], most: list[int], room: int) -> list[int]:
    """Column widths summing to at most ``room``, each between ``least[i]`` and
    ``most[i]``: the room above the least is shared fairly, so a column that wants
    little more gets all of it and the widest columns share what is left equally."""
    widths = list(least)
    spare = room - sum(least)
    order = sorted(range(len(widths)), key=lambda i: most[i] - least[i])
    for k, i in enumerate(order):
        give = max(min(most[i] - least[i], spare // (len(order) - k)), 0)
        widths[i] += give
        spare -= give
    return widths


def _narrowed(table: Table, widths: list[int]) -> Table:
    """A copy of ``table`` with fixed column widths (the cells are shared)."""
    narrowed = copy.copy(table)
    narrowed.columns = [copy.copy(column) for column in table.columns]
    for column, width in zip(narrowed.columns, widths, strict=True):
        column.width = width
        column.min_width = column.max_width = None
    return narrowed


def records(table: Table) -> RenderableType:
    """A table as one block per row: the first cell as a heading, then the other cells
    as ``Header: value`` pairs (empty cells left out), wrapped and indented."""
    parts: list[RenderableType] = []
    if table.title:
        parts.append(Text(str(table.title), style="italic"))
    columns = table.columns
    cells = [list(column.cells) for column in columns]
    for i in range(len(table.rows)):
        heading = _as_text(cells[0][i])
        heading.stylize("bold")
        body = Text()
        for column, column_cells in zip(columns[1:], cells[1:], strict=True):
            value = _as_text(column_cells[i])
            if not value.plain.strip():
                continue
            if body.plain:
                body.append("; ")
            body.append(f"{_as_text(column.header).plain}: ", style="dim")
            body.append_text(value)
        parts.append(heading)
        if body.plain:
            parts.append(Padding(body, (0, 0, 0, 2)))
    return Group(*parts)


def _as_text(cell: RenderableType) -> Text:
    if isinstance(cell, Text):
        return cell.copy()
    return Text(" ".join(str(cell).split()) if isinstance(cell, str) else str(cell))
