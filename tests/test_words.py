"""Numbers and proportions in words, tested against the counts."""

from __future__ import annotations

import datetime as dt

import pytest

from hmic_audit.report.context import add_months
from hmic_audit.report.words import join_words, number_words, proportion_phrase


@pytest.mark.parametrize("n, words", [(0, "no"), (1, "one"), (8, "eight"), (16, "sixteen"),
                                      (20, "twenty"), (21, "21"), (84, "84"),
                                      (11223, "11,223")])
def test_number_words(n, words):
    assert number_words(n) == words


@pytest.mark.parametrize("part, whole, phrase", [
    (19, 30, "about two-thirds"),       # the reference's force grades: good
    (9, 30, "just under a third"),      # ... adequate
    (14, 30, "nearly half"),
    (27, 30, "most"),
    (3, 4, "about three quarters"),     # case conferences attended
    (15, 30, "about half"),
    (16, 30, "just over half"),
    (8, 30, "just over a quarter"),
    (1, 30, "very few"),
    (29, 30, "almost all"),
    (0, 30, "none"),
    (30, 30, "all"),
    (12, 30, "fewer than half"),
    (19, 30 * 1.0, "about two-thirds"),
])
def test_proportions(part, whole, phrase):
    assert proportion_phrase(part, whole) == phrase


def test_proportion_bands_are_consistent():
    """Walking the counts out of 1000, the phrases follow the documented bands."""
    for part in range(1, 1000):
        share = part / 1000
        phrase = proportion_phrase(part, 1000)
        if phrase.startswith("about "):
            assert any(abs(share / f - 1) <= 0.06 for f in (1 / 4, 1 / 3, 1 / 2, 2 / 3, 3 / 4))
        if phrase == "most":
            assert 0.75 < share < 0.95


def test_join_and_months():
    assert join_words(["a", "b", "c"]) == "a, b and c"
    assert add_months(dt.date(2014, 12, 1), 3) == dt.date(2015, 3, 1)
    assert add_months(dt.date(2015, 8, 31), 6) == dt.date(2016, 2, 29)
    assert add_months(dt.date(2014, 12, 1), 0) == dt.date(2014, 12, 1)
