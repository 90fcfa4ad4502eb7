"""Yes, partly and no answers per criterion, counted once for every scope of audits
(inspectors' audits of all cases, of each sample, the force's audits): the annex's theme
results and criterion compliance and the report's criterion sentences read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..rubric import ANSWER_CODES, Rubric
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
COUNTED = ("yes", "partly", "no")


def scope_of(assessor: int, sample: int | None) -> int:
    """The position in ``SCOPES`` of an assessor and sample."""
    return [(a, s) for _, a, s in SCOPES].index((assessor, sample))


@dataclass(frozen=True)
class AnswerCounts:
    """Yes, partly and no answers per criterion, for each scope of ``SCOPES``."""

    criteria: list[str]
    counts: np.ndarray
    """Scopes x answers (yes, partly, no) x criteria."""
    masks: list[np.ndarray]
    """Per scope, which audits of the pool it holds."""
    answers: np.ndarray
    """The pool's answer codes (audits x criteria), to name the audits behind a count."""

    def met(self, scope: int, columns: list[int]) -> tuple[int, int, int, int]:
        """Yes, partly, no and their sum over some criteria (positions) of a scope."""
        yes, partly, no = (int(x) for x in self.counts[scope][:, columns].sum(axis=1))
        return yes, partly, no, yes + partly + no

    def members(self, scope: int, criterion: int, answers: tuple[str, ...] = COUNTED
                ) -> np.ndarray:
        """Pool positions of a scope's audits answering a criterion one of ``answers``."""
        codes = [ANSWER_CODES[a] for a in answers]
        return np.flatnonzero(self.masks[scope] & np.isin(self.answers[:, criterion], codes))

    def to_frame(self) -> pd.DataFrame:
        """One row per scope and criterion: yes, partly, no and answered."""
        import pandas as pd

        scopes, k = len(SCOPES), len(self.criteria)
        frame = pd.DataFrame({
            "scope": np.repeat([s[0] for s in SCOPES], k),
            "criterion": np.tile(self.criteria, scopes),
            **{a: self.counts[:, j, :].reshape(-1) for j, a in enumerate(COUNTED)}})
        frame["answered"] = frame["yes"] + frame["partly"] + frame["no"]
        return frame


def answer_counts(pool: Pool, rubric: Rubric) -> AnswerCounts:
    """Answer counts per criterion for every scope, with numpy."""
    answers = pool.answers
    masks = [(pool.assessor == a) & (True if s is None else pool.sample == s)
             for _, a, s in SCOPES]
    counts = np.zeros((len(SCOPES), len(COUNTED), answers.shape[1]), dtype=np.int64)
    for n, mask in enumerate(masks):
        chosen = answers[mask]
        for j, answer in enumerate(COUNTED):
            counts[n, j] = (chosen == ANSWER_CODES[answer]).sum(axis=0)
    return AnswerCounts(criteria=list(rubric.criterion_ids), counts=counts, masks=masks,
                        answers=answers)
