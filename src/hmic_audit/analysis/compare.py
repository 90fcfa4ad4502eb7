"""Compare the force's self-assessment with the inspectors' judgements of the same cases.

Audits are paired by case (references equal ignoring case, across the inputs too).
Which grade of each audit is compared is chosen by ``use``: ``final`` (the assessor's
written grade, else the computed one), ``computed`` (the rubric's) or ``given`` (written
grades only). A case audited by one side only is listed as unmatched, never dropped
silently - except inspector-selected cases, which only inspectors examine by design and
are counted separately.

Levels run from 0 (the best grade) down the rubric's scale. "The force rated higher"
means the force's grade is better than the inspectors'. Two judgements differ
significantly when they are ``threshold`` or more levels apart (default: the rubric's
``significant_difference``).

Everything is computed on the graded columns (:class:`~hmic_audit.analysis.pool.Pool`);
the pairs and their cross-tab come from :mod:`hmic_audit.analysis.tables`, as they do for
the annex and the report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from pydantic import TypeAdapter

from ..crosswalk import Crosswalk, CrosswalkRef
from ..problems import HmicAuditError, Problem
from ..rubric import Rubric
from ..scoring.grading import GradeResult, RubricRef
from ..text import plural
from ..workbook.format import ASSESSORS
from .common_scale import different_rubrics, needs_crosswalk, on_common_scale
from .comparison import (
    CaseColumns,
    CaseDifference,
    Comparison,
    CriterionAgreement,
    CriterionDifference,
    Direction,
    GradeChoice,
    GroupBy,
    GroupHeadline,
    Headline,
    PairedCase,
    Statistic,
    Unmatched,
)
from .pairs import Pairs, Sides, pairs, sides
from .pool import Gradable, Pool, as_results, encode, many_objects
from .stats import cohen_kappa, crosstab, gwet_ac, krippendorff_alpha_ordinal, sign_test
from .tables import FORCE, FURTHER, INSPECTOR, NO_AREA

__all__ = ["CaseDifference", "Comparison", "CriterionAgreement", "CriterionDifference",
           "Direction", "GradeChoice", "GroupBy", "GroupHeadline", "Headline", "PairedCase",
           "Statistic", "Unmatched", "compare", "compare_or_none", "compare_sets",
           "headline"]

NOTHING_TO_COMPARE = ("no-pairs", "no-cases", "no-grades-to-compare")
"""Problem codes meaning the inputs hold no pair to compare (not a bad input)."""


def _direction_sentence(higher: int, same: int, lower: int) -> str:
    n = higher + same + lower
    parts = [f"Inspectors judged {higher} of {n} cases less favourably than the force"]
    parts.append(f"in {lower} the force was harsher" if lower else "in none was the force "
                 "harsher")
    parts.append(f"in {same} they gave the same grade" if same else
                 "in none did they give the same grade")
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


def compare(results: Sequence[GradeResult], rubric: Rubric, *, use: GradeChoice = "final",
            threshold: int | None = None, by: GroupBy | None = None,
            two_files: bool = False, trust_samples: bool = True,
            shared_types: np.ndarray | None = None) -> Comparison:
    """Compare force and inspector judgements of the graded inputs (one holding both
    sides, or the force's then the inspectors').

    ``trust_samples`` says whether an inspector-only case marked inspector-selected was
    so marked by the user (then it is not expected to pair); when False, as for two files
    whose inspector file has no sample column, every one-sided case is listed unmatched.
    ``shared_types`` (per case type of ``rubric``: is it a type of every input's rubric?)
    is for inputs under rubrics with different case types, put on one scale by a
    crosswalk: the two audits of a case must agree on a type both rubrics have, and may
    differ when one side's type is the other rubric's unknown (a pair takes the force's).
    """
    threshold = rubric.significant_difference if threshold is None else threshold
    if threshold < 1:
        raise HmicAuditError("bad threshold", [Problem(
            code="bad-threshold", value=str(threshold),
            message="--threshold must be at least 1 grade level")])
    pool = Pool(results)
    level = pool.level(use)
    # Several readers of one case (a ``reader`` column): the first audit of each side in
    # row order is compared; the later readings are listed (hmic-audit agree reads them).
    _, first = np.unique(pool.case * 2 + pool.assessor, return_index=True)
    keep = np.zeros(len(pool), dtype=bool)
    keep[first] = True
    found = sides(pool.case, pool.assessor, keep if not keep.all() else None)
    both = found.both()
    f, i = found.force[both], found.inspector[both]
    mismatched = pool.case_type[f] != pool.case_type[i]
    if shared_types is not None:
        mismatched &= shared_types[pool.case_type[f]] & shared_types[pool.case_type[i]]
    if mismatched.any():
        n = int(mismatched.sum())
        raise HmicAuditError(
            f"{plural(n, 'case')} {'differs' if n == 1 else 'differ'} in type between the "
            "two sides", [_type_mismatch(pool, a, b, rubric) for a, b in
                          zip(f[mismatched].tolist(), i[mismatched].tolist(), strict=True)])
    graded = (level[f] >= 0) & (level[i] >= 0)
    excluded = pool.refs(f[~graded])
    unmatched, inspector_only = _one_sided(pool, found, trust_samples)
    if not graded.any():
        raise HmicAuditError("nothing to compare", [_why_no_pairs(
            len(found.force), len(excluded), use, unmatched, two_files)])
    with many_objects():
        found_comparison = _comparison(
            pool, pairs(found, level, both[graded]), rubric, use=use, threshold=threshold,
            by=by, unmatched=unmatched, excluded=excluded, inspector_only=inspector_only)
    if keep.all():
        return found_comparison
    return found_comparison.model_copy(update={"later_readings": pool.case_list(
        np.flatnonzero(~keep))})


def _comparison(pool: Pool, paired: Pairs, rubric: Rubric, *, use: GradeChoice,
                threshold: int, by: GroupBy | None, unmatched: list[Unmatched],
                excluded: list[str], inspector_only: int) -> Comparison:
    """Every figure of a comparison from its pairs."""
    k = len(rubric.scale)
    force, insp = paired.force_level, paired.inspector_level
    table = paired.crosstab(k)
    top = headline(force, insp, k, threshold)
    diff = paired.difference
    n = top.pairs
    direction = Direction(
        force_higher=top.force_higher, same=top.same, force_lower=top.force_lower,
        mean_difference=float(diff.mean()), sign_test_p=sign_test(top.force_higher,
                                                                  top.force_lower),
        sentence=_direction_sentence(top.force_higher, top.same, top.force_lower))
    codes_f, codes_i = pool.answers[paired.force], pool.answers[paired.inspector]
    keys = rubric.grade_keys
    refs = pool.refs(paired.force)
    types = np.asarray(rubric.case_type_keys, dtype=object)[pool.case_type[paired.force]].tolist()
    areas = pool.extra("area")[paired.force].tolist()
    columns = CaseColumns(case_ref=refs, case_type=types, area=areas, grades=keys,
                          force_level=force, inspector_level=insp, threshold=threshold)
    apart = np.flatnonzero(columns.significant)
    criteria = _answered_differently(codes_f[apart], codes_i[apart], rubric)
    # Plain records: the Comparison validates them all at once (much faster than a
    # model each, and the models are the same).
    significant = [
        {"case_ref": refs[p], "case_type": types[p], "area": areas[p],
         "force_grade": keys[force[p]], "inspector_grade": keys[insp[p]],
         "levels": int(diff[p]), "criteria": differ}
        for p, differ in zip(apart.tolist(), criteria, strict=True)]
    return Comparison.of(
        columns, rubric=RubricRef.of(rubric), inputs=[r.input for r in pool.results], use=use,
        threshold=threshold, grades=keys, crosstab=table.tolist(),
        force_margin=table.sum(axis=1).tolist(), inspector_margin=table.sum(axis=0).tolist(),
        pairs=n, exact=top.exact, exact_share=top.exact / n, within_one=top.within_one,
        within_one_share=top.within_one / n,
        kappa={w: Statistic.of(cohen_kappa(table, w))
               for w in ("unweighted", "linear", "quadratic")},
        alpha_ordinal=Statistic.of(krippendorff_alpha_ordinal(table)),
        ac1=Statistic.of(gwet_ac(table)), ac2_quadratic=Statistic.of(gwet_ac(table, "quadratic")),
        direction=direction, significant=significant,
        criteria=_criterion_agreement(codes_f, codes_i, rubric),
        by=by, groups=_groups(by, pool, paired, k, threshold, rubric),
        unmatched=unmatched, excluded=excluded, inspector_only=inspector_only,
        moderated=sum(int(r.moderated.sum()) for r in pool.results))


def _one_sided(pool: Pool, found: Sides, trust_samples: bool
               ) -> tuple[list[Unmatched], int]:
    """Cases audited by one side: the unmatched, and how many are inspector-only by
    design (inspector-selected, when the samples can be trusted)."""
    force, insp = found.force, found.inspector
    alone = np.flatnonzero((force >= 0) != (insp >= 0))
    audit = np.where(force[alone] >= 0, force[alone], insp[alone])
    by_design = (pool.assessor[audit] == INSPECTOR) & (pool.sample[audit] == FURTHER)
    if not trust_samples:
        by_design[:] = False
    listed = audit[~by_design]
    files = [r.frame.file for r in pool.results]
    records = [{"case_ref": ref, "has": ASSESSORS[side], "file": files[source], "row": row}
               for ref, side, source, row in zip(
                   pool.refs(listed), pool.assessor[listed].tolist(),
                   pool.source[listed].tolist(), pool.row[listed].tolist(), strict=True)]
    with many_objects():
        unmatched = TypeAdapter(list[Unmatched]).validate_python(records)
    return unmatched, int(by_design.sum())


def _why_no_pairs(cases: int, excluded: int, use: GradeChoice, unmatched: list[Unmatched],
                  two_files: bool) -> Problem:
    if excluded:
        return Problem(code="no-grades-to-compare", message=(
            f"{plural(excluded, 'case')} {'has' if excluded == 1 else 'have'} both audits, "
            f"but not a {use} grade on both sides; "
            + ("the assessors wrote no overall grade, so try --use final or --use computed"
               if use == "given" else "answer more criteria, or use --use given")))
    if cases == 0:
        return Problem(code="no-cases", message="there are no audits to compare")
    where = "the two files share no case reference" if two_files else \
        "no case has both a force and an inspector audit"
    found = {u.has.value for u in unmatched}
    return Problem(code="no-pairs", message=f"{where} (audits found only from "
                   f"{' and '.join(sorted(found)) or 'inspectors'}); check the case "
                   "references and the assessor column")


def _type_mismatch(pool: Pool, force: int, inspector: int, rubric: Rubric) -> Problem:
    label = rubric.case_type_labels
    keys = rubric.case_type_keys
    mine, theirs = keys[pool.case_type[inspector]], keys[pool.case_type[force]]
    ref = pool.case_ref[inspector]
    sheet = pool.results[int(pool.source[inspector])].frame.sheet
    return Problem(code="case-type-mismatch", file=pool.file(inspector), sheet=sheet,
                   row=int(pool.row[inspector]), column="case_type", value=label[mine],
                   message=f"case {ref!r} is {label[mine]!r} for the inspectors but "
                   f"{label[theirs]!r} for the force ({pool.file(force)} row "
                   f"{int(pool.row[force])}); a case has one type")


def _answered_differently(force: np.ndarray, inspector: np.ndarray, rubric: Rubric
                          ) -> list[list[CriterionDifference]]:
    """Per pair (rows of two answer matrices), the criteria answered differently, in
    rubric order. The same few differences recur, so each is made once and shared."""
    ids = rubric.criterion_ids
    rows, cols = np.nonzero(force != inspector)
    codes = len(rubric.answers) + 1
    kind = (cols * codes + force[rows, cols]) * codes + inspector[rows, cols]
    distinct, which = np.unique(kind, return_inverse=True)
    named = rubric.code_answers
    made = [CriterionDifference(id=ids[k // (codes * codes)],
                                force=named.get(k // codes % codes),
                                inspector=named.get(k % codes))
            for k in distinct.tolist()]
    found = [made[w] for w in np.asarray(which).reshape(-1).tolist()]
    per_pair = np.bincount(rows, minlength=len(force))
    ends = np.cumsum(per_pair)
    return [found[start:end] for start, end in zip((ends - per_pair).tolist(), ends.tolist(),
                                                    strict=True)]


def _criterion_agreement(f: np.ndarray, i: np.ndarray, rubric: Rubric
                         ) -> list[CriterionAgreement]:
    scored = rubric.scored_codes
    both = scored[f] & scored[i]
    pairs_ = both.sum(axis=0)
    agree = (both & (f == i)).sum(axis=0)
    no = rubric.code_of(rubric.worst_answer.key)
    force_no = (both & (f == no)).sum(axis=0)
    insp_no = (both & (i == no)).sum(axis=0)
    result = []
    for j in np.flatnonzero(pairs_):
        c = rubric.criteria[j]
        more = "equal" if force_no[j] == insp_no[j] else (
            "force" if force_no[j] > insp_no[j] else "inspector")
        result.append(CriterionAgreement(
            id=c.id, theme=c.theme, pairs=int(pairs_[j]), agree=int(agree[j]),
            share=float(agree[j] / pairs_[j]), force_no=int(force_no[j]),
            inspector_no=int(insp_no[j]), more_no=more))  # type: ignore[arg-type]
    return result


def _groups(by: GroupBy | None, pool: Pool, paired: Pairs, k: int, threshold: int,
            rubric: Rubric) -> list[GroupHeadline]:
    """Headline figures per case type or area (of the force's audit of each pair)."""
    if by is None:
        return []
    force, insp = paired.force_level, paired.inspector_level
    if by == "case_type":
        codes = pool.case_type[paired.force]
        order = np.unique(codes).tolist()
        labels = [rubric.case_type_labels[rubric.case_type_keys[t]] for t in order]
    else:
        codes, found = encode(pool.extra("area")[paired.force], NO_AREA)
        labels = sorted(found)
        order = [found.index(x) for x in labels]
    return [GroupHeadline(group=label, **headline(force[codes == g], insp[codes == g], k,
                                                  threshold).model_dump())
            for g, label in zip(order, labels, strict=True)]


def compare_sets(inputs: Sequence[Gradable], rubric: Rubric, *,
                 crosswalk: Crosswalk | None = None, **options: object) -> Comparison:
    """Compare one input holding both sides, or two (the force's, then the inspectors').

    Each input is a ``GradeResult`` (used as it is, under the rubric that graded it), or
    an ``AuditFrame`` or ``AuditSet`` (graded first with ``rubric``). Inputs graded under
    different rubrics need a ``crosswalk``; with one, grades are compared on its target
    scale (:mod:`~hmic_audit.analysis.common_scale`) and criteria are not. ``options``
    are those of :func:`compare`.
    """
    results = as_results(inputs, rubric)
    two = len(results) > 1
    trust = not two or "sample" in results[-1].frame.fields
    rubrics = [r.graded_with for r in results]
    if crosswalk is None:
        if needs_crosswalk(rubrics):
            raise different_rubrics(rubrics)
        return compare(results, rubric, two_files=two, trust_samples=trust,
                       **options)  # type: ignore[arg-type]
    moved, common = on_common_scale(results, crosswalk)
    shared = np.array([all(k in r.case_type_keys for r in rubrics)
                       for k in common.case_type_keys], dtype=bool)
    found = compare(moved, common, two_files=two, trust_samples=trust,
                    shared_types=shared, **options)  # type: ignore[arg-type]
    use = str(options.get("use", "final"))
    given = _original_grades(results, use)
    folded = [ref.casefold() for ref in found.paired.case_ref]
    moved_back = found.model_copy(update={"crosswalk": CrosswalkRef.of(crosswalk, rubrics)})
    moved_back._paired = dataclasses.replace(
        found.paired, force_original=[given.get((ref, FORCE)) for ref in folded],
        inspector_original=[given.get((ref, INSPECTOR)) for ref in folded])
    return moved_back


def _original_grades(results: Sequence[GradeResult], use: str
                     ) -> dict[tuple[str, int], str]:
    """(case reference folded, assessor) -> the grade compared, as its own rubric labels
    it (before a crosswalk moved it)."""
    found: dict[tuple[str, int], str] = {}
    for result in results:
        labels = [g.label for g in result.graded_with.scale]
        for ref, who, level in zip(result.frame.case_ref.tolist(),
                                   result.frame.assessor.tolist(),
                                   result.level(use).tolist(), strict=True):
            if level >= 0:
                found.setdefault((str(ref).casefold(), who), labels[level])
    return found


def compare_or_none(inputs: Sequence[Gradable], rubric: Rubric, *,
                    crosswalk: Crosswalk | None = None, **options: object
                    ) -> Comparison | None:
    """Like :func:`compare_sets`, but None when the inputs hold no pair to compare (no
    case audited by both sides, or none graded on both): for the report, whose
    comparison chapter is optional."""
    try:
        return compare_sets(inputs, rubric, crosswalk=crosswalk, **options)
    except HmicAuditError as exc:
        if exc.problems and exc.problems[0].code in NOTHING_TO_COMPARE:
            return None
        raise
