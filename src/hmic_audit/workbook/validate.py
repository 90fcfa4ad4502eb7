"""Turn a table of text cells into validated audits, collecting every problem.

Two layouts are recognised from the headers:

* **long** - one row per audit, with an ``assessor`` column (force / inspector), an
  optional overall ``grade`` and one column per criterion id holding yes / partly / no / n/a;
* **wide** - one row per case with ``self_grade`` and/or ``inspector_grade`` (grades only).

Errors (the command stops, exit 2, nothing written): unknown case type, sample, assessor,
grade, answer, example tag, example theme or gender; a missing case reference; an unreadable date, a
future date, an age outside 0-17; the same case audited twice by one assessor; a case
whose type or sample differs between its audits; an audit with neither a grade nor any
answer; a criterion answered (other than n/a) for a case type it does not apply to; a
force audit of an inspector-selected case; a required column missing or given twice.

Warnings (shown; the command carries on): a column the tool does not know (it is named
and ignored, with a suggestion when it looks like a criterion id); a value under a column
with no header; a self-assessed case that lacks its force or its inspector audit; a CSV
that was not UTF-8 and was read as Windows-1252.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from ..io.sheets import CASE_REF_HEADERS, RawTable
from ..problems import Problem, Severity, WorkbookError
from ..rubric import Rubric
from ..text import clean_reference, clean_text, header_key, label_key
from .models import (
    ASSESSOR_ALIASES,
    EXAMPLE_ALIASES,
    GENDER_ALIASES,
    SAMPLE_ALIASES,
    Assessor,
    Audit,
    AuditSet,
    Sample,
    SourceRow,
)

FIELD_HEADERS: dict[str, set[str]] = {
    "case_ref": CASE_REF_HEADERS,
    "sample": {"sample", "sampletype", "selection"},
    "case_type": {"casetype", "type", "typeofcase", "category"},
    "area": {"area", "localauthority", "la", "division", "district", "borough"},
    "force": {"force", "forcename", "policeforce"},
    "assessor": {"assessor", "auditedby", "auditor", "reviewer", "assessedby"},
    "audit_date": {"auditdate", "date", "dateaudited", "reviewdate"},
    "child_age": {"childage", "age", "ageofchild", "childsage"},
    "child_gender": {"childgender", "gender", "sex", "childsex"},
    "grade": {"grade", "overallgrade", "assessorgrade", "judgement", "judgment",
              "overalljudgement", "overalljudgment"},
    "example": {"example", "reportexample", "tag", "exampletag"},
    "example_theme": {"exampletheme", "theme", "reporttheme"},
    "notes": {"notes", "note", "comments", "comment", "narrative"},
    "self_grade": {"selfgrade", "forcegrade", "selfassessedgrade", "selfassessmentgrade",
                   "forcejudgement", "forcejudgment"},
    "inspector_grade": {"inspectorgrade", "hmicgrade", "inspectorjudgement",
                        "inspectorjudgment"},
}
_HEADER_TO_FIELD = {alias: name for name, aliases in FIELD_HEADERS.items() for alias in aliases}

OLDEST_AUDIT_DATE = dt.date(1990, 1, 1)


@dataclass(frozen=True)
class _Column:
    index: int  # 0-based position in the row
    header: str
    field: str | None = None
    criterion: str | None = None


class _Collector:
    """Builds located problems for one table."""

    def __init__(self, table: RawTable) -> None:
        self.table = table
        self.problems: list[Problem] = list(table.problems)
        self._initial_errors = sum(p.is_error for p in table.problems)
        self._errors = 0
        self.rejected: set[str] = set()
        """Case references (case-folded) with a row rejected for errors."""
        self.unreadable_rows = {p.row for p in table.problems if p.is_error and p.row}
        for p in table.problems:
            if p.code == "merged-cells" and p.value and p.row:
                last = int(p.value.split(":")[-1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
                self.unreadable_rows.update(range(p.row, last + 1))
        """Rows with a cell the reader could not take at face value (errors, merges)."""
        self.only: Assessor | None = None
        """The one assessor whose audits this file holds, when declared."""

    @property
    def errors(self) -> int:
        """Errors found so far (counted, so checking per row stays cheap)."""
        return self._errors + self._initial_errors

    def cell(self, code: str, message: str, row: int, column: _Column | None, value: object,
             expected: str | None = None, severity: Severity = Severity.ERROR) -> None:
        self._errors += severity is Severity.ERROR
        self.problems.append(Problem.at_cell(
            code, message, file=self.table.file, sheet=self.table.sheet, row=row,
            column=column.header if column else None,
            column_index=column.index + 1 if column else None,
            value=value, expected=expected, severity=severity))


def map_columns(table: RawTable, rubric: Rubric, out: _Collector) -> dict[str, _Column]:
    """Map headers to fields and criterion ids; warn about unknown headers."""
    criteria = {header_key(cid): cid for cid in rubric.criterion_ids}
    mapped: dict[str, _Column] = {}
    for index, header in enumerate(table.headers):
        key = header_key(header)
        name = _HEADER_TO_FIELD.get(key)
        criterion = criteria.get(key)
        if name is None and criterion is None:
            if not header:
                continue
            hint = difflib.get_close_matches(key, list(criteria), n=1, cutoff=0.75)
            tip = f"; did you mean criterion {criteria[hint[0]]!r}?" if hint else \
                f"; it is not a field of the workbook format or a criterion id of rubric " \
                f"{rubric.name}"
            out.cell("unknown-column", f"column {header!r} is ignored{tip}", table.header_row,
                     _Column(index, header), header, severity=Severity.WARNING)
            continue
        slot = name or f"criterion:{criterion}"
        column = _Column(index, header, field=name, criterion=criterion)
        if slot in mapped:
            out.cell("duplicate-column", f"column {header!r} repeats column "
                     f"{mapped[slot].header!r}; keep one of them", table.header_row, column,
                     header)
            continue
        mapped[slot] = column
    return mapped


def validate_table(table: RawTable, rubric: Rubric, *, sha256: str | None = None,
                   only: Assessor | None = None) -> tuple[AuditSet, list[Problem]]:
    """Validate a raw table against a rubric.

    ``only`` declares that the file holds one side's audits (as in ``compare SELF
    INSPECTORS``): the assessor column may then be left out, a row by the other side is
    an error, and a self-assessed case is not expected to have both audits here.

    Returns the audits and the warnings; raises ``WorkbookError`` holding every problem
    (errors and warnings) when any error is found.
    """
    audits, problems, layout, fields = _validate(table, rubric, only)
    if any(p.is_error for p in problems):
        count = sum(p.is_error for p in problems)
        raise WorkbookError(f"{table.file} has {count} problem(s)", problems)
    digest = sha256 or hashlib.sha256(table.path.read_bytes()).hexdigest()
    audit_set = AuditSet(file=table.file, sha256=digest, layout=layout,  # type: ignore[arg-type]
                         sheet=table.sheet, audits=audits, fields=fields)
    return audit_set, problems


def _validate(table: RawTable, rubric: Rubric, only: Assessor | None
              ) -> tuple[list[Audit], list[Problem], str, list[str]]:
    out = _Collector(table)
    out.only = only
    columns = map_columns(table, rubric, out)
    fields = [name for name in columns if not name.startswith("criterion:")]
    if "assessor" in columns or (only is not None and "self_grade" not in columns
                                 and "inspector_grade" not in columns):
        layout = "long"
    elif "self_grade" in columns or "inspector_grade" in columns:
        layout = "wide"
    else:
        out.problems.append(Problem(
            code="unknown-layout", file=table.file, sheet=table.sheet, row=table.header_row,
            message="has neither an assessor column (one row per audit) nor self_grade / "
            "inspector_grade columns (one row per case); add one of them"))
        return [], out.problems, "long", fields
    for required in ("case_ref", "case_type"):
        if required not in columns:
            out.problems.append(Problem(
                code="missing-column", file=table.file, sheet=table.sheet,
                row=table.header_row, column=required,
                message=f"has no {required} column; add one to the header row"))
    if layout == "wide":
        for column in columns.values():
            if column.criterion:
                out.cell("unknown-column", f"column {column.header!r} is ignored: criterion "
                         "answers need one row per audit with an assessor column",
                         table.header_row, column, column.header, severity=Severity.WARNING)
    if any(p.code == "missing-column" for p in out.problems):
        return [], out.problems, layout, fields
    drafts = [d for number, cells in table.rows
              for d in _parse_row(number, cells, columns, rubric, out, layout)
              if only is None or d.assessor is only]
    audits = _check_cases(drafts, columns, rubric, out)
    return audits, out.problems, layout, fields


@dataclass
class _Draft:
    """An audit's fields before its case's sample is settled across rows."""

    fields: dict[str, Any]
    sample: Sample | None

    @property
    def row(self) -> int:
        return int(self.fields["source"].row)

    @property
    def case_ref(self) -> str:
        return str(self.fields["case_ref"])

    @property
    def case_type(self) -> str:
        return str(self.fields["case_type"])

    @property
    def assessor(self) -> Assessor:
        return Assessor(self.fields["assessor"])


def _parse_row(number: int, cells: list[str], columns: dict[str, _Column], rubric: Rubric,
               out: _Collector, layout: str) -> list[_Draft]:
    def get(name: str) -> tuple[str, _Column | None]:
        column = columns.get(name)
        return (cells[column.index] if column else ""), column

    def choose(name: str, parse: Callable[[str], object], what: str, expected: str,
               code: str) -> object:
        text, column = get(name)
        if not text:
            return None
        value = parse(text)
        if value is None:
            out.cell(code, f"{text!r} is not {what}; use {expected}", number, column, text,
                     expected)
        return value

    before = out.errors
    ref_text, ref_col = get("case_ref")
    case_ref = clean_reference(ref_text)
    if case_ref and case_ref != " ".join(ref_text.split()):
        out.cell("reference-normalised", f"case reference {ascii(ref_text)} holds lookalike "
                 f"or invisible characters; read as {case_ref!r}", number, ref_col,
                 ascii(ref_text), severity=Severity.WARNING)
    if not case_ref:
        out.cell("missing-case-ref", "the case reference is blank; every row needs one",
                 number, ref_col, "")
    type_text, type_col = get("case_type")
    case_type = rubric.parse_case_type(type_text) if type_text else None
    if not type_text:
        out.cell("missing-case-type", "the case type is blank", number, type_col, "")
    elif case_type is None:
        out.cell("unknown-case-type", f"{type_text!r} is not a case type in rubric "
                 f"{rubric.name}; use one of: "
                 + "; ".join(c.label for c in rubric.case_types), number, type_col, type_text,
                 ", ".join(rubric.case_type_keys))
    sample = cast(Sample | None, choose(
        "sample", lambda t: SAMPLE_ALIASES.get(label_key(t)), "a sample",
        "self-assessed or inspector-selected", "unknown-sample"))
    common = {
        "area": clean_text(get("area")[0]) or None,
        "force": clean_text(get("force")[0]) or None,
        "audit_date": _date(get("audit_date"), number, out),
        "child_age": _age(get("child_age"), number, out),
        "child_gender": choose("child_gender", lambda t: GENDER_ALIASES.get(label_key(t)),
                               "a gender", "female, male or other", "unknown-gender"),
        "example": choose("example", lambda t: EXAMPLE_ALIASES.get(label_key(t)),
                          "an example tag", "good practice or concern", "unknown-example"),
        "example_theme": choose("example_theme", rubric.parse_theme, "a theme",
                                ", ".join(t.label.lower() for t in rubric.themes),
                                "unknown-theme"),
        "notes": get("notes")[0] or None,
    }
    grade_expected = (f"{rubric.grade_list_text()}, or add an alias under the grade in the "
                      "rubric's scale")

    def grade_of(name: str) -> str | None:
        return choose(name, rubric.parse_grade,  # type: ignore[return-value]
                      f"a grade in rubric {rubric.name}", grade_expected, "unknown-grade")

    if layout == "wide":
        self_grade, inspector_grade = grade_of("self_grade"), grade_of("inspector_grade")
        if out.errors > before or case_type is None:
            return []
        if not get("self_grade")[0] and not get("inspector_grade")[0]:
            out.cell("no-grade-or-answers", f"case {case_ref!r} has neither a self grade "
                     "nor an inspector grade", number, columns.get("inspector_grade"), "")
            return []
        source = SourceRow(file=out.table.file, sheet=out.table.sheet, row=number)
        return [_Draft(dict(case_ref=case_ref, case_type=case_type, assessor=assessor,
                            grade=grade, source=source, **common), sample)
                for assessor, grade in ((Assessor.FORCE, self_grade),
                                        (Assessor.INSPECTOR, inspector_grade))
                if grade is not None]

    assessor = cast(Assessor | None, choose(
        "assessor", lambda t: ASSESSOR_ALIASES.get(label_key(t)), "an assessor",
        "force or inspector", "unknown-assessor"))
    if "assessor" not in columns:
        assessor = out.only
    elif not get("assessor")[0]:
        if out.only is None:
            out.cell("missing-assessor", "the assessor is blank; use force or inspector",
                     number, columns["assessor"], "")
        assessor = out.only
    elif out.only is not None and assessor is not None and assessor is not out.only:
        out.cell("wrong-assessor", f"this file holds the {out.only.value} audits, but this "
                 f"row is a {assessor.value} audit", number, columns["assessor"],
                 get("assessor")[0])
    grade = grade_of("grade")
    answers: dict[str, str] = {}
    for column in columns.values():
        if not column.criterion:
            continue
        text = cells[column.index]
        if not text:
            continue
        answer = rubric.parse_answer(text)
        if answer is None:
            out.cell("unknown-answer", f"{text!r} is not an answer; use yes, partly, no or "
                     "n/a", number, column, text, "yes, partly, no or n/a")
            continue
        if case_type and answer != "n/a" and not rubric.applies(column.criterion, case_type):
            out.cell("criterion-not-applicable", f"criterion {column.criterion!r} does not "
                     f"apply to {rubric.case_type_labels[case_type].lower()} cases; leave it "
                     "blank or answer n/a", number, column, text)
            continue
        answers[column.criterion] = answer
    if not get("grade")[0] and not any(cells[c.index] for c in columns.values()
                                       if c.criterion) and number not in out.unreadable_rows:
        out.cell("no-grade-or-answers", f"the audit of case {case_ref!r} has neither an "
                 "overall grade nor any criterion answer", number, columns.get("grade"), "")
    if out.errors > before:
        out.rejected.add(case_ref.casefold())
        return []
    source = SourceRow(file=out.table.file, sheet=out.table.sheet, row=number)
    return [_Draft(dict(case_ref=case_ref, case_type=case_type, assessor=assessor, grade=grade,
                        answers=answers, source=source, **common), sample)]


def _date(got: tuple[str, _Column | None], row: int, out: _Collector) -> dt.date | None:
    text, column = got
    if not text:
        return None
    value = parse_date(text)
    if value is None:
        out.cell("bad-date", f"{text!r} is not a date; use an Excel date, 2014-07-03 or "
                 "03/07/2014 (day first)", row, column, text, "a date")
    elif not possible_date(value):
        out.cell("impossible-date", f"{value.isoformat()} is not a possible audit date "
                 "(in the future, or before 1990)", row, column, text, "a past date")
        return None
    return value


def parse_date(text: str) -> dt.date | None:
    """A date from ISO text (time part allowed) or UK day-first text; None if neither."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) >= 10 and text[4] == "-" else None
    except ValueError:
        pass
    for fmt in ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def possible_date(value: dt.date) -> bool:
    """Whether an audit could have happened on a date: not in the future, not before 1990."""
    return OLDEST_AUDIT_DATE <= value <= dt.date.today()


def parse_age(text: str) -> int | None:
    """A child's age from text: a whole number from 0 to 17; None otherwise."""
    try:
        age = int(text)
    except ValueError:
        return None
    return age if 0 <= age <= 17 else None


def _age(got: tuple[str, _Column | None], row: int, out: _Collector) -> int | None:
    text, column = got
    if not text:
        return None
    age = parse_age(text)
    if age is None:
        out.cell("bad-age", f"{text!r} is not a child's age; use a whole number from 0 to 17",
                 row, column, text, "0-17")
        return None
    return age


def _check_cases(drafts: list[_Draft], columns: dict[str, _Column], rubric: Rubric,
                 out: _Collector) -> list[Audit]:
    """Checks across the audits of one case; settles each case's sample."""
    by_case: dict[str, list[_Draft]] = {}
    for draft in drafts:
        by_case.setdefault(str(draft.case_ref).casefold(), []).append(draft)
    result: list[Audit] = []
    for group in by_case.values():
        head = group[0]
        kept: dict[Assessor, _Draft] = {}
        for draft in group:
            earlier = kept.get(draft.assessor)
            if earlier is not None:
                article = "an" if draft.assessor is Assessor.INSPECTOR else "a"
                out.cell("duplicate-audit", f"case {draft.case_ref!r} already has {article} "
                         f"{draft.assessor.value} audit at row {earlier.row}; each "
                         "assessor audits a case once", draft.row,
                         columns.get("assessor") or columns["case_ref"], draft.case_ref)
                continue
            kept[draft.assessor] = draft
            if draft is not head and draft.case_type != head.case_type:
                label = rubric.case_type_labels
                out.cell("case-type-mismatch", f"case {draft.case_ref!r} is of type "
                         f"{label[draft.case_type]!r} here but {label[head.case_type]!r} at "
                         f"row {head.row}; a case has one type", draft.row,
                         columns["case_type"], label[draft.case_type])
            if draft is not head and draft.sample and head.sample and draft.sample != head.sample:
                out.cell("sample-mismatch", f"case {draft.case_ref!r} is "
                         f"{draft.sample.value} here but {head.sample.value} at row {head.row}",
                         draft.row, columns.get("sample"), draft.sample.value)
        has_force = Assessor.FORCE in kept
        given = next((d.sample for d in group if d.sample is not None), None)
        sample = given or (Sample.SELF_ASSESSED if has_force else Sample.INSPECTOR_SELECTED)
        if has_force and sample is Sample.INSPECTOR_SELECTED:
            out.cell("force-audit-of-inspector-case", f"case {head.case_ref!r} is "
                     "inspector-selected but has a force audit; mark it self-assessed or "
                     "remove the force audit", kept[Assessor.FORCE].row,
                     columns.get("sample") or columns.get("assessor"), "force")
        elif (sample is Sample.SELF_ASSESSED and len(kept) < 2 and out.only is None
              and head.case_ref.casefold() not in out.rejected):
            missing = "inspector" if has_force else "force"
            out.cell("incomplete-case", f"self-assessed case {head.case_ref!r} has no "
                     f"{missing} audit", head.row, columns["case_ref"], head.case_ref,
                     severity=Severity.WARNING)
        result += [Audit(sample=sample, **d.fields) for d in kept.values()]  # type: ignore[arg-type]
    result.sort(key=lambda a: (a.source.row if a.source else 0, a.assessor.value))
    return result
