"""Numbers and proportion words as a report's readers meet them: in digits ("30",
"11,223", "87%"), in words ("eight", "twenty-nine"), and as shares ("about two-thirds",
"most", "fewer than half").

:func:`fits` says whether a proportion word is true of a share, from the bands of
:mod:`hmic_audit.report.words`: the phrase the report itself would choose always fits;
"about" a fraction fits within 4 percentage points of it, "just under"/"just over"
within 6 points on that side, "nearly" within 8 points below; "fewer than", "less
than", "under", "more than" and "over" fit anything on their side; "most" and "the
majority" mean more than half, "a minority" fewer than half (but some), "almost all"
and "nearly all" 92% or more (but not all), "very few" under 8% (but some), "all"
every one and "none" not one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .words import _WORDS, PROPORTIONS, proportion_phrase

_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
         "seventy": 70, "eighty": 80, "ninety": 90}
_UNITS = {w: i for i, w in enumerate(_WORDS) if 0 < i < 20}
_WORD_RE = "|".join(sorted([*_TENS, *_UNITS], key=len, reverse=True))

NUMBER = re.compile(
    r"(?<![\w.\-/])(?:"
    r"(?P<digits>-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)(?P<pct>%)?"
    rf"|(?P<words>(?:{'|'.join(_TENS)})-(?:{'|'.join(list(_UNITS)[:9])})|{_WORD_RE})"
    r")(?![\w\-/]|\.\d)", re.IGNORECASE)
"""A number in digits (with thousands separators, decimals, a percent sign) or in
words; not a part of a longer token such as ``SA-001``, ``s.47`` or ``SHA-256``."""

_FRACTIONS = {"a tenth": Fraction(1, 10), "a fifth": Fraction(1, 5),
              "a quarter": Fraction(1, 4), "a third": Fraction(1, 3),
              "two-fifths": Fraction(2, 5), "half": Fraction(1, 2),
              "three-fifths": Fraction(3, 5), "two-thirds": Fraction(2, 3),
              "three quarters": Fraction(3, 4), "three-quarters": Fraction(3, 4),
              "four-fifths": Fraction(4, 5), "nine-tenths": Fraction(9, 10)}
_QUALIFIERS = ["about", "around", "roughly", "just under", "just over", "nearly",
               "almost", "fewer than", "less than", "under", "more than", "over"]
_SPECIAL = ["almost all", "nearly all", "the majority", "a majority", "a minority",
            "very few", "most", "all", "none"]

_PHRASES = sorted({*(p for _, p in PROPORTIONS), *_SPECIAL, *_FRACTIONS,
                   *(f"{q} {f}" for q in _QUALIFIERS for f in _FRACTIONS)},
                  key=len, reverse=True)
PROPORTION = re.compile(r"(?<![\w\-])(?:" + "|".join(re.escape(p) for p in _PHRASES)
                        + r")(?![\w\-])", re.IGNORECASE)
"""A proportion word or phrase."""


@dataclass(frozen=True)
class Number:
    """A number found in a text."""

    text: str
    value: float
    start: int
    end: int
    words: bool
    """Written in words ("eight")."""


def number_value(match: re.Match[str]) -> float:
    """The value of a :data:`NUMBER` match."""
    if match.group("digits") is not None:
        return float(match.group("digits").replace(",", ""))
    word = match.group("words").lower()
    if "-" in word:
        tens, unit = word.split("-")
        return float(_TENS[tens] + _UNITS[unit])
    return float(_TENS.get(word) or _UNITS[word])


def numbers(text: str) -> list[Number]:
    """Every number in ``text``, in order."""
    return [Number(m.group(0), number_value(m), m.start(), m.end(),
                   m.group("words") is not None) for m in NUMBER.finditer(text)]


def same_value(a: float, b: float, shown: str) -> bool:
    """Whether a value read from text equals a computed one as far as it is shown
    (``0.15`` for 0.1528, ``87%`` for 86.57)."""
    if "." in shown:
        digits = len(shown.split(".")[1].rstrip("%"))
        return round(b, digits) == round(a, digits)
    if shown.endswith("%"):
        return round(b) == a
    return a == b


def fits(phrase: str, part: int, whole: int) -> bool:
    """Whether a proportion phrase is true of ``part`` of ``whole`` (see the module's
    docstring)."""
    phrase = re.sub(r"\s+", " ", phrase.lower().strip())
    share = Fraction(part) / Fraction(whole)
    if phrase == proportion_phrase(part, whole):
        return True
    rules = {"all": share == 1, "none": share == 0,
             "most": share > Fraction(1, 2), "the majority": share > Fraction(1, 2),
             "a majority": share > Fraction(1, 2),
             "a minority": 0 < share < Fraction(1, 2),
             "almost all": Fraction(92, 100) <= share < 1,
             "nearly all": Fraction(92, 100) <= share < 1,
             "very few": 0 < share < Fraction(8, 100)}
    if phrase in rules:
        return rules[phrase]
    qualifier, target = "about", phrase
    for q in _QUALIFIERS:
        if phrase.startswith(q + " "):
            qualifier, target = q, phrase[len(q) + 1:]
            break
    if target not in _FRACTIONS:
        return True  # not a share this module reads: nothing to hold it to
    gap = (share - _FRACTIONS[target]) * 100
    return {"about": abs(gap) <= 4, "around": abs(gap) <= 4, "roughly": abs(gap) <= 4,
            "just under": -6 <= gap < 0, "just over": 0 < gap <= 6,
            "nearly": -8 <= gap < 0, "almost": -8 <= gap < 0,
            "fewer than": gap < 0, "less than": gap < 0, "under": gap < 0,
            "more than": gap > 0, "over": gap > 0}[qualifier]
