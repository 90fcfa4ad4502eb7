"""``hmic-audit agree`` as tables (shared by the terminal view and ``agree --out``)."""

from __future__ import annotations

from ..analysis.calibration import Calibration
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
    return [overall, pair_table, *calibration_tables(r.calibration)]


def _signed(x: float | None) -> object:
    return "" if x is None else round(x, 2) + 0.0  # + 0.0: no "-0.00"


def calibration_tables(c: Calibration) -> list[TableSpec]:
    """Each reader against the others on the grade, and each criterion's disagreement."""
    rows = [[x.reader, x.cases, x.better, pct(x.better, x.cases), x.level,
             pct(x.level, x.cases), x.worse, pct(x.worse, x.cases),
             _signed(x.mean_difference), _signed(x.lean), x.label] for x in c.readers]
    lean = TableSpec(
        "Calibration", "Each reader's grades against the other readers of the same cases",
        ["Reader", "Cases shared", "Better", "%", "Level", "%", "Worse", "%",
         "Mean difference (levels)", "Against the typical reader", "Reading"], rows,
        note="Each grade is set against the mean of the other readers' grades of the same "
        "case. Mean difference: positive when the reader grades worse than the others. "
        "Against the typical reader: that difference less the median of the readers' "
        "(one hard reader pulls every other reader's difference down; this does not). "
        f"A reader reads harder (softer) when it is above {c.lean_levels:g} (below "
        f"-{c.lean_levels:g}) levels over at least {c.lean_min_cases} shared cases; fewer "
        "cases are too few to say.")
    spread = []
    for s in c.criteria:
        rated = [r for r in s.readers if r.rate is not None]
        apart = max(rated, key=lambda r: r.rate or 0.0) if rated else None
        top = s.splits[0] if s.splits else None
        spread.append([
            s.criterion, s.cases, s.pairs, s.differing, pct(s.differing, s.pairs),
            f"{top.answers[0]} / {top.answers[1]} ({top.pairs})" if top else "",
            f"{apart.reader} ({pct(apart.differing, apart.pairs)})"
            if apart and apart.differing else ""])
    criteria = TableSpec(
        "Criteria read differently",
        "How often readers of the same case answered a criterion differently",
        ["Criterion", "Cases", "Pairs of readings", "Differing", "Rate",
         "Commonest split", "Reader most apart"], spread,
        note="A pair is two readers' answers to the same case (n/a and blanks left out). "
        "Reader most apart: the reader whose answers differ most often from the others'.")
    return [lean, criteria]


def heat_table(c: Calibration) -> TableSpec:
    """Criteria (rows) by readers (columns): each reader's disagreement rate with the
    other readers on the criterion, a share from 0 to 1 (blank: no pair)."""
    readers = [r.reader for r in c.criteria[0].readers] if c.criteria else []
    rows: list[list[object]] = [[s.criterion, *(round(r.rate, 3) if r.rate is not None else None
                            for r in s.readers)] for s in c.criteria]
    return TableSpec(
        "Criterion x reader", "Disagreement with the other readers, by criterion and reader",
        ["Criterion", *readers], rows,
        note="Each cell is the share (0 to 1) of that reader's answers to the criterion "
        "that differ from another reader's answer to the same case. Colours run from green "
        "(the lowest rate in the table) through yellow to red (the highest). A red row is a "
        "criterion read differently by everyone; a red column, a reader who reads the "
        "criteria their own way. Blank: no case shared.")
