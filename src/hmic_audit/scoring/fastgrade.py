"""Grading straight from an :class:`~hmic_audit.workbook.fastpath.AuditFrame`: the same rules as
``score.grade_audits`` and ``grading.summarise``, on arrays, without a model per audit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..rubric import Rubric
from ..workbook.fastpath import ASSESSORS, SAMPLES, AuditFrame
from .grading import Distribution, GradeSummary
from .score import ScoreArrays, score_codes

_ANSWER_NAMES = {1: "yes", 2: "partly", 3: "no", 4: "n/a"}


@dataclass
class FrameGrades:
    frame: AuditFrame
    arrays: ScoreArrays
    computed: np.ndarray  # grade level, -1 when not gradable
    final: np.ndarray  # the written grade where given, else computed; -1 when neither
    override: np.ndarray

    def summary(self, rubric: Rubric) -> GradeSummary:
        f = self.frame
        k = len(rubric.scale)
        keys = rubric.grade_keys
        refs = f.refs()
        distributions = []
        for s, sample in enumerate(SAMPLES):
            for a, assessor in enumerate(ASSESSORS):
                mask = (f.sample == s) & (f.assessor == a)
                if not mask.any():
                    continue
                final = self.final[mask]
                counts = np.bincount(final[final >= 0], minlength=k)
                distributions.append(Distribution(
                    sample=sample, assessor=assessor, audits=int(mask.sum()),
                    counts={g: int(counts[i]) for i, g in enumerate(keys)},
                    ungraded=int((final < 0).sum()),
                    overrides=int(self.override[mask].sum())))

        names = [a.value for a in ASSESSORS]

        def listed(mask: np.ndarray) -> list[str]:
            who = f.assessor
            return [f"{refs[i]}/{names[who[i]]}" for i in np.flatnonzero(mask).tolist()]

        gradable = self.arrays.gradable
        return GradeSummary(
            cases=int(len(np.unique(f.ref_id))), audits=len(f), distributions=distributions,
            overrides=listed(self.override),
            not_gradable=listed(~gradable & (self.arrays.answered > 0)),
            ungraded=listed(self.final < 0))

    def override_rows(self, rubric: Rubric, limit: int | None = None
                      ) -> list[tuple[str, str, str, str, float | None]]:
        """(case, assessor, written, computed, score) of the overrides (the first
        ``limit``)."""
        refs = self.frame.case_ref
        labels = [g.label for g in rubric.scale]
        picked = np.flatnonzero(self.override)[:limit].tolist()
        return [(refs.values[refs.index[i]], ASSESSORS[self.frame.assessor[i]].value,
                 labels[self.frame.grade[i]], labels[self.computed[i]],
                 float(self.arrays.score[i])) for i in picked]

    def table_rows(self, rubric: Rubric) -> list[list[object]]:
        """The graded table (see ``render.table``), row for row the same."""
        f, arrays = self.frame, self.arrays
        labels = [g.label for g in rubric.scale]
        type_labels = [rubric.case_type_labels[t] for t in rubric.case_type_keys]
        refs = f.refs()
        theme_keys = rubric.theme_keys
        themes = np.column_stack([np.round(arrays.theme_scores[t], 1) for t in theme_keys])
        score = np.round(arrays.score, 1)
        limiting = rubric.limiting
        cap_levels = [rubric.grade_level(r.cap) for r in limiting]
        reasons = _all_reasons(arrays, rubric, f.answers)
        rows: list[list[object]] = []
        for i in range(len(f)):
            gradable = bool(arrays.gradable[i])
            band = int(arrays.band_level[i])
            caps = [limiting[r].criterion for r, (fired, level) in enumerate(zip(
                arrays.fired[i], cap_levels, strict=True)) if fired and level > band]
            rows.append([
                refs[i], SAMPLES[f.sample[i]].value, type_labels[f.case_type[i]],
                ASSESSORS[f.assessor[i]].value, f.value("area", i) or "",
                int(arrays.answered[i]), float(score[i]) if gradable else None,
                *(None if np.isnan(v) else float(v) for v in themes[i]),
                labels[band] if gradable else "",
                labels[self.computed[i]] if self.computed[i] >= 0 else "",
                labels[f.grade[i]] if f.grade[i] >= 0 else "",
                labels[self.final[i]] if self.final[i] >= 0 else "",
                "yes" if self.override[i] else "no",
                ", ".join(caps), reasons[i]])
        return rows


def _all_reasons(arrays: ScoreArrays, rubric: Rubric, answers: np.ndarray) -> list[str]:
    """Every audit's reasons, joined with '; ' - the text ``score._reasons`` gives, built
    for all audits at once: caps first, then points lost, largest first."""
    n = len(arrays.gradable)
    parts: list[list[str]] = [[] for _ in range(n)]
    for r, rule in enumerate(rubric.limiting):
        label = rubric.grade_labels[rule.cap].lower()
        level = rubric.grade_level(rule.cap)
        for i in np.flatnonzero(arrays.fired[:, r]).tolist():
            effect = ("capped the grade" if level > arrays.band_level[i]
                      else "caps the grade (no effect here)")
            parts[i].append(f"{rule.criterion} answered {rule.when}: {effect} at {label} - "
                            f"{rule.reason}")
    lost = np.where(arrays.gradable[:, None], arrays.lost, 0.0)
    rows, cols = np.nonzero(lost > 1e-9)
    values = lost[rows, cols]
    order = np.lexsort((cols, -np.round(values, 9), rows))
    rows, cols, values = rows[order], cols[order], values[order]
    prefix = [[f"{c.id} answered {_ANSWER_NAMES.get(a, '')}: -" for a in range(5)]
              for c in rubric.criteria]
    codes = answers[rows, cols]
    for i, c, a, v in zip(rows.tolist(), cols.tolist(), codes.tolist(), values.tolist(),
                          strict=True):
        parts[i].append(f"{prefix[c][a]}{v:.1f} points")
    minimum = rubric.min_answered
    for i in np.flatnonzero(~arrays.gradable).tolist():
        parts[i] = [f"only {int(arrays.answered[i])} scored answer(s); the rubric needs at "
                    f"least {minimum} (n/a and blank answers do not count)"]
    return ["; ".join(p) for p in parts]


def grade_frame(frame: AuditFrame, rubric: Rubric) -> FrameGrades:
    arrays = score_codes(frame.answers, frame.case_type, rubric)
    computed = np.where(arrays.gradable, arrays.level, -1)
    final = np.where(frame.grade >= 0, frame.grade, computed)
    override = (frame.grade >= 0) & (computed >= 0) & (frame.grade != computed)
    return FrameGrades(frame, arrays, computed, final, override)
