"""Sentences of the findings, each chosen from the computed facts and built from counts
registered as figures.

Nothing here is a fixed statement filled in: which sentence is said depends on the
counts (who judged more harshly, or that the two sides agreed; whether criterion answers
exist and agree; whether a count is zero, one, two or all), and a sentence about
something the data does not hold is left out (``None``). Every function returns a
:class:`Phrase` (safe Markdown): authored or user text is escaped, numbers come only
from the :class:`FigureBook`, which registers just the figures a sentence shows.

The counts are read from the shared tables of :mod:`hmic_audit.analysis.tables` (those
the annex publishes), built once in :class:`ReportTables`, and the cases behind each
figure from the rows those tables counted. The sentences about one theme's criteria and
case types are in :mod:`hmic_audit.report.highlights`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..analysis import tables
from ..analysis.annex_table import grade_query, pairs_query
from ..analysis.compare import Comparison
from ..analysis.disclosure import NONE, Query, answer_query, case_query
from ..analysis.pool import Pool
from ..analysis.tables import FORCE, FURTHER, INSPECTOR, SELF
from ..rubric import Grade, Rubric
from ..scoring.grading import GradeResult
from ..text import md_escape
from ..workbook.format import ASSESSORS, SAMPLES
from .figures import UNPUBLISHED, CaseList, Figure, FigureBook, Phrase, capital, counted
from .words import join_words, noun

SIMILAR_ANSWERS = 0.8
"""The share of criterion answers the two sides must have given alike (counting every
criterion both audits of a case answered yes, partly or no) for the report to say that
the force and the inspectors saw much the same strengths and weaknesses in the cases.
Below it the report says how often their answers matched and that they did not always
see the same. 0.8 is four answers in five; the reference report's claim of "similar
strengths and weaknesses" rests on the sample's 87%."""

PROPORTIONS_FROM = 10
"""The force's own grades are given as proportions ("about two-thirds of them (19)")
only when it audited at least this many cases; for fewer, a proportion in words says
less than the counts themselves ("two good and one adequate")."""

SHARE_FROM = 0.1
"""In a sentence of proportions, a grade given to less than this share of the cases is
given as a count ("two were rated as requiring improvement"): "very few" would hide how
few."""


def grade_words(g: Grade) -> str:
    """How a grade reads after a number or 'judged it', escaped: the rubric's ``phrase``
    ('as requiring improvement'), else a one-word label in lower case ('good'), else the
    label quoted ('as ‘requires improvement’'): a longer label may not be an adjective."""
    if g.phrase or " " not in g.label.strip():
        return md_escape(g.in_sentence)
    return f"as ‘{md_escape(g.label.lower())}’"


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

    @property
    def answered(self) -> bool:
        """Whether any audit answered a criterion (yes, partly or no): not grades only."""
        return bool(self.answers.counts.sum())

    @property
    def self_assessed(self) -> bool:
        """Whether any case was self-assessed (audited by the force)."""
        return bool(self.types.counts[:, SELF].sum())

    def refs(self, positions: np.ndarray, query: Query | None = None) -> CaseList:
        """The case references of some audits, as a figure lists them, and the units
        they are (``query``, for disclosure control)."""
        return CaseList.of(self.pool.case_list(positions) if self.listed else (), query)

    def row(self, sample: int, assessor: int) -> int | None:
        """The row of ``by_sample`` for a sample and assessor (None: no such audits)."""
        return self.by_sample.row((SAMPLES[sample], ASSESSORS[assessor]))


@dataclass(frozen=True)
class GradeRow:
    """One row of a grade table, as the sentences about it need it."""

    book: FigureBook
    t: ReportTables
    table: tables.GradeTable
    row: int | None
    prefix: str
    """Figure ids start with this: ``further.inspector``."""
    rule: str
    """What the row counts, for the figures' rules."""

    @property
    def counts(self) -> list[int]:
        """Audits per grade, best grade first."""
        if self.row is None:
            return [0] * len(self.table.grades)
        return [int(n) for n in self.table.counts[self.row].tolist()]

    @property
    def ungraded(self) -> int:
        return 0 if self.row is None else int(self.table.ungraded[self.row])

    @property
    def audits(self) -> int:
        return sum(self.counts) + self.ungraded

    def query(self, levels: list[int] | None = None) -> Query | None:
        """The units of the row (with one of some final grades; -1 for none)."""
        return None if self.row is None else grade_query(self.table, self.row, levels)

    def refs(self, level: int | None = None) -> CaseList:
        """The cases counted in the row (with one final grade; -1 for none)."""
        return self.t.refs(self.table.members(self.row, level),
                           self.query(None if level is None else [level]))

    def count(self, id: str, n: int, rule: str, *, words: bool = True,
              cases: CaseList | None = None) -> Figure:
        """Register a count of this row."""
        return self.book.count(f"{self.prefix}.{id}", n, f"{self.rule}{rule}",
                               cases=cases if cases is not None else CaseList(), words=words)


def part_of(book: FigureBook, part: int, whole: int, *, rest_id: str, part_id: str,
            rule: str, words: bool, cases: CaseList) -> Figure | str:
    """How ``part`` of a shown ``whole`` reads ("six", "all but fewer than six"): when
    publishing and the rest is a hidden count, "all but fewer than six" only when the
    whole is at least twice the threshold (so it reads as nearly all, and is); for a
    smaller whole the part itself is hidden ("fewer than six") or, when it is not small,
    left out ("most": more than half, as it must be). With the publication's disclosure
    control (a guard), the part is shown exactly as it allows: "all but" and "most" bound
    counts it may hide."""
    if book.hides_rest(part, whole) and not book.guarded:
        threshold = book.threshold or 0
        if whole >= 2 * threshold:
            return "all but " + str(book.count(rest_id, whole - part, rule, words=words,
                                               hide=True))
        if part >= threshold:
            return "most"
    return book.count(part_id, part, rule, words=words, cases=cases)


def grade_list(r: GradeRow, rubric: Rubric, *, also: tuple[int, ...] = ()) -> Phrase:
    """'eight good, sixteen adequate, one as requiring improvement and five inadequate':
    the final grades of one row, grades nobody was given left out, all in words or all
    in numerals (``also``: other counts of the same sentence, for that choice).

    When publishing, a list with exactly one hidden count would give it away (the total
    is shown): that grade is told together with the smallest other one ("22 as
    requiring improvement or inadequate").
    """
    book, counts = r.book, r.counts
    groups: list[list[int]] = [[level] for level, n in enumerate(counts) if n]
    if book.threshold and not book.guarded:
        small = [g for g in groups if counts[g[0]] < book.threshold]
        if len(small) == 1 and len(groups) > 1:
            partner = min((g for g in groups if g is not small[0]),
                          key=lambda g: (counts[g[0]], g[0]))
            groups.remove(partner)
            small[0].extend(partner[:1])
            small[0].sort()
    shown = [sum(counts[level] for level in g) for g in groups]
    words = book.in_words(*shown, *also)
    parts = []
    for g, n in zip(groups, shown, strict=True):
        scale: list[Grade] = [rubric.scale[level] for level in g]
        # one grade's cases are listed sorted and distinct already; several merged
        refs = r.refs(g[0]) if len(g) == 1 else CaseList.of(
            sorted(set().union(*(r.refs(level) for level in g))), r.query(g))
        figure = r.count("_or_".join(s.key for s in scale), n,
                         f", final grade {' or '.join(s.label for s in scale)}",
                         cases=refs, words=words)
        told = counted(figure, n, "case") if len(groups) == 1 else str(figure)
        parts.append(f"{told} {' or '.join(grade_words(s) for s in scale)}")
    return Phrase(join_words(parts))


def judged(r: GradeRow, rubric: Rubric, verb: str) -> Phrase | None:
    """'They judged eight good, sixteen adequate and five inadequate.' for one row of a
    grade table ('They judged it good.' for one case, 'both' for two, 'all of them' when
    every case got the same grade); None when the row has no audit."""
    counts, ungraded = r.counts, r.ungraded
    graded = sum(counts)
    if not r.audits:
        return None
    if not graded:
        return Phrase("It could not be graded." if r.audits == 1 else
                      "None of them could be graded.")
    levels = [level for level, n in enumerate(counts) if n]
    if len(levels) == 1 and not ungraded and r.book.published(r.query(levels)):
        # "both", "all of them": only when the count they stand for may be published
        what = "it" if graded == 1 else "both" if graded == 2 else "all of them"
        return Phrase(f"{verb} {what} {grade_words(rubric.scale[levels[0]])}.")
    before = {f.id for f in r.book.all()}
    text = f"{verb} {grade_list(r, rubric, also=(ungraded,))}"
    if ungraded:
        figure = r.count("ungraded", ungraded, ", no final grade", cases=r.refs(-1),
                         words=r.book.in_words(*(n for n in counts if n), ungraded))
        text += f"; {figure} could not be graded"
    told = [f for f in r.book.all() if f.id not in before]
    if told and all(r.book.hidden(f) for f in told):
        # published with every count hidden, the list would say nothing but its grades
        for f in told:
            r.book.forget(f)
        return Phrase("This publication does not give how they were graded.")
    return Phrase(text + ".")


def _force_proportions(r: GradeRow, rubric: Rubric) -> Phrase:
    """'Its assessors rated practice good in about two-thirds of them (19) and adequate
    in just under a third of them (9), and two were rated as requiring improvement.'"""
    total, shares, counts = r.audits, [], []
    rare = [n for n in r.counts if n and n / total < SHARE_FROM]
    words = r.book.in_words(*rare, *([r.ungraded] if r.ungraded else []))
    for level, n in enumerate(r.counts):
        if not n:
            continue
        g = rubric.scale[level]
        what = grade_words(g)
        if n == total:
            return Phrase(f"Its assessors rated practice {what} in all of them.")
        if n / total >= SHARE_FROM:
            share = r.book.share(f"{r.prefix}.{g.key}.share", n, total,
                                 f"share of {r.rule}, final grade {g.label}",
                                 cases=r.refs(level))
            shown = r.count(g.key, n, f", final grade {g.label}", words=False,
                            cases=r.refs(level))
            shares.append(f"{what} in {share} of them ({shown})")
        else:
            shown = r.count(g.key, n, f", final grade {g.label}", cases=r.refs(level),
                            words=words)
            counts.append(f"{shown} {'was' if n == 1 else 'were'} rated {what}")
    if r.ungraded:
        shown = r.count("ungraded", r.ungraded, ", no final grade", cases=r.refs(-1),
                        words=words)
        counts.append(f"{shown} could not be graded")
    if not shares:  # every grade rare: most audits could not be graded
        return Phrase(capital(join_words(counts)) + ".")
    text = f"Its assessors rated practice {join_words(shares)}"
    if counts:  # one more clause with ', and'; a list of them after a semicolon
        text += (", and " if len(counts) == 1 else "; ") + join_words(counts)
    return Phrase(text + ".")


_NOT_REVIEWED = Query.where("case", sample=SAMPLES[SELF].value, inspector_grade=NONE,
                           **{"not force_grade": NONE})
"""Self-assessed cases the force audited and inspectors did not: "inspectors reviewed all
the cases" says there are none, a published zero."""


def self_assessment(book: FigureBook, t: ReportTables, rubric: Rubric) -> Phrase | None:
    """The findings' opening: the cases the force audited and how it rated them, then
    the inspectors' review of the same cases; None when no case was self-assessed."""
    force = GradeRow(book, t, t.by_sample, t.row(SELF, FORCE), "self_assessed.force",
                     "force audits of self-assessed cases")
    inspectors = GradeRow(book, t, t.by_sample, t.row(SELF, INSPECTOR),
                          "self_assessed.inspector", "inspector audits of self-assessed "
                          "cases")
    audited, reviewed = force.audits, inspectors.audits
    if not audited and not reviewed:
        return None
    pool = t.pool
    cases = len(np.unique(pool.case[pool.sample == SELF]))
    sentences: list[str] = []
    if audited:
        n = book.count("self_assessed.cases", audited, "self-assessed cases audited by the "
                       "force", cases=force.refs())
        criteria = " against the inspectorate's criteria" if t.answered else ""
        sentences.append(f"During the inspection the force audited "
                         f"{counted(n, audited, 'case')}{criteria}.")
        if audited >= PROPORTIONS_FROM and not book.threshold and any(force.counts):
            sentences.append(_force_proportions(force, rubric))
        else:
            sentences.append(judged(force, rubric, "Its assessors rated") or "")
        if reviewed == cases:
            if cases == 1:
                sentences.append("Inspectors then reviewed the same case.")
            elif cases == 2 and not book.threshold:  # published: "both" would say two
                both = book.add("self_assessed.reviewed", reviewed, "both", "self-assessed "
                                "cases that inspectors also audited",
                                cases=inspectors.refs())
                sentences.append(f"Inspectors reviewed {both} of these cases.")
            else:
                all_ = book.count("self_assessed.reviewed", reviewed, "self-assessed cases "
                                  "that inspectors also audited", cases=inspectors.refs())
                # "all" publishes that no self-assessed case was left out: a count the
                # publication may hide (the rest of the force's hidden total)
                every = book.published(_NOT_REVIEWED)
                if not book.hidden(all_):
                    sentences.append(f"Inspectors reviewed {'all ' if every else ''}{all_} "
                                     "cases that had been self-assessed.")
                elif every:
                    sentences.append("Inspectors reviewed all the cases that had been "
                                     "self-assessed.")
                else:
                    book.forget(all_)
                    sentences.append("Inspectors also audited cases that the force had "
                                     "self-assessed.")
        elif reviewed:
            words = book.in_words(reviewed, cases)
            part = part_of(book, reviewed, cases, rest_id="self_assessed.not_reviewed",
                           part_id="self_assessed.reviewed",
                           rule="self-assessed cases that inspectors also audited (or, "
                           "hidden, did not audit)", words=words, cases=inspectors.refs())
            whole = book.count("self_assessed.total", cases, "self-assessed cases",
                               words=words, query=case_query(sample=SAMPLES[SELF].value))
            sentences.append(f"Inspectors reviewed {part} of the {whole} cases that had been "
                             "self-assessed.")
        else:
            sentences.append("The data holds no inspector audit of "
                             f"{'this case' if audited == 1 else 'these cases'}.")
    else:
        n = book.count("self_assessed.reviewed", reviewed, "self-assessed cases that "
                       "inspectors audited", cases=inspectors.refs())
        sentences.append(f"Inspectors reviewed {counted(n, reviewed, 'case')} the force had "
                         "chosen for self-assessment; the force's own "
                         f"{noun(reviewed, 'audit')} of {'it' if reviewed == 1 else 'them'} "
                         f"{'is' if reviewed == 1 else 'are'} not in the data.")
    sentences.append(judged(inspectors, rubric, "They judged") or "")
    return Phrase(" ".join(s for s in sentences if s))


def further_cases(book: FigureBook, t: ReportTables, rubric: Rubric, *, also: bool
                  ) -> Phrase | None:
    """The cases inspectors chose themselves and their grades ("also ... a further" when
    ``also``: after the self-assessed cases); None when there are none."""
    r = GradeRow(book, t, t.by_sample, t.row(FURTHER, INSPECTOR), "further.inspector",
                 "inspector audits of inspector-selected cases")
    if not r.audits:
        return None
    n = book.count("further.cases", r.audits, "inspector-selected cases", cases=r.refs())
    if r.audits == 1:
        text = (f"Inspectors {'also ' if also else ''}selected and examined {n} "
                f"{'further ' if also else ''}case, in which a child had been identified as "
                "being at risk.")
    else:
        hidden = book.hidden(n)
        text = (f"Inspectors {'also ' if also else ''}selected and examined "
                f"{'a further ' if also and not hidden else ''}{n} "
                f"{'of ' if n.shown == UNPUBLISHED else ''}"
                f"{'further ' if also and hidden else ''}cases in which children had been "
                "identified as being at risk.")
    return Phrase(f"{text} {judged(r, rubric, 'They judged')}")


def comparison(book: FigureBook, c: Comparison, rubric: Rubric) -> Phrase:
    """How far the force's and the inspectors' judgements of the same cases agreed: who
    was harsher (or that they agreed), whether their criterion answers support "much the
    same strengths and weaknesses" (see :data:`SIMILAR_ANSWERS`; said only when answers
    exist), and how many cases were graded far apart."""
    levels = c.paired.levels
    harsher = CaseList.of(c.paired.refs(levels > 0), pairs_query(c.grades, lambda d: d > 0))
    kinder = CaseList.of(c.paired.refs(levels < 0), pairs_query(c.grades, lambda d: d < 0))
    same = CaseList.of(c.paired.refs(levels == 0), pairs_query(c.grades, lambda d: d == 0))
    sentences = [_direction(book, c, harsher, kinder, same)]
    sentences += _answers(book, c, rubric, differed=bool(harsher or kinder),
                          all_differ=not same)
    if harsher or kinder:
        sentences.append(_far_apart(book, c))
    return Phrase(" ".join(sentences))


def _direction(book: FigureBook, c: Comparison, harsher: CaseList, kinder: CaseList,
               same: CaseList) -> str:
    pairs = c.pairs
    every = pairs_query(c.grades, lambda d: True)
    if not harsher and not kinder:
        if pairs == 1:
            return "The force and the inspectors gave the case the same grade."
        if pairs == 2:
            return "The force and the inspectors gave both cases the same grade."
        n = book.count("compare.pairs", pairs, "cases with both a force and an inspector "
                       "grade", cases=same, query=every)
        if book.hidden(n):
            return "The force and the inspectors gave each of the cases the same grade."
        return f"The force and the inspectors gave each of the {n} cases the same grade."
    parts = [(harsher, "inspectors_harsher", "less favourably",
              "cases inspectors graded below the force"),
             (kinder, "inspectors_kinder", "more favourably",
              "cases inspectors graded above the force")]
    if not book.threshold:  # published, the rest would give a hidden count away
        parts.append((same, "same", "the same", "cases both sides graded alike"))
    parts = [p for p in parts if p[0]]
    words = book.in_words(pairs, *(len(p[0]) for p in parts))
    rule = "cases with both a force and an inspector grade"
    if len(parts[0][0]) == pairs:  # every case judged the same way round
        all_ = None
        if pairs > 2:
            all_ = book.count('compare.pairs', pairs, rule, cases=parts[0][0], query=every)
        whole = "the case" if pairs == 1 else "both cases" if pairs == 2 else \
            "all the cases" if all_ is None or book.hidden(all_) else f"all {all_} cases"
        text = f"Inspectors judged {whole} {parts[0][2]} than the force."
    else:
        total = book.count("compare.pairs", pairs, rule, words=words,
                           cases=c.paired.refs(), query=every)
        said = []
        for i, (refs, id, how, rule) in enumerate(parts):
            n = book.count(f"compare.{id}", len(refs), rule, cases=refs, words=words)
            if book.hidden(total):  # "fewer than six of the fewer than six" says nothing
                said.append(f"some of the cases {how} than the force" if i == 0
                            else f"some {how}")
                continue
            said.append(f"{n} of the {total} cases {how} than the force" if i == 0
                        else f"{n} {how}")
        text = f"Inspectors judged {join_words(said)}."
    if book.threshold and not book.published(harsher.query, kinder.query):
        return text  # which side was harsher would bound a count the publication hides
    if len(harsher) > len(kinder):
        return text + " Overall, inspectors found more weakness in practice than the " \
                      "self-assessors did."
    if len(kinder) > len(harsher):
        return text + " Overall, the self-assessors found more weakness in practice than " \
                      "the inspectors did."
    return text + " Neither side was consistently the harsher."


def _answers(book: FigureBook, c: Comparison, rubric: Rubric, *, differed: bool,
             all_differ: bool
             ) -> list[str]:
    answered = sum(x.pairs for x in c.criteria)
    if not answered:  # grades only: nothing to say about criteria
        return []
    agreed = sum(x.agree for x in c.criteria)
    counted = [a.key for a in rubric.scored_answers]
    if not book.published(
            answer_query(force_answer=counted, inspector_answer=counted),
            Query.union(answer_query(force_answer=a, inspector_answer=a) for a in counted)):
        return []  # published, how often the answers agreed would narrow hidden counts
    if agreed / answered >= SIMILAR_ANSWERS:
        rule = "share of criterion answers given by both sides that were the same"
        if agreed == answered:
            every = book.add("compare.criterion_agreement", 100.0, "every time", rule)
            matched = f"where both answered a criterion, they gave the same answer {every}"
        else:
            share = book.percent("compare.criterion_agreement", agreed, answered, rule)
            matched = ("where both answered a criterion, they gave the same answer "
                       f"{share} of the time")
        if differed:
            lead = "Although their grades differed" if all_differ else \
                "Although their grades did not always match"
            return [f"{lead}, the force and the inspectors found much the same strengths "
                    f"and weaknesses: {matched}."]
        return [f"Their answers agreed too: {matched}."]
    if not agreed:
        never = book.add("compare.criterion_agreement", 0.0, "never", "share of criterion "
                         "answers given by both sides that were the same")
        return [f"Where both answered a criterion, they {never} gave the same answer, so the "
                "force and the inspectors did not see the same strengths and weaknesses."]
    share = book.percent("compare.criterion_agreement", agreed, answered,
                         "share of criterion answers given by both sides that were the same")
    return [f"Where both answered a criterion, they gave the same answer only {share} of the "
            "time, so the force and the inspectors did not always see the same strengths and "
            "weaknesses."]


def _far_apart(book: FigureBook, c: Comparison) -> str:
    sig = [d.case_ref for d in c.significant]
    levels = book.count("compare.threshold", c.threshold,
                        "rubric setting significant_difference", source="rubric")
    grades = "the force's and the inspectors' grades"
    far = pairs_query(c.grades, lambda d: abs(d) >= c.threshold)
    if not sig:
        if c.pairs == 1:
            return f"{grades.capitalize()} were fewer than {levels} levels apart."
        rule = f"cases whose two grades are {c.threshold}{c.or_more} levels apart"
        none = book.count("compare.significant", 0, rule, query=far,
                          zero="neither" if c.pairs == 2 else "none")
        if not book.hidden(none):
            where = f"{none} case" if c.pairs == 2 else f"{none} of the cases"
            return f"In {where} were {grades} {levels}{c.or_more} levels apart."
        return f"In {none} of the cases {grades} were {levels}{c.or_more} levels apart."
    apart = f"{grades} were {levels}{c.or_more} levels apart"
    if len(sig) == c.pairs:
        where = "the case" if c.pairs == 1 else "both cases" if c.pairs == 2 else \
            "every case"
        return f"In {where} {apart}."
    n = book.count("compare.significant", len(sig), f"cases whose two grades are "
                   f"{c.threshold}{c.or_more} levels apart", cases=sig, query=far)
    return f"In {n} of the cases {apart}."


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


def chapter(book: FigureBook, t: ReportTables, rubric: Rubric, narrative: str
            ) -> dict[str, object]:
    """The findings chapter's opening paragraphs: the self-assessed cases (None when
    there are none), the inspectors' further cases (None when none; "also ... a further"
    only after the self-assessed ones) and the authored narrative."""
    opening = self_assessment(book, t, rubric)
    return {"self_assessment": opening,
            "further": further_cases(book, t, rubric, also=opening is not None),
            "narrative": narrative}
