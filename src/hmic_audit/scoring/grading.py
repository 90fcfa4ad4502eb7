"""Grade a set of audits and summarise the grades: the result behind ``hmic-audit grade``.

The summary counts *final* grades (the assessor's own where written, else the computed
one) for every sample and assessor, lists overrides and audits that could not be graded.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ..rubric import Rubric
from ..workbook.models import Assessor, AuditSet, GradedAudit, Sample


class RubricRef(BaseModel):
    """Which rubric produced a result."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    sha256: str | None
    grades: list[str]
    """Grade keys, best first: the order of every distribution."""
    grade_labels: dict[str, str]

    @classmethod
    def of(cls, rubric: Rubric) -> RubricRef:
        return cls(name=rubric.name, version=rubric.version, sha256=rubric.sha256,
                   grades=rubric.grade_keys, grade_labels=rubric.grade_labels)


class InputRef(BaseModel):
    """Which file a result was computed from."""

    model_config = ConfigDict(frozen=True)

    file: str
    sha256: str
    layout: str
    sheet: str | None


class Distribution(BaseModel):
    """Final grades of one sample as judged by one assessor."""

    model_config = ConfigDict(frozen=True)

    sample: Sample
    assessor: Assessor
    audits: int
    counts: dict[str, int]
    """Grade key -> number of audits, every grade of the scale present, best first."""
    ungraded: int
    """Audits with no final grade (not gradable and no grade written)."""
    overrides: int

    def percent(self, grade: str) -> float | None:
        """Share of graded audits with this grade, 0-100."""
        graded = self.audits - self.ungraded
        return None if graded == 0 else 100.0 * self.counts[grade] / graded


class GradeSummary(BaseModel):
    """Headline figures of a grading run."""

    model_config = ConfigDict(frozen=True)

    cases: int
    audits: int
    distributions: list[Distribution]
    overrides: list[str]
    """``case_ref/assessor`` of each audit whose written grade differs from the computed."""
    not_gradable: list[str]
    """``case_ref/assessor`` of each audit too thinly answered to compute a grade."""
    ungraded: list[str]
    """``case_ref/assessor`` of each audit with no final grade at all."""


class GradeResult(BaseModel):
    """Everything ``grade`` computes: per-audit results and the summary."""

    model_config = ConfigDict(frozen=True)

    rubric: RubricRef
    input: InputRef
    summary: GradeSummary
    audits: list[GradedAudit]

    def case(self, case_ref: str) -> list[GradedAudit]:
        """The graded audits of one case (reference matched ignoring case and spaces)."""
        key = " ".join(case_ref.split()).casefold()
        return [a for a in self.audits if a.case_ref.casefold() == key]


def audit_key(audit: GradedAudit) -> str:
    return f"{audit.case_ref}/{audit.assessor.value}"


def summarise(graded: list[GradedAudit], rubric: Rubric) -> GradeSummary:
    """Grade distributions per sample and assessor, overrides and ungraded audits."""
    distributions = []
    for sample in Sample:
        for assessor in Assessor:
            group = [a for a in graded if a.sample is sample and a.assessor is assessor]
            if not group:
                continue
            counts = dict.fromkeys(rubric.grade_keys, 0)
            for audit in group:
                if audit.final_grade is not None:
                    counts[audit.final_grade] += 1
            distributions.append(Distribution(
                sample=sample, assessor=assessor, audits=len(group), counts=counts,
                ungraded=sum(a.final_grade is None for a in group),
                overrides=sum(a.override for a in group)))
    return GradeSummary(
        cases=len({a.case_ref for a in graded}),
        audits=len(graded),
        distributions=distributions,
        overrides=[audit_key(a) for a in graded if a.override],
        not_gradable=[audit_key(a) for a in graded if not a.gradable and a.answered > 0],
        ungraded=[audit_key(a) for a in graded if a.final_grade is None],
    )


def grade(audit_set: AuditSet, rubric: Rubric, *, reasons: bool = True) -> GradeResult:
    """Grade every audit of a validated set and summarise the result; ``reasons=False``
    leaves each audit's explanation out (for callers that only use the grades)."""
    from .score import grade_audits  # numpy is imported only when grading runs

    graded = grade_audits(audit_set.audits, rubric, reasons=reasons)
    return GradeResult(
        rubric=RubricRef.of(rubric),
        input=InputRef(file=audit_set.file, sha256=audit_set.sha256, layout=audit_set.layout,
                       sheet=audit_set.sheet),
        summary=summarise(graded, rubric),
        audits=graded,
    )
