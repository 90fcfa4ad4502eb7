"""The sentence opening each topic's chapter when the rubric rolls case file reviews up
into topic grades (``rollup``): the grade the inspectors' reviews give the topic by the
rubric's rule (this tool's roll-up, not a grade the inspectors gave; Annex A explains the
rule) and how many of the reviews were good or better.

Never in a published report: a review's topic grade is not a unit the publication's
disclosure control counts (see :func:`hmic_audit.analysis.rollup.topics_table`), so the
counts could not be judged; :func:`topic_sentences` gives nothing when publishing.
"""

from __future__ import annotations

import numpy as np

from ..analysis.rollup import acceptable_words, review_levels, topic_grades
from ..rubric import Rubric
from ..scoring.grading import GradeResult
from ..text import md_escape
from .figures import FigureBook, Phrase, capital
from .findings import grade_words


def topic_sentences(book: FigureBook, result: GradeResult, rubric: Rubric
                    ) -> dict[str, Phrase]:
    """Per theme key, the topic's sentence ('Leadership: the inspectors' case file
    reviews grade it as requiring improvement (the median review grade); 10 of the 48
    were good or better.'); empty without a rollup, or when publishing."""
    if rubric.rollup is None or book.threshold:
        return {}
    # the rule's name, as Rollup.describe says it before its details in brackets
    how = md_escape(rubric.rollup.describe(rubric).split(" (", 1)[0])
    topics = topic_grades(result, rubric)
    levels = review_levels(result, rubric)
    good = np.array([g in rubric.acceptable_grades for g in rubric.grade_keys])
    words = md_escape(acceptable_words(rubric))
    refs = result.frame.case_ref
    out: dict[str, Phrase] = {}
    for t in topics.topics:
        label = md_escape(t.label)
        prefix = f"topics.{t.theme}"
        if t.grade is None:
            out[t.theme] = Phrase(f"{label}: no case file review gave this topic a score, so "
                                  "it has no grade from the reviews.")
            continue
        level = levels[t.theme]
        reviewed, acceptable = level >= 0, (level >= 0) & good[np.maximum(level, 0)]
        grade = book.add(f"{prefix}.grade", t.grade,
                         grade_words(rubric.scale[rubric.grade_level(t.grade)]),
                         f"the force's grade for the topic: the inspectors' case file review "
                         f"grades for it rolled up by the rubric's rule ({topics.method})",
                         cases=refs[reviewed].tolist())
        rule = f"inspectors' case file reviews with a score for topic {t.label}"
        in_words = book.in_words(t.acceptable, t.reviewed)
        part_rule = f"{rule}, graded {acceptable_words(rubric)}"
        part_refs = refs[acceptable].tolist()
        if t.reviewed == 1:
            only = book.add(f"{prefix}.reviewed", 1, "only", rule,
                            cases=refs[reviewed].tolist())
            verb = "was" if t.acceptable else "was not"
            # one review's median is its own grade: the rule is worth naming only when
            # it can make the topic's grade differ from the review's (share)
            rule_said = "" if rubric.rollup.method == "median" else f" ({how})"
            said = (f"the inspectors' {only} case file review with a score for it grades "
                    f"it {grade}{rule_said}; that review {verb} {words}")
        else:
            whole = book.count(f"{prefix}.reviewed", t.reviewed, rule, words=in_words,
                               cases=refs[reviewed].tolist())
            if t.acceptable == t.reviewed:
                every = book.add(f"{prefix}.acceptable", t.acceptable, "every one",
                                 part_rule, cases=part_refs)
                counts = f"{every} of the {whole} was {words}"
            elif t.acceptable == 0:
                none = book.add(f"{prefix}.acceptable", 0,
                                "neither" if t.reviewed == 2 else "none", part_rule)
                counts = f"{none} of the {whole} {'was' if t.reviewed == 2 else 'were'} " \
                    f"{words}"
            else:
                part = book.count(f"{prefix}.acceptable", t.acceptable, part_rule,
                                  words=in_words, cases=part_refs)
                verb = "was" if t.acceptable == 1 else "were"
                counts = f"{part} of the {whole} {verb} {words}"
            said = f"the inspectors' case file reviews grade it {grade} ({how}); {counts}"
        out[t.theme] = Phrase(capital(f"{label}: {said}."))
    return out
