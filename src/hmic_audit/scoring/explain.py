"""Explain one case: every applicable criterion, its answer and the points it cost."""

from __future__ import annotations

import difflib

from pydantic import BaseModel, ConfigDict

from ..problems import HmicAuditError, Problem
from ..rubric import Rubric
from ..workbook.format import ASSESSORS
from ..workbook.models import GradedAudit
from .grading import GradeResult


class CriterionLine(BaseModel):
    """One criterion as it bore on one audit."""

    model_config = ConfigDict(frozen=True)

    id: str
    theme: str
    question: str
    weight: float
    answer: str | None
    """yes / partly / no / n/a, or None when left blank."""
    points_lost: float
    caps_at: str | None
    """Grade key this criterion capped the audit at, if its limiting rule fired."""


class AuditExplanation(BaseModel):
    """One audit of the case: its grades and every criterion that applies to it."""

    model_config = ConfigDict(frozen=True)

    graded: GradedAudit
    criteria: list[CriterionLine]
    has_answers: bool
    """Whether any criterion is answered (n/a included). An audit without answers, as in
    a grades-only workbook, has the grade its assessor wrote: given, not computed."""


class CaseExplanation(BaseModel):
    """Why each audit of a case got its grade."""

    model_config = ConfigDict(frozen=True)

    case_ref: str
    case_type: str
    audits: list[AuditExplanation]


def looked_up(case_ref: str, result: GradeResult, key: bytes | None) -> str:
    """The reference ``--explain`` looks up: as given, or with ``--pseudonymise`` (a
    ``key``) the pseudonym of the case's own reference, else the pseudonym as given (the
    audits are pseudonymised already: no output holds a real reference, and one not
    found is not repeated back)."""
    if key is None:
        return case_ref
    from ..text import clean_reference
    from ..workbook.privacy import pseudonym

    for ref in (pseudonym(key, clean_reference(case_ref)), case_ref):
        if result.case(ref):
            return ref
    raise HmicAuditError("no such case", [Problem(
        code="unknown-case", file=result.input.file,
        message="has no case with the reference given to --explain, nor one with that "
        "pseudonym")])


def explain_case(case_ref: str, result: GradeResult, rubric: Rubric) -> CaseExplanation:
    """Line-by-line explanation of a case; ``HmicAuditError`` if the case is not there."""
    graded = result.case(case_ref)
    if not graded:
        refs = sorted(set(result.frame.case_ref.tolist()))
        close = difflib.get_close_matches(case_ref, refs, n=3)
        tip = f"; did you mean {', '.join(close)}?" if close else ""
        raise HmicAuditError(f"no case {case_ref!r}", [Problem(
            code="unknown-case", file=result.input.file, value=case_ref,
            message=f"has no case {case_ref!r}{tip}")])
    answers = {(g.case_ref, g.assessor): g for g in graded}
    frame = result.frame
    rows = {(str(frame.case_ref[i]), ASSESSORS[frame.assessor[i]]): i
            for i in range(len(frame)) if (frame.case_ref[i], ASSESSORS[frame.assessor[i]])
            in answers}
    explained = []
    for g in graded:
        i = rows[(g.case_ref, g.assessor)]
        given = {cid: rubric.code_answers[int(c)]
                 for cid, c in zip(rubric.criterion_ids, frame.answers[i], strict=True) if c}
        lost = {r.criterion: r.points_lost for r in g.reasons if r.kind == "points"}
        capped = {r.criterion: r.cap for r in g.reasons if r.kind == "cap"}
        lines = [CriterionLine(id=c.id, theme=c.theme, question=c.question, weight=c.weight,
                               answer=given.get(c.id),
                               points_lost=lost.get(c.id, 0.0), caps_at=capped.get(c.id))
                 for c in rubric.criteria_for(g.case_type)]
        explained.append(AuditExplanation(
            graded=g, criteria=lines, has_answers=any(line.answer for line in lines)))
    return CaseExplanation(case_ref=graded[0].case_ref, case_type=graded[0].case_type,
                           audits=explained)
