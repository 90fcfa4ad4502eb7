"""Dates as people type them: every accepted form, read against an independent parser."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil import parser as dateutil_parser

from hmic_audit.workbook.check import read_audits
from hmic_audit.workbook.dates import parse_date, read_date

JULY_3 = dt.date(2014, 7, 3)

TYPED = ["03/07/2014", "3/7/14", "03-07-2014", "3-7-2014", "03.07.2014", "3.7.14",
         "3 July 2014", "3 Jul 2014", "3rd July 2014", "03-Jul-14", "3-jul-2014",
         "July 3, 2014", "Jul 3 2014", "2014-07-03", "2014/07/03", "2014-07-03 10:15",
         "2014-07-03T10:15:00", "03/07/2014 09:30", " 03/07/2014 "]


@pytest.mark.parametrize("text", TYPED)
def test_every_typed_form_is_3_july_2014(text):
    assert parse_date(text) == JULY_3
    # an independent reading agrees (dateutil, day first; it would swap ISO's parts)
    iso = text[:4].isdigit()
    assert dateutil_parser.parse(text, dayfirst=not iso).date() == JULY_3


@pytest.mark.parametrize("text", ["03/07/2014", "3/7/14", "03-07-2014", "03.07.2014"])
def test_month_first_only_when_asked(text):
    assert parse_date(text, month_first=True) == dt.date(2014, 3, 7)
    assert dateutil_parser.parse(text, dayfirst=False).date() == dt.date(2014, 3, 7)


@pytest.mark.parametrize("text", ["3 July 2014", "2014-07-03", "July 3, 2014", "41823"])
def test_unambiguous_forms_ignore_the_order(text):
    assert parse_date(text, month_first=True) == parse_date(text) == JULY_3


def test_excel_serials_in_both_date_systems():
    assert parse_date("41823") == JULY_3                      # 1900 system
    assert parse_date("40361", date1904=True) == JULY_3       # 1904 system (1462 days less)
    assert parse_date("41823.5") == JULY_3                    # a time of day
    assert parse_date("14") is None                           # an age, not a date


@pytest.mark.parametrize("text, shaped", [
    ("31/02/2014", True), ("2014-13-01", True), ("32 July 2014", True),
    ("TBC", False), ("next week", False), ("", False), ("3 Julember 2014", False)])
def test_impossible_dates_are_told_from_text_that_is_no_date(text, shaped):
    reading = read_date(text)
    assert reading.date() is None and reading.date(month_first=True) is None
    assert reading.shaped is shaped


def test_readings_of_a_month_first_date():
    assert read_date("07/31/2014").only_month_first
    assert read_date("31/07/2014").only_day_first
    assert not read_date("07/07/2014").only_month_first


def _csv(tmp_path, dates):
    lines = ["Case ref,Case type,Assessor,Audit date,Grade"]
    lines += [f"C{i},s47,Inspector,{d},Good" for i, d in enumerate(dates)]
    path = tmp_path / "cases.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_month_first_column_reads_with_the_option(tmp_path, rubric):
    path = _csv(tmp_path, ["07/31/2014", "12/01/2014", "3 July 2014"])
    frame, problems = read_audits(path, rubric, month_first=True)
    assert not [p for p in problems if p.is_error]
    assert list(frame.extras["audit_date"]) == [dt.date(2014, 7, 31), dt.date(2014, 12, 1),
                                                JULY_3]


def test_day_first_dates_refused_under_month_first(tmp_path, rubric):
    from hmic_audit.problems import WorkbookError

    path = _csv(tmp_path, ["25/07/2014", "03/07/2014"])
    with pytest.raises(WorkbookError) as caught:
        read_audits(path, rubric, month_first=True)
    [problem] = caught.value.problems
    assert (problem.code, problem.row) == ("impossible-date", 2)
    assert "read month first" in problem.message


@pytest.mark.parametrize("typed, code, words", [
    ("14/07/2041", "future-date", "'14/07/2041' (14 July 2041) is in the future"),
    ("01/01/1985", "early-date", "'01/01/1985' (01 January 1985) is before 1990"),
    ("31/02/2014", "impossible-date", "not a day of the calendar"),
    ("soon", "bad-date", "'soon' is not a date"),
    ("32874", None, None),  # 1 January 1990 as a serial: accepted
])
def test_each_kind_of_wrong_date_has_its_own_message(tmp_path, rubric, typed, code, words):
    from hmic_audit.problems import WorkbookError

    path = _csv(tmp_path, [typed])
    if code is None:
        frame, _ = read_audits(path, rubric)
        assert frame.extras["audit_date"][0] == dt.date(1990, 1, 1)
        return
    with pytest.raises(WorkbookError) as caught:
        read_audits(path, rubric)
    [problem] = caught.value.problems
    assert (problem.code, problem.cell, problem.row) == (code, "D2", 2)
    assert words in problem.message


def test_a_column_typed_month_first_is_one_problem_for_the_terminal(tmp_path, rubric):
    """Every month-first date gets the same message (the value is in ``value``), so the
    terminal shows one entry for the column, not one per date."""
    from hmic_audit.problems import WorkbookError

    path = _csv(tmp_path, ["07/31/2014", "07/30/2014", "06/13/2014", "07/07/2014"])
    with pytest.raises(WorkbookError) as caught:
        read_audits(path, rubric)
    problems = caught.value.problems
    assert [(p.code, p.cell, p.value) for p in problems] == [
        ("month-first-date", "D2", "07/31/2014"), ("month-first-date", "D3", "07/30/2014"),
        ("month-first-date", "D4", "06/13/2014")]
    assert len({p.message for p in problems}) == 1
