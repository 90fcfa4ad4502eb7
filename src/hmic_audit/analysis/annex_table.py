"""The shape of a published annex table, and the layouts the annex tables share.

An :class:`AnnexTable` holds titled columns of a kind (label, count, percent, interval,
text, number), rows of plain cells and the sums its counts obey (what disclosure control
protects). :class:`Annex` is the list of tables a run publishes; both give analysts
pandas DataFrames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from .disclosure import UNGRADED, Protection, Query
from .stats import wilson_interval
from .tables import GradeTable

if TYPE_CHECKING:
    import pandas as pd

    from ..rubric import Rubric

Cell = str | int | float | None
ColumnKind = Literal["label", "count", "percent", "ci", "text", "number"]


class Column(BaseModel):
    """A column of a published table."""

    model_config = ConfigDict(frozen=True)

    key: str
    title: str
    kind: ColumnKind
    of: str | None = None
    """For percent and ci columns: the count column (numerator) they derive from."""
    denominator: str | None = None
    """For percent and ci columns: the count column holding the denominator."""
    spells: tuple[str, str] | None = Field(default=None, exclude=True)
    """For a text column such as "6 of 84": the two count columns it spells out (not
    written to outputs)."""


class AnnexTable(BaseModel):
    """One published table."""

    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    total_row: bool = False
    """The last row holds the column sums of the count columns."""
    total_of: list[int] | None = None
    """The rows the total row adds up, when not every row above it (e.g. only the
    inspectors' rows: force and inspector audits of the same cases are not added)."""
    row_sums: list[tuple[str, list[str]]] = []
    """Per row, count columns that add up to another: (total column, part columns)."""
    chart: bool = False
    """A grade distribution: drawn as a bar chart in xlsx."""
    note: str | None = None
    queries: list[list[Query | None]] = []
    derived: list[list[Query]] = []
    """Per row, the counts its statistics (``number`` cells) are computed from: when
    protecting, they are published only if those counts are determined by what is."""
    """Per row, per column, the units a count cell counts (None for other cells): what
    disclosure control reasons about (:mod:`hmic_audit.analysis.disclosure`)."""

    def query(self, row: int, column: int) -> Query | None:
        """The units a cell counts (None: not a count, or not known)."""
        if not self.queries:
            return None
        return self.queries[row][column]

    def column(self, key: str) -> int:
        """The position of a column, by key."""
        return [c.key for c in self.columns].index(key)

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame: one column per column key, rows as published
        (hidden cells, after suppression, hold the marker)."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=[c.key for c in self.columns])


class Annex(list[AnnexTable]):
    """The annex tables of a run, in publication order (a list of tables)."""

    def __init__(self, tables: Iterable[AnnexTable] = (), *, refused: Iterable[str] = ()
                 ) -> None:
        super().__init__(tables)
        self.refused = list(refused)
        """Tables left out of a publication: too few cases to publish safely."""
        self.protection: Protection | None = None
        """The disclosure decisions behind the tables (None: nothing hidden)."""

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table as a DataFrame, by table name."""
        return {t.name: t.to_frame() for t in self}


def count(value: Cell) -> int:
    """A count cell as a number (0 for anything else)."""
    return value if isinstance(value, int) else 0


def percent_cells(part: int, whole: int) -> list[Cell]:
    """Percentage and Wilson 95% interval, rounded to one decimal (None without a whole)."""
    ci = wilson_interval(part, whole)
    if ci is None:
        return [None, None, None]
    return [round(100 * part / whole, 1), round(100 * ci[0], 1), round(100 * ci[1], 1)]


def share_columns(of: str, denominator: str, label: str) -> list[Column]:
    """The percent and interval columns of a share ``of / denominator``."""
    return [Column(key=f"{of}_pct", title=f"{label} %", kind="percent", of=of,
                   denominator=denominator),
            Column(key=f"{of}_low", title="95% CI low", kind="ci", of=of,
                   denominator=denominator),
            Column(key=f"{of}_high", title="95% CI high", kind="ci", of=of,
                   denominator=denominator)]


RowUnits = tuple[dict[str, str | list[str]], str]
"""What a row of a grade table counts: case attributes, and which side's grade."""


def row_units(table: GradeTable, row: int) -> RowUnits:
    """What a row of a shared grade table counts: its group's attribute, and the side
    whose grade it counts (the inspectors', but for a sample-and-assessor row)."""
    key = table.keys[row]
    if isinstance(key, tuple):
        return {"sample": key[0].value}, f"{key[1].value}_grade"
    attribute = {"case type": "case_type", "area": "area", "force": "force"}[table.by]
    return {attribute: str(key)}, "inspector_grade"


def grade_query(table: GradeTable, row: int, levels: Iterable[int] | None) -> Query:
    """The units of a row of a grade table with one of some final grades (positions on
    the scale, -1 for none), or with any (``levels`` None)."""
    from .disclosure import case_query

    dims, side = row_units(table, row)
    grades = table.grades
    values = [*grades, UNGRADED] if levels is None else [
        grades[g] if g >= 0 else UNGRADED for g in levels]
    return case_query(**dims, **{side: values})


def pairs_query(grades: list[str], keep: Callable[[int], bool], **dims: str | list[str]
                ) -> Query:
    """Cases both sides graded whose inspector level minus force level (positions on
    the scale, the best first: positive when the inspectors graded lower) ``keep``
    accepts."""
    from .disclosure import case_query

    return Query.union(case_query(**dims, force_grade=grades[a], inspector_grade=grades[b])
                       for a in range(len(grades)) for b in range(len(grades))
                       if keep(b - a))


def scope_query(scope: int, criteria: list[str], answers: Iterable[str]) -> Query:
    """Criterion answers of a scope of audits (``SCOPES``) among ``answers``."""
    from ..workbook.format import SAMPLES
    from .disclosure import answer_query
    from .pool import FORCE
    from .tables import SCOPES

    _, assessor, sample = SCOPES[scope]
    side = "force_answer" if assessor == FORCE else "inspector_answer"
    dims: dict[str, str | list[str]] = {"criterion": criteria, side: list(answers)}
    if sample is not None:
        dims["sample"] = SAMPLES[sample].value
    return answer_query(**dims)


def grade_queries(rows: list[RowUnits], rubric: Rubric, adds: list[int]) -> list[
        list[Query | None]]:
    """The units of every cell of a grade table: per row, each grade, not graded and
    total; then the total row, the union of the rows it adds up."""
    from .disclosure import case_query

    keys = rubric.grade_keys
    out: list[list[Query | None]] = []
    for dims, side in rows:
        out.append([None, *(case_query(**dims, **{side: g}) for g in keys),
                    case_query(**dims, **{side: UNGRADED}),
                    case_query(**dims, **{side: [*keys, UNGRADED]})])
    total: list[Query | None] = [None]
    for i in range(1, len(keys) + 3):
        total.append(Query.union(q for r in adds if (q := out[r][i]) is not None))
    return [*out, total]


def grade_table(name: str, title: str, label: str, table: GradeTable, rubric: Rubric,
                total: tuple[str, list[int]] | None = None) -> AnnexTable:
    """A grade distribution as published: a row per group (grades, not graded, total),
    then the column totals (or ``total``: a label and the rows it adds up); drawn as a bar
    chart in xlsx."""
    keys = rubric.grade_keys
    columns = [Column(key="group", title=label, kind="label")]
    columns += [Column(key=g, title=rubric.grade_labels[g], kind="count") for g in keys]
    columns += [Column(key="ungraded", title="Not graded", kind="count"),
                Column(key="total", title="Total", kind="count")]
    rows: list[list[Cell]] = [
        [group, *counts, ungraded, total] for group, counts, ungraded, total in zip(
            table.labels, table.counts.tolist(), table.ungraded.tolist(),
            table.audits.tolist(), strict=True)]
    label_of_total, adds = total or ("Total", list(range(len(rows))))
    rows.append([label_of_total, *(sum(count(rows[r][i]) for r in adds)
                                   for i in range(1, len(keys) + 3))])
    units = [row_units(table, r) for r in range(len(table.keys))]
    return AnnexTable(name=name, title=title, columns=columns, rows=rows, total_row=True,
                      total_of=None if total is None else adds,
                      row_sums=[("total", [*keys, "ungraded"])], chart=True,
                      queries=grade_queries(units, rubric, adds))
