"""Numbers, proportions and plurals in words, the way inspection reports write them.

**Numbers** (the house style, set by a force profile's ``numbers.words_up_to``): counts
from one to :data:`WORDS_UP_TO` are written in words, larger ones as numerals with
thousands separators; and a list or a pair holding any larger count is written all in
numerals ("29 good, 33 adequate, 4 requiring improvement and 18 inadequate", "6 of the
84"), never mixed. Zero is "no" before a noun or "none" alone; ages, table cells and
dates are always numerals.

**Proportions**: the share ``part / whole`` is looked up in one table,
:data:`PROPORTIONS`, which covers every share from 0 to 100% without a gap: each row
holds the shares from its lower bound up to (not including) the next row's, and each
phrase is true of every share in its row: "about" a fraction is within 4 percentage
points of it, "just under" or "just over" within 6 points on that side, "nearly",
"fewer than" or "more than" within 8 points on that side.

=========================  ===============================
share                      phrase
=========================  ===============================
0                          none
above 0, below 8%          very few
8% to below 12%            about a tenth
12% to below 18%           fewer than a fifth
18% to below 22%           about a fifth
22% to below 24%           just under a quarter
24% to below 26.5%         about a quarter
26.5% to below 30%         just over a quarter
30% to below 32.5%         just under a third
32.5% to below 35%         about a third
35% to below 38%           just over a third
38% to below 42%           about two-fifths
42% to below 47.5%         nearly half
47.5% to below 52.5%       about half
52.5% to below 56%         just over half
56% to below 63%           about three-fifths
63% to below 70%           about two-thirds
70% to below 73%           just under three quarters
73% to below 77%           about three quarters
77% to below 83%           about four-fifths
83% to below 88%           more than four-fifths
88% to below 92%           about nine-tenths
92% to below 100%          almost all
100%                       all
=========================  ===============================

So 19 of 30 is "about two-thirds", 9 of 30 "just under a third", 14 of 30 "nearly
half", 27 of 30 "about nine-tenths" and 3 of 4 "about three quarters". Shares are
compared exactly (as fractions), so a count on a boundary always falls in the same row.
"""

from __future__ import annotations

from fractions import Fraction

from ..text import and_list

_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
          "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
          "seventeen", "eighteen", "nineteen", "twenty"]

WORDS_UP_TO = 20
"""The default house style: counts up to twenty in words, larger ones as numerals.

Taken from the reference report (HMIC, Greater Manchester Police, 2014), whose practice
it reproduces best: it writes "eight ... sixteen adequate, one ... and five inadequate",
"four of the ten cases", "nine cases", "ten local authorities" in words, and a list or
pair holding a larger number all in numerals ("29, 33, 4 and 18", "6 of the 84", "8 out
of 36", "14 staff" beside 141). Words up to nine would turn its headline "sixteen" and
its six "ten"s into numerals; the only counts it writes otherwise are "12 cases of
children in detention" and "10 days". A force profile sets another limit (0 to 20; 0
writes every count as numerals)."""

PROPORTIONS: list[tuple[Fraction, str]] = [
    (Fraction(0), "very few"),
    (Fraction(8, 100), "about a tenth"),
    (Fraction(12, 100), "fewer than a fifth"),
    (Fraction(18, 100), "about a fifth"),
    (Fraction(22, 100), "just under a quarter"),
    (Fraction(24, 100), "about a quarter"),
    (Fraction(265, 1000), "just over a quarter"),
    (Fraction(30, 100), "just under a third"),
    (Fraction(325, 1000), "about a third"),
    (Fraction(35, 100), "just over a third"),
    (Fraction(38, 100), "about two-fifths"),
    (Fraction(42, 100), "nearly half"),
    (Fraction(475, 1000), "about half"),
    (Fraction(525, 1000), "just over half"),
    (Fraction(56, 100), "about three-fifths"),
    (Fraction(63, 100), "about two-thirds"),
    (Fraction(70, 100), "just under three quarters"),
    (Fraction(73, 100), "about three quarters"),
    (Fraction(77, 100), "about four-fifths"),
    (Fraction(83, 100), "more than four-fifths"),
    (Fraction(88, 100), "about nine-tenths"),
    (Fraction(92, 100), "almost all"),
]
"""Lower bound (inclusive) of each row and its phrase, for shares above 0 and below 1
(0 is "none", 1 is "all"); a row runs up to the next row's bound. See the module
docstring for the table as a reader sees it."""


def number_words(n: int, *, zero: str = "no", words_up_to: int = WORDS_UP_TO) -> str:
    """'eight' for 8, '84' for 84, '11,223' for 11223; ``zero`` for 0. Counts above
    ``words_up_to`` (at most twenty) are numerals."""
    if n == 0:
        return zero
    if 0 < n <= min(words_up_to, len(_WORDS) - 1):
        return _WORDS[n]
    return f"{n:,}"


def all_in_words(*counts: int, words_up_to: int = WORDS_UP_TO) -> bool:
    """Whether a list or pair of counts is written in words: only when every one of them
    would be on its own (the reference's "29, 33, 4 and 18", never "29, 33, four")."""
    return all(c <= min(words_up_to, len(_WORDS) - 1) for c in counts)


def proportion_phrase(part: int | float, whole: int | float) -> str:
    """The share ``part / whole`` in words, from the table :data:`PROPORTIONS`."""
    if whole <= 0:
        raise ValueError("a proportion needs a positive whole")
    share = Fraction(part) / Fraction(whole)
    if share <= 0:
        return "none"
    if share >= 1:
        return "all"
    phrase = PROPORTIONS[0][1]
    for bound, words in PROPORTIONS:
        if share < bound:
            break
        phrase = words
    return phrase


def join_words(items: list[str]) -> str:
    """'a, b and c' (see ``text.and_list``)."""
    return and_list(items)


def noun(n: int | None, singular: str, plural: str | None = None) -> str:
    """The noun a count takes: 'case' for one, 'cases' otherwise (also for a count that
    is hidden, ``None``, so the noun cannot give away that it was one)."""
    return singular if n == 1 else plural or f"{singular}s"

