"""Compare the force's self-assessment with the inspectors' judgements of the same cases.

Audits are paired by case reference (ignoring case). Which grade of each audit is
compared is chosen by ``use``: ``final`` (the assessor's written grade, else the computed
one), ``computed`` (the rubric's) or ``given`` (written grades only). A case audited by
one side only is listed as unmatched, never dropped silently — except inspector-selected
cases, which only inspectors examine by design and are counted separately.

Levels run from 0 (the best grade) down the rubric's scale. "The force rated higher"
means the force's grade is better than the inspectors'. Two judgements differ
significantly when they are ``threshold`` or more levels apart (default: the rubric's
``significant_difference``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..problems import HmicAuditError, Problem
from ..rubric import ANSWER_CODES, Rubric
from ..scoring.grading import InputRef, RubricRef
from ..workbook.frame import AuditFrame, answer_matrix
from ..workbook.models import Assessor, Audit, AuditSet, GradedAudit, Sample
from .stats import Estimate, cohen_kappa, crosstab, krippendorff_alpha_ordinal, sign_test

GradeChoice = Literal["final", "computed", "given"]
GroupBy = Literal["case_type", "area"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Statistic(_Frozen):
    """A statistic with its 95% interval; ``value`` is None when undefined (see ``note``)."""

    value: float | None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    note: str | None = None

    @classmethod
    def of(cls, e: Estimate) -> Statistic:
        return cls(value=e.value, se=e.se, ci_low=e.ci_low, ci_high=e.ci_high, note=e.note)


class Direction(_Frozen):
    """Which side judged more favourably."""

    force_higher: int
    """Cases the force graded better than the inspectors did."""
    same: int
    force_lower: int
    """Cases the force graded worse than the inspectors did."""
    mean_difference: float
    """Mean of (inspector level - force level): positive when inspectors were harsher."""
    sign_test_p: float | None
    """Two-sided exact sign test on the cases that differ; None when none differ."""
    sentence: str


class Headline(_Frozen):
    """The headline agreement figures for a set of pairs."""

    pairs: int
    exact: int
    within_one: int
    kappa_quadratic: Statistic
    force_higher: int
    same: int
    force_lower: int
    significant: int


class GroupHeadline(Headline):
    group: str


class CriterionDifference(_Frozen):
    id: str
    force: str | None
    inspector: str | None


class _Pair(_Frozen):
    """A compared case: both grades and how far apart they are."""

    case_ref: str
    case_type: str
    area: str | None
    force_grade: str
    inspector_grade: str
    levels: int
    """Inspector level minus force level (positive: inspectors harsher)."""


class CaseDifference(_Pair):
    """A case whose two judgements differ significantly."""

    criteria: list[CriterionDifference]
    """Criteria where the two audits' answers differ."""


class CriterionAgreement(_Frozen):
    """How often the two sides gave a criterion the same answer."""

    id: str
    theme: str
    pairs: int
    """Pairs where both audits answered yes, partly or no."""
    agree: int
    share: float
    force_no: int
    inspector_no: int
    more_no: Literal["force", "inspector", "equal"]


class PairedCase(_Pair):
    """One compared case, and whether its judgements differ significantly."""

    significant: bool


class Unmatched(_Frozen):
    case_ref: str
    has: Assessor
    """The side that did audit the case."""
    file: str | None
    row: int | None


class Comparison(_Frozen):
    """Everything ``compare`` computes."""

    rubric: RubricRef
    inputs: list[InputRef]
    use: GradeChoice
    threshold: int
    grades: list[str]
    crosstab: list[list[int]]
    """Counts: force grade (rows) by inspector grade (columns), best grade first."""
    force_margin: list[int]
    inspector_margin: list[int]
    pairs: int
    exact: int
    exact_share: float
    within_one: int
    within_one_share: float
    kappa: dict[str, Statistic]
    """Cohen's kappa: ``unweighted``, ``linear`` and ``quadratic``."""
    alpha_ordinal: Statistic
    direction: Direction
    significant: list[CaseDifference]
    cases: list[PairedCase]
    criteria: list[CriterionAgreement]
    by: GroupBy | None
    groups: list[GroupHeadline]
    unmatched: list[Unmatched]
    excluded: list[str]
    """Pairs left out because one side has no grade of the kind compared."""
    inspector_only: int
    """Inspector-selected cases: examined by inspectors only, by design."""


def _grade_of(g: GradedAudit, use: GradeChoice) -> str | None:
    return {"final": g.final_grade, "computed": g.computed_grade, "given": g.given_grade}[use]


def _direction_sentence(higher: int, same: int, lower: int) -> str:
    n = higher + same + lower
    parts = [f"Inspectors judged {higher} of {n} cases less favourably than the force"]
    parts.append(f"in {lower} the force was harsher" if lower else "in none was the force "
                 "harsher")
    parts.append(f"in {same} they gave the same grade")
    return "; ".join(parts) + "."


def headline(force: np.ndarray, inspector: np.ndarray, k: int, threshold: int) -> Headline:
    """Agreement figures for paired levels (arrays of equal length)."""
    diff = inspector - force
    return Headline(
        pairs=int(len(diff)), exact=int((diff == 0).sum()),
        within_one=int((np.abs(diff) <= 1).sum()),
        kappa_quadratic=Statistic.of(cohen_kappa(crosstab(force, inspector, k), "quadratic")),
        force_higher=int((diff > 0).sum()), same=int((diff == 0).sum()),
        force_lower=int((diff < 0).sum()), significant=int((np.abs(diff) >= threshold).sum()))


def compare(audits: Sequence[Audit], graded: Sequence[GradedAudit], rubric: Rubric, *,
            inputs: Sequence[InputRef], use: GradeChoice = "final",
            threshold: int | None = None, by: GroupBy | None = None,
            two_files: bool = False, trust_samples: bool = True) -> Comparison:
    """Compare force and inspector judgements; ``audits`` and ``graded`` are parallel.

    ``trust_samples`` says whether an inspector-only case marked inspector-selected was
    so marked by the user (then it is not expected to pair); when False, as for two files
    whose inspector file has no sample column, every one-sided case is listed unmatched.
    """
    threshold = rubric.significant_difference if threshold is None else threshold
    if threshold < 1:
        raise HmicAuditError("bad threshold", [Problem(
            code="bad-threshold", value=str(threshold),
            message="--threshold must be at least 1 grade level")])
    sides: dict[str, dict[Assessor, int]] = {}
    for i, a in enumerate(audits):
        sides.setdefault(a.case_ref.casefold(), {})[a.assessor] = i
    paired, unmatched, excluded, inspector_only = [], [], [], 0
    mismatched = []
    for found in sides.values():
        if len(found) == 2:
            f, s = found[Assessor.FORCE], found[Assessor.INSPECTOR]
            if audits[f].case_type != audits[s].case_type:
                mismatched.append(_type_mismatch(audits[f], audits[s], rubric))
                continue
            if _grade_of(graded[f], use) is None or _grade_of(graded[s], use) is None:
                excluded.append(audits[f].case_ref)
            else:
                paired.append((f, s))
            continue
        [(side, i)] = found.items()
        if (side is Assessor.INSPECTOR and audits[i].sample is Sample.INSPECTOR_SELECTED
                and trust_samples):
            inspector_only += 1
            continue
        src = audits[i].source
        unmatched.append(Unmatched(case_ref=audits[i].case_ref, has=side,
                                   file=src.file if src else None,
                                   row=src.row if src else None))
    if mismatched:
        raise HmicAuditError(f"{len(mismatched)} case(s) differ in type between the two "
                             "sides", mismatched)
    if not paired:
        raise HmicAuditError("nothing to compare", [_why_no_pairs(
            len(sides), len(excluded), use, unmatched, two_files)])

    k = len(rubric.scale)
    level = {g: i for i, g in enumerate(rubric.grade_keys)}
    f_idx = np.array([f for f, _ in paired])
    i_idx = np.array([s for _, s in paired])
    force = np.array([level[_grade_of(graded[f], use)] for f in f_idx])  # type: ignore[index]
    insp = np.array([level[_grade_of(graded[s], use)] for s in i_idx])  # type: ignore[index]
    table = crosstab(force, insp, k)
    top = headline(force, insp, k, threshold)
    diff = insp - force
    n = top.pairs
    untied = (top.force_higher, top.force_lower)
    direction = Direction(
        force_higher=top.force_higher, same=top.same, force_lower=top.force_lower,
        mean_difference=float(diff.mean()), sign_test_p=sign_test(*untied),
        sentence=_direction_sentence(top.force_higher, top.same, top.force_lower))
    codes_f = answer_matrix([audits[f] for f in f_idx], rubric)
    codes_i = answer_matrix([audits[s] for s in i_idx], rubric)
    significant = [
        _case_difference(audits[f_idx[p]], audits[i_idx[p]], rubric, use, graded, f_idx[p],
                         i_idx[p], int(diff[p]))
        for p in np.flatnonzero(np.abs(diff) >= threshold)]
    return Comparison(
        rubric=RubricRef.of(rubric), inputs=list(inputs), use=use, threshold=threshold,
        grades=rubric.grade_keys, crosstab=table.tolist(),
        force_margin=table.sum(axis=1).tolist(), inspector_margin=table.sum(axis=0).tolist(),
        pairs=n, exact=top.exact, exact_share=top.exact / n, within_one=top.within_one,
        within_one_share=top.within_one / n,
        kappa={w: Statistic.of(cohen_kappa(table, w))  # type: ignore[arg-type]
               for w in ("unweighted", "linear", "quadratic")},
        alpha_ordinal=Statistic.of(krippendorff_alpha_ordinal(table)),
        direction=direction, significant=significant,
        cases=[PairedCase(case_ref=audits[f].case_ref, case_type=audits[f].case_type,
                          area=audits[f].area, force_grade=rubric.grade_keys[force[p]],
                          inspector_grade=rubric.grade_keys[insp[p]], levels=int(diff[p]),
                          significant=bool(abs(diff[p]) >= threshold))
               for p, f in enumerate(f_idx)],
        criteria=_criterion_agreement(codes_f, codes_i, rubric),
        by=by, groups=_groups(by, [audits[f] for f in f_idx], force, insp, k, threshold,
                              rubric),
        unmatched=unmatched, excluded=excluded, inspector_only=inspector_only)


def _why_no_pairs(cases: int, excluded: int, use: GradeChoice, unmatched: list[Unmatched],
                  two_files: bool) -> Problem:
    if excluded:
        return Problem(code="no-grades-to-compare", message=(
            f"{excluded} case(s) have both audits, but not a {use} grade on both sides; "
            + ("the assessors wrote no overall grade, so try --use final or --use computed"
               if use == "given" else "answer more criteria, or use --use given")))
    if cases == 0:
        return Problem(code="no-cases", message="there are no audits to compare")
    where = "the two files share no case reference" if two_files else \
        "no case has both a force and an inspector audit"
    sides = {u.has.value for u in unmatched}
    return Problem(code="no-pairs", message=f"{where} (audits found only from "
                   f"{' and '.join(sorted(sides)) or 'inspectors'}); check the case "
                   "references and the assessor column")


def _type_mismatch(force: Audit, inspector: Audit, rubric: Rubric) -> Problem:
    label = rubric.case_type_labels
    src = inspector.source
    where = f" ({force.source.file} row {force.source.row})" if force.source else ""
    return Problem(code="case-type-mismatch", file=src.file if src else None,
                   sheet=src.sheet if src else None, row=src.row if src else None,
                   column="case_type", value=label[inspector.case_type],
                   message=f"case {inspector.case_ref!r} is {label[inspector.case_type]!r} "
                   f"for the inspectors but {label[force.case_type]!r} for the force{where}; "
                   "a case has one type")


def _case_difference(force: Audit, inspector: Audit, rubric: Rubric, use: GradeChoice,
                     graded: Sequence[GradedAudit], fi: int, ii: int,
                     levels: int) -> CaseDifference:
    ids = [c.id for c in rubric.criteria
           if force.answers.get(c.id) != inspector.answers.get(c.id)]
    return CaseDifference(
        case_ref=force.case_ref, case_type=force.case_type, area=force.area,
        force_grade=_grade_of(graded[fi], use) or "", levels=levels,
        inspector_grade=_grade_of(graded[ii], use) or "",
        criteria=[CriterionDifference(id=c, force=force.answers.get(c),
                                      inspector=inspector.answers.get(c)) for c in ids])


def _criterion_agreement(f: np.ndarray, i: np.ndarray, rubric: Rubric
                         ) -> list[CriterionAgreement]:
    scored_f = (f >= 1) & (f <= 3)
    scored_i = (i >= 1) & (i <= 3)
    both = scored_f & scored_i
    pairs = both.sum(axis=0)
    agree = (both & (f == i)).sum(axis=0)
    no = ANSWER_CODES["no"]
    force_no = (both & (f == no)).sum(axis=0)
    insp_no = (both & (i == no)).sum(axis=0)
    result = []
    for j in np.flatnonzero(pairs):
        c = rubric.criteria[j]
        more = "equal" if force_no[j] == insp_no[j] else (
            "force" if force_no[j] > insp_no[j] else "inspector")
        result.append(CriterionAgreement(
            id=c.id, theme=c.theme, pairs=int(pairs[j]), agree=int(agree[j]),
            share=float(agree[j] / pairs[j]), force_no=int(force_no[j]),
            inspector_no=int(insp_no[j]), more_no=more))  # type: ignore[arg-type]
    return result


def _groups(by: GroupBy | None, audits: list[Audit], force: np.ndarray, insp: np.ndarray,
            k: int, threshold: int, rubric: Rubric) -> list[GroupHeadline]:
    if by is None:
        return []
    if by == "case_type":
        keys = [a.case_type for a in audits]
        order = [ct for ct in rubric.case_type_keys if ct in keys]
        label = rubric.case_type_labels
    else:
        keys = [a.area or "(no area)" for a in audits]
        order = sorted(set(keys))
        label = {k_: k_ for k_ in order}
    key_arr = np.array(keys, dtype=object)
    return [GroupHeadline(group=label[g], **headline(force[key_arr == g], insp[key_arr == g],
                                                      k, threshold).model_dump())
            for g in order]


def compare_sets(sets: Sequence[AuditSet | AuditFrame], rubric: Rubric, **options: object
                 ) -> Comparison:
    """Grade and compare one workbook holding both sides, or two (force's, inspectors')."""
    from ..scoring.grading import grade

    results = [grade(s, rubric) for s in sets]
    audits = [a for r in results for a in r.frame.to_audit_set(rubric).audits]
    graded = [g for r in results for g in r.audits]
    two = len(sets) > 1
    return compare(audits, graded, rubric, inputs=[r.input for r in results],
                   two_files=two, trust_samples=not two or "sample" in sets[-1].fields,
                   **options)  # type: ignore[arg-type]
