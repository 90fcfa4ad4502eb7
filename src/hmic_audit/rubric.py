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
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .problems import Problem
from .text import label_key, or_list

LEGACY_ANSWERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("yes", "Yes", ("y", "met", "true")),
    ("partly", "Partly", ("part", "partially", "p", "partial")),
    ("no", "No", ("n", "not met", "false")),
    ("n/a", "N/A", ("n a", "na", "not applicable")),
)
"""The answers of a rubric written in the older form (``answer_scores`` and
``answer_aliases`` instead of ``answers``): yes / partly / no scored as its
``answer_scores`` say (default 1, 0.5, 0), and n/a not scored, with these spellings."""
MAX_ANSWERS = 20
"""Most answers a rubric may declare (answer codes are small integers)."""


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


class AnswerOption(_Strict):
    """One answer an assessor may give to a criterion, as the rubric words it
    (``yes`` / ``partly`` / ``no`` / ``n/a``, ``met`` / ``partially met`` / ``not met``,
    ``evident`` / ``not evident``...)."""

    key: str
    """Identifier used in JSON output and annex columns, e.g. ``partially_met``."""
    label: str
    """How the answer is written for people and offered in the audit form's drop-down."""
    aliases: list[str] = []
    """Other spellings accepted in workbooks (matched ignoring case, spaces and dots)."""
    score: float | None
    """Points (0 to 1) the answer earns; ``null`` for an answer that is not scored
    (not applicable, not known): it leaves the audit's denominator, like a blank."""
    colour: str | None = None
    """Fill colour (hex ``RRGGBB``) for the answer in spreadsheets."""
    phrase: str | None = None
    """How the answer reads after 'answered' in a report sentence; default: the label in
    lower case ('answered yes', 'answered not met')."""

    @property
    def scored(self) -> bool:
        return self.score is not None

    @property
    def in_sentence(self) -> str:
        return self.phrase or self.label.lower()


class Criterion(_Strict):
    """One question an assessor answers with one of the rubric's answers."""

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
    when: str | None = None
    """The answer that fires the rule: its key, label or an alias (``not met``);
    default: the rubric's lowest-scoring answer (``no``)."""
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
        if self.when is not None:
            key = rubric.parse_answer(self.when)
            if key is None:
                found.append(_problem("unknown-answer", f"{where}.when",
                                      f"fires on {self.when!r}, which is not an answer of the "
                                      f"rubric ({rubric.answer_list_text()})", self.when))
            elif not rubric.answers_by_key[key].scored:
                found.append(_problem("bad-limiting-answer", f"{where}.when",
                                      f"cannot fire on {self.when!r}: that answer is not "
                                      "scored, so it drops out of the audit", self.when))
        return found

    def answer(self, rubric: Rubric) -> str:
        """The key of the answer that fires the rule."""
        if self.when is None:
            return rubric.worst_answer.key
        return rubric.parse_answer(self.when) or self.when


class ChangeNote(_Strict):
    """One version's entry in a rubric's changelog."""

    version: str
    date: str | None = None
    """When the version was issued (text, e.g. ``2024-04-01``)."""
    changes: list[str] = Field(min_length=1)


ROLLUP_METHODS = ("median", "share")
"""How a rubric's ``rollup`` turns case file review grades into a force's topic grade."""


class Rollup(_Strict):
    """How the grades of the inspectors' case file reviews for one topic (a theme) make
    the force's grade for that topic. Each review's topic grade is its theme score put
    through the rubric's ``bands`` (limiting criteria cap whole audits, not topics).

    ``median``: the median review grade; with an even number of reviews, the worse of
    the two middle grades. ``share``: the best grade g such that at least ``at_least[g]``
    (0 to 1) of the reviews are graded g or better; else the worst grade. Checked in
    :meth:`Rubric.check`."""

    method: str
    """``median`` or ``share``."""
    at_least: dict[str, float] | None = None
    """For ``share``: per grade but the worst, the least share of reviews graded that or
    better, not increasing from the best grade to the worst."""

    def describe(self, rubric: Rubric) -> str:
        """The rule in words, for outputs: 'the median review grade (...)'."""
        if self.method == "median":
            return ("the median review grade (with an even number of reviews, the worse of "
                    "the two middle grades)")
        shares = self.at_least or {}
        steps = ", ".join(f"{rubric.grade_labels[g].lower()} {shares[g]:.0%}"
                          for g in rubric.grade_keys if g in shares)
        return (f"the best grade that at least a set share of reviews reached or bettered "
                f"({steps}), else {rubric.grade_labels[rubric.grade_keys[-1]].lower()}")


class Sampling(_Strict):
    """How many cases of each type a force's sample draws (``hmic-audit sample``):
    Annex A of the reference report took five child protection enquiries, five domestic
    abuse cases, five general concerns and three of each of five other types. Checked in
    :meth:`Rubric.check`."""

    quotas: dict[str, int]
    """Case type key -> cases to draw; a case type not named is not drawn (quota 0)."""
    reserves: int = 0
    """Further cases drawn per case type, in the order to use them, to stand in for a
    drawn case found unsuitable (closed wrongly, miscoded, already inspected)."""

    def quota(self, case_type: str) -> int:
        """The quota of a case type (0 when the rubric names none)."""
        return self.quotas.get(case_type, 0)


class Rubric(_Strict):
    """A complete, versioned grading rubric."""

    name: str
    version: str
    """Version string; quote it in YAML (``"1.10"``) so it is not read as a number."""
    title: str
    description: str = ""
    scale: list[Grade] = Field(min_length=2)
    """Grades, best first."""
    answers: list[AnswerOption] = Field(min_length=1)
    """The answers an assessor may give, best first as a rule; each scored or not. A
    rubric written in the older form gives ``answer_scores`` (and ``answer_aliases``)
    instead, read as :data:`LEGACY_ANSWERS`."""
    requires_version: str | None = None
    """The hmic-audit versions the rubric was written for, as a version range
    (``>=0.1,<0.3``); outside it the rubric is still used, with a warning."""
    changelog: list[ChangeNote] = []
    """What changed in each version of the rubric, newest first."""
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
    background: str = ""
    """Markdown for the report's Background chapter: how the inspection programme this
    rubric belongs to came about and what it sets out to do (empty: the chapter says
    only how the inspection works). A programme's history belongs to its rubric, so a
    report of a later programme never tells an earlier one's."""
    rollup: Rollup | None = None
    """How case file reviews' topic grades roll up into the force's grade per topic
    (theme); none: topics are not graded."""
    sampling: Sampling | None = None
    """The case sample's quotas per case type and reserves (``hmic-audit sample``);
    none: the rubric sets no quotas, and ``sample`` asks for them."""

    @model_validator(mode="before")
    @classmethod
    def _older_answers(cls, data: Any) -> Any:
        """Read a rubric written with ``answer_scores`` / ``answer_aliases`` (the form
        before answers were declared) as the same answers declared."""
        if not isinstance(data, dict) or not ({"answer_scores", "answer_aliases"} & set(data)):
            return data
        if "answers" in data:
            raise ValueError("give the answers once: either 'answers' or the older "
                             "'answer_scores' and 'answer_aliases', not both")
        data = dict(data)
        scores = data.pop("answer_scores", None)
        aliases = data.pop("answer_aliases", None) or {}
        if scores is None:
            scores = {"yes": 1.0, "partly": 0.5, "no": 0.0}
        if not isinstance(scores, dict) or not isinstance(aliases, dict):
            raise ValueError("answer_scores and answer_aliases must be mappings")
        answers: list[dict[str, Any]] = []
        for key, label, spellings in LEGACY_ANSWERS:
            if key != "n/a" and key not in scores:
                continue
            answers.append({"key": key, "label": label, "aliases": list(spellings),
                            "score": scores.get(key) if key != "n/a" else None})
        known = {a["key"] for a in answers}
        for key in scores:
            if key not in known:
                raise ValueError(f"answer_scores.{key}: only yes, partly and no carry scores "
                                 "in the older form (quote them in YAML: \"yes\", \"no\"); "
                                 "declare 'answers' to use other words")
        for alias, target in aliases.items():
            if target not in known:
                raise ValueError(f"answer_aliases.{alias} maps to {target!r}; use "
                                 f"{', '.join(sorted(known))}")
            next(a for a in answers if a["key"] == target)["aliases"].append(str(alias))
        data["answers"] = answers
        return data

    _sha256: str | None = PrivateAttr(default=None)
    _source: str | None = PrivateAttr(default=None)
    _base: tuple[str, str] | None = PrivateAttr(default=None)
    _warnings: list[Problem] = PrivateAttr(default_factory=list)

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
        return _lookup((a.key, a.label, *a.aliases) for a in self.answers)

    # Answers -----------------------------------------------------------------------

    @cached_property
    def answer_keys(self) -> list[str]:
        return [a.key for a in self.answers]

    @cached_property
    def answers_by_key(self) -> dict[str, AnswerOption]:
        return {a.key: a for a in self.answers}

    @cached_property
    def scored_answers(self) -> list[AnswerOption]:
        """The answers that earn points, in the rubric's order (best first)."""
        return [a for a in self.answers if a.scored]

    @cached_property
    def best_answer(self) -> AnswerOption:
        """The scored answer earning most: a criterion answered so is 'met'."""
        return max(self.scored_answers or self.answers, key=lambda a: a.score or 0.0)

    @cached_property
    def worst_answer(self) -> AnswerOption:
        """The scored answer earning least: a criterion answered so is 'not met'."""
        return min(reversed(self.scored_answers or self.answers),
                   key=lambda a: a.score or 0.0)

    @cached_property
    def answer_codes(self) -> dict[str, int]:
        """Integer code of each answer in an answer matrix (1, 2... in the rubric's
        order); 0 is a blank (not answered)."""
        return {a.key: k + 1 for k, a in enumerate(self.answers)}

    @cached_property
    def code_answers(self) -> dict[int, str]:
        return {k + 1: a.key for k, a in enumerate(self.answers)}

    @cached_property
    def answer_points(self) -> np.ndarray:
        """Points per answer code (index 0 a blank; unscored answers 0)."""
        return np.array([0.0, *(a.score or 0.0 for a in self.answers)])

    @cached_property
    def scored_codes(self) -> np.ndarray:
        """Per answer code (index 0 a blank): is the answer scored?"""
        return np.array([False, *(a.scored for a in self.answers)])

    def code_of(self, key: str) -> int:
        return self.answer_codes[key]

    def answer_list_text(self) -> str:
        """The answers' labels joined for messages: 'yes, partly, no or n/a'."""
        return or_list([a.label.lower() for a in self.answers])

    def answer_words(self) -> str:
        """The answers as a sentence says them: 'yes, partly, no or not applicable'."""
        return or_list([a.in_sentence for a in self.answers])

    def parse_grade(self, text: str) -> str | None:
        """Grade key for a loosely typed label or alias; None when unknown."""
        return self._grade_lookup.get(label_key(text))

    def parse_case_type(self, text: str) -> str | None:
        """Case type key for a loosely typed key, label or alias; None when unknown."""
        return self._case_type_lookup.get(label_key(text))

    def parse_answer(self, text: str) -> str | None:
        """The key of the answer a loosely typed key, label or alias means; None when
        unknown."""
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
    def warnings(self) -> list[Problem]:
        """Problems found in the file that did not stop it being used (warnings, such as
        an hmic-audit version outside ``requires_version``); set by ``load_rubric``."""
        return list(self._warnings)

    @property
    def source(self) -> str | None:
        """Where the rubric was loaded from: a file path or ``package:<name>``."""
        return self._source

    def grade_list_text(self) -> str:
        """The grades' labels joined for messages: 'good, adequate or inadequate'."""
        return or_list([g.label.lower() for g in self.scale])

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
        found += self._check_rollup()
        found += self._check_sampling()
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
        found = _duplicates("answers", self.answer_keys, "answer")
        found += _alias_clashes("answers", [(a.key, a.label, *a.aliases)
                                            for a in self.answers])
        if len(self.answers) > MAX_ANSWERS:
            found.append(_problem("too-many-answers", "answers",
                                  f"declares {len(self.answers)} answers; at most "
                                  f"{MAX_ANSWERS}", len(self.answers)))
        for i, a in enumerate(self.answers):
            if a.score is not None and not 0 <= a.score <= 1:
                found.append(_problem("bad-score", f"answers[{i}].score",
                                      f"answer {a.key!r} must score between 0 and 1",
                                      a.score))
        if not self.scored_answers:
            found.append(_problem("no-scored-answer", "answers",
                                  "has no scored answer, so no audit could be graded; give "
                                  "at least one answer a score", None))
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


    def _check_rollup(self) -> list[Problem]:
        found: list[Problem] = []
        rollup = self.rollup
        if rollup is None:
            return found
        if rollup.method not in ROLLUP_METHODS:
            found.append(_problem("unknown-rollup-method", "rollup.method",
                                  f"is {rollup.method!r}; use {or_list(list(ROLLUP_METHODS))}",
                                  rollup.method))
        shares = rollup.at_least
        if rollup.method != "share" and shares is not None:
            found.append(_problem("bad-rollup", "rollup.at_least",
                                  "is only read with method share; remove it or use method "
                                  "share", None))
            return found
        if rollup.method == "share" and shares is None:
            found.append(_problem("bad-rollup", "rollup.at_least",
                                  "is missing: method share needs the least share of reviews "
                                  "for each grade but the worst", None))
        if shares is None:
            return found
        for key, share in shares.items():
            if key not in self.grade_keys:
                found.append(_problem("unknown-grade", f"rollup.at_least.{key}",
                                      f"{key!r} is not a grade of the scale "
                                      f"({', '.join(self.grade_keys)})", key))
            elif key == self.grade_keys[-1]:
                found.append(_problem("bad-rollup", f"rollup.at_least.{key}",
                                      "gives a share for the worst grade, which a topic gets "
                                      "when no other share is reached; remove it", key))
            if not 0 <= share <= 1:
                found.append(_problem("bad-share", f"rollup.at_least.{key}",
                                      "must be a share between 0 and 1", share))
        missing = [k for k in self.grade_keys[:-1] if k not in shares]
        if missing:
            found.append(_problem("missing-share", "rollup.at_least",
                                  f"gives no share for {', '.join(missing)}", None))
        given = [(k, shares[k]) for k in self.grade_keys[:-1] if k in shares]
        if any(a[1] < b[1] for a, b in zip(given, given[1:], strict=False)):
            found.append(_problem("shares-out-of-order", "rollup.at_least",
                                  "shares must not increase from the best grade to the "
                                  "worst: " + ", ".join(f"{k} {v:g}" for k, v in given),
                                  [v for _, v in given]))
        return found

    def _check_sampling(self) -> list[Problem]:
        found: list[Problem] = []
        sampling = self.sampling
        if sampling is None:
            return found
        for key, quota in sampling.quotas.items():
            where = f"sampling.quotas.{key}"
            if key not in self.case_type_keys:
                found.append(_problem("unknown-case-type", where,
                                      f"names {key!r}, which is not a case type of the "
                                      f"rubric ({', '.join(self.case_type_keys)})", key))
            if quota < 0:
                found.append(_problem("negative-quota", where,
                                      "must be a number of cases, 0 or more", quota))
        if sampling.reserves < 0:
            found.append(_problem("negative-quota", "sampling.reserves",
                                  "must be a number of cases, 0 or more", sampling.reserves))
        if not any(q > 0 for q in sampling.quotas.values()):
            found.append(_problem("empty-sample", "sampling.quotas",
                                  "gives no case type a quota above 0, so no case would be "
                                  "drawn", None))
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
