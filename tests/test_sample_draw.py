"""hmic-audit sample: a force's list of 5,000 eligible cases, drawn by the rubric's quotas."""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

from hmic_audit import load_rubric
from hmic_audit.analysis.sampling import largest_remainder, sample_cases
from hmic_audit.rubric import Rubric

from .conftest import invoke

AREAS = ["Bolton", "Bury", "Manchester", "Oldham", "Rochdale", "Salford", "Stockport",
         "Tameside", "Trafford", "Wigan"]
# How a force's export spells each type (aliases, labels, odd case) and how many it has:
# child in custody and online abuse are short of their quota of 3.
EXPORT_TYPES = {
    "s47_enquiry": (["s.47", "Section 47", "CP Enquiry"], 1400),
    "domestic_abuse": (["DA", "Domestic Abuse", "domestic violence"], 1700),
    "general_concern": (["General concerns", "Referral to CSC"], 900),
    "sex_offender": (["RSO", "Sex offender enquiry"], 300),
    "police_protection": (["Police Protection (s.46)", "PP"], 200),
    "sexual_exploitation": (["CSE"], 150),
    "online_abuse": (["online"], 1),
    "child_in_custody": (["Custody", "detained child"], 2),
    "missing_child": (["Missing from home"], 347),
}


def _write_list(path: Path, rows: list[list[str]], headers: list[str]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    ws.append(["Child protection cases, 1 January to 30 June 2014 (force export)"])
    ws.append([])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


HEADERS = ["URN", "Category", "Local Authority", "Date Recorded", "Officer in case"]


def _export_rows(seed: int = 3) -> list[list[str]]:
    rnd = random.Random(seed)
    rows = []
    for key, (spellings, count) in EXPORT_TYPES.items():
        for _ in range(count):
            rows.append([key, rnd.choice(spellings),
                         rnd.choices(AREAS, weights=range(1, 11))[0],
                         f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 6):02d}/2014",
                         f"DC {rnd.randint(1000, 9999)}"])
    rnd.shuffle(rows)
    return [[f"{i:06d}/14", *row[1:]] for i, row in enumerate(rows, start=1)]


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric()


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = _export_rows()
    assert len(rows) == 5000
    return _write_list(tmp_path_factory.mktemp("list") / "eligible.xlsx", rows, HEADERS)


def _frame(path: Path, rubric: Rubric) -> dict[str, tuple[str, str]]:
    """The list read back independently: case ref -> (case type key, area)."""
    ws = openpyxl.load_workbook(path, read_only=True)["Export"]
    found = {}
    for row in ws.iter_rows(min_row=4, values_only=True):
        ref, typed, area = row[0], row[1], row[2]
        found[str(ref)] = (rubric.parse_case_type(str(typed)), str(area))
    return found


def test_every_quota_met_where_the_list_allows_and_short_types_reported(export, rubric):
    draw = sample_cases(export, rubric, seed=11)
    frame = _frame(export, rubric)
    eligible = Counter(t for t, _ in frame.values())
    quotas = rubric.sampling.quotas
    drawn = Counter(c.case_type for c in draw.drawn)
    for ct in rubric.case_type_keys:
        assert drawn[ct] == min(quotas.get(ct, 0), eligible[ct]), ct
    assert drawn["child_in_custody"] == 2 and drawn["online_abuse"] == 1
    assert drawn["missing_child"] == 0  # no quota in Annex A
    assert len(draw.drawn) == 30 - 1 - 2
    short = {p.column: p for p in draw.problems() if p.code == "short-stratum"}
    assert set(short) == {"Child in custody", "Online sexual abuse"}
    assert "only 2 eligible cases" in short["Child in custody"].message
    # every drawn case is a listed case of the type and area the list gives it, once
    refs = [c.ref for c in draw.drawn]
    assert len(set(refs)) == len(refs)
    for c in draw.drawn:
        assert frame[c.ref] == (c.case_type, c.area)


def test_same_seed_same_sample_another_seed_another(export, rubric):
    first = [c.ref for c in sample_cases(export, rubric, seed=5).drawn]
    again = [c.ref for c in sample_cases(export, rubric, seed=5).drawn]
    other = [c.ref for c in sample_cases(export, rubric, seed=6).drawn]
    assert first == again
    assert first != other


def test_areas_get_their_largest_remainder_share(export, rubric):
    draw = sample_cases(export, rubric, seed=11)
    frame = _frame(export, rubric)
    drawn = Counter((c.case_type, c.area) for c in draw.drawn)
    for ct in rubric.case_type_keys:
        sizes = Counter(a for t, a in frame.values() if t == ct)
        total = sum(sizes.values())
        n = min(rubric.sampling.quota(ct), total)
        exact = {a: Fraction(s * n, total) for a, s in sizes.items()}
        got = {a: drawn[(ct, a)] for a in sizes}
        assert sum(got.values()) == n
        up = [a for a in sizes if got[a] == int(exact[a]) + 1]
        down = [a for a in sizes if got[a] == int(exact[a])]
        assert len(up) + len(down) == len(sizes), ct  # each area floor or floor + 1
        assert len(up) == n - sum(int(x) for x in exact.values())
        if up and down:  # the extra cases went to the largest fractional parts
            assert (min(exact[a] - int(exact[a]) for a in up)
                    >= max(exact[a] - int(exact[a]) for a in down)), ct


def test_largest_remainder_by_hand():
    # 7 cases over areas of 50, 30, 20: exact 3.5, 2.1, 1.4 -> 3 + 2 + 1, one left for 3.5
    assert largest_remainder([50, 30, 20], 7) == [4, 2, 1]
    assert largest_remainder([1, 1, 1], 3) == [1, 1, 1]
    assert largest_remainder([5, 0], 0) == [0, 0]


def test_reserves_are_other_cases_of_the_type_in_order(export, rubric):
    draw = sample_cases(export, rubric, seed=11)
    drawn = {c.ref for c in draw.drawn}
    by_type: dict[str, list[int]] = {}
    for r in draw.reserves:
        assert r.case.ref not in drawn
        by_type.setdefault(r.case.case_type, []).append(r.order)
    assert by_type["s47_enquiry"] == [1, 2]
    assert "child_in_custody" not in by_type  # both of its cases are drawn
    assert "missing_child" not in by_type
    assert len(sample_cases(export, rubric, seed=11, reserves=4).reserves) == 4 * 6 + 0


def test_cli_writes_the_form_and_record(export, rubric, tmp_path, runner):
    form, record = tmp_path / "audit-form.xlsx", tmp_path / "record.json"
    result = invoke(runner, "sample", export, "--seed", 11, "--out", form,
                    "--record", record)
    assert result.exit_code == 0, result.output
    for head in ("Case type", "Eligible", "Quota", "Drawn", "Reserves", "Short"):
        assert head in result.stdout
    assert "Child in custody" in result.stdout

    saved = json.loads(record.read_text(encoding="utf-8"))
    assert saved["seed"] == 11
    assert saved["case_list"]["sha256"] == hashlib.sha256(export.read_bytes()).hexdigest()
    assert saved["case_list"]["cases"] == 5000
    assert "largest remainder" in saved["allocation"]
    custody = next(t for t in saved["types"] if t["case_type"] == "child_in_custody")
    assert (custody["eligible"], custody["quota"], custody["drawn"], custody["short"]) == (
        2, 3, 2, 1)
    assert sum(s["eligible"] for s in saved["strata"]) == 5000

    wb = openpyxl.load_workbook(form)
    assert wb.sheetnames[:2] == ["Cases", "Instructions"]
    assert {"Reserves", "Sampling"} <= set(wb.sheetnames)
    cases = wb["Cases"]
    head = [c.value for c in cases[1]]
    col = {h: i for i, h in enumerate(head)}
    frame = _frame(export, rubric)
    rows = [r for r in cases.iter_rows(min_row=2, max_row=40, values_only=True) if r[0]]
    assert [r[col["Case ref"]] for r in rows] == [d["case_ref"] for d in saved["drawn"]]
    for r in rows:
        ct, area = frame[r[col["Case ref"]]]
        assert r[col["Case type"]] == rubric.case_type_labels[ct]
        assert r[col["Area"]] == area
        assert r[col["Sample"]] == "Self-assessed"
    assert not cases.cell(2, 1).protection.locked  # pre-filled cells stay editable
    reserves = [r for r in wb["Reserves"].iter_rows(min_row=4, values_only=True) if r[2]]
    assert [r[2] for r in reserves] == [d["case_ref"] for d in saved["reserves"]]
    sampling = {r[0]: r[1] for r in wb["Sampling"].iter_rows(values_only=True) if r[0]}
    assert sampling["Seed"] == 11
    assert sampling["Case list SHA-256"] == saved["case_list"]["sha256"]

    # filled in by the force (assessor and grade), the form validates
    for r in range(2, 2 + len(rows)):
        cases.cell(r, col["Assessor"] + 1).value = "Force"
        cases.cell(r, col["Grade"] + 1).value = "Good"
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    assert invoke(runner, "validate", filled).exit_code == 0

    again = tmp_path / "again.xlsx"
    assert invoke(runner, "sample", export, "--seed", 11, "--out", again).exit_code == 0
    assert again.read_bytes() == form.read_bytes()


def test_rows_in_another_order_draw_the_same_sample(export, rubric, tmp_path):
    rows = _export_rows()
    shuffled = _write_list(tmp_path / "shuffled.xlsx", list(reversed(rows)), HEADERS)
    assert ([c.ref for c in sample_cases(shuffled, rubric, seed=2).drawn]
            == [c.ref for c in sample_cases(export, rubric, seed=2).drawn])


def test_list_without_a_case_type_column_is_refused(tmp_path, runner):
    bad = _write_list(tmp_path / "no-type.xlsx", [["A1", "Bury", "01/02/2014"]],
                      ["URN", "Local Authority", "Date Recorded"])
    out = tmp_path / "form.xlsx"
    result = invoke(runner, "sample", bad, "--out", out, "--format", "json")
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    problem = document["problems"][0]
    assert (problem["code"], problem["file"], problem["sheet"], problem["row"]) == (
        "missing-column", "no-type.xlsx", "Export", 3)
    assert not out.exists()


def test_unknown_case_type_and_bad_date_are_located(tmp_path, runner):
    rows = [["A1", "DA", "Bury", "01/02/2014"], ["A2", "Burglary", "Bury", "02/02/2014"],
            ["A3", "Domestic abus", "Wigan", "31/02/2014"], ["A1", "DA", "Bury", ""]]
    bad = _write_list(tmp_path / "bad.xlsx", rows, ["URN", "Category", "LA", "Date"])
    out = tmp_path / "form.xlsx"
    result = invoke(runner, "sample", bad, "--out", out, "--format", "json")
    assert result.exit_code == 2
    found = {(p["code"], p["cell"]) for p in json.loads(result.stdout)["problems"]}
    assert found == {("unknown-case-type", "B5"), ("unknown-case-type", "B6"),
                     ("impossible-date", "D6"), ("duplicate-case", "A7")}
    assert "did you mean 'Domestic abuse'" in result.stderr
    assert "Export!B5" in result.stderr
    assert not out.exists()


def test_rubric_check_refuses_bad_quotas(tmp_path, runner):
    from hmic_audit.rubric_file import shipped_rubrics_dir

    text = (shipped_rubrics_dir() / "child-protection-2014.yaml").read_text(encoding="utf-8")
    text = text.replace("    s47_enquiry: 5\n", "    s47_enquiry: -1\n    burglary: 2\n", 1)
    path = tmp_path / "bad-quotas.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke(runner, "rubric", "check", path, "--format", "json")
    assert result.exit_code == 1
    codes = {(p["code"], p["column"]) for p in json.loads(result.stdout)["problems"]}
    assert ("negative-quota", "sampling.quotas.s47_enquiry") in codes
    assert ("unknown-case-type", "sampling.quotas.burglary") in codes


def test_rubric_without_quotas_is_refused(export, tmp_path, runner):
    from hmic_audit.rubric_file import shipped_rubrics_dir

    text = (shipped_rubrics_dir() / "child-protection-2014.yaml").read_text(encoding="utf-8")
    start = text.index("\nsampling:")
    end = text.index("\n\n", start + 1)
    path = tmp_path / "no-quotas.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    out = tmp_path / "form.xlsx"
    result = invoke(runner, "sample", export, "--rubric", path, "--out", out)
    assert result.exit_code == 2
    assert "no sampling section" in result.stderr
    assert not out.exists()
