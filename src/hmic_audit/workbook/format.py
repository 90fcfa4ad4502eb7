"""The cases workbook format, declared once.

Every field a workbook may hold: its name, the header ``template`` writes, the header
spellings accepted (compared by :func:`~hmic_audit.text.header_key`, so case, spaces,
underscores and hyphens do not matter), which layout it belongs to, and how its text is
parsed. The reader's header mapping, the rule units, the audit form (``template``) and the
README's table of columns all come from ``FIELDS``; a test holds the README to it.

Criterion answers are not fields: any header equal to a criterion id of the rubric is an
answer column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from ..rubric import Rubric
from ..text import clean_text, closest, label_key


class Assessor(StrEnum):
    """Who made the audit."""

    FORCE = "force"
    INSPECTOR = "inspector"


class Sample(StrEnum):
    """How the case came into the inspection."""

    SELF_ASSESSED = "self-assessed"
    """The force audited it with the inspectorate's criteria, then inspectors reviewed it."""
    INSPECTOR_SELECTED = "inspector-selected"
    """A further case that only inspectors examined."""


ASSESSORS = list(Assessor)
"""Assessors in code order: an assessor column holds positions in this list."""
SAMPLES = list(Sample)
"""Samples in code order."""

Example = Literal["good_practice", "concern"]
Gender = Literal["female", "male", "other"]


def _aliases(spellings: dict[str, object]) -> dict[str, object]:
    return {label_key(k): v for k, v in spellings.items()}


ASSESSOR_ALIASES = _aliases({
    "force": Assessor.FORCE, "self": Assessor.FORCE, "self assessor": Assessor.FORCE,
    "self-assessor": Assessor.FORCE, "self assessment": Assessor.FORCE,
    "force assessor": Assessor.FORCE, "police": Assessor.FORCE,
    "inspector": Assessor.INSPECTOR, "inspectors": Assessor.INSPECTOR,
    "hmic": Assessor.INSPECTOR, "inspectorate": Assessor.INSPECTOR,
    "hmicfrs": Assessor.INSPECTOR,
})
SAMPLE_ALIASES = _aliases({
    "self-assessed": Sample.SELF_ASSESSED, "self assessed": Sample.SELF_ASSESSED,
    "self": Sample.SELF_ASSESSED, "sa": Sample.SELF_ASSESSED,
    "self-assessment": Sample.SELF_ASSESSED, "force audited": Sample.SELF_ASSESSED,
    "inspector-selected": Sample.INSPECTOR_SELECTED,
    "inspector selected": Sample.INSPECTOR_SELECTED, "is": Sample.INSPECTOR_SELECTED,
    "further": Sample.INSPECTOR_SELECTED, "hmic selected": Sample.INSPECTOR_SELECTED,
    "inspector": Sample.INSPECTOR_SELECTED, "additional": Sample.INSPECTOR_SELECTED,
})
EXAMPLE_ALIASES = _aliases({
    "good practice": "good_practice", "good_practice": "good_practice",
    "gp": "good_practice", "good": "good_practice",
    "concern": "concern", "poor practice": "concern", "cause for concern": "concern",
})
GENDER_ALIASES = _aliases({
    "female": "female", "f": "female", "girl": "female",
    "male": "male", "m": "male", "boy": "male",
    "other": "other", "non-binary": "other", "nonbinary": "other",
})

def parse_age(text: str) -> int | None:
    """A child's age from text: a whole number from 0 to 17; None otherwise."""
    try:
        age = int(text)
    except ValueError:
        return None
    return age if 0 <= age <= 17 else None


Layout = Literal["long", "wide", "both"]
Kind = Literal["reference", "text", "free-text", "choice", "date", "age"]


@dataclass(frozen=True)
class Field:
    """One column of the cases workbook."""

    name: str
    """Field name: the key in JSON input and output, and the first header spelling."""
    title: str
    """The header the audit form writes."""
    help: str
    """What goes in it, for the audit form's notes and the README."""
    headers: tuple[str, ...]
    """Other header spellings accepted."""
    kind: Kind
    layout: Layout = "both"
    required: bool = False
    width: int = 14
    """Column width in the audit form."""
    in_form: bool = True
    """Whether the audit form (``template``) has a column for it."""

    @property
    def header_keys(self) -> set[str]:
        from ..text import header_key

        return {header_key(h) for h in (self.name, self.title, *self.headers)}


FIELDS: tuple[Field, ...] = (
    Field("case_ref", "Case ref", "The case reference (never a name).",
          ("case reference", "ref", "reference", "case id", "case no", "case number", "urn",
           "reference number", "case reference number", "ref no", "unique reference number", "id"),
          "reference", required=True),
    Field("sample", "Sample", "Self-assessed or inspector-selected; when blank, a case with "
          "a force audit is self-assessed, otherwise inspector-selected.",
          ("sample type", "selection", "case sample", "how selected"), "choice", width=18),
    Field("case_type", "Case type", "The type of case (a case type of the rubric, by key, "
          "label or alias).", ("type", "type of case", "category", "case category"),
          "choice", required=True, width=34),
    Field("area", "Area", "Local authority or division.",
          ("local authority", "la", "division", "district", "borough", "local authority area",
           "council", "bcu", "policing area"), "text"),
    Field("force", "Force", "The police force, in a workbook holding several forces.",
          ("force name", "police force"), "text", in_form=False),
    Field("assessor", "Assessor", "Force (self-assessor) or inspector; its presence marks "
          "the long layout.", ("audited by", "auditor", "reviewer", "assessed by",
                               "reviewed by", "assessor type"), "choice",
          layout="long", width=11),
    Field("reader", "Reader", "Who read the case, when several readers of one side audit "
          "the same case (hmic-audit agree measures how far they agree); optional.",
          ("reader name", "inspector name", "second reader", "reader id", "read by"),
          "text", layout="long", in_form=False),
    Field("audit_date", "Audit date", "Date of the audit: an Excel date, or typed day first "
          "(03/07/2014, 3 July 2014) or as 2014-07-03; month first only with --month-first.",
          ("date", "date audited", "review date", "date reviewed", "inspection date",
           "assessment date", "date assessed"), "date", width=12),
    Field("child_age", "Child age", "The child's age in years, 0 to 17 (optional).",
          ("age", "age of child", "childs age", "age in years", "age years"), "age", width=9),
    Field("child_gender", "Child gender", "Female, male or other (optional).",
          ("gender", "sex", "child sex"), "choice", width=11),
    Field("grade", "Grade", "The assessor's own overall grade (optional: the rubric "
          "computes one).", ("overall grade", "assessor grade", "judgement", "judgment",
                             "overall judgement", "overall judgment", "grading", "rating",
                             "audit grade", "case grade", "grade given"), "choice",
          layout="long", width=20),
    Field("example", "Example", "Good practice or concern, to use the audit as a report "
          "example.", ("report example", "tag", "example tag", "example type"), "choice"),
    Field("example_theme", "Example theme", "The theme the example illustrates.",
          ("theme", "report theme"), "choice", width=22),
    Field("notes", "Notes", "Free text about the case; reaches a report only as an "
          "example.", ("note", "comments", "comment", "narrative", "remarks", "rationale"),
          "free-text", width=40),
    Field("live_risk", "Live risk", "A child the auditor found still at risk: a short "
          "reason (blank, or no, otherwise). Every command shows these first; hmic-audit "
          "escalations lists them for the safeguarding lead.",
          ("live risk reason", "child at risk now", "child still at risk", "risk now",
           "still at risk", "escalate", "escalation", "escalation reason"), "free-text",
          width=24),
    Field("self_grade", "Self grade", "The force's grade of the case; with inspector_grade, "
          "marks the wide layout (one row per case, grades only).",
          ("force grade", "self assessed grade", "self assessment grade", "force judgement",
           "force judgment", "self assessment", "force self assessment", "force rating",
           "self rating", "sa grade"), "choice", layout="wide", width=20, in_form=False),
    Field("inspector_grade", "Inspector grade", "The inspectors' grade of the case (wide "
          "layout).", ("hmic grade", "inspector judgement", "inspector judgment",
                       "hmic judgement", "inspector rating", "hmic rating",
                       "inspectorate grade", "hmicfrs grade"), "choice",
          layout="wide", width=20, in_form=False),
)
FIELDS_BY_NAME = {f.name: f for f in FIELDS}


def field_rows() -> list[list[str]]:
    """The format as a table for people (the README's "Columns" table is this, and a test
    holds the two together): field, header in the form, other headers, layout, contents."""
    return [[f"`{f.name}`" + (" (required)" if f.required else ""), f.title,
             ", ".join(f.headers), f.layout, f.help] for f in FIELDS]


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_FILLERS = frozenset({"of", "the", "a", "an", "in", "overall", "final", "s"})


def words_key(header: str) -> str:
    """A header's words, loosely: camel case split, possessives and plurals dropped
    (``Inspector's grade``, ``Inspectors grade``), filler words left out (``overall``,
    ``of``) and the words sorted, so ``Date of audit`` meets ``Audit date``."""
    words = re.findall(r"[^\W_]+", label_key(_CAMEL.sub(" ", header)))
    stems = (w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
             for w in words if w not in _FILLERS)
    return " ".join(sorted(stems))


HEADER_TO_FIELD = {key: f.name for f in FIELDS for key in f.header_keys}
"""Exact header spellings (compared by ``header_key``) -> field name."""
WORDS_TO_FIELD = {words_key(h): f.name for f in FIELDS for h in (f.name, f.title, *f.headers)}
"""Spellings compared by ``words_key`` -> field name (checked unique by a test)."""


def field_of(header: str) -> str | None:
    """The field a header names, if any: an exact spelling, else the same words."""
    from ..text import header_key

    name = HEADER_TO_FIELD.get(header_key(header))
    if name is None and header:
        name = WORDS_TO_FIELD.get(words_key(header))
    return name


HEADER_SEARCH_ROWS = 30
"""The header row is looked for among this many rows at the top of a sheet."""


@dataclass(frozen=True)
class Choice:
    """How a choice field's text is read, and what a message says when it cannot be."""

    parse: Callable[[str], object]
    """Text -> value (a key or enum member), or None when the text is not a choice."""
    what: str
    """'a sample': what the text is not, in a message."""
    use: str
    """What to use instead, in a message."""
    expected: str
    """The problem's ``expected`` value."""
    spellings: Mapping[str, str] = field(default_factory=dict)
    """Every accepted spelling (by ``label_key``) -> the label to suggest for it."""

    def suggest(self, text: str) -> str | None:
        """The choice a typing slip probably meant (``Goood`` -> ``Good``)."""
        return closest(label_key(text), self.spellings)

    def refusal(self, text: str) -> str:
        """The message for text that is none of the choices."""
        meant = self.suggest(text)
        if meant is None:
            return f"{text!r} is not {self.what}; use {self.use}"
        return f"{text!r} is not {self.what}; did you mean {meant!r}? Use {self.use}"


def _labelled(spellings: Mapping[str, object], label: Callable[[object], str]
              ) -> dict[str, str]:
    return {k: label(v) for k, v in spellings.items()}


def choice(name: str, rubric: Rubric) -> Choice:
    """The reading of a choice field (values from the rubric or from the aliases here)."""
    def fixed(aliases: dict[str, object], what: str, use: str) -> Choice:
        return Choice(lambda t: aliases.get(label_key(t)), what, use, use,
                      _labelled(aliases, lambda v: str(v).replace("_", " ")))

    if name == "sample":
        return fixed(SAMPLE_ALIASES, "a sample", "self-assessed or inspector-selected")
    if name == "assessor":
        return fixed(ASSESSOR_ALIASES, "an assessor", "force or inspector")
    if name == "child_gender":
        return fixed(GENDER_ALIASES, "a gender", "female, male or other")
    if name == "example":
        return fixed(EXAMPLE_ALIASES, "an example tag", "good practice or concern")
    if name == "example_theme":
        themes = ", ".join(t.label.lower() for t in rubric.themes)
        labels = {t.key: t.label for t in rubric.themes}
        return Choice(rubric.parse_theme, "a theme", themes, themes,
                      _labelled(rubric.spellings("theme"), lambda k: labels[str(k)]))
    if name == "case_type":
        type_labels = "; ".join(c.label for c in rubric.case_types)
        return Choice(rubric.parse_case_type, f"a case type in rubric {rubric.name}",
                      f"one of: {type_labels}", type_labels,
                      _labelled(rubric.spellings("case_type"),
                                lambda k: rubric.case_type_labels[str(k)]))
    if name in ("grade", "self_grade", "inspector_grade"):
        use = (f"{rubric.grade_list_text()}, or add an alias under the grade in the "
               "rubric's scale")
        return Choice(rubric.parse_grade, f"a grade in rubric {rubric.name}", use, use,
                      _labelled(rubric.spellings("grade"),
                                lambda k: rubric.grade_labels[str(k)]))
    if name == "answer":
        use = rubric.answer_list_text()
        return Choice(rubric.parse_answer, "an answer", use, use,
                      _labelled(rubric.spellings("answer"),
                                lambda k: rubric.answers_by_key[str(k)].label.lower()))
    raise KeyError(name)


def text_value(text: str) -> str | None:
    """A free label (area, force): cleaned, None when it cleans to nothing."""
    return clean_text(text) or None
