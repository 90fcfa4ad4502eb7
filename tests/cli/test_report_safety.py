"""The report runs nothing and leaks nothing: escaped notes, --no-notes, sandboxed
templates."""

from __future__ import annotations

import html as html_lib
import re
import shutil

import openpyxl
import pytest

from ..conftest import ROOT, SAMPLE, invoke
from .test_report import FORCE, SAMPLE_DIR, text_of

HOSTILE = ("<script>alert(1)</script> {{ 7*7 }} [click](javascript:alert(1)) "
           "![x](http://example.invalid/x.png) | a | b | # not a heading")


@pytest.fixture()
def hostile_case(tmp_path):
    copy = tmp_path / "cases.xlsx"
    shutil.copy(SAMPLE, copy)
    wb = openpyxl.load_workbook(copy)
    ws = wb["Cases"]
    headers = [c.value for c in ws[3]]
    ref, assessor, notes = (headers.index(h) for h in ("Case ref", "Assessor", "Notes"))
    for row in ws.iter_rows(min_row=4):
        if row[ref].value == "SA-001" and row[assessor].value == "Inspector":
            row[notes].value = HOSTILE
    wb.save(copy)
    shutil.copy(FORCE, tmp_path / "force.yaml")
    shutil.copy(SAMPLE_DIR / "rubric.yaml", tmp_path / "rubric.yaml")
    return tmp_path


def test_hostile_note_is_shown_as_text_in_html(runner, hostile_case):
    out = hostile_case / "report.html"
    result = invoke(runner, "report", hostile_case / "cases.xlsx", "--force",
                    hostile_case / "force.yaml", "--out", out)
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page
    assert 'href="javascript' not in page and "<img" not in page
    assert "example.invalid" not in re.findall(r'src="([^"]*)"', page)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", page))
    assert "<script>alert(1)</script>" in text
    assert "{{ 7*7 }}" in text and " 49 " not in text


def test_hostile_note_cannot_add_markdown(runner, hostile_case):
    out = hostile_case / "report.md"
    assert invoke(runner, "report", hostile_case / "cases.xlsx", "--force",
                  hostile_case / "force.yaml", "--out", out).exit_code == 0
    md = out.read_text(encoding="utf-8")
    line = next(line for line in md.splitlines() if "alert" in line)
    assert "\\<script\\>" in line and "\\[click\\](javascript" in line
    assert "!\\[x\\]" in line and "\\| a \\|" in line
    assert "{{" not in line  # braces escaped, so no template tool re-reads them
    # Only what Markdown would misread is escaped, and the note adds no markup.
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(line)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    assert not kinds & {"link_open", "image", "html_inline", "html_block", "heading_open",
                        "table_open"}
    assert "# not a heading" in line  # '#' inside a line is plain text: left alone


def test_no_notes_leaves_every_note_out(runner, hostile_case):
    for suffix in ("md", "html", "docx"):
        out = hostile_case / f"plain.{suffix}"
        result = invoke(runner, "report", hostile_case / "cases.xlsx", "--force",
                        hostile_case / "force.yaml", "--out", out, "--no-notes")
        assert result.exit_code == 0, result.stderr
        text = text_of(out)
        assert "alert" not in text
        assert "Infant admitted" not in text and "Girl found in the city centre" not in text
        assert "case IS-007 (missing child" in text  # the example is still listed


def test_user_templates_replace_the_shipped_ones(runner, tmp_path):
    folder = tmp_path / "templates" / "chapters"
    folder.mkdir(parents=True)
    (folder / "introduction.md.j2").write_text(
        "## Introduction\n\nOur own opening for {{ ctx.force }}.\n", encoding="utf-8")
    out = tmp_path / "report.md"
    result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out,
                    "--templates", tmp_path / "templates")
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "Our own opening for Greater Manchester Police." in text
    assert "## 2. Background" in text  # the rest still comes from the shipped templates


@pytest.mark.parametrize("source", [
    "{{ ctx.__class__.__mro__ }}",          # sandbox: no private attributes
    "{{ no_such_variable }}",               # undefined names are errors
    "{% for x in %}",                       # syntax errors are located
])
def test_bad_user_templates_exit_2(runner, tmp_path, source):
    folder = tmp_path / "templates" / "chapters"
    folder.mkdir(parents=True)
    (folder / "introduction.md.j2").write_text(source, encoding="utf-8")
    out = tmp_path / "report.html"
    result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out,
                    "--templates", tmp_path / "templates")
    assert result.exit_code == 2
    assert "template" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_report_needs_a_known_format(runner, tmp_path):
    result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", tmp_path / "r.pdf")
    assert result.exit_code == 2 and ".pdf" in result.stderr
    assert list(tmp_path.iterdir()) == []
    assert ROOT.exists()


def test_published_templates_get_only_what_is_published(runner, tmp_path):
    """A user template under --publish finds no chart data (the cross-tab and its case
    references), no case references in any figure and no hidden value; the true counts
    behind the disclosure control are out of its reach (private to the sandbox)."""
    folder = tmp_path / "templates" / "chapters"
    folder.mkdir(parents=True)
    (folder / "introduction.md.j2").write_text(
        "## Introduction\n\ncharts {{ ctx.chart_data|length }}/{{ ctx.charts|length }}; "
        "cases {{ ctx.figures.all()|map(attribute='cases')|map('length')|sum }}; "
        "hidden {{ ctx.figures.all()|selectattr('value', 'equalto', 'suppressed')"
        "|map(attribute='shown')|unique|sort|join(',') }}\n", encoding="utf-8")
    out = tmp_path / "report.md"
    result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out, "--publish",
                    "--templates", tmp_path / "templates")
    assert result.exit_code == 0, result.stderr
    assert ("charts 0/0; cases 0; hidden an unpublished number,c"
            in out.read_text(encoding="utf-8"))
    (folder / "introduction.md.j2").write_text("{{ ctx.figures._guard }}", encoding="utf-8")
    result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out, "--publish",
                    "--templates", tmp_path / "templates")
    assert result.exit_code == 2 and "template" in result.stderr


def test_publishing_never_says_every_self_assessed_case_was_reviewed_when_that_reveals(
        runner, tmp_path):
    """Northshire: the force rated nine good, none inadequate and a hidden number as
    requiring improvement; the cross-tab shows 14 pairs. 'Inspectors reviewed all the
    cases that had been self-assessed' would make the force's total 14 and so give away
    the hidden five (a review found it)."""
    folder = ROOT / "sample_cases" / "northshire-2022"
    out = tmp_path / "report.md"
    result = invoke(runner, "report", folder / "cases.xlsx", "--force", folder / "force.yaml",
                    "--publish", "--out", out)
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "rated nine good" in text and "| Total | c | 6 | c | 14 |" in text
    assert "reviewed all" not in text
    assert "Inspectors also audited cases that the force had self-assessed." in text
