"""Sentences a force profile asks for under a theme: how often inspectors found what one
criterion checks, and a paragraph on one case type (its cases, their grades and, in
aggregate, the children).

Like the rest of the findings, each sentence is chosen from the counts (all, none, one,
both) and left out (``None``) when the data has nothing to say: a criterion nobody
answered, a case type inspectors did not examine, a figure a published report hides.
"""

from __future__ import annotations

import numpy as np

from ..analysis.annex_table import scope_query
from ..analysis.disclosure import audited
from ..analysis.tables import INSPECTOR, SELF, scope_of
from ..profile import CaseTypeHighlight, CriterionHighlight
from ..rubric import Rubric
from ..text import md_escape, or_list
from ..workbook.format import SAMPLES, Sample
from .figures import CaseList, FigureBook, Phrase, capital, counted
from .findings import GradeRow, ReportTables, judged, part_of
from .words import join_words

SAMPLE_WORDS = {Sample.SELF_ASSESSED: "self-assessed", Sample.INSPECTOR_SELECTED: "further"}


def criterion_sentence(book: FigureBook, theme: str, i: int, h: CriterionHighlight,
                       t: ReportTables, rubric: Rubric) -> Phrase | None:
    """'Inspectors found that <finding> in 6 of the 84 further cases they examined.'

    None when inspectors answered the criterion in no case (or, publishing, in fewer
    cases than the threshold: the sentence would show nothing).
    """
    scope = scope_of(INSPECTOR, None if h.sample is None else SAMPLES.index(h.sample))
    j = rubric.criterion_ids.index(h.criterion)
    found = t.answers.counts[scope][:, j].tolist()
    examined = sum(found)
    answer = h.answer_key(rubric)
    counted = t.answers.counted
    hits = found[counted.index(answer)] if answer in counted else 0
    if not examined or (book.threshold and examined < book.threshold):
        return None
    where = f"{SAMPLE_WORDS[h.sample]} " if h.sample else ""
    rule = (f"inspector audits of {where or 'all '}cases answering {h.criterion} "
            f"'{answer}' / answering it {or_list(counted)}")
    finding = md_escape(h.finding)
    examined_refs = t.refs(t.answers.members(scope, j),
                           scope_query(scope, [h.criterion], counted))
    if examined == 1:
        they = f"the only {where}case they examined"
        if hits:
            return Phrase(f"Inspectors found that {finding} in {they}.")
        return Phrase(f"In {they}, inspectors did not find that {finding}.")
    if hits == examined and examined == 2:
        return Phrase(f"Inspectors found that {finding} in both of the {where}cases they "
                      "examined.")
    words = book.in_words(hits, examined)
    whole = book.count(f"{theme}.highlight{i}.of", examined, rule, cases=examined_refs,
                       words=words)
    if book.hidden(whole):  # published without its whole, the sentence says nothing
        book.forget(whole)
        return None
    if hits == examined:
        return Phrase(f"Inspectors found that {finding} in all {whole} of the {where}cases "
                      "they examined.")
    if not hits:
        return Phrase(f"In none of the {whole} {where}cases they examined did inspectors "
                      f"find that {finding}.")
    part = part_of(book, hits, examined, rest_id=f"{theme}.highlight{i}.rest",
                   part_id=f"{theme}.highlight{i}.count", rule=rule, words=words,
                   cases=t.refs(t.answers.members(scope, j, (answer,)),
                                scope_query(scope, [h.criterion], [answer])))
    return Phrase(f"Inspectors found that {finding} in {part} of the {whole} {where}cases "
                  "they examined.")


def case_type_paragraph(book: FigureBook, h: CaseTypeHighlight, t: ReportTables,
                        rubric: Rubric) -> Phrase | None:
    """How many cases of one type inspectors examined (and how many of them the force
    self-assessed), their grades, and optionally the children's ages and genders in
    aggregate; None when inspectors examined no case of the type."""
    label = md_escape(rubric.case_type_labels[h.case_type].lower())
    key = f"case_type.{h.case_type}"
    r = GradeRow(book, t, t.by_type, t.by_type.row(h.case_type), key + ".inspector",
                 f"inspector audits of {label} cases")
    total = r.audits
    if not total:
        return None
    mine = t.by_type.members(r.row)
    sa = t.types.members(rubric.case_type_keys.index(h.case_type), SELF)
    kind = f"classed as ‘{label}’"
    words = book.in_words(total, len(sa)) if 0 < len(sa) < total else True
    n = book.count(f"{key}.cases", total, f"inspector audits of {label} cases",
                   cases=t.refs(mine, r.query()), words=words)
    text = f"Inspectors examined {counted(n, total, 'case')} {kind}"
    sa_query = audited("inspector", case_type=h.case_type, sample=SAMPLES[SELF].value)
    if (len(sa) == total or total == 1) and not book.published(sa_query):
        pass  # "all of them self-assessed" would state a count the publication hides
    elif total == 1:
        if len(sa):
            text += ", which the force had also self-assessed"
    else:
        if len(sa) == total:
            text += ", both self-assessed by the force" if total == 2 else \
                ", all of them self-assessed by the force"
        elif len(sa):
            n_sa = book.count(f"{key}.self_assessed", len(sa), "of which self-assessed",
                              cases=t.refs(sa, sa_query), words=words)
            text += f", {n_sa} of them self-assessed by the force"
    text += f". {judged(r, rubric, 'They judged')}"
    if h.describe_children and not book.threshold:  # ages identify: never when publishing
        text += _children(book, key, t, mine)
    return Phrase(text)


def _children(book: FigureBook, key: str, t: ReportTables, audits: np.ndarray) -> str:
    """The children of some audits in aggregate: their ages, how many were girls, and
    one gender throughout the self-assessed cases. Ages are always numerals."""
    age_of = t.pool.extra("child_age")[audits].tolist()
    gender_of = t.pool.extra("child_gender")[audits].tolist()
    ages = [a for a in age_of if a is not None]
    everyone = len(ages) == len(age_of)
    text = ""
    if len(ages) == 1:
        age = book.count(f"{key}.age", ages[0], "the child's age", words=False)
        text += (f" The child was {age} years old." if everyone else
                 f" The only child whose age was recorded was {age} years old.")
    elif ages and min(ages) == max(ages):
        age = book.count(f"{key}.age", ages[0], "the children's age", words=False)
        text += (f" Every child was {age} years old." if everyone else
                 f" Every child whose age was recorded was {age} years old.")
    elif ages:
        youngest = book.count(f"{key}.youngest", min(ages), "youngest child's age",
                              words=False)
        oldest = book.count(f"{key}.oldest", max(ages), "oldest child's age", words=False)
        lead = "The youngest child" if everyone else \
            "Of the children whose ages were recorded, the youngest"
        text += f" {lead} was {youngest} years old and the oldest {oldest}."
    text += _girls(book, key, t, audits, age_of, gender_of)
    sa = [p for p, s in enumerate(t.pool.sample[audits].tolist()) if s == SELF]
    genders = {gender_of[p] for p in sa}
    if sa and len(genders) == 1 and None not in genders:
        who = {"male": "boys", "female": "girls"}.get(str(next(iter(genders))),
                                                       "of the same gender")
        if len(sa) == 1:
            who = {"boys": "a boy", "girls": "a girl"}.get(who, who)
            text += f" The child in the case the force self-assessed was {who}."
        else:
            n = book.count(f"{key}.self_assessed_children", len(sa),
                           "self-assessed cases, all of one gender", cases=t.refs(audits[sa]))
            text += (f" The {n} children in the cases the force self-assessed were "
                     f"{'both' if len(sa) == 2 else 'all'} {who}.")
    return text


def _girls(book: FigureBook, key: str, t: ReportTables, audits: np.ndarray,
           age_of: list[int | None], gender_of: list[str | None]) -> str:
    """'Two of the children were girls, aged 14 and 16.' (their ages only when every one
    is known)."""
    girls = [p for p, g in enumerate(gender_of) if g == "female"]
    if not girls:
        return ""
    girl_ages = sorted(a for p in girls if (a := age_of[p]) is not None)
    aged = ""
    if len(girl_ages) == len(girls):
        shown = [str(book.count(f"{key}.girl{i}.age", age, "a girl's age", words=False))
                 for i, age in enumerate(girl_ages, start=1)]
        aged = f", aged {join_words(shown)}"
    if len(girls) == len(gender_of):
        every = "The child was a girl" if len(girls) == 1 else \
            "Both children were girls" if len(girls) == 2 else "Every child was a girl"
        return f" {every}{aged}."
    n = book.count(f"{key}.girls", len(girls), "girls among the children",
                   cases=CaseList(t.refs(audits[girls])))
    were = "was a girl" if len(girls) == 1 else "were girls"
    if n.shown[:1].isdigit():  # a sentence does not start with a numeral
        return f" Of the children, {n} {were}{aged}."
    return f" {capital(str(n))} of the children {were}{aged}."
