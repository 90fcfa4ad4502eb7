"""Checked audits as columns: what the checking stage hands to scoring and analysis.

One entry per audit, in workbook order (row, then force before inspector). Choices are
integer codes (positions in the rubric's lists or in ``ASSESSORS``/``SAMPLES``), the
answers an ``int8`` matrix (audits x criteria, codes from the rubric's ``answer_codes``;
0 is blank), the other fields object arrays holding ``None`` where blank. Per-audit pydantic models
are built only when asked for (``to_audit_set``), and analysts get a pandas DataFrame
from ``to_pandas``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..problems import HmicAuditError, Problem
from ..rubric import Rubric
from .format import ASSESSORS, SAMPLES
from .models import Audit, AuditSet, SourceRow

if TYPE_CHECKING:
    import pandas as pd

EXTRA_FIELDS = ("area", "force", "reader", "audit_date", "child_age", "child_gender", "example",
                "example_theme", "notes")
"""Optional per-audit fields, held as object arrays (None where blank)."""


@dataclass(frozen=True)
class AuditFrame:
    """Every audit of one input, checked, as columns."""

    file: str
    sha256: str
    layout: str
    sheet: str | None
    fields: list[str]
    """Workbook fields (not criteria) the file had columns for, e.g. ``sample``."""
    row: np.ndarray
    """Row number as the spreadsheet shows it."""
    case_ref: np.ndarray
    """Case reference as written (cleaned), object array."""
    case: np.ndarray
    """Case id: equal for references equal ignoring case; numbered in first-seen order."""
    sample: np.ndarray
    case_type: np.ndarray
    assessor: np.ndarray
    grade: np.ndarray
    """The assessor's own written grade (position in the rubric's scale), -1 when none."""
    answers: np.ndarray
    extras: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.row)

    @property
    def cases(self) -> int:
        return int(self.case.max()) + 1 if len(self.case) else 0

    def extra(self, name: str) -> np.ndarray:
        """An optional field per audit (all None when the file had no such column)."""
        values = self.extras.get(name)
        return np.full(len(self), None, dtype=object) if values is None else values

    def take(self, rows: np.ndarray) -> AuditFrame:
        """Some audits (by position or mask), case ids renumbered."""
        case = self.case[rows]
        _, renumbered = np.unique(case, return_inverse=True) if len(case) else (None, case)
        return replace(self, row=self.row[rows], case_ref=self.case_ref[rows],
                       case=np.asarray(renumbered, dtype=np.int64), sample=self.sample[rows],
                       case_type=self.case_type[rows], assessor=self.assessor[rows],
                       grade=self.grade[rows], answers=self.answers[rows],
                       extras={k: v[rows] for k, v in self.extras.items()})

    def with_refs(self, refs: np.ndarray) -> AuditFrame:
        """The same audits under other case references (pseudonyms)."""
        return replace(self, case_ref=refs)

    # Per-audit models, on request --------------------------------------------------

    def to_audit_set(self, rubric: Rubric) -> AuditSet:
        """The audits as pydantic models (for the library API and ``--explain``)."""
        return AuditSet(file=self.file, sha256=self.sha256, layout=self.layout,  # type: ignore[arg-type]
                        sheet=self.sheet, fields=self.fields,
                        audits=[self.audit(i, rubric) for i in range(len(self))])

    def audit(self, i: int, rubric: Rubric) -> Audit:
        """One audit as a model."""
        ids = rubric.criterion_ids
        answers = self.answers[i]
        extra = {name: values[i] for name, values in self.extras.items()}
        grade = int(self.grade[i])
        return Audit(
            case_ref=self.case_ref[i], sample=SAMPLES[self.sample[i]],
            case_type=rubric.case_type_keys[self.case_type[i]],
            assessor=ASSESSORS[self.assessor[i]],
            grade=rubric.grade_keys[grade] if grade >= 0 else None,
            answers={ids[j]: rubric.code_answers[int(answers[j])]
                     for j in np.flatnonzero(answers)},
            source=SourceRow(file=self.file, sheet=self.sheet, row=int(self.row[i])),
            **extra)

    @classmethod
    def from_audit_set(cls, audit_set: AuditSet, rubric: Rubric) -> AuditFrame:
        """Columns from models (audits built in code rather than read from a file)."""
        audits = audit_set.audits
        answers = answer_matrix(audits, rubric)
        keys: dict[str, int] = {}
        case = [keys.setdefault(a.case_ref.casefold(), len(keys)) for a in audits]
        grades = rubric.grade_keys
        types = rubric.case_type_keys
        extras = {name: _objects([getattr(a, name) for a in audits]) for name in EXTRA_FIELDS}
        return cls(
            file=audit_set.file, sha256=audit_set.sha256, layout=audit_set.layout,
            sheet=audit_set.sheet, fields=list(audit_set.fields),
            row=np.array([a.source.row if a.source else i + 1 for i, a in enumerate(audits)],
                         dtype=np.int64),
            case_ref=_objects([a.case_ref for a in audits]),
            case=np.asarray(case, dtype=np.int64),
            sample=np.array([SAMPLES.index(a.sample) for a in audits], dtype=np.int64),
            case_type=np.array([types.index(a.case_type) for a in audits], dtype=np.int64),
            assessor=np.array([ASSESSORS.index(a.assessor) for a in audits], dtype=np.int64),
            grade=np.array([grades.index(a.grade) if a.grade else -1 for a in audits],
                           dtype=np.int64),
            answers=answers, extras=extras)

    # For analysts -----------------------------------------------------------------

    def to_pandas(self, rubric: Rubric) -> pd.DataFrame:
        """One row per audit: identity, fields, written grade and one column per
        criterion (categoricals for choices, so they sort in the rubric's order)."""
        import pandas as pd

        def categorical(codes: np.ndarray, categories: list[str], ordered: bool = False
                        ) -> pd.Categorical:
            return pd.Categorical.from_codes(codes, categories=categories, ordered=ordered)

        answer_names = rubric.answer_keys
        data: dict[str, Any] = {
            "case_ref": pd.array(list(self.case_ref), dtype="string[pyarrow]"),
            "sample": categorical(self.sample, [s.value for s in SAMPLES]),
            "case_type": categorical(self.case_type, rubric.case_type_keys),
            "assessor": categorical(self.assessor, [a.value for a in ASSESSORS]),
        }
        for name in EXTRA_FIELDS:
            values = self.extra(name)
            if name == "child_age":
                data[name] = pd.array(list(values), dtype="Int64")
            elif name == "audit_date":
                data[name] = pd.array(list(values), dtype="date32[pyarrow]")
            else:
                data[name] = pd.array(list(values), dtype="string[pyarrow]")
        data["grade"] = categorical(self.grade, rubric.grade_keys, ordered=True)
        for j, cid in enumerate(rubric.criterion_ids):
            data[cid] = categorical(self.answers[:, j].astype(np.int64) - 1, answer_names)
        data["file"] = self.file
        data["sheet"] = self.sheet
        data["row"] = self.row
        return pd.DataFrame(data)


def case_ids(frames: Sequence[AuditFrame]) -> np.ndarray:
    """Case ids across several frames, for their audits one frame after another:
    references equal ignoring case share an id (as within one frame), numbered in the
    order cases first appear. For a single frame this is its own ``case`` column."""
    if len(frames) == 1:
        return frames[0].case
    folded: dict[str, int] = {}
    parts = [np.zeros(0, dtype=np.int64)]
    for frame in frames:
        if not len(frame):
            continue
        # A frame's ids are dense and numbered in first-seen order: the first audit of
        # each id, in id order, is each case in the order it first appears.
        _, first = np.unique(frame.case, return_index=True)
        shared = np.array([folded.setdefault(str(ref).casefold(), len(folded))
                           for ref in frame.case_ref[first].tolist()], dtype=np.int64)
        parts.append(shared[frame.case])
    return np.concatenate(parts)


def _objects(values: list[Any]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def answer_matrix(audits: Sequence[Audit], rubric: Rubric) -> np.ndarray:
    """Audits x criteria matrix of answer codes (0 blank, then the rubric's answers in
    its order: 1 yes, 2 partly, 3 no, 4 n/a for the default rubric). An answer may be
    given by its key, label or an alias; one the rubric does not know is refused."""
    position = {cid: j for j, cid in enumerate(rubric.criterion_ids)}
    codes = np.zeros((len(audits), len(position)), dtype=np.int8)
    for i, audit in enumerate(audits):
        for cid, answer in audit.answers.items():
            key = rubric.parse_answer(answer)
            if key is None:
                raise HmicAuditError(f"case {audit.case_ref!r}: unknown answer", [Problem(
                    code="unknown-answer", column=cid, value=answer,
                    message=f"case {audit.case_ref!r} answers {cid} {answer!r}, which is "
                    f"not an answer of rubric {rubric.name} ({rubric.answer_list_text()})")])
            codes[i, position[cid]] = rubric.answer_codes[key]
    return codes
