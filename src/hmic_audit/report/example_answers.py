"""What a case example shows when its note is left out (``--no-notes``) or it has none.

An example is an audit tagged good practice or concern. Without its note, the report
says what the audit's own answers say under the example's theme (or, when it answered
nothing there, over every theme): for a concern, the questions given the rubric's
lowest-scoring answer, "no" (the first three, and how many more); for good practice, how
many of the questions that applied got its best-scoring answer, "yes". Only answers,
never free text; every number is a
registered figure. An audit with no answers (grades only) gets no sentence.
"""

from __future__ import annotations

from ..rubric import Criterion, Rubric
from ..text import md_escape, or_list
from .figures import FigureBook, Phrase, capital
from .findings import ReportTables
from .words import join_words

SHOWN = 3
"""Questions quoted at most for a concern."""

def _asked(t: ReportTables, rubric: Rubric, i: int, theme: str | None
           ) -> list[tuple[Criterion, int]]:
    codes = t.pool.answers[i].tolist() if t.pool.answers.ndim == 2 else []
    scored = rubric.scored_codes
    return [(c, code) for c, code in zip(rubric.criteria, codes, strict=False)
            if (theme is None or c.theme == theme) and scored[code]]


def summary(book: FigureBook, t: ReportTables, rubric: Rubric, i: int, theme: str,
            concern: bool) -> Phrase | None:
    """The sentence for audit ``i`` shown under ``theme``; None when its answers have
    nothing to say."""
    ref = str(t.pool.case_ref[i])
    where, asked = "of this theme ", _asked(t, rubric, i, theme)
    if not asked:
        where, asked = "", _asked(t, rubric, i, None)
    if not asked:
        return None
    key = f"example.{ref}.{i}"
    best, worst = rubric.best_answer, rubric.worst_answer
    yes, no = best.in_sentence, worst.in_sentence
    scored = or_list([a.in_sentence for a in rubric.scored_answers])
    if concern:
        missed = [c for c, code in asked if code == rubric.code_of(worst.key)]
        if not missed:
            return None
        quoted = [f"“{md_escape(c.question)}”" for c in missed[:SHOWN]]
        if len(missed) > SHOWN:
            rest = len(missed) - SHOWN
            more = book.count(f"{key}.more_no", rest, f"further questions answered {no}",
                              cases=[ref])
            quoted.append(f"{more} other question{'s' if rest > 1 else ''}")
        return Phrase(f"Answered {no}: {join_words(quoted)}")
    met = sum(code == rubric.code_of(best.key) for _, code in asked)
    if met == len(asked) == 1:
        return Phrase(f"The only question {where}that applied was answered {yes}")
    words = book.in_words(met, len(asked))
    of = book.count(f"{key}.asked", len(asked), f"questions answered {scored}",
                    cases=[ref], words=words)
    if met == len(asked):
        return Phrase(f"All {of} questions {where}that applied were answered {yes}")
    counted = book.count(f"{key}.yes", met, f"questions answered {yes}", cases=[ref],
                         words=words, zero="none")
    return Phrase(capital(f"{counted} of the {of} questions {where}that applied were "
                          f"answered {yes}"))
