"""`hmic-audit report` end to end: every reference figure, provenance, safety, stability."""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml

from ..conftest import LONG_HEADERS, ROOT, SAMPLE, invoke, write_xlsx

SAMPLE_DIR = ROOT / "sample_cases" / "gmp-2014"
FORCE = SAMPLE_DIR / "force.yaml"

# Each figure of gmp-figures.md as the report words it (C1-C13, then force level).
EXPECTED = [
    "Inspectors reviewed all 30 cases that had been self-assessed",                  # C1
    "Child protection enquiry (s.47) 5", "Domestic abuse 5",                         # C2
    "General concern with referral to children's social care 5",
    "Sex offender enquiry 3", "Police protection (s.46) 3",
    "At risk of sexual exploitation 3", "Online sexual abuse 3", "Child in custody 3",
    "Total 30 84",
    "good in about two-thirds of them (19) and adequate in just under a third of them "
    "(9), and two were rated as requiring improvement",                              # C3
    "They judged eight good, sixteen adequate, one as requiring improvement and five "
    "inadequate",                                                                    # C4
    "In two of the cases the force's and the inspectors' grades were three levels "
    "apart",                                                                         # C5
    "a further 84 cases",                                                            # C6
    "They judged 29 good, 33 adequate, 4 as requiring improvement and 18 "
    "inadequate",                                                                    # C7
    "officers had listened to the child and recorded the child's views in 6 of the "
    "84 further cases",                                                              # C8
    "Inspectors examined ten cases classed as ‘missing child’",                      # C9
    "They judged two good, three adequate, one as requiring improvement and four "
    "inadequate",
    "significantly delayed in 8 of the 36 cases",                                    # C10
    "best interests before using their powers in all nine of the cases",             # C11
    "nine cases classed as ‘police protection (s.46)’, three of them self-assessed",
    "twelve cases classed as ‘child in custody’, three of them self-assessed by the "
    "force. They judged seven adequate and five inadequate",                         # C12
    "The youngest child was 12 years old and the oldest 17. Two of the children were "
    "girls, aged 14 and 16",                                                         # C13
    "The three children in the cases the force self-assessed were all boys",
    "employs about 11,223 people: 6,997 police officers, 3,079 police staff and 789 "
    "police community support officers", "31 March 2014",
    "ten local authorities", "ten local safeguarding children boards",
    "Bolton Requires improvement January 2014", "Bury Adequate April 2012",
    "Manchester Inadequate September 2014", "Oldham Good January 2012",
    "Rochdale Inadequate November 2012", "Salford Adequate October 2012",
    "Stockport Adequate February 2012", "Tameside Adequate March 2012",
    "Trafford Good April 2010", "Wigan Good May 2012",
    "The public protection division had 563 staff.",
    "six multi-agency safeguarding hubs in operation", "four further hubs planned",
    "nine child sexual exploitation teams",
    "About three quarters of initial child protection conferences",
    "174 cases awaiting allocation", "141 cases being examined",
    "14 staff examining them",
    "twelve recommendations: one to act on immediately, six to act on within three months "
    "and five to act on within six months",
]


def normalise(text: str) -> str:
    text = re.sub(r"\\(.)", r"\1", text)  # Markdown escapes
    text = text.replace("|", " ").replace("*", " ")
    return " ".join(text.split())


def text_of(path: Path) -> str:
    if path.suffix == ".md":
        return normalise(path.read_text(encoding="utf-8"))
    if path.suffix == ".html":
        page = path.read_text(encoding="utf-8")
        page = re.sub(r"<(svg|style)\b.*?</\1>", " ", page, flags=re.S)
        return normalise(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)))
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" ".join(c.text for c in row.cells) for row in table.rows]
    return normalise("\n".join(parts))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from typer.testing import CliRunner

    runner = CliRunner(env={"COLUMNS": "200"})
    folder = tmp_path_factory.mktemp("report")
    outputs = {}
    for suffix in ("html", "md", "docx"):
        out = folder / suffix / f"report.{suffix}"
        out.parent.mkdir()
        result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out)
        assert result.exit_code == 0, result.stderr
        outputs[suffix] = out
    return outputs


@pytest.mark.parametrize("suffix", ["html", "md", "docx"])
def test_every_reference_figure_appears(rendered, suffix):
    text = text_of(rendered[suffix])
    missing = [e for e in EXPECTED if normalise(e) not in text]
    assert missing == []


def _authored_strings() -> list[str]:
    """Text the report writer authored (profile, rubric): numbers in it are not computed."""
    profile = yaml.safe_load(FORCE.read_text(encoding="utf-8"))
    rubric = yaml.safe_load((ROOT / "rubrics" / "child-protection-2014.yaml").read_text())
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(profile)
    walk({k: rubric[k] for k in ("scale", "case_types", "themes", "glossary", "name")})
    return found


NUMBER = re.compile(r"\b(\d[\d,.]*%?|one|two|three|four|five|six|seven|eight|nine|ten|"
                    r"eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
                    r"nineteen|twenty)\b", re.I)
# Wording of the templates themselves, not figures.
FIXED = ["within three months", "within six months", "Children Act 1989", "SHA-256",
         "Annex A", "Annex B", "Annex C", "version 1.0", "Children Act 2004",
         # what the statistics mean (Annex A), and their source
         "95% confidence interval", "a kappa of 1", "0 means", "includes 0", "Biometrics, 1977",
         "up to 0.20", "up to 0.40", "up to 0.60", "up to 0.80"]


def test_every_computed_number_is_in_figures_json(rendered):
    text = normalise(rendered["md"].read_text(encoding="utf-8"))
    figures = json.loads((rendered["md"].parent / "report.md.figures.json").read_text())
    for authored in sorted(_authored_strings(), key=len, reverse=True):
        if len(authored) > 3:  # skip one-letter aliases such as "g" or "a"
            text = text.replace(normalise(authored), " ")
    notes = openpyxl.load_workbook(SAMPLE, read_only=True)["Cases"]
    for row in notes.iter_rows(min_row=4, values_only=True):
        if row[11]:
            text = text.replace(normalise(str(row[11])), " ")
    text = re.sub(r"\b[A-Z]{2}-\d{3}\b", " ", text)                        # case refs
    text = re.sub(r"`[0-9a-f]{64}`", " ", text)                            # digests
    text = re.sub(r"[\w.-]+\.(?:yaml|xlsx|csv|json)\b", " ", text)          # file names
    text = re.sub(r"\b(\d{1,2} )?[A-Z][a-z]+ \d{4}\b", " ", text)          # dates, months
    # the document's own numbering: footnotes, chapters, tables and figures
    text = re.sub(r"\[\^\d+\]|## \d+\.|(?:Table|Figure) \d+:", " ", text)
    for fixed in FIXED:
        text = text.replace(fixed, " ")
    shown = sorted({f["shown"] for f in figures["figures"]}, key=len, reverse=True)
    for s in shown:
        text = re.sub(rf"(?<![\w-]){re.escape(s)}(?![\w-])", " ", text, flags=re.I)
    leftovers = NUMBER.findall(text)
    assert leftovers == [], text[:2000]
    assert {f["source"] for f in figures["figures"]} == {"cases", "profile", "rubric"}
    by_id = {f["id"]: f for f in figures["figures"]}
    assert by_id["self_assessed.inspector.inadequate"]["value"] == 5
    assert len(by_id["self_assessed.inspector.inadequate"]["cases"]) == 5


def test_changing_one_grade_changes_the_report(tmp_path, runner):
    copy = tmp_path / "cases.xlsx"
    shutil.copy(SAMPLE, copy)
    wb = openpyxl.load_workbook(copy)
    ws = wb["Cases"]
    headers = [c.value for c in ws[3]]
    ref, grade = headers.index("Case ref"), headers.index("Grade")
    for row in ws.iter_rows(min_row=4):
        if row[ref].value == "IS-084":
            assert row[grade].value == "Inadequate"
            row[grade].value = "Good"
    wb.save(copy)
    force = tmp_path / "force.yaml"
    shutil.copy(FORCE, force)
    shutil.copy(SAMPLE_DIR / "rubric.yaml", tmp_path / "rubric.yaml")
    out = tmp_path / "report.md"
    result = invoke(runner, "report", copy, "--force", force, "--out", out)
    assert result.exit_code == 0, result.stderr
    text = text_of(out)
    assert ("They judged 30 good, 33 adequate, 4 as requiring improvement and 17 "
            "inadequate") in text
    figures = json.loads((tmp_path / "report.md.figures.json").read_text())
    good = next(f for f in figures["figures"] if f["id"] == "further.inspector.good")
    assert good["value"] == 30 and "IS-084" in good["cases"]


def test_html_is_self_contained(rendered):
    page = rendered["html"].read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert "@import" not in page
    assert re.findall(r"url\((?!#)", page) == []  # only the SVG's internal references
    targets = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert targets and all(t.startswith("#") for t in targets)
    assert page.count("<svg") == 3
    assert "@media print" in page


def test_docx_has_a_heading_for_every_chapter(rendered):
    document = docx.Document(str(rendered["docx"]))
    headings = [re.sub(r"^\d+\. ", "", p.text)  # chapters are numbered
                for p in document.paragraphs if p.style.name.startswith("Heading")]
    for chapter in ("Introduction", "Background", "Context for the force",
                    "The police role in child protection", "Initial contact",
                    "Police detention", "Findings: leadership, management and governance",
                    "Findings: the overall effectiveness of the force", "Recommendations",
                    "Next steps", "Annex A: child protection inspection method",
                    "Annex B: glossary"):
        assert chapter in headings
    assert len(document.inline_shapes) == 3
    assert len(document.tables) >= 3  # Ofsted, the cross-tab, cases by type


@pytest.mark.parametrize("suffix", ["html", "md", "docx"])
def test_rendering_twice_gives_identical_files(rendered, tmp_path, runner, suffix):
    out = tmp_path / f"report.{suffix}"
    assert invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out).exit_code == 0
    assert out.read_bytes() == rendered[suffix].read_bytes()
    figures = f"report.{suffix}.figures.json"
    assert (tmp_path / figures).read_bytes() == (rendered[suffix].parent / figures).read_bytes()


def test_profile_with_mistakes(runner, tmp_path):
    profile = yaml.safe_load(FORCE.read_text(encoding="utf-8"))
    profile["workforce"]["total"] = "lots"
    profile["local_authorities"][2]["ofsted_judgement"] = "splendid"
    profile["recommendations"][4]["timescale"] = "next year"
    profile["inspection_month"] = "July"
    profile["colour"] = "blue"
    bad = tmp_path / "force.yaml"
    bad.write_text(yaml.safe_dump(profile), encoding="utf-8")
    shutil.copy(SAMPLE_DIR / "rubric.yaml", tmp_path / "rubric.yaml")
    out = tmp_path / "report.html"
    result = invoke(runner, "report", SAMPLE, "--force", bad, "--out", out)
    assert result.exit_code == 2
    for path in ("workforce.total", "local_authorities[2].ofsted_judgement",
                 "recommendations[4].timescale", "inspection_month", "colour"):
        assert path in result.stderr
    assert list(tmp_path.glob("report.*")) == []


def test_profile_references_checked_against_the_rubric(runner, tmp_path):
    profile = yaml.safe_load(FORCE.read_text(encoding="utf-8"))
    profile["highlights"]["trusted_adult"][0]["criterion"] = "ta_nonsense"
    profile["figures"][0]["chapter"] = "canteen"
    profile["case_types"][0]["case_type"] = "burglary"
    bad = tmp_path / "force.yaml"
    bad.write_text(yaml.safe_dump(profile), encoding="utf-8")
    shutil.copy(SAMPLE_DIR / "rubric.yaml", tmp_path / "rubric.yaml")
    result = invoke(runner, "report", SAMPLE, "--force", bad, "--out", tmp_path / "r.md")
    assert result.exit_code == 2
    for path in ("highlights.trusted_adult[0].criterion", "figures[0].chapter",
                 "case_types[0].case_type"):
        assert path in result.stderr
    assert list(tmp_path.glob("r.*")) == []


def test_provenance_names_every_input_with_its_digest(rendered):
    import hashlib

    text = rendered["md"].read_text(encoding="utf-8")
    for path in (SAMPLE, FORCE, SAMPLE_DIR / "rubric.yaml",
                 ROOT / "rubrics" / "child-protection-2014.yaml"):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in text, path.name


def test_compare_annex_and_report_build_no_per_audit_model(runner, tmp_path, monkeypatch):
    """The analysis stage works on the graded columns: asking for per-audit models
    (``result.audits``, ``frame.audit``...) anywhere in these commands is a failure."""
    from hmic_audit.scoring.grading import GradeResult
    from hmic_audit.workbook.frame import AuditFrame

    def refuse(*args, **kwargs):
        raise AssertionError("a per-audit model was built")

    monkeypatch.setattr(GradeResult, "audits", property(refuse))
    monkeypatch.setattr(GradeResult, "graded", refuse)
    monkeypatch.setattr(AuditFrame, "audit", refuse)
    monkeypatch.setattr(AuditFrame, "to_audit_set", refuse)
    assert invoke(runner, "compare", SAMPLE, "--by", "area", "-f", "json").exit_code == 0
    other = tmp_path / "Otherforce.csv"  # a second force (national tables too)
    other.write_text("Case ref,Case type,Assessor,Grade\nA1,DA,inspector,good\n"
                     "A2,s47,inspector,inadequate\n", encoding="utf-8")
    assert invoke(runner, "annex", SAMPLE, other, "--force", FORCE,
                  "--out", tmp_path / "annex.xlsx").exit_code == 0
    out = tmp_path / "report.md"
    assert invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out).exit_code == 0
    assert "Examples from the cases" in out.read_text(encoding="utf-8")


# Without a force profile -------------------------------------------------------------

PROFILE_WORDS = ("introduction", "context", "leadership", "overall", "recommendation",
                 "next steps")
"""Words of the headings of chapters that need a force profile."""


def headings(markdown: str) -> list[tuple[int, str]]:
    return [(len(m.group(1)), m.group(2)) for m in
            re.finditer(r"^(#{1,6}) +(.*)$", markdown, flags=re.M)]


def empty_headings(markdown: str) -> list[str]:
    """Headings with nothing under them before the next heading of their level or above."""
    lines = [line for line in markdown.splitlines() if line.strip()]
    empty = []
    for i, line in enumerate(lines):
        level = len(line) - len(line.lstrip("#"))
        if not level or not line[level:].startswith(" "):
            continue
        after = lines[i + 1] if i + 1 < len(lines) else None
        after_level = len(after) - len(after.lstrip("#")) if after else 0
        if after is None or (after_level and after[after_level:].startswith(" ")
                             and after_level <= level):
            empty.append(line)
    return empty


def test_report_without_a_profile_has_the_chapters_from_the_cases(runner, tmp_path):
    out = tmp_path / "r.md"
    result = invoke(runner, "report", SAMPLE, "--out", out, "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["force"] == "cases" and summary["profile"] is None
    assert "force-named-after-file" in [p["code"] for p in summary["problems"]]
    assert "calls the force 'cases' after the file" in " ".join(result.stderr.split())
    markdown = out.read_text(encoding="utf-8")
    titles = [t.lower() for _, t in headings(markdown)]
    assert not [t for t in titles if any(w in t for w in PROFILE_WORDS)], titles
    assert "cases: child protection inspection" in titles[0]
    for chapter in ("police role", "findings", "initial contact", "annex a", "glossary"):
        assert any(chapter in t for t in titles), chapter
    assert empty_headings(markdown) == []
    text = text_of(out)
    assert "Force profile:" not in text and "Inspected" not in text
    figures = json.loads((tmp_path / "r.md.figures.json").read_text())["figures"]
    assert figures and {f["source"] for f in figures} <= {"cases", "rubric"}


def test_full_report_has_the_chapters_left_out_without_a_profile(rendered):
    titles = " ".join(t.lower() for _, t in headings(rendered["md"].read_text("utf-8")))
    assert all(w in titles for w in PROFILE_WORDS)


@pytest.mark.parametrize("suffix", ["html", "docx"])
def test_report_without_a_profile_in_every_format(runner, tmp_path, suffix):
    out = tmp_path / f"r.{suffix}"
    result = invoke(runner, "report", SAMPLE, "--out", out, "--force-name",
                    "Greater Manchester Police")
    assert result.exit_code == 0, result.stderr
    text = text_of(out)
    assert "Greater Manchester Police" in text and "Force profile:" not in text


def _one_force_file(tmp_path, *forces):
    rows = [[f"C-{i}", "inspector-selected", "s47", "Bury", "inspector", "2014-07-04",
             "good", force] for i, force in enumerate(forces)]
    return write_xlsx(tmp_path / "audits.xlsx", [*LONG_HEADERS, "Force"], rows)


def test_report_names_the_force_from_its_column_or_the_option(runner, tmp_path):
    cases = _one_force_file(tmp_path, "West Mercia Police", "West Mercia Police ")
    out = tmp_path / "r.md"
    result = invoke(runner, "report", cases, "--out", out, "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["force"] == "West Mercia Police"
    assert "West Mercia Police" in out.read_text(encoding="utf-8")
    result = invoke(runner, "report", cases, "--out", out, "-f", "json",
                    "--force-name", "Mercia")
    assert json.loads(result.stdout)["force"] == "Mercia"
    assert "force-named-after-file" not in result.stdout
    result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--force-name", "GMP",
                    "--out", out, "-f", "json")  # the option wins over the profile too
    assert json.loads(result.stdout)["force"] == "GMP"


def test_report_refuses_cases_of_several_forces(runner, tmp_path):
    cases = _one_force_file(tmp_path, "West Mercia Police", "Warwickshire Police")
    result = invoke(runner, "report", cases, "--out", tmp_path / "r.md", "-f", "json")
    assert result.exit_code == 2
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["code"] == "several-forces"
    assert "names 2 forces ('Warwickshire Police', 'West Mercia Police')" in problem["message"]
    assert not (tmp_path / "r.md").exists()


# Figures files, --format json ----------------------------------------------------------

def test_each_report_file_has_its_own_figures_file(runner, tmp_path):
    for suffix in ("md", "html", "docx"):
        out = tmp_path / f"report.{suffix}"
        assert invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out).exit_code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["report.docx", "report.docx.figures.json", "report.html",
                     "report.html.figures.json", "report.md", "report.md.figures.json"]
    for suffix in ("md", "html", "docx"):
        doc = json.loads((tmp_path / f"report.{suffix}.figures.json").read_text())
        assert doc["report"] == f"report.{suffix}"


def test_report_format_json_summarises_what_was_written(runner, tmp_path):
    import hashlib

    out = tmp_path / "report.html"
    result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out, "-f", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)  # stdout holds the JSON document and nothing else
    figures = tmp_path / "report.html.figures.json"
    assert [(f["path"], f["what"]) for f in doc["files"]] == [
        (str(out), "report"), (str(figures), "figures")]
    for f in doc["files"]:
        data = Path(f["path"]).read_bytes()
        assert f["bytes"] == len(data) and f["sha256"] == hashlib.sha256(data).hexdigest()
    assert doc["ok"] is True and doc["force"] == "Greater Manchester Police"
    assert doc["counts"]["audits"] == 144
    assert doc["counts"]["figures"] == len(json.loads(figures.read_text())["figures"])
    assert doc["profile"] == "force.yaml"
    assert (doc["errors"], doc["warnings"]) == (0, 0)
    assert [p["code"] for p in doc["problems"]] == ["header-below-title"]
    assert f"wrote {out}" in result.stderr.replace("\n", "")


# --templates errors ---------------------------------------------------------------------

@pytest.mark.parametrize("files, where, line, words", [
    ({"report.md.j2": "# {{ ctx.force }}\n\n{% if ctx.force %}\nno end\n"},
     "mine/report.md.j2", 4, "is not a valid template"),
    ({"report.md.j2": "# {{ ctx.force }}\n{% include 'part.md.j2' %}\n",
      "part.md.j2": "Some text.\n\n{{ ctx.forse }}\n"},
     "mine/part.md.j2", 3, "uses 'forse', which ReportContext does not have"),
    ({"report.md.j2": "# Title\n\n{{ nothing_here }}\n"},
     "mine/report.md.j2", 3, "uses 'nothing_here', which templates are not given"),
    ({"report.md.j2": "# Title\n\n{% include 'missing.md.j2' %}\n"},
     "mine/report.md.j2", 3, "includes 'missing.md.j2', which is neither in"),
    ({"report.md.j2": "# Title\n\n\n{{ 1 + 'a' }}\n"},
     "mine/report.md.j2", 4, "could not be rendered: TypeError"),
])
def test_template_errors_name_the_file_and_line(runner, tmp_path, files, where, line, words):
    folder = tmp_path / "mine"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "report.md"
    result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out,
                    "--templates", folder, "-f", "json")
    assert result.exit_code == 2
    [problem] = json.loads(result.stdout)["problems"]
    assert (problem["code"], problem["file"], problem["row"]) == ("template-error", where, line)
    assert words in problem["message"]
    assert f"{where} line {line}" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


@pytest.mark.parametrize("month, arrangements, partnerships", [
    ("2022-05", None, True), ("2019-09", None, False), ("2019-10", None, True),
    ("2022-05", "boards", False), ("2014-07", "partnerships", True)])
def test_safeguarding_boards_or_partnerships_by_the_inspections_date(
        runner, tmp_path, month, arrangements, partnerships):
    """Local safeguarding children boards were replaced by safeguarding partnerships in
    2019: a report of a later inspection must not describe boards (found by a review of
    the 2021-23 sample)."""
    text = FORCE.read_text(encoding="utf-8").replace('inspection_month: "2014-07"',
                                                     f'inspection_month: "{month}"')
    assert f'"{month}"' in text
    if arrangements:
        text = text.replace("safeguarding_boards:", f"safeguarding_arrangements: "
                            f"{arrangements}\nsafeguarding_boards:")
    profile = tmp_path / "force.yaml"
    profile.write_text(text, encoding="utf-8")
    out = tmp_path / "report.md"
    result = invoke(runner, "report", SAMPLE, "--force", profile, "--rubric",
                    SAMPLE_DIR / "rubric.yaml", "--out", out)
    assert result.exit_code == 0, result.stderr
    report = " ".join(out.read_text(encoding="utf-8").split())
    assert ("ten local safeguarding partnerships, one for every local authority" in report) \
        is partnerships
    assert ("ten local safeguarding children boards" in report) is not partnerships
    assert ("one of the three safeguarding partners" in report) is partnerships
    assert ("local safeguarding children board, so that" in report) is not partnerships
