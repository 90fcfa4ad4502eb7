"""The moderation queue: cases whose two judgements differ, for a moderator to settle.

:func:`moderation_queue` lists the cases whose final grades differ by ``threshold`` or
more levels (default: the rubric's ``significant_difference``): the force's audit against
the inspectors' as ``compare`` pairs them (each side's first reading; the same pairing,
taken from :func:`~hmic_audit.analysis.compare.compare_or_none`), and, in a case several
inspectors read, any two inspector readings. :func:`read_queue` reads a completed queue
back (the workbook ``render/moderation_xlsx.py`` writes) and checks it against the graded
cases; :func:`apply_queue` makes each moderator's grade the final grade of the case's
inspector audits - every inspector reading of the case, so a double-read case counts the
moderated grade once per reading, as ``annex`` and ``report`` count readings.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..io.written import open_written
from ..problems import Problem, WorkbookError
from ..rubric import Rubric
from ..scoring.grading import GradeResult, InputRef, RubricRef
from ..workbook.format import ASSESSORS
from .compare import compare_or_none
from .pool import FORCE, INSPECTOR

QUEUE_SHEET = "Queue"
SOURCE_SHEET = "Source"
"""The queue's sheets: the cases, and the hidden record of what the queue was made from."""
GRADE_TITLE = "Moderator's grade"
REASON_TITLE = "Reason"
MODERATOR_TITLE = "Moderator"
CASE_TITLE = "Case ref"
SOURCE_KEYS = ("file", "sha256", "rubric", "rubric version", "threshold", "rubric sha256")
"""Column A of the Source sheet, rows 1-6; column B holds the values."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class QueueSide(_Frozen):
    """One audit of a queued case."""

    label: str
    """``Force``, ``Inspector``, or ``Inspector (reader)`` when a reader is named."""
    assessor: str
    reader: str | None
    grade: str
    """Final grade key."""
    score: float | None
    answers: dict[str, str | None]
    """Criterion id -> answer key (None: blank), for the criteria shown."""


class QueueCase(_Frozen):
    """A case whose judgements differ by the threshold or more."""

    case_ref: str
    case_type: str
    area: str | None
    levels: int
    """The largest gap, in grade levels, among the pairs that put it in the queue."""
    pairs: list[str]
    """Which judgements differ, e.g. ``force v inspector: 3``."""
    sides: list[QueueSide]
    differing: list[str]
    """Criterion ids the audits answered differently, in rubric order."""


class ModerationQueue(_Frozen):
    """The cases to moderate, and what the queue was made from."""

    rubric: RubricRef
    input: InputRef
    threshold: int
    cases: list[QueueCase]
    criteria: list[str]
    """Criterion ids answered differently in some queued case, in rubric order."""


class ModeratedCase(_Frozen):
    """A row of a completed queue with a moderator's grade."""

    case_ref: str
    grade: str
    moderator: str
    reason: str
    row: int


def moderation_queue(result: GradeResult, rubric: Rubric, *,
                     threshold: int | None = None) -> ModerationQueue:
    """The cases of one graded input whose final grades differ by ``threshold`` or more
    levels: force against inspector as ``compare`` pairs them, and inspector readings
    against each other."""
    threshold = rubric.significant_difference if threshold is None else threshold
    comparison = compare_or_none([result], rubric, threshold=threshold)
    f = result.frame
    keys = rubric.grade_keys
    found: dict[int, list[tuple[str, int]]] = {}
    case_of: dict[str, int] = {}
    for i, ref in enumerate(f.case_ref.tolist()):
        case_of.setdefault(ref.casefold(), int(f.case[i]))
    if comparison is not None:
        for c in comparison.significant:
            found.setdefault(case_of[c.case_ref.casefold()], []).append(
                ("force v inspector", abs(c.levels)))
    readers = f.extra("reader")
    inspected = np.flatnonzero((f.assessor == INSPECTOR) & (result.final >= 0))
    by_case: dict[int, list[int]] = {}
    for i in inspected.tolist():
        by_case.setdefault(int(f.case[i]), []).append(i)
    for case, audits in by_case.items():
        for n, a in enumerate(audits):
            for b in audits[n + 1:]:
                gap = abs(int(result.final[a]) - int(result.final[b]))
                if gap >= threshold:
                    found.setdefault(case, []).append(
                        (f"{_name(readers[a], 'inspector')} v "
                         f"{_name(readers[b], 'inspector')}", gap))
    order = np.argsort(f.row, kind="stable")
    audits_of: dict[int, list[int]] = {}
    for i in order.tolist():
        if int(f.case[i]) in found and result.final[i] >= 0:
            audits_of.setdefault(int(f.case[i]), []).append(i)
    named = rubric.code_answers
    ids = rubric.criterion_ids
    picked = []
    for case in sorted(audits_of, key=lambda c: int(f.row[audits_of[c][0]])):
        chosen = sorted(audits_of[case], key=lambda i: (f.assessor[i] != FORCE, f.row[i]))
        codes = f.answers[chosen]
        picked.append((case, chosen, [j for j in range(codes.shape[1])
                                      if len(set(codes[:, j].tolist())) > 1]))
    shown = sorted({j for _, _, differ in picked for j in differ})
    cases = []
    for case, chosen, differ in picked:
        first = chosen[0]
        sides = [QueueSide(
            label=ASSESSORS[f.assessor[i]].value.capitalize()
            + (f" ({readers[i]})" if readers[i] else ""),
            assessor=ASSESSORS[f.assessor[i]].value, reader=readers[i],
            grade=keys[int(result.final[i])],
            score=float(result.arrays.score[i]) if result.arrays.gradable[i] else None,
            answers={ids[j]: named.get(int(f.answers[i, j])) for j in shown})
            for i in chosen]
        cases.append(QueueCase(
            case_ref=f.case_ref[first], case_type=rubric.case_type_keys[f.case_type[first]],
            area=f.extra("area")[first], levels=max(g for _, g in found[case]),
            pairs=[f"{who}: {gap}" for who, gap in found[case]], sides=sides,
            differing=[ids[j] for j in differ]))
    return ModerationQueue(rubric=RubricRef.of(rubric), input=result.input,
                           threshold=threshold, cases=cases,
                           criteria=[ids[j] for j in shown])


def _name(reader: object, side: str) -> str:
    return f"{side} ({reader})" if reader else side


def read_queue(path: Path, result: GradeResult, rubric: Rubric) -> list[ModeratedCase]:
    """The rows of a completed queue that carry a moderator's grade, checked against the
    graded input: made from the same file (SHA-256) and rubric, a grade of the rubric, a
    case of the file, a reason and a moderator's name. Raises ``WorkbookError`` listing
    every problem with its sheet and cell."""
    name = path.name
    book, made = open_written(path, sheets=(QUEUE_SHEET,), source=SOURCE_SHEET,
                              facts=len(SOURCE_KEYS), error=WorkbookError, code="bad-queue",
                              what="a moderation queue", command="hmic-audit moderate")
    problems: list[Problem] = []
    if str(made.get("sha256") or "") != result.input.sha256:
        problems.append(Problem.at_cell(
            "queue-other-file", f"the queue was made from {made.get('file')!r} with SHA-256 "
            f"{made.get('sha256')}, not from {result.input.file!r} "
            f"({result.input.sha256}); moderate this file's queue, or give the file the "
            "queue was made from", file=name, sheet=SOURCE_SHEET, row=2, column="sha256",
            column_index=2, value=made.get("sha256")))
    if (made.get("rubric"), str(made.get("rubric version")),
            made.get("rubric sha256") or None) != (rubric.name, rubric.version,
                                                   rubric.sha256):
        problems.append(Problem.at_cell(
            "queue-other-rubric", f"the queue was made with rubric {made.get('rubric')} "
            f"{made.get('rubric version')} (SHA-256 {made.get('rubric sha256')}), not "
            f"{rubric.name} {rubric.version} (SHA-256 {rubric.sha256}); give the same "
            "--rubric", file=name, sheet=SOURCE_SHEET, row=3, column="rubric",
            column_index=2, value=made.get("rubric")))
    sheet = book[QUEUE_SHEET]
    header = [str(c.value).strip() if c.value is not None else "" for c in sheet[1]]
    where = {}
    for title in (CASE_TITLE, GRADE_TITLE, REASON_TITLE, MODERATOR_TITLE):
        if title not in header:
            problems.append(Problem.at_cell(
                "queue-column-missing", f"has no column headed {title!r}; give the queue "
                "hmic-audit moderate wrote, with its columns as they were", file=name,
                sheet=QUEUE_SHEET, row=1, column=title))
        else:
            where[title] = header.index(title) + 1
    if len(where) < 4:
        raise WorkbookError(f"{name} is not a usable moderation queue", problems)
    refs = {ref.casefold() for ref in result.frame.case_ref.tolist()}
    inspected = {ref.casefold() for ref, who in zip(
        result.frame.case_ref.tolist(), result.frame.assessor.tolist(), strict=True)
        if who == INSPECTOR}
    found: list[ModeratedCase] = []
    seen: dict[str, int] = {}
    for r in range(2, sheet.max_row + 1):
        def text(title: str, r: int = r) -> str:
            value = sheet.cell(r, where[title]).value
            return "" if value is None else " ".join(str(value).split())

        def at(code: str, title: str, message: str, value: object = None,
               r: int = r) -> Problem:
            return Problem.at_cell(code, message, file=name, sheet=QUEUE_SHEET, row=r,
                                   column=title, column_index=where[title], value=value)

        grade_text, ref = text(GRADE_TITLE), text(CASE_TITLE)
        if not grade_text:
            continue  # left blank: nothing changes
        grade = rubric.parse_grade(grade_text)
        bad = len(problems)
        if grade is None:
            problems.append(at("unknown-grade", GRADE_TITLE, f"{grade_text!r} is not a "
                               f"grade of rubric {rubric.name}; use "
                               f"{rubric.grade_list_text()}", grade_text))
        if not ref:
            problems.append(at("queue-unknown-case", CASE_TITLE, "a moderated row has no "
                               "case reference"))
        elif ref.casefold() not in refs:
            problems.append(at("queue-unknown-case", CASE_TITLE, f"case {ref!r} is not in "
                               f"{result.input.file}", ref))
        elif ref.casefold() not in inspected:
            problems.append(at("queue-no-inspector-audit", CASE_TITLE, f"case {ref!r} has "
                               "no inspector audit for the moderator's grade to replace",
                               ref))
        elif ref.casefold() in seen:
            problems.append(at("queue-duplicate-case", CASE_TITLE, f"case {ref!r} is "
                               f"moderated twice (rows {seen[ref.casefold()]} and {r}); "
                               "keep one", ref))
        for title, what in ((REASON_TITLE, "a reason"), (MODERATOR_TITLE, "who moderated")):
            if not text(title):
                problems.append(at(f"queue-blank-{title.lower()}", title, "a moderated "
                                   f"grade needs {what}"))
        if len(problems) == bad and grade is not None:
            seen[ref.casefold()] = r
            found.append(ModeratedCase(case_ref=ref, grade=grade, reason=text(REASON_TITLE),
                                       moderator=text(MODERATOR_TITLE), row=r))
    if problems:
        raise WorkbookError(f"{name}: the moderation queue cannot be used", problems)
    return found


def apply_queue(results: Sequence[GradeResult], path: Path, rubric: Rubric
                ) -> list[GradeResult]:
    """The inputs with a completed queue's grades applied to the one it was made from
    (matched by SHA-256): each moderated case's inspector audits - every reading - take
    the moderator's grade as their final grade. ``WorkbookError`` when the queue matches
    no input or has a bad row."""
    import openpyxl

    sha = None
    try:
        book = openpyxl.load_workbook(path, read_only=True)
        if SOURCE_SHEET in book.sheetnames:
            sha = book[SOURCE_SHEET].cell(2, 2).value
        book.close()
    except Exception:  # noqa: BLE001,S110 - read_queue reports an unreadable file
        pass
    target = next((n for n, r in enumerate(results) if r.input.sha256 == sha), 0)
    result = results[target]
    moderated = read_queue(path, result, rubric)
    f = result.frame
    level = np.full(len(f), -1, dtype=np.int64)
    who = np.full(len(f), None, dtype=object)
    why = np.full(len(f), None, dtype=object)
    folded = np.array([ref.casefold() for ref in f.case_ref.tolist()], dtype=object)
    for m in moderated:
        chosen = (folded == m.case_ref.casefold()) & (f.assessor == INSPECTOR)
        level[chosen] = rubric.grade_level(m.grade)
        who[chosen] = m.moderator
        why[chosen] = m.reason
    changed = list(results)
    changed[target] = result.moderate(level, who, why)
    return changed
