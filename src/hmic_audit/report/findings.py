"""Sentences of the findings, each built from counts registered as figures.

Every function here returns a :class:`Phrase` (safe Markdown): authored or user text is
escaped, numbers come only from the :class:`FigureBook`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..analysis.compare import Comparison
from ..profile import CaseTypeHighlight, CriterionHighlight
from ..rubric import Rubric
from ..text import md_escape
from ..workbook.models import Assessor, Audit, GradedAudit, Sample
from .figures import FigureBook, Phrase
from .words import join_words

SAMPLE_WORDS = {Sample.SELF_ASSESSED: "self-assessed", Sample.INSPECTOR_SELECTED: "further"}


def refs(audits: Sequence[GradedAudit | Audit]) -> list[str]:
    return [a.case_ref for a in audits]


def grade_list(book: FigureBook, prefix: str, audits: Sequence[GradedAudit], rubric: Rubric,
               rule: str) -> Phrase:
    """'eight good, sixteen adequate, one as requiring improvement and five inadequate'.

    When publishing, a list with exactly one hidden count hides its smallest other count
    too, so the hidden one cannot be found by subtracting from the total.
    """
    groups = [(g, [a for a in audits if a.final_grade == g.key]) for g in rubric.scale]
    groups = [(g, group) for g, group in groups if group]
    hide: set[str] = set()
    if book.threshold:
        small = [g.key for g, group in groups if len(group) < book.threshold]
        if len(small) == 1 and len(groups) > 1:
            others = [(len(group), g.key) for g, group in groups if g.key not in small]
            hide.add(min(others)[1])
    parts = []
    for g, group in groups:
        n = book.count(f"{prefix}.{g.key}", len(group), f"{rule}, final grade {g.label}",
                       cases=refs(group), hide=g.key in hide)
        parts.append(f"{n} {md_escape(g.in_sentence)}")
    return Phrase(join_words(parts) or "none")


def self_assessment(book: FigureBook, graded: Sequence[GradedAudit], rubric: Rubric
                    ) -> dict[str, object]:
    """Chapter 5's opening: the force's grades of its own cases in proportions."""
    force = [a for a in graded if a.sample is Sample.SELF_ASSESSED
             and a.assessor is Assessor.FORCE]
    total = len(force)
    cases = book.count("self_assessed.cases", total, "self-assessed cases audited by the "
                       "force", cases=refs(force), words=False)
    proportions, counts = [], []
    for g in rubric.scale:
        group = [a for a in force if a.final_grade == g.key]
        if not group:
            continue
        rule = f"force audits of self-assessed cases with final grade {g.label}"
        if total and len(group) / total >= 0.1:
            share = book.share(f"self_assessed.force.{g.key}.share", len(group), total,
                               f"share of {rule}", cases=refs(group))
            n = book.count(f"self_assessed.force.{g.key}", len(group), rule,
                           cases=refs(group), words=False)
            proportions.append(f"{md_escape(g.in_sentence)} in {share} of them ({n})")
        else:
            n = book.count(f"self_assessed.force.{g.key}", len(group), rule,
                           cases=refs(group))
            counts.append(f"{n} {'was' if len(group) == 1 else 'were'} rated "
                          f"{md_escape(g.in_sentence)}")
    inspectors = [a for a in graded if a.sample is Sample.SELF_ASSESSED
                  and a.assessor is Assessor.INSPECTOR]
    return {
        "cases": cases,
        "force_proportions": Phrase(join_words(proportions)),
        "force_counts": Phrase(join_words(counts)),
        "reviewed": book.count("self_assessed.reviewed", len(inspectors),
                               "self-assessed cases that inspectors also audited",
                               cases=refs(inspectors), words=False),
        "inspector_grades": grade_list(book, "self_assessed.inspector", inspectors, rubric,
                                       "inspector audits of self-assessed cases"),
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
                       audits: Sequence[Audit]) -> Phrase:
    """'Inspectors found that <finding> in six of the 84 further cases they examined.'"""
    pool = [a for a in audits if a.assessor is Assessor.INSPECTOR
            and (h.sample is None or a.sample is h.sample)
            and a.answers.get(h.criterion) in ("yes", "partly", "no")]
    hits = [a for a in pool if a.answers[h.criterion] == h.answer]
    where = f"{SAMPLE_WORDS[h.sample]} " if h.sample else ""
    rule = (f"inspector audits of {where or 'all '}cases answering {h.criterion} "
            f"'{h.answer}' / answering it yes, partly or no")
    part = book.count(f"{theme}.highlight{i}.count", len(hits), rule, cases=refs(hits))
    whole = book.count(f"{theme}.highlight{i}.of", len(pool), rule, cases=refs(pool),
                       words=len(pool) <= 20)
    finding = md_escape(h.finding)
    if pool and len(hits) == len(pool):
        return Phrase(f"Inspectors found that {finding} in all {whole} of the {where}cases "
                      "they examined.")
    return Phrase(f"Inspectors found that {finding} in {part} of the {whole} {where}cases "
                  "they examined.")


def case_type_paragraph(book: FigureBook, h: CaseTypeHighlight, graded: Sequence[GradedAudit],
                        audits: Sequence[Audit], rubric: Rubric) -> Phrase:
    """Counts, inspectors' grades and (optionally) the children's ages for one case type."""
    label = md_escape(rubric.case_type_labels[h.case_type].lower())
    mine = [a for a in graded if a.case_type == h.case_type
            and a.assessor is Assessor.INSPECTOR]
    key = f"case_type.{h.case_type}"
    total = book.count(f"{key}.cases", len(mine), f"inspector audits of {label} cases",
                       cases=refs(mine))
    sa = [a for a in mine if a.sample is Sample.SELF_ASSESSED]
    text = f"Inspectors examined {total} cases of the type {label}"
    if sa:
        n_sa = book.count(f"{key}.self_assessed", len(sa), "of which self-assessed",
                          cases=refs(sa))
        text += f", {n_sa} of them self-assessed by the force"
    text += (". They judged " + grade_list(book, f"{key}.inspector", mine, rubric,
                                           f"inspector audits of {label} cases") + ".")
    if h.describe_children and not book.threshold:  # ages identify: never when publishing
        text += _children(book, key, [a for a in audits if a.assessor is Assessor.INSPECTOR
                                      and a.case_type == h.case_type])
    return Phrase(text)


def _children(book: FigureBook, key: str, audits: Sequence[Audit]) -> str:
    ages = [a.child_age for a in audits if a.child_age is not None]
    text = ""
    if ages:
        youngest = book.count(f"{key}.youngest", min(ages), "youngest child's age",
                              words=False)
        oldest = book.count(f"{key}.oldest", max(ages), "oldest child's age", words=False)
        text += f" The youngest child was {youngest} years old and the oldest {oldest}."
    girls = [a for a in audits if a.child_gender == "female"]
    if girls:
        n = book.count(f"{key}.girls", len(girls), "girls among the children",
                       cases=refs(girls))
        girl_ages = [a.child_age for a in girls if a.child_age is not None]
        aged = [book.count(f"{key}.girl{i}.age", age, "a girl's age", words=False).shown
                for i, age in enumerate(girl_ages, start=1)]
        verb = "was a girl" if len(girls) == 1 else "were girls"
        text += f" {str(n).capitalize()} {verb}" + (f", aged {join_words(aged)}." if aged
                                                    else ".")
    sa = [a for a in audits if a.sample is Sample.SELF_ASSESSED]
    genders = {a.child_gender for a in sa}
    if sa and len(genders) == 1 and None not in genders:
        n = book.count(f"{key}.self_assessed_children", len(sa),
                       "self-assessed cases, all of one gender", cases=refs(sa))
        who = "boys" if genders == {"male"} else "girls" if genders == {"female"} else \
            "of the same gender"
        text += f" The {n} children in the cases the force self-assessed were all {who}."
    return text
