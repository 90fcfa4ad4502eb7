"""Grade a set of audits and summarise the grades: the result behind ``hmic-audit grade``.

The summary counts *final* grades (the assessor's own where written, else the computed
one) for every sample and assessor, lists overrides and audits that could not be graded.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
from pydantic import BaseModel, ConfigDict

from ..rubric import Rubric
from ..workbook.format import ASSESSORS, SAMPLES
from ..workbook.frame import AuditFrame
from ..workbook.models import Assessor, AuditSet, GradedAudit, Sample
from .json_lines import (
    assemble,
    encode_distinct,
    encode_floats,
    encode_numbers,
    encode_objects,
    encode_one,
)
from .score import (
    PointsKey,
    ReasonData,
    caps_applied,
    caps_json,
    reasons_json,
    score_codes,
    unscored,
)
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
    moderated: int = 0
    """Audits whose final grade is a moderator's (``GradeResult.moderate``)."""


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
        self.moderated = np.zeros(len(frame), dtype=bool)
        """Per audit: is its final grade a moderator's (see :meth:`moderate`)?"""
        self.moderator = np.full(len(frame), None, dtype=object)
        """Per moderated audit, who moderated it (None elsewhere)."""
        self.moderation_reason = np.full(len(frame), None, dtype=object)
        """Per moderated audit, the moderator's reason (None elsewhere)."""
        self.summary = _summarise(self)
        self.original: GradeResult | None = None
        """For grades put on another scale (``on_scale``): the result as graded."""
        self._made: dict[int, dict[PointsKey, str]] = {}
        """Points reasons encoded as JSON so far, by the rubric they are in the words of
        (``json_lines`` makes each once, not once a batch)."""

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def graded_with(self) -> Rubric:
        """The rubric that graded these audits."""
        return self._rubric

    def on_scale(self, rubric: Rubric, levels: np.ndarray, case_types: np.ndarray
                 ) -> GradeResult:
        """These audits with their grades put on another rubric's scale (a crosswalk):
        written, computed and final grades through ``levels`` (a level of this scale ->
        a level of the other), case types recoded to ``case_types`` (one code per audit,
        in the other rubric's list). Answers are left out: the other rubric's criteria
        are not these; so are scores (the grades are what moves)."""
        moved = object.__new__(GradeResult)

        def move(level: np.ndarray) -> np.ndarray:
            return np.where(level >= 0, levels[np.maximum(level, 0)], -1)

        moved.frame = replace(self.frame, grade=move(self.frame.grade), case_type=case_types,
                              answers=np.zeros((len(self), 0), dtype=np.int8))
        moved.rubric = RubricRef.of(rubric)
        moved._rubric = rubric
        moved.input = self.input
        moved.arrays = unscored(len(self), rubric)
        moved.computed = move(self.computed)
        moved.final = move(self.final)
        moved.override = self.override.copy()
        moved.moderated = self.moderated.copy()
        moved.moderator = self.moderator.copy()
        moved.moderation_reason = self.moderation_reason.copy()
        moved.summary = _summarise(moved)
        moved.original = self
        return moved

    def moderate(self, level: np.ndarray, moderator: np.ndarray, reason: np.ndarray
                 ) -> GradeResult:
        """These audits with moderators' grades as the final grade of some: ``level``
        per audit (a level of the scale, -1 where not moderated), ``moderator`` and
        ``reason`` per audit (texts). The computed and written grades are kept; only
        the final grade, and so every count made from it, changes."""
        moved = copy.copy(self)
        for name in ("audits", "reasons", "caps"):  # cached per-audit views
            moved.__dict__.pop(name, None)
        chosen = level >= 0
        moved.final = np.where(chosen, level, self.final)
        moved.moderated = self.moderated | chosen
        moved.moderator = np.where(chosen, moderator, self.moderator)
        moved.moderation_reason = np.where(chosen, reason, self.moderation_reason)
        moved.summary = _summarise(moved)
        return moved

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
        return [GradedAudit.model_validate(r) for r in self.records(slice(0, len(self)))]

    def graded(self, i: int) -> GradedAudit:
        """One audit's result as a model."""
        return GradedAudit.model_validate(self.records(slice(i, i + 1))[0])

    def records(self, rows: slice) -> list[dict[str, Any]]:
        """Some audits' results as plain JSON data, key for key what ``GradedAudit``
        dumps (a test holds the two together); computed for those audits only."""
        f, rubric = self.frame, self._rubric
        a = self.arrays.part(rows)
        keys = [*rubric.grade_keys, None]  # position -1 reads as None
        theme_keys = list(a.theme_scores)
        themes = [dict(zip(theme_keys, row, strict=True)) for row in zip(
            *(_nones(s).tolist() for s in a.theme_scores.values()),
            strict=True)] if theme_keys else [{} for _ in range(len(a.score))]
        gradable = a.gradable.tolist()
        scores = [s if g else None for s, g in zip(a.score.tolist(), gradable, strict=True)]
        reasons = all_reasons(a, f.answers[rows], f.case_type[rows], rubric)
        samples, assessors = [x.value for x in SAMPLES], [x.value for x in ASSESSORS]
        caps = caps_applied(a, rubric)
        file, sheet = f.file, f.sheet
        return [{
            "case_ref": ref, "sample": samples[sample],
            "case_type": rubric.case_type_keys[case_type], "assessor": assessors[who],
            "area": area, "force": force, "reader": reader, "answered": answered,
            "gradable": ok,
            "score": score, "theme_scores": themes[i],
            "band_grade": keys[band], "computed_grade": keys[computed],
            "given_grade": keys[given], "final_grade": keys[final], "override": override,
            "caps": caps[i], "reasons": reasons[i], "example": example,
            "source": {"file": file, "sheet": sheet, "row": row},
            "moderated": moderated, "moderator": moderator, "moderation_reason": why,
        } for i, (ref, sample, case_type, who, area, force, reader, answered, ok, score, band,
                  computed, given, final, override, example, row, moderated, moderator,
                  why) in enumerate(zip(
            f.case_ref[rows].tolist(), f.sample[rows].tolist(), f.case_type[rows].tolist(),
            f.assessor[rows].tolist(), f.extra("area")[rows].tolist(),
            f.extra("force")[rows].tolist(), f.extra("reader")[rows].tolist(),
            a.answered.tolist(), gradable, scores,
            a.band_level.tolist(), self.computed[rows].tolist(), f.grade[rows].tolist(),
            self.final[rows].tolist(), self.override[rows].tolist(),
            f.extra("example")[rows].tolist(), f.row[rows].tolist(),
            self.moderated[rows].tolist(), self.moderator[rows].tolist(),
            self.moderation_reason[rows].tolist(), strict=True))]

    def json_lines(self, rows: slice) -> list[str]:
        """Some audits' results as JSON text, one line each: exactly ``orjson.dumps`` of
        ``records(rows)``, built a column at a time (see :mod:`.json_lines`)."""
        f, rubric = self.frame, self._rubric
        a = self.arrays.part(rows)
        n = len(a.score)

        def coded(codes: np.ndarray, names: list[Any]) -> list[str]:
            table = np.array([*encode_distinct(names), "null"], dtype=object)
            return list(table[codes])

        keys = rubric.grade_keys
        flags = np.array(["false", "true"], dtype=object)
        file, sheet = orjson.dumps(f.file).decode(), orjson.dumps(f.sheet).decode()
        source = '{"file":' + file + ',"sheet":' + sheet + ',"row":'
        themes = list(a.theme_scores)
        return assemble([
            ("case_ref", encode_distinct(f.case_ref[rows].tolist())),
            ("sample", coded(f.sample[rows], [x.value for x in SAMPLES])),
            ("case_type", coded(f.case_type[rows], rubric.case_type_keys)),
            ("assessor", coded(f.assessor[rows], [x.value for x in ASSESSORS])),
            ("area", encode_distinct(f.extra("area")[rows].tolist())),
            ("force", encode_distinct(f.extra("force")[rows].tolist())),
            ("reader", encode_distinct(f.extra("reader")[rows].tolist())),
            ("answered", encode_numbers(a.answered.tolist())),
            ("gradable", list(flags[a.gradable.astype(np.int8)])),
            ("score", encode_floats(np.where(a.gradable, a.score, np.nan))),
            ("theme_scores", encode_objects(
                themes, [encode_floats(a.theme_scores[t]) for t in themes], n)),
            ("band_grade", coded(a.band_level, keys)),
            ("computed_grade", coded(self.computed[rows], keys)),
            ("given_grade", coded(f.grade[rows], keys)),
            ("final_grade", coded(self.final[rows], keys)),
            ("override", list(flags[self.override[rows].astype(np.int8)])),
            ("caps", caps_json(a, rubric, encode_one)),
            ("reasons", reasons_json(a, f.answers[rows], f.case_type[rows], rubric,
                                     encode_one, self._made.setdefault(id(rubric), {}))),
            ("example", encode_distinct(f.extra("example")[rows].tolist())),
            ("source", [source + str(r) + "}" for r in f.row[rows].tolist()]),
            ("moderated", list(flags[self.moderated[rows].astype(np.int8)])),
            ("moderator", encode_distinct(self.moderator[rows].tolist())),
            ("moderation_reason", encode_distinct(self.moderation_reason[rows].tolist())),
        ])

    def json_pieces(self, batch: int = 5000) -> tuple[str, list[Callable[[], str]], str]:
        """The whole result as one JSON document, in pieces: the head (``rubric``,
        ``input`` and ``summary`` indented, and the opening of ``audits``), one function per
        batch of audits making their lines (one audit a line, so each can be found with
        grep), and the tail. The functions are independent: they may be called in any
        order, in any process."""
        head = {"rubric": self.rubric.model_dump(mode="json"),
                "input": self.input.model_dump(mode="json"),
                "summary": self.summary.model_dump(mode="json")}
        text = json.dumps(head, indent=2, ensure_ascii=False)
        n = len(self)

        def lines(start: int) -> str:
            stop = min(start + batch, n)
            return ("    " + ",\n    ".join(self.json_lines(slice(start, stop)))
                    + ("\n" if stop >= n else ",\n"))

        return (text[:-2] + ',\n  "audits": [' + ("\n" if n else ""),
                [functools.partial(lines, start) for start in range(0, n, batch)],
                ("  " if n else "") + "]\n}\n")

    def json_parts(self, batch: int = 5000) -> Iterator[str]:
        """``json_pieces`` made, in order (a large result is made a batch at a time)."""
        head, batches, tail = self.json_pieces(batch)
        yield head
        for make in batches:
            yield make()
        yield tail

    def case(self, case_ref: str) -> list[GradedAudit]:
        """The graded audits of one case (reference matched ignoring case and spaces)."""
        key = " ".join(case_ref.split()).casefold()
        return [self.graded(i) for i, ref in enumerate(self.frame.case_ref.tolist())
                if ref.casefold() == key]

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
        frame["moderated"] = self.moderated
        frame["moderator"] = self.moderator
        frame["moderation_reason"] = self.moderation_reason
        frame["caps"] = [", ".join(c) for c in self.caps]
        frame["reasons"] = ["; ".join(r["message"] for r in rs) for rs in self.reasons]
        return frame.rename(columns={"grade": "given_grade"})


def _nones(values: np.ndarray) -> np.ndarray:
    """Floats as objects, NaN as None (JSON's null)."""
    out = values.astype(object)
    out[np.isnan(values)] = None
    return out


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

    names = [a.value for a in ASSESSORS]

    def listed(mask: np.ndarray) -> list[str]:
        picked = np.flatnonzero(mask)
        return [f"{ref}/{names[who]}" for ref, who in zip(
            f.case_ref[picked].tolist(), f.assessor[picked].tolist(), strict=True)]

    arrays = result.arrays
    return GradeSummary(
        cases=f.cases, audits=len(f), distributions=distributions,
        overrides=listed(result.override),
        not_gradable=listed(~arrays.gradable & (arrays.answered > 0)),
        ungraded=listed(result.final < 0), moderated=int(result.moderated.sum()))


def grade(audits: AuditSet | AuditFrame, rubric: Rubric, *, reasons: bool = True
          ) -> GradeResult:
    """Score and grade every audit of a checked input and summarise the grades.

    ``audits`` is what ``read_audits`` returns (columns) or an ``AuditSet`` of models.
    ``reasons`` is accepted for compatibility: explanations are built only when used.
    """
    frame = audits if isinstance(audits, AuditFrame) else AuditFrame.from_audit_set(
        audits, rubric)
    return GradeResult(frame, rubric)
