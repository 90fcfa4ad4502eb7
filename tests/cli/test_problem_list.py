"""Problems in the terminal: one line for a mistake repeated down a column, a cap on the
list with a way to see it all (--all, --format json), the root cause first, notices
dimmed and counted apart from warnings."""

from __future__ import annotations

import csv
import json
import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from hmic_audit.problems import Problem, Severity
from hmic_audit.render.problem_list import (
    SHOW_GROUPS,
    count_phrase,
    counts,
    group_problems,
    problems_view,
    row_ranges,
)

from ..conftest import LONG_HEADERS, SAMPLE, invoke, write_xlsx

ROWS = 20_000
NARROW = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1"})


def table_rows(text: str) -> list[list[str]]:
    """The rows of the problems table, each cell's wrapped lines joined."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells[0] or not rows:
            rows.append(cells)
        else:
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
    return rows


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    """20,000 audits with the same impossible date in every row."""
    path = tmp_path_factory.mktemp("big") / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(LONG_HEADERS)
        out.writerows([f"R{i}", "inspector-selected", "s47", "Wigan", "inspector",
                       "31/02/2014", "Good"] for i in range(ROWS))
    return path


def test_one_mistake_in_20000_rows_fits_a_screen(big_csv):
    result = invoke(NARROW, "validate", big_csv)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) <= 40, result.stderr
    [(mark, where, message)] = table_rows(result.stderr)
    assert (mark, where) == ("error", "big.csv F2–F20001 (Audit date), 20,000 rows")
    assert "'31/02/2014'" in message
    assert lines[-1] == "big.csv: 20,000 errors"


def test_grade_and_every_reading_command_groups_too(big_csv, tmp_path):
    result = invoke(NARROW, "grade", big_csv)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) <= 40
    assert result.stderr.startswith("error: big.csv has 20,000 problems\n")


def _assessor_typos(tmp_path):
    """A workbook whose Assessor column is misspelt in 3 rows (rows 3, 5 and 7)."""
    rows = [[f"C{i}", "inspector-selected", "s47", "Wigan",
             "Assesorr" if i in (3, 5, 7) else "inspector", "2014-07-01", "Good"]
            for i in range(2, 9)]
    return write_xlsx(tmp_path / "typos.xlsx", LONG_HEADERS, rows)


def _counts_said(stderr: str) -> list[str]:
    return re.findall(r"\b3 (?:errors?|problems?)\b", stderr)


def test_an_error_is_counted_once_and_nothing_written_only_when_asked(tmp_path):
    """grade stopping on bad input says what is wrong once (a headline, then the list);
    "Nothing was written." only when a file was asked for."""
    bad = _assessor_typos(tmp_path)
    read_only = invoke(NARROW, "grade", bad)
    assert read_only.exit_code == 2
    assert read_only.stderr.startswith("error: typos.xlsx has 3 problems\n")
    assert _counts_said(read_only.stderr) == ["3 problems"]
    assert "Nothing was written" not in read_only.stderr
    writing = invoke(NARROW, "grade", bad, "--out", tmp_path / "graded.csv")
    assert writing.exit_code == 2
    assert _counts_said(writing.stderr) == ["3 problems"]
    assert writing.stderr.splitlines()[-1] == "Nothing was written."
    assert not (tmp_path / "graded.csv").exists()


@pytest.mark.parametrize("args", [
    ["validate", "BAD"], ["grade", "BAD", "--explain", "C2"],
    ["grade", SAMPLE, "--explain", "SA-0001"], ["rubric", "check", "BROKEN"],
    ["rubric", "show", "MISSING"], ["rubric", "check", "MISSING"],
], ids=lambda a: " ".join(map(str, a)))
def test_read_only_commands_never_say_nothing_was_written(tmp_path, args):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nversion: [\n", encoding="utf-8")
    files = {"BAD": _assessor_typos(tmp_path), "BROKEN": broken,
             "MISSING": tmp_path / "missing.yaml"}
    result = invoke(NARROW, *(files.get(a, a) for a in args))
    assert result.exit_code in (1, 2)
    assert "error" in result.stderr
    assert "Nothing was written" not in result.stderr
    assert len(_counts_said(result.stderr)) <= 2  # validate: its table, its summary


def test_the_rows_a_group_leaves_out_are_counted_as_rows():
    """E13–E15 left out is 3 rows, not '1 more' beside a list of single cells."""
    problems = [Problem.at_cell("unknown-assessor", "is not an assessor", file="f.xlsx",
                                sheet="Cases", row=r, column="Assessor", column_index=5)
                for r in (5, 7, 9, 11, 13, 14, 15)]
    [group] = group_problems(problems)
    assert group.location == ("f.xlsx Cases!E5, E7, E9, E11 and 3 more rows (Assessor), "
                              "7 rows")


def test_notices_are_listed_under_a_neutral_header():
    problems = [_row_problem(2, severity=Severity.WARNING),
                _row_problem(3, "header-row", "header below a title", Severity.NOTICE)]
    console = Console(width=80, record=True, color_system=None)
    console.print(problems_view(problems))
    header = next(line for line in console.export_text().splitlines() if "Where" in line)
    assert [c.strip() for c in header.strip("┃").split("┃")] == ["", "Where", "Message"]


def test_all_lists_each_problem(big_csv):
    result = invoke(NARROW, "validate", big_csv, "--all")
    assert result.exit_code == 1
    rows = table_rows(result.stderr)
    assert [where for _, where, _ in rows] == [f"big.csv F{r} (Audit date)"
                                               for r in range(2, ROWS + 2)]


def test_json_always_lists_each_problem(big_csv):
    doc = json.loads(invoke(NARROW, "validate", big_csv, "--format", "json").stdout)
    assert doc["errors"] == len(doc["problems"]) == ROWS
    assert doc["warnings"] == doc["notices"] == 0


def test_cells_as_ranges_in_a_workbook(tmp_path):
    rows = [[f"C{i}", "inspector-selected", "s47", "Wigan", "inspector",
             "31/02/2014" if i not in (3, 5, 6) else "2014-07-01", "Good"]
            for i in range(9)]
    path = write_xlsx(tmp_path / "dates.xlsx", LONG_HEADERS, rows)
    result = invoke(NARROW, "validate", path)
    assert result.exit_code == 1
    assert [where for _, where, _ in table_rows(result.stderr)] == [
        "dates.xlsx Cases!F2–F4, F6, F9–F10 (Audit date), 6 rows"]


def _row_problem(row: int, code: str = "bad-date", message: str = "is not a date",
                 severity: Severity = Severity.ERROR) -> Problem:
    return Problem.at_cell(code, message, file="f.xlsx", sheet="Cases", row=row,
                           column="Audit date", column_index=6, severity=severity)


def test_row_ranges_compress_runs_and_count_the_rest():
    assert row_ranges([2, 3, 4, 7, 9, 10]) == "2–4, 7, 9–10"
    assert row_ranges([1, 3, 5, 7, 9, 11], prefix="D") == "D1, D3, D5, D7 and 2 more rows"
    assert row_ranges([1, 3, 5, 7, 9]) == "1, 3, 5, 7 and 1 more row"


def test_rows_without_cells_are_ranges_of_rows():
    problems = [Problem(code="x", file="a.json", row=r, column="grade", message="bad")
                for r in (2, 3, 4, 8)]
    [group] = group_problems(problems)
    assert group.location == "a.json rows 2–4, 8 (grade), 4 rows"


def test_groups_keep_the_library_order_and_put_notices_last():
    header = Problem(code="unknown-column", severity=Severity.WARNING, file="f.xlsx",
                     sheet="Cases", row=1, cell="H1", column="Inspector's grade",
                     message="is not a column this rubric knows; it is ignored")
    notice = Problem(code="header-row", severity=Severity.NOTICE, file="f.xlsx",
                     sheet="Cases", row=3, message="the header is on row 3")
    problems = [notice, header, *(_row_problem(r) for r in range(4, 30)),
                _row_problem(5, "unknown-grade", "is not a grade")]
    groups = group_problems(problems)
    assert [g.first.code for g in groups] == ["unknown-column", "bad-date", "unknown-grade",
                                              "header-row"]
    assert groups[1].location == "f.xlsx Cases!F4–F29 (Audit date), 26 rows"
    assert groups[0].location == header.location  # one problem: its own location
    console = Console(width=80, record=True, color_system=None)
    console.print(problems_view(problems, count_phrase(problems)))
    text = console.export_text()
    assert [(mark, where) for mark, where, _ in table_rows(text)] == [
        ("warning", "f.xlsx Cases!H1 (Inspector's grade)"),
        ("error", "f.xlsx Cases!F4–F29 (Audit date), 26 rows"),
        ("error", "f.xlsx Cases!F5 (Audit date)"),
        ("notice", "f.xlsx Cases row 3")]
    assert text.splitlines()[0].startswith("27 errors, 1 warning and 1 notice")


def test_notices_are_dimmed_and_counted_apart_from_warnings():
    problems = [_row_problem(2, severity=Severity.WARNING),
                _row_problem(3, "trimmed", "was trimmed", Severity.NOTICE),
                _row_problem(4, "header-row", "header below a title", Severity.NOTICE)]
    assert counts(problems) == {"errors": 0, "warnings": 1, "notices": 2}
    assert count_phrase(problems) == "1 warning and 2 notices"
    console = Console(width=80, record=True, force_terminal=True, color_system="standard")
    console.print(problems_view(problems))
    styled = console.export_text(styles=True)
    assert "\x1b[2mnotice" in styled  # dim


def test_distinct_problems_are_capped_with_a_way_to_see_them_all():
    problems = [_row_problem(r, message=f"mistake number {r}") for r in range(2, 40)]
    console = Console(width=80, record=True, color_system=None)
    console.print(problems_view(problems))
    text = " ".join(console.export_text().split())
    assert f"mistake number {SHOW_GROUPS + 1}" in text
    assert f"mistake number {SHOW_GROUPS + 2}" not in text
    left = len(problems) - SHOW_GROUPS
    assert f"... and {left} more problems not shown: use --all to list every one" in text
    console = Console(width=80, record=True, color_system=None)
    console.print(problems_view(problems, show_all=True))
    assert "mistake number 39" in console.export_text()


def test_notices_in_validate_json_and_terminal(runner, tmp_path, monkeypatch):
    import hmic_audit.workbook.check as check

    real = check.check_grid

    def with_a_notice_and_a_warning(*args, **kwargs):
        frame, found = real(*args, **kwargs)
        return frame, [*found,
                       Problem(code="header-row", severity=Severity.NOTICE, file="s.xlsx",
                               message="the header is on row 3; the rows above are a title"),
                       Problem(code="odd", severity=Severity.WARNING, file="s.xlsx",
                               message="looks odd")]

    monkeypatch.setattr(check, "check_grid", with_a_notice_and_a_warning)
    headers = LONG_HEADERS
    path = write_xlsx(tmp_path / "s.xlsx", headers, [
        ["C1", "inspector-selected", "s47", "Wigan", "inspector", "2014-07-01", "Good"]])
    doc = json.loads(invoke(runner, "validate", path, "-f", "json").stdout)
    notices_before = sum(p["severity"] == "notice" for p in doc["problems"])
    assert doc["notices"] == notices_before >= 1
    assert doc["warnings"] == sum(p["severity"] == "warning" for p in doc["problems"]) >= 1
    human = invoke(runner, "validate", path)
    assert human.exit_code == 0
    assert "notice" in human.stderr and "the header is on row 3" in human.stderr
    assert human.stderr.index("looks odd") < human.stderr.index("the header is on row 3")
    quiet = invoke(runner, "validate", path, "--quiet")
    assert "the header is on row 3" not in quiet.stderr and "looks odd" in quiet.stderr
