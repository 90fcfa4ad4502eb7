"""Build the report's context once: every chapter's data, every figure registered.

Templates only place what is computed here. Authored text (narrative, recommendations)
is passed as Markdown; text from the cases (notes) is escaped and left out entirely with
``notes=False``.

Every count comes from the graded columns through the shared tables of
:mod:`hmic_audit.analysis.tables` (built once here, and handed to the charts too); no
per-audit model is built.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..analysis.actions import Progress
from ..analysis.compare import Comparison
from ..analysis.pool import many_objects
from ..profile import ForceProfile, Timescale, add_months, long_date, month_label
from ..rubric import Rubric
from ..scoring.grading import GradeResult
from ..text import md_escape
from . import findings, highlights, method, tables
from .figures import Figure, FigureBook, Phrase
from .tables import Table
from .topics import topic_sentences
from .words import WORDS_UP_TO, number_words


@dataclass
class Example:
    """An audit tagged as a report example, as its theme shows it."""

    case_ref: str
    case_type: str
    area: str
    tag: str
    grade: str
    note: Phrase | None


@dataclass
class ThemeSection:
    """A findings chapter: narrative, sentences from the cases, examples, recommendations."""

    key: str
    label: str
    narrative: str
    highlights: list[Phrase] = field(default_factory=list)
    case_types: list[Phrase] = field(default_factory=list)
    force_figures: list[Phrase] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)


@dataclass
class Recommendation:
    """A recommendation with its timescale and due date."""

    text: str
    timescale: str
    due: Figure


@dataclass
class ReportContext:
    """Everything the templates need, computed once."""

    force: str
    inspection_month: str
    """``July 2014``; empty without a force profile."""
    publication_date: str
    """``1 December 2014``; empty without a force profile."""
    profile: ForceProfile | None
    """None when the report is made from the cases alone: the chapters that need a
    profile (introduction, context, leadership, overall, recommendations, next steps)
    are left out."""
    rubric: Rubric
    context: dict[str, object]
    findings: dict[str, object]
    comparison: dict[str, object]
    crosstab: Table | None
    agreement: Table | None
    """Not shown any more (None): Annex A explains the agreement in words."""
    themes: list[ThemeSection]
    leadership: ThemeSection
    overall: str
    recommendations: list[tuple[str, Figure, list[Recommendation]]]
    next_steps: dict[str, object]
    annex_a: Table
    glossary: list[tuple[str, str]]
    provenance: list[tuple[str, str]]
    charts: dict[str, str]
    """Chart id -> caption; the images are drawn by the renderer from ``chart_data``."""
    chart_data: dict[str, object]
    notes: bool
    figures: FigureBook
    data: dict[str, bool] = field(default_factory=dict)
    """What the cases hold, for the method's account: ``answers`` (any criterion
    answered; else grades only) and ``self_assessed`` (any case audited by the force)."""
    statistics: dict[str, object] = field(default_factory=dict)
    """Annex A's plain account of the comparison's statistics (empty without one); see
    :mod:`hmic_audit.report.method`."""
    rollup: dict[str, object] = field(default_factory=dict)
    """For Annex A's account of the topic grades: ``rule``, the rubric's roll-up rule in
    words (``Rollup.describe``), and ``fewest``, the scored answers a review needs (a
    figure); empty when the report gives no topic grades (no ``rollup``, or
    publishing)."""
    moderation: dict[str, object] = field(default_factory=dict)
    """For Annex A's account of moderation (``--moderated``): ``grades``, the inspector
    grades a moderator set (a figure; absent when publishing, where the sentence gives
    no number); empty when no grade was moderated."""


def build_report(result: GradeResult, comparison: Comparison | None, rubric: Rubric,
                 profile: ForceProfile | None, *, profile_sha256: str | None = None,
                 profile_file: str | None = None, force_name: str | None = None,
                 notes: bool = True, publish: int | None = None,
                 progress: Progress | None = None,
                 tables: findings.ReportTables | None = None) -> ReportContext:
    """The report's context from the graded cases, their comparison (None when no case
    was graded by both sides) and the force profile (None: the chapters from the cases
    alone, the force called ``force_name``; a ``force_name`` also overrides the
    profile's).

    ``publish`` (a suppression threshold) makes a report fit for publication: small
    counts hidden, no case references, examples, notes or ages. ``progress`` (from the
    recommendations ledger, ``report --actions``) adds how far the force has got with
    the earlier recommendations to Next steps: a re-inspection's report. ``tables``
    are the report's shared tables when the caller has built them already
    (:func:`report_tables`: the charts can be drawn from them before the text exists).
    """
    with many_objects():
        return _build(result, comparison, rubric, profile, profile_sha256=profile_sha256,
                      profile_file=profile_file, force_name=force_name, notes=notes,
                      publish=publish, progress=progress,
                      t=tables or report_tables(result, rubric, publish=publish))


def report_tables(result: GradeResult, rubric: Rubric, *, publish: int | None = None
                  ) -> findings.ReportTables:
    """The shared tables a report counts from; a published report's figures list no
    cases."""
    return findings.ReportTables.of(result, rubric, listed=not publish)


def report_charts(t: findings.ReportTables, comparison: Comparison | None, *,
                  publish: int | None = None) -> tuple[dict[str, str], dict[str, object]]:
    """The report's charts (id -> caption) and the data they are drawn from: known once
    the tables and the comparison are, before any text.

    A published report draws no chart (a bar shows the counts its tables hide) and
    hands its templates no chart data: nothing unpublished reaches them."""
    if publish:
        return {}, {}
    charts = {"grades_by_sample": "Final grades by sample and assessor",
              "grades_by_case_type": "Inspectors' grades by case type"}
    if comparison:
        charts["force_vs_inspectors"] = ("Self-assessed cases: force grade against "
                                         "inspector grade")
    return charts, {"grades_by_sample": t.by_sample, "grades_by_case_type": t.by_type,
                    "comparison": comparison}


def _build(result: GradeResult, comparison: Comparison | None, rubric: Rubric,
           given: ForceProfile | None, *, profile_sha256: str | None,
           profile_file: str | None, force_name: str | None, notes: bool,
           publish: int | None, progress: Progress | None,
           t: findings.ReportTables) -> ReportContext:
    guard = None
    if publish:  # the report publishes only what the protected annex tables allow
        from ..analysis.annex import build_annex

        guard = build_annex([result], rubric, profile=given, threshold=publish,
                            publish=True).protection
    book = FigureBook(threshold=publish,
                      words_up_to=given.numbers.words_up_to if given else WORDS_UP_TO,
                      guard=guard)
    # NOTE: without a profile, one with only its defaults (no narrative, highlights,
    # figures or recommendations) stands in for the optional parts; the parts a profile
    # must give (dates, workforce, authorities) are never read from it.
    profile = given or ForceProfile.model_construct(force=force_name or "")
    pub = given.publication_date if given else None
    themes = [_theme(book, th.key, th.label, profile, t, rubric, notes, pub)
              for th in rubric.themes]
    # topic grades from case file reviews (a rubric with a rollup), first in each topic
    topics = topic_sentences(book, result, rubric)
    for section in themes:
        if section.key in topics:
            section.highlights.insert(0, topics[section.key])
    leadership = _theme(book, "leadership", "Leadership, management and governance",
                        profile, t, rubric, notes, pub)
    every = _recommendations(book, profile, None, pub)
    charts, chart_data = report_charts(t, comparison, publish=publish)
    recs = []
    for ts in Timescale:
        items = [r for r in every if r.timescale == ts.label]
        if items:
            recs.append((ts.label, items[0].due, items))
    return ReportContext(
        force=force_name or profile.force,
        inspection_month=month_label(given.inspection_month) if given else "",
        publication_date=long_date(given.publication_date) if given else "",
        profile=given, rubric=rubric,
        context=_context(book, given) if given else {},
        findings=findings.chapter(book, t, rubric, profile.narrative.get("findings", "")),
        comparison={"paragraph": findings.comparison(book, comparison, rubric)} if comparison
        else {},
        crosstab=tables.crosstab(book, comparison, rubric) if comparison else None,
        # NOTE: the agreement statistics are explained in Annex A (``statistics``), not
        # shown bare as a table in the findings.
        agreement=None,
        themes=themes, leadership=leadership,
        overall=profile.narrative.get("overall", ""),
        recommendations=recs,
        next_steps={**(_next_steps(book, given) if given else {}),
                    **_ledger(book, progress)},
        annex_a=tables.annex_a(book, t, rubric),
        glossary=sorted({**rubric.glossary, **profile.glossary}.items(),
                        key=lambda kv: kv[0].casefold()),
        provenance=[(f"Rubric {rubric.name} version {rubric.version}", rubric.sha256 or ""),
                    *([(f"Base rubric it extends: {rubric.base[0]}", rubric.base[1])]
                      if rubric.base else []),
                    (f"Cases: {result.input.file}", result.input.sha256),
                    *([(f"Force profile: {profile_file}", profile_sha256 or "")]
                      if given else [])],
        charts=charts, chart_data=chart_data,
        notes=notes, figures=book,
        data={"answers": t.answered, "self_assessed": t.self_assessed},
        statistics=method.statistics(book, comparison) if comparison else {},
        rollup={"rule": rubric.rollup.describe(rubric),
                "fewest": book.count("rubric.min_answered", rubric.min_answered,
                                     "the fewest scored answers an audit needs for the "
                                     "rubric to grade it", source="rubric")}
        if rubric.rollup and topics else {},
        moderation=({} if not result.summary.moderated else {"published": True}
                    if publish else {"grades": book.count(
                        "moderation.grades", result.summary.moderated,
                        "inspector audits whose final grade a moderator set (the "
                        "moderation queue given with --moderated)")}))


def _context(book: FigureBook, p: ForceProfile) -> dict[str, object]:
    w = p.workforce
    rule = f"force profile: workforce at {w.as_at.isoformat()}"

    def num(id: str, value: int, what: str) -> Figure:
        return book.count(id, value, what, source="profile", words=value <= 20)

    return {
        "staff": num("workforce.total", w.total, rule),
        "officers": num("workforce.police_officers", w.police_officers, rule),
        "police_staff": num("workforce.police_staff", w.police_staff, rule),
        "pcsos": num("workforce.pcsos", w.pcsos, rule),
        "as_at": book.add("workforce.as_at", w.as_at.isoformat(), long_date(w.as_at),
                          "force profile", source="profile"),
        "authorities": num("context.local_authorities", len(p.local_authorities),
                           "local authorities listed in the force profile"),
        "boards": num("context.safeguarding_boards", p.safeguarding_boards,
                      "force profile"),
        "partnerships": p.partnerships,
        "ofsted": Table(["Local authority", "Ofsted judgement", "Date"],
                        [[la.name, la.ofsted_judgement.capitalize(),
                          month_label(la.judgement_month)] for la in p.local_authorities]),
        "figures": _force_figures(book, p, "context"),
        "text": p.context, "structure": p.structure,
    }


def _force_figures(book: FigureBook, p: ForceProfile, chapter: str) -> list[Phrase]:
    """The chapter's profile figures as sentences (a paragraph), sources as notes."""
    from .force_figures import sentences

    return sentences(book, p, chapter)


def _theme(book: FigureBook, key: str, label: str, p: ForceProfile, t: findings.ReportTables,
           rubric: Rubric, notes: bool, pub: dt.date | None) -> ThemeSection:
    section = ThemeSection(key=key, label=label, narrative=p.narrative.get(key, ""))
    for i, h in enumerate(p.highlights.get(key, [])):
        if sentence := highlights.criterion_sentence(book, key, i, h, t, rubric):
            section.highlights.append(sentence)
    for ct in p.case_types:
        if ct.theme == key and (paragraph := highlights.case_type_paragraph(book, ct, t,
                                                                           rubric)):
            section.case_types.append(paragraph)
    section.force_figures = _force_figures(book, p, key)
    if not book.threshold:  # examples name cases: never in a published report
        section.examples = _examples(book, key, t, rubric, notes)
    section.recommendations = _recommendations(book, p, key, pub)
    return section


def _examples(book: FigureBook, theme: str, t: findings.ReportTables, rubric: Rubric,
              notes: bool) -> list[Example]:
    """Audits tagged as examples under this theme (the one they name, else the theme
    where they scored lowest, for a concern, or highest, for good practice). Without
    its note (``notes=False``, or none written) an example says what its answers say."""
    from .example_answers import summary

    pool, out = t.pool, []
    for i, illustrates in t.examples:
        if illustrates != theme:
            continue
        final, note = int(pool.final[i]), pool.extra("notes")[i]
        area = pool.extra("area")[i]
        out.append(Example(
            case_ref=str(pool.case_ref[i]),
            case_type=rubric.case_type_labels[rubric.case_type_keys[pool.case_type[i]]]
            .lower(), area=area or "",
            tag="Good practice" if pool.extra("example")[i] == "good_practice"
            else "Concern",
            grade=rubric.grade_labels[rubric.grade_keys[final]] if final >= 0
            else "not graded",
            note=Phrase(md_escape(note)) if notes and note else summary(
                book, t, rubric, i, theme, pool.extra("example")[i] != "good_practice")))
    return out


def _recommendations(book: FigureBook, p: ForceProfile, theme: str | None,
                     pub: dt.date | None) -> list[Recommendation]:
    out: list[Recommendation] = []
    if pub is None:  # no force profile: no recommendations
        return out
    for r in p.recommendations:
        if theme is not None and r.theme != theme:
            continue
        due = r.timescale.due(pub)
        # NOTE: one due date per timescale, shown once over its group; under a theme the
        # date is not shown, so it is not registered (the figures file lists what shows).
        fid, rule = f"recommendations.{r.timescale.value}.due", \
            f"publication date plus {r.timescale.months} months"
        figure = Figure(id=fid, value=due.isoformat(), shown=long_date(due), rule=rule,
                        source="profile") if theme is not None else \
            book.add(fid, due.isoformat(), long_date(due), rule, source="profile", again=True)
        out.append(Recommendation(text=r.text, timescale=r.timescale.label, due=figure))
    return out


def _ledger(book: FigureBook, p: Progress | None) -> dict[str, object]:
    """How far the force has got with the earlier recommendations (``report --actions``):
    ``n.ledger`` with ``as_of`` (a date figure), ``total``, ``done`` and ``overdue``
    (figures) and ``overdue_ids``; empty without a ledger."""
    if p is None:
        return {"ledger": {}}
    rule = f"actions of the recommendations ledger as at {p.as_of.isoformat()}"

    def count(key: str, n: int, what: str) -> Figure:
        return book.count(f"ledger.{key}", n, f"{what} ({rule})", source="profile",
                          zero="none")

    return {"ledger": {
        "as_of": book.add("ledger.as_of", p.as_of.isoformat(), long_date(p.as_of),
                          "the date the ledger's progress is counted at", source="profile"),
        "total": count("total", p.total, "actions"),
        "done": count("done", p.done, "actions done"),
        "overdue": count("overdue", p.overdue, "actions overdue"),
        "overdue_ids": list(p.overdue_ids)}}


def _next_steps(book: FigureBook, p: ForceProfile) -> dict[str, object]:
    pub = p.publication_date
    update = pub + dt.timedelta(weeks=6)
    counts = {ts: sum(r.timescale is ts for r in p.recommendations) for ts in Timescale}
    if not p.recommendations:  # the dates and counts are shown only with recommendations
        return {"text": p.next_steps}
    several = sum(bool(n) for n in counts.values()) > 1
    return {
        "text": p.next_steps,
        "update_due": book.add("next_steps.update_due", update.isoformat(), long_date(update),
                               "publication date plus six weeks", source="profile"),
        "revisit_by": book.add("next_steps.revisit_by", add_months(pub, 6).isoformat(),
                               long_date(add_months(pub, 6)),
                               "publication date plus six months", source="profile"),
        "total": book.count("recommendations.total", len(p.recommendations),
                            "recommendations in the force profile", source="profile"),
        # (timescale, count shown, count) in order; a count is shown (and registered) only
        # when the recommendations fall in more than one timescale
        "by_timescale": [(ts.label.lower(), book.count(
            f"recommendations.{ts.value}", n, f"recommendations to act on {ts.label.lower()}",
            source="profile") if n and several else None, n) for ts, n in counts.items()],
    }


__all__ = ["ReportContext", "build_report", "number_words"]
