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

from ..analysis.compare import Comparison
from ..analysis.pool import many_objects
from ..analysis.tables import FURTHER, INSPECTOR
from ..profile import ForceProfile, Timescale, month_label
from ..rubric import Rubric
from ..scoring.grading import GradeResult
from ..text import md_escape
from ..workbook.format import ASSESSORS, SAMPLES
from . import findings, tables
from .figures import Figure, FigureBook, Phrase
from .tables import Table
from .words import number_words


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def long_date(day: dt.date) -> str:
    """``2014-07-03`` -> ``3 July 2014``."""
    return f"{day.day} {day:%B %Y}"


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
    publication_date: str
    profile: ForceProfile
    rubric: Rubric
    context: dict[str, object]
    findings: dict[str, object]
    comparison: dict[str, object]
    crosstab: Table | None
    agreement: Table | None
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


def build_report(result: GradeResult, comparison: Comparison | None, rubric: Rubric,
                 profile: ForceProfile, *, profile_sha256: str, profile_file: str,
                 notes: bool = True, publish: int | None = None) -> ReportContext:
    """The report's context from the graded cases, their comparison (None when no case
    was graded by both sides) and the force profile.

    ``publish`` (a suppression threshold) makes a report fit for publication: small
    counts hidden, no case references, examples, notes or ages.
    """
    with many_objects():
        return _build(result, comparison, rubric, profile, profile_sha256=profile_sha256,
                      profile_file=profile_file, notes=notes, publish=publish)


def _build(result: GradeResult, comparison: Comparison | None, rubric: Rubric,
           profile: ForceProfile, *, profile_sha256: str, profile_file: str, notes: bool,
           publish: int | None) -> ReportContext:
    book = FigureBook(threshold=publish)
    t = findings.ReportTables.of(result, rubric, listed=not publish)
    pub = profile.publication_date
    themes = [_theme(book, th.key, th.label, profile, t, rubric, notes, pub)
              for th in rubric.themes]
    leadership = _theme(book, "leadership", "Leadership, management and governance",
                        profile, t, rubric, notes, pub)
    further = t.by_sample.row((SAMPLES[FURTHER], ASSESSORS[INSPECTOR]))
    every = _recommendations(book, profile, None, pub)
    recs = []
    for ts in Timescale:
        items = [r for r in every if r.timescale == ts.label]
        if items:
            recs.append((ts.label, items[0].due, items))
    return ReportContext(
        force=profile.force, inspection_month=month_label(profile.inspection_month),
        publication_date=long_date(pub), profile=profile, rubric=rubric,
        context=_context(book, profile),
        findings={**findings.self_assessment(book, t, rubric),
                  "further": book.count("further.cases", len(t.by_sample.members(further)),
                                        "inspector-selected cases", words=False,
                                        cases=t.refs(t.by_sample.members(further))),
                  "further_grades": findings.grade_list(
                      book, "further.inspector", t.by_sample, further, t, rubric,
                      "inspector audits of inspector-selected cases"),
                  "narrative": profile.narrative.get("findings", "")},
        comparison=findings.comparison_summary(book, comparison, rubric) if comparison
        else {},
        crosstab=tables.published(book, tables.crosstab(book, comparison, rubric), True)
        if comparison else None,
        agreement=tables.agreement(book, comparison) if comparison else None,
        themes=themes, leadership=leadership,
        overall=profile.narrative.get("overall", ""),
        recommendations=recs,
        next_steps=_next_steps(book, profile),
        annex_a=tables.published(book, tables.annex_a(book, t, rubric), False),
        glossary=sorted({**rubric.glossary, **profile.glossary}.items(),
                        key=lambda kv: kv[0].casefold()),
        provenance=[(f"Rubric {rubric.name} version {rubric.version}", rubric.sha256 or ""),
                    *([(f"Base rubric it extends: {rubric.base[0]}", rubric.base[1])]
                      if rubric.base else []),
                    (f"Cases: {result.input.file}", result.input.sha256),
                    (f"Force profile: {profile_file}", profile_sha256)],
        charts={"grades_by_sample": "Final grades by sample and assessor",
                "grades_by_case_type": "Inspectors' grades by case type",
                **({"force_vs_inspectors": "Self-assessed cases: force grade against "
                                           "inspector grade"} if comparison else {})},
        chart_data={"grades_by_sample": t.by_sample, "grades_by_case_type": t.by_type,
                    "comparison": comparison},
        notes=notes, figures=book)


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
        "ofsted": Table(["Local authority", "Ofsted judgement", "Date"],
                        [[la.name, la.ofsted_judgement.capitalize(),
                          month_label(la.judgement_month)] for la in p.local_authorities]),
        "figures": _force_figures(book, p, "context"),
        "text": p.context, "structure": p.structure,
    }


def _force_figures(book: FigureBook, p: ForceProfile, chapter: str) -> list[Phrase]:
    out = []
    for i, f in enumerate(p.figures):
        if f.chapter != chapter:
            continue
        if f.kind == "share":
            shown = book.share(f"profile.{chapter}.{i}", f.value, 1.0, "force profile",
                               source="profile")
        else:
            shown = book.count(f"profile.{chapter}.{i}", int(f.value), "force profile",
                               source="profile", words=f.value <= 20)
        out.append(Phrase(f"{str(shown).capitalize()} {md_escape(f.label)}."))
    return out


def _theme(book: FigureBook, key: str, label: str, p: ForceProfile, t: findings.ReportTables,
           rubric: Rubric, notes: bool, pub: dt.date) -> ThemeSection:
    section = ThemeSection(key=key, label=label, narrative=p.narrative.get(key, ""))
    for i, h in enumerate(p.highlights.get(key, [])):
        section.highlights.append(findings.criterion_sentence(book, key, i, h, t, rubric))
    for ct in p.case_types:
        if ct.theme == key:
            section.case_types.append(findings.case_type_paragraph(book, ct, t, rubric))
    section.force_figures = _force_figures(book, p, key)
    if not book.threshold:  # examples name cases: never in a published report
        section.examples = _examples(key, t, rubric, notes)
    section.recommendations = _recommendations(book, p, key, pub)
    return section


def _examples(theme: str, t: findings.ReportTables, rubric: Rubric, notes: bool
              ) -> list[Example]:
    """Audits tagged as examples under this theme (the one they name, else the theme
    where they scored lowest, for a concern, or highest, for good practice)."""
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
            note=Phrase(md_escape(note)) if notes and note else None))
    return out


def _recommendations(book: FigureBook, p: ForceProfile, theme: str | None,
                     pub: dt.date) -> list[Recommendation]:
    out = []
    for i, r in enumerate(p.recommendations):
        if theme is not None and r.theme != theme:
            continue
        due = add_months(pub, r.timescale.months)
        fid = f"recommendation{i}.due" + ("" if theme is None else f".{theme}")
        figure = book.add(fid, due.isoformat(), long_date(due),
                          f"publication date plus {r.timescale.months} months",
                          source="profile")
        out.append(Recommendation(text=r.text, timescale=r.timescale.label, due=figure))
    return out


def _next_steps(book: FigureBook, p: ForceProfile) -> dict[str, object]:
    pub = p.publication_date
    update = pub + dt.timedelta(weeks=6)
    counts = {ts: sum(r.timescale is ts for r in p.recommendations) for ts in Timescale}
    return {
        "text": p.next_steps,
        "update_due": book.add("next_steps.update_due", update.isoformat(), long_date(update),
                               "publication date plus six weeks", source="profile"),
        "revisit_by": book.add("next_steps.revisit_by", add_months(pub, 6).isoformat(),
                               long_date(add_months(pub, 6)),
                               "publication date plus six months", source="profile"),
        "total": book.count("recommendations.total", len(p.recommendations),
                            "recommendations in the force profile", source="profile"),
        "by_timescale": [(ts.label.lower(), book.count(
            f"recommendations.{ts.value}", n, f"recommendations to act on {ts.label.lower()}",
            source="profile", zero="none")) for ts, n in counts.items()],
    }


__all__ = ["ReportContext", "build_report", "number_words"]
