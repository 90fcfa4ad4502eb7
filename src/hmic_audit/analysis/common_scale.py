"""Audits graded under different rubrics, put on one scale through a crosswalk.

``compare`` and ``annex`` count grades on one scale. When their inputs were graded under
rubrics with different scales (a 2014 self-assessment against a 2024 re-inspection, a
national table of forces inspected under different programmes), each input's grades are
moved onto the crosswalk's target scale (:meth:`GradeResult.on_scale`) and counted
there, under a *common rubric*: the target scale, the union of the inputs' case types
(by key), the crosswalk's threshold and acceptable grades, and no criteria - the inputs'
criteria are not the same questions, so nothing is said about answers.

Inputs graded under one rubric need no crosswalk; given one, it must still map their
scale (a crosswalk onto a common scale is then applied as written).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..crosswalk import Crosswalk
from ..problems import HmicAuditError, Problem
from ..rubric import CaseType, Rubric
from ..scoring.grading import GradeResult


def needs_crosswalk(rubrics: Sequence[Rubric]) -> bool:
    """Whether the rubrics grade on different scales (or are different rubrics)."""
    first = rubrics[0]
    return any(r.name != first.name or r.grade_keys != first.grade_keys for r in rubrics)


def common_rubric(crosswalk: Crosswalk, rubrics: Sequence[Rubric]) -> Rubric:
    """The rubric results are counted under once on the crosswalk's scale."""
    types: dict[str, CaseType] = {}
    for rubric in rubrics:
        for case_type in rubric.case_types:
            types.setdefault(case_type.key, case_type)
    common = Rubric.model_construct(
        name=crosswalk.name, version=crosswalk.version, title=crosswalk.title,
        description=crosswalk.description, scale=crosswalk.grades,
        answers=list(rubrics[0].answers), requires_version=None, changelog=[],
        case_types=list(types.values()), themes=[], criteria=[], bands={}, limiting=[],
        min_answered=rubrics[0].min_answered,
        significant_difference=crosswalk.threshold,
        acceptable=crosswalk.acceptable_grades, glossary={})
    common._sha256 = crosswalk.sha256
    common._source = crosswalk.file
    return common


def on_common_scale(results: Sequence[GradeResult], crosswalk: Crosswalk
                    ) -> tuple[list[GradeResult], Rubric]:
    """Every result moved onto the crosswalk's scale, and the common rubric it is
    counted under; ``HmicAuditError`` naming each rubric the crosswalk does not map."""
    rubrics = [r.graded_with for r in results]
    problems: list[Problem] = []
    levels = []
    for rubric in rubrics:
        try:
            levels.append(crosswalk.levels(rubric))
        except HmicAuditError as exc:
            problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise HmicAuditError(f"crosswalk {crosswalk.name} does not fit the inputs", problems)
    common = common_rubric(crosswalk, rubrics)
    keys = common.case_type_keys
    moved = []
    for result, rubric, level in zip(results, rubrics, levels, strict=True):
        recode = np.array([keys.index(k) for k in rubric.case_type_keys], dtype=np.int64)
        types = recode[result.frame.case_type] if len(result) else result.frame.case_type
        moved.append(result.on_scale(common, level, types))
    return moved, common


def different_rubrics(rubrics: Sequence[Rubric]) -> HmicAuditError:
    """The error for inputs graded under different scales with no crosswalk given."""
    listed = ", ".join(dict.fromkeys(f"{r.name} v{r.version} ({len(r.scale)} levels)"
                                     for r in rubrics))
    return HmicAuditError("the inputs are graded under different rubrics", [Problem(
        code="needs-crosswalk", message=f"the inputs are graded under different rubrics "
        f"({listed}); give --crosswalk FILE to put their grades on one scale")])
