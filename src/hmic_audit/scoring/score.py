"""Score audits against a rubric: pure functions, vectorised with numpy, no I/O.

For an audit, each criterion that applies to its case type and got a scored answer (yes,
partly or no in the default rubric) scores ``weight x the answer's score``; unscored
answers (n/a) and blanks leave the denominator. The
score is the weighted share earned, 0-100. The band grade is the best grade whose lowest
score the audit reaches; limiting criteria then cap it ("no better than"). An audit with
fewer scored answers than ``rubric.min_answered`` (or no weight to score) is not
gradable: it gets no computed grade rather than a silent "inadequate". The assessor's
own written grade is kept beside the computed one; when both exist and differ the audit
is flagged as an override, and the assessor's grade is the final one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..rubric import Rubric
from ..text import plural

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

    def part(self, rows: slice) -> ScoreArrays:
        """The arrays of some audits (views, no copies)."""
        return ScoreArrays(
            score=self.score[rows], answered=self.answered[rows],
            gradable=self.gradable[rows], band_level=self.band_level[rows],
            cap_level=self.cap_level[rows], level=self.level[rows],
            theme_scores={t: v[rows] for t, v in self.theme_scores.items()},
            possible=self.possible[rows], fired=self.fired[rows])


def applicability(rubric: Rubric) -> np.ndarray:
    """Case types x criteria boolean matrix: does the criterion apply?"""
    return np.array([[rubric.applies(c.id, ct) for c in rubric.criteria]
                     for ct in rubric.case_type_keys], dtype=bool)


CHUNK = 65_536
"""Audits scored at a time: the temporary matrices stay small and in cache."""


def score_codes(codes: np.ndarray, type_index: np.ndarray, rubric: Rubric) -> ScoreArrays:
    """Score a matrix of answer codes; ``type_index`` gives each audit's case type position."""
    n = len(codes)
    if n <= CHUNK:
        return _score(codes, type_index, rubric)
    parts = [_score(codes[i:i + CHUNK], type_index[i:i + CHUNK], rubric)
             for i in range(0, n, CHUNK)]
    return ScoreArrays(
        **{name: np.concatenate([getattr(p, name) for p in parts])
           for name in ("score", "answered", "gradable", "band_level", "cap_level", "level",
                        "possible", "fired")},
        theme_scores={t: np.concatenate([p.theme_scores[t] for p in parts])
                      for t in rubric.theme_keys})


def _score(codes: np.ndarray, type_index: np.ndarray, rubric: Rubric) -> ScoreArrays:
    n, k = codes.shape
    if n and not codes.any():  # grades only (the wide layout): nothing to score
        return unscored(n, rubric)
    points = rubric.answer_points
    weights = np.array([c.weight for c in rubric.criteria], dtype=float)
    applies = applicability(rubric)[type_index] if n else np.zeros((0, k), dtype=bool)
    scored = applies & rubric.scored_codes[codes]
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
        when = rubric.code_of(rule.answer(rubric))
        fired[:, r] = applies[:, j] & (codes[:, j] == when) & gradable
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


def unscored(n: int, rubric: Rubric) -> ScoreArrays:
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
    points = rubric.answer_points
    weights = np.array([c.weight for c in rubric.criteria], dtype=float)
    applies = applicability(rubric)[type_index]
    scored = applies & rubric.scored_codes[codes] & arrays.gradable[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        lost = (1.0 - points[codes]) * weights * 100.0 / arrays.possible[:, None]
    return np.where(scored, lost, 0.0)


ReasonData = dict[str, Any]
"""A reason as the JSON record ``Reason`` dumps: kind, criterion, answer, points_lost, cap,
message. Equal reasons share one record: they are read, never changed."""


def _reason(kind: str, criterion: str | None, answer: str | None, points_lost: float,
            cap: str | None, message: str) -> ReasonData:
    return {"kind": kind, "criterion": criterion, "answer": answer,
            "points_lost": points_lost, "cap": cap, "message": message}


def _points_reason(rubric: Rubric, j: int, a: int, v: float) -> ReasonData:
    """The reason an answer cost points: criterion ``j`` answered with answer code ``a``
    lost ``v`` points."""
    criterion, answer = rubric.criterion_ids[j], rubric.code_answers[a]
    words = rubric.answers_by_key[answer].in_sentence
    return _reason("points", criterion, answer, round(v, 2), None,
                   f"{criterion} answered {words}: -{v:.1f} points")


PointsKey = tuple[int, int, float]
"""A points reason: criterion position, answer code, points lost (exactly)."""


def _reason_runs(arrays: ScoreArrays, codes: np.ndarray, type_index: np.ndarray,
                 rubric: Rubric) -> tuple[list[PointsKey], list[int], list[int],
                                          dict[int, list[ReasonData]]]:
    """The reasons of every audit, shared: each distinct points reason once (``made``,
    as the key ``_points_reason`` makes it from),
    the one each scored answer gives (``which``, audit by audit, largest first), where
    each audit's run starts (``bounds``), and what goes before a gradable audit's run
    (``first``: the limiting rules that fired, in rubric order; each rule's two reasons
    made once). An audit that is not gradable has no run: ``_not_gradable`` says why."""
    n = len(arrays.gradable)
    lost = points_lost(arrays, codes, type_index, rubric)
    rows, cols = np.nonzero(lost > 1e-9)
    values = lost[rows, cols]
    order = np.lexsort((cols, -np.round(values, 9), rows))
    rows, cols, values = rows[order], cols[order], values[order]
    answers = codes[rows, cols].astype(np.int64)
    # Each distinct (criterion, answer, points) once; then every audit's run of them.
    exact, by_value = np.unique(values, return_inverse=True)  # points compared exactly
    codes_n = len(rubric.answers) + 1
    key = (by_value.reshape(-1).astype(np.int64) * len(rubric.criteria) + cols) * codes_n \
        + answers
    distinct, which = np.unique(key, return_inverse=True)
    made = []
    for k in distinct.tolist():
        rest, a = divmod(k, codes_n)
        v_index, j = divmod(rest, len(rubric.criteria))
        made.append((j, a, float(exact[v_index])))
    bounds = np.searchsorted(rows, np.arange(n + 1)).tolist()
    first: dict[int, list[ReasonData]] = {}
    gradable = arrays.gradable
    for r in range(len(rubric.limiting) - 1, -1, -1):  # caps first, in rubric order
        rule = rubric.limiting[r]
        label = rubric.grade_labels[rule.cap].lower()
        level = rubric.grade_level(rule.cap)
        when = rule.answer(rubric)
        words = rubric.answers_by_key[when].in_sentence
        said = {effect: _reason("cap", rule.criterion, when, 0.0, rule.cap,
                                f"{rule.criterion} answered {words}: {effect} at {label} - "
                                f"{rule.reason}")
                for effect in ("capped the grade", "caps the grade (no effect here)")}
        lowered = (level > arrays.band_level).tolist()
        for i in np.flatnonzero(arrays.fired[:, r] & gradable).tolist():
            first.setdefault(i, []).insert(0, said[
                "capped the grade" if lowered[i] else "caps the grade (no effect here)"])
    return made, np.asarray(which).reshape(-1).tolist(), bounds, first


def _not_gradable(arrays: ScoreArrays, rubric: Rubric) -> dict[int, ReasonData]:
    """Why an audit could not be graded, by its number of scored answers: one reason
    for each number the audits that are not gradable have."""
    counts = set(arrays.answered[~arrays.gradable].tolist())
    minimum = rubric.min_answered
    return {answered: _reason(
        "not-gradable", None, None, 0.0, None,
        "no criterion is answered (a grades-only audit), so the rubric computes no grade; "
        "the grade written in the workbook is used" if not answered else
        f"only {plural(answered, 'scored answer')}; the rubric needs at least {minimum} "
        "(n/a and blank answers do not count)") for answered in sorted(counts)}


def reasons(arrays: ScoreArrays, codes: np.ndarray, type_index: np.ndarray,
            rubric: Rubric) -> list[list[ReasonData]]:
    """Why every audit got its computed grade: the limiting rules that fired first (in
    rubric order), then the points each answer cost, largest first; or why it could not be
    graded. Built for all audits at once; each distinct reason is made once."""
    keys, which, bounds, first = _reason_runs(arrays, codes, type_index, rubric)
    made = [_points_reason(rubric, *k) for k in keys]
    flat = [made[k] for k in which]
    why = _not_gradable(arrays, rubric)
    answered = arrays.answered.tolist()
    parts = [flat[bounds[i]:bounds[i + 1]] if ok else [why[answered[i]]]
             for i, ok in enumerate(arrays.gradable.tolist())]
    for i, before in first.items():
        parts[i][:0] = before
    return parts


def reasons_json(arrays: ScoreArrays, codes: np.ndarray, type_index: np.ndarray,
                 rubric: Rubric, encode: Callable[[Any], str],
                 made: dict[PointsKey, str] | None = None) -> list[str]:
    """``reasons`` as JSON text per audit, each distinct reason encoded once; ``made``
    keeps the points reasons encoded so far, for the next batch of the same audits."""
    keys, which, bounds, first = _reason_runs(arrays, codes, type_index, rubric)
    made = {} if made is None else made
    encoded = [made[k] if k in made else
               made.setdefault(k, encode(_points_reason(rubric, *k))) for k in keys]
    flat = [encoded[k] for k in which]
    why = {n: "[" + encode(r) + "]" for n, r in _not_gradable(arrays, rubric).items()}
    answered = arrays.answered.tolist()
    out = ["[" + ",".join(flat[bounds[i]:bounds[i + 1]]) + "]" if ok else why[answered[i]]
           for i, ok in enumerate(arrays.gradable.tolist())]
    said: dict[int, str] = {}  # each cap reason (shared) encoded once
    for i, before in first.items():
        texts = [said[id(r)] if id(r) in said else said.setdefault(id(r), encode(r))
                 for r in before]
        out[i] = "[" + ",".join(texts + flat[bounds[i]:bounds[i + 1]]) + "]"
    return out


def _lowering(arrays: ScoreArrays, rubric: Rubric) -> Iterator[tuple[str, np.ndarray]]:
    """Each limiting rule's criterion, and the audits whose grade its cap lowered."""
    for r, rule in enumerate(rubric.limiting):
        yield rule.criterion, np.flatnonzero(
            arrays.fired[:, r] & (rubric.grade_level(rule.cap) > arrays.band_level))


def caps_applied(arrays: ScoreArrays, rubric: Rubric) -> list[list[str]]:
    """Per audit, the criteria whose limiting rule lowered the grade."""
    caps: list[list[str]] = [[] for _ in range(len(arrays.gradable))]
    for criterion, audits in _lowering(arrays, rubric):
        for i in audits.tolist():
            caps[i].append(criterion)
    return caps


def caps_json(arrays: ScoreArrays, rubric: Rubric, encode: Callable[[Any], str]) -> list[str]:
    """``caps_applied`` as JSON text per audit (most are ``[]``), each criterion encoded
    once."""
    out = ["[]"] * len(arrays.gradable)
    capped: dict[int, list[str]] = {}
    for criterion, audits in _lowering(arrays, rubric):
        text = encode(criterion)
        for i in audits.tolist():
            capped.setdefault(i, []).append(text)
    for i, texts in capped.items():
        out[i] = "[" + ",".join(texts) + "]"
    return out
