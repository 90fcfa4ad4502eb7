"""Annex A's account of how the force's grades were set against the inspectors', in
plain words: what each agreement statistic measures, its value and interval, and what
they say about these cases.

Kappa is read on the scale of Landis and Koch (1977), the one most often quoted:

=========== ==================================
kappa       agreement
=========== ==================================
below 0     poor (no better than chance)
0 to 0.20   slight
0.21-0.40   fair
0.41-0.60   moderate
0.61-0.80   substantial
0.81 and up almost perfect
=========== ==================================

A p-value of the sign test below 0.05 reads as "unlikely to be chance", otherwise as
"could be chance". Every number is a registered figure (ids ``method.*``).
"""

from __future__ import annotations

from ..analysis.annex_table import pairs_query
from ..analysis.comparison import Comparison, Statistic
from ..analysis.disclosure import case_query
from .figures import FigureBook

KAPPA_WORDS = [(0.0, "poor"), (0.2, "slight"), (0.4, "fair"),
               (0.6, "moderate"), (0.8, "substantial"), (float("inf"), "almost perfect")]
"""Upper end (inclusive) of each band of kappa, and its word."""

SIGNIFICANT_P = 0.05


def kappa_words(value: float) -> str:
    """Landis and Koch's word for a kappa: 0.15 -> 'slight'."""
    if value < 0:
        return KAPPA_WORDS[0][1]
    return next(word for top, word in KAPPA_WORDS[1:] if round(value, 2) <= top)


def _estimate(book: FigureBook, id: str, s: Statistic, rule: str) -> dict[str, object]:
    """A statistic's value and interval as figures (None where undefined)."""
    if s.value is None:
        return {"value": None, "why": s.note or "it is undefined for these cases"}
    low = high = None
    if s.ci_low is not None and s.ci_high is not None:
        low = book.decimal(f"{id}.low", s.ci_low, f"{rule}: lower end of the 95% interval")
        high = low if f"{s.ci_low:.2f}" == f"{s.ci_high:.2f}" else book.decimal(
            f"{id}.high", s.ci_high, f"{rule}: upper end of the 95% interval")
    return {"value": book.decimal(id, s.value, rule), "low": low, "high": high,
            "words": kappa_words(s.value), "below_zero": round(s.value, 2) < 0,
            "no_width": low is not None and low is high,
            "spans_zero": s.ci_low is not None and s.ci_low <= 0 <= (s.ci_high or 0)}


def statistics(book: FigureBook, c: Comparison) -> dict[str, object]:
    """The figures and readings Annex A explains, for a comparison of at least one pair.

    Only what the annex shows is registered: a single pair gets one sentence (too few to
    measure agreement); the direction of the differences only when some grades differ.
    When publishing, the statistics (shares, kappas, alpha, the sign test) are shown only
    when the cross-tab they are computed from is published or determined by what is:
    otherwise they would narrow the counts it hides (``withheld``).
    """
    d = c.direction
    differ = d.force_higher + d.force_lower
    words = book.in_words(c.pairs, differ, d.force_higher, d.force_lower)
    cells = [case_query(force_grade=f, inspector_grade=i) for f in c.grades
             for i in c.grades]
    if c.pairs >= 2 and not book.published(*cells):
        return {"few": False, "withheld": True}
    pairs = book.count("method.pairs", c.pairs, "cases graded by both sides", words=words,
                       query=pairs_query(c.grades, lambda d: True))
    if c.pairs < 2:
        return {"pairs": pairs, "few": True, "withheld": False}
    p = d.sign_test_p
    # NOTE: when publishing, a small count either way hides both (one would give away the
    # other by subtraction from the cases that differ) and the p-value, which for a known
    # number of differing cases gives away the split.
    hidden = bool(book.threshold) and any(0 < n < (book.threshold or 0)
                                          for n in (d.force_higher, d.force_lower))
    found: dict[str, object] = {
        "pairs": pairs, "few": False, "withheld": False,
        "exact": book.percent("method.exact", c.exact, c.pairs, "pairs with the same grade"),
        "exact_all": c.exact == c.pairs, "exact_none": not c.exact,
        "within_one_all": c.within_one == c.pairs,
        "within_one": None if c.exact == c.pairs else book.percent(  # all: said once
            "method.within_one", c.within_one, c.pairs, "pairs at most one grade apart"),
        "kappa": _estimate(book, "method.kappa", c.kappa["unweighted"],
                           "Cohen's kappa, unweighted"),
        "linear": _estimate(book, "method.kappa_linear", c.kappa["linear"],
                            "Cohen's kappa, linear weights"),
        "alpha": _estimate(book, "method.alpha", c.alpha_ordinal,
                           "Krippendorff's alpha, ordinal metric"),
        "differ": None, "hidden": hidden, "p": None, "p_small": False,
    }
    if differ:
        found["differ"] = book.count("method.differ", differ, "pairs whose grades differ",
                                     words=words)
    if differ and not hidden:
        found["force_higher"] = book.count(
            "method.force_higher", d.force_higher,
            "pairs the force graded better than inspectors", words=words, zero="none")
        found["force_lower"] = book.count(
            "method.force_lower", d.force_lower, "pairs the force graded worse than inspectors",
            words=words, zero="none")
        if p is not None:
            found["p"] = book.add(
                "method.sign_test_p", p, f"{p:.4f}" if p >= 0.0001 else "below 0.0001",
                "two-sided exact sign test on the pairs whose grades differ")
            found["p_small"] = p < SIGNIFICANT_P
    return found
