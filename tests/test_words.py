"""Numbers, proportions and plurals in words, tested against the counts."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from hmic_audit.profile import add_months
from hmic_audit.report.figures import FigureBook, capital, tracing
from hmic_audit.report.words import (
    PROPORTIONS,
    all_in_words,
    join_words,
    noun,
    number_words,
    proportion_phrase,
)


@pytest.mark.parametrize("n, words", [(0, "no"), (1, "one"), (8, "eight"), (16, "sixteen"),
                                      (20, "twenty"), (21, "21"), (84, "84"),
                                      (11223, "11,223")])
def test_number_words(n, words):
    assert number_words(n) == words


@pytest.mark.parametrize("n, limit, words", [(9, 9, "nine"), (10, 9, "10"), (16, 9, "16"),
                                             (1, 0, "1"), (20, 99, "twenty"),
                                             (21, 99, "21")])
def test_number_words_follow_the_house_style(n, limit, words):
    assert number_words(n, words_up_to=limit) == words


def test_a_list_is_all_words_or_all_numerals():
    """The reference writes 'eight ... sixteen ... one ... five' but '29, 33, 4 and 18'."""
    assert all_in_words(8, 16, 1, 5)
    assert not all_in_words(29, 33, 4, 18)
    assert not all_in_words(6, 84)
    assert not all_in_words(4, 16, words_up_to=9)
    book = FigureBook()
    words = book.in_words(29, 33, 4, 18)
    shown = [book.count(f"g{i}", n, "r", words=words).shown
             for i, n in enumerate((29, 33, 4, 18))]
    assert shown == ["29", "33", "4", "18"]


def test_a_hidden_count_reads_in_the_list_style():
    book = FigureBook(threshold=6)
    assert book.count("a", 3, "r").shown == "fewer than six"
    # one style in a report: never "fewer than 6" beside "fewer than six"
    assert book.count("b", 3, "r", words=book.in_words(3, 40)).shown == "fewer than six"
    assert book.count("c", 3, "r", cell=True).shown == "c"
    assert book.count("d", 0, "r", words=False).shown == "0"


@pytest.mark.parametrize("part, whole, phrase", [
    (19, 30, "about two-thirds"),       # the reference's force grades: good
    (9, 30, "just under a third"),      # ... adequate
    (14, 30, "nearly half"),
    (27, 30, "about nine-tenths"),
    (3, 4, "about three quarters"),     # case conferences attended
    (15, 30, "about half"),
    (16, 30, "just over half"),
    (8, 30, "just over a quarter"),
    (1, 30, "very few"),
    (29, 30, "almost all"),
    (0, 30, "none"),
    (30, 30, "all"),
    (12, 30, "about two-fifths"),
    (3, 20, "fewer than a fifth"),      # was "fewer than half"
    (1, 10, "about a tenth"),
    (1, 3, "about a third"),
    (19, 30 * 1.0, "about two-thirds"),
    (0.75, 1.0, "about three quarters"),
])
def test_proportions(part, whole, phrase):
    assert proportion_phrase(part, whole) == phrase


FRACTIONS = {"a tenth": Fraction(1, 10), "a fifth": Fraction(1, 5),
             "a quarter": Fraction(1, 4), "a third": Fraction(1, 3),
             "two-fifths": Fraction(2, 5), "half": Fraction(1, 2),
             "three-fifths": Fraction(3, 5), "two-thirds": Fraction(2, 3),
             "three quarters": Fraction(3, 4), "four-fifths": Fraction(4, 5),
             "nine-tenths": Fraction(9, 10)}


def _true_of(phrase: str, share: Fraction) -> bool:
    """Whether a phrase is a fair description of a share."""
    for lead, test in (("about ", lambda f: abs(share - f) <= Fraction(4, 100)),
                       ("just under ", lambda f: f - Fraction(6, 100) <= share < f),
                       ("just over ", lambda f: f < share <= f + Fraction(6, 100)),
                       ("fewer than ", lambda f: f - Fraction(8, 100) <= share < f),
                       ("more than ", lambda f: f < share <= f + Fraction(8, 100)),
                       ("nearly ", lambda f: f - Fraction(8, 100) <= share < f)):
        if phrase.startswith(lead):
            return test(FRACTIONS[phrase[len(lead):]])
    return {"none": share == 0, "all": share == 1, "very few": 0 < share < Fraction(1, 10),
            "almost all": Fraction(9, 10) < share < 1}[phrase]


def test_the_proportion_table_covers_every_share_truthfully():
    """One table, rising bounds, no gap: every share out of 1000 (and out of every whole
    up to 60) gets a phrase that is true of it, and the phrases run in order."""
    bounds = [b for b, _ in PROPORTIONS]
    assert bounds == sorted(bounds) and bounds[0] == 0 and len(set(bounds)) == len(bounds)
    order = ["none"] + [p for _, p in PROPORTIONS] + ["all"]
    assert len(set(order)) == len(order)
    last = 0
    for whole in [1000, *range(1, 61)]:
        last = 0
        for part in range(whole + 1):
            phrase = proportion_phrase(part, whole)
            assert _true_of(phrase, Fraction(part, whole)), (part, whole, phrase)
            assert order.index(phrase) >= last, (part, whole)
            last = order.index(phrase)
    assert last == len(order) - 1


def test_join_nouns_and_months():
    assert join_words(["a", "b", "c"]) == "a, b and c"
    assert join_words(["a"]) == "a" and join_words([]) == ""
    assert (noun(1, "case"), noun(2, "case"), noun(None, "case"), noun(0, "case")) == \
        ("case", "cases", "cases", "cases")
    assert noun(3, "child", "children") == "children"
    assert add_months(dt.date(2014, 12, 1), 3) == dt.date(2015, 3, 1)
    assert add_months(dt.date(2015, 8, 31), 6) == dt.date(2016, 2, 29)
    assert add_months(dt.date(2014, 12, 1), 0) == dt.date(2014, 12, 1)


def test_capital_leaves_the_rest_and_skips_a_tracing_marker():
    assert capital("two of the children") == "Two of the children"
    assert capital("about MAPPA") == "About MAPPA"  # str.capitalize would lower it
    book = FigureBook()
    figure = book.count("x.girls", 2, "girls")
    with tracing():
        marked = capital(f"{figure} of the children")
    assert marked.replace("\ue000x.girls\ue001", "").replace("\ue002", "") == \
        "Two of the children"
