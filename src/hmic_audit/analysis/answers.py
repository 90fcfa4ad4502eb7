"""Scored answers (yes, partly, no for the default rubric) per criterion, counted once
for every scope of audits
(inspectors' audits of all cases, of each sample, the force's audits): the annex's theme
results and criterion compliance and the report's criterion sentences read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..rubric import Rubric
from .pool import FORCE, FURTHER, INSPECTOR, SELF, Pool

if TYPE_CHECKING:
    import pandas as pd

SCOPES: list[tuple[str, int, int | None]] = [
    ("inspectors, all cases", INSPECTOR, None),
    ("inspectors, self-assessed", INSPECTOR, SELF),
    ("inspectors, selected by inspectors", INSPECTOR, FURTHER),
    ("force, self-assessed", FORCE, None),
]
"""Scopes of audits whose answers are counted: (name, assessor, sample or None)."""


def scope_of(assessor: int, sample: int | None) -> int:
    """The position in ``SCOPES`` of an assessor and sample."""
    return [(a, s) for _, a, s in SCOPES].index((assessor, sample))


@dataclass(frozen=True)
class AnswerCounts:
    """Each scored answer per criterion, for each scope of ``SCOPES``."""

    criteria: list[str]
    counted: list[str]
    """The answers counted: the rubric's scored answers, best first (yes, partly, no)."""
    codes: list[int]
    """Their codes in the answer matrix."""
    counts: np.ndarray
    """Scopes x answers (``counted``) x criteria."""
    masks: list[np.ndarray]
    """Per scope, which audits of the pool it holds."""
    answers: np.ndarray
    """The pool's answer codes (audits x criteria), to name the audits behind a count."""

    def met(self, scope: int, columns: list[int]) -> tuple[list[int], int]:
        """Each counted answer and their sum over some criteria (positions) of a scope."""
        each = [int(x) for x in self.counts[scope][:, columns].sum(axis=1)]
        return each, sum(each)

    def members(self, scope: int, criterion: int, answers: Sequence[str] | None = None
                ) -> np.ndarray:
        """Pool positions of a scope's audits giving a criterion one of ``answers`` (by
        default any counted answer)."""
        codes = [self.codes[self.counted.index(a)] for a in (answers or self.counted)]
        return np.flatnonzero(self.masks[scope] & np.isin(self.answers[:, criterion], codes))

    def to_frame(self) -> pd.DataFrame:
        """One row per scope and criterion: each counted answer and answered."""
        import pandas as pd

        scopes, k = len(SCOPES), len(self.criteria)
        frame = pd.DataFrame({
            "scope": np.repeat([s[0] for s in SCOPES], k),
            "criterion": np.tile(self.criteria, scopes),
            **{a: self.counts[:, j, :].reshape(-1) for j, a in enumerate(self.counted)}})
        frame["answered"] = self.counts.sum(axis=1).reshape(-1)
        return frame


def answer_counts(pool: Pool, rubric: Rubric) -> AnswerCounts:
    """Answer counts per criterion for every scope, with numpy."""
    answers = pool.answers
    masks = [(pool.assessor == a) & (True if s is None else pool.sample == s)
             for _, a, s in SCOPES]
    counted = [a.key for a in rubric.scored_answers]
    codes = [rubric.answer_codes[a] for a in counted]
    counts = np.zeros((len(SCOPES), len(counted), answers.shape[1]), dtype=np.int64)
    for n, mask in enumerate(masks):
        chosen = answers[mask]
        for j, code in enumerate(codes):
            counts[n, j] = (chosen == code).sum(axis=0)
    return AnswerCounts(criteria=list(rubric.criterion_ids), counted=counted, codes=codes,
                        counts=counts, masks=masks, answers=answers)
