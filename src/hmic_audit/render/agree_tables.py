"""``hmic-audit agree`` as tables (shared by the terminal and Markdown views)."""

from __future__ import annotations

from ..analysis.comparison import Statistic
from ..analysis.readers import ReaderAgreement, ReaderAgreements
from .compare_tables import TableSpec, pct


def _value(s: Statistic) -> object:
    return round(s.value, 3) if s.value is not None else "undefined"


def _ci(s: Statistic) -> str:
    if s.ci_low is None or s.ci_high is None:
        return ""
    return f"{s.ci_low:.3f} to {s.ci_high:.3f}"


def _overall_row(label: str, a: ReaderAgreement) -> list[object]:
    return [label, a.cases, a.readings, _value(a.fleiss), _ci(a.fleiss), _value(a.ac1),
            _ci(a.ac1), _value(a.ac2_quadratic), _ci(a.ac2_quadratic), _value(a.alpha),
            _ci(a.alpha)]


def agree_tables(r: ReaderAgreements) -> list[TableSpec]:
    """All readers together (the grade, then each criterion), and each pair of readers
    on the grade."""
    rows = [_overall_row("Final grade", r.grade)]
    rows += [_overall_row(f"Criterion {c.what}", c) for c in r.criteria]
    notes = sorted({s.note for a in (r.grade, *r.criteria)
                    for s in (a.fleiss, a.ac1, a.ac2_quadratic, a.alpha) if s.note})
    overall = TableSpec(
        "Readers", f"Agreement among {len(r.readers)} readers ({', '.join(r.readers)})",
        ["Judgement", "Cases", "Readings", "Fleiss' kappa", "95% interval", "Gwet's AC1",
         "95% interval", "AC2 (quadratic)", "95% interval", "Krippendorff's alpha",
         "95% interval"], rows,
        note="Alpha: ordinal for the grade, nominal for criteria; its interval is a "
        "bootstrap over cases (1,000 resamples, fixed seed). AC1 is the figure to read "
        "when most cases share one grade: kappa then falls even when readers agree."
        + ("" if not notes else " " + " ".join(notes)))
    pairs = [[p.readers[0], p.readers[1], p.cases, p.exact, pct(p.exact, p.cases),
              _value(p.kappa), _ci(p.kappa), _value(p.ac1), _ci(p.ac1)]
             for p in r.grade.pairs]
    pair_table = TableSpec(
        "Reader pairs", "Each pair of readers on the final grade",
        ["Reader", "Reader", "Cases both read", "Same grade", "Agreement",
         "Cohen's kappa", "95% interval", "Gwet's AC1", "95% interval"], pairs)
    return [overall, pair_table]
