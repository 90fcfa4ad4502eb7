"""The terminal views fit 80 columns (a pipe, a Windows console) without cutting a word,
leave out empty tables, and explain a grades-only audit in a sentence."""

from __future__ import annotations

import json
import re

import pytest
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from hmic_audit.render.fit import fit, share_out

from ..conftest import ROOT, SAMPLE, invoke, long_rows_good, write_xlsx
from .test_report import FORCE

WIDTHS = [80, 120]
RUBRIC = ROOT / "rubrics" / "child-protection-2014.yaml"


def _runner(width: int) -> CliRunner:
    return CliRunner(env={"COLUMNS": str(width), "NO_COLOR": "1"})


def _bad_workbook(tmp_path):
    headers, rows = long_rows_good()
    rows[0][6] = "Goodish"
    rows[2][2] = "teapot"
    return write_xlsx(tmp_path / "bad.xlsx", headers + ["mystery"], [r + ["?"] for r in rows])


def _wide_csv(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("Case ref,Case type,Area,Self grade,Inspector grade\n"
                    "W1,Domestic abuse,Bury,Good,Requires improvement\n"
                    "W2,s.47,Wigan,Adequate,Inadequate\n"
                    "W3,s.47,Wigan,Good,Good\n", encoding="utf-8")
    return path


COMMANDS = {
    "grade": lambda tmp: ["grade", SAMPLE],
    "grade --explain": lambda tmp: ["grade", SAMPLE, "--explain", "SA-001"],
    "grade --explain (grades only)": lambda tmp: ["grade", _wide_csv(tmp), "--explain", "W1"],
    "grade (bad workbook)": lambda tmp: ["grade", _bad_workbook(tmp)],
    "validate": lambda tmp: ["validate", SAMPLE],
    "validate (bad workbook)": lambda tmp: ["validate", _bad_workbook(tmp)],
    "compare": lambda tmp: ["compare", SAMPLE],
    "compare (grades only)": lambda tmp: ["compare", _wide_csv(tmp)],
    "annex": lambda tmp: ["annex", SAMPLE, "--out", tmp / "annex.xlsx"],
    "report": lambda tmp: ["report", SAMPLE, "--force", FORCE, "--out", tmp / "r.md"],
    "rubric show": lambda tmp: ["rubric", "show"],
    "rubric check": lambda tmp: ["rubric", "check", RUBRIC],
    "template": lambda tmp: ["template", "--out", tmp / "form.xlsx"],
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_view_fits_without_cutting_a_word(tmp_path, name, width):
    result = invoke(_runner(width), *COMMANDS[name](tmp_path))
    assert result.exit_code in (0, 1, 2)
    for stream in (result.stdout, result.stderr):
        assert "…" not in stream
        for line in stream.splitlines():
            assert len(line) <= width, line


@pytest.mark.parametrize("width", WIDTHS)
def test_grade_labels_and_criterion_ids_are_whole(width, rubric):
    out = invoke(_runner(width), "grade", SAMPLE).stdout
    for label in ("Good", "Adequate", "Requires improvement", "Inadequate",
                  "self-assessed", "inspector-selected", "force", "inspector"):
        assert re.search(rf"(^|[ │┃]){re.escape(label)}($|[ │┃])", out, re.M), label
    explained = invoke(_runner(width), "grade", SAMPLE, "--explain", "SA-001").stdout
    for c in rubric.criteria_for("s47_enquiry"):
        assert re.search(rf"(^|[ │]){c.id}($|[ │])", explained, re.M), c.id
    compared = invoke(_runner(width), "compare", SAMPLE).stdout
    for ref in ("SA-001", "SA-002", "SA-003", "ic_prompt_response",
                "rm_offender_risk_assessed"):
        assert re.search(rf"(^|[ │]){ref}($|[ │:])", compared, re.M), ref


def test_a_table_too_wide_for_the_terminal_wraps_between_words():
    table = Table(title="Criteria")
    for header in ("Criterion", "Theme", "Both answered", "Same answer", "Agreement"):
        table.add_column(header)
    table.add_row("rm_offender_risk_assessed", "Management of those posing a risk", "9",
                  "9", "100%")
    console = Console(width=80, record=True, color_system=None)
    console.print(fit(table))
    text = console.export_text()
    assert "…" not in text and "rm_offender_risk_assessed" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "│" in text  # still a table: the longest words fit


def test_a_table_whose_words_cannot_fit_becomes_a_block_per_row():
    table = Table()
    for i in range(8):
        table.add_column(f"Heading{i}")
    table.add_row(*(f"value_without_spaces_{i}" for i in range(8)))
    console = Console(width=80, record=True, color_system=None)
    console.print(fit(table))
    text = console.export_text()
    assert "…" not in text and "│" not in text
    assert "value_without_spaces_0" in text.splitlines()[0]
    assert "Heading7: value_without_spaces_7" in " ".join(text.split())


def test_room_is_shared_fairly():
    assert share_out([5, 10, 4], [5, 60, 8], 30) == [5, 17, 8]
    assert sum(share_out([3, 3], [50, 70], 40)) == 40


def test_grades_only_compare_leaves_out_the_empty_criterion_table(tmp_path, runner):
    result = invoke(runner, "compare", _wide_csv(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert "Criterion answers" not in result.stdout
    assert "Criteria answered differently" not in result.stdout  # an empty column too
    assert "Criterion answers" in invoke(runner, "compare", SAMPLE).stdout


def test_explain_a_grades_only_audit_says_the_grade_was_given(tmp_path, runner):
    result = invoke(runner, "grade", _wide_csv(tmp_path), "--explain", "W1")
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "(blank)" not in out and "Theme" not in out
    assert ("No criterion is answered in this audit: its grade, Requires improvement, was "
            "given in the workbook, not computed from answers") in out
    doc = invoke(runner, "grade", _wide_csv(tmp_path), "--explain", "W1", "-f", "json")
    assert [a["has_answers"] for a in json.loads(doc.stdout)["audits"]] == [False, False]


def test_grade_table_too_wide_falls_back_to_a_block_per_sample_and_assessor(rubric):
    from hmic_audit.render.console import grade_view
    from hmic_audit.scoring.grading import Distribution, GradeSummary

    distributions = [Distribution(sample=s, assessor=a, audits=1000, ungraded=0,
                                  overrides=3, counts=dict.fromkeys(rubric.grade_keys, 250))
                     for s in ("self-assessed", "inspector-selected")
                     for a in ("force", "inspector")]
    summary = GradeSummary(cases=10, audits=4000, distributions=distributions,
                           overrides=[], not_gradable=[], ungraded=[])
    console = Console(width=80, record=True, color_system=None)
    console.print(grade_view(summary, "x.xlsx", rubric, []))
    text = console.export_text()
    assert "…" not in text
    assert "inspector-selected, force" in text.splitlines()
    assert "Requires improvement: 250 (25%)" in " ".join(text.split())


@pytest.mark.parametrize("name", COMMANDS)
def test_piped_output_has_no_trailing_spaces(tmp_path, name):
    """rich pads titles (and wrapped lines) to the width: a pipe or a file gets none."""
    result = invoke(_runner(80), *COMMANDS[name](tmp_path))
    for stream in (result.stdout, result.stderr):
        padded = [line for line in stream.splitlines() if line.endswith(" ")]
        assert padded == [], name


def test_spaces_held_across_writes_are_dropped_only_before_a_line_end():
    import io

    from hmic_audit.cli.output import Unpadded

    sink = io.StringIO()
    stream = Unpadded(sink)
    for chunk in ("Title   ", "   \nkept  ", "inside  \n", "x \n \n"):
        stream.write(chunk)
    assert sink.getvalue() == "Title\nkept  inside\nx\n\n"
