"""The report as a finished document, checked as a reader would see it: a foreword,
numbered chapters in the published report's order, footnotes citing sources, the
profile's figures in sentences, nothing empty, statistics explained, a glossary of every
abbreviation; Word on A4 with contents, captions and footnotes; Markdown without stray
escapes and with its charts beside it; charts that can be read and that say what they
show."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

import docx
import numpy as np
import pytest
import yaml
from docx.shared import Twips

from hmic_audit import grade, load_rubric, read_audits
from hmic_audit.analysis.compare import compare_or_none
from hmic_audit.profile import ForceProfile
from hmic_audit.render.charts import chart_svg, draw, fits, grades_by_case_type
from hmic_audit.render.report_docx import render_report_docx
from hmic_audit.render.report_html import render_report_html
from hmic_audit.render.report_markdown import markdown_outputs, render_report_markdown
from hmic_audit.report.context import build_report

from .conftest import ROOT, SAMPLE

SAMPLE_DIR = ROOT / "sample_cases" / "gmp-2014"
CHAPTERS = ["Introduction", "Background", "Context for the force",
            "The police role in child protection",
            "Findings: the experiences",  # the findings chapter's title starts so
            "Findings: leadership, management and governance",
            "Findings: the overall effectiveness of the force",
            "Recommendations", "Next steps"]
"""The published report's chapters, in its order."""
MINIMAL = {
    "force": "Northshire Police", "inspection_month": "2014-09",
    "publication_date": "2015-01-15",
    "workforce": {"total": 3000, "police_officers": 1800, "police_staff": 1000,
                  "pcsos": 200, "as_at": "2014-03-31"},
    "local_authorities": [{"name": "Northshire", "ofsted_judgement": "good",
                           "judgement_month": "2013-05"}],
    "safeguarding_boards": 1,
}
"""A force profile with only what a profile must give."""


@pytest.fixture(scope="module")
def graded():
    rubric = load_rubric(SAMPLE_DIR / "rubric.yaml")
    frame, _ = read_audits(SAMPLE, rubric)
    result = grade(frame, rubric)
    return result, compare_or_none([result], rubric), rubric


def _context(graded, profile: ForceProfile, *, notes: bool = True):
    result, comparison, rubric = graded
    return build_report(result, comparison, rubric, profile, profile_sha256="0" * 64,
                        profile_file="force.yaml", notes=notes)


def _sample_profile() -> ForceProfile:
    data = yaml.safe_load((SAMPLE_DIR / "force.yaml").read_text(encoding="utf-8"))
    return ForceProfile.model_validate(data)


@pytest.fixture(scope="module")
def full(graded):
    ctx = _context(graded, _sample_profile())
    markdown = render_report_markdown(ctx)
    return ctx, markdown


@pytest.fixture(scope="module")
def minimal(graded):
    ctx = _context(graded, ForceProfile.model_validate(MINIMAL))
    return ctx, render_report_markdown(ctx)


def _headings(markdown: str) -> list[tuple[int, str]]:
    return [(len(m.group(1)), m.group(2)) for m in
            re.finditer(r"^(#{1,6}) (.*)$", markdown, re.M)]


def _section(markdown: str, title_start: str) -> str:
    """The text of the level-2 section whose title (after its number) starts so."""
    m = re.search(rf"^## (?:\d+\. )?{re.escape(title_start)}.*?$(.*?)(?=^## |\Z)",
                  markdown, re.M | re.S)
    assert m, title_start
    return m.group(1)


# The document's structure -----------------------------------------------------------

def test_chapters_are_numbered_in_the_published_order_after_a_foreword(full):
    _, markdown = full
    chapters = [t for level, t in _headings(markdown) if level == 2]
    assert chapters[0] == "Foreword"
    numbered = [t for t in chapters if re.match(r"\d+\. ", t)]
    assert [int(t.split(".")[0]) for t in numbered] == list(range(1, len(CHAPTERS) + 1))
    for title, expected in zip(numbered, CHAPTERS, strict=True):
        assert title.split(". ", 1)[1].startswith(expected)
    annexes = [t for t in chapters if t.startswith("Annex")]
    assert [a.split(":")[0] for a in annexes] == ["Annex A", "Annex B", "Annex C"]
    assert chapters == ["Foreword", *numbered, *annexes]  # annexes last, unnumbered
    assert "Children have a right to grow up safe" in _section(markdown, "Foreword")


def test_workforce_figure_cites_its_source_in_a_footnote(full):
    _, markdown = full
    context = _section(markdown, "Context for the force")
    ref = re.search(r"\(figures at 31 March 2014\)\.\[\^(\d+)\]", context)
    assert ref, context[:400]
    definition = re.search(rf"^\[\^{ref.group(1)}\]: (.*)$", markdown, re.M)
    assert definition and "Home Office" in definition.group(1)


def test_every_footnote_is_cited_and_numbered_in_order(full):
    _, markdown = full
    body, _, notes = markdown.partition("\n[^1]: ")
    cited = [int(n) for n in re.findall(r"\[\^(\d+)\](?!:)", body)]
    defined = [int(n) for n in re.findall(r"^\[\^(\d+)\]: ", "[^1]: " + notes, re.M)]
    first_seen = list(dict.fromkeys(cited))
    assert first_seen == defined == list(range(1, len(defined) + 1))
    assert len(defined) >= 5  # sources, statutes, the kappa scale
    assert "^[" not in markdown  # every inline note was turned into a footnote


def test_safeguarding_boards_have_their_paragraph(full):
    _, markdown = full
    role = _section(markdown, "The police role in child protection")
    assert "local safeguarding children board" in role
    assert re.search(r"The ten boards in the Greater Manchester Police area", role)


def test_profile_figures_are_sentences_not_bullets(full):
    _, markdown = full
    assert not re.search(r"^- (?:\d|One|Two|Four|Six|Nine|Fourteen|About)\b", markdown, re.M)
    assert ("At the time of the inspection there were 174 cases awaiting allocation in the "
            "high-tech crime unit, 141 cases being examined in the unit and 14 staff "
            "examining them.") in " ".join(markdown.split())
    # a figure with a sentence of its own (force.yaml: sentence with {})
    assert ("Police had worked with local partners to set up nine child sexual exploitation "
            "teams across the force area.") in markdown


def test_a_minimal_profile_leaves_sections_out_rather_than_empty(minimal):
    _, markdown = minimal
    heads = list(re.finditer(r"^(#{1,6}) .*$", markdown, re.M))
    for h, nxt in zip(heads, [*heads[1:], None], strict=True):
        level = len(h.group(1))
        end = nxt.start() if nxt else len(markdown)
        below = markdown[h.end():end].strip()
        deeper = nxt is not None and len(nxt.group(1)) > level
        assert below or deeper, f"empty heading: {h.group(0)}"
    chapters = [t for level, t in _headings(markdown) if level == 2]
    assert not any("Recommendations" in t or "Next steps" in t or "leadership" in t
                   or "Foreword" in t for t in chapters)
    assert "no recommendations" not in markdown and "none to act on" not in markdown
    assert "recommendation" not in markdown.lower()
    # still numbered from one, with no gap where chapters were left out
    numbers = [int(t.split(".")[0]) for t in chapters if re.match(r"\d+\.", t)]
    assert numbers == list(range(1, len(numbers) + 1))


def test_recommendations_sentence_names_only_timescales_that_have_some(graded):
    data = yaml.safe_load((SAMPLE_DIR / "force.yaml").read_text(encoding="utf-8"))
    data["recommendations"] = [r for r in data["recommendations"]
                               if r["timescale"] == "within_three_months"][:2]
    ctx = _context(graded, ForceProfile.model_validate(data))
    text = " ".join(render_report_markdown(ctx).split())
    assert "This report makes two recommendations, all to act on within three months." in text
    assert "immediately" not in _section(render_report_markdown(ctx), "Recommendations")
    steps = " ".join(_section(render_report_markdown(ctx), "Next steps").split())
    assert "action plan" in steps and "to act on immediately" not in steps


# Statistics and glossary ------------------------------------------------------------

def test_statistics_are_explained_in_annex_a_with_their_figures(full):
    ctx, markdown = full
    annex = " ".join(_section(markdown, "Annex A").split())
    figures = {f.id: f for f in ctx.figures.all()}
    kappa, low, high = (figures[i].shown for i in
                        ("method.kappa", "method.kappa.low", "method.kappa.high"))
    assert f"Here kappa was {kappa}: slight agreement" in annex
    assert f"Kappa's interval runs from {low} to {high}" in annex
    assert "it includes 0, so these cases cannot show" in annex  # -0.05 to 0.35
    assert "chance" in annex and "confidence interval" in annex
    assert f"probability of {figures['method.sign_test_p'].shown} (an exact sign test)" \
        in annex and "unlikely explanation" in annex


def test_published_annex_hides_a_small_split_and_the_p_value_that_reveals_it(graded):
    result, comparison, rubric = graded
    ctx = build_report(result, comparison, rubric, _sample_profile(), profile_sha256="0" * 64,
                       profile_file="force.yaml", notes=False, publish=6)
    markdown = render_report_markdown(ctx)
    annex = " ".join(_section(markdown, "Annex A").split())
    # the cross-tab has hidden counts: every statistic computed from it is withheld
    assert "This publication does not give the statistics" in annex
    assert "probability of" not in annex  # 0.0003 of 17 differing cases means 16 and 1
    assert not [f.id for f in ctx.figures.all() if f.id.startswith("method.")]
    assert "![" not in markdown  # no chart: a bar would show a hidden count


ABBREVIATION = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*[A-Z](?:-\d+)?(?=s?\b)")
CASE_REF = re.compile(r"\b[A-Z]{1,3}-\d{2,}\b")


def _abbreviations(text: str) -> set[str]:
    return set(ABBREVIATION.findall(CASE_REF.sub(" ", text)))


def _glossary_terms(markdown: str) -> set[str]:
    return set(re.findall(r"^- \*\*(.+?)\*\*: ", _section(markdown, "Annex B"), re.M))


def test_glossary_defines_every_abbreviation_the_text_uses(full, minimal):
    for _, markdown in (full, minimal):
        used = _abbreviations(markdown)
        assert used, "the sample text uses abbreviations (MAPPA, MARAC, LSCB, PCC...)"
        assert used <= _glossary_terms(markdown), used - _glossary_terms(markdown)
    _, markdown = full
    assert {"MAPPA", "PCC", "LSCB", "SHA-256"} <= _glossary_terms(markdown)
    assert "CPS" not in _glossary_terms(markdown)  # shipped, but not used: not listed


def test_glossary_covers_the_word_and_html_text_too(full):
    ctx, markdown = full
    document = docx.Document(BytesIO(render_report_docx(ctx, markdown)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert _abbreviations(text) <= _glossary_terms(markdown)
    page = render_report_html(ctx, markdown)
    visible = re.sub(r"<(svg|style)\b.*?</\1>|<[^>]+>", " ", page, flags=re.S)
    assert _abbreviations(visible) <= _glossary_terms(markdown)


# Markdown ---------------------------------------------------------------------------

def test_markdown_escapes_only_what_markdown_would_misread(full):
    _, markdown = full
    assert "Child protection enquiry (s.47)" in markdown
    assert "Police protection (s.46)" in markdown
    for spurious in (r"\(", r"\)", r"\.", r"\+", r"\!", r"\#"):
        assert spurious not in markdown, spurious
    assert not re.search(r"\w\\_\w", markdown)  # no escaped underscore inside a word


def test_markdown_links_its_charts_and_writes_them_beside_it(full, tmp_path):
    ctx, markdown = full
    files = markdown_outputs(ctx, markdown, tmp_path / "report.md")
    text = files[tmp_path / "report.md"].decode("utf-8")
    links = re.findall(r"!\[(Figure \d+: [^\]]+)\]\(([^)]+)\)", text)
    assert [target for _, target in links] == [
        "report.grades_by_sample.svg", "report.grades_by_case_type.svg",
        "report.force_vs_inspectors.svg"]
    for _, target in links:
        svg = files[tmp_path / target].decode("utf-8")
        assert svg.startswith("<svg") and "<title" in svg and "<desc" in svg
    assert "chart:" not in text and "Chart:" not in text and "drawn in the" not in text


def test_markdown_without_chart_files_leaves_charts_out(full):
    from hmic_audit.render.report_markdown import markdown_for_file

    _, markdown = full
    text = markdown_for_file(markdown)
    assert "![" not in text and "chart:" not in text and "Chart:" not in text


# Word -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def word(full):
    ctx, markdown = full
    data = render_report_docx(ctx, markdown)
    return docx.Document(BytesIO(data)), zipfile.ZipFile(BytesIO(data))


def test_word_is_a4_with_a_contents_field(word):
    document, package = word
    for section in document.sections:
        assert (section.page_width, section.page_height) == (Twips(11906), Twips(16838))
    xml = package.read("word/document.xml").decode("utf-8")
    assert re.search(r"<w:instrText[^>]*>\s*TOC \\o &quot;1-2&quot;", xml) or \
        re.search(r'<w:instrText[^>]*>\s*TOC \\o "1-2"', xml)
    settings = package.read("word/settings.xml").decode("utf-8")
    assert '<w:updateFields w:val="true"/>' in settings
    texts = [p.text for p in document.paragraphs]
    assert texts.index("Contents") < texts.index("1. Introduction")


def test_word_headings_are_numbered_chapters(word):
    document, _ = word
    chapters = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert chapters[0] == "Foreword" and chapters[1] == "1. Introduction"
    assert "9. Next steps" in chapters and chapters[-1].startswith("Annex C")
    assert "Initial contact" in [p.text for p in document.paragraphs
                                 if p.style.name == "Heading 2"]


def test_word_tables_and_figures_have_numbered_captions(word):
    document, package = word
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    tables = [c for c in captions if c.startswith("Table ")]
    figures = [c for c in captions if c.startswith("Figure ")]
    assert tables[0] == "Table 1: Latest Ofsted judgements of the local authorities"
    assert len(tables) == len(document.tables)
    assert len(figures) == len(document.inline_shapes) == 3
    assert [int(re.match(r"\w+ (\d+)", c).group(1)) for c in tables] == \
        list(range(1, len(tables) + 1))
    xml = package.read("word/document.xml").decode("utf-8")
    assert xml.count("SEQ Table") == len(tables) and xml.count("SEQ Figure") == 3
    # each chart has alternative text for screen readers
    described = re.findall(r'<wp:docPr [^>]*title="([^"]+)"[^>]*descr="([^"]+)"', xml)
    assert len(described) == 3 and all(len(d) > 40 for _, d in described)


def test_word_has_real_footnotes(word, full):
    _, markdown = full
    _, package = word
    notes = package.read("word/footnotes.xml").decode("utf-8")
    xml = package.read("word/document.xml").decode("utf-8")
    count = len(re.findall(r"^\[\^\d+\]: ", markdown, re.M))
    assert len(re.findall(r'<w:footnote w:id="\d+">', notes)) == count
    assert len(set(re.findall(r'<w:footnoteReference w:id="(\d+)"/>', xml))) == count
    assert "Home Office" in notes and "[^" not in xml
    rels = package.read("word/_rels/document.xml.rels").decode("utf-8")
    assert "relationships/footnotes" in rels


# HTML -------------------------------------------------------------------------------

def test_html_has_contents_captions_and_notes(full):
    ctx, markdown = full
    page = render_report_html(ctx, markdown)
    nav = page[page.index('<nav class="contents"'):page.index("</nav>")]
    assert re.search(r'<a href="#chapter-\d+">1\. Introduction</a>', nav)
    assert "<caption>Table 1: Latest Ofsted judgements of the local authorities</caption>" \
        in page
    assert "<figcaption>Figure 1: " in page
    assert page.count('<sup class="note-ref">') >= 5 and '<section class="notes"' in page
    assert page.count("<title id=") == 3 and page.count("<desc id=") == 3
    assert 'role="img"' in page


# Charts -----------------------------------------------------------------------------

def test_chart_rows_are_named_in_words_and_labels_wrapped_not_cut(full):
    ctx, _ = full
    svg = chart_svg("grades_by_sample", ctx)
    assert "Force's own audits" in svg and "self-assessed, force" not in svg
    types = chart_svg("grades_by_case_type", ctx)
    assert "..." not in types and "General concern with" in types
    assert "social care" in types  # the end of the longest label is there
    title = re.search(r"<title id=\"[^\"]+\">([^<]+)</title>", types)
    desc = re.search(r"<desc id=\"[^\"]+\">([^<]+)</desc>", types)
    assert title and "case type" in title.group(1)
    assert desc and "Missing child:" in desc.group(1)


def test_no_count_is_written_on_a_bar_too_thin_to_hold_it(full):
    ctx, _ = full
    table = ctx.chart_data["grades_by_case_type"]
    thin = type(table)(by=table.by, keys=["a", "b"], labels=["Wide", "Thin"],
                       grades=table.grades, counts=np.array([[60, 1, 0, 0], [5, 30, 1, 20]]),
                       ungraded=np.array([0, 0]), group=table.group, final=table.final)
    fig = grades_by_case_type(thin, ctx.rubric)
    written = sorted(t.get_text() for t in fig.axes[0].texts)
    assert written == sorted(["60", "5", "30", "20"])  # the single cases go unlabelled
    assert not fits(1, 1, 61) and fits(12, 10, 61)


def test_charts_draw_the_same_bytes_twice(full):
    ctx, _ = full
    for chart_id in ctx.charts:
        assert chart_svg(chart_id, ctx) == chart_svg(chart_id, ctx)
        assert draw(chart_id, ctx.chart_data, ctx.rubric) is not None


# Notes ------------------------------------------------------------------------------

def test_without_notes_every_example_still_says_something(graded):
    ctx = _context(graded, _sample_profile(), notes=False)
    markdown = render_report_markdown(ctx)
    bullets = re.findall(r"^- \*\*(?:Concern|Good practice)\*\*: (.*)$", markdown, re.M)
    assert bullets
    for bullet in bullets:
        case, _, said = bullet.partition("). ")
        assert said.strip(), f"example with nothing to say: {bullet}"
        assert said.startswith(("Answered no:", "All ", "The only question")) or \
            re.match(r"\w+ of the \w+ questions", said), said
    assert "Infant admitted" not in markdown  # the notes themselves are left out


def test_a_note_template_can_cite_a_source(graded, tmp_path: Path):
    folder = tmp_path / "chapters"
    folder.mkdir()
    (folder / "introduction.md.j2").write_text(
        "## Introduction\n\nOur opening.{{ note('A source, with *stars* and [brackets]') }}\n",
        encoding="utf-8")
    ctx = _context(graded, _sample_profile())
    markdown = render_report_markdown(ctx, templates=tmp_path)
    intro = _section(markdown, "Introduction")
    n = re.search(r"Our opening\.\[\^(\d+)\]", intro).group(1)
    assert re.search(rf"^\[\^{n}\]: A source, with \\\*stars\\\* and \\\[brackets\\\]$",
                     markdown, re.M)
