"""Every number in the report is a registered figure, and the figures file lists only
what the report shows.

The sample report is rendered to HTML, Markdown and Word by the CLI, and again by the
library inside :func:`hmic_audit.report.figures.tracing`, which writes every figure
wrapped in invisible markers naming its id. The traced text, markers removed, is the
text of the real files; so each marker says exactly where a figure stands in the real
report. Then, in every format:

* each traced figure is in the figures file under its id, shown the same, and its text
  reads as its value (``sixteen`` is 16, ``87%`` is 87.0, ``about two-thirds`` is the
  value's proportion);
* outside the figures no number or number word is left, once the few things that are
  not figures are taken out, each by an exact list: authored text (the profile's and
  the rubric's strings, the cases' notes), dates the profile gives, chapter, table,
  figure and footnote numbers, case references, digests and file names, and a short
  list of the templates' own fixed wording;
* every figure of the figures file appears in the report.

"no" and "none" are not treated as numbers here (they also mean "not any"); a zero
count is checked through the sentences that say it (tests/test_report_sentences.py).
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import json
import re
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any

import docx
import pytest

from hmic_audit import grade as grade_audits
from hmic_audit import load_rubric, read_audits
from hmic_audit.analysis.compare import compare_or_none
from hmic_audit.profile import ForceProfile, long_date, month_label, read_profile
from hmic_audit.render.report_files import render_outputs
from hmic_audit.report.context import ReportContext, build_report
from hmic_audit.report.figures import MARK_CLOSE, MARK_OPEN, MARK_TEXT, tracing
from hmic_audit.report.words import proportion_phrase
from hmic_audit.rubric import Rubric

from .conftest import ROOT, SAMPLE, invoke

SAMPLE_DIR = ROOT / "sample_cases" / "gmp-2014"
FORCE = SAMPLE_DIR / "force.yaml"
SUFFIXES = ("md", "html", "docx")

WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
         "seventeen", "eighteen", "nineteen", "twenty"]
NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?%?|\b(?:" + "|".join(WORDS) + r"|"
                    r"thirty|forty|fifty|hundred|thousand|half|halves|thirds?|quarters?|"
                    r"fifths?|tenths?|dozen|twice|double)\b",
                    re.I)
"""A number, or a word standing for one, as the report might write it."""
MARKED = re.compile(f"{MARK_OPEN}([^{MARK_TEXT}]*){MARK_TEXT}([^{MARK_CLOSE}]*){MARK_CLOSE}")

FIXED = ["SHA-256", "within one grade", "Within three months", "Within six months",
         "within three months", "within six months"]
"""Fixed wording of the tool's own code (besides the templates' text) that holds a
number: a digest's name, a table's row label, the recommendations' timescales."""

TEMPLATES = ROOT / "src" / "hmic_audit" / "templates" / "report"


def template_text() -> list[str]:
    """The templates' own wording (their literal text between tags, line by line, and
    the strings they pass to ``note``), and the shipped glossary of terms: a number in
    it is part of a fixed sentence ("Children Act 1989", "a kappa of 1"), never a figure.
    Only pieces of at least twelve characters count, matched as whole phrases."""
    import yaml

    pieces: list[str] = []
    for path in sorted(TEMPLATES.rglob("*.md.j2")):
        source = re.sub(r"\{#.*?#\}", " ", path.read_text("utf-8"), flags=re.S)
        pieces += re.findall(r'"([^"{}]{12,})"', " ".join(re.findall(r"\{[{%].*?[%}]\}",
                                                                      source, flags=re.S)))
        for part in re.split(r"\{[{%].*?[%}]\}", source, flags=re.S):
            pieces += part.splitlines()
    for path in sorted(TEMPLATES.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        pieces += [f"{k}: {v}" for k, v in data.items()] + list(map(str, data.values()))
    cleaned = {" ".join(re.sub(r"^\s*(?:[-*>]|#+|\d+\.)\s+", "", p).replace("*", "")
                        .split()) for p in pieces}
    return sorted((p for p in cleaned if len(p) >= 12), key=len, reverse=True)


# Text of each format ------------------------------------------------------------------

def _blocks_md(text: str) -> list[tuple[str, str]]:
    blocks: list[tuple[str, str]] = []
    para: list[str] = []

    def close() -> None:
        if para:
            blocks.append(("text", " ".join(para)))
            para.clear()

    for line in text.splitlines():
        line = re.sub(r"\\(.)", r"\1", line)                         # Markdown escapes
        line = re.sub(r"\[\^\d+\]:?", " [note] ", line)              # footnote marks
        if re.match(r"#{1,6} ", line):
            close()
            blocks.append(("heading", line.lstrip("#").strip()))
        elif line.startswith("|"):
            close()
            blocks.append(("cell", line.replace("|", " ")))
        elif not line.strip() or re.match(r"\s*(?:[-*>]|\d+\.)\s", line):
            close()
            if line.strip():
                para.append(re.sub(r"^\s*(?:[-*>]|\d+\.)\s+", "", line).replace("*", ""))
        else:
            para.append(line.replace("*", ""))
    close()
    return blocks


def _blocks_html(page: str) -> list[tuple[str, str]]:
    page = re.sub(r"<(svg|style|head)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<sup class="note-ref">.*?</sup>', " [note] ", page, flags=re.S)
    blocks = []
    for m in re.finditer(r"<(h[1-6]|p|li|td|th|figcaption|caption)\b[^>]*>(.*?)</\1>",
                         page, flags=re.S):
        inner = re.sub(r"<(p|li|ul|ol|br)\b[^>]*>|</(p|li|ul|ol)>", " ", m.group(2))
        text = html_lib.unescape(re.sub(r"<[^>]+>", "", inner))
        tag = m.group(1)
        blocks.append(("heading" if tag[0] == "h" and tag != "th" else
                       "cell" if tag in ("td", "th") else "text", text))
    return blocks


def _blocks_docx(data: bytes) -> list[tuple[str, str]]:
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(data))
    blocks = []
    for p in document.element.body.iter(qn("w:p")):
        style = p.style or ""
        in_table = any(a.tag == qn("w:tc") for a in p.iterancestors())
        runs = []
        for r in p.iter(qn("w:r")):
            props = r.find(qn("w:rPr"))
            va = props.find(qn("w:vertAlign")) if props is not None else None
            note = r.find(qn("w:footnoteReference")) is not None or (
                va is not None and va.get(qn("w:val")) == "superscript")
            runs.append(" [note] " if note else "".join(t.text or "" for t in
                                                       r.iter(qn("w:t"))))
        kind = "heading" if style.startswith("Heading") or style == "Title" else \
            "cell" if in_table else "text"
        blocks.append((kind, "".join(runs)))
    return blocks


def blocks(suffix: str, data: bytes) -> list[tuple[str, str]]:
    """The visible text of a rendered report as (kind, words) blocks: kind is
    ``heading``, ``cell`` (of a table) or ``text``."""
    if suffix == "md":
        return _blocks_md(data.decode("utf-8"))
    if suffix == "html":
        return _blocks_html(data.decode("utf-8"))
    return _blocks_docx(data)


def plain(text: str) -> str:
    return " ".join(text.split())


def unmark(text: str) -> str:
    return MARKED.sub(lambda m: m.group(2), text)


# Values as shown -----------------------------------------------------------------------

def read_count(shown: str) -> int | None:
    shown = shown.strip().lower()
    if shown in WORDS:
        return WORDS.index(shown)
    if re.fullmatch(r"\d{1,3}(,\d{3})*|\d+", shown):
        return int(shown.replace(",", ""))
    return None


def reads_as(figure: dict[str, Any], shown: str) -> bool:
    """Whether a figure's text, as the report shows it, says its value."""
    value, text = figure["value"], shown.strip().lower()
    if value == "suppressed":
        return text in ("c", "an unpublished number") or text.startswith("fewer than ")
    if value == "undefined":
        return text == "undefined"
    if isinstance(value, str) and value == text:  # published, a share kept as its words
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int) and text.endswith("%"):  # published: as precise as shown
        return f"{value}%" == text
    if isinstance(value, int):
        return read_count(text) == value or (value == 0 and text in (
            "no", "none", "neither")) or (value == 2 and text == "both")
    if isinstance(value, float):
        if text == "never":
            return value == 0
        if text == "every time":
            return value == 100

        if text.endswith("%"):
            return f"{value:.0f}%" == text
        if re.fullmatch(r"-?\d+\.\d+", text):
            return f"{value:.{len(text.split('.')[1])}f}" == text
        if text.startswith("below "):
            return value < float(text[6:])
        exact = Fraction(value).limit_denominator(100_000)  # the float of part / whole
        return 0 <= value <= 1 and proportion_phrase(exact, 1) == text
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return long_date(dt.date.fromisoformat(value)).lower() == text
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d", value):
        return month_label(value).lower() == text
    return False


# Rendering ---------------------------------------------------------------------------

def render(build: Callable[[], ReportContext], suffixes: Iterable[str] = SUFFIXES
           ) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Each format's bytes and the figures document, from a fresh context."""
    ctx = build()
    out: dict[str, bytes] = {}
    figures: dict[str, Any] = {}
    for suffix in suffixes:
        files = render_outputs(ctx, Path(f"report.{suffix}"))
        out[suffix] = files[Path(f"report.{suffix}")]
        figures = json.loads(next(v for k, v in files.items() if k.suffix == ".json"))
    return out, figures


def traced(build: Callable[[], ReportContext], suffixes: Iterable[str] = SUFFIXES
           ) -> dict[str, bytes]:
    with tracing():
        return render(build, suffixes)[0]


def authored_strings(profile: ForceProfile | None, rubric: Rubric,
                     notes: Iterable[str] = ()) -> list[str]:
    """Text a person wrote (profile, rubric, notes in the cases, the templates): numbers
    in it are theirs, not computed. Longest first, each as the report shows it (one
    line)."""
    found: list[str] = []

    def walk(node: object, keys: bool = False) -> None:
        if isinstance(node, str):  # Markdown: each paragraph is shown on its own
            found.extend(plain(p.replace("*", "")) for p in re.split(r"\n\s*\n", node))
        elif isinstance(node, dict):
            for k, v in node.items():
                if keys:  # a glossary's terms are shown; other keys are not text
                    walk(k)
                walk(v, keys=k == "glossary")
        elif isinstance(node, list | tuple):
            for v in node:
                walk(v)

    if profile is not None:
        walk(profile.model_dump(mode="json"))
    walk(rubric.model_dump(mode="json", include={"name", "version", "title", "scale",
                                                 "case_types", "themes", "criteria",
                                                 "glossary"}))
    walk(list(notes))
    return sorted({s for s in found if len(s) > 3} | set(template_text()), key=len,
                  reverse=True)


def allowed_outside(profile: ForceProfile | None, rubric: Rubric, refs: Iterable[str],
                    extra: Iterable[str] = ()) -> list[str]:
    """Exact strings outside figures that may hold numbers, besides authored text."""
    dates = []
    if profile is not None:
        dates = [month_label(profile.inspection_month), long_date(profile.publication_date),
                 *(month_label(la.judgement_month) for la in profile.local_authorities)]
    return sorted({*dates, *refs, *extra, f"version {rubric.version}", *FIXED},
                  key=len, reverse=True)


def leftover_numbers(kind: str, text: str, authored: list[str], allowed: list[str]
                     ) -> list[str]:
    """Numbers of a block outside its figures, once authored and allowed text is out."""
    text = plain(MARKED.sub(" ", text))
    if kind == "heading":  # chapter numbers: "5. Findings", "Annex A"
        text = re.sub(r"^\d+(\.\d+)*\.?\s", " ", text)
    text = re.sub(r"^\d+\.\s", " ", text)                      # a numbered note or list
    text = re.sub(r"\b(Table|Figure) \d+\b", " ", text)      # captions
    text = re.sub(r"\b[0-9a-f]{64}\b", " ", text)            # digests
    text = re.sub(r"[\w.-]+\.(?:yaml|yml|xlsx|xlsm|csv|json|ods|xls)\b", " ", text)
    for s in authored:
        text = text.replace(s, " ")
    for s in allowed:
        text = re.sub(rf"(?<![\w-]){re.escape(s)}(?![\w-])", " ", text)
    return NUMBER.findall(text)


def check_traced(suffix: str, real: bytes, marked: bytes, figures: dict[str, Any],
                 authored: list[str], allowed: list[str]) -> list[str]:
    """Every problem of one rendered format (empty when every number is traced)."""
    problems: list[str] = []
    real_blocks, marked_blocks = blocks(suffix, real), blocks(suffix, marked)
    real_text = plain(" ".join(t for _, t in real_blocks))
    marked_plain = plain(unmark(" ".join(t for _, t in marked_blocks)))
    if real_text.casefold() != marked_plain.casefold():
        at = next((i for i, (a, b) in enumerate(zip(real_text.casefold(),
                                                     marked_plain.casefold(), strict=False))
                   if a != b), min(len(real_text), len(marked_plain)))
        problems.append(f"{suffix}: traced text differs from the file at "
                        f"{real_text[max(0, at - 60):at + 60]!r} / "
                        f"{marked_plain[max(0, at - 60):at + 60]!r}")
    by_id = {f["id"]: f for f in figures["figures"]}
    seen: set[str] = set()
    for kind, text in marked_blocks:
        for fid, shown in MARKED.findall(text):
            figure = by_id.get(fid)
            if figure is None:
                problems.append(f"{suffix}: figure {fid!r} shown but not in the figures file")
                continue
            seen.add(fid)
            if figure["shown"].casefold() != shown.casefold():
                problems.append(f"{suffix}: {fid} shown {shown!r}, file says "
                                f"{figure['shown']!r}")
            if not reads_as(figure, shown):
                problems.append(f"{suffix}: {fid} reads {shown!r} but its value is "
                                f"{figure['value']!r}")
        for n in leftover_numbers(kind, text, authored, allowed):
            problems.append(f"{suffix}: {n!r} is no figure in {plain(unmark(text))[:160]!r}")
    unseen = sorted(set(by_id) - seen)
    if unseen:
        problems.append(f"{suffix}: in the figures file but not shown: {unseen}")
    return problems


# The sample --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_files(tmp_path_factory):
    """The sample report as the CLI writes it, in every format, with its figures."""
    from typer.testing import CliRunner

    runner = CliRunner(env={"COLUMNS": "200"})
    folder = tmp_path_factory.mktemp("numbers")
    files = {}
    for suffix in SUFFIXES:
        out = folder / f"report.{suffix}"
        result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out, "-q")
        assert result.exit_code == 0, result.stderr
        figures = folder / f"report.{suffix}.figures.json"
        files[suffix] = (out.read_bytes(), json.loads(figures.read_text("utf-8")))
    return files


@pytest.fixture(scope="module")
def sample_build():
    rubric = load_rubric(SAMPLE_DIR / "rubric.yaml")
    frame, _ = read_audits(SAMPLE, rubric)
    result = grade_audits(frame, rubric)
    comparison = compare_or_none([result], rubric)
    profile, digest = read_profile(FORCE)

    def build() -> ReportContext:
        return build_report(result, comparison, rubric, profile, profile_sha256=digest,
                            profile_file=FORCE.name)

    notes = [str(n) for n in frame.extra("notes").tolist() if n]
    refs = sorted({str(r) for r in frame.case_ref.tolist()})
    return build, profile, rubric, notes, refs


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_every_number_of_the_sample_report_is_a_figure(sample_files, sample_build, suffix):
    build, profile, rubric, notes, refs = sample_build
    real, figures = sample_files[suffix]
    marked = traced(build, [suffix])[suffix]
    authored = authored_strings(profile, rubric, notes)
    allowed = allowed_outside(profile, rubric, refs, [FORCE.name, SAMPLE.name])
    assert check_traced(suffix, real, marked, figures, authored, allowed) == []


def test_the_figures_file_is_the_same_for_every_format(sample_files):
    docs = [json.dumps(figures["figures"], sort_keys=True)
            for _, figures in sample_files.values()]
    assert len(set(docs)) == 1


def test_the_reference_figures_are_figures(sample_files):
    """The reference's headline counts are registered with their cases, in its list
    style: '29, 33, 4 and 18' all numerals; 'eight, sixteen, one and five' all words."""
    by_id = {f["id"]: f for f in sample_files["md"][1]["figures"]}
    further = [by_id[f"further.inspector.{g}"] for g in
               ("good", "adequate", "requires_improvement", "inadequate")]
    assert [(f["value"], f["shown"]) for f in further] == \
        [(29, "29"), (33, "33"), (4, "4"), (18, "18")]
    reviewed = [by_id[f"self_assessed.inspector.{g}"] for g in
                ("good", "adequate", "requires_improvement", "inadequate")]
    assert [f["shown"] for f in reviewed] == ["eight", "sixteen", "one", "five"]
    assert len(reviewed[3]["cases"]) == 5
    assert "compare.kappa_quadratic" not in by_id  # never shown, so never listed


def test_reads_as():
    assert reads_as({"value": 16}, "Sixteen") and reads_as({"value": 11223}, "11,223")
    assert not reads_as({"value": 16}, "six")
    assert reads_as({"value": 0.6333}, "about two-thirds")
    assert reads_as({"value": 86.7}, "87%") and reads_as({"value": 0.1512}, "0.15")
    assert reads_as({"value": "2015-03-01"}, "1 March 2015")
    assert reads_as({"value": "suppressed"}, "fewer than six")
