"""Rule units about the values of one row: each looks at whole columns at once.

A unit parses each *distinct* value of a column once, spreads the verdict over the rows
with numpy, and reports a located problem only for the rows it flags.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from ...io.table import TextColumn
from ...problems import Severity
from ...text import label_key, strip_controls, visible_controls
from ..dates import OLDEST_AUDIT_DATE, DateReading, read_date
from ..format import choice, parse_age
from ..sheet import Sheet

Unit = Callable[[Sheet], None]


def _article(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def case_ref_blank(sheet: Sheet) -> None:
    """``missing-case-ref``: a row with no case reference."""
    column = sheet.column("case_ref")
    if column is None:
        return
    # blank, or holding only invisible marks (an unreadable cell is reported as that)
    blank = sheet.blank("case_ref") | column.lookup([not r for r in sheet.refs()], False,
                                                    bool)
    sheet.flag("missing-case-ref", blank, "case_ref",
               "the case reference is blank; every row needs one", value="")


def case_ref_lookalikes(sheet: Sheet) -> None:
    """``reference-normalised`` (warning): lookalike or invisible characters folded."""
    column = sheet.column("case_ref")
    if column is None:
        return
    refs = sheet.refs()
    if sheet.plain_refs:
        return
    folded = [bool(r) and r != " ".join(v.split()) for r, v in zip(refs, column.values,
                                                                     strict=True)]
    sheet.flag("reference-normalised", column.lookup(folded, False, bool), "case_ref",
               lambda i: f"case reference {ascii(column.text(i))} holds lookalike or "
               f"invisible characters; read as {refs[column.index[i]]!r}",
               value=lambda i: ascii(column.text(i)), severity=Severity.WARNING)


def case_ref_trimmed(sheet: Sheet) -> None:
    """``value-trimmed`` (notice): a case reference typed with spaces, tabs or line
    breaks around it (``'  00126\\t'``), read without them."""
    column = sheet.column("case_ref")
    if column is None or column.padded is None:
        return
    sheet.flag("value-trimmed", column.padded, "case_ref",
               lambda i: f"the case reference had spaces, tabs or line breaks around it; "
               f"read as {column.text(i)!r}", severity=Severity.NOTICE)


def case_type_blank(sheet: Sheet) -> None:
    """``missing-case-type``: a row with no case type."""
    blank = sheet.blank("case_type")
    sheet.flag("missing-case-type", blank, "case_type", "the case type is blank", value="")


def unknown_choice(slot: str, code: str, layouts: tuple[str, ...] = ("long", "wide")
                   ) -> Unit:
    """A unit flagging values of a choice field that are none of its choices."""
    def unit(sheet: Sheet) -> None:
        column = sheet.column(slot)
        if column is None or sheet.layout not in layouts:
            return
        reading = choice(slot, sheet.rubric)
        bad = column.lookup([p is None for p in sheet.parsed(slot)], False, bool)
        refusals = column.lookup([reading.refusal(v) if p is None else None
                                  for v, p in zip(column.values, sheet.parsed(slot),
                                                  strict=True)], None)
        sheet.flag(code, bad, slot, lambda i: refusals[i], expected=reading.expected)

    unit.__name__ = unit.__qualname__ = f"unknown_{slot}"
    unit.__doc__ = f"``{code}``: a {slot.replace('_', ' ')} that is not one of its choices."
    return unit


def dates(sheet: Sheet) -> None:
    """Audit dates, each distinct text read once (see :mod:`~hmic_audit.workbook.dates`):

    * ``bad-date``: no date at all (``TBC``);
    * ``impossible-date``: shaped like a date but no day of the calendar (31/02/2014);
    * ``future-date`` and ``early-date``: after today, or before 1990;
    * ``month-first-date``: read day first, a date that exists only month first
      (07/31/2014) in a column where no date exists only day first - the column was
      typed month first, and guessing would swap days and months in every other row.
    """
    column = sheet.column("audit_date")
    if column is None:
        return
    month_first = sheet.month_first
    readings = [read_date(v, sheet.grid.date1904) for v in column.values]
    order = "month first (--month-first)" if month_first else "day first"
    if not month_first and any(r.only_month_first for r in readings) and not any(
            r.only_day_first for r in readings):
        swapped = column.lookup([r.only_month_first for r in readings], False, bool)
        sheet.flag("month-first-date", swapped, "audit_date",
                   "this date exists only when read month first, and no date in the column "
                   "exists only day first: if the column is typed month first (US order), "
                   "run again with --month-first", expected="a date")
        skip = {k for k, r in enumerate(readings) if r.only_month_first}
    else:
        skip = set()

    def verdict(k: int, r: DateReading) -> str | None:
        day = r.date(month_first)
        if k in skip:
            return None
        if day is None:
            return "impossible-date" if r.shaped else "bad-date"
        if day > dt.date.today():
            return "future-date"
        return "early-date" if day < OLDEST_AUDIT_DATE else None

    verdicts = [verdict(k, r) for k, r in enumerate(readings)]
    codes = column.lookup(verdicts, None)

    def read_as(i: int) -> str:
        r = readings[column.index[i]]
        day = r.date(month_first)
        shown = f"{column.text(i)!r}"
        if day is not None and (r.serial or shown.strip("'") != day.isoformat()):
            return f"{shown} ({'Excel serial date ' if r.serial else ''}{day:%d %B %Y})"
        return shown

    messages = {
        "bad-date": lambda i: f"{column.text(i)!r} is not a date; type it as 03/07/2014 "
        f"(day first), 3 July 2014 or 2014-07-03, or use an Excel date",
        "impossible-date": lambda i: f"{column.text(i)!r} is not a day of the calendar when "
        f"read {order}" + _other_order(readings[column.index[i]], month_first),
        "future-date": lambda i: f"{read_as(i)} is in the future; an audit date is the day "
        "the audit was done",
        "early-date": lambda i: f"{read_as(i)} is before {OLDEST_AUDIT_DATE:%Y}; check the "
        "year",
    }
    for code, message in messages.items():
        sheet.flag(code, codes == code, "audit_date", message,
                   expected="a past date" if code in ("future-date", "early-date")
                   else "a date")


def _other_order(reading: DateReading, month_first: bool) -> str:
    """A hint when a date exists only in the other order (07/31/2014 read day first)."""
    other = reading.date(not month_first)
    if other is None:
        return ""
    return (f" (read {'day' if month_first else 'month'} first it would be "
            f"{other:%d %B %Y}; check the order the column is typed in)")


def ages(sheet: Sheet) -> None:
    """``bad-age``: not a whole number from 0 to 17."""
    column = sheet.column("child_age")
    if column is None:
        return
    bad = column.lookup([parse_age(v) is None for v in column.values], False, bool)
    sheet.flag("bad-age", bad, "child_age",
               lambda i: f"{column.text(i)!r} is not a child's age; use a whole number from "
               "0 to 17", expected="0-17")


def assessor_blank(sheet: Sheet) -> None:
    """``missing-assessor``: the long layout's assessor cell left blank (unless the file
    is declared to hold one side's audits)."""
    if sheet.layout != "long" or "assessor" not in sheet.columns or sheet.only is not None:
        return
    sheet.flag("missing-assessor", sheet.blank("assessor"), "assessor",
               "the assessor is blank; use force or inspector", value="")


def assessor_other_side(sheet: Sheet) -> None:
    """``wrong-assessor``: in a file declared to hold one side's audits, a row by the
    other side; ``files-swapped`` instead when every audit is the other side's (the two
    files given the wrong way round), so the cause is said once, not row by row."""
    only = sheet.only
    column = sheet.column("assessor")
    if sheet.layout != "long" or only is None or column is None:
        return
    parsed = sheet.parsed("assessor")
    other = column.lookup([p is not None and p is not only for p in parsed], False, bool)
    mine = column.lookup([p is only for p in parsed], False, bool)
    if other.sum() > 1 and not mine.any():
        i = int(np.flatnonzero(other)[0])
        sheet.flag_one("files-swapped", i, "assessor", f"every audit in this file is "
                       f"{_article(parsed[column.index[i]].value)} audit, but it was given as "
                       f"the file of {only.value} audits: are the two files the wrong way "
                       "round? Give the force's file first, then the inspectors'")
        sheet.row_error[other] = True
        return
    sheet.flag("wrong-assessor", other, "assessor",
               lambda i: f"this file holds the {only.value} audits, but this row is "
               f"{_article(parsed[column.index[i]].value)} audit")


def answers(sheet: Sheet) -> None:
    """``unknown-answer``: not one of the rubric's answers (yes, partly, no or n/a for the
    default rubric), by key, label or alias."""
    if sheet.layout != "long":
        return
    reading = choice("answer", sheet.rubric)
    for m in sheet.criteria():
        column = sheet.data(m.position)
        refusals = column.lookup([None if reading.parse(v) is not None else reading.refusal(v)
                                  for v in column.values], None)
        sheet.flag("unknown-answer", refusals != None, m.slot,  # noqa: E711 - numpy
                   lambda i, r=refusals: r[i], expected=reading.expected)


def answers_apply(sheet: Sheet) -> None:
    """``criterion-not-applicable``: a criterion given a scored answer (not n/a or another
    answer the rubric does not score) for a case type it does not apply to."""
    if sheet.layout != "long":
        return
    rubric = sheet.rubric
    case_type = sheet.codes("case_type", rubric.case_type_keys)
    known = case_type >= 0
    not_scored = [a.label.lower() for a in rubric.answers if not a.scored]
    unscored = f" or answer {not_scored[0]}" if not_scored else ""
    for m in sheet.criteria():
        column = sheet.data(m.position)
        scored = column.lookup([(key := rubric.parse_answer(v)) is not None
                                and rubric.answers_by_key[key].scored
                                for v in column.values], False, bool)
        applies: np.ndarray = np.array([rubric.applies(str(m.criterion), ct)
                                        for ct in rubric.case_type_keys] + [True])
        wrong = scored & known & ~applies[case_type]
        sheet.flag("criterion-not-applicable", wrong, m.slot,
                   lambda i, cid=m.criterion: f"criterion {cid!r} does not apply to "
                   f"{rubric.case_type_labels[rubric.case_type_keys[case_type[i]]].lower()} "
                   f"cases; leave it blank{unscored}")


def audit_empty(sheet: Sheet) -> None:
    """``no-grade-or-answers`` (long layout): an audit with neither an overall grade nor
    any criterion answer (rows with an unreadable cell excepted)."""
    if sheet.layout != "long":
        return
    empty = ~sheet.filled("grade") & ~sheet.unreadable
    for m in sheet.criteria():
        empty &= ~sheet.data(m.position).filled
    refs = sheet.row_refs()
    where = "grade" if "grade" in sheet.columns else "case_ref"
    sheet.flag("no-grade-or-answers", empty, where,
               lambda i: f"the audit of case {refs[i]!r} has neither an overall grade nor "
               "any criterion answer", value="")


def case_ungraded(sheet: Sheet) -> None:
    """``no-grade-or-answers`` (wide layout): a case with neither grade, in a row with no
    other error. Runs after every other row unit, since it looks at their verdicts."""
    if sheet.layout != "wide":
        return
    typed = sheet.codes("case_type", sheet.rubric.case_type_keys) >= 0
    empty = (~sheet.filled("self_grade") & ~sheet.filled("inspector_grade") & typed
             & ~sheet.row_error)
    refs = sheet.row_refs()
    where = "inspector_grade" if "inspector_grade" in sheet.columns else "self_grade"
    sheet.flag("no-grade-or-answers", empty, where,
               lambda i: f"case {refs[i]!r} has neither a self grade nor an inspector grade",
               value="")


_END_PUNCTUATION = ".,;:!?'\"‘’“”"


def normalised_values(sheet: Sheet) -> None:
    """``value-normalised`` (notice): a choice or an answer read only once punctuation
    at its ends was dropped (``Inadequate.``, ``'Yes'``), so the user knows how it was
    read; a difference of case or spacing alone is not worth a notice."""
    slots = [s for s in ("case_type", "sample", "assessor", "grade", "self_grade",
                         "inspector_grade", "child_gender", "example", "example_theme")
             if s in sheet.columns]
    answer = choice("answer", sheet.rubric)
    for slot in slots + [m.slot for m in sheet.criteria()]:
        column = sheet.column(slot)
        if column is None:
            continue
        parse = answer.parse if slot.startswith("criterion:") else choice(
            slot, sheet.rubric).parse
        trimmed = [v.strip(_END_PUNCTUATION).strip() for v in column.values]
        read = [t != v and bool(t) and parse(v) is not None
                for v, t in zip(column.values, trimmed, strict=True)]
        if not any(read):
            continue
        sheet.flag("value-normalised", column.lookup(read, False, bool), slot,
                   lambda i, c=column, t=trimmed: f"read as {t[c.index[i]]!r} (punctuation "
                   "at its ends dropped)", severity=Severity.NOTICE)


def free_text_controls(sheet: Sheet) -> None:
    """``control-characters`` (warning): a notes cell holding control characters (a NUL
    from a database export, a bidirectional override); they are removed from the text."""
    column = sheet.column("notes")
    if column is None:
        return
    held = column.lookup([strip_controls(v) != v for v in column.values], False, bool)
    sheet.flag("control-characters", held, "notes",
               "holds control characters (such as NUL or a text-direction override); they "
               "are removed from the note", value=lambda i: visible_controls(column.text(i)),
               severity=Severity.WARNING)


NOT_AT_RISK = frozenset({"no", "n", "none", "nil", "false", "0", "n/a", "na", "-", "not"})
"""Live-risk cells that say no (compared by ``label_key``): a column typed "no" down the
rows for the audits without a concern flags nothing."""
LIVE_RISK = "live-risk"


def flagged_live_risk(column: TextColumn) -> np.ndarray:
    """Per row: does the live-risk cell flag a child still at risk?"""
    return column.lookup([label_key(v) not in NOT_AT_RISK for v in column.values],
                         False, bool)


def live_risk(sheet: Sheet) -> None:
    """``live-risk`` (warning, listed before every other problem): an audit whose auditor
    found a child still at risk. The reason is not repeated in the problem (it goes to
    ``hmic-audit escalations`` only), so no output a command writes carries it."""
    column = sheet.column("live_risk")
    if column is None:
        return
    sheet.flag(LIVE_RISK, flagged_live_risk(column), "live_risk",
               "an auditor found a child still at risk: tell the safeguarding lead now, "
               "without waiting for the audit to finish (hmic-audit escalations lists "
               "every flagged audit with its reason)", value="flagged",
               severity=Severity.WARNING)
