"""The report on data unlike the sample: generated datasets x force profiles.

Each dataset is built in memory with the library (no workbook is written or read): the
force harsher than the inspectors, the inspectors harsher, full agreement, no
inspector-selected cases, a single case, a single further case, two cases, no
self-assessment, grades only, one case type, audits that could not be graded, three-
and five-level rubrics, and a published (suppressed) report. Each is reported with the
sample's full profile (fitted to the rubric), a minimal profile
(tests/data/minimal-force.yaml) and none. For every pair:

* no broken grammar (:data:`BROKEN`, patterns of the mistakes the report used to make);
* no empty heading (a heading followed by one of the same or a higher level, or by the
  end), in the Markdown and in the Word document;
* every figure consistent with the figures file (traced, as in test_report_numbers.py);
* identical bytes, in every format, on a second run.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import docx
import pytest

from hmic_audit import Audit, AuditSet, Rubric, load_rubric
from hmic_audit import grade as grade_audits
from hmic_audit.analysis.compare import compare_or_none
from hmic_audit.profile import ForceProfile, read_profile
from hmic_audit.report.context import ReportContext, build_report

from .conftest import DATA, ROOT
from .test_report_numbers import (
    allowed_outside,
    authored_strings,
    blocks,
    check_traced,
    render,
    traced,
)

FULL = ROOT / "sample_cases" / "gmp-2014" / "force.yaml"
MINIMAL = DATA / "minimal-force.yaml"
RUBRICS = {"default": None, "three": DATA / "three-level.yaml",
           "five": DATA / "five-level.yaml"}


@cache
def rubric_of(name: str) -> Rubric:
    return load_rubric(RUBRICS[name])


# Datasets ------------------------------------------------------------------------------

@dataclass
class Case:
    """One generated case: its type, and the grade level (0 = best) each side gave."""

    ref: str
    case_type: str
    force: int | None
    """The force's grade level; None: an inspector-selected case."""
    inspector: int | None
    alike: bool = True
    """Whether the two audits answer the criteria alike."""
    age: int | None = None
    gender: str | None = None
    written: bool = True
    """Whether the assessors wrote their grade (else the rubric computes it)."""
    answered: int | None = None
    """Answer only this many criteria (too few leaves an unwritten grade ungradable)."""


def _answers(rubric: Rubric, case: Case, level: int, seed: str) -> dict[str, str]:
    """Answers that fit a grade level: mostly yes for the best grade, mostly no for the
    worst."""
    rng = random.Random(seed)
    worst = len(rubric.scale) - 1
    yes = 1 - level / worst if worst else 1.0
    out = {}
    for c in rubric.criteria_for(case.case_type)[:case.answered]:
        roll = rng.random()
        out[c.id] = "yes" if roll < yes else "partly" if roll < yes + 0.15 else "no"
    return out


def audit_set(rubric: Rubric, cases: list[Case], *, answers: bool = True) -> AuditSet:
    """The audits of some cases, as ``read_audits`` would give them."""
    audits = []
    for case in cases:
        sides = [("force", case.force), ("inspector", case.inspector)]
        sample = "self-assessed" if case.force is not None else "inspector-selected"
        for who, level in sides:
            if level is None:
                continue
            seed = f"{case.ref}:{'both' if case.alike else who}"
            answer_level = case.inspector if case.alike and case.inspector is not None \
                else level
            audits.append(Audit(
                case_ref=case.ref, sample=sample, case_type=case.case_type, assessor=who,
                area=["Northtown", "Southby", "Eastham"][len(audits) % 3],
                child_age=case.age, child_gender=case.gender,
                grade=rubric.grade_keys[level] if case.written else None,
                answers=_answers(rubric, case, answer_level, seed) if answers else {}))
    return AuditSet(file="generated.xlsx", sha256="0" * 64,
                    layout="long" if answers else "wide", audits=audits,
                    fields=["case_ref", "sample", "case_type", "assessor", "area",
                            "child_age", "child_gender", "grade"])


def _types(rubric: Rubric) -> list[str]:
    return rubric.case_type_keys


def _spread(rubric: Rubric, n: int, prefix: str, force: Callable[[int], int | None],
            inspector: Callable[[int], int | None], **kw: object) -> list[Case]:
    types = _types(rubric)
    return [Case(f"{prefix}-{i:03d}", types[i % len(types)], force(i), inspector(i),
                 **kw)  # type: ignore[arg-type]
            for i in range(1, n + 1)]


def _worse(rubric: Rubric, level: int, by: int = 1) -> int:
    return min(level + by, len(rubric.scale) - 1)


@dataclass
class Dataset:
    name: str
    rubric: str
    cases: Callable[[Rubric], list[Case]]
    answers: bool = True
    publish: int | None = None
    notes: list[str] = field(default_factory=list)


DATASETS = [
    # The force harsher: inspectors graded 9 of 12 better; the answers often differ.
    Dataset("force-harsher", "default", lambda r: [
        Case(f"SA-{i:03d}", _types(r)[i % 4], _worse(r, i % 2, 1 + (i < 3)),
             i % 2 if i <= 9 else _worse(r, i % 2, 1 + (i < 3)), alike=False)
        for i in range(1, 13)] + _spread(r, 3, "IS", lambda i: None, lambda i: i % 4)),
    # The inspectors harsher, answers alike: "much the same strengths and weaknesses".
    Dataset("inspectors-harsher", "default", lambda r: _spread(
        r, 20, "SA", lambda i: i % 2, lambda i: _worse(r, i % 2, 1 + (i % 7 == 0))
        if i % 5 else i % 2) + _spread(r, 25, "IS", lambda i: None, lambda i: i % 4)),
    Dataset("full-agreement", "default", lambda r: _spread(
        r, 6, "SA", lambda i: i % 3, lambda i: i % 3)),
    Dataset("no-further-cases", "default", lambda r: _spread(
        r, 4, "SA", lambda i: 0, lambda i: i % 2)),
    Dataset("single-case", "default", lambda r: [Case("SA-001", "domestic_abuse", 0, 2)]),
    Dataset("single-further-case", "default", lambda r: [
        Case("IS-001", "child_in_custody", None, 3, age=15, gender="female")]),
    Dataset("two-cases", "default", lambda r: [
        Case("SA-001", "domestic_abuse", 0, 3), Case("SA-002", "s47_enquiry", 0, 3)]),
    Dataset("no-self-assessment", "default", lambda r: _spread(
        r, 15, "IS", lambda i: None, lambda i: (i * 7) % 4)),
    Dataset("grades-only", "default", lambda r: _spread(
        r, 8, "SA", lambda i: i % 4, lambda i: (i + 1) % 4) + _spread(
        r, 6, "IS", lambda i: None, lambda i: i % 2), answers=False),
    Dataset("one-case-type", "default", lambda r: [
        Case(f"CU-{i:03d}", "child_in_custody", 1 if i <= 3 else None, 1 + i % 3,
             age=16, gender="male") for i in range(1, 8)]),
    Dataset("ungraded", "default", lambda r: _spread(
        r, 5, "SA", lambda i: 1, lambda i: 2, written=False) + _spread(
        r, 12, "IS", lambda i: None, lambda i: i % 4, written=False,
        answered=3)),  # fewer answers than min_answered, no written grade
    Dataset("three-level", "three", lambda r: _spread(
        r, 5, "SA", lambda i: 0, lambda i: i % 3) + _spread(
        r, 5, "IS", lambda i: None, lambda i: 2)),
    Dataset("five-level", "five", lambda r: _spread(
        r, 10, "SA", lambda i: i % 3, lambda i: (i + 2) % 5) + _spread(
        r, 10, "IS", lambda i: None, lambda i: i % 5)),
    Dataset("published", "default", lambda r: _spread(
        r, 30, "SA", lambda i: 0 if i < 20 else 1, lambda i: 1 if i % 3 else 3) + _spread(
        r, 40, "IS", lambda i: None, lambda i: 0 if i < 30 else 2 if i < 33 else 3,
        age=14, gender="female"), publish=6),
]


# Profiles ------------------------------------------------------------------------------

def fitted(profile: ForceProfile, rubric: Rubric) -> ForceProfile:
    """A profile without the references a rubric cannot resolve (the sample profile's
    themes and criteria are the default rubric's)."""
    themes = set(rubric.theme_keys)
    chapters = themes | {"context", "leadership"}
    return profile.model_copy(update={
        "rubric": None,
        "figures": [f for f in profile.figures if f.chapter in chapters],
        "narrative": {k: v for k, v in profile.narrative.items()
                      if k in themes | {"findings", "leadership", "overall"}},
        "highlights": {k: [h for h in v if h.criterion in rubric.criterion_ids]
                       for k, v in profile.highlights.items() if k in themes},
        "case_types": [c for c in profile.case_types
                       if c.case_type in rubric.case_type_keys and c.theme in themes],
        "recommendations": [r for r in profile.recommendations
                            if r.theme is None or r.theme in themes | {"leadership"}],
    })


@cache
def profile_of(name: str, rubric: str) -> tuple[ForceProfile | None, str]:
    if name == "none":
        return None, ""
    profile, digest = read_profile(FULL if name == "full" else MINIMAL)
    profile = fitted(profile, rubric_of(rubric))
    assert profile.check(rubric_of(rubric)) == []
    return profile, digest


PROFILES = ["full", "minimal", "none"]


# Checks --------------------------------------------------------------------------------

BROKEN = [
    r"\bno of\b", r"\bof the no\b", r"\bin no of\b", r"\b(?:one|1) (?:cases|children|girls|"
    r"boys|recommendations|audits)\b", r"\bnone (?:cases|case)\b", r"\b0 cases\b",
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[2-9]|\d\d+) "
    r"(?:case|girl|boy|recommendation|audit)\b(?![\w-]| types?\b)",
    r"\b([A-Za-z]+) \1\b", r"\bof the type\b", r"\bfewer than \w+ was\b",
    r"\b(?:one|1) were\b", r"\b(?:two|three|four|five|six|seven|eight|nine|[2-9]) was rated\b",
    r"youngest (?:child )?was (\d+) years old and the oldest \1\b",
    r"\ba further (?:no|0|none)\b", r"\bjudged (?:none|no)\b", r"\brated (?:none|no)\b",
    r"\ball (?:one|two|1|2)\b", r"\bboth (?:one|1)\b", r"\bnone of the (?:one|two|1|2)\b",
    r"\b(?:in|of) (?:no|none) of the (?:no|none|0)\b", r"\bNone\b(?! of)", r"\bnan\b",
    r"\{\{|\}\}|\{%", r"\s[,;:](?!\w)", r"\s\.(?:\s|$)", r"\.\.(?!\.)", r",,", r"\(\s*\)",
    r"\b(?:no|0|none) (?:good|adequate|inadequate|outstanding|as requiring)\b",
    r"\bmatched\b.*\bno answers\b", r"\b(?:no|none|0) recommendations:",
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+) requires\b",
    r"\ba further fewer than\b", r"\bof the fewer than\b", r"\bonly 0%",
    r"\ball but fewer than six of the (?:six|seven|eight|nine|ten|eleven|[6-9]|1[01])\b",
    r"\bless than \w+ levels\b", r"worse than chance would give agreement",
    r"\bjudged \w+ (?:good|adequate|outstanding|inadequate|as requiring improvement) or\b",
    r"\bruns from (-?\d+\.\d+) to \1\b", r"\bin 100% of these\b", r"\bin 100% they\b",
    r"fewer than \d[\s\S]*fewer than [a-z]|fewer than [a-z]+\b[\s\S]*fewer than \d",
]
"""Mistakes the report used to make ("in no of the no cases", "one cases", "a further 0
cases", "cases of the type missing child", "fewer than six was rated", "youngest 16 and
the oldest 16"), and their kin: doubled words, counts that disagree with their noun or
verb, "all two" for "both", template syntax or None left in the text, stray spaces and
punctuation."""


def grammar_problems(text: str) -> list[str]:
    text = text.replace(" [note] ", "")
    found = []
    for pattern in BROKEN:
        for m in re.finditer(pattern, text, flags=re.I if "None" not in pattern else 0):
            found.append(f"{pattern!r}: ...{text[max(0, m.start() - 80):m.end() + 40]}...")
    if "Inspectors also selected" in text and "the force audited" not in text:
        found.append("'also' with nothing before it")
    return found


def empty_headings(items: list[tuple[int, str]]) -> list[str]:
    """Headings followed by one of the same or a higher level, or by the end: ``items``
    are (heading level, or 0 for anything else, text)."""
    found = []
    for i, (level, text) in enumerate(items):
        if not level:
            continue
        nxt = next((lv for lv, t in items[i + 1:] if lv or t.strip()), None)
        if nxt is None or 0 < nxt <= level:
            found.append(text)
    return found


def md_items(markdown: str) -> list[tuple[int, str]]:
    items = []
    for line in markdown.splitlines():
        m = re.match(r"(#{1,6}) (.*)", line)
        items.append((len(m.group(1)), m.group(2)) if m else (0, line))
    return items


def docx_items(data: bytes) -> list[tuple[int, str]]:
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(data))
    items = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            items.append((0, "[table]"))
        elif child.tag == qn("w:p"):
            style = child.style or ""
            m = re.match(r"Heading ?(\d)", style)
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            drawn = next(child.iter(qn("w:drawing")), None) is not None
            items.append((int(m.group(1)), text) if m else (0, text or
                                                            ("[picture]" if drawn else "")))
    return items


def text_for_grammar(markdown: str) -> str:
    text = re.sub(r"\\(.)", r"\1", markdown)
    text = re.sub(r"^\|.*\|$", " ", text, flags=re.M)  # tables: cells, not sentences
    text = re.sub(r"^#+ ", "", text, flags=re.M)
    text = re.sub(r"^\s*[-*>] ", "", text, flags=re.M)
    return " ".join(text.replace("*", "").split())


# The matrix ----------------------------------------------------------------------------

def builder(data: Dataset, profile_name: str) -> tuple[Callable[[], ReportContext],
                                                        ForceProfile | None, Rubric,
                                                        list[str]]:
    rubric = rubric_of(data.rubric)
    cases = data.cases(rubric)
    result = grade_audits(audit_set(rubric, cases, answers=data.answers), rubric)
    comparison = compare_or_none([result], rubric)
    profile, digest = profile_of(profile_name, data.rubric)

    def build() -> ReportContext:
        return build_report(result, comparison, rubric, profile,
                            profile_sha256=digest or None,
                            profile_file="force.yaml" if profile else None,
                            force_name=None if profile else "Example Constabulary",
                            publish=data.publish)

    return build, profile, rubric, [c.ref for c in cases]


def _one_pixel_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture()
def quick_charts(monkeypatch):
    """Charts stood in for by a placeholder: drawing them is most of a report's time, and
    :func:`test_charts_draw_for_every_dataset` draws each dataset's for real."""
    from hmic_audit.render import charts

    monkeypatch.setattr(charts, "draw_charts", lambda ids, data, rubric, kind: {
        c: f"<svg>{c}</svg>" if kind == "svg" else _one_pixel_png() for c in ids})


@pytest.mark.parametrize("data", DATASETS, ids=[d.name for d in DATASETS])
def test_charts_draw_for_every_dataset(data):
    from hmic_audit.render.charts import chart_svg

    build, *_ = builder(data, "minimal")
    ctx = build()
    for chart_id in ctx.charts:
        assert chart_svg(chart_id, ctx).count("<svg") == 1


@pytest.mark.parametrize("profile_name", PROFILES)
@pytest.mark.parametrize("data", DATASETS, ids=[d.name for d in DATASETS])
def test_report_on_generated_data(data, profile_name, quick_charts):
    build, profile, rubric, refs = builder(data, profile_name)
    first, figures = render(build)
    second, again = render(build)
    assert {s: first[s] == second[s] for s in first} == dict.fromkeys(first, True)
    assert figures == again
    markdown = first["md"].decode("utf-8")
    assert grammar_problems(text_for_grammar(markdown)) == []
    for suffix in ("html", "docx"):
        text = " ".join(t for kind, t in blocks(suffix, first[suffix]) if kind != "cell")
        assert grammar_problems(" ".join(text.split())) == [], suffix
    assert empty_headings(md_items(markdown)) == []
    assert empty_headings(docx_items(first["docx"])) == []
    marked = traced(build, ["md"])["md"]
    authored = authored_strings(profile, rubric)
    allowed = allowed_outside(profile, rubric, refs, ["generated.xlsx", "force.yaml"])
    assert check_traced("md", first["md"], marked, figures, authored, allowed) == []


def test_the_patterns_catch_the_old_mistakes():
    for bad in ["Inspectors judged no of the 12 cases", "apart in none cases",
                "examined a further 0 cases", "They judged none.", "in one cases",
                "in no of the no cases", "29 good, 33 adequate", "cases of the type missing",
                "fewer than six was rated", "The youngest child was 16 years old and the "
                "oldest 16.", "in all two of the cases", "the the force", "None"]:
        found = grammar_problems(bad)
        assert found or bad == "29 good, 33 adequate", bad
    assert grammar_problems("Inspectors also selected and examined a further 5 cases")
    for bad in ["delayed in all but fewer than six of the eight cases",
                "examined a further fewer than six cases",
                "Inspectors judged fewer than six of the fewer than six cases",
                "They judged twelve adequate or inadequate.",
                "they gave the same answer only 0% of the time",
                "Here kappa was -0.02: worse than chance would give agreement on the scale",
                "grades were less than two levels apart",
                "Kappa's interval runs from 1.00 to 1.00.",
                "in 100% of these cases; in 100% they were",
                "fewer than 6 of the 84. Later, fewer than six were"]:
        assert grammar_problems(bad), bad
    assert grammar_problems("in all but fewer than six of the 84 cases") == []
    assert grammar_problems("None of them could be graded. They judged both good.") == []


def test_empty_headings_are_found():
    assert empty_headings(md_items("## A\n\n### B\n\ntext\n\n## C\n")) == ["C"]
    assert empty_headings(md_items("## A\n\n## B\n\ntext\n")) == ["A"]
    assert empty_headings(md_items("## A\n\n### B\n\n### C\n\nx\n")) == ["B"]


def test_profile_of_the_three_level_rubric_is_fitted():
    full, _ = profile_of("full", "three")
    assert full is not None and full.highlights == {} and full.case_types == []
    assert Path(MINIMAL).is_file()
