"""Audit dates as people type them, read day first unless the user says otherwise.

A date cell reaches the checks as text: an Excel date cell as ISO (``2014-07-03``, with a
time when it has one), anything typed as it was typed. Accepted:

* ISO ``2014-07-03``, ``2014/07/03``, with or without a time (``2014-07-03 10:15``,
  ``2014-07-03T10:15:00``);
* numbers with ``/``, ``-`` or ``.`` between them, two- or four-digit years:
  ``03/07/2014``, ``3/7/14``, ``03-07-2014``, ``03.07.2014`` - day first, or month first
  with ``--month-first``; an optional time after them is ignored;
* month names: ``3 July 2014``, ``3rd Jul 2014``, ``03-Jul-14``, ``July 3, 2014``;
* Excel serial numbers (``41823``, a date column formatted as a number or exported to
  CSV without formatting), in the 1900 date system or, for a workbook saved with it, the
  1904 one. Only five-digit serials (1927 to 2173) are taken as dates: a smaller number
  in a date column is more likely an age or a count typed in the wrong column.

:func:`read_date` keeps both numeric readings, so the checks can tell an impossible date
(31/02/2014) from text that is no date at all, and see a column typed month first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

OLDEST_AUDIT_DATE = dt.date(1990, 1, 1)
"""No audit under this format is older than this: an earlier date is a typing mistake."""

_MONTHS = {name: number for number in range(1, 13)
           for name in (dt.date(2000, number, 1).strftime("%B").lower(),
                        dt.date(2000, number, 1).strftime("%b").lower())}
_MONTHS["sept"] = 9

_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})" + _TIME)
_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})" + _TIME)
_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ \-/.]+([a-z]+)\.?,?[ \-/.]+(\d{4}|\d{2})")
_MONTH_DAY = re.compile(r"([a-z]+)\.?[ \-]+(\d{1,2})(?:st|nd|rd|th)?,?[ \-]+(\d{4})")
_SERIAL = re.compile(r"(\d{5})(?:\.\d+)?")

_EPOCH_1900 = dt.date(1899, 12, 30)
"""Day 0 of Excel's 1900 date system (its phantom 29 February 1900 folded in)."""
_EPOCH_1904 = dt.date(1904, 1, 1)


@dataclass(frozen=True)
class DateReading:
    """What a date cell's text can mean."""

    day_first: dt.date | None
    """The date read day first (the only reading for ISO, month names and serials)."""
    month_first: dt.date | None
    """The date read month first (differs only for numeric dates like 03/07/2014)."""
    shaped: bool
    """Does the text have the shape of a date? (Then a failed reading is an impossible
    date, such as 31/02/2014, rather than text that is no date at all.)"""
    serial: bool = False
    """Was it an Excel serial number?"""

    def date(self, month_first: bool = False) -> dt.date | None:
        return self.month_first if month_first else self.day_first

    @property
    def only_month_first(self) -> bool:
        """Readable month first and not day first (07/31/2014)."""
        return self.day_first is None and self.month_first is not None

    @property
    def only_day_first(self) -> bool:
        """Readable day first and not month first (31/07/2014)."""
        return self.month_first is None and self.day_first is not None


_NOT_A_DATE = DateReading(None, None, shaped=False)


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year(text: str) -> int:
    """A four-digit year; two digits are 2000-2068 or 1969-1999, as Excel reads them."""
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 69 else 1900
    return year


def read_date(text: str, date1904: bool = False) -> DateReading:
    """Every reading of a date cell's text (see the module's notes for the forms)."""
    text = text.strip().lower()
    if match := _ISO.fullmatch(text):
        day = _make(int(match[1]), int(match[2]), int(match[3]))
        return DateReading(day, day, shaped=True)
    if match := _NUMERIC.fullmatch(text):
        year = _year(match[3])
        first, second = int(match[1]), int(match[2])
        return DateReading(_make(year, second, first), _make(year, first, second),
                           shaped=True)
    for pattern, day_at, month_at in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        if (match := pattern.fullmatch(text)) and match[month_at] in _MONTHS:
            day = _make(_year(match[3]), _MONTHS[match[month_at]], int(match[day_at]))
            return DateReading(day, day, shaped=True)
    if match := _SERIAL.fullmatch(text):
        epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
        day = epoch + dt.timedelta(days=int(match[1]))
        return DateReading(day, day, shaped=True, serial=True)
    return _NOT_A_DATE


def parse_date(text: str, month_first: bool = False, date1904: bool = False
               ) -> dt.date | None:
    """The date a cell's text means (day first unless ``month_first``); None if none."""
    return read_date(text, date1904).date(month_first)


def possible_date(value: dt.date) -> bool:
    """Whether an audit could have happened on a date: not in the future, not before 1990."""
    return OLDEST_AUDIT_DATE <= value <= dt.date.today()
