"""Disclosure control for published annex tables (``--suppress N``, ``--publish``).

Every count from 1 to N-1 is hidden (zeros are shown: a published zero says no case of
that kind was examined), and further counts until no hidden small count can be narrowed
down from everything the tables publish, all tables of the publication together: the
rule and its audit are :mod:`hmic_audit.analysis.disclosure`. Percentages and intervals
derived from a hidden count, or from a hidden denominator, are hidden with it; so is any
text cell that spells a hidden count out ("6 of 84"), and a statistic (kappa) whose
counts are not all published or determined. Hidden cells show ``MARKER`` and the table
carries a note saying so.
"""

from __future__ import annotations

from .annex_table import Annex, AnnexTable, Cell
from .disclosure import Protection, protection
from .tables import Shared

MARKER = "c"


_DECISIONS: dict[str, list[bool]] = {}
"""Which counts each protected publication hides, by what decides it."""


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
    # NOTE: the decisions are a pure function of the problem (the true counts of both
    # cubes, the counts published, the threshold); kept for the process, so a report and
    # its annex built together (or a test writing every format) audit once.
    key = guard.fingerprint()
    if key in _DECISIONS:
        guard.decide(_DECISIONS[key])
    else:
        guard.protect()
        _DECISIONS[key] = [c.hidden for c in guard.counts]
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


SYMBOLS = {
    "c": "confidential: hidden so that no child can be identified",
    "z": "not applicable (no cases to take a share of)",
    "x": "not available (the statistic cannot be computed for these cases)",
    "k": "more than 0 but less than half the last digit shown",
}
"""The symbols government statistics use in published tables (GSS guidance on symbols
in tables), as a protected table shows them; its note ends with a key to those used."""


def _symbols(table: AnnexTable, rows: list[list[Cell]]) -> None:
    """Blank and vanishing cells of a protected table as their symbols: a share with no
    denominator ``z``, a statistic that cannot be computed ``x``, a positive share that
    rounds to 0.0 ``k``."""
    for row in rows:
        for i, c in enumerate(table.columns):
            if c.kind in ("percent", "ci") and row[i] is None:
                row[i] = "z"
            elif c.kind == "number" and row[i] is None:
                row[i] = "x"
            elif c.kind == "percent" and row[i] == 0.0 and isinstance(
                    count := row[table.column(c.of or "")], int) and count > 0:
                row[i] = "k"


def _hide(table: AnnexTable, guard: Protection) -> AnnexTable:
    """The table as published: hidden counts, and every cell derived from one (a
    percentage, its interval, "6 of 84", a statistic of the row), show ``MARKER``;
    other symbols as :data:`SYMBOLS` says, with a key under the table."""
    key_index = {c.key: i for i, c in enumerate(table.columns)}
    rows: list[list[Cell]] = [list(row) for row in table.rows]
    hidden: set[tuple[int, int]] = set()
    for r in range(len(rows)):
        for i, column in enumerate(table.columns):
            query = table.query(r, i) if column.kind == "count" else None
            if query is not None and (found := guard.find(query)) and found.hidden:
                hidden.add((r, i))
                rows[r][i] = MARKER
    for r, row in enumerate(rows):
        for i, c in enumerate(table.columns):
            sources = c.spells or ((c.of, c.denominator) if c.kind in ("percent", "ci")
                                   else ())
            if any(key and (r, key_index[key]) in hidden for key in sources):
                row[i] = MARKER
            elif c.kind == "number" and table.derived and row[i] is not None and not all(
                    guard.determined(guard.add(q, f"table {table.name}", probe=True))
                    for q in table.derived[r]):
                row[i] = MARKER
    _symbols(table, rows)
    figures = [i for i, c in enumerate(table.columns) if c.kind not in ("label", "text")]
    used = [s for s in SYMBOLS if any(row[i] == s for row in rows for i in figures)
            or (s == MARKER and any(row[i] == s for row in rows
                                    for i in range(len(row))))]
    if not used:
        return table
    note = " ".join([*([f"Counts from 1 to {guard.threshold - 1}, and further counts that "
                        f"would reveal them, are shown as {MARKER}."] if MARKER in used
                       else []),
                     "Key: " + "; ".join(f"{s} {SYMBOLS[s]}" for s in used) + "."])
    return table.model_copy(update={"rows": rows, "note": f"{table.note} {note}".strip()
                                    if table.note else note})
