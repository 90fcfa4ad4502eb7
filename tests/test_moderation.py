"""hmic-audit moderate and --moderated: the queue of cases whose judgements differ, filled
in as a moderator would and read back by grade, compare, annex and report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from .conftest import invoke, stdout_json

ROOT = Path(__file__).resolve().parents[1]
GMP = ROOT / "sample_cases" / "gmp-2014"
CASES = GMP / "cases.xlsx"
RUBRIC = GMP / "rubric.yaml"


def _queue(runner, tmp_path: Path, *extra: object) -> Path:
    out = tmp_path / "queue.xlsx"
    result = invoke(runner, "moderate", CASES, "--rubric", RUBRIC, "--out", out, "-q",
                    *extra)
    assert result.exit_code == 0, result.stderr
    return out


def _titles(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value}


def _rows(ws) -> list[int]:
    return [r for r in range(2, ws.max_row + 1)
            if ws.cell(r, 1).value and ws.cell(r, 2).value]


def _expected(runner, threshold: int) -> set[str]:
    """Cases compare --format json says differ by threshold or more levels."""
    found = invoke(runner, "compare", CASES, "--rubric", RUBRIC, "--threshold", threshold,
                   "--format", "json", "-q")
    return {c["case_ref"] for c in stdout_json(found)["cases"]
            if abs(c["levels"]) >= threshold}


@pytest.mark.parametrize("threshold", [None, 2, 1])
def test_queue_lists_exactly_the_cases_apart_by_the_threshold(runner, tmp_path, threshold):
    out = _queue(runner, tmp_path, *(["--threshold", threshold] if threshold else []))
    book = openpyxl.load_workbook(out)
    ws = book["Queue"]
    titles = _titles(ws)
    listed = {ws.cell(r, 1).value for r in _rows(ws)}
    assert listed == _expected(runner, threshold or 3)  # the GMP rubric's own: 3
    assert listed
    for name in ("Case type", "Area", "Audit 1", "Audit 1 final grade", "Audit 1 score",
                 "Audit 2", "Audit 2 final grade", "Moderator's grade", "Reason",
                 "Moderator"):
        assert name in titles
    for r in _rows(ws):
        assert ws.cell(r, titles["Audit 1"]).value == "Force"
        assert ws.cell(r, titles["Audit 2"]).value == "Inspector"
        for name in ("Moderator's grade", "Reason", "Moderator"):
            assert ws.cell(r, titles[name]).value is None
    # the grade drop-down offers the rubric's grade labels over the moderator's column
    rules = [v for v in ws.data_validations.dataValidation if v.type == "list"]
    assert len(rules) == 1
    assert rules[0].formula1.strip('"').split(",") == [
        "Good", "Adequate", "Requires improvement", "Inadequate"]
    assert openpyxl.utils.get_column_letter(titles["Moderator's grade"]) in str(
        rules[0].sqref)
    # the hidden Source sheet names the input and its SHA-256
    source = book["Source"]
    assert source.sheet_state == "hidden"
    import hashlib
    values = {source.cell(r, 1).value: source.cell(r, 2).value for r in range(1, 7)}
    assert values["file"] == "cases.xlsx"
    assert values["sha256"] == hashlib.sha256(CASES.read_bytes()).hexdigest()
    assert values["rubric"] and values["rubric version"]


def test_criteria_answered_differently_are_filled_in_the_rubrics_words(runner, tmp_path):
    out = _queue(runner, tmp_path)
    ws = openpyxl.load_workbook(out)["Queue"]
    titles = _titles(ws)
    graded = stdout_json(invoke(runner, "grade", CASES, "--rubric", RUBRIC, "--format",
                                "json", "-q"))["audits"]
    by = {(a["case_ref"], a["assessor"]): a for a in graded}
    criteria = [t for t in titles if t.startswith(("ic_", "ah_", "in_", "dm_", "ta_", "rm_",
                                                   "pd_"))]
    assert criteria
    labels = {"yes": "Yes", "partly": "Partly", "no": "No", "n/a": "N/A"}
    filled_somewhere = False
    for r in _rows(ws):
        ref = ws.cell(r, 1).value
        for crit in criteria:
            cell = ws.cell(r, titles[crit])
            force = by[(ref, "force")]
            # the reasons of each audit are not the answers; compare with the text itself
            parts = cell.value.split(" / ")
            assert len(parts) == 2
            assert all(p in {*labels.values(), "Not applicable", "(blank)"} for p in parts)
            differs = parts[0] != parts[1]
            fill = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type else None
            assert (fill is not None and fill.endswith("F4B183")) == differs, (ref, crit)
            filled_somewhere |= differs
        assert force["final_grade"]
    assert filled_somewhere


def _fill(queue: Path, target: Path, rows: dict[int, tuple[str | None, str, str]]) -> None:
    """Fill some queue rows as a person would: a label from the drop-down, a reason, a
    name (a None grade leaves the row's grade blank)."""
    book = openpyxl.load_workbook(queue)
    ws = book["Queue"]
    titles = _titles(ws)
    for r, (grade, reason, who) in rows.items():
        if grade is not None:
            ws.cell(r, titles["Moderator's grade"], grade)
        ws.cell(r, titles["Reason"], reason or None)
        ws.cell(r, titles["Moderator"], who or None)
    book.save(target)


def _labels(queue: Path) -> list[str]:
    ws = openpyxl.load_workbook(queue)["Queue"]
    rule = next(v for v in ws.data_validations.dataValidation if v.type == "list")
    return rule.formula1.strip('"').split(",")


def _finals(runner, *extra: object) -> dict[tuple[str, str], str]:
    found = stdout_json(invoke(runner, "grade", CASES, "--rubric", RUBRIC, "--format",
                               "json", "-q", *extra))
    return {(a["case_ref"], a["assessor"]): a for a in found["audits"]}, found["summary"]


def test_moderated_grades_change_exactly_those_cases_everywhere(runner, tmp_path):
    queue = _queue(runner, tmp_path, "--threshold", 2)
    ws = openpyxl.load_workbook(queue)["Queue"]
    rows = _rows(ws)
    assert len(rows) >= 3
    labels = _labels(queue)
    titles = _titles(ws)
    # moderate the first two rows (a grade each inspector did not give); leave the rest
    chosen = {}
    for r in rows[:2]:
        given = ws.cell(r, titles["Audit 2 final grade"]).value
        chosen[ws.cell(r, 1).value] = next(g for g in labels if g != given)
    filled = tmp_path / "filled.xlsx"
    _fill(queue, filled, {r: (chosen[ws.cell(r, 1).value], "agreed at panel", "A Moderator")
                          for r in rows[:2]} | {rows[2]: (None, "", "")})

    before, summary0 = _finals(runner)
    after, summary1 = _finals(runner, "--moderated", filled)
    assert summary0["moderated"] == 0 and summary1["moderated"] == 2
    changed = {k for k in before if before[k]["final_grade"] != after[k]["final_grade"]}
    assert changed == {(ref, "inspector") for ref in chosen}
    key = {g: k for k, g in zip(["good", "adequate", "requires_improvement", "inadequate"],
                                labels, strict=True)}
    for ref, label in chosen.items():
        audit = after[(ref, "inspector")]
        assert audit["final_grade"] == key[label]
        assert audit["computed_grade"] == before[(ref, "inspector")]["computed_grade"]
        assert (audit["moderated"], audit["moderator"], audit["moderation_reason"]) == (
            True, "A Moderator", "agreed at panel")
    assert sum(a["moderated"] for a in after.values()) == 2

    # grade's summary line says so
    text = invoke(runner, "grade", CASES, "--rubric", RUBRIC, "--moderated", filled, "-q")
    assert text.exit_code == 0 and "2 grades moderated" in " ".join(text.stdout.split())

    # compare: the header and the JSON; exactly the moderated cases' inspector grades move
    def compared(*extra):
        return stdout_json(invoke(runner, "compare", CASES, "--rubric", RUBRIC, "--format",
                                  "json", "-q", *extra))
    c0, c1 = compared(), compared("--moderated", filled)
    assert c0["moderated"] == 0 and c1["moderated"] == 2
    moved = {a["case_ref"] for a, b in zip(c0["cases"], c1["cases"], strict=True)
             if a["inspector_grade"] != b["inspector_grade"]}
    assert moved == set(chosen)
    head = invoke(runner, "compare", CASES, "--rubric", RUBRIC, "--moderated", filled, "-q")
    assert "2 grades moderated" in " ".join(head.stdout.split())

    # annex: the JSON summary and the Contents sheet
    annex = tmp_path / "annex.xlsx"
    done = invoke(runner, "annex", CASES, "--rubric", RUBRIC, "--moderated", filled,
                  "--out", annex, "--format", "json", "-q")
    assert done.exit_code == 0, done.stderr
    assert stdout_json(done)["counts"]["moderated"] == 2
    contents = openpyxl.load_workbook(annex)["Contents"]
    said = " ".join(str(c.value) for row in contents.iter_rows() for c in row if c.value)
    assert "2 inspector grades set by a moderator" in said

    # report: Annex A's method text, the number in the figures file
    report = tmp_path / "report.md"
    done = invoke(runner, "report", CASES, "--rubric", RUBRIC, "--moderated", filled,
                  "--force-name", "Greater Manchester Police", "--out", report,
                  "--format", "json", "-q")
    assert done.exit_code == 0, done.stderr
    assert stdout_json(done)["counts"]["moderated"] == 2
    text = " ".join(report.read_text(encoding="utf-8").split())
    annex_a = text[text.index("Annex A"):]
    assert "a moderator reviewed the case" in annex_a
    figures = next(tmp_path.glob("report*figures*"))
    listed = json.loads(figures.read_text(encoding="utf-8"))
    found = json.dumps(listed)
    assert '"moderation.grades"' in found
    plain = tmp_path / "plain.md"
    invoke(runner, "report", CASES, "--rubric", RUBRIC, "--force-name", "GMP", "--out",
           plain, "-q")
    assert "moderator" not in plain.read_text(encoding="utf-8")


def test_a_blank_queue_changes_nothing(runner, tmp_path):
    queue = _queue(runner, tmp_path)
    before, _ = _finals(runner)
    after, summary = _finals(runner, "--moderated", queue)
    assert summary["moderated"] == 0
    assert {k: a["final_grade"] for k, a in before.items()} == {
        k: a["final_grade"] for k, a in after.items()}


def _problems(result) -> list[tuple[str, str | None, str | None]]:
    document = json.loads(result.stdout)
    return [(p["code"], p["sheet"], p["cell"]) for p in document["problems"]]


def test_bad_queues_are_refused_with_their_cells(runner, tmp_path):
    queue = _queue(runner, tmp_path)
    ws = openpyxl.load_workbook(queue)["Queue"]
    titles = _titles(ws)
    r = _rows(ws)[0]
    letter = openpyxl.utils.get_column_letter
    g, why, who = (letter(titles[t]) for t in ("Moderator's grade", "Reason", "Moderator"))

    unknown = tmp_path / "unknown.xlsx"
    _fill(queue, unknown, {r: ("Goodish", "panel", "A Moderator")})
    blank = tmp_path / "blank.xlsx"
    _fill(queue, blank, {r: ("Adequate", "", "")})
    stranger = tmp_path / "stranger.xlsx"
    book = openpyxl.load_workbook(queue)
    book["Queue"].cell(r, 1, "NO-SUCH-CASE")
    book.save(stranger)
    _fill(stranger, stranger, {r: ("Adequate", "panel", "A Moderator")})
    other = tmp_path / "other-file.xlsx"
    book = openpyxl.load_workbook(queue)
    book["Source"].cell(2, 2, "0" * 64)
    book.save(other)

    cases = [(unknown, [("unknown-grade", "Queue", f"{g}{r}")]),
             (blank, [("queue-blank-reason", "Queue", f"{why}{r}"),
                      ("queue-blank-moderator", "Queue", f"{who}{r}")]),
             (stranger, [("queue-unknown-case", "Queue", f"A{r}")]),
             (other, [("queue-other-file", "Source", "B2")])]
    for bad, expected in cases:
        for command, extra in (("grade", []), ("compare", []),
                               ("annex", ["--out", tmp_path / "a.xlsx"]),
                               ("report", ["--out", tmp_path / "r.md"])):
            done = invoke(runner, command, CASES, "--rubric", RUBRIC, "--moderated", bad,
                          "--format", "json", "-q", *extra)
            assert done.exit_code == 2, (command, bad.name)
            assert _problems(done) == expected, (command, bad.name)
            assert "Traceback" not in done.stderr
        assert not (tmp_path / "a.xlsx").exists() and not (tmp_path / "r.md").exists()


def test_a_queue_under_another_rubric_is_refused(runner, tmp_path):
    queue = _queue(runner, tmp_path)
    done = invoke(runner, "grade", CASES, "--moderated", queue, "--format", "json", "-q")
    assert done.exit_code == 2
    assert _problems(done) == [("queue-other-rubric", "Source", "B3")]


def test_several_readers_queue_reader_against_reader(runner, tmp_path):
    """A case two inspectors read far apart is queued; a moderated grade replaces every
    inspector reading of the case."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Cases"
    ws.append(["Case ref", "Sample", "Case type", "Assessor", "Reader", "Grade"])
    ws.append(["R1", "Inspector-selected", "s.47", "Inspector", "Ann", "Good"])
    ws.append(["R1", "Inspector-selected", "s.47", "Inspector", "Bob", "Inadequate"])
    ws.append(["R2", "Inspector-selected", "s.47", "Inspector", "Ann", "Good"])
    ws.append(["R2", "Inspector-selected", "s.47", "Inspector", "Bob", "Adequate"])
    ws.append(["R3", "Self-assessed", "s.47", "Force", None, "Good"])
    ws.append(["R3", "Self-assessed", "s.47", "Inspector", "Ann", "Inadequate"])
    cases = tmp_path / "readers.xlsx"
    book.save(cases)
    out = tmp_path / "queue.xlsx"
    done = invoke(runner, "moderate", cases, "--out", out, "-q")
    assert done.exit_code == 0, done.stderr
    q = openpyxl.load_workbook(out)["Queue"]
    titles = _titles(q)
    listed = {q.cell(r, 1).value: r for r in _rows(q)}
    assert set(listed) == {"R1", "R3"}
    assert q.cell(listed["R1"], titles["Audit 1"]).value == "Inspector (Ann)"
    assert q.cell(listed["R1"], titles["Audit 2"]).value == "Inspector (Bob)"
    filled = tmp_path / "filled.xlsx"
    _fill(out, filled, {listed["R1"]: ("Adequate", "double read", "C Moderator")})
    found = stdout_json(invoke(runner, "grade", cases, "--moderated", filled, "--format",
                               "json", "-q"))
    finals = [(a["case_ref"], a["final_grade"], a["moderated"]) for a in found["audits"]]
    assert finals[:2] == [("R1", "adequate", True), ("R1", "adequate", True)]
    assert all(not m for ref, _, m in finals if ref != "R1")
    assert found["summary"]["moderated"] == 2


def test_same_input_same_queue_bytes(runner, tmp_path):
    first = _queue(runner, tmp_path)
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(first, tmp_path / "first.xlsx")
    assert _queue(runner, again).read_bytes() == (tmp_path / "first.xlsx").read_bytes()


def test_a_publication_does_not_count_the_moderated_grades(runner, tmp_path):
    """A published annex says grades were moderated, not how many: the number is a
    count of cases no disclosure control audits."""
    queue = _queue(runner, tmp_path, "--threshold", 2)
    ws = openpyxl.load_workbook(queue)["Queue"]
    rows = _rows(ws)
    labels = _labels(queue)
    titles = _titles(ws)
    r = rows[0]
    grade = next(g for g in labels if g != ws.cell(r, titles["Audit 2 final grade"]).value)
    filled = tmp_path / "filled.xlsx"
    _fill(queue, filled, {r: (grade, "agreed at panel", "A Moderator")})
    for publish, said in ((False, "1 inspector grade set by a moderator"),
                          (True, "some inspector grades set by a moderator")):
        out = tmp_path / f"annex-{publish}.xlsx"
        args = ["--publish"] if publish else []
        result = invoke(runner, "annex", CASES, "--rubric", RUBRIC, "--moderated", filled,
                        "--out", out, "-q", *args)
        assert result.exit_code == 0, result.stderr
        contents = " ".join(str(c.value) for row in openpyxl.load_workbook(out)["Contents"]
                            .iter_rows() for c in row if c.value)
        assert said in contents
