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

from dataclasses import dataclass

import numpy as np

from ..rubric import ANSWER_CODES, CODE_ANSWERS, Rubric

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
    possible: np.ndarray  # float: the weight the audit's scored answers could earn
    fired: np.ndarray  # bool (audits x rules): which limiting rules fired


def applicability(rubric: Rubric) -> np.ndarray:
    """Case types x criteria boolean matrix: does the criterion apply?"""
    return np.array([[rubric.applies(c.id, ct) for c in rubric.criteria]
                     for ct in rubric.case_type_keys], dtype=bool)


def score_codes(codes: np.ndarray, type_index: np.ndarray, rubric: Rubric) -> ScoreArrays:
    """Score a matrix of answer codes; ``type_index`` gives each audit's case type position."""
    n, k = codes.shape
    if n and not codes.any():  # grades only (the wide layout): nothing to score
        return _unscored(n, k, rubric)
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
                       theme_scores=theme_scores, possible=possible, fired=fired)


def _unscored(n: int, k: int, rubric: Rubric) -> ScoreArrays:
    """The scores of audits without a single answer: none of them gradable."""
    none = np.full(n, np.nan)
    return ScoreArrays(score=none, answered=np.zeros(n, dtype=np.int64),
                       gradable=np.zeros(n, dtype=bool), band_level=np.full(n, -1),
                       cap_level=np.zeros(n, dtype=int), level=np.full(n, -1),
                       theme_scores=dict.fromkeys(rubric.theme_keys, none),
                       possible=np.zeros(n), fired=np.zeros((n, len(rubric.limiting)),
                                                             dtype=bool))


def points_lost(arrays: ScoreArrays, codes: np.ndarray, type_index: np.ndarray,
                rubric: Rubric) -> np.ndarray:
    """Audits x criteria: the share of the 0-100 score each answer cost (0 for answers
    that do not count, and for audits that are not gradable)."""
    points = np.array([0.0, rubric.answer_scores["yes"], rubric.answer_scores["partly"],
                       rubric.answer_scores["no"], 0.0])
    weights = np.array([c.weight for c in rubric.criteria], dtype=float)
    applies = applicability(rubric)[type_index]
    scored = applies & (codes >= 1) & (codes <= 3) & arrays.gradable[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        lost = (1.0 - points[codes]) * weights * 100.0 / arrays.possible[:, None]
    return np.where(scored, lost, 0.0)


ReasonData = tuple[str, str | None, str | None, float, str | None, str]
"""(kind, criterion, answer, points lost, cap, message): a reason, before it becomes a
:class:`~hmic_audit.workbook.models.Reason` model (only when per-audit results are asked
for) or a line of the graded table."""


def reasons(arrays: ScoreArrays, codes: np.ndarray, type_index: np.ndarray,
            rubric: Rubric) -> list[list[ReasonData]]:
    """Why every audit got its computed grade: the limiting rules that fired first (in
    rubric order), then the points each answer cost, largest first; or why it could not be
    graded. Built for all audits at once."""
    n = len(arrays.gradable)
    parts: list[list[ReasonData]] = [[] for _ in range(n)]
    for r, rule in enumerate(rubric.limiting):
        label = rubric.grade_labels[rule.cap].lower()
        level = rubric.grade_level(rule.cap)
        for i in np.flatnonzero(arrays.fired[:, r]).tolist():
            effect = ("capped the grade" if level > arrays.band_level[i]
                      else "caps the grade (no effect here)")
            parts[i].append(("cap", rule.criterion, rule.when, 0.0, rule.cap,
                             f"{rule.criterion} answered {rule.when}: {effect} at {label} - "
                             f"{rule.reason}"))
    lost = points_lost(arrays, codes, type_index, rubric)
    rows, cols = np.nonzero(lost > 1e-9)
    values = lost[rows, cols]
    order = np.lexsort((cols, -np.round(values, 9), rows))
    rows, cols, values = rows[order], cols[order], values[order]
    ids = rubric.criterion_ids
    made: dict[tuple[int, int, float], ReasonData] = {}  # the same few reasons recur
    for i, j, a, v in zip(rows.tolist(), cols.tolist(), codes[rows, cols].tolist(),
                          values.tolist(), strict=True):
        reason = made.get((j, a, v))
        if reason is None:
            answer = CODE_ANSWERS[a]
            reason = made[(j, a, v)] = ("points", ids[j], answer, round(v, 2), None,
                                        f"{ids[j]} answered {answer}: -{v:.1f} points")
        parts[i].append(reason)
    minimum = rubric.min_answered
    for i in np.flatnonzero(~arrays.gradable).tolist():
        parts[i] = [("not-gradable", None, None, 0.0, None,
                     f"only {int(arrays.answered[i])} scored answer(s); the rubric needs at "
                     f"least {minimum} (n/a and blank answers do not count)")]
    return parts


def caps_applied(arrays: ScoreArrays, rubric: Rubric) -> list[list[str]]:
    """Per audit, the criteria whose limiting rule lowered the grade."""
    caps: list[list[str]] = [[] for _ in range(len(arrays.gradable))]
    for r, rule in enumerate(rubric.limiting):
        lowered = arrays.fired[:, r] & (rubric.grade_level(rule.cap) > arrays.band_level)
        for i in np.flatnonzero(lowered).tolist():
            caps[i].append(rule.criterion)
    return caps
