"""Build the report's context once: every chapter's data, every figure registered.

Templates only place what is computed here. Authored text (narrative, recommendations)
is passed as Markdown; text from the cases (notes) is escaped and left out entirely with
``notes=False``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..analysis.compare import Comparison
from ..profile import ForceProfile, Timescale, month_label
from ..rubric import Rubric
from ..scoring.grading import GradeResult
from ..text import md_escape
from ..workbook.models import Assessor, Audit, AuditSet, GradedAudit, Sample
from . import findings
from .figures import Figure, FigureBook, Phrase
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
    return f"{day.day} {day:%B %Y}"


@dataclass
class Example:
    case_ref: str
    case_type: str
    area: str
    tag: str
    grade: str
    note: Phrase | None


@dataclass
class ThemeSection:
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
    text: str
    timescale: str
    due: Figure


@dataclass
class Table:
    headers: list[str]
    rows: list[list[object]]


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


def build_report(audit_set: AuditSet, result: GradeResult, comparison: Comparison | None,
                 rubric: Rubric, profile: ForceProfile, *, profile_sha256: str,
                 profile_file: str, notes: bool = True,
                 publish: int | None = None) -> ReportContext:
    """The report's context from graded cases, their comparison and the force profile.

    ``publish`` (a suppression threshold) makes a report fit for publication: small
    counts hidden, no case references, examples, notes or ages.
    """
    book = FigureBook(threshold=publish)
    audits, graded = audit_set.audits, result.audits
    pub = profile.publication_date
    themes = [_theme(book, t.key, t.label, profile, audits, graded, rubric, notes, pub)
              for t in rubric.themes]
    leadership = _theme(book, "leadership", "Leadership, management and governance",
                        profile, audits, graded, rubric, notes, pub)
    further = [a for a in graded if a.sample is Sample.INSPECTOR_SELECTED
               and a.assessor is Assessor.INSPECTOR]
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
        findings={**findings.self_assessment(book, graded, rubric),
                  "further": book.count("further.cases", len(further),
                                        "inspector-selected cases", words=False,
                                        cases=findings.refs(further)),
                  "further_grades": findings.grade_list(
                      book, "further.inspector", further, rubric,
                      "inspector audits of inspector-selected cases"),
                  "narrative": profile.narrative.get("findings", "")},
        comparison=findings.comparison_summary(book, comparison, rubric) if comparison
        else {},
        crosstab=_published(book, _crosstab(book, comparison, rubric), True)
        if comparison else None,
        agreement=_agreement(book, comparison) if comparison else None,
        themes=themes, leadership=leadership,
        overall=profile.narrative.get("overall", ""),
        recommendations=recs,
        next_steps=_next_steps(book, profile),
        annex_a=_published(book, _annex_a(book, graded, rubric), False),
        glossary=sorted({**rubric.glossary, **profile.glossary}.items(),
                        key=lambda kv: kv[0].casefold()),
        provenance=[(f"Rubric {rubric.name} version {rubric.version}", rubric.sha256 or ""),
                    *([(f"Base rubric it extends: {rubric.base[0]}", rubric.base[1])]
                      if rubric.base else []),
                    (f"Cases: {audit_set.file}", audit_set.sha256),
                    (f"Force profile: {profile_file}", profile_sha256)],
        charts={"grades_by_sample": "Final grades by sample and assessor",
                "grades_by_case_type": "Inspectors' grades by case type",
                **({"force_vs_inspectors": "Self-assessed cases: force grade against "
                                           "inspector grade"} if comparison else {})},
        chart_data={"graded": graded, "comparison": comparison},
        notes=notes, figures=book)


def _published(book: FigureBook, table: Table, total_column: bool) -> Table:
    """Hide a table's small counts for publication, with secondary suppression."""
    if not book.threshold:
        return table
    from ..analysis.annex import AnnexTable, Cell, Column
    from ..analysis.suppress import suppress

    width = len(table.headers)
    keys = [f"c{i}" for i in range(1, width)]
    parts = keys[:-1] if total_column else keys
    # A count already hidden (its value withdrawn) stands in as 1: below any threshold.
    values: list[list[Cell]] = [
        [str(row[0]), *((1 if book.hidden(c) else int(c.value)) if isinstance(c, Figure)
                        else 0 for c in row[1:])] for row in table.rows]
    plain = AnnexTable(name="t", title="t", rows=values, total_row=True,
                       columns=[Column(key="label", title="", kind="label"),
                                *(Column(key=k, title=k, kind="count") for k in keys)],
                       row_sums=[(keys[-1], parts)] if total_column else [])
    hidden = suppress(plain, book.threshold).rows
    rows: list[list[object]] = []
    for row, shown in zip(table.rows, hidden, strict=True):
        rows.append([row[0], *(book.hide(c.id) if isinstance(c, Figure) and s == "c"
                               and not book.hidden(c) else c
                               for c, s in zip(row[1:], shown[1:], strict=True))])
    return Table(table.headers, rows)


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


def _theme(book: FigureBook, key: str, label: str, p: ForceProfile, audits: Sequence[Audit],
           graded: Sequence[GradedAudit], rubric: Rubric, notes: bool,
           pub: dt.date) -> ThemeSection:
    section = ThemeSection(key=key, label=label, narrative=p.narrative.get(key, ""))
    for i, h in enumerate(p.highlights.get(key, [])):
        section.highlights.append(findings.criterion_sentence(book, key, i, h, audits))
    for ct in p.case_types:
        if ct.theme == key:
            section.case_types.append(findings.case_type_paragraph(book, ct, graded, audits,
                                                                   rubric))
    section.force_figures = _force_figures(book, p, key)
    if not book.threshold:  # examples name cases: never in a published report
        section.examples = _examples(key, audits, graded, rubric, notes)
    section.recommendations = _recommendations(book, p, key, pub)
    return section


def _examples(theme: str, audits: Sequence[Audit], graded: Sequence[GradedAudit],
              rubric: Rubric, notes: bool) -> list[Example]:
    """Audits tagged as examples: under the theme they name, else the theme where they
    scored lowest (a concern) or highest (good practice)."""
    out = []
    for a, g in zip(audits, graded, strict=True):
        if a.example is None or _example_theme(a, g, rubric) != theme:
            continue
        out.append(Example(
            case_ref=a.case_ref, case_type=rubric.case_type_labels[a.case_type].lower(),
            area=a.area or "", tag="Good practice" if a.example == "good_practice"
            else "Concern", grade=rubric.grade_labels.get(g.final_grade or "", "not graded"),
            note=Phrase(md_escape(a.notes)) if notes and a.notes else None))
    return out


def _example_theme(a: Audit, g: GradedAudit, rubric: Rubric) -> str:
    if a.example_theme:
        return a.example_theme
    scored = [(s, i, t) for i, (t, s) in enumerate(g.theme_scores.items()) if s is not None]
    if not scored:
        return rubric.theme_keys[0]
    pick = min(scored) if a.example == "concern" else max(scored, key=lambda x: (x[0], -x[1]))
    return pick[2]


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


def _crosstab(book: FigureBook, c: Comparison, rubric: Rubric) -> Table:
    labels = [rubric.grade_labels[g] for g in c.grades]
    rows: list[list[object]] = []
    for i, g in enumerate(c.grades):
        cells = [book.count(f"compare.crosstab.{g}.{h}", c.crosstab[i][j],
                            f"cases graded {labels[i]} by the force and {labels[j]} by "
                            "inspectors", words=False,
                            cases=[p.case_ref for p in c.cases
                                   if p.force_grade == g and p.inspector_grade == h])
                 for j, h in enumerate(c.grades)]
        total = book.count(f"compare.force_total.{g}", c.force_margin[i],
                           f"cases graded {labels[i]} by the force", words=False)
        rows.append([labels[i], *cells, total])
    totals = [book.count(f"compare.inspector_total.{g}", c.inspector_margin[j],
                         f"cases graded {labels[j]} by inspectors", words=False)
              for j, g in enumerate(c.grades)]
    rows.append(["Total", *totals, book.count("compare.total", c.pairs, "pairs",
                                              words=False)])
    return Table(["Force \\ inspectors", *labels, "Total"], rows)


def _agreement(book: FigureBook, c: Comparison) -> Table:
    rows: list[list[object]] = [
        ["Exact agreement", book.percent("compare.exact", c.exact, c.pairs,
                                         "pairs with the same grade")],
        ["Agreement within one grade", book.percent("compare.within_one", c.within_one,
                                                    c.pairs, "pairs at most one grade apart")],
    ]
    for w, label in (("unweighted", "Cohen's kappa"), ("linear", "Kappa, linear weights")):
        rows.append([label, book.decimal(f"compare.kappa_{w}", c.kappa[w].value,
                                         f"Cohen's kappa, {w}")])
    rows.append(["Krippendorff's alpha (ordinal)",
                 book.decimal("compare.alpha", c.alpha_ordinal.value,
                              "Krippendorff's alpha, ordinal metric")])
    p = c.direction.sign_test_p
    rows.append(["Sign test, p-value", book.add(
        "compare.sign_test_p", "undefined" if p is None else p,
        "undefined" if p is None else (f"{p:.4f}" if p >= 0.0001 else "below 0.0001"),
        "two-sided exact sign test on pairs that differ")])
    return Table(["Measure", "Value"], rows)


def _annex_a(book: FigureBook, graded: Sequence[GradedAudit], rubric: Rubric) -> Table:
    insp = [a for a in graded if a.assessor is Assessor.INSPECTOR]
    rows: list[list[object]] = []
    for ct in rubric.case_types:
        cells: list[object] = [ct.label]
        for sample in Sample:
            group = [a for a in insp if a.case_type == ct.key and a.sample is sample]
            cells.append(book.count(f"annex_a.{sample.value}.{ct.key}", len(group),
                                    f"{sample.value} cases of type {ct.label}", words=False,
                                    cases=findings.refs(group)))
        if any(isinstance(x, Figure) and x.value for x in cells[1:]):
            rows.append(cells)
    totals = [book.count(f"annex_a.{s.value}.total", sum(a.sample is s for a in insp),
                         f"{s.value} cases", words=False) for s in Sample]
    rows.append(["Total", *totals])
    return Table(["Type of case", "Self-assessed", "Selected by inspectors"], rows)


__all__ = ["ReportContext", "build_report", "number_words"]
