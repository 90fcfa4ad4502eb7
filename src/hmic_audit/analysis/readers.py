"""Agreement among several inspector readers of the same cases (``hmic-audit agree``).

A workbook names each audit's reader in its ``reader`` column; one case may then be
audited by several inspectors. The inspector audits become a cases x readers matrix of
final grades (and, per criterion, of scored answers: n/a and blanks are missing), and
:mod:`~hmic_audit.analysis.agreement` gives Fleiss' kappa, Gwet's AC1/AC2 and
Krippendorff's alpha over all readers; every pair of readers gets Cohen's kappa, AC1 and
its exact agreement on the cases both read.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..problems import HmicAuditError, Problem
from ..rubric import Rubric
from ..scoring.grading import GradeResult, InputRef, RubricRef
from .agreement import Metric, fleiss_kappa, gwet_ac_raters, krippendorff_alpha
from .calibration import Calibration, calibrate
from .comparison import Statistic
from .pool import INSPECTOR, Pool
from .stats import cohen_kappa, crosstab, gwet_ac


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReaderPair(_Frozen):
    """Two readers on the cases both of them read (and graded or answered)."""

    readers: list[str]
    cases: int
    exact: int
    share: float | None
    """Exact agreement: a share of ``cases``; None when they read no case in common."""
    kappa: Statistic
    ac1: Statistic


class ReaderAgreement(_Frozen):
    """Agreement among all readers on one thing: the final grade or one criterion."""

    what: str
    """``grade``, or a criterion id."""
    categories: list[str]
    """The grades (best first) or scored answers compared."""
    cases: int
    """Cases with at least one reading."""
    readings: int
    fleiss: Statistic
    """Fleiss' kappa (with missing readings, Gwet's extension of it)."""
    ac1: Statistic
    ac2_quadratic: Statistic
    alpha: Statistic
    """Krippendorff's alpha with the metric ``alpha_metric`` (interval: case bootstrap)."""
    alpha_metric: Metric
    pairs: list[ReaderPair]


class ReaderAgreements(_Frozen):
    """Everything ``hmic-audit agree`` reports."""

    rubric: RubricRef
    inputs: list[InputRef]
    readers: list[str]
    cases: int
    """Cases with at least one inspector audit."""
    grade: ReaderAgreement
    criteria: list[ReaderAgreement]
    """Per criterion some case has two scored answers for, in rubric order."""
    calibration: Calibration
    """Who reads harder or softer, and which criteria are answered differently."""


def _agreement(what: str, matrix: np.ndarray, categories: list[str], readers: list[str],
               metric: Metric) -> ReaderAgreement:
    k = len(categories)
    pairs = []
    for a in range(len(readers)):
        for b in range(a + 1, len(readers)):
            both = (matrix[:, a] >= 0) & (matrix[:, b] >= 0)
            x, y = matrix[both, a], matrix[both, b]
            n = int(both.sum())
            table = crosstab(x, y, k)
            pairs.append(ReaderPair(
                readers=[readers[a], readers[b]], cases=n, exact=int((x == y).sum()),
                share=float((x == y).sum() / n) if n else None,
                kappa=Statistic.of(cohen_kappa(table)), ac1=Statistic.of(gwet_ac(table))))
    read = matrix >= 0
    return ReaderAgreement(
        what=what, categories=categories, cases=int(read.any(axis=1).sum()),
        readings=int(read.sum()), fleiss=Statistic.of(fleiss_kappa(matrix, k)),
        ac1=Statistic.of(gwet_ac_raters(matrix, k)),
        ac2_quadratic=Statistic.of(gwet_ac_raters(matrix, k, "quadratic")),
        alpha=Statistic.of(krippendorff_alpha(matrix, k, metric)), alpha_metric=metric,
        pairs=pairs)


def reader_agreement(results: Sequence[GradeResult], rubric: Rubric) -> ReaderAgreements:
    """Agreement among the inspector readers of the graded inputs' cases.

    Readers are told apart by the ``reader`` column (names equal ignoring case and spacing
    are one reader; a blank reader is one more, "(no reader)"), in the order they first
    appear. Raises :class:`~hmic_audit.problems.HmicAuditError` when the inputs name
    fewer than two readers.
    """
    pool = Pool(results)
    inspector = np.flatnonzero(pool.assessor == INSPECTOR)
    names = pool.extra("reader")[inspector].tolist()
    if all(n is None for n in names) and not any(
            "reader" in r.frame.fields for r in results):
        raise HmicAuditError("no reader column", [Problem(
            code="no-readers", file=results[0].frame.file, column="reader", message=(
                "the file has no reader column, so there is one reader per case; add a "
                "Reader column naming the inspector who read each audit"))])
    key_of: dict[str, int] = {}
    readers: list[str] = []
    reader = np.empty(len(inspector), dtype=np.int64)
    for i, name in enumerate(names):
        shown = " ".join(str(name).split()) if name and str(name).strip() else "(no reader)"
        key = shown.casefold()
        if key not in key_of:
            key_of[key] = len(readers)
            readers.append(shown)
        reader[i] = key_of[key]
    if len(readers) < 2:
        raise HmicAuditError("one reader", [Problem(
            code="no-readers", file=results[0].frame.file, column="reader", message=(
                f"every inspector audit has the same reader ({readers[0] if readers else 'none'}"
                "); agree needs two readers or more of the same cases"))])
    cases, case = np.unique(pool.case[inspector], return_inverse=True)
    level = pool.final[inspector]
    grades = np.full((len(cases), len(readers)), -1, dtype=np.int64)
    grades[case, reader] = level  # one audit per case and reader (the workbook rule)
    grade = _agreement("grade", grades, [g.label for g in rubric.scale], readers, "ordinal")
    scored = [a for a in rubric.answers if a.scored]
    code_to = np.full(len(rubric.answers) + 1, -1, dtype=np.int64)
    for position, answer in enumerate(scored):
        code_to[rubric.code_of(answer.key)] = position
    answers = pool.answers[inspector]
    criteria = []
    matrices = []
    for j, criterion in enumerate(rubric.criteria):
        matrix = np.full((len(cases), len(readers)), -1, dtype=np.int64)
        matrix[case, reader] = code_to[answers[:, j]]
        if ((matrix >= 0).sum(axis=1) >= 2).any():
            matrices.append((criterion.id, matrix))
            criteria.append(_agreement(criterion.id, matrix, [a.label for a in scored],
                                       readers, "nominal"))
    return ReaderAgreements(rubric=RubricRef.of(rubric), inputs=[r.input for r in results],
                            readers=readers, cases=len(cases), grade=grade,
                            criteria=criteria,
                            calibration=calibrate(grades, matrices, readers,
                                                  [a.label for a in scored]))
