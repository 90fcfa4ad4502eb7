"""check-report: the sample's own report passes in every format; copies carrying planted
slips (a count changed, a list that no longer adds up, "most" for 9 of 30, a table cell
changed, a number from nowhere) are caught, each in its place, and nothing else is."""

from __future__ import annotations

from pathlib import Path

import pytest

from hmic_audit.report.claims import fits
from hmic_audit.report.draft import read_draft

from .conftest import ROOT, invoke, stdout_json

GMP = ROOT / "sample_cases" / "gmp-2014"
INPUTS = ["--cases", GMP / "cases.xlsx", "--force", GMP / "force.yaml",
          "--rubric", GMP / "rubric.yaml"]
FORMATS = ["md", "html", "docx"]

# (text in the report, text in the planted copy)
COUNT = ("in 8 of the 36 cases", "in 9 of the 36 cases")
LIST = ("They judged eight good, sixteen", "They judged nine good, sixteen")
MOST = ("adequate in just under a third of them (9)", "adequate in most of them (9)")
NOWHERE = ("and 14 staff examining them.",
           "and 14 staff examining them. The unit also held 57 referrals.")
PROSE = [COUNT, LIST, MOST, NOWHERE]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from typer.testing import CliRunner

    folder = tmp_path_factory.mktemp("reports")
    out = {}
    for suffix in FORMATS:
        path = folder / f"r.{suffix}"
        result = invoke(CliRunner(), "report", GMP / "cases.xlsx", "--force",
                        GMP / "force.yaml", "--rubric", GMP / "rubric.yaml", "--out", path,
                        "--quiet")
        assert result.exit_code == 0, result.output
        out[suffix] = path
    return out


def _check(runner, path: Path) -> tuple[int, dict]:
    result = invoke(runner, "check-report", path, *INPUTS, "--format", "json")
    return result.exit_code, stdout_json(result)


@pytest.mark.parametrize("suffix", FORMATS)
def test_the_report_the_cases_give_has_no_findings(runner, reports, suffix):
    code, document = _check(runner, reports[suffix])
    assert code == 0
    assert document["ok"] is True and document["findings"] == []
    assert document["paragraphs"] > 100 and document["tables"] == 3


def _plant_text(source: Path, target: Path) -> None:
    text = source.read_text(encoding="utf-8")
    for old, new in PROSE:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    if source.suffix == ".md":
        row = "| Good | 7 | 10 | 0 | 2 | 19 |"
        assert text.count(row) == 1
        text = text.replace(row, "| Good | 7 | 11 | 0 | 2 | 19 |")
    else:  # the crosstab's first body row: its second cell
        start = text.index("<td>Good</td>", text.index("Force \\ inspectors"))
        cell = '<td style="text-align:right">10</td>'
        at = text.index(cell, start)
        text = text[:at] + cell.replace(">10<", ">11<") + text[at + len(cell):]
    target.write_text(text, encoding="utf-8")


def _plant_docx(source: Path, target: Path) -> None:
    import docx

    document = docx.Document(str(source))
    for old, new in PROSE:
        hits = [p for p in document.paragraphs if old in p.text]
        assert len(hits) == 1, old
        _replace(hits[0], old, new)
    table = next(t for t in document.tables if t.rows[0].cells[0].text.startswith("Force"))
    cell = table.rows[1].cells[2]
    assert cell.text == "10"
    cell.paragraphs[0].runs[0].text = "11"
    document.save(str(target))


def _replace(paragraph, old: str, new: str) -> None:
    """Edit a paragraph as a person would in Word: the words change, the runs stay."""
    for run in paragraph.runs:
        if old in run.text:
            run.text = run.text.replace(old, new)
            return
    text = paragraph.text.replace(old, new)  # spread over runs: put it in the first
    for i, run in enumerate(paragraph.runs):
        run.text = text if i == 0 else ""


def _paragraph_of(path: Path, words: str) -> str:
    found = [i for i, p in enumerate(read_draft(path).paragraphs, 1) if words in p]
    assert len(found) == 1, words
    return f"paragraph {found[0]}"


@pytest.mark.parametrize("suffix", FORMATS)
def test_each_planted_slip_is_found_in_its_place_and_nothing_else(runner, reports,
                                                                  tmp_path, suffix):
    planted = tmp_path / f"edited.{suffix}"
    (_plant_docx if suffix == "docx" else _plant_text)(reports[suffix], planted)
    code, document = _check(runner, planted)
    assert code == 1 and document["ok"] is False
    got = {(f["kind"], f["place"], f["claimed"], f["computed"])
           for f in document["findings"]}
    first = _paragraph_of(planted, MOST[1])
    assert first == _paragraph_of(planted, LIST[1])  # the findings' opening paragraph
    crosstab = 'table 2, row "{}", column "{}"'
    assert got == {
        ("mismatch", _paragraph_of(planted, COUNT[1]), "9", "8"),
        ("mismatch", first, "nine", "eight"),
        ("does-not-add-up", first, "30", "31"),  # 9 + 16 + 1 + 5 of the 30 cases
        ("wrong-proportion-word", first, "most", "just under a third"),
        ("no-source", _paragraph_of(planted, "57 referrals"), "57", None),
        ("mismatch", crosstab.format("Good", "Adequate"), "11", "10"),
        ("does-not-add-up", crosstab.format("Good", "Total"), "19", "20"),
        ("does-not-add-up", crosstab.format("Total", "Adequate"), "16", "17"),
    }
    assert len(document["findings"]) == len(got)
    nine = next(f for f in document["findings"] if f["claimed"] == "nine")
    assert nine["figure"] == "self_assessed.inspector.good"
    assert nine["context"].startswith("They judged nine good")


def test_human_view_names_each_finding_and_exits_1(runner, reports, tmp_path):
    planted = tmp_path / "edited.md"
    _plant_text(reports["md"], planted)
    result = invoke(runner, "check-report", planted, *INPUTS)
    assert result.exit_code == 1
    for word in ("mismatch", "does-not-add-up", "wrong-proportion-word", "no-source"):
        assert word in result.stdout
    assert "8 findings" in result.stderr


@pytest.mark.parametrize("name, content, words", [
    ("draft.txt", b"plain", "reads .md, .html and .docx"),
    ("draft.docx", b"not a zip", "is not a Word document"),
    ("draft.md", b"\xff\xfe\x00bad", "is not UTF-8"),
    ("missing.md", None, "cannot be read"),
])
def test_an_unreadable_draft_is_exit_2_naming_it(runner, tmp_path, name, content, words):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = invoke(runner, "check-report", path, *INPUTS)
    assert result.exit_code == 2
    assert name in result.stderr and words in result.stderr
    assert "Traceback" not in result.output


def test_unreadable_cases_are_exit_2(runner, reports, tmp_path):
    result = invoke(runner, "check-report", reports["md"], "--cases", tmp_path / "no.xlsx")
    assert result.exit_code == 2
    assert "no.xlsx" in result.stderr


@pytest.mark.parametrize("phrase, part, whole, ok", [
    ("most", 9, 30, False), ("most", 16, 30, True), ("a minority", 9, 30, True),
    ("fewer than half", 9, 30, True), ("fewer than half", 15, 30, False),
    ("about two-thirds", 19, 30, True), ("about two-thirds", 9, 30, False),
    ("just under a third", 9, 30, True), ("all", 30, 30, True), ("all", 29, 30, False),
    ("none", 0, 30, True), ("almost all", 28, 30, True), ("about half", 18, 30, False),
])
def test_proportion_words_fit_the_bands(phrase, part, whole, ok):
    assert fits(phrase, part, whole) is ok
