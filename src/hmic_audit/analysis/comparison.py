"""What ``compare`` reports, as models: the cross-tab, agreement statistics, direction,
the cases that differ, criterion agreement, group headlines and unmatched cases.

``Comparison`` dumps to the JSON ``compare --format json`` prints; ``Comparison.frames``
gives analysts the same tables as pandas DataFrames. Its compared cases are kept as
columns (:class:`CaseColumns`, ``Comparison.paired``): a model per case
(``Comparison.cases``) is made only when one is asked for, and the JSON lists them
from the columns.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidatorFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from ..crosswalk import CrosswalkRef
from ..scoring.grading import InputRef, RubricRef
from ..workbook.models import Assessor
from .stats import Estimate

if TYPE_CHECKING:
    import pandas as pd

GradeChoice = Literal["final", "computed", "given"]
GroupBy = Literal["case_type", "area"]


class _Frozen(BaseModel):
    """Results are read, never changed."""

    model_config = ConfigDict(frozen=True)


class Statistic(_Frozen):
    """A statistic with its 95% interval; ``value`` is None when undefined (see ``note``)."""

    value: float | None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    note: str | None = None

    @classmethod
    def of(cls, e: Estimate) -> Statistic:
        """The model of a computed estimate."""
        return cls(value=e.value, se=e.se, ci_low=e.ci_low, ci_high=e.ci_high, note=e.note)


class Direction(_Frozen):
    """Which side judged more favourably."""

    force_higher: int
    """Cases the force graded better than the inspectors did."""
    same: int
    force_lower: int
    """Cases the force graded worse than the inspectors did."""
    mean_difference: float
    """Mean of (inspector level - force level): positive when inspectors were harsher."""
    sign_test_p: float | None
    """Two-sided exact sign test on the cases that differ; None when none differ."""
    sentence: str


class Headline(_Frozen):
    """The headline agreement figures for a set of pairs."""

    pairs: int
    exact: int
    within_one: int
    kappa_quadratic: Statistic
    force_higher: int
    same: int
    force_lower: int
    significant: int


class GroupHeadline(Headline):
    """The headline figures of one case type or area."""

    group: str


class CriterionDifference(_Frozen):
    """A criterion the two audits of a case answered differently (None: blank)."""

    id: str
    force: str | None
    inspector: str | None


class _Pair(_Frozen):
    """A compared case: both grades and how far apart they are."""

    case_ref: str
    case_type: str
    area: str | None
    force_grade: str
    inspector_grade: str
    levels: int
    """Inspector level minus force level (positive: inspectors harsher)."""


class CaseDifference(_Pair):
    """A case whose two judgements differ significantly."""

    criteria: list[CriterionDifference]
    """Criteria where the two audits' answers differ."""


class CriterionAgreement(_Frozen):
    """How often the two sides gave a criterion the same answer."""

    id: str
    theme: str
    pairs: int
    """Pairs where both audits gave a scored answer (yes, partly or no)."""
    agree: int
    share: float
    force_no: int
    """Of those pairs, how often the force gave the rubric's lowest-scoring answer ("no",
    "not met": the criterion not met)."""
    inspector_no: int
    """The same for the inspectors."""
    more_no: Literal["force", "inspector", "equal"]
    """Which side found the criterion not met more often."""


class PairedCase(_Pair):
    """One compared case, and whether its judgements differ significantly."""

    significant: bool
    force_original: str | None = None
    """Through a crosswalk: the force's grade as given under its own rubric (the grade's
    label), before it was put on the common scale; None without a crosswalk."""
    inspector_original: str | None = None
    """The same for the inspectors' grade."""


CASE_FIELDS = tuple(PairedCase.model_fields)
"""The fields of a compared case, in the order its JSON lists them."""


@dataclass(frozen=True, eq=False)
class CaseColumns:
    """The compared cases as columns, one entry per case, in the order compared: what
    ``Comparison.cases`` lists, without an object per case (a comparison of a hundred
    thousand audits spent about 60 ms making and checking one model per case, and its
    report needs only the references and the levels)."""

    case_ref: list[str]
    case_type: list[str]
    area: list[str | None]
    grades: list[str]
    """The scale's grade keys, best first: what a level names."""
    force_level: np.ndarray
    inspector_level: np.ndarray
    threshold: int
    """Levels apart from which the two judgements differ significantly."""
    force_original: list[str | None] | None = None
    """Through a crosswalk: each case's force grade as its own rubric labels it."""
    inspector_original: list[str | None] | None = None

    def __len__(self) -> int:
        return len(self.case_ref)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CaseColumns):
            return NotImplemented
        return (self.case_ref == other.case_ref and self.case_type == other.case_type
                and self.area == other.area and self.grades == other.grades
                and np.array_equal(self.force_level, other.force_level)
                and np.array_equal(self.inspector_level, other.inspector_level)
                and self.threshold == other.threshold
                and self.force_original == other.force_original
                and self.inspector_original == other.inspector_original)

    @property
    def levels(self) -> np.ndarray:
        """Inspector level minus force level, per case (positive: inspectors harsher)."""
        return self.inspector_level - self.force_level

    @property
    def significant(self) -> np.ndarray:
        """Per case: are the two judgements ``threshold`` or more levels apart?"""
        return np.abs(self.levels) >= self.threshold

    def refs(self, where: np.ndarray | None = None) -> list[str]:
        """The references of the cases (``where``: of those a mask selects), in order."""
        if where is None:
            return list(self.case_ref)
        return [self.case_ref[i] for i in np.flatnonzero(where).tolist()]

    def records(self) -> list[dict[str, Any]]:
        """Each case as the JSON lists it: a mapping of ``CASE_FIELDS``."""
        name = np.asarray(self.grades, dtype=object)
        none = [None] * len(self)
        columns = [self.case_ref, self.case_type, self.area,
                   name[self.force_level].tolist(), name[self.inspector_level].tolist(),
                   self.levels.tolist(), self.significant.tolist(),
                   self.force_original or none, self.inspector_original or none]
        return [dict(zip(CASE_FIELDS, row, strict=True)) for row in zip(*columns, strict=True)]

    @classmethod
    def of_models(cls, cases: list[PairedCase], grades: list[str],
                  threshold: int) -> CaseColumns:
        """The columns of some compared cases given as models (as the JSON lists them)."""
        level = {key: n for n, key in enumerate(grades)}
        for p in cases:
            for grade in (p.force_grade, p.inspector_grade):
                if grade not in level:
                    raise ValueError(f"case {p.case_ref!r}: grade {grade!r} is not one of the "
                                     f"comparison's grades ({', '.join(grades)})")
        originals = any(p.force_original is not None or p.inspector_original is not None
                        for p in cases)
        return cls(case_ref=[p.case_ref for p in cases],
                   case_type=[p.case_type for p in cases], area=[p.area for p in cases],
                   grades=list(grades),
                   force_level=np.array([level[p.force_grade] for p in cases], dtype=np.int64),
                   inspector_level=np.array([level[p.inspector_grade] for p in cases],
                                            dtype=np.int64),
                   threshold=threshold,
                   force_original=[p.force_original for p in cases] if originals else None,
                   inspector_original=([p.inspector_original for p in cases] if originals
                                       else None))

    @functools.cached_property
    def models(self) -> list[PairedCase]:
        """Each case as a model (made once, when first asked for). Without a crosswalk
        the grades as given are left unset, as they were when cases were made so."""
        records = self.records()
        if self.force_original is None and self.inspector_original is None:
            for record in records:
                del record["force_original"], record["inspector_original"]
        return _case_models().validate_python(records)


@functools.cache
def _case_models() -> TypeAdapter[list[PairedCase]]:
    """Checks a list of compared cases (made when first needed)."""
    return TypeAdapter(list[PairedCase])


class Unmatched(_Frozen):
    """A case audited by one side only (and expected on both)."""

    case_ref: str
    has: Assessor
    """The side that did audit the case."""
    file: str | None
    row: int | None


class Comparison(_Frozen):
    """Everything ``compare`` computes."""

    rubric: RubricRef
    inputs: list[InputRef]
    use: GradeChoice
    threshold: int
    grades: list[str]
    crosstab: list[list[int]]
    """Counts: force grade (rows) by inspector grade (columns), best grade first."""
    force_margin: list[int]
    inspector_margin: list[int]
    pairs: int
    exact: int
    exact_share: float
    within_one: int
    within_one_share: float
    kappa: dict[str, Statistic]
    """Cohen's kappa: ``unweighted``, ``linear`` and ``quadratic``."""
    alpha_ordinal: Statistic
    ac1: Statistic | None = None
    """Gwet's AC1 (unweighted): unlike kappa, not dragged down when one grade dominates
    (the kappa paradox). None only in comparisons made before it was computed."""
    ac2_quadratic: Statistic | None = None
    """Gwet's AC2 with the quadratic weights of the weighted kappa."""
    direction: Direction
    significant: list[CaseDifference]
    criteria: list[CriterionAgreement]
    by: GroupBy | None
    groups: list[GroupHeadline]
    unmatched: list[Unmatched]
    excluded: list[str]
    """Pairs left out because one side has no grade of the kind compared."""
    inspector_only: int
    """Inspector-selected cases: examined by inspectors only, by design."""
    moderated: int = 0
    """Audits of the inputs whose final grade is a moderator's (``--moderated``)."""
    later_readings: list[str] = []
    """Cases one side audited more than once (several readers, told apart by the
    ``reader`` column): only each side's first audit, in row order, was compared; the
    agreement among readers is ``hmic-audit agree``'s."""
    crosswalk: CrosswalkRef | None = None
    """The crosswalk that put inputs graded under different rubrics on one scale (then
    ``rubric`` is the common scale, named after it), with its mapping; None without."""

    _paired: CaseColumns = PrivateAttr()

    @classmethod
    def of(cls, paired: CaseColumns, **fields: Any) -> Comparison:
        """A comparison of the cases ``paired``, with its other ``fields`` checked."""
        made = cls(**fields)
        made._paired = paired
        return made

    @model_validator(mode="wrap")
    @classmethod
    def _read_cases(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Comparison:
        """Data as the JSON has it (``cases`` a list of compared cases) is read back into
        a comparison with those cases as its columns (their levels and significance
        follow from their grades and the threshold); without ``cases``, it has none."""
        if not isinstance(data, dict):
            return handler(data)
        data = dict(data)
        given = data.pop("cases", [])
        made: Comparison = handler(data)
        made._paired = CaseColumns.of_models(_case_models().validate_python(given),
                                             made.grades, made.threshold)
        return made

    @property
    def paired(self) -> CaseColumns:
        """Every compared case, as columns."""
        return self._paired

    @property
    def cases(self) -> list[PairedCase]:
        """Every compared case: both grades, how far apart, whether significantly."""
        return self._paired.models

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler,
              info: SerializationInfo) -> dict[str, Any]:
        """The fields, with the compared cases where they were listed when they were a
        field (after ``significant``), made from the columns; ``include`` and
        ``exclude`` (a set, or a mapping reaching into the cases) and the
        ``exclude_*`` options apply to them as to any list of models."""
        data = handler(self)
        include = _of_cases(info.include, absent=False)
        exclude = _of_cases(info.exclude, absent=None)
        if include is False or exclude is True:  # left out
            return data
        part = include not in (None, True) or exclude is not None
        if not part and not (info.exclude_none or info.exclude_defaults
                             or info.exclude_unset):
            cases: Any = self._paired.records()
        else:
            cases = _case_models().dump_python(
                self.cases, mode="json" if info.mode == "json" else "python",
                include=include if include not in (None, True) else None,
                exclude=exclude, exclude_none=info.exclude_none,
                exclude_defaults=info.exclude_defaults, exclude_unset=info.exclude_unset)
        return {key: cases if key == "cases" else data[key] for key in _DUMP_ORDER
                if key == "cases" or key in data}

    @property
    def basis(self) -> str:
        """What the grades were compared under: 'rubric hmic-cp-2014 v1.0', or through a
        crosswalk 'the scale of crosswalk cp-common-3 v1.0'."""
        if self.crosswalk is not None:
            return f"the scale of crosswalk {self.crosswalk.name} v{self.crosswalk.version}"
        return f"rubric {self.rubric.name} v{self.rubric.version}"

    @property
    def or_more(self) -> str:
        """' or more' after the threshold in words ('two or more levels apart'), or ''
        when the threshold is already the width of the scale (two levels apart on a
        three-level scale cannot be more)."""
        return "" if self.threshold >= len(self.grades) - 1 else " or more"

    def frames(self) -> dict[str, pd.DataFrame]:
        """The comparison's tables as pandas DataFrames, for analysts: ``crosstab``
        (force grades as rows, inspector grades as columns), ``cases``, ``significant``
        (one row per differing criterion of each case), ``criteria``, ``groups`` and
        ``unmatched``."""
        import pandas as pd

        grades = pd.Index(self.grades, name="force")
        table = pd.DataFrame(self.crosstab, index=grades,
                             columns=pd.Index(self.grades, name="inspector"))
        significant = [{**d.model_dump(exclude={"criteria"}), "criterion": c.id,
                        "force_answer": c.force, "inspector_answer": c.inspector}
                       for d in self.significant for c in d.criteria]
        cases = pd.DataFrame(self._paired.records(), columns=[
            "case_ref", "case_type", "area", "force_grade", "inspector_grade", "levels",
            "significant"])
        for column in ("force_grade", "inspector_grade"):
            cases[column] = pd.Categorical(cases[column], categories=self.grades,
                                           ordered=True)
        return {
            "crosstab": table,
            "cases": cases,
            "significant": pd.DataFrame(significant, columns=[
                "case_ref", "case_type", "area", "force_grade", "inspector_grade", "levels",
                "criterion", "force_answer", "inspector_answer"]),
            "criteria": pd.DataFrame([c.model_dump() for c in self.criteria], columns=list(
                CriterionAgreement.model_fields)),
            "groups": pd.DataFrame([{**g.model_dump(exclude={"kappa_quadratic"}),
                                     "kappa_quadratic": g.kappa_quadratic.value}
                                    for g in self.groups], columns=list(
                GroupHeadline.model_fields)),
            "unmatched": pd.DataFrame([u.model_dump(mode="json") for u in self.unmatched],
                                      columns=list(Unmatched.model_fields)),
        }



_DUMP_ORDER = list(Comparison.model_fields)
_DUMP_ORDER.insert(_DUMP_ORDER.index("significant") + 1, "cases")
"""The keys of a dumped comparison: its fields, with ``cases`` after ``significant``."""


def _of_cases(spec: Any, *, absent: bool | None) -> Any:
    """What an ``include`` or ``exclude`` given to a dump says of ``cases``: True (the
    whole list), a set or mapping (the part of it named), or ``absent`` when it does
    not name them (None: no such option)."""
    if spec is None:
        return None
    if isinstance(spec, dict):
        inner = spec.get("cases", absent)
        return True if inner is ... else inner
    return True if "cases" in spec else absent
