"""Data shapes of audited cases: the single source of truth for what a case looks like.

A *case* is one child's matter the inspection sampled; an *audit* is one assessor's look
at it (the force's self-assessor or an inspector). Self-assessed cases carry two audits,
inspector-selected cases one.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .format import (
    ASSESSOR_ALIASES,
    EXAMPLE_ALIASES,
    GENDER_ALIASES,
    SAMPLE_ALIASES,
    Assessor,
    Example,
    Gender,
    Sample,
)

__all__ = ["ASSESSOR_ALIASES", "EXAMPLE_ALIASES", "GENDER_ALIASES", "SAMPLE_ALIASES",
           "Assessor", "Audit", "AuditIdentity", "AuditSet", "Example", "Gender",
           "GradedAudit", "Reason", "Sample", "SourceRow"]


class SourceRow(BaseModel):
    """Where an audit was read from, so every later message can point at it."""

    model_config = ConfigDict(frozen=True)

    file: str
    sheet: str | None = None
    row: int


class AuditIdentity(BaseModel):
    """Which case an audit is of, and who made it: shared by audits and their results."""

    model_config = ConfigDict(frozen=True)

    case_ref: str
    """The case reference as written (after trimming); never a child's name."""
    sample: Sample
    case_type: str
    """Case type key of the rubric."""
    assessor: Assessor
    area: str | None = None
    """Local authority or division the case belongs to."""
    force: str | None = None
    """The police force, in a workbook holding several forces (the national view)."""
    reader: str | None = None
    """Who read the case, when several readers of one side audited it."""


class Audit(AuditIdentity):
    """One assessor's audit of one case."""

    audit_date: dt.date | None = None
    child_age: int | None = None
    child_gender: Gender | None = None
    grade: str | None = None
    """The assessor's own overall grade (grade key), if they wrote one."""
    answers: dict[str, str] = {}
    """Criterion id -> answer (a key of the rubric's answers: ``yes``, ``partly``...);
    criteria left blank are absent."""
    example: Example | None = None
    """Marks the audit as a report example of good practice or of concern."""
    example_theme: str | None = None
    """Theme key the example illustrates (the report places it under that theme)."""
    notes: str | None = None
    """Free text; reaches output only where a user asks for it."""
    source: SourceRow | None = None


class AuditSet(BaseModel):
    """Every audit read from one input, with where it came from."""

    model_config = ConfigDict(frozen=True)

    file: str
    """File name the audits were read from."""
    sha256: str
    layout: Literal["long", "wide"]
    sheet: str | None = None
    audits: list[Audit]
    fields: list[str] = []
    """Workbook fields (not criteria) the file had columns for, e.g. ``sample``."""

    def cases(self) -> dict[str, list[Audit]]:
        """Audits grouped by case reference, in first-seen order."""
        grouped: dict[str, list[Audit]] = {}
        for audit in self.audits:
            grouped.setdefault(audit.case_ref, []).append(audit)
        return grouped


class Reason(BaseModel):
    """Why an audit's computed grade is what it is."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["points", "cap", "not-gradable"]
    criterion: str | None = None
    answer: str | None = None
    """The answer's key in the rubric."""
    points_lost: float = 0.0
    """Share of the audit's 0-100 score this answer cost."""
    cap: str | None = None
    message: str


class GradedAudit(AuditIdentity):
    """An audit with its score, computed grade and the reasons for it."""

    answered: int
    """Scored answers (yes, partly, no in the default rubric) on criteria that apply."""
    gradable: bool
    score: float | None
    """Weighted share of points earned, 0-100 (None when not gradable)."""
    theme_scores: dict[str, float | None]
    band_grade: str | None
    """Grade from the score bands alone, before any cap."""
    computed_grade: str | None
    """Grade from the rubric: bands, then caps."""
    given_grade: str | None
    """The assessor's own written grade."""
    final_grade: str | None
    """The grade that counts: the assessor's own where given, else the computed one."""
    override: bool
    """True when the assessor's own grade differs from the computed grade."""
    caps: list[str]
    """Criteria whose limiting rule lowered the grade."""
    reasons: list[Reason]
    example: Example | None = None
    source: SourceRow | None = None
    moderated: bool = False
    """True when the final grade is a moderator's (``--moderated``), not the assessor's
    or the rubric's."""
    moderator: str | None = None
    """Who moderated the grade."""
    moderation_reason: str | None = None
    """Why the moderator gave that grade."""
