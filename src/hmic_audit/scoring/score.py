"""Score audits against a rubric: pure functions, vectorised with numpy, no I/O.

For an audit, each criterion that applies to its case type and was answered yes, partly
or no scores ``weight x answer_score``; n/a and blank answers leave the denominator. The
score is the weighted share earned, 0-100. The band grade is the best grade whose lowest
score the audit reaches; limiting criteria then cap it ("no better than"). An audit with
fewer scored answers than ``rubric.min_answered`` (or no weight to score) is not
gradable: it gets no computed grade rather than a silent "inadequate". The assessor's
own written grade is kept beside the computed one; when both exist and differ the audit
is flagged as an override, and the assessor's grade is the final one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..rubric import Rubric
from ..workbook.models import Audit, GradedAudit, Reason

ANSWER_CODES = {"yes": 1, "partly": 2, "no": 3, "n/a": 4}
"""Integer codes used in the answer matrix; 0 is blank."""
_CODE_ANSWERS = {v: k for k, v in ANSWER_CODES.items()}
SCORE_DECIMALS = 6
"""Scores are rounded before banding so 79.99999999 from float arithmetic reads as 80."""


@dataclass(frozen=True)
class ScoreArrays:
    """Column arrays of a scoring run, one entry per audit."""

    score: np.ndarray  # float, NaN when not gradable
    answered: np.ndarray  # int
    gradable: np.ndarray  # bool
    band_level: np.ndarray  # int, -1 when not gradable (0 = best grade)
    cap_level: np.ndarray  # int, 0 when no cap
    level: np.ndarray  # int, -1 when not gradable
    theme_scores: dict[str, np.ndarray]
    lost: np.ndarray  # float (audits x criteria): score points each answer cost
    fired: np.ndarray  # bool (audits x rules): which limiting rules fired


def answer_matrix(audits: Sequence[Audit], rubric: Rubric) -> np.ndarray:
    """Audits x criteria matrix of answer codes (0 blank, 1 yes, 2 partly, 3 no, 4 n/a)."""
    position = {cid: j for j, cid in enumerate(rubric.criterion_ids)}
    codes = np.zeros((len(audits), len(position)), dtype=np.int8)
    for i, audit in enumerate(audits):
        for cid, answer in audit.answers.items():
            codes[i, position[cid]] = ANSWER_CODES[answer]
    return codes


def applicability(rubric: Rubric) -> np.ndarray:
    """Case types x criteria boolean matrix: does the criterion apply?"""
    return np.array([[rubric.applies(c.id, ct) for c in rubric.criteria]
                     for ct in rubric.case_type_keys], dtype=bool)


def score_codes(codes: np.ndarray, type_index: np.ndarray, rubric: Rubric) -> ScoreArrays:
    """Score a matrix of answer codes; ``type_index`` gives each audit's case type position."""
    n, k = codes.shape
    points = np.array([0.0, rubric.answer_scores["yes"], rubric.answer_scores["partly"],
                       rubric.answer_scores["no"], 0.0])
    weights = np.array([c.weight for c in rubric.criteria], dtype=float)
    applies = applicability(rubric)[type_index] if n else np.zeros((0, k), dtype=bool)
    scored = applies & (codes >= 1) & (codes <= 3)
    earned_each = np.where(scored, points[codes] * weights, 0.0)
    possible_each = np.where(scored, weights, 0.0)
    earned = earned_each.sum(axis=1)
    possible = possible_each.sum(axis=1)
    answered = scored.sum(axis=1)
    gradable = (answered >= rubric.min_answered) & (possible > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(gradable, np.round(100.0 * earned / possible, SCORE_DECIMALS), np.nan)
        lost = np.where(possible[:, None] > 0,
                        100.0 * (possible_each - earned_each) / possible[:, None], 0.0)

    # Bands are strictly decreasing, best first: the level is how many bands lie above.
    lower_bounds = np.array([rubric.bands[g] for g in rubric.grade_keys[:-1]])
    band_level = (np.nan_to_num(score, nan=-1.0)[:, None] < lower_bounds[None, :]).sum(axis=1)
    rules = rubric.limiting
    fired = np.zeros((n, len(rules)), dtype=bool)
    cap_level = np.zeros(n, dtype=int)
    for r, rule in enumerate(rules):
        j = rubric.criterion_ids.index(rule.criterion)
        fired[:, r] = applies[:, j] & (codes[:, j] == ANSWER_CODES[rule.when]) & gradable
        cap_level = np.where(fired[:, r], np.maximum(cap_level, rubric.grade_level(rule.cap)),
                             cap_level)
    level = np.where(gradable, np.maximum(band_level, cap_level), -1)
    band_level = np.where(gradable, band_level, -1)

    # Theme totals as one matrix product each (criteria x themes membership).
    member = np.array([[c.theme == t for t in rubric.theme_keys] for c in rubric.criteria],
                      dtype=float)
    t_possible = possible_each @ member
    t_earned = earned_each @ member
    with np.errstate(invalid="ignore", divide="ignore"):
        t_scores = np.where(t_possible > 0,
                            np.round(100.0 * t_earned / t_possible, SCORE_DECIMALS), np.nan)
    theme_scores = {t: t_scores[:, j] for j, t in enumerate(rubric.theme_keys)}
    return ScoreArrays(score=score, answered=answered, gradable=gradable,
                       band_level=band_level, cap_level=cap_level, level=level,
                       theme_scores=theme_scores, lost=lost, fired=fired)


def grade_audits(audits: Sequence[Audit], rubric: Rubric, *,
                 reasons: bool = True) -> list[GradedAudit]:
    """Score every audit and explain each computed grade (``reasons=False`` leaves the
    explanations out, for callers that only count grades: a reason is a model each)."""
    type_pos = {ct: i for i, ct in enumerate(rubric.case_type_keys)}
    type_index = np.array([type_pos[a.case_type] for a in audits], dtype=int)
    codes = answer_matrix(audits, rubric)
    arrays = score_codes(codes, type_index, rubric)
    keys = rubric.grade_keys
    graded = []
    for i, audit in enumerate(audits):
        gradable = bool(arrays.gradable[i])
        computed = keys[arrays.level[i]] if gradable else None
        given = audit.grade
        graded.append(GradedAudit(
            case_ref=audit.case_ref, sample=audit.sample, case_type=audit.case_type,
            assessor=audit.assessor, area=audit.area, force=audit.force,
            answered=int(arrays.answered[i]),
            gradable=gradable,
            score=float(arrays.score[i]) if gradable else None,
            theme_scores={t: (None if np.isnan(v[i]) else float(v[i]))
                          for t, v in arrays.theme_scores.items()},
            band_grade=keys[arrays.band_level[i]] if gradable else None,
            computed_grade=computed,
            given_grade=given,
            final_grade=given or computed,
            override=bool(given and computed and given != computed),
            caps=[rule.criterion for r, rule in enumerate(rubric.limiting)
                  if arrays.fired[i, r] and rubric.grade_level(rule.cap) > arrays.band_level[i]],
            reasons=_reasons(i, codes, arrays, rubric) if reasons else [],
            example=audit.example,
            source=audit.source,
        ))
    return graded


def _reasons(i: int, codes: np.ndarray, arrays: ScoreArrays, rubric: Rubric) -> list[Reason]:
    """Why audit ``i`` got its grade: caps that fired first, then points lost, largest first."""
    if not arrays.gradable[i]:
        return [Reason(kind="not-gradable", message=(
            f"only {int(arrays.answered[i])} scored answer(s); the rubric needs at least "
            f"{rubric.min_answered} (n/a and blank answers do not count)"))]
    reasons = []
    for r, rule in enumerate(rubric.limiting):
        if arrays.fired[i, r]:
            label = rubric.grade_labels[rule.cap].lower()
            lowered = rubric.grade_level(rule.cap) > arrays.band_level[i]
            effect = "capped the grade" if lowered else "caps the grade (no effect here)"
            reasons.append(Reason(
                kind="cap", criterion=rule.criterion, answer=rule.when, cap=rule.cap,
                message=f"{rule.criterion} answered {rule.when}: {effect} at {label} - "
                f"{rule.reason}"))
    lost = arrays.lost[i]
    order = sorted((j for j in range(len(rubric.criteria)) if lost[j] > 1e-9),
                   key=lambda j: (-round(lost[j], 9), j))
    for j in order:
        criterion = rubric.criteria[j]
        answer = _CODE_ANSWERS[int(codes[i, j])]
        reasons.append(Reason(
            kind="points", criterion=criterion.id, answer=answer,  # type: ignore[arg-type]
            points_lost=round(float(lost[j]), 2),
            message=f"{criterion.id} answered {answer}: -{lost[j]:.1f} points"))
    return reasons
