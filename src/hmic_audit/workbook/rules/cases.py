"""Rule units across the audits of one case, on integer codes.

They run after the row units, on the audits made by rows without errors (a row in error
makes no audit, so one mistake is not reported twice). :class:`Drafts` holds those
audits as columns, grouped by case (references compared ignoring case).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...problems import Severity, column_letter
from ...text import label_key
from ..format import ASSESSORS, SAMPLES, Assessor, Sample, parse_age
from ..sheet import Sheet

FORCE = ASSESSORS.index(Assessor.FORCE)
INSPECTOR = ASSESSORS.index(Assessor.INSPECTOR)
SELF = SAMPLES.index(Sample.SELF_ASSESSED)
FURTHER = SAMPLES.index(Sample.INSPECTOR_SELECTED)


@dataclass
class Drafts:
    """The audits made by the rows without errors, in row order, before their cases are
    settled. Every array has one entry per audit unless it says per case."""

    row: np.ndarray
    """Data-row position of the audit (the wide layout makes two audits of one row)."""
    assessor: np.ndarray
    grade: np.ndarray
    """Position in the rubric's grades; -1 when none written."""
    case_type: np.ndarray
    given_sample: np.ndarray
    """The sample written in the row; -1 when blank."""
    refs: np.ndarray
    """Cleaned case reference (object array)."""
    case: np.ndarray
    """Case id: the same for references equal ignoring case."""
    head: np.ndarray
    """Per case: the case's first audit."""
    kept: np.ndarray
    """False for a second audit of a case by the same assessor."""
    first_same: np.ndarray
    """The first audit of the case by the same assessor (itself when kept)."""
    sample: np.ndarray
    """Per case: the settled sample (the first one written, else self-assessed when a
    force audit exists, else inspector-selected)."""
    has_force: np.ndarray
    """Per case: is there a (kept) force audit?"""
    rejected: np.ndarray
    """Per case: did a row of the case have an error?"""

    def __len__(self) -> int:
        return len(self.row)

    @classmethod
    def of(cls, sheet: Sheet) -> Drafts:
        rubric = sheet.rubric
        ok = ~sheet.row_error
        case_type = sheet.codes("case_type", rubric.case_type_keys)
        sample = sheet.codes("sample", SAMPLES)
        refs = sheet.row_refs()
        if sheet.layout == "wide":
            grades = [sheet.codes(s, rubric.grade_keys) for s in ("self_grade",
                                                                    "inspector_grade")]
            parts = [(np.flatnonzero(ok & (g >= 0)), side, g)
                     for side, g in ((FORCE, grades[0]), (INSPECTOR, grades[1]))]
            row = np.concatenate([p[0] for p in parts])
            assessor = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
            grade = np.concatenate([p[2][p[0]] for p in parts])
            order = np.lexsort((assessor, row))
            row, assessor, grade = row[order], assessor[order], grade[order]
        else:
            assessor_all = sheet.codes("assessor", ASSESSORS)
            if sheet.only is not None:
                assessor_all = np.where(assessor_all < 0, ASSESSORS.index(sheet.only),
                                        assessor_all)
            grade_all = sheet.codes("grade", rubric.grade_keys)
            row = np.flatnonzero(ok)
            if sheet.only is not None:
                row = row[assessor_all[row] == ASSESSORS.index(sheet.only)]
            assessor, grade = assessor_all[row], grade_all[row]
        n = len(row)
        case, keys = _case_ids(sheet, row)
        cases = len(keys)
        positions = np.arange(n)
        head = np.full(cases, n, dtype=np.int64)
        np.minimum.at(head, case, positions)
        # The first audit of each (case, assessor, reader): later ones are duplicates.
        # Readers told apart by a reader column may each audit a case (hmic-audit agree).
        reader = reader_codes(sheet)[row] if sheet.layout != "wide" else np.zeros(n, np.int64)
        pair = (case * 2 + assessor) * (int(reader.max(initial=0)) + 1) + reader
        order = np.argsort(pair, kind="stable")
        starts = np.r_[True, pair[order][1:] != pair[order][:-1]] if n else np.zeros(0, bool)
        group_first = np.maximum.accumulate(np.where(starts, np.arange(n), 0)) if n else order
        first_same = np.empty(n, dtype=np.int64)
        first_same[order] = order[group_first]
        kept = first_same == positions
        # The settled sample: the first written, else by whether the force audited it.
        given = sample[row]
        first_given = np.full(cases, n, dtype=np.int64)
        written = given >= 0
        np.minimum.at(first_given, case[written], positions[written])
        has_force = np.zeros(cases, dtype=bool)
        has_force[case[kept & (assessor == FORCE)]] = True
        settled = np.where(has_force, SELF, FURTHER)
        known = first_given < n
        settled[known] = given[first_given[known]]
        rejected = np.zeros(cases, dtype=bool)
        bad_refs = {r.casefold() for r in refs[sheet.row_error].tolist()}
        if bad_refs:
            rejected = np.array([k.casefold() in bad_refs for k in keys], dtype=bool)
        return cls(row=row, assessor=assessor, grade=grade, case_type=case_type[row],
                   given_sample=given, refs=refs[row], case=case, head=head, kept=kept,
                   first_same=first_same, sample=settled, has_force=has_force,
                   rejected=rejected)


def _case_ids(sheet: Sheet, rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Per audit row, a case id (references equal ignoring case share one), numbered in
    the order cases first appear; and each case's first reference."""
    column = sheet.column("case_ref")
    if column is None or not len(rows):
        return np.zeros(0, dtype=np.int64), []
    refs = sheet.refs()
    of_value = np.append(sheet.ref_keys(), np.int64(-1))
    ids = of_value[column.index[rows]]
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    heads = np.sort(first)
    first_refs = np.empty(len(refs), dtype=object)
    first_refs[:] = refs
    return rank[inverse], first_refs[column.index[rows[heads]]].tolist()


def reader_codes(sheet: Sheet) -> np.ndarray:
    """Per data row, the reader as a number: 0 when blank (or no reader column), else the
    same number for names equal ignoring case and spacing."""
    column = sheet.column("reader")
    if column is None:
        return np.zeros(len(sheet), dtype=np.int64)
    seen: dict[str, int] = {}
    codes = [seen.setdefault(" ".join(v.split()).casefold(), len(seen) + 1)
             if v.strip() else 0 for v in column.values]
    return column.lookup(codes, 0, np.int64)


def _row_number(sheet: Sheet, drafts: Drafts, k: int) -> int:
    return int(sheet.rows[drafts.row[k]])


def duplicate_audits(sheet: Sheet, drafts: Drafts) -> None:
    """``duplicate-audit``: a case audited twice by the same assessor. Rows with another
    error take part too (their reference and assessor permitting), so fixing that error
    does not reveal a duplicate the first run kept quiet about."""
    slot = "assessor" if "assessor" in sheet.columns else "case_ref"
    flagged: set[int] = set()  # a wide row typed twice is one duplicate, not one per grade
    for k in np.flatnonzero(~drafts.kept).tolist():
        if int(drafts.row[k]) in flagged:
            continue
        flagged.add(int(drafts.row[k]))
        earlier = _row_number(sheet, drafts, int(drafts.first_same[k]))
        _duplicate(sheet, int(drafts.row[k]), slot, drafts.refs[k],
                   ASSESSORS[drafts.assessor[k]], earlier)
    if not sheet.row_error.any():
        return
    refs = sheet.row_refs()
    if sheet.layout == "long":
        side = sheet.codes("assessor", ASSESSORS)
        if sheet.only is not None:
            side = np.where(side < 0, ASSESSORS.index(sheet.only), side)
    else:
        side = np.full(len(sheet), -2)  # one row per case: a repeated row is the duplicate
    reader = reader_codes(sheet)
    first: dict[tuple[str, int, int], int] = {}
    for i in np.flatnonzero((refs != "") & (side != -1)).tolist():
        at = first.setdefault((refs[i].casefold(), int(side[i]), int(reader[i])), i)
        if at != i and i not in flagged and (sheet.row_error[i] or sheet.row_error[at]):
            flagged.add(i)
            who = ASSESSORS[side[i]] if side[i] >= 0 else None
            _duplicate(sheet, i, slot, refs[i], who, int(sheet.rows[at]))


def _duplicate(sheet: Sheet, i: int, slot: str, ref: str, assessor: Assessor | None,
               earlier: int) -> None:
    if assessor is None:
        what = f"case {ref!r} is already at row {earlier}; each case has one row"
    else:
        article = "an" if assessor is Assessor.INSPECTOR else "a"
        what = (f"case {ref!r} already has {article} {assessor.value} audit at row {earlier}; "
                "each assessor audits a case once")
        if "reader" in sheet.columns:
            what = (f"case {ref!r} already has {article} {assessor.value} audit by the same "
                    f"reader at row {earlier}; each reader audits a case once (name each "
                    "reader in the reader column)")
    sheet.flag_one("duplicate-audit", i, slot, what, ref)


def case_type_differs(sheet: Sheet, drafts: Drafts) -> None:
    """``case-type-mismatch``: the audits of a case give it different types."""
    head = drafts.head[drafts.case]
    label = sheet.rubric.case_type_labels
    keys = sheet.rubric.case_type_keys
    differs = drafts.kept & (np.arange(len(drafts)) != head) & (
        drafts.case_type != drafts.case_type[head])
    for k in np.flatnonzero(differs).tolist():
        h = int(head[k])
        mine, theirs = label[keys[drafts.case_type[k]]], label[keys[drafts.case_type[h]]]
        sheet.flag_one("case-type-mismatch", int(drafts.row[k]), "case_type",
                       f"case {drafts.refs[k]!r} is of type {mine!r} here but {theirs!r} at "
                       f"row {_row_number(sheet, drafts, h)}; a case has one type", mine)


def sample_differs(sheet: Sheet, drafts: Drafts) -> None:
    """``sample-mismatch``: the audits of a case name different samples."""
    head = drafts.head[drafts.case]
    given = drafts.given_sample
    differs = drafts.kept & (np.arange(len(drafts)) != head) & (given >= 0) & (
        given[head] >= 0) & (given != given[head])
    for k in np.flatnonzero(differs).tolist():
        h = int(head[k])
        mine, theirs = SAMPLES[given[k]].value, SAMPLES[given[h]].value
        sheet.flag_one("sample-mismatch", int(drafts.row[k]), "sample",
                       f"case {drafts.refs[k]!r} is {mine} here but {theirs} at row "
                       f"{_row_number(sheet, drafts, h)}", mine)


def force_audit_of_inspector_case(sheet: Sheet, drafts: Drafts) -> None:
    """``force-audit-of-inspector-case``: a force audit of an inspector-selected case."""
    slot = "sample" if "sample" in sheet.columns else "assessor"
    wrong = drafts.kept & (drafts.assessor == FORCE) & (drafts.sample[drafts.case] == FURTHER)
    for k in np.flatnonzero(wrong).tolist():
        ref = drafts.refs[drafts.head[drafts.case[k]]]
        sheet.flag_one("force-audit-of-inspector-case", int(drafts.row[k]), slot,
                       f"case {ref!r} is inspector-selected but has a force audit; mark it "
                       "self-assessed or remove the force audit", "force")


def incomplete_cases(sheet: Sheet, drafts: Drafts) -> None:
    """``incomplete-case`` (warning): a self-assessed case lacking one side's audit (not
    expected when the file holds one side's audits, nor when a row of the case had an
    error)."""
    if sheet.only is not None:
        return
    audits = np.bincount(drafts.case[drafts.kept], minlength=len(drafts.head))
    short = (drafts.sample == SELF) & (audits < 2) & ~drafts.rejected
    for c in np.flatnonzero(short).tolist():
        h = int(drafts.head[c])
        missing = "inspector" if drafts.has_force[c] else "force"
        sheet.flag_one("incomplete-case", int(drafts.row[h]), "case_ref",
                       f"self-assessed case {drafts.refs[h]!r} has no {missing} audit",
                       drafts.refs[h], severity=Severity.WARNING)


def detail_differs(slot: str, code: str, what: str) -> Callable[[Sheet, Drafts], None]:
    """A unit warning when a case's audits disagree about a detail of the child or the
    case (area, age, gender), which the report counts once per case."""
    def unit(sheet: Sheet, drafts: Drafts) -> None:
        mapped, column = sheet.columns.get(slot), sheet.column(slot)
        if mapped is None or column is None:
            return
        if slot == "child_age":
            meaning: list[object] = [parse_age(v) for v in column.values]
        elif slot == "area":
            meaning = [label_key(v) for v in column.values]
        else:
            meaning = sheet.parsed(slot)
        ids = {m: k for k, m in enumerate(dict.fromkeys(m for m in meaning if m is not None))}
        value = column.lookup([ids.get(m, -1) if m is not None else -1 for m in meaning],
                              -1, np.int64)[drafts.row]
        head = drafts.head[drafts.case]
        differs = (drafts.kept & (np.arange(len(drafts)) != head) & (value >= 0)
                   & (value[head] >= 0) & (value != value[head]))
        letter = column_letter(mapped.number)
        for k in np.flatnonzero(differs).tolist():
            h = int(head[k])
            mine = column.text(int(drafts.row[k]))
            theirs = column.text(int(drafts.row[h]))
            sheet.flag_one(code, int(drafts.row[k]), slot,
                           f"case {drafts.refs[k]!r} has {what} {mine!r} here but {theirs!r} "
                           f"at {letter}{_row_number(sheet, drafts, h)}; the audits of a case "
                           "should agree (correct whichever is wrong)", mine,
                           severity=Severity.WARNING)

    unit.__name__ = unit.__qualname__ = f"{slot.removeprefix('child_')}_differs"
    unit.__doc__ = f"``{code}`` (warning): a case's audits give different {what}s."
    return unit
