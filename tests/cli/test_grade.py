"""`hmic-audit grade` end to end."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from hmic_audit import grade, load_rubric, read_workbook

from ..conftest import ROOT, SAMPLE, invoke, long_rows_good, write_xlsx


def test_summary_shows_the_reference_distributions(runner):
    result = invoke(runner, "grade", SAMPLE)
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "│" in line]
    head = [line for line in result.stdout.splitlines() if "┃" in line]
    assert _cells(head[0], "┃")[1:] == ["self-assessed", "self-assessed", "inspector-selected"]
    assert _cells(head[1], "┃")[1:] == ["force", "inspector", "inspector"]
    rows = {_cells(line)[0]: _cells(line)[1:] for line in lines}
    assert rows["Good"] == ["19 (63%)", "8 (27%)", "29 (35%)"]
    assert rows["Adequate"] == ["9 (30%)", "16 (53%)", "33 (39%)"]
    assert rows["Requires improvement"] == ["2 (7%)", "1 (3%)", "4 (5%)"]
    assert rows["Inadequate"] == ["0 (0%)", "5 (17%)", "18 (21%)"]
    assert rows["Audits"] == ["30", "30", "84"]
    assert "SA-013" in result.stdout  # overrides are listed


def _cells(line: str, bar: str = "│") -> list[str]:
    return [c.strip() for c in line.split(bar)[1:-1]]


def test_json_equals_the_library_result(runner, rubric):
    result = invoke(runner, "grade", SAMPLE, "--format", "json")
    assert result.exit_code == 0
    audits, _ = read_workbook(SAMPLE, rubric)
    doc = json.loads(result.stdout)
    expected = grade(audits, rubric)
    assert doc["rubric"] == expected.rubric.model_dump(mode="json")
    assert doc["input"] == expected.input.model_dump(mode="json")
    assert doc["summary"] == expected.summary.model_dump(mode="json")
    # each audit as the GradedAudit model dumps it: same keys, same order, same values
    models = [a.model_dump(mode="json") for a in expected.audits]
    assert doc["audits"] == models
    assert [list(a) for a in doc["audits"]] == [list(m) for m in models]
    doc = json.loads(result.stdout)
    counts = {(d["sample"], d["assessor"]): list(d["counts"].values())
              for d in doc["summary"]["distributions"]}
    assert counts[("self-assessed", "force")] == [19, 9, 2, 0]
    assert counts[("self-assessed", "inspector")] == [8, 16, 1, 5]
    assert counts[("inspector-selected", "inspector")] == [29, 33, 4, 18]
    assert "{" not in result.stderr


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".json"])
def test_out_writes_the_graded_table(runner, tmp_path, suffix):
    out = tmp_path / f"graded{suffix}"
    result = invoke(runner, "grade", SAMPLE, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert f"wrote {out}" in result.stderr.replace("\n", "")
    if suffix == ".xlsx":
        wb = openpyxl.load_workbook(out)
        ws = wb["Graded"]
        assert ws.max_row == 145
        assert ws.freeze_panes == "B2"
        assert ws.auto_filter.ref is not None
        assert ws["A1"].font.bold
        headers = [c.value for c in ws[1]]
        rows = [dict(zip(headers, r, strict=True)) for r in ws.iter_rows(2, values_only=True)]
    elif suffix == ".csv":
        text = out.read_bytes().decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        headers = list(rows[0])
    else:
        rows = json.loads(out.read_text(encoding="utf-8"))["audits"]
        headers = list(rows[0])
    assert len(rows) == 144
    final_key = next(h for h in headers if h.lower().replace(" ", "_") == "final_grade")
    finals = [r[final_key] for r in rows]
    assert sum(str(f).lower() == "inadequate" for f in finals) == 5 + 18
    # same input, same bytes
    again = tmp_path / f"again{suffix}"
    invoke(runner, "grade", SAMPLE, "--out", again)
    assert again.read_bytes() == out.read_bytes()


def test_out_never_overwrites_the_input(runner, tmp_path):
    copy = tmp_path / "cases.csv"
    copy.write_text("case_ref,case_type,assessor,grade\nA,s47,inspector,good\n", "utf-8")
    before = copy.read_bytes()
    result = invoke(runner, "grade", copy, "--out", copy)
    assert result.exit_code == 2
    assert "input" in result.stderr
    assert copy.read_bytes() == before


def test_unknown_out_format_is_a_usage_error(runner, tmp_path):
    result = invoke(runner, "grade", SAMPLE, "--out", tmp_path / "graded.pdf")
    assert result.exit_code == 2
    assert ".pdf" in result.stderr
    assert not (tmp_path / "graded.pdf").exists()


def test_bad_workbook_exit_2_every_problem_no_output(runner, tmp_path):
    headers, rows = long_rows_good()
    rows[0][6] = "Goodish"
    rows[1][2] = "burglary"
    rows[2][7] = "perhaps"
    bad = write_xlsx(tmp_path / "bad.xlsx", headers, rows)
    out = tmp_path / "graded.xlsx"
    result = invoke(runner, "grade", bad, "--out", out)
    assert result.exit_code == 2
    for cell in ("Cases!G2", "Cases!C3", "Cases!H4"):
        assert cell in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]  # no temporary files left either


def test_twenty_mistakes_through_the_cli(runner, tmp_path):
    from ..test_validate import HEADERS, twenty_mistakes

    bad = write_xlsx(tmp_path / "twenty.xlsx", HEADERS, twenty_mistakes())
    result = invoke(runner, "grade", bad, "--out", tmp_path / "g.xlsx", "--format", "json")
    assert result.exit_code == 2
    cells = [p["cell"] for p in json.loads(result.stdout)["problems"] if p["severity"] == "error"]
    assert len(cells) == len(set(cells)) == 20
    for cell in cells:
        assert f"Cases!{cell}" in result.stderr
    assert "error: twenty.xlsx has 20 problems" in result.stderr
    assert result.stderr.endswith("Nothing was written.\n")
    assert not (tmp_path / "g.xlsx").exists()


def test_errors_as_json(runner, tmp_path):
    headers, rows = long_rows_good()
    rows[0][6] = "Goodish"
    bad = write_xlsx(tmp_path / "bad.xlsx", headers, rows)
    result = invoke(runner, "grade", bad, "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["ok"] is False
    assert [(p["cell"], p["code"]) for p in doc["problems"]] == [("G2", "unknown-grade")]


def test_explain_a_case(runner):
    result = invoke(runner, "grade", SAMPLE, "--explain", "sa-001")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Case SA-001" in out and "force audit" in out and "inspector audit" in out
    assert "ic_immediate_safety" in out and "Points lost" in out
    assert "final Inadequate" in out and "final Good" in out


def test_explain_json_lists_every_applicable_criterion(runner, rubric):
    result = invoke(runner, "grade", SAMPLE, "--explain", "IS-023", "--format", "json")
    doc = json.loads(result.stdout)
    [audit] = doc["audits"]
    assert audit["graded"]["override"] is True
    assert len(audit["criteria"]) == len(rubric.criteria_for(doc["case_type"]))
    lost = sum(c["points_lost"] for c in audit["criteria"])
    assert lost == pytest.approx(100 - audit["graded"]["score"], abs=0.1)


def test_explain_unknown_case(runner):
    result = invoke(runner, "grade", SAMPLE, "--explain", "SA-0001")
    assert result.exit_code == 2
    assert "no case 'SA-0001'" in result.stderr
    assert "did you mean" in result.stderr


def test_missing_file(runner, tmp_path):
    result = invoke(runner, "grade", tmp_path / "nope.xlsx")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_three_level_rubric_through_the_cli(runner, tmp_path):
    from ..conftest import DATA

    headers = ["Case ref", "Case type", "Assessor", "Grade", "seen", "recorded", "referred"]
    rows = [["T1", "Domestic abuse", "inspector", "", "yes", "yes", "yes"],
            ["T2", "Domestic abuse", "inspector", "", "no", "no", "yes"]]
    path = write_xlsx(tmp_path / "t.xlsx", headers, rows)
    result = invoke(runner, "grade", path, "--rubric", DATA / "three-level.yaml")
    assert result.exit_code == 0, result.stderr
    assert "Requires improvement" in result.stdout and "Adequate" not in result.stdout
    doc = json.loads(invoke(runner, "grade", path, "--rubric", DATA / "three-level.yaml",
                            "-f", "json").stdout)
    assert doc["summary"]["distributions"][0]["counts"] == {
        "good": 1, "requires_improvement": 0, "inadequate": 1}


def test_installed_command_runs_from_any_directory(tmp_path):
    exe = shutil.which("hmic-audit", path=str(Path(sys.executable).parent)) or \
        shutil.which("hmic-audit")
    assert exe, "the console script is installed"
    done = subprocess.run([exe, "grade", str(SAMPLE), "--format", "json"], cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    doc = json.loads(done.stdout)
    assert doc["rubric"]["name"] == load_rubric().name


def test_python_dash_m(tmp_path):
    done = subprocess.run([sys.executable, "-m", "hmic_audit", "--help"], cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    assert "grade" in done.stdout
    assert (ROOT / "README.md").exists()


def test_quiet_and_progress(runner, tmp_path, monkeypatch):
    import sys

    from hmic_audit.cli.output import progress

    out = tmp_path / "g.csv"
    result = invoke(runner, "grade", SAMPLE, "--out", out, "--quiet")
    assert result.exit_code == 0 and "wrote" not in result.stderr and out.exists()
    assert progress("x").enabled is False  # stderr is not a terminal under the runner
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert progress("x").enabled is True
    assert progress("x", quiet=True).enabled is False


def test_sheet_named_in_another_case(runner, tmp_path):
    headers, rows = long_rows_good()
    path = write_xlsx(tmp_path / "book.xlsx", headers, rows, sheet="Audit data",
                      extra_sheets=("Instructions",))
    result = invoke(runner, "grade", path, "--sheet", "audit data")
    assert result.exit_code == 0, result.stderr
    assert "Graded book.xlsx" in result.stdout and "2 cases, 3 audits" in result.stdout
