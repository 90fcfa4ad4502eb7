"""The rubric: a versioned YAML file that says how audits are graded.

A rubric declares its own ordered grade scale (best first), the case types, the themes,
the criteria with their weights and the case types they apply to, how each answer
scores, the lowest score that earns each grade (``bands``), limiting criteria that cap
the grade, and settings used by comparisons. Nothing in the code assumes four grades or
their names: everything is looked up here.

Loading from YAML lives in :mod:`hmic_audit.rubric_file`.
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .problems import Problem
from .text import label_key

ANSWERS = ("yes", "partly", "no", "n/a")
"""The four answers an assessor can give to a criterion; ``n/a`` drops out of scoring."""

Answer = Literal["yes", "partly", "no", "n/a"]

ANSWER_CODES: dict[str, int] = {"yes": 1, "partly": 2, "no": 3, "n/a": 4}
"""Integer codes of the answers in an answer matrix; 0 is a blank (not answered)."""
CODE_ANSWERS: dict[int, Answer] = {1: "yes", 2: "partly", 3: "no", 4: "n/a"}

_BUILTIN_ANSWER_ALIASES = {
    "yes": "yes", "y": "yes", "met": "yes", "true": "yes",
    "partly": "partly", "part": "partly", "partially": "partly", "p": "partly",
    "partial": "partly",
    "no": "no", "n": "no", "not met": "no", "false": "no",
    "n a": "n/a", "na": "n/a", "not applicable": "n/a", "n/a": "n/a",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Grade(_Strict):
    """One level of the grade scale."""

    key: str
    """Identifier used in data files and JSON output, e.g. ``requires_improvement``."""
    label: str
    """How the grade is written for people, e.g. ``Requires improvement``."""
    aliases: list[str] = []
    """Other spellings accepted in workbooks (matched ignoring case, spaces and dots)."""
    colour: str | None = None
    """Fill colour (hex ``RRGGBB``) for this grade in spreadsheets and charts."""
    phrase: str | None = None
    """How the grade reads after a number in a report sentence ('five inadequate',
    'one as requiring improvement'); default: the label in lower case."""

    @property
    def in_sentence(self) -> str:
        return self.phrase or self.label.lower()


class CaseType(_Strict):
    """A kind of case from the inspection's sample (Annex A of the reference report)."""

    key: str
    label: str
    aliases: list[str] = []


class Theme(_Strict):
    """A heading under which criteria are grouped and theme scores reported."""

    key: str
    label: str


class Criterion(_Strict):
    """One question an assessor answers yes / partly / no / n/a."""

    id: str
    theme: str
    question: str
    applies_to: list[str] | None = None
    """Case type keys this criterion applies to; omitted means every case type."""
    weight: float = 1.0
    """Relative weight in the audit score; zero records the answer without scoring it."""


class LimitingCriterion(_Strict):
    """If ``criterion`` is answered ``when``, the grade can be no better than ``cap``."""

    criterion: str
    when: Answer = "no"
    cap: str
    """Grade key: the best grade the audit can get when the rule fires."""
    reason: str
    """Why the cap exists; shown in the audit's reasons when it fires."""

    def check(self, rubric: Rubric, index: int) -> list[Problem]:
        """Problems with this rule's references to the rest of the rubric."""
        where = f"limiting[{index}]"
        found: list[Problem] = []
        if self.criterion not in rubric.criterion_ids:
            found.append(_problem("unknown-criterion", f"{where}.criterion",
                                  f"names criterion {self.criterion!r}, which the rubric "
                                  "does not define", self.criterion))
        if self.cap not in rubric.grade_keys:
            found.append(_problem("unknown-grade", f"{where}.cap",
                                  f"caps at {self.cap!r}, which is not a grade of the scale "
                                  f"({', '.join(rubric.grade_keys)})", self.cap))
        if self.when == "n/a":
            found.append(_problem("bad-limiting-answer", f"{where}.when",
                                  "cannot fire on n/a: n/a answers drop out of scoring",
                                  self.when))
        return found


class Rubric(_Strict):
    """A complete, versioned grading rubric."""

    name: str
    version: str
    """Version string; quote it in YAML (``"1.10"``) so it is not read as a number."""
    title: str
    description: str = ""
    scale: list[Grade] = Field(min_length=2)
    """Grades, best first."""
    answer_scores: dict[str, float]
    """Points (0 to 1) for ``yes``, ``partly`` and ``no``; n/a has none."""
    answer_aliases: dict[str, str] = {}
    """Extra spellings for answers, mapped to yes / partly / no / n/a."""
    case_types: list[CaseType] = Field(min_length=1)
    themes: list[Theme] = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)
    bands: dict[str, float]
    """Lowest score (0-100) that earns each grade; one per grade, the worst at 0."""
    limiting: list[LimitingCriterion] = []
    min_answered: int = 3
    """Fewest scored answers (not n/a, not blank) an audit needs to be gradable."""
    significant_difference: int = 2
    """Grade levels apart at which two judgements of a case 'differ significantly'."""
    acceptable: list[str] | None = None
    """Grades counted together as acceptable in annex tables ('good or adequate');
    default: the better half of the scale, rounded down (two of four, one of three)."""
    glossary: dict[str, str] = {}
    """Terms and their meanings, for reports."""

    _sha256: str | None = PrivateAttr(default=None)
    _source: str | None = PrivateAttr(default=None)
    _base: tuple[str, str] | None = PrivateAttr(default=None)

    # Lookups -----------------------------------------------------------------------

    @cached_property
    def grade_keys(self) -> list[str]:
        return [g.key for g in self.scale]

    @cached_property
    def grade_labels(self) -> dict[str, str]:
        return {g.key: g.label for g in self.scale}

    @cached_property
    def acceptable_grades(self) -> list[str]:
        """Grade keys counted as acceptable (see ``acceptable``)."""
        if self.acceptable is not None:
            return list(self.acceptable)
        return self.grade_keys[: max(1, len(self.scale) // 2)]

    @cached_property
    def case_type_keys(self) -> list[str]:
        return [c.key for c in self.case_types]

    @cached_property
    def case_type_labels(self) -> dict[str, str]:
        return {c.key: c.label for c in self.case_types}

    @cached_property
    def theme_keys(self) -> list[str]:
        return [t.key for t in self.themes]

    @cached_property
    def criterion_ids(self) -> list[str]:
        return [c.id for c in self.criteria]

    @cached_property
    def criteria_by_id(self) -> dict[str, Criterion]:
        return {c.id: c for c in self.criteria}

    @cached_property
    def _grade_lookup(self) -> dict[str, str]:
        return _lookup((g.key, g.label, *g.aliases) for g in self.scale)

    @cached_property
    def _case_type_lookup(self) -> dict[str, str]:
        return _lookup((c.key, c.label, *c.aliases) for c in self.case_types)

    @cached_property
    def _theme_lookup(self) -> dict[str, str]:
        return _lookup((t.key, t.label) for t in self.themes)

    def spellings(self, what: str) -> dict[str, str]:
        """Every accepted spelling (by ``label_key``) of a ``grade``, ``case_type``,
        ``theme`` or ``answer``, with the key it means (for "did you mean")."""
        return {"grade": self._grade_lookup, "case_type": self._case_type_lookup,
                "theme": self._theme_lookup, "answer": self._answer_lookup}[what]

    def parse_theme(self, text: str) -> str | None:
        """Theme key for a loosely typed key or label; None when unknown."""
        return self._theme_lookup.get(label_key(text))

    @cached_property
    def _answer_lookup(self) -> dict[str, str]:
        table = dict(_BUILTIN_ANSWER_ALIASES)
        table.update({label_key(k): v for k, v in self.answer_aliases.items()})
        return table

    def parse_grade(self, text: str) -> str | None:
        """Grade key for a loosely typed label or alias; None when unknown."""
        return self._grade_lookup.get(label_key(text))

    def parse_case_type(self, text: str) -> str | None:
        """Case type key for a loosely typed key, label or alias; None when unknown."""
        return self._case_type_lookup.get(label_key(text))

    def parse_answer(self, text: str) -> str | None:
        """One of yes / partly / no / n/a for a loosely typed answer; None when unknown."""
        return self._answer_lookup.get(label_key(text))

    def grade_level(self, key: str) -> int:
        """Position of a grade on the scale: 0 is the best."""
        return self.grade_keys.index(key)

    def applies(self, criterion_id: str, case_type: str) -> bool:
        """Whether a criterion applies to a case type."""
        applies_to = self.criteria_by_id[criterion_id].applies_to
        return applies_to is None or case_type in applies_to

    def criteria_for(self, case_type: str) -> list[Criterion]:
        """The criteria that apply to a case type, in rubric order."""
        return [c for c in self.criteria if self.applies(c.id, case_type)]

    @property
    def sha256(self) -> str | None:
        """SHA-256 of the file the rubric was loaded from (None if built in code)."""
        return self._sha256

    @property
    def base(self) -> tuple[str, str] | None:
        """(file name, SHA-256) of the rubric this one extends, if it extends one."""
        return self._base

    @property
    def source(self) -> str | None:
        """Where the rubric was loaded from: a file path or ``package:<name>``."""
        return self._source

    def grade_list_text(self) -> str:
        """The grades' labels joined for messages: 'good, adequate or inadequate'."""
        labels = [g.label.lower() for g in self.scale]
        return ", ".join(labels[:-1]) + " or " + labels[-1]

    # Consistency -------------------------------------------------------------------

    def check(self) -> list[Problem]:
        """Every inconsistency between the parts of the rubric (empty when sound)."""
        found: list[Problem] = []
        found += _duplicates("scale", [g.key for g in self.scale], "grade")
        found += _duplicates("case_types", self.case_type_keys, "case type")
        found += _duplicates("themes", self.theme_keys, "theme")
        found += _duplicates("criteria", self.criterion_ids, "criterion id")
        found += _alias_clashes("scale", [(g.key, g.label, *g.aliases) for g in self.scale])
        found += _alias_clashes("case_types",
                                [(c.key, c.label, *c.aliases) for c in self.case_types])
        found += self._check_answers()
        found += self._check_criteria()
        found += self._check_bands()
        for i, rule in enumerate(self.limiting):
            found += rule.check(self, i)
        for i, key in enumerate(self.acceptable or []):
            if key not in self.grade_keys:
                found.append(_problem("unknown-grade", f"acceptable[{i}]",
                                      f"{key!r} is not a grade of the scale", key))
        levels = len(self.scale)
        if not 1 <= self.significant_difference <= levels - 1:
            found.append(_problem("bad-setting", "significant_difference",
                                  f"must be between 1 and {levels - 1} grade levels for a "
                                  f"{levels}-level scale", self.significant_difference))
        if self.min_answered < 1:
            found.append(_problem("bad-setting", "min_answered", "must be at least 1",
                                  self.min_answered))
        return found

    def _check_answers(self) -> list[Problem]:
        found = []
        for key, score in self.answer_scores.items():
            if key not in ("yes", "partly", "no"):
                found.append(_problem("unknown-answer", f"answer_scores.{key}",
                                      "only yes, partly and no carry scores (quote them in "
                                      "YAML: \"yes\", \"no\")", key))
            elif not 0 <= score <= 1:
                found.append(_problem("bad-score", f"answer_scores.{key}",
                                      "must be between 0 and 1", score))
        for key in ("yes", "partly", "no"):
            if key not in self.answer_scores:
                found.append(_problem("missing-answer-score", "answer_scores",
                                      f"gives no score for {key!r}", None))
        for alias, target in self.answer_aliases.items():
            if target not in ANSWERS:
                found.append(_problem("unknown-answer", f"answer_aliases.{alias}",
                                      f"maps to {target!r}; use yes, partly, no or n/a",
                                      target))
        return found

    def _check_criteria(self) -> list[Problem]:
        found = []
        for i, c in enumerate(self.criteria):
            where = f"criteria[{i}]"
            if c.theme not in self.theme_keys:
                found.append(_problem("unknown-theme", f"{where}.theme",
                                      f"criterion {c.id!r} names theme {c.theme!r}; themes "
                                      f"are {', '.join(self.theme_keys)}", c.theme))
            if c.weight < 0:
                found.append(_problem("negative-weight", f"{where}.weight",
                                      f"criterion {c.id!r} has a negative weight", c.weight))
            for j, ct in enumerate(c.applies_to or []):
                if ct not in self.case_type_keys:
                    found.append(_problem("unknown-case-type", f"{where}.applies_to[{j}]",
                                          f"criterion {c.id!r} applies to {ct!r}, which is "
                                          "not a case type of the rubric", ct))
            if c.applies_to is not None and not c.applies_to:
                found.append(_problem("empty-applies-to", f"{where}.applies_to",
                                      f"criterion {c.id!r} applies to no case type; omit "
                                      "applies_to to apply it to all", None))
        for ct in self.case_type_keys:
            if not any(c.weight > 0 for c in self.criteria_for(ct)):
                found.append(_problem("case-type-unscored", "case_types",
                                      f"no weighted criterion applies to case type {ct!r}, "
                                      "so its audits could never be graded", ct))
        return found

    def _check_bands(self) -> list[Problem]:
        found = []
        for key in self.bands:
            if key not in self.grade_keys:
                found.append(_problem("unknown-grade", f"bands.{key}",
                                      f"{key!r} is not a grade of the scale "
                                      f"({', '.join(self.grade_keys)})", key))
        missing = [k for k in self.grade_keys if k not in self.bands]
        if missing:
            found.append(_problem("missing-band", "bands",
                                  f"gives no lowest score for {', '.join(missing)}", None))
            return found
        values = [self.bands[k] for k in self.grade_keys]
        if any(not 0 <= v <= 100 for v in values):
            found.append(_problem("bad-band", "bands", "scores must be between 0 and 100",
                                  values))
        if any(a <= b for a, b in zip(values, values[1:], strict=False)):
            found.append(_problem("bands-out-of-order", "bands",
                                  "lowest scores must fall strictly from the best grade to "
                                  "the worst: " + ", ".join(
                                      f"{k} {self.bands[k]:g}" for k in self.grade_keys),
                                  values))
        if values[-1] != 0:
            found.append(_problem("bad-band", f"bands.{self.grade_keys[-1]}",
                                  "the worst grade must start at 0 so every score has a grade",
                                  values[-1]))
        return found


def _problem(code: str, path: str, message: str, value: object) -> Problem:
    return Problem(code=code, column=path, message=f"{path} {message}",
                   value=None if value is None else str(value))


def _lookup(groups: object) -> dict[str, str]:
    table: dict[str, str] = {}
    for names in groups:  # type: ignore[attr-defined]
        key = names[0]
        for name in names:
            table.setdefault(label_key(name), key)
    return table


def _duplicates(section: str, keys: list[str], what: str) -> list[Problem]:
    seen: set[str] = set()
    found = []
    for i, key in enumerate(keys):
        if key in seen:
            found.append(_problem("duplicate-key", f"{section}[{i}]",
                                  f"repeats {what} {key!r}", key))
        seen.add(key)
    return found


def _alias_clashes(section: str, groups: list[tuple[str, ...]]) -> list[Problem]:
    owner: dict[str, str] = {}
    found = []
    for i, names in enumerate(groups):
        for name in names:
            norm = label_key(name)
            if norm in owner and owner[norm] != names[0]:
                found.append(_problem("ambiguous-alias", f"{section}[{i}]",
                                      f"spelling {name!r} already means {owner[norm]!r}",
                                      name))
            owner.setdefault(norm, names[0])
    return found
