"""Drawing a force's case sample from its list of eligible cases (``hmic-audit sample``).

The reference report's Annex A took a quota of each case type from the force's records
(five child protection enquiries, five domestic abuse cases, five general concerns,
three of each of five other types); the rubric's ``sampling`` section holds the quotas.
Drawn here rather than by hand, the sample can be drawn again and shown to be fair:

* **The frame.** The list is read like a cases workbook (any format ``read_grid``
  reads; the header found under title rows; headers matched loosely): a case reference
  and a case type are required (the type by the rubric's key, label or alias), an area
  and a date are read when there are columns for them, and any other column is kept with
  its case. Every problem is located (file, sheet, cell) and all of them stop the draw.
* **Strata.** Each case type is drawn on its own: its quota (or every eligible case,
  when there are fewer: the type is *short*, reported and never filled from another
  type). Within a type the cases drawn are spread over the areas in proportion to each
  area's eligible cases, by the **largest remainder** method (Hamilton's): each area gets
  the whole part of its exact share ``drawn x area's cases / type's cases``; the cases
  left over go one each to the areas with the largest fractional parts, ties broken at
  random from the seed. No area gets more than its cases.
* **Within an area** the cases (sorted by reference, so the order of the list's rows does
  not matter) are shuffled with numpy's ``Generator``; the first are drawn, the next ones
  become reserves.
* **Reserves**: per type, ``reserves`` more cases (or as many as are left), spread over
  the areas by the same rule over the cases not drawn, then put in a random order: the
  order in which to use them when a drawn case is found unsuitable.
* **The seed.** Each case type draws from its own random stream, derived from the seed
  and the type's key (``numpy.random.SeedSequence(seed, spawn_key=...)``): the same list,
  rubric and seed give the same sample; another seed gives another; changing one type's
  quota leaves the other types' draws as they were.

The result records everything needed to check the draw: the list's SHA-256, the seed,
the rule, and per stratum (type x area) the eligible cases, drawn and reserves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..io.sheets import read_grid
from ..problems import HmicAuditError, Problem, RubricError, Severity, WorkbookError
from ..rubric import Rubric, Sampling
from ..text import clean_reference, clean_text, label_key, plural
from ..workbook.dates import possible_date, read_date
from ..workbook.format import FIELDS_BY_NAME, choice
from ..workbook.rules.columns import (
    error_cells,
    merged_cells,
    repeated_columns,
    uncached_formulas,
)
from ..workbook.sheet import Mapped, Sheet, Unmapped, locate

DEFAULT_SEED = 2014
"""The seed used when none is given. Give your own (the inspectorate's, agreed before the
list is made) and keep the record: anyone with the same list, rubric and seed draws the
same sample."""
ALLOCATION_RULE = (
    "Each case type is drawn on its own: its quota, or all its eligible cases when it has "
    "fewer (short; never filled from another type). Within a type the cases are spread "
    "over areas in proportion to each area's eligible cases by the largest remainder "
    "method: each area gets the whole part of its exact share, and the cases left over "
    "go one each to the areas with the largest fractional parts (ties broken at random "
    "from the seed). Within an area the cases, sorted by reference, are shuffled with "
    "numpy's Generator (PCG64) seeded from the seed and the case type's key; the first "
    "are drawn. Reserves are spread over areas by the same rule over the cases not drawn, "
    "and listed in a random order: the order in which to use them.")
"""The rule in words, for the record and the form."""
NO_AREA = "(no area)"
"""The stratum of a case whose area is blank."""
DATE_WORDS = ("date", "created", "recorded", "opened", "received")
"""A column whose header (not otherwise a field) holds one of these words is the list's
date column: ``Date recorded``, ``Referral date``, ``Created``."""
LIST_FIELDS = ("case_ref", "case_type", "area")
"""Fields of the workbook format the list is read for (any other column is extra)."""


@dataclass(frozen=True)
class ListedCase:
    """One eligible case of the force's list."""

    ref: str
    case_type: str
    """The rubric's case type key."""
    area: str
    """As written (cleaned); :data:`NO_AREA` when blank."""
    date: dt.date | None
    row: int
    """The row number the spreadsheet shows."""
    extra: dict[str, str] = field(default_factory=dict)
    """Every other column, by its header (blank cells left out)."""


@dataclass(frozen=True)
class CaseList:
    """The force's list of eligible cases, read and checked."""

    file: str
    sha256: str
    cases: list[ListedCase]
    area_column: str | None
    date_column: str | None
    extra_columns: list[str]
    problems: list[Problem]
    """Warnings and notices (an error stops the read)."""


@dataclass(frozen=True)
class Stratum:
    """One case type in one area."""

    case_type: str
    area: str
    eligible: int
    share: float
    """The exact proportional share of the type's drawn cases (before rounding)."""
    drawn: int
    reserves: int


@dataclass(frozen=True)
class TypeDraw:
    """What was drawn of one case type."""

    case_type: str
    label: str
    eligible: int
    quota: int
    drawn: int
    reserves: int

    @property
    def short(self) -> int:
        """Cases the quota wanted that the list did not have."""
        return self.quota - self.drawn


@dataclass(frozen=True)
class Reserve:
    """A reserve case and the order in which to use it within its type."""

    order: int
    case: ListedCase


@dataclass(frozen=True)
class SampleDraw:
    """The sample drawn: the cases, the reserves and the record of how."""

    rubric: Rubric
    case_list: CaseList
    seed: int
    reserves_per_type: int
    types: list[TypeDraw]
    strata: list[Stratum]
    drawn: list[ListedCase]
    """In the rubric's case type order, then area, then the order drawn."""
    reserves: list[Reserve]
    """In the rubric's case type order, then the order to use them."""

    @property
    def short_types(self) -> list[TypeDraw]:
        return [t for t in self.types if t.short > 0]

    def problems(self) -> list[Problem]:
        """The list's warnings and notices, and a warning per short case type."""
        found = list(self.case_list.problems)
        for t in self.short_types:
            found.append(Problem(
                code="short-stratum", severity=Severity.WARNING, file=self.case_list.file,
                column=t.label, value=str(t.eligible),
                message=f"{t.label}: the quota is {t.quota} but the list has only "
                f"{plural(t.eligible, 'eligible case')}; all of them are drawn and the "
                f"sample is {t.short} short (no case of another type is drawn instead)"))
        return found

    def record(self) -> dict[str, Any]:
        """Everything needed to check or repeat the draw, as JSON-ready data."""
        from importlib.metadata import version

        dates = [c.date for c in self.case_list.cases if c.date is not None]
        return {
            "tool": f"hmic-audit {version('hmic-audit')}",
            "case_list": {"file": self.case_list.file, "sha256": self.case_list.sha256,
                          "cases": len(self.case_list.cases),
                          "area_column": self.case_list.area_column,
                          "date_column": self.case_list.date_column,
                          "earliest": min(dates).isoformat() if dates else None,
                          "latest": max(dates).isoformat() if dates else None},
            "rubric": {"name": self.rubric.name, "version": self.rubric.version,
                       "sha256": self.rubric.sha256},
            "seed": self.seed,
            "random": "numpy.random.Generator(PCG64), one stream per case type: "
                      "SeedSequence(seed, spawn_key=(first 4 bytes of SHA-256 of the "
                      "type's key, big-endian))",
            "allocation": ALLOCATION_RULE,
            "reserves_per_type": self.reserves_per_type,
            "types": [{"case_type": t.case_type, "label": t.label, "eligible": t.eligible,
                       "quota": t.quota, "drawn": t.drawn, "reserves": t.reserves,
                       "short": t.short} for t in self.types],
            "strata": [{"case_type": s.case_type, "area": s.area, "eligible": s.eligible,
                        "share": round(s.share, 6), "drawn": s.drawn,
                        "reserves": s.reserves} for s in self.strata],
            "drawn": [{"case_ref": c.ref, "case_type": c.case_type, "area": c.area}
                      for c in self.drawn],
            "reserves": [{"order": r.order, "case_ref": r.case.ref,
                          "case_type": r.case.case_type, "area": r.case.area}
                         for r in self.reserves],
        }


# Reading the list --------------------------------------------------------------------

def read_case_list(path: str | Path, rubric: Rubric, *, encoding: str | None = None,
                   sheet: str | None = None, month_first: bool = False) -> CaseList:
    """Read and check a force's list of eligible cases; ``WorkbookError`` listing every
    problem (located) when any is an error."""
    grid = read_grid(path, encoding=encoding, sheet=sheet)
    table = locate(grid, rubric)
    for unit in (repeated_columns, error_cells, uncached_formulas, merged_cells):
        unit(table)
    if "case_type" not in table.columns:
        table.problems.append(_missing_type_column(table))
        raise WorkbookError(f"{grid.file}: no case type column",
                            [*grid.problems, *table.problems])

    refs = _refs(table)
    types = _case_types(table, rubric)
    areas, area_column = _areas(table)
    dates, date_column = _dates(table, month_first)
    extras = [(m.position, m.header) for m in _extra_columns(table, date_column)]
    problems = [*grid.problems, *table.problems]
    errors = [p for p in problems if p.is_error]
    if errors or table.row_error.any():
        count = plural(len(errors), "problem")
        raise WorkbookError(f"{grid.file} has {count}", problems)

    rows = table.rows
    cases = []
    extra_data = [(header, table.data(position)) for position, header in extras]
    for i in range(len(table)):
        extra = {h: col.text(i) for h, col in extra_data if col.text(i)}
        cases.append(ListedCase(ref=refs[i], case_type=str(types[i]), area=areas[i],
                                date=dates[i], row=int(rows[i]), extra=extra))
    if area_column is None:
        problems.append(Problem(
            code="no-area-column", severity=Severity.WARNING, file=grid.file,
            sheet=grid.sheet, row=table.header_row,
            message="has no area column (Area, Local authority, Division...); each case "
            "type is drawn from the whole force, not spread over its areas"))
    return CaseList(file=grid.file, sha256=grid.sha256, cases=cases,
                    area_column=area_column, date_column=date_column,
                    extra_columns=[h for _, h in extras], problems=problems)


def _missing_type_column(table: Sheet) -> Problem:
    meant = [u.header for u in table.unknown if u.hint_field == "case_type"]
    spellings = ", ".join([FIELDS_BY_NAME["case_type"].title,
                           *FIELDS_BY_NAME["case_type"].headers[:3]])
    tip = (f"; is {meant[0]!r} meant to be it? Rename it 'Case type'" if meant else
           f"; add one ({spellings}) holding each case's type")
    return Problem(code="missing-column", file=table.file, sheet=table.sheet_name,
                   row=table.header_row, column="case_type",
                   message=f"has no case type column{tip}: cases are drawn by type")


def _refs(table: Sheet) -> list[str]:
    refs = table.row_refs()
    blank = table.blank("case_ref")
    table.flag("blank-case-ref", blank, "case_ref",
               "has no case reference; every listed case needs one", value="")
    first: dict[str, int] = {}
    for i, ref in enumerate(refs.tolist()):
        if not ref:
            continue
        key = clean_reference(ref)
        if key in first:
            table.flag_one("duplicate-case", i, "case_ref",
                           f"repeats case {ref!r} of row {int(table.rows[first[key]])}; "
                           "list each case once")
        else:
            first[key] = i
    return [str(r) for r in refs.tolist()]


def _case_types(table: Sheet, rubric: Rubric) -> list[str | None]:
    reading = choice("case_type", rubric)
    column = table.column("case_type")
    if column is None:  # read_case_list has checked there is one
        return [None] * len(table)
    parsed = table.parsed("case_type")
    table.flag("blank-case-type", table.blank("case_type"), "case_type",
               "has no case type; give one of the rubric's case types", value="")
    bad = [k for k, key in enumerate(parsed) if key is None]
    if bad:
        refusals = {k: reading.refusal(column.values[k]) for k in bad}
        rows = np.flatnonzero(np.isin(column.index, bad))
        table.flag("unknown-case-type", rows, "case_type",
                   lambda i: refusals[int(column.index[i])], expected=reading.expected)
    return [None if k < 0 else parsed[k] for k in column.index.tolist()]


def _areas(table: Sheet) -> tuple[list[str], str | None]:
    column = table.column("area")
    if column is None:
        return [NO_AREA] * len(table), None
    # One stratum per area whatever its case and spacing: the first spelling names it.
    names: dict[str, str] = {}
    spelt = []
    for value in column.values:
        text = clean_text(value)
        spelt.append(names.setdefault(label_key(text), text) if text else NO_AREA)
    return [NO_AREA if k < 0 else spelt[k] for k in column.index.tolist()], \
        table.columns["area"].header


def _date_position(table: Sheet) -> tuple[int, str] | None:
    mapped = table.columns.get("audit_date")
    if mapped is not None:
        return mapped.position, mapped.header
    for u in table.unknown:
        words = label_key(u.header).split()
        if any(w in DATE_WORDS for w in words):
            return u.position, u.header
    return None


def _dates(table: Sheet, month_first: bool) -> tuple[list[dt.date | None], str | None]:
    found = _date_position(table)
    if found is None:
        return [None] * len(table), None
    position, header = found
    column = table.data(position)
    number = table.grid.column_numbers[position]
    values: list[dt.date | None] = []
    trouble: dict[int, tuple[str, str]] = {}
    for k, text in enumerate(column.values):
        reading = read_date(text, table.grid.date1904)
        day = reading.date(month_first)
        values.append(day)
        if day is None:
            if not month_first and reading.only_month_first:
                trouble[k] = ("month-first-date", f"{text!r} is a date only month first "
                              "(US order); if the column is typed month first, run again "
                              "with --month-first")
            elif reading.shaped:
                trouble[k] = ("impossible-date", f"{text!r} is not a date on the calendar")
            else:
                trouble[k] = ("bad-date", f"{text!r} is not a date; type it as 03/07/2014 "
                              "(day first) or 2014-07-03")
        elif not possible_date(day):
            future = day > dt.date.today()
            trouble[k] = ("future-date" if future else "early-date", f"{text!r} is "
                          f"{'in the future' if future else 'before 1990'}; correct the date")
    for i in np.flatnonzero(np.isin(column.index, list(trouble))).tolist():
        code, message = trouble[int(column.index[i])]
        table.problems.append(Problem.at_cell(
            code, message, file=table.file, sheet=table.sheet_name, row=int(table.rows[i]),
            column=header, column_index=number, value=column.text(i), grid=table.is_csv))
        table.row_error[i] = True
    return [None if k < 0 else values[k] for k in column.index.tolist()], header


def _extra_columns(table: Sheet, date_column: str | None) -> list[Mapped | Unmapped]:
    kept: list[Mapped | Unmapped] = [m for m in table.columns.values()
            if m.field not in LIST_FIELDS and m.header != date_column]
    kept += [u for u in table.unknown if u.header != date_column]
    return sorted(kept, key=lambda m: m.position)


# Drawing -------------------------------------------------------------------------------

def largest_remainder(sizes: Sequence[int], total: int,
                      rng: np.random.Generator | None = None) -> list[int]:
    """Split ``total`` among groups of ``sizes`` in proportion (Hamilton's method): each
    group gets the whole part of ``total x size / sum(sizes)``, and the units left over go
    one each to the largest fractional parts (compared exactly, in integers); ties are
    broken at random with ``rng`` (else in order). ``total`` is at most ``sum(sizes)``, so
    no group gets more than its size."""
    whole = sum(sizes)
    if whole == 0 or total <= 0:
        return [0] * len(sizes)
    if total > whole:
        raise ValueError(f"cannot allocate {total} among {whole}")
    floors = [s * total // whole for s in sizes]
    remainders = [s * total % whole for s in sizes]
    ties = rng.random(len(sizes)) if rng is not None else np.arange(len(sizes))
    order = sorted(range(len(sizes)), key=lambda k: (-remainders[k], float(ties[k])))
    for k in order[:total - sum(floors)]:
        floors[k] += 1
    return floors


def type_stream(seed: int, case_type: str) -> np.random.Generator:
    """The random stream a case type draws from: numpy's Generator (PCG64) seeded from
    ``seed`` and the first four bytes of the SHA-256 of the type's key."""
    tag = int.from_bytes(hashlib.sha256(case_type.encode("utf-8")).digest()[:4], "big")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed,
                                                                       spawn_key=(tag,))))


def _quotas(rubric: Rubric) -> Sampling:
    """The rubric's sampling section; ``RubricError`` when it has none."""
    if rubric.sampling is None:
        raise RubricError(f"rubric {rubric.name} sets no sampling quotas", [Problem(
            code="no-quotas", file=Path(rubric.source or rubric.name).name,
            column="sampling",
            message=f"rubric {rubric.name} has no sampling section; add one with a quota "
            "per case type (see the shipped child-protection-2014 rubric), or give "
            "another --rubric")])
    return rubric.sampling


def draw_sample(case_list: CaseList, rubric: Rubric, *, seed: int = DEFAULT_SEED,
                reserves: int | None = None) -> SampleDraw:
    """Draw the sample the rubric's quotas ask for (see the module's notes)."""
    sampling = _quotas(rubric)
    if seed < 0:
        raise HmicAuditError("bad seed", [Problem(
            code="bad-arguments", message=f"--seed must be 0 or more, not {seed}")])
    per_type = sampling.reserves if reserves is None else reserves
    if per_type < 0:
        raise HmicAuditError("bad reserves", [Problem(
            code="bad-arguments", message=f"--reserves must be 0 or more, not {per_type}")])

    by_type: dict[str, dict[str, list[ListedCase]]] = {}
    for case in case_list.cases:
        by_type.setdefault(case.case_type, {}).setdefault(case.area, []).append(case)

    types, strata, drawn, kept = [], [], [], []
    for ct in rubric.case_types:
        areas = by_type.get(ct.key, {})
        names = sorted(areas, key=lambda a: (a == NO_AREA, label_key(a), a))
        groups = [sorted(areas[a], key=lambda c: c.ref) for a in names]
        eligible = sum(len(g) for g in groups)
        quota = sampling.quota(ct.key)
        n = min(quota, eligible)
        rng = type_stream(seed, ct.key)
        sizes = [len(g) for g in groups]
        take = largest_remainder(sizes, n, rng)
        shuffled = [[g[k] for k in rng.permutation(len(g)).tolist()] for g in groups]
        left = [s - t for s, t in zip(sizes, take, strict=True)]
        spare = largest_remainder(left, min(per_type if quota > 0 else 0, sum(left)), rng)
        standby = []
        for name, group, t, r, size in zip(names, shuffled, take, spare, sizes, strict=True):
            drawn += group[:t]
            standby += group[t:t + r]
            strata.append(Stratum(ct.key, name, size, n * size / eligible if eligible else 0,
                                  t, r))
        order = rng.permutation(len(standby)).tolist()
        kept += [Reserve(k + 1, standby[j]) for k, j in enumerate(order)]
        types.append(TypeDraw(ct.key, ct.label, eligible, quota, n, len(standby)))
    return SampleDraw(rubric=rubric, case_list=case_list, seed=seed,
                      reserves_per_type=per_type, types=types, strata=strata, drawn=drawn,
                      reserves=kept)


def sample_cases(path: str | Path, rubric: Rubric, *, seed: int = DEFAULT_SEED,
                 reserves: int | None = None, encoding: str | None = None,
                 sheet: str | None = None, month_first: bool = False) -> SampleDraw:
    """Read a force's list of eligible cases and draw the sample (what ``hmic-audit
    sample`` does before rendering)."""
    _quotas(rubric)  # before reading the list: no quotas, nothing to draw
    case_list = read_case_list(path, rubric, encoding=encoding, sheet=sheet,
                               month_first=month_first)
    return draw_sample(case_list, rubric, seed=seed, reserves=reserves)
