"""Reader calibration in ``hmic-audit agree``: a reader planted to grade one level worse
is called "reads harder", a criterion planted to be answered at random is the one read
most differently, and the rates match a plain count; the xlsx heat map and the HTML SVG."""

from __future__ import annotations

import itertools
import random
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from hmic_audit.analysis.calibration import (
    LEAN_LEVELS,
    LEAN_MIN_CASES,
    grade_lean,
    lean_label,
    pair_disagreement,
    reader_disagreement,
)
from tests.conftest import invoke, stdout_json, write_xlsx

GRADES = ["good", "adequate", "requires improvement", "inadequate"]
READERS = ["Ann", "Bob", "Cy", "Di", "Ed"]
HARD = "Bob"  # planted: one grade worse than the case's grade
CRITERIA = ["ic_prompt_response", "ic_child_seen", "ic_history_checked", "ah_risk_assessed"]
LOOSE = "ic_child_seen"  # planted: answered at random
ANSWERS = ["yes", "partly", "no"]
CASES = 60


def readings(seed: int = 7) -> list[tuple[str, str, int, dict[str, str]]]:
    """(case ref, reader, grade position, answers) for each inspector audit."""
    rng = random.Random(seed)
    out = []
    for c in range(CASES):
        true = rng.randrange(3)
        answers = {k: rng.choice(["yes", "yes", "partly", "no"]) for k in CRITERIA}
        readers = [r for r in READERS if r == HARD or rng.random() < 0.8]
        for who in readers:
            grade = min(true + 1, 3) if who == HARD else true
            mine = {}
            for k in CRITERIA:
                if k == LOOSE:
                    mine[k] = rng.choice(ANSWERS)
                elif rng.random() < 0.08:
                    mine[k] = rng.choice(["yes", "partly", "no", "n/a"])
                else:
                    mine[k] = answers[k]
            out.append((f"C-{c + 1:03d}", who, grade, mine))
    return out


def reader_order() -> list[str]:
    """Readers in the order they first appear (the tool's column order)."""
    return list(dict.fromkeys(who for _, who, _, _ in readings()))


def workbook(path: Path) -> Path:
    headers = ["Case ref", "Case type", "Assessor", "Reader", "Grade", *CRITERIA]
    rows = [[ref, "domestic abuse", "inspector", who, GRADES[g], *(a[k] for k in CRITERIA)]
            for ref, who, g, a in readings()]
    return write_xlsx(path, headers, rows)


def plain_counts() -> dict[str, object]:
    """The calibration counted again in plain Python, without the tool's matrices."""
    by_case: dict[str, dict[str, tuple[int, dict[str, str]]]] = {}
    for ref, who, g, a in readings():
        by_case.setdefault(ref, {})[who] = (g, a)
    lean = {r: [0, 0, 0, 0, Fraction(0)] for r in READERS}  # cases, better, level, worse, sum
    for reads in by_case.values():
        for who, (g, _) in reads.items():
            others = [og for o, (og, _) in reads.items() if o != who]
            if not others:
                continue
            mean = Fraction(sum(others), len(others))
            row = lean[who]
            row[0] += 1
            row[1 if g < mean else 2 if g == mean else 3] += 1
            row[4] += g - mean
    rate: dict[str, Fraction] = {}
    cell: dict[tuple[str, str], Fraction] = {}
    for k in CRITERIA:
        pairs = differ = 0
        per = {r: [0, 0] for r in READERS}
        for reads in by_case.values():
            given = {who: a[k] for who, (_, a) in reads.items() if a[k] != "n/a"}
            for x, y in itertools.combinations(given.values(), 2):
                pairs += 1
                differ += x != y
            for who, mine in given.items():
                for other, theirs in given.items():
                    if other != who:
                        per[who][0] += 1
                        per[who][1] += mine != theirs
        rate[k] = Fraction(differ, pairs)
        for r, (p, d) in per.items():
            cell[(k, r)] = Fraction(d, p)
    return {"lean": lean, "rate": rate, "cell": cell}


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from typer.testing import CliRunner

    path = workbook(tmp_path_factory.mktemp("cal") / "double.xlsx")
    result = invoke(CliRunner(), "agree", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return stdout_json(result)["calibration"]


def test_the_planted_reader_reads_harder(found: dict) -> None:
    leans = {x["reader"]: x for x in found["readers"]}
    assert leans[HARD]["label"] == "reads harder"
    # the others are pulled below the hard reader's grades, not softer than each other
    assert {r: x["label"] for r, x in leans.items() if r != HARD} == {
        r: "in line" for r in READERS if r != HARD}
    assert max(leans, key=lambda r: leans[r]["mean_difference"]) == HARD
    plain = plain_counts()["lean"]
    means = sorted(float(plain[r][4] / plain[r][0]) for r in READERS)
    typical = means[len(means) // 2]
    assert found["typical_difference"] == pytest.approx(typical, abs=1e-12)
    assert leans[HARD]["lean"] == pytest.approx(
        float(plain[HARD][4] / plain[HARD][0]) - typical, abs=1e-12)
    for r in READERS:
        cases, better, level, worse, summed = plain[r]
        x = leans[r]
        assert (x["cases"], x["better"], x["level"], x["worse"]) == (
            cases, better, level, worse)
        assert x["mean_difference"] == pytest.approx(float(summed / cases), abs=1e-12)
    assert found["lean_levels"] == LEAN_LEVELS and found["lean_min_cases"] == LEAN_MIN_CASES


def test_the_planted_criterion_is_read_most_differently(found: dict) -> None:
    rates = {s["criterion"]: s["rate"] for s in found["criteria"]}
    assert set(rates) == set(CRITERIA)
    assert max(rates, key=lambda k: rates[k]) == LOOSE
    plain = plain_counts()
    for s in found["criteria"]:
        assert s["rate"] == pytest.approx(float(plain["rate"][s["criterion"]]), abs=1e-12)
        assert s["differing"] == sum(x["pairs"] for x in s["splits"])
        for x in s["splits"]:  # answers in the rubric's words, never the same two
            assert len(set(x["answers"])) == 2
            assert set(x["answers"]) <= {"Yes", "Partly", "No"}
        for r in s["readers"]:
            assert r["rate"] == pytest.approx(
                float(plain["cell"][(s["criterion"], r["reader"])]), abs=1e-12)


def test_lean_label_rule() -> None:
    assert lean_label(0.3, LEAN_MIN_CASES) == "reads harder"
    assert lean_label(-0.3, LEAN_MIN_CASES) == "reads softer"
    assert lean_label(LEAN_LEVELS, 50) == "in line"  # beyond, not at, the line
    assert lean_label(0.9, LEAN_MIN_CASES - 1) == "too few cases"
    assert lean_label(None, 0) == "too few cases"


def test_functions_on_a_small_matrix() -> None:
    # three cases, three readers; -1 a reading not made
    m = np.array([[0, 0, 1], [2, -1, 2], [1, -1, -1]])
    pairs, differing = pair_disagreement(m, 3)
    assert pairs.tolist() == [3, 1, 0] and differing.tolist() == [2, 0, 0]
    r_pairs, r_diff = reader_disagreement(m, 3)
    assert r_pairs.tolist() == [3, 2, 3] and r_diff.tolist() == [1, 1, 2]
    cases, better, level, worse, summed = grade_lean(m)
    assert cases.tolist() == [2, 1, 2]
    assert better.tolist() == [1, 1, 0] and level.tolist() == [1, 0, 1]
    assert worse.tolist() == [0, 0, 1]
    assert summed.tolist() == pytest.approx([-0.5, -0.5, 1.0])


def test_human_view_shows_calibration(runner, tmp_path: Path) -> None:
    result = invoke(runner, "agree", workbook(tmp_path / "double.xlsx"))
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "reads harder" in text and "answered a criterion differently" in text
    assert LOOSE in text


def test_xlsx_heat_map_has_a_colour_scale(runner, tmp_path: Path) -> None:
    path = workbook(tmp_path / "double.xlsx")
    out = tmp_path / "agree.xlsx"
    result = invoke(runner, "agree", path, "--out", out)
    assert result.exit_code == 0, result.stderr
    wb = openpyxl.load_workbook(out)
    assert {"Readers", "Reader pairs", "Calibration", "Criteria read differently",
            "Criterion x reader"} <= set(wb.sheetnames)
    ws = wb["Criterion x reader"]
    assert [c.value for c in ws[1]] == ["Criterion", *reader_order()]
    cells = f"B2:{chr(ord('A') + len(READERS))}{len(CRITERIA) + 1}"
    rules = {str(r.sqref): [x.type for x in r.rules] for r in ws.conditional_formatting}
    assert rules == {cells: ["colorScale"]}
    rule = next(iter(ws.conditional_formatting)).rules[0]
    assert len(rule.colorScale.color) == 3
    plain = plain_counts()["cell"]
    for row in ws.iter_rows(min_row=2, max_row=len(CRITERIA) + 1, values_only=True):
        for reader, value in zip(reader_order(), row[1:], strict=True):
            assert value == pytest.approx(float(plain[(row[0], reader)]), abs=5e-4)
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and "green" in c.value]
    assert notes and "red" in notes[0]
    lean = wb["Calibration"]
    labels = {row[0]: row[-1] for row in lean.iter_rows(min_row=2, values_only=True)
              if row[0] in READERS}
    assert labels[HARD] == "reads harder"
    again = tmp_path / "again.xlsx"
    invoke(runner, "agree", path, "--out", again)
    assert again.read_bytes() == out.read_bytes()


def test_html_has_an_svg_heat_map(runner, tmp_path: Path) -> None:
    path = workbook(tmp_path / "double.xlsx")
    out = tmp_path / "agree.html"
    result = invoke(runner, "agree", path, "--out", out, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert stdout_json(result)["calibration"]["readers"]  # stdout keeps the JSON
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 1 and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    svg = page[page.index("<svg"):page.index("</svg>")]
    cells = re.findall(r'<rect [^>]*data-criterion="([^"]+)" data-reader="([^"]+)"', svg)
    assert sorted(cells) == sorted(itertools.product(CRITERIA, READERS))
    texts = re.findall(r"<text [^>]*>([0-9.]+%)</text>", svg)
    plain = plain_counts()["cell"]
    expected = [f"{100 * float(plain[(k, r)]):.1f}%" for k in CRITERIA
                for r in reader_order()]
    assert texts == expected  # criteria as rows, readers as columns, in order
    again = tmp_path / "again.html"
    invoke(runner, "agree", path, "--out", again)
    assert again.read_bytes() == out.read_bytes()


def test_html_escapes_reader_names(runner, tmp_path: Path) -> None:
    rows = []
    for c in range(6):
        for who, g in (("<b>Ann</b>", 0), ("Bob & Co", 1)):
            rows.append([f"C-{c}", "domestic abuse", "inspector", who, GRADES[g], "yes"])
    path = write_xlsx(tmp_path / "odd.xlsx", ["Case ref", "Case type", "Assessor",
                                              "Reader", "Grade", "ic_child_seen"], rows)
    out = tmp_path / "odd.html"
    result = invoke(runner, "agree", path, "--out", out)
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "<b>" not in page and "&lt;b&gt;Ann&lt;/b&gt;" in page and "Bob &amp; Co" in page


def test_unsupported_out_is_refused_before_reading(runner, tmp_path: Path) -> None:
    out = tmp_path / "agree.pdf"
    result = invoke(runner, "agree", workbook(tmp_path / "double.xlsx"), "--out", out)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert ".xlsx" in result.stderr and ".html" in result.stderr
    assert not out.exists()
