"""Grade a set of audits and summarise the grades: the result behind ``hmic-audit grade``.

The summary counts *final* grades (the assessor's own where written, else the computed
one) for every sample and assessor, lists overrides and audits that could not be graded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
from pydantic import BaseModel, ConfigDict

from ..rubric import Rubric
from ..workbook.format import ASSESSORS, SAMPLES
from ..workbook.frame import AuditFrame
from ..workbook.models import Assessor, AuditSet, GradedAudit, Sample
from .score import ReasonData, caps_applied, score_codes
from .score import reasons as all_reasons

if TYPE_CHECKING:
    import pandas as pd


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


class GradeResult:
    """Everything ``grade`` computes, as columns: the audits, their scores and grades,
    and the summary. Per-audit models (``audits``) and the analyst's DataFrame
    (``to_pandas``) are built only when asked for."""

    def __init__(self, frame: AuditFrame, rubric: Rubric) -> None:
        self.frame = frame
        self.rubric = RubricRef.of(rubric)
        self._rubric = rubric
        self.input = InputRef(file=frame.file, sha256=frame.sha256, layout=frame.layout,
                              sheet=frame.sheet)
        self.arrays = score_codes(frame.answers, frame.case_type, rubric)
        self.computed = np.where(self.arrays.gradable, self.arrays.level, -1)
        """Computed grade per audit (position on the scale), -1 when not gradable."""
        self.final = np.where(frame.grade >= 0, frame.grade, self.computed)
        """The grade that counts: written where given, else computed; -1 when neither."""
        self.override = (frame.grade >= 0) & (self.computed >= 0) & (
            frame.grade != self.computed)
        self.summary = _summarise(self)

    def __len__(self) -> int:
        return len(self.frame)

    def level(self, use: str) -> np.ndarray:
        """Per audit, the grade compared: ``final``, ``computed`` or ``given`` (-1: none)."""
        return {"final": self.final, "computed": self.computed, "given": self.frame.grade}[use]

    def key(self, i: int) -> str:
        """``case_ref/assessor`` of audit ``i``."""
        return f"{self.frame.case_ref[i]}/{ASSESSORS[self.frame.assessor[i]].value}"

    @cached_property
    def reasons(self) -> list[list[ReasonData]]:
        """Per audit, why it got its computed grade."""
        return all_reasons(self.arrays, self.frame.answers, self.frame.case_type,
                           self._rubric)

    @cached_property
    def caps(self) -> list[list[str]]:
        return caps_applied(self.arrays, self._rubric)

    @cached_property
    def audits(self) -> list[GradedAudit]:
        """Per-audit results as models (for the library API and ``--explain``)."""
        columns = self._columns()
        return [GradedAudit.model_validate(self._plain(i, columns))
                for i in range(len(self))]

    def graded(self, i: int) -> GradedAudit:
        """One audit's result as a model."""
        return GradedAudit.model_validate(self._plain(i, self._columns()))

    def _columns(self) -> dict[str, Any]:
        """Per-audit values as Python lists, for building many plain records fast."""
        f, a = self.frame, self.arrays
        keys = [*self._rubric.grade_keys, None]  # position -1 reads as None
        themes = {t: [None if v != v else v for v in s.tolist()]  # NaN -> None
                  for t, s in a.theme_scores.items()}
        gradable = a.gradable.tolist()
        return {
            "case_ref": f.case_ref.tolist(),
            "sample": [SAMPLES[s].value for s in f.sample.tolist()],
            "case_type": [self._rubric.case_type_keys[t] for t in f.case_type.tolist()],
            "assessor": [ASSESSORS[x].value for x in f.assessor.tolist()],
            "area": f.extra("area").tolist(), "force": f.extra("force").tolist(),
            "answered": a.answered.tolist(), "gradable": gradable,
            "score": [s if g else None for s, g in zip(a.score.tolist(), gradable,
                                                        strict=True)],
            "themes": themes,
            "band_grade": [keys[x] for x in a.band_level.tolist()],
            "computed_grade": [keys[x] for x in self.computed.tolist()],
            "given_grade": [keys[x] for x in f.grade.tolist()],
            "final_grade": [keys[x] for x in self.final.tolist()],
            "override": self.override.tolist(), "caps": self.caps,
            "reasons": _reason_records(self.reasons), "example": f.extra("example").tolist(),
            "row": f.row.tolist(),
        }

    def _plain(self, i: int, c: dict[str, Any]) -> dict[str, Any]:
        """Audit ``i`` as plain JSON data, key for key what ``GradedAudit`` dumps (a test
        holds the two together)."""
        return {
            "case_ref": c["case_ref"][i], "sample": c["sample"][i],
            "case_type": c["case_type"][i], "assessor": c["assessor"][i],
            "area": c["area"][i], "force": c["force"][i], "answered": c["answered"][i],
            "gradable": c["gradable"][i], "score": c["score"][i],
            "theme_scores": {t: v[i] for t, v in c["themes"].items()},
            "band_grade": c["band_grade"][i], "computed_grade": c["computed_grade"][i],
            "given_grade": c["given_grade"][i], "final_grade": c["final_grade"][i],
            "override": c["override"][i], "caps": c["caps"][i],
            "reasons": c["reasons"][i],
            "example": c["example"][i],
            "source": {"file": self.frame.file, "sheet": self.frame.sheet,
                       "row": c["row"][i]},
        }

    def json_parts(self, batch: int = 2000) -> Iterator[str]:
        """The whole result as one JSON document, in parts: ``rubric``, ``input`` and
        ``summary`` indented, then ``audits`` one per line (so a large result streams,
        and each audit can be found with grep)."""
        head = {"rubric": self.rubric.model_dump(mode="json"),
                "input": self.input.model_dump(mode="json"),
                "summary": self.summary.model_dump(mode="json")}
        text = json.dumps(head, indent=2, ensure_ascii=False)
        n = len(self)
        yield text[:-2] + ',\n  "audits": [' + ("\n" if n else "")
        columns = self._columns()
        for start in range(0, n, batch):
            yield "".join("    " + orjson.dumps(self._plain(i, columns)).decode("utf-8")
                          + (",\n" if i < n - 1 else "\n")
                          for i in range(start, min(start + batch, n)))
        yield ("  " if n else "") + "]\n}\n"

    def case(self, case_ref: str) -> list[GradedAudit]:
        """The graded audits of one case (reference matched ignoring case and spaces)."""
        key = " ".join(case_ref.split()).casefold()
        return [self.graded(i) for i in range(len(self))
                if str(self.frame.case_ref[i]).casefold() == key]

    def document(self) -> dict[str, Any]:
        """The whole result as plain JSON data (what ``--format json`` prints)."""
        return dict(json.loads("".join(self.json_parts())))

    def to_pandas(self) -> pd.DataFrame:
        """One row per audit: the audit's fields and answers, then score, theme scores,
        band, computed, written and final grade, override, caps and reasons."""
        import pandas as pd

        rubric = self._rubric
        frame = self.frame.to_pandas(rubric)
        keys = rubric.grade_keys

        def grades(codes: np.ndarray) -> pd.Categorical:
            return pd.Categorical.from_codes(codes, categories=keys, ordered=True)

        a = self.arrays
        frame["answered"] = a.answered
        frame["score"] = a.score
        for t in rubric.theme_keys:
            frame[f"theme:{t}"] = a.theme_scores[t]
        frame["band_grade"] = grades(a.band_level)
        frame["computed_grade"] = grades(self.computed)
        frame["final_grade"] = grades(self.final)
        frame["override"] = self.override
        frame["caps"] = [", ".join(c) for c in self.caps]
        frame["reasons"] = ["; ".join(r[-1] for r in rs) for rs in self.reasons]
        return frame.rename(columns={"grade": "given_grade"})


REASON_KEYS = ("kind", "criterion", "answer", "points_lost", "cap", "message")


def _reason_records(reasons: list[list[ReasonData]]) -> list[list[dict[str, Any]]]:
    """Reasons as the JSON records ``Reason`` dumps; equal reasons share one record (they
    are read, never changed)."""
    made: dict[ReasonData, dict[str, Any]] = {}
    return [[made.get(r) or made.setdefault(r, dict(zip(REASON_KEYS, r, strict=True)))
             for r in rs] for rs in reasons]


def _summarise(result: GradeResult) -> GradeSummary:
    """Grade distributions per sample and assessor, overrides and ungraded audits."""
    f = result.frame
    keys = result.rubric.grades
    distributions = []
    for s, sample in enumerate(SAMPLES):
        for a, assessor in enumerate(ASSESSORS):
            mask = (f.sample == s) & (f.assessor == a)
            if not mask.any():
                continue
            final = result.final[mask]
            counts = np.bincount(final[final >= 0], minlength=len(keys))
            distributions.append(Distribution(
                sample=sample, assessor=assessor, audits=int(mask.sum()),
                counts={g: int(counts[i]) for i, g in enumerate(keys)},
                ungraded=int((final < 0).sum()),
                overrides=int(result.override[mask].sum())))

    def listed(mask: np.ndarray) -> list[str]:
        return [result.key(i) for i in np.flatnonzero(mask).tolist()]

    a = result.arrays
    return GradeSummary(
        cases=f.cases, audits=len(f), distributions=distributions,
        overrides=listed(result.override),
        not_gradable=listed(~a.gradable & (a.answered > 0)),
        ungraded=listed(result.final < 0))


def grade(audits: AuditSet | AuditFrame, rubric: Rubric, *, reasons: bool = True
          ) -> GradeResult:
    """Score and grade every audit of a checked input and summarise the grades.

    ``audits`` is what ``read_audits`` returns (columns) or an ``AuditSet`` of models.
    ``reasons`` is accepted for compatibility: explanations are built only when used.
    """
    frame = audits if isinstance(audits, AuditFrame) else AuditFrame.from_audit_set(
        audits, rubric)
    return GradeResult(frame, rubric)
