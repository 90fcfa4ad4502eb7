"""The force and the inspector audit of each case: the pairs every comparison counts.

:func:`sides` finds, per pairing key (a case, or a case within a force), the position
of each side's audit; :func:`pairs` keeps the keys judged by both, with their grade
levels; :class:`Pairs` gives the cross-tab. ``compare`` pairs every audit and then
explains what it leaves out; the annex pairs only graded audits (:func:`graded_pairs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .pool import FORCE, INSPECTOR, Pool
from .stats import crosstab

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Sides:
    """Per case (or pairing key), the pool position of its force audit and of its
    inspector audit; -1 where that side has none."""

    force: np.ndarray
    inspector: np.ndarray

    def both(self) -> np.ndarray:
        """Keys with an audit on each side."""
        return np.flatnonzero((self.force >= 0) & (self.inspector >= 0))


def sides(key: np.ndarray, assessor: np.ndarray, keep: np.ndarray | None = None) -> Sides:
    """Each key's force and inspector audit (``keep`` limits the audits considered; of
    two audits by one side under one key, the later counts)."""
    n = int(key.max()) + 1 if len(key) else 0
    position = np.arange(len(key))
    found = []
    for side in (FORCE, INSPECTOR):
        chosen = assessor == side
        if keep is not None:
            chosen &= keep
        at = np.full(n, -1, dtype=np.int64)
        np.maximum.at(at, key[chosen], position[chosen])
        found.append(at)
    return Sides(force=found[0], inspector=found[1])


@dataclass(frozen=True)
class Pairs:
    """Cases judged by both sides: the two audits' pool positions and grade levels."""

    force: np.ndarray
    inspector: np.ndarray
    force_level: np.ndarray
    inspector_level: np.ndarray

    def __len__(self) -> int:
        return len(self.force)

    @property
    def difference(self) -> np.ndarray:
        """Inspector level minus force level (positive: inspectors less favourable)."""
        return self.inspector_level - self.force_level

    def crosstab(self, k: int) -> np.ndarray:
        """k x k counts: force grade (rows) by inspector grade (columns)."""
        return crosstab(self.force_level, self.inspector_level, k)

    def to_frame(self, pool: Pool, grades: list[str]) -> pd.DataFrame:
        """One row per pair: case reference and both grades."""
        import pandas as pd

        return pd.DataFrame({
            "case_ref": pool.case_ref[self.force],
            "force_grade": pd.Categorical.from_codes(self.force_level, grades, ordered=True),
            "inspector_grade": pd.Categorical.from_codes(self.inspector_level, grades,
                                                         ordered=True),
            "levels": self.difference})


def pairs(found: Sides, level: np.ndarray, cases: np.ndarray | None = None) -> Pairs:
    """The pairs of some keys (default: every key with both sides) at ``level``."""
    chosen = found.both() if cases is None else cases
    f, i = found.force[chosen], found.inspector[chosen]
    return Pairs(force=f, inspector=i, force_level=level[f], inspector_level=level[i])


def graded_pairs(pool: Pool, key: np.ndarray) -> Pairs:
    """Force and inspector final grades of every key graded by both sides (audits with
    no final grade are left out before pairing)."""
    return pairs(sides(key, pool.assessor, keep=pool.final >= 0), pool.final)
