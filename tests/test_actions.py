"""The recommendations ledger: due dates, the workbook a force fills in and reads back,
progress as at a date, located mistakes, the YAML ledger (hmic-audit actions)."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import yaml

from hmic_audit.analysis.action_ledger import LedgerError, read_ledger
from hmic_audit.analysis.actions import ledger_from_profile, progress, progress_sentences
from hmic_audit.profile import read_profile

from .conftest import ROOT, invoke, stdout_json

PROFILE = ROOT / "sample_cases" / "gmp-2014" / "force.yaml"
MONTHS = {"immediately": 0, "within_three_months": 3, "within_six_months": 6}


def expected_due(published: dt.date, timescale: str) -> dt.date:
    """Worked out here, independently: the same day so many months on, or the last day
    of that month when it has fewer days."""
    months = published.year * 12 + published.month - 1 + MONTHS[timescale]
    year, month = divmod(months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(published.day, last))


def raw_profile() -> dict:
    return yaml.safe_load(PROFILE.read_text(encoding="utf-8"))


def test_due_dates_count_from_the_publication_date():
    profile = read_profile(PROFILE)[0]
    raw = raw_profile()
    ledger = ledger_from_profile(profile)
    assert [a.id for a in ledger.actions] == [f"R{i}" for i in
                                              range(1, len(raw["recommendations"]) + 1)]
    for action, rec in zip(ledger.actions, raw["recommendations"], strict=True):
        assert action.due_date == expected_due(raw["publication_date"], rec["timescale"])
        assert action.status == "open"
    immediate = [a for a in ledger.actions if a.timescale == "immediately"]
    assert immediate and all(a.due_date == raw["publication_date"] for a in immediate)


@pytest.mark.parametrize("published", [dt.date(2014, 8, 31), dt.date(2015, 8, 31),
                                       dt.date(2014, 11, 30), dt.date(2014, 12, 31)])
def test_due_dates_are_clamped_to_the_end_of_a_short_month(published):
    profile = read_profile(PROFILE)[0].model_copy(update={"publication_date": published})
    for action in ledger_from_profile(profile).actions:
        assert action.due_date == expected_due(published, action.timescale.value)
    if published == dt.date(2015, 8, 31):  # six months on is February of a leap year
        six = [a for a in ledger_from_profile(profile).actions
               if a.timescale == "within_six_months"]
        assert six[0].due_date == dt.date(2016, 2, 29)


def start_ledger(runner, tmp_path: Path, as_of: str = "2015-03-02") -> Path:
    out = tmp_path / "ledger.xlsx"
    result = invoke(runner, "actions", PROFILE, "--as-of", as_of, "--out", out)
    assert result.exit_code == 0, result.stderr
    return out


def test_the_ledger_workbook_has_due_dates_a_drop_down_and_red_overdue_rows(runner, tmp_path):
    out = start_ledger(runner, tmp_path)
    raw = raw_profile()
    book = openpyxl.load_workbook(out)
    ws = book["Actions"]
    header = [c.value for c in ws[1]]
    col = {title: i + 1 for i, title in enumerate(header)}
    as_of = dt.date(2015, 3, 2)
    for r, rec in enumerate(raw["recommendations"], start=2):
        due = expected_due(raw["publication_date"], rec["timescale"])
        cell = ws.cell(r, col["Due date"])
        assert cell.value.date() == due and cell.number_format == "dd/mm/yyyy"
        red = ws.cell(r, col["Recommendation"]).fill.fgColor.rgb.endswith("FFC7CE")
        assert red == (due < as_of), r
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    status_letter = openpyxl.utils.get_column_letter(col["Status"])
    assert str(lists[0].sqref) == f"{status_letter}2:{status_letter}{ws.max_row}"
    assert [s.strip('"') for s in lists[0].formula1.strip('"').split(",")] == \
        ["Open", "In progress", "Done", "Dropped"]
    progress_sheet = book["Progress"]
    values = {progress_sheet.cell(r, 1).value: progress_sheet.cell(r, 2).value
              for r in range(1, 13)}
    assert values["As at"].date() == as_of
    assert values["Recommendations"] == len(raw["recommendations"])
    overdue = sum(expected_due(raw["publication_date"], r["timescale"]) < as_of
                  for r in raw["recommendations"])
    assert values["Overdue"] == overdue
    assert book["Ledger"].sheet_state == "hidden"


def fill(path: Path, edits: dict[str, object]) -> None:
    """Type into the ledger as a person would, by column title and row: {"G3": ...}."""
    book = openpyxl.load_workbook(path)
    ws = book["Actions"]
    for ref, value in edits.items():
        ws[ref] = value
    book.save(path)


def cols(path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)["Actions"]
    return {c.value: c.column_letter for c in ws[1]}


def test_a_filled_ledger_reads_back_with_its_progress(runner, tmp_path):
    out = start_ledger(runner, tmp_path)
    c = cols(out)
    # R1 done on time (a date cell), R2 done late (UK text), R3 in progress, R4 dropped
    fill(out, {f"{c['Status']}2": "Done", f"{c['Date closed']}2": dt.datetime(2014, 12, 1),
               f"{c['Owner']}2": "ACC Crime", f"{c['Evidence']}2": "Action plan v2",
               f"{c['Status']}3": "Done", f"{c['Date closed']}3": "15/03/2015",
               f"{c['Status']}4": "In progress",
               f"{c['Status']}5": "Dropped"})
    result = invoke(runner, "actions", out, "--profile", PROFILE, "--as-of", "2015-06-02",
                    "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = stdout_json(result)
    actions = {a["id"]: a for a in doc["actions"]}
    assert actions["R1"]["owner"] == "ACC Crime"
    assert actions["R1"]["date_closed"] == "2014-12-01"
    assert actions["R2"]["date_closed"] == "2015-03-15"
    assert actions["R3"]["status"] == "in_progress"
    states = doc["progress"]["states"]
    assert states["R1"] == "done on time" and states["R2"] == "done late"
    assert states["R4"] == "dropped"
    raw = raw_profile()
    as_of = dt.date(2015, 6, 2)
    expected = {f"R{i}" for i, r in enumerate(raw["recommendations"], start=1)
                if expected_due(raw["publication_date"], r["timescale"]) < as_of} - \
        {"R1", "R2", "R4"}
    assert set(doc["progress"]["overdue_ids"]) == expected
    assert doc["as_of"] == "2015-06-02" and doc["as_of_given"] is True
    assert f"{len(expected)} are overdue" in doc["summary"]
    assert "2 are done (1 on time)" in doc["summary"]
    assert "as at 2 June 2015" in doc["summary"]


def test_overdue_is_strictly_after_the_due_date(runner, tmp_path):
    ledger = ledger_from_profile(read_profile(PROFILE)[0])
    three = next(a for a in ledger.actions if a.timescale == "within_three_months")
    on_the_day = progress(ledger.actions, three.due_date)
    day_after = progress(ledger.actions, three.due_date + dt.timedelta(days=1))
    assert three.id not in on_the_day.overdue_ids
    assert three.id in day_after.overdue_ids
    sentences = progress_sentences(day_after)
    assert sentences[0].endswith(f"as at {three.due_date.day + 1} March 2015.")
    assert three.id in sentences[1]


def test_mistakes_in_the_workbook_are_named_at_their_cells(runner, tmp_path):
    out = start_ledger(runner, tmp_path)
    c = cols(out)
    fill(out, {f"{c['Status']}2": "Finished",                      # not a status
               f"{c['Status']}3": "Done",                          # no date closed
               f"{c['Status']}4": "Done", f"{c['Date closed']}4": "01/11/2014",  # pre-pub.
               f"{c['Status']}5": "done", f"{c['Date closed']}5": dt.datetime(2015, 9, 1),
               f"{c['ID']}6": "R99",                               # not in the profile
               f"{c['Status']}7": "Open", f"{c['Date closed']}7": "31/02/2015"})
    again = tmp_path / "again.xlsx"
    result = invoke(runner, "actions", out, "--profile", PROFILE, "--as-of", "2015-06-02",
                    "--out", again, "--format", "json")
    assert result.exit_code == 2
    assert not again.exists()
    found = {(p["sheet"], p["cell"], p["code"]) for p in stdout_json(result)["problems"]}
    assert found >= {
        ("Actions", f"{c['Status']}2", "action-unknown-status"),
        ("Actions", f"{c['Date closed']}3", "action-done-undated"),
        ("Actions", f"{c['Date closed']}4", "action-closed-before-publication"),
        ("Actions", f"{c['Date closed']}5", "action-closed-after-as-of"),
        ("Actions", f"{c['ID']}6", "action-unknown-id"),
        ("Actions", f"{c['Date closed']}7", "action-bad-date"),
    }
    human = invoke(runner, "actions", out, "--profile", PROFILE, "--as-of", "2015-06-02")
    assert human.exit_code == 2
    assert f"Actions!{c['Status']}2" in human.stderr and "Traceback" not in human.stderr
    assert "'Finished' is not a status" in human.stderr


def test_the_yaml_ledger_round_trips(runner, tmp_path):
    first = tmp_path / "ledger.yaml"
    assert invoke(runner, "actions", PROFILE, "--as-of", "2015-03-02", "--out",
                  first).exit_code == 0
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    data["actions"][0].update(status="in progress", owner="DCI Smith")
    data["actions"][1].update(status="done", date_closed=dt.date(2015, 2, 1),
                              evidence="Skills audit report")
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    ledger = read_ledger(edited, as_of=dt.date(2015, 3, 2))
    assert ledger.actions[0].status == "in_progress" and ledger.actions[0].owner == "DCI Smith"
    assert ledger.actions[1].date_closed == dt.date(2015, 2, 1)
    second = tmp_path / "second.yaml"
    assert invoke(runner, "actions", edited, "--as-of", "2015-03-02", "--out",
                  second).exit_code == 0
    assert read_ledger(second) == ledger
    third = tmp_path / "third.yaml"
    assert invoke(runner, "actions", second, "--as-of", "2015-03-02", "--out",
                  third).exit_code == 0
    assert third.read_bytes() == second.read_bytes()
    # the workbook reads back to the same ledger
    book = tmp_path / "ledger.xlsx"
    assert invoke(runner, "actions", second, "--as-of", "2015-03-02", "--out",
                  book).exit_code == 0
    assert read_ledger(book) == ledger


def test_yaml_mistakes_are_named_at_their_key_path_and_line(tmp_path):
    path = tmp_path / "ledger.yaml"
    ledger = ledger_from_profile(read_profile(PROFILE)[0])
    data = ledger.model_dump(mode="json")
    data["actions"][2]["status"] = "finished"
    data["actions"][3].update(status="done")
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        read_ledger(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    [p] = caught.value.problems
    assert p.column == "actions[2].status" and "finished" in lines[p.row - 1]
    data["actions"][2]["status"] = "open"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        read_ledger(path, profile=read_profile(PROFILE)[0])
    [p] = caught.value.problems
    assert p.code == "action-done-undated" and p.column == "actions[3].date_closed"
    assert lines[p.row - 1].strip().startswith("date_closed")


def test_same_input_same_bytes(runner, tmp_path):
    for suffix in ("xlsx", "yaml"):
        a, b = tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}"
        for out in (a, b):
            assert invoke(runner, "actions", PROFILE, "--as-of", "2015-03-02", "--out",
                          out).exit_code == 0
        assert a.read_bytes() == b.read_bytes()


def test_the_date_used_is_named(runner):
    today = dt.date.today()
    result = invoke(runner, "actions", PROFILE)
    assert result.exit_code == 0
    assert f"as at {today.day} {today:%B %Y} (today's date)" in result.stderr
    bad = invoke(runner, "actions", PROFILE, "--as-of", "next week")
    assert bad.exit_code == 2 and "'next week' is not a date" in bad.stderr


def test_a_re_inspection_report_says_how_far_the_force_has_got(runner, tmp_path):
    """report --actions: Next steps gives the ledger's progress, every number a
    registered figure; without a ledger the report says nothing of it."""
    gmp = ROOT / "sample_cases" / "gmp-2014"
    ledger = tmp_path / "ledger.xlsx"
    assert invoke(runner, "actions", PROFILE, "--out", ledger, "--as-of", "2015-03-01",
                  "-q").exit_code == 0
    book = openpyxl.load_workbook(ledger)
    ws = book["Actions"]
    head = [c.value for c in ws[1]]
    status = head.index("Status") + 1
    ws.cell(row=2, column=status, value="Done")  # R1, done on the day
    ws.cell(row=2, column=head.index("Date closed") + 1, value=dt.date(2014, 12, 1))
    book.save(ledger)
    profile, _ = read_profile(PROFILE)
    published = profile.publication_date
    as_of = dt.date(2015, 4, 1)

    def months_later(day: dt.date, months: int) -> dt.date:  # written apart from the code
        month = day.month - 1 + months
        year, month = day.year + month // 12, month % 12 + 1
        return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))

    due = [months_later(published, r.timescale.months) for r in profile.recommendations]
    overdue = [f"R{i}" for i, d in enumerate(due, start=1) if d < as_of and i != 1]
    out = tmp_path / "report.md"
    result = invoke(runner, "report", gmp / "cases.xlsx", "--force", PROFILE, "--rubric",
                    gmp / "rubric.yaml", "--actions", ledger, "--as-of", "2015-04-01",
                    "--out", out)
    assert result.exit_code == 0, result.stderr
    text = " ".join(out.read_text(encoding="utf-8").split())
    words = {5: "five", 6: "six", 7: "seven"}
    assert ("As at 1 April 2015, the force had done one of the twelve actions arising from "
            f"the earlier recommendations, and {words[len(overdue)]} were overdue "
            f"({', '.join(overdue)}).") in text
    figures = {f["id"]: f for f in __import__("json").loads(
        (tmp_path / "report.md.figures.json").read_text())["figures"]}
    assert figures["ledger.overdue"]["value"] == len(overdue)
    assert figures["ledger.done"]["value"] == 1
    plain = tmp_path / "plain.md"
    invoke(runner, "report", gmp / "cases.xlsx", "--force", PROFILE, "--rubric",
           gmp / "rubric.yaml", "--out", plain)
    assert "earlier recommendations" not in plain.read_text(encoding="utf-8")
