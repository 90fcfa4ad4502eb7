"""`hmic-audit annex` end to end, for one force and for several."""

from __future__ import annotations

import csv
import io
import json
import random

import openpyxl
import pytest

from ..conftest import SAMPLE, invoke, too_few_to_publish, write_xlsx
from .test_report import FORCE


def _json_tables(path):
    return {t["name"]: t for t in json.loads(path.read_text(encoding="utf-8"))["tables"]}


def _read(out, suffix):
    """Every table of an annex output as {name: [header, *rows]} of strings."""
    if suffix == "json":
        return {n: [[c["title"] for c in t["columns"]]] + [["" if v is None else str(v)
                                                            for v in r] for r in t["rows"]]
                for n, t in _json_tables(out).items()}
    if suffix == "xlsx":  # each sheet by the table name the Contents sheet gives it
        wb = openpyxl.load_workbook(out)
        named = {r[0].value: r[2].value for r in wb["Contents"].iter_rows(min_row=5)
                 if r[0].hyperlink is not None}
        found = {}
        for ws in wb.worksheets[1:]:
            rows = []
            for r in ws.iter_rows(min_row=3, values_only=True):
                if not any(v is not None for v in r):
                    break  # the notes follow
                rows.append(["" if v is None else (str(int(v)) if isinstance(v, float) and
                                                   v.is_integer() else str(v)) for v in r])
            found[named[ws.title]] = rows
        return found
    if suffix == "csv":
        return {p.stem: list(csv.reader(io.StringIO(p.read_bytes().decode("utf-8-sig"))))
                for p in out.iterdir()}
    text = out.read_text(encoding="utf-8").replace("\\", "")
    found, name = {}, None
    titles = {"Cases examined by type and sample": "case_types",
              "Criterion compliance": "criterion_compliance",
              "Inspectors' final grades by case type": "grades_by_case_type"}
    for line in text.splitlines():
        if line.startswith("## "):
            name = titles.get(line[3:])
            if name:
                found[name] = []
        elif name and line.startswith("|") and not line.startswith("|---"):
            found[name].append([c.strip() for c in line.strip("|").split("|")])
    return found


@pytest.mark.parametrize("suffix", ["xlsx", "csv", "md", "json"])
def test_reference_figures_in_every_format(runner, tmp_path, suffix):
    out = tmp_path / ("annex" if suffix == "csv" else f"annex.{suffix}")
    result = invoke(runner, "annex", SAMPLE, "--out", out)
    assert result.exit_code == 0, result.stderr
    tables = _read(out, suffix)
    case_types = tables["case_types"]
    assert [r[1] for r in case_types[1:9]] == ["5", "5", "5", "3", "3", "3", "3", "3"]
    assert case_types[-1][:3] == ["Total", "30", "84"]
    flat = [" ".join(r) for r in tables["criterion_compliance"]]
    assert any("ta_child_listened_to" in r and "selected by inspectors" in r and "6 of 84" in r
               for r in flat)
    assert any("in_no_significant_delay" in r and "all cases" in r and "8 of 36" in r
               for r in flat)
    custody = next(r for r in tables["grades_by_case_type"] if r[0] == "Child in custody")
    assert custody[1:7] == ["0", "7", "0", "5", "0", "12"]


def test_xlsx_has_contents_styles_and_native_charts(runner, tmp_path):
    out = tmp_path / "annex.xlsx"
    assert invoke(runner, "annex", SAMPLE, "--force", FORCE, "--out", out).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Contents"
    assert "Ofsted" in wb.sheetnames
    ws = wb["Grades by case type"]
    assert ws["A3"].font.bold and ws.freeze_panes == "B4"
    assert len(ws._charts) == 1
    assert len(wb["Criterion compliance"]._charts) == 0
    again = tmp_path / "again.xlsx"
    invoke(runner, "annex", SAMPLE, "--force", FORCE, "--out", again)
    assert again.read_bytes() == out.read_bytes()


def test_tables_option(runner, tmp_path):
    out = tmp_path / "annex.json"
    assert invoke(runner, "annex", SAMPLE, "--tables", "case_types,crosstab",
                  "--out", out).exit_code == 0
    assert list(_json_tables(out)) == ["case_types", "crosstab"]
    bad = invoke(runner, "annex", SAMPLE, "--tables", "teapots", "--out", out)
    assert bad.exit_code == 2 and "teapots" in bad.stderr


def test_suppress_through_the_cli(runner, tmp_path):
    plain, out = tmp_path / "plain.json", tmp_path / "annex.json"
    assert invoke(runner, "annex", SAMPLE, "--out", plain).exit_code == 0
    assert invoke(runner, "annex", SAMPLE, "--suppress", "3", "--out", out).exit_code == 0
    before = [v for row in _json_tables(plain)["grades_by_case_type"]["rows"] for v in row]
    assert 1 in before and 2 in before  # the table has small counts to hide
    t = _json_tables(out)["grades_by_case_type"]
    flat = [v for row in t["rows"] for v in row]
    assert 1 not in flat and 2 not in flat and "c" in flat
    assert "shown as c" in t["note"]


def _force_workbook(path, force, seed, rubric):
    """A generated force: a few self-assessed pairs and further inspector cases."""
    rng = random.Random(seed)
    grades = [g.label for g in rubric.scale]
    types = [c.label for c in rubric.case_types]
    rows = []
    for n in range(rng.randint(8, 14)):
        ct, f = rng.choice(types), rng.choice(grades)
        rows.append([f"{force[:2]}{n}", "self-assessed", ct, "North", "force", f])
        rows.append([f"{force[:2]}{n}", "self-assessed", ct, "North", "inspector",
                     rng.choice(grades)])
    for n in range(rng.randint(15, 30)):
        rows.append([f"{force[:2]}X{n}", "inspector-selected", rng.choice(types), "South",
                     "inspector", rng.choice(grades)])
    return write_xlsx(path, ["Case ref", "Sample", "Case type", "Area", "Assessor", "Grade"],
                      rows)


def test_national_view(runner, tmp_path, rubric):
    a = _force_workbook(tmp_path / "Westshire.xlsx", "Westshire", 1, rubric)
    b = _force_workbook(tmp_path / "Eastshire.xlsx", "Eastshire", 2, rubric)
    out = tmp_path / "national.json"
    result = invoke(runner, "annex", SAMPLE, a, b, "--out", out)
    assert result.exit_code == 0, result.stderr
    tables = _json_tables(out)
    for name in ("national_grades", "national_acceptable", "national_agreement"):
        rows = tables[name]["rows"]
        assert [r[0] for r in rows] == ["cases", "Eastshire", "Westshire", "Total"], name
        for i, column in enumerate(tables[name]["columns"]):
            if column["kind"] == "count":
                assert rows[-1][i] == sum(r[i] for r in rows[:-1]), (name, column["key"])
    # each force's row equals that force's own annex
    for path, name in ((SAMPLE, "cases"), (a, "Westshire"), (b, "Eastshire")):
        single = tmp_path / f"{name}-only.json"
        assert invoke(runner, "annex", path, "--out", single).exit_code == 0
        own = _json_tables(single)["grades_by_sample"]["rows"]
        inspector_total = [sum(r[i] for r in own if r[0].endswith(", inspector"))
                           for i in range(1, len(own[0]))]
        row = next(r for r in tables["national_grades"]["rows"] if r[0] == name)
        assert row[1:] == inspector_total
    gmp = next(r for r in tables["national_grades"]["rows"] if r[0] == "cases")
    assert gmp[1:5] == [8 + 29, 16 + 33, 1 + 4, 5 + 18]


def test_force_column_names_forces(runner, tmp_path):
    rows = [["A1", "inspector-selected", "DA", "Northshire", "inspector", "good"],
            ["B1", "inspector-selected", "DA", "Southshire", "inspector", "inadequate"]]
    path = write_xlsx(tmp_path / "two.xlsx", ["Case ref", "Sample", "Case type", "Force",
                                              "Assessor", "Grade"], rows)
    out = tmp_path / "n.json"
    assert invoke(runner, "annex", path, "--out", out).exit_code == 0
    rows = _json_tables(out)["national_grades"]["rows"]
    assert [r[0] for r in rows] == ["Northshire", "Southshire", "Total"]


def test_bad_out(runner, tmp_path):
    result = invoke(runner, "annex", SAMPLE, "--out", tmp_path / "annex.pdf")
    assert result.exit_code == 2 and list(tmp_path.iterdir()) == []


def test_forces_sharing_case_references_are_paired_within_each_force(runner, tmp_path):
    """Two forces' files both number their cases 1-6: each force's audits pair with its
    own, so the total is the sum of the forces and the cross-tab counts every pair."""
    paths = []
    for name, grade in (("Fa", "Good"), ("Fb", "Inadequate")):
        rows = [[str(n), "self-assessed", "DA", side, grade]
                for n in range(1, 7) for side in ("force", "inspector")]
        paths.append(write_xlsx(tmp_path / f"{name}.xlsx", ["Case ref", "Sample", "Case type",
                                                            "Assessor", "Grade"], rows))
    out = tmp_path / "n.json"
    result = invoke(runner, "annex", *paths, "--out", out)
    assert result.exit_code == 0, result.stderr
    tables = _json_tables(out)
    agreement = tables["national_agreement"]
    pairs = [c["key"] for c in agreement["columns"]].index("pairs")
    assert [(r[0], r[pairs]) for r in agreement["rows"]] == [("Fa", 6), ("Fb", 6), ("Total", 12)]
    assert tables["crosstab"]["rows"][-1] == ["Total", 6, 0, 0, 6, 12]


def test_the_same_workbook_twice_is_refused(runner, tmp_path):
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(SAMPLE.read_bytes())
    for files in ((SAMPLE, SAMPLE), (SAMPLE, copy)):
        out = tmp_path / "n.json"
        result = invoke(runner, "annex", *files, "--out", out)
        assert result.exit_code == 2 and not out.exists()
        said = " ".join(result.stderr.split())
        assert ("is given twice" if files[1] == SAMPLE else
                "holds the same audits as cases.xlsx (the files are identical)") in said


def test_one_force_in_two_files_is_refused(runner, tmp_path):
    paths = []
    for name, grade in (("a", "good"), ("b", "inadequate")):
        path = tmp_path / f"{name}.csv"
        path.write_text(f"Case ref,Force,Case type,Assessor,Grade\n{name}1,Northshire,DA,"
                        f"inspector,{grade}\n", encoding="utf-8")
        paths.append(path)
    result = invoke(runner, "annex", *paths, "--out", tmp_path / "n.json")
    assert result.exit_code == 2
    assert "names force 'Northshire', as a.csv does" in " ".join(result.stderr.split())


def test_format_json_summarises_what_was_written(runner, tmp_path):
    import hashlib

    out = tmp_path / "annex.xlsx"
    result = invoke(runner, "annex", SAMPLE, "--out", out, "--tables",
                    "case_types,grades_by_case_type", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    [written] = doc["files"]
    assert (written["path"], written["what"]) == (str(out), "annex")
    assert written["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert doc["tables"] == ["case_types", "grades_by_case_type"] and doc["left_out"] == []
    assert doc["counts"] == {"tables": 2, "inputs": 1, "audits": 144}
    assert [p["code"] for p in doc["problems"]] == ["header-below-title"]


def test_format_json_names_each_csv_and_each_table_left_out(runner, tmp_path):
    cases = too_few_to_publish(tmp_path)
    out = tmp_path / "tables"
    result = invoke(runner, "annex", cases, "--out", out, "--publish", "-f", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert sorted(f["path"] for f in doc["files"]) == sorted(str(p) for p in out.iterdir())
    assert {f["what"] for f in doc["files"]} == {"table"}
    assert doc["left_out"]
    left = [p for p in doc["problems"] if p["code"] == "table-left-out"]
    assert [p["value"] for p in left] == doc["left_out"]
    assert doc["warnings"] >= len(left)


def test_a_publication_that_cannot_be_protected_stops_naming_the_table(runner, tmp_path,
                                                                       monkeypatch):
    """When no count is left to hide and a small count is still exposed, nothing is
    written and the message names the table (here forced: no count is ever safe)."""
    from hmic_audit.analysis import disclosure

    monkeypatch.setattr(disclosure.Protection, "safe", lambda self, count: False)
    out = tmp_path / "annex.xlsx"
    result = invoke(runner, "annex", SAMPLE, "--publish", "--out", out,
                    "--tables", "case_types")
    assert result.exit_code == 2 and not out.exists()
    said = " ".join(result.stderr.replace("│", " ").split())
    assert "table case_types, row" in said and "no other count is" in said
    assert "Traceback" not in result.stderr


def test_two_forces_in_files_of_the_same_name_are_not_merged(runner, tmp_path):
    """gmp/cases.xlsx and northshire/cases.xlsx: a force without a force column is named
    after its file, so both would be force 'cases' (found by a review: the three shipped
    samples merged into one force, their cross-tab pairing SA-001 of one with another's)."""
    from ..conftest import ROOT

    files = []
    for folder in ("gmp-2014", "northshire-2022"):
        copy = tmp_path / folder / "cases.xlsx"
        copy.parent.mkdir()
        copy.write_bytes((ROOT / "sample_cases" / folder / "cases.xlsx").read_bytes())
        files.append(copy)
    out = tmp_path / "national.md"
    result = invoke(runner, "annex", *files, "--rubric", "child-protection-2014", "--rubric",
                    "child-protection-2021", "--crosswalk", "common-3", "--out", out,
                    "--format", "json")
    assert result.exit_code == 2
    problem, = json.loads(result.stdout)["problems"]
    assert problem["code"] == "force-in-two-files" and "two inputs" in problem["message"]
    assert not out.exists()


def test_annex_with_a_profile_uses_the_profiles_rubric(runner, tmp_path):
    """As report and template do (found by a review: annex --force took the default)."""
    import hashlib

    from ..conftest import ROOT

    out = tmp_path / "annex.xlsx"
    assert invoke(runner, "annex", SAMPLE, "--force", FORCE, "--out", out).exit_code == 0
    contents = " ".join(str(c.value) for row in openpyxl.load_workbook(out)["Contents"]
                        .iter_rows() for c in row if c.value)
    sample_rubric = ROOT / "sample_cases" / "gmp-2014" / "rubric.yaml"
    assert hashlib.sha256(sample_rubric.read_bytes()).hexdigest() in contents
