"""Live-risk escalation: an auditor who finds a child still at risk marks the audit; every
command says so first, `escalations` lists exactly the flagged audits with their reasons,
and no other output (least of all a published one) carries a reason.

The workbook is typed as a team would: a "Live risk" column filled "No" down the rows
without a concern, a reason where there is one, "yes" once without a reason, blanks.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from ..conftest import ROOT, invoke

SAMPLE = ROOT / "sample_cases" / "gmp-2014" / "cases.xlsx"
FLAGGED = {  # case ref and assessor -> the reason typed (the manifest)
    ("SA-004", "Inspector"): "Mother's partner back in the home; child not seen since",
    ("IS-012", "Inspector"): "yes",
    ("SA-017", "Force"): "Missing again overnight; no return interview booked",
}
REASONS = [r for r in FLAGGED.values() if r != "yes"]


@pytest.fixture(scope="module")
def flagged(tmp_path_factory) -> tuple[Path, dict[int, tuple[str, str]]]:
    """The GMP sample with a live-risk column added: "No" in most rows, the manifest's
    reasons in theirs; returns the file and, per flagged row, (case ref, assessor)."""
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb["Cases"]
    column = ws.max_column + 1
    ws.cell(row=3, column=column, value="Live risk")
    rows = {}
    for r in range(4, ws.max_row + 1):
        ref, who = ws.cell(row=r, column=1).value, ws.cell(row=r, column=5).value
        if ref is None:
            continue
        reason = FLAGGED.get((ref, who))
        ws.cell(row=r, column=column, value=reason if reason else ("No" if r % 3 else None))
        if reason:
            rows[r] = (ref, who)
    path = tmp_path_factory.mktemp("risk") / "cases.xlsx"
    wb.save(path)
    assert len(rows) == len(FLAGGED)
    return path, rows


@pytest.mark.parametrize("command", [
    ["validate"], ["grade"], ["compare"], ["annex", "--out", "{tmp}/annex.md"],
    ["report", "--out", "{tmp}/report.md"], ["grade", "--format", "json"]],
    ids=lambda c: " ".join(c))
def test_every_command_says_it_first(runner, flagged, tmp_path, command):
    path, rows = flagged
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    result = invoke(runner, args[0], path, *args[1:])
    assert result.exit_code == 0, result.stderr
    said = result.stderr.lstrip()  # the first thing said, before any other problem
    assert said.startswith("A CHILD MAY STILL BE AT RISK: 3 audits flagged"), said[:300]
    for reason in REASONS:
        assert reason not in result.stdout + result.stderr


def test_live_risk_comes_before_the_errors_that_stop_a_file(runner, flagged, tmp_path):
    path, rows = flagged
    wb = openpyxl.load_workbook(path)
    wb["Cases"]["C10"] = "Unheard-of type"  # an error that stops grade
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    result = invoke(runner, "validate", broken, "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    risk = [p for p in problems if p["code"] == "live-risk"]
    assert problems[:len(risk)] == risk and {p["row"] for p in risk} == set(rows)
    assert all(p["value"] == "flagged" for p in risk)
    assert invoke(runner, "grade", broken).exit_code == 2
    # the safeguarding list does not wait for the data to be clean
    listed = json.loads(invoke(runner, "escalations", broken, "-f", "json").stdout)
    assert listed["flagged"] == 3


def test_escalations_lists_exactly_the_flagged_audits(runner, flagged, tmp_path):
    path, rows = flagged
    doc = json.loads(invoke(runner, "escalations", path, "--format", "json").stdout)
    got = {(e["case_ref"], e["assessor"], e["row"], e["reason"]) for e in doc["escalations"]}
    assert got == {(ref, who, r, FLAGGED[(ref, who)]) for r, (ref, who) in rows.items()}
    out = tmp_path / "escalations.xlsx"
    assert invoke(runner, "escalations", path, "--out", out).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    listed = {(row[0], row[3]) for row in sheet.iter_rows(min_row=2, values_only=True)
              if row[0] and row[3]}
    assert listed == {(ref, FLAGGED[(ref, who)]) for ref, who in rows.values()}
    text = tmp_path / "escalations.csv"
    invoke(runner, "escalations", path, "--out", text)
    read = list(csv.DictReader(io.StringIO(text.read_text(encoding="utf-8-sig"))))
    assert {r["Case"] for r in read} == {ref for ref, _ in rows.values()}


def test_none_flagged_says_so(runner):
    result = invoke(runner, "escalations", SAMPLE)
    assert result.exit_code == 0 and "no audit is flagged" in result.stderr


@pytest.mark.parametrize("command, out", [
    (["annex", "--publish"], "annex.xlsx"), (["annex", "--publish"], "annex.json"),
    (["report", "--publish", "--force", str(ROOT / "sample_cases" / "gmp-2014" /
                                            "force.yaml")], "report.html")])
def test_no_published_output_carries_a_flag(runner, flagged, tmp_path, command, out):
    path, rows = flagged
    target = tmp_path / out
    result = invoke(runner, command[0], path, *command[1:], "--out", target)
    assert result.exit_code == 0, result.stderr
    written = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    if out.endswith(".xlsx"):
        book = openpyxl.load_workbook(target)
        written += "".join(str(c.value) for ws in book for row in ws.iter_rows()
                           for c in row if c.value is not None).encode()
    for reason in REASONS:
        assert reason.encode() not in written
    assert b"live risk" not in written.lower() and b"live_risk" not in written.lower()


def test_a_child_at_risk_is_said_before_the_error_that_stops_grade(runner, flagged, tmp_path):
    path, _ = flagged
    wb = openpyxl.load_workbook(path)
    wb["Cases"]["C10"] = "Unheard-of type"
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    result = invoke(runner, "grade", broken)
    assert result.exit_code == 2
    said = result.stderr.lstrip()
    assert said.startswith("A CHILD MAY STILL BE AT RISK"), said[:200]
    assert said.count("A CHILD MAY STILL BE AT RISK") == 1


def test_a_reason_cut_to_fit_the_workbook_is_said(runner, tmp_path):
    """A reason longer than an Excel cell holds (typed in a CSV) is cut in the list, as
    a spreadsheet would cut it on opening, and the command says so."""
    reason = "Seen with an adult not known to the family. " * 800  # ~35,000 characters
    cases = tmp_path / "cases.csv"
    cases.write_text("Case ref,Sample,Case type,Assessor,Grade,Live risk\n"
                     f'C1,inspector-selected,s47,inspector,good,"{reason}"\n',
                     encoding="utf-8")
    for name in ("list.xlsx", "list.csv"):
        result = invoke(runner, "escalations", cases, "--out", tmp_path / name)
        assert result.exit_code == 0, result.stderr
        said = " ".join(result.stderr.split())
        assert "warning:" in said and "longer than 32,767 characters and was cut" in said
        assert f"wrote {tmp_path / name}" in said
    assert reason[:1000] in (tmp_path / "list.csv").read_text(encoding="utf-8-sig")
