"""The force profile: what a report writer authors about the force, in YAML.

Everything a report needs that does not come from the audited cases: the force's name
and the inspection dates, workforce figures, local authorities with their Ofsted
judgements, force-level figures (each a count or a share, placed in a chapter), the
narrative for each theme and for leadership and overall effectiveness (Markdown), the
figures to highlight from the cases, recommendations with their timescales, and extra
glossary terms. ``load_profile`` lists every problem with its key path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from .io.yamlfile import by_line, key_lines, located, pydantic_problems, read_text, yaml_mapping
from .problems import HmicAuditError, Problem
from .rubric import Rubric
from .text import closest, label_key, plural
from .workbook.models import Sample

PARTNERSHIPS_FROM = "2019-10"
"""The first inspection month whose report speaks of safeguarding partnerships rather than
local safeguarding children boards: the Children and Social Work Act 2017 replaced the
boards, and every area had moved to partnership arrangements by 29 September 2019."""


class ForceProfileError(HmicAuditError):
    """A force profile is missing, unreadable or inconsistent with the rubric."""


_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def month_label(value: str) -> str:
    """``2014-07`` -> ``July 2014``."""
    year, month = value.split("-")
    return f"{dt.date(int(year), int(month), 1):%B} {year}"


def _month(value: object) -> str:
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if not isinstance(value, str) or not _MONTH.match(value):
        raise ValueError("must be a month written YYYY-MM, e.g. 2014-07 (quote it)")
    return value


class _Strict(BaseModel):
    # NOTE: each field's docstring says what it is: ``profile init`` writes it as the
    # key's comment in the skeleton, and a missing key's message quotes it.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Timescale(StrEnum):
    """When a recommendation is to be acted on."""

    IMMEDIATELY = "immediately"
    THREE_MONTHS = "within_three_months"
    SIX_MONTHS = "within_six_months"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def months(self) -> int:
        return {"immediately": 0, "within_three_months": 3, "within_six_months": 6}[self.value]

    def due(self, published: dt.date) -> dt.date:
        """When a recommendation falls due: the publication date for ``immediately``,
        else that date the timescale's months later (see ``add_months``)."""
        return add_months(published, self.months)


def long_date(day: dt.date) -> str:
    """``2014-07-03`` -> ``3 July 2014``: dates as reports and ledgers write them."""
    return f"{day.day} {day:%B %Y}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later, clamped to that month's last day
    (31 August + 3 months = 30 November)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


class Workforce(_Strict):
    """Staff numbers on a date (the Home Office workforce statistics)."""

    total: int = Field(ge=0)
    """Everyone the force employs (a whole number)."""
    police_officers: int = Field(ge=0)
    """Police officers."""
    police_staff: int = Field(ge=0)
    """Police staff."""
    pcsos: int = Field(ge=0)
    """Police community support officers."""
    as_at: dt.date
    """The date the figures are for, YYYY-MM-DD (2014-03-31)."""
    source: str | None = None
    """Where the figures come from, cited in a footnote (optional): 'Police workforce,
    England and Wales, 31 March 2014, Home Office'."""


class LocalAuthority(_Strict):
    """A local authority in the force area and its latest Ofsted judgement."""

    name: str
    """The local authority's name (Bolton)."""
    ofsted_judgement: Literal["outstanding", "good", "adequate", "requires improvement",
                              "requires improvement to be good", "inadequate"]
    """Ofsted's latest judgement of its children's services, as Ofsted worded it
    ("requires improvement to be good" in its inspections from 2018)."""
    judgement_month: str
    """Month of the judgement, YYYY-MM, quoted ("2014-01")."""

    _month = field_validator("judgement_month", mode="before")(_month)


class ForceFigure(_Strict):
    """A force-level figure that does not come from cases."""

    label: str
    """What is counted, written to follow a number: 'staff in the public protection
    division'."""
    value: float = Field(ge=0)
    """The number: a count, or for a share a fraction between 0 and 1."""
    kind: Literal["count", "share"] = "count"
    """A count, or a share between 0 and 1 (shown in words, e.g. 'about three quarters')."""
    chapter: str
    """Where it appears: ``context``, ``leadership`` or a theme key of the rubric."""
    sentence: str | None = None
    """The sentence the figure is shown in, with ``{}`` where the number goes (optional):
    'The public protection division had {} staff.' Without it, the chapter's counts are
    joined in one sentence and a share starts its own."""
    source: str | None = None
    """Where the figure comes from, cited in a footnote (optional)."""

    @field_validator("sentence")
    @classmethod
    def _one_place(cls, value: str | None) -> str | None:
        if value is not None and value.count("{}") != 1:
            raise ValueError("must hold {} once, where the number goes")
        return value


class CriterionHighlight(_Strict):
    """A sentence of the findings built from one criterion's answers."""

    criterion: str
    """A criterion id of the rubric (a column header of the audit form)."""
    answer: str | None = None
    """The answer counted (its key, label or an alias); default: the rubric's
    best-scoring answer ("yes"). The denominator is every scored answer."""

    def answer_key(self, rubric: Rubric) -> str:
        """The key of the answer counted."""
        if self.answer is None:
            return rubric.best_answer.key
        return rubric.parse_answer(self.answer) or self.answer
    sample: Sample | None = None
    """Only this sample's inspector audits; omitted means every inspector audit."""
    finding: str
    """What a counted answer means, written to follow 'in N of M cases':
    'officers had listened to the child'."""


class CaseTypeHighlight(_Strict):
    """A paragraph of the findings about one case type, built from its audits."""

    case_type: str
    """A case type key of the rubric."""
    theme: str
    """The theme key whose chapter the paragraph goes in."""
    describe_children: bool = False
    """Add the children's ages and how many were girls (aggregates only)."""


class Recommendation(_Strict):
    text: str
    """The recommendation, in Markdown, starting after 'We recommend that'."""
    timescale: Timescale
    """When it is to be acted on."""
    theme: str | None = None
    """Theme key (or ``leadership``) it answers; it is repeated under that heading."""


class NumberStyle(_Strict):
    """The report's house style for numbers."""

    words_up_to: int = Field(default=20, ge=0, le=20)
    """Counts up to this are written in words, larger ones as numerals; a list or pair
    holding a larger count is all numerals ('29, 33, 4 and 18'). 20 follows the 2014
    reports; 9 is another common style; 0 writes every count as numerals."""


class ForceProfile(_Strict):
    """Everything authored about one force for one report."""

    force: str
    """The force's full name: 'Greater Manchester Police'."""
    rubric: str | None = None
    """The rubric the inspection used: a shipped name or a path relative to this file
    (``--rubric`` overrides it)."""
    inspection_month: str
    """Month of the inspection, YYYY-MM, quoted ("2014-07")."""
    foreword: str = ""
    """Markdown for the foreword before the first chapter (optional; left out when
    empty)."""
    publication_date: dt.date
    """The date the report is published, YYYY-MM-DD; recommendations fall due from it."""
    workforce: Workforce
    """Staff numbers on a date (the Home Office workforce statistics)."""
    local_authorities: list[LocalAuthority] = Field(min_length=1)
    """The local authorities in the force area (at least one) and their latest Ofsted
    judgements."""
    safeguarding_boards: int = Field(ge=0)
    """Local safeguarding bodies in the force area: local safeguarding children boards
    (to 2019) or the safeguarding partnerships that replaced them."""
    safeguarding_arrangements: Literal["boards", "partnerships"] | None = None
    """Which those bodies are: boards (LSCBs, under the Children Act 2004) or
    partnerships (the Children and Social Work Act 2017 replaced the boards; every area
    had moved by the end of September 2019). Default: by the inspection month, boards
    before 2019-10 and partnerships from then."""
    context: str = ""
    """Markdown about the force area, after the workforce figures."""
    structure: str = ""
    """Markdown about how child protection is organised in the force."""
    figures: list[ForceFigure] = []
    """Force-level figures that do not come from the cases, each placed in a chapter."""
    narrative: dict[str, str] = {}
    """Markdown per chapter: a theme key, ``findings`` (opening), ``leadership``,
    ``overall``."""
    highlights: dict[str, list[CriterionHighlight]] = {}
    """Per theme key, criterion sentences to weave into the findings."""
    case_types: list[CaseTypeHighlight] = []
    """Paragraphs about one case type each, built from its audits."""
    recommendations: list[Recommendation] = []
    """The report's recommendations, grouped by timescale."""
    next_steps: str = ""
    """Markdown; the dates for the force's update and action plan are computed."""
    glossary: dict[str, str] = {}
    """Glossary terms beyond the rubric's: abbreviation: meaning."""
    numbers: NumberStyle = NumberStyle()
    """The report's house style for counts, e.g. numbers: {words_up_to: 9}."""

    _month = field_validator("inspection_month", mode="before")(_month)
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)
    """The line of each key path in the file read (for messages)."""

    @property
    def partnerships(self) -> bool:
        """Whether the area's safeguarding bodies are partnerships, not boards (see
        ``safeguarding_arrangements``)."""
        if self.safeguarding_arrangements is not None:
            return self.safeguarding_arrangements == "partnerships"
        return self.inspection_month >= PARTNERSHIPS_FROM

    def check(self, rubric: Rubric) -> list[Problem]:
        """References to the rubric that do not resolve, each with its key path."""
        themes = set(rubric.theme_keys)
        chapters = themes | {"context", "leadership"}
        found: list[Problem] = []

        def bad(path: str, message: str, value: object, choices: list[str] | None = None,
                code: str = "bad-reference") -> None:
            meant = closest(label_key(str(value)), {label_key(k): k for k in choices or []})
            tip = f"; did you mean {meant!r}?" if meant else ""
            found.append(Problem(code=code, column=path, value=str(value),
                                 message=f"{path} {message}{tip}"))

        for i, f in enumerate(self.figures):
            if f.chapter not in chapters:
                bad(f"figures[{i}].chapter", f"is {f.chapter!r}; use context, leadership or "
                    f"a theme of rubric {rubric.name}: {', '.join(rubric.theme_keys)}",
                    f.chapter, sorted(chapters))
            if f.kind == "share" and f.value > 1:
                bad(f"figures[{i}].value", "is a share, so it must be between 0 and 1",
                    f.value)
            if f.kind == "count" and not f.value.is_integer():
                bad(f"figures[{i}].value", f"is {f.value:g}, but a count must be a whole "
                    "number (for a fraction between 0 and 1, add kind: share)", f.value,
                    code="bad-force-profile-field")
        for key in self.narrative:
            if key not in themes | {"findings", "leadership", "overall"}:
                bad(f"narrative.{key}", "is not a theme of the rubric, findings, leadership "
                    "or overall", key, sorted(themes | {"findings", "leadership", "overall"}))
        for key, items in self.highlights.items():
            if key not in themes:
                bad(f"highlights.{key}", "is not a theme of the rubric", key, sorted(themes))
            for j, h in enumerate(items):
                if h.criterion not in rubric.criterion_ids:
                    bad(f"highlights.{key}[{j}].criterion", f"is {h.criterion!r}, which is "
                        f"not a criterion of rubric {rubric.name}", h.criterion,
                        list(rubric.criterion_ids))
                known = None if h.answer is None else rubric.parse_answer(h.answer)
                scored = [a.key for a in rubric.scored_answers]
                if h.answer is not None and known not in scored:
                    bad(f"highlights.{key}[{j}].answer", "must be an answer the rubric "
                        f"scores ({', '.join(scored)})", h.answer, scored)
        for i, c in enumerate(self.case_types):
            if c.case_type not in rubric.case_type_keys:
                bad(f"case_types[{i}].case_type", f"is {c.case_type!r}, which is not a case "
                    "type of the rubric", c.case_type, list(rubric.case_type_keys))
            if c.theme not in themes:
                bad(f"case_types[{i}].theme", f"is {c.theme!r}, which is not a theme of "
                    "the rubric", c.theme, sorted(themes))
        for i, r in enumerate(self.recommendations):
            if r.theme is not None and r.theme not in themes | {"leadership"}:
                bad(f"recommendations[{i}].theme", f"is {r.theme!r}, which is not a theme "
                    "of the rubric or leadership", r.theme, sorted(themes | {"leadership"}))
        w = self.workforce
        if w.police_officers + w.police_staff + w.pcsos > w.total:
            bad("workforce.total", "is smaller than officers, staff and PCSOs together",
                w.total)
        return found


def read_profile(path: str | Path) -> tuple[ForceProfile, str]:
    """Read and validate a force profile (not yet against a rubric); with its SHA-256.

    Raises ``ForceProfileError`` listing every problem, each with its key path.
    """
    path = Path(path)
    if not path.is_file():
        raise ForceProfileError(f"force profile {path.name} not found", [Problem(
            code="file-not-found", file=str(path), message="no such file")])
    text, problems = read_text(path)
    data = None
    if text is not None:
        data, problems = yaml_mapping(text, path.name, "force profile")
    if data is None:
        raise ForceProfileError(f"cannot read force profile {path.name}", problems)
    lines = key_lines(text) if text is not None else {}
    try:
        profile = ForceProfile.model_validate(data)
    except ValidationError as exc:
        found = by_line(pydantic_problems(exc, path.name, "force profile",
                                          model=ForceProfile, lines=lines))
        raise ForceProfileError(
            f"force profile {path.name} has {plural(len(found), 'problem')}", found) from None
    profile._lines = lines
    return profile, hashlib.sha256(path.read_bytes()).hexdigest()


def profile_rubric(profile: ForceProfile, path: str | Path) -> str | Path | None:
    """The rubric a profile names, resolved against the profile's folder."""
    if profile.rubric is None:
        return None
    candidate = Path(path).parent / profile.rubric
    return candidate if candidate.is_file() else profile.rubric


def check_profile(profile: ForceProfile, rubric: Rubric, file: str) -> None:
    """Raise ``ForceProfileError`` listing every reference the rubric cannot resolve."""
    problems = by_line(located([p.model_copy(update={"file": file})
                                for p in profile.check(rubric)], profile._lines))
    if problems:
        raise ForceProfileError(f"force profile {file} has {plural(len(problems), 'problem')}",
                                problems)


def load_profile(path: str | Path, rubric: Rubric) -> tuple[ForceProfile, str]:
    """Read a force profile and check it against a rubric; with its SHA-256."""
    profile, digest = read_profile(path)
    check_profile(profile, rubric, Path(path).name)
    return profile, digest
