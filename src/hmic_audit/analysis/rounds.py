"""Two inspection rounds of one force: did the inspectors' judgements move?

HMIC went back after its inspections: a post-inspection review regraded cases, often a
year later and often under another programme's scale. :func:`rounds` takes the two graded
workbooks (round 1, then round 2) and sets the inspectors' final grades side by side on
one scale - the rubric's, when both rounds used it, else a crosswalk's target scale
(:mod:`~hmic_audit.analysis.common_scale`, as ``compare`` and ``annex`` do):

* each round's distribution of final grades, and the share judged acceptable (the common
  rubric's acceptable grades) with its Wilson interval;
* the change in that share (round 2 less round 1) with Newcombe's hybrid score interval;
* an ordinal test of shift: Mann-Whitney U (normal approximation, continuity and tie
  corrections, two-sided), the probability that a round-2 case is graded better than a
  round-1 case (ties a half) and Cliff's delta;
* the same by case type (types with graded cases in both rounds), and, when both rounds
  used the same rubric, each theme's mean score per round;
* the cases audited in both rounds (references equal ignoring case), paired: better,
  same or worse in round 2, with an exact sign test.

Only inspector audits count. A case counts once per round: its first inspector audit
with a final grade, in row order (later readings of a multi-reader workbook are counted
in ``later_readings``). Levels run from 0, the best grade: "better" is a lower level.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..crosswalk import Crosswalk, CrosswalkRef
from ..problems import HmicAuditError, Problem
from ..rubric import Rubric
from ..scoring.grading import GradeResult, RubricRef
from ..text import or_list, plural
from .common_scale import different_rubrics, needs_crosswalk, on_common_scale
from .pool import INSPECTOR
from .stats import sign_test, wilson_interval
from .two_samples import mann_whitney, newcombe_difference

__all__ = ["Change", "PairedCase", "PairedChanges", "RoundGrades", "Rounds", "ShiftTest",
           "ThemeMeans", "TypeShift", "counted_under", "rounds"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class RoundGrades(_Frozen):
    """One round's inspector final grades on the common scale."""

    round: int
    """1 or 2."""
    file: str
    sha256: str
    rubric: str
    """The rubric the round was graded under ('name vversion')."""
    cases: int
    """Cases counted: each case's first inspector audit with a final grade."""
    not_graded: int
    """Cases whose inspector audits have no final grade (left out)."""
    later_readings: int
    """Further inspector audits of counted cases (not counted)."""
    counts: dict[str, int]
    """Per grade of the common scale (key, best first), the cases given it."""
    acceptable: int
    acceptable_share: float
    acceptable_ci: tuple[float, float]
    """Wilson score 95% interval of the acceptable share."""


class Change(_Frozen):
    """The change in the share judged acceptable, round 2 less round 1."""

    acceptable_1: int
    cases_1: int
    acceptable_2: int
    cases_2: int
    share_1: float | None
    share_2: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    """Newcombe's hybrid score 95% interval (method 10, from Wilson intervals)."""
    note: str | None = None


class ShiftTest(_Frozen):
    """Mann-Whitney test of a shift in grades between the rounds."""

    cases_1: int
    cases_2: int
    u: float | None
    """U of round 1: pairs (round-1 case, round-2 case) where the round-1 case is graded
    worse, ties counting a half."""
    z: float | None
    p_value: float | None
    """Two-sided; normal approximation with continuity and tie corrections."""
    superiority: float | None
    """Probability that a round-2 case is graded better than a round-1 case (ties a half)."""
    cliffs_delta: float | None
    """P(round 2 better) - P(round 1 better), from -1 to 1."""
    note: str | None = None


class TypeShift(_Frozen):
    """One case type graded in both rounds."""

    case_type: str
    label: str
    counts_1: dict[str, int]
    counts_2: dict[str, int]
    change: Change
    shift: ShiftTest


class ThemeMeans(_Frozen):
    """One theme's mean score (0-100) per round, over the counted audits that scored it."""

    theme: str
    label: str
    audits_1: int
    mean_1: float | None
    audits_2: int
    mean_2: float | None
    difference: float | None
    """Round 2's mean less round 1's."""


class PairedCase(_Frozen):
    """A case audited in both rounds."""

    case_ref: str
    """As round 1 wrote it."""
    case_type: str
    grade_1: str
    grade_2: str
    change: Literal["better", "same", "worse"]
    """Round 2's grade against round 1's."""
    levels: int
    """Round 2's level less round 1's: negative is better."""


class PairedChanges(_Frozen):
    """The cases audited in both rounds, round 2's grade against round 1's."""

    cases: int
    better: int
    same: int
    worse: int
    sign_test_p: float | None
    """Two-sided exact sign test on the cases that changed; None when none changed."""
    note: str | None
    pairs: list[PairedCase]


class Rounds(_Frozen):
    """Everything :func:`rounds` finds (see the module docstring)."""

    rubric: RubricRef
    """The scale counted on: the rounds' rubric, or the crosswalk's common rubric."""
    crosswalk: CrosswalkRef | None
    acceptable: list[str]
    """Grade keys counted as acceptable."""
    rounds: list[RoundGrades]
    change: Change
    shift: ShiftTest
    by_case_type: list[TypeShift]
    by_theme: list[ThemeMeans]
    themes_note: str | None
    """Why there are no theme means, when there are none."""
    paired: PairedChanges
    sentence: str


def _first_graded(result: GradeResult, file_round: int) -> tuple[np.ndarray, int, int]:
    """Positions of each case's first inspector audit with a final grade (row order), the
    cases with inspector audits but no final grade, and further inspector audits of the
    counted cases; ``HmicAuditError`` when the round has no such audit."""
    f = result.frame
    inspector = np.flatnonzero(f.assessor == INSPECTOR)
    graded = inspector[result.final[inspector] >= 0]
    _, first = np.unique(f.case[graded], return_index=True)
    chosen = np.sort(graded[first])
    if not len(chosen):
        why = ("it has no inspector audits" if not len(inspector) else
               f"its {plural(len(inspector), 'inspector audit')} "
               f"{'has' if len(inspector) == 1 else 'have'} no final grade")
        raise HmicAuditError(f"round {file_round} has no graded inspector audit", [Problem(
            code="no-inspector-grades", file=f.file, sheet=f.sheet, message=f"round "
            f"{file_round}: {why}; rounds compares the inspectors' final grades (write "
            "a grade, or answer enough criteria for one to be computed)")])
    not_graded = len(np.setdiff1d(np.unique(f.case[inspector]), f.case[chosen]))
    later = int(np.isin(f.case[graded], f.case[chosen]).sum()) - len(chosen)
    return chosen, not_graded, later


def _change(x1: int, n1: int, x2: int, n2: int) -> Change:
    found = newcombe_difference(x1, n1, x2, n2)
    if found is None:
        return Change(acceptable_1=x1, cases_1=n1, acceptable_2=x2, cases_2=n2,
                      share_1=x1 / n1 if n1 else None, share_2=x2 / n2 if n2 else None,
                      difference=None, ci_low=None, ci_high=None,
                      note="a round has no graded case")
    d, low, high = found
    return Change(acceptable_1=x1, cases_1=n1, acceptable_2=x2, cases_2=n2, share_1=x1 / n1,
                  share_2=x2 / n2, difference=d, ci_low=low, ci_high=high)


def _shift(first: np.ndarray, second: np.ndarray) -> ShiftTest:
    s = mann_whitney(first, second)
    return ShiftTest(cases_1=s.n1, cases_2=s.n2, u=s.u, z=s.z, p_value=s.p_value,
                     superiority=s.superiority, cliffs_delta=s.cliffs_delta, note=s.note)


def _counts(levels: np.ndarray, keys: list[str]) -> dict[str, int]:
    found = np.bincount(levels, minlength=len(keys))
    return {k: int(n) for k, n in zip(keys, found.tolist(), strict=True)}


def same_rubric(a: Rubric, b: Rubric) -> bool:
    """Whether two rounds were graded under one rubric: same name, version and themes
    (their theme scores then measure the same thing)."""
    return (a.name == b.name and a.version == b.version and a.theme_keys == b.theme_keys
            and not needs_crosswalk([a, b]))


def counted_under(rubrics: Sequence[Rubric], crosswalk: Crosswalk | None) -> Rubric:
    """The rubric two rounds' grades are counted under: the crosswalk's common rubric,
    else the rounds' own (for renderers: labels and colours)."""
    if crosswalk is None:
        return rubrics[0]
    from .common_scale import common_rubric

    return common_rubric(crosswalk, rubrics)


def rounds(results: Sequence[GradeResult], *, crosswalk: Crosswalk | None = None
           ) -> Rounds:
    """Compare two graded rounds of one force (round 1, then round 2); see the module
    docstring. Rounds graded under different scales need ``crosswalk`` (else the error
    ``compare`` and ``annex`` give); with one, grades are counted on its target scale."""
    if len(results) != 2:
        raise ValueError("rounds takes exactly two graded inputs")
    rubrics = [r.graded_with for r in results]
    if crosswalk is None:
        if needs_crosswalk(rubrics):
            raise different_rubrics(rubrics)
        moved, common = list(results), rubrics[0]
    else:
        moved, common = on_common_scale(results, crosswalk)
    keys = common.grade_keys
    acceptable = common.acceptable_grades
    good = np.array([k in acceptable for k in keys], dtype=bool)

    chosen, summaries, levels, types = [], [], [], []
    for n, (result, original) in enumerate(zip(moved, results, strict=True), start=1):
        at, not_graded, later = _first_graded(result, n)
        level = result.final[at]
        ok = int(good[level].sum())
        ci = wilson_interval(ok, len(at)) or (0.0, 0.0)
        summaries.append(RoundGrades(
            round=n, file=result.input.file, sha256=result.input.sha256,
            rubric=f"{original.graded_with.name} v{original.graded_with.version}",
            cases=len(at), not_graded=not_graded, later_readings=later,
            counts=_counts(level, keys), acceptable=ok, acceptable_share=ok / len(at),
            acceptable_ci=ci))
        chosen.append(at)
        levels.append(level)
        type_keys = original.graded_with.case_type_keys
        types.append(np.array([type_keys[t] for t in original.frame.case_type[at].tolist()],
                              dtype=object))

    change = _change(summaries[0].acceptable, summaries[0].cases,
                     summaries[1].acceptable, summaries[1].cases)
    shift = _shift(levels[0], levels[1])
    by_type = _by_case_type(common, keys, good, levels, types)
    themed = same_rubric(*rubrics)
    by_theme = _by_theme(rubrics[0], results, chosen) if themed else []
    themes_note = None if themed else (
        "The rounds were graded under different rubrics, whose themes and criteria are "
        "not the same questions: theme scores are not compared.")
    paired = _paired(moved, chosen, levels, types, common)
    return Rounds(
        rubric=RubricRef.of(common),
        crosswalk=None if crosswalk is None else CrosswalkRef.of(crosswalk, rubrics),
        acceptable=acceptable, rounds=summaries, change=change, shift=shift,
        by_case_type=by_type, by_theme=by_theme, themes_note=themes_note, paired=paired,
        sentence=_sentence(change, shift, common))


def _by_case_type(common: Rubric, keys: list[str], good: np.ndarray,
                  levels: list[np.ndarray], types: list[np.ndarray]) -> list[TypeShift]:
    """Per case type graded in both rounds (the common rubric's order), the change in the
    acceptable share and the shift test."""
    found = []
    labels = common.case_type_labels
    for key in common.case_type_keys:
        one, two = levels[0][types[0] == key], levels[1][types[1] == key]
        if not len(one) or not len(two):
            continue
        found.append(TypeShift(
            case_type=key, label=labels[key], counts_1=_counts(one, keys),
            counts_2=_counts(two, keys),
            change=_change(int(good[one].sum()), len(one), int(good[two].sum()), len(two)),
            shift=_shift(one, two)))
    return found


def _by_theme(rubric: Rubric, results: Sequence[GradeResult], chosen: list[np.ndarray]
              ) -> list[ThemeMeans]:
    """Per theme, the mean theme score of each round's counted audits that scored it."""
    found = []
    for theme in rubric.themes:
        means: list[tuple[int, float | None]] = []
        for result, at in zip(results, chosen, strict=True):
            scores = result.arrays.theme_scores[theme.key][at]
            scores = scores[~np.isnan(scores)]
            means.append((len(scores), round(float(scores.mean()), 4) if len(scores)
                          else None))
        (a1, m1), (a2, m2) = means
        if not a1 and not a2:
            continue
        found.append(ThemeMeans(
            theme=theme.key, label=theme.label, audits_1=a1, mean_1=m1, audits_2=a2,
            mean_2=m2, difference=None if m1 is None or m2 is None else round(m2 - m1, 4)))
    return found


def _paired(moved: Sequence[GradeResult], chosen: list[np.ndarray],
            levels: list[np.ndarray], types: list[np.ndarray], common: Rubric
            ) -> PairedChanges:
    """The cases counted in both rounds (references equal ignoring case), in round 1's
    row order."""
    refs = [[str(r) for r in m.frame.case_ref[at].tolist()] for m, at in zip(
        moved, chosen, strict=True)]
    second = {ref.casefold(): i for i, ref in enumerate(refs[1])}
    labels = [g.label for g in common.scale]
    pairs = []
    for i, ref in enumerate(refs[0]):
        j = second.get(ref.casefold())
        if j is None:
            continue
        a, b = int(levels[0][i]), int(levels[1][j])
        pairs.append(PairedCase(
            case_ref=ref, case_type=str(types[0][i]), grade_1=labels[a], grade_2=labels[b],
            change="better" if b < a else "worse" if b > a else "same", levels=b - a))
    better = sum(p.change == "better" for p in pairs)
    worse = sum(p.change == "worse" for p in pairs)
    note = None
    if not pairs:
        note = "No case was audited in both rounds (case references compared ignoring case)."
    elif not better and not worse:
        note = "Every case audited in both rounds kept its grade: no sign test."
    return PairedChanges(cases=len(pairs), better=better, same=len(pairs) - better - worse,
                         worse=worse, sign_test_p=sign_test(better, worse), note=note,
                         pairs=pairs)


def _sentence(change: Change, shift: ShiftTest, common: Rubric) -> str:
    """The headline in words: the acceptable share in each round and the change."""
    if change.share_1 is None or change.share_2 is None or change.difference is None:
        return "A round has no graded case."
    words = or_list([common.grade_labels[k].lower() for k in common.acceptable_grades])
    moved = change.difference * 100
    way = "rose" if moved > 0 else "fell" if moved < 0 else "did not change"
    head = (f"Cases judged {words}: {100 * change.share_1:.0f}% in round 1, "
            f"{100 * change.share_2:.0f}% in round 2; the share {way}")
    if moved:
        head += (f" by {abs(moved):.1f} points (95% interval {100 * (change.ci_low or 0):.1f}"
                 f" to {100 * (change.ci_high or 0):.1f})")
    if shift.p_value is not None:
        head += f"; Mann-Whitney p = {shift.p_value:.3g}"
    return head + "."
