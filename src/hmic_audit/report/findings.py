"""Sentences of the findings, each built from counts registered as figures.

Every function here returns a :class:`Phrase` (safe Markdown): authored or user text is
escaped, numbers come only from the :class:`FigureBook`. The counts are read from the
shared tables of :mod:`hmic_audit.analysis.tables` (those the annex publishes), built
once in :class:`ReportTables`, and the cases behind each figure from the rows those
tables counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..analysis import tables
from ..analysis.compare import Comparison
from ..analysis.pool import Pool
from ..analysis.tables import COUNTED, FORCE, INSPECTOR, SELF, scope_of
from ..profile import CaseTypeHighlight, CriterionHighlight
from ..rubric import Rubric
from ..scoring.grading import GradeResult
from ..text import md_escape
from ..workbook.format import ASSESSORS, SAMPLES, Sample
from .figures import CaseList, FigureBook, Phrase
from .words import join_words

SAMPLE_WORDS = {Sample.SELF_ASSESSED: "self-assessed", Sample.INSPECTOR_SELECTED: "further"}


@dataclass(frozen=True)
class ReportTables:
    """The shared tables a report counts from, each built once, and the cases behind
    any of their cells."""

    pool: Pool
    by_sample: tables.GradeTable
    by_type: tables.GradeTable
    types: tables.CaseTypeTable
    answers: tables.AnswerCounts
    examples: list[tuple[int, str]]
    """Audits tagged as examples (pool position) with the theme each illustrates."""
    listed: bool
    """Whether figures list their cases (never in a published report)."""

    @classmethod
    def of(cls, result: GradeResult, rubric: Rubric, *, listed: bool = True
           ) -> ReportTables:
        """The tables of one graded input."""
        pool = Pool([result])
        tagged = np.flatnonzero(pool.extra("example") != None).tolist()  # noqa: E711
        return cls(pool=pool, by_sample=tables.grades_by_sample(pool, rubric),
                   by_type=tables.grades_by_case_type(pool, rubric),
                   types=tables.case_types(pool, rubric),
                   answers=tables.answer_counts(pool, rubric),
                   examples=[(i, example_theme(pool, i, rubric)) for i in tagged],
                   listed=listed)

    def refs(self, positions: np.ndarray) -> CaseList:
        """The case references of some audits, as a figure lists them."""
        return CaseList(self.pool.case_list(positions) if self.listed else ())


def grade_list(book: FigureBook, prefix: str, table: tables.GradeTable, row: int | None,
               t: ReportTables, rubric: Rubric, rule: str) -> Phrase:
    """'eight good, sixteen adequate, one as requiring improvement and five inadequate':
    the final grades of one row of a grade table.

    When publishing, a list with exactly one hidden count hides its smallest other count
    too, so the hidden one cannot be found by subtracting from the total.
    """
    counts = table.counts[row].tolist() if row is not None else [0] * len(rubric.scale)
    groups = [(level, g, n) for level, (g, n) in enumerate(zip(rubric.scale, counts,
                                                                strict=True)) if n]
    hide: set[str] = set()
    if book.threshold:
        small = [g.key for _, g, n in groups if n < book.threshold]
        if len(small) == 1 and len(groups) > 1:
            others = [(n, g.key) for _, g, n in groups if g.key not in small]
            hide.add(min(others)[1])
    parts = []
    for level, g, n in groups:
        shown = book.count(f"{prefix}.{g.key}", n, f"{rule}, final grade {g.label}",
                           cases=t.refs(table.members(row, level)), hide=g.key in hide)
        parts.append(f"{shown} {md_escape(g.in_sentence)}")
    return Phrase(join_words(parts) or "none")


def self_assessment(book: FigureBook, t: ReportTables, rubric: Rubric) -> dict[str, object]:
    """Chapter 5's opening: the force's grades of its own cases in proportions."""
    grades = t.by_sample
    force = grades.row((SAMPLES[SELF], ASSESSORS[FORCE]))
    total = int(grades.audits[force]) if force is not None else 0
    cases = book.count("self_assessed.cases", total, "self-assessed cases audited by the "
                       "force", cases=t.refs(grades.members(force)), words=False)
    proportions, counts = [], []
    for level, g in enumerate(rubric.scale):
        n = int(grades.counts[force, level]) if force is not None else 0
        if not n:
            continue
        refs = t.refs(grades.members(force, level))
        rule = f"force audits of self-assessed cases with final grade {g.label}"
        if total and n / total >= 0.1:
            share = book.share(f"self_assessed.force.{g.key}.share", n, total,
                               f"share of {rule}", cases=refs)
            shown = book.count(f"self_assessed.force.{g.key}", n, rule, cases=refs,
                               words=False)
            proportions.append(f"{md_escape(g.in_sentence)} in {share} of them ({shown})")
        else:
            shown = book.count(f"self_assessed.force.{g.key}", n, rule, cases=refs)
            counts.append(f"{shown} {'was' if n == 1 else 'were'} rated "
                          f"{md_escape(g.in_sentence)}")
    inspectors = grades.row((SAMPLES[SELF], ASSESSORS[INSPECTOR]))
    reviewed = int(grades.audits[inspectors]) if inspectors is not None else 0
    return {
        "cases": cases,
        "force_proportions": Phrase(join_words(proportions)),
        "force_counts": Phrase(join_words(counts)),
        "reviewed": book.count("self_assessed.reviewed", reviewed,
                               "self-assessed cases that inspectors also audited",
                               cases=t.refs(grades.members(inspectors)), words=False),
        "inspector_grades": grade_list(book, "self_assessed.inspector", grades, inspectors,
                                       t, rubric, "inspector audits of self-assessed cases"),
    }


def comparison_summary(book: FigureBook, c: Comparison, rubric: Rubric) -> dict[str, object]:
    """How far the force's and the inspectors' judgements agreed."""
    sig = [d.case_ref for d in c.significant]
    harsher = [p.case_ref for p in c.cases if p.levels > 0]
    kinder = [p.case_ref for p in c.cases if p.levels < 0]
    answered = sum(x.pairs for x in c.criteria)
    agreed = sum(x.agree for x in c.criteria)
    return {
        "pairs": book.count("compare.pairs", c.pairs, "cases with both a force and an "
                            "inspector grade", cases=[p.case_ref for p in c.cases],
                            words=False),
        "inspectors_harsher": book.count("compare.inspectors_harsher", len(harsher),
                                         "cases inspectors graded below the force",
                                         cases=harsher),
        "inspectors_kinder": book.count("compare.inspectors_kinder", len(kinder),
                                        "cases inspectors graded above the force",
                                        cases=kinder, zero="none"),
        "significant": book.count("compare.significant", len(sig),
                                  f"cases whose two grades are {c.threshold} or more levels "
                                  "apart", cases=sig, zero="none"),
        "threshold": book.count("compare.threshold", c.threshold,
                                "rubric setting significant_difference", source="rubric"),
        "criteria_agreement": book.percent("compare.criterion_agreement", agreed, answered,
                                           "share of criterion answers given by both sides "
                                           "that were the same"),
        "kappa": book.decimal("compare.kappa_quadratic", c.kappa["quadratic"].value,
                              "Cohen's kappa, quadratic weights, final grades"),
    }


def criterion_sentence(book: FigureBook, theme: str, i: int, h: CriterionHighlight,
                       t: ReportTables, rubric: Rubric) -> Phrase:
    """'Inspectors found that <finding> in six of the 84 further cases they examined.'"""
    scope = scope_of(INSPECTOR, None if h.sample is None else SAMPLES.index(h.sample))
    j = rubric.criterion_ids.index(h.criterion)
    found = t.answers.counts[scope][:, j].tolist()
    counted = h.answer in COUNTED
    hits = found[COUNTED.index(h.answer)] if counted else 0
    where = f"{SAMPLE_WORDS[h.sample]} " if h.sample else ""
    rule = (f"inspector audits of {where or 'all '}cases answering {h.criterion} "
            f"'{h.answer}' / answering it yes, partly or no")
    hit_refs = t.refs(t.answers.members(scope, j, (h.answer,))) if counted else CaseList()
    part = book.count(f"{theme}.highlight{i}.count", hits, rule, cases=hit_refs)
    whole = book.count(f"{theme}.highlight{i}.of", sum(found), rule,
                       cases=t.refs(t.answers.members(scope, j)), words=sum(found) <= 20)
    finding = md_escape(h.finding)
    if sum(found) and hits == sum(found):
        return Phrase(f"Inspectors found that {finding} in all {whole} of the {where}cases "
                      "they examined.")
    return Phrase(f"Inspectors found that {finding} in {part} of the {whole} {where}cases "
                  "they examined.")


def case_type_paragraph(book: FigureBook, h: CaseTypeHighlight, t: ReportTables,
                        rubric: Rubric) -> Phrase:
    """Counts, inspectors' grades and (optionally) the children's ages for one case type."""
    label = md_escape(rubric.case_type_labels[h.case_type].lower())
    row = t.by_type.row(h.case_type)
    key = f"case_type.{h.case_type}"
    mine = t.by_type.members(row)
    total = book.count(f"{key}.cases", len(mine), f"inspector audits of {label} cases",
                       cases=t.refs(mine))
    sa = t.types.members(rubric.case_type_keys.index(h.case_type), SELF)
    text = f"Inspectors examined {total} cases of the type {label}"
    if len(sa):
        n_sa = book.count(f"{key}.self_assessed", len(sa), "of which self-assessed",
                          cases=t.refs(sa))
        text += f", {n_sa} of them self-assessed by the force"
    text += (". They judged " + grade_list(book, f"{key}.inspector", t.by_type, row, t,
                                           rubric, f"inspector audits of {label} cases")
             + ".")
    if h.describe_children and not book.threshold:  # ages identify: never when publishing
        text += _children(book, key, t, mine)
    return Phrase(text)


def _children(book: FigureBook, key: str, t: ReportTables, audits: np.ndarray) -> str:
    """The children of some audits in aggregate: ages, girls, one gender throughout."""
    age_of = t.pool.extra("child_age")[audits].tolist()
    gender_of = t.pool.extra("child_gender")[audits].tolist()
    ages = [a for a in age_of if a is not None]
    text = ""
    if ages:
        youngest = book.count(f"{key}.youngest", min(ages), "youngest child's age",
                              words=False)
        oldest = book.count(f"{key}.oldest", max(ages), "oldest child's age", words=False)
        text += f" The youngest child was {youngest} years old and the oldest {oldest}."
    girls = [p for p, g in enumerate(gender_of) if g == "female"]
    if girls:
        n = book.count(f"{key}.girls", len(girls), "girls among the children",
                       cases=t.refs(audits[girls]))
        girl_ages = [age_of[p] for p in girls if age_of[p] is not None]
        aged = [book.count(f"{key}.girl{i}.age", age, "a girl's age", words=False).shown
                for i, age in enumerate(girl_ages, start=1)]
        verb = "was a girl" if len(girls) == 1 else "were girls"
        text += f" {str(n).capitalize()} {verb}" + (f", aged {join_words(aged)}." if aged
                                                    else ".")
    sa = [p for p, s in enumerate(t.pool.sample[audits].tolist()) if s == SELF]
    genders = {gender_of[p] for p in sa}
    if sa and len(genders) == 1 and None not in genders:
        n = book.count(f"{key}.self_assessed_children", len(sa),
                       "self-assessed cases, all of one gender", cases=t.refs(audits[sa]))
        who = "boys" if genders == {"male"} else "girls" if genders == {"female"} else \
            "of the same gender"
        text += f" The {n} children in the cases the force self-assessed were all {who}."
    return text


def example_theme(pool: Pool, i: int, rubric: Rubric) -> str:
    """The theme an example audit illustrates: the one it names, else the theme where it
    scored lowest (a concern) or highest (good practice); the first theme when no theme
    was scored. Ties go to the earlier theme."""
    named = pool.extra("example_theme")[i]
    if named:
        return str(named)
    scored = [(s, n, t) for n, t in enumerate(rubric.theme_keys)
              if not math.isnan(s := float(pool.theme_scores(t)[i]))]
    if not scored:
        return rubric.theme_keys[0]
    concern = pool.extra("example")[i] == "concern"
    pick = min(scored) if concern else max(scored, key=lambda x: (x[0], -x[1]))
    return pick[2]
