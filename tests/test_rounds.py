"""hmic-audit rounds: two inspection rounds of one force, the inspectors' grades compared.

Round 1 is graded on the 2014 four-level scale, round 2 (a post-inspection review a year
later) on the 2021-23 three-level scale, some cases audited in both (round 2 types their
references in lower case); the two are put on one scale by the shipped crosswalk
``common-3``. Every figure is recomputed here from the rows and the crosswalk's own YAML:
Wilson and Newcombe by hand from their formulas, Mann-Whitney and the sign test by scipy.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import zipfile
from collections import Counter
from pathlib import Path
from shutil import which

import openpyxl
import pytest
import yaml
from scipy.stats import binomtest, mannwhitneyu

from hmic_audit.rubric_file import shipped_rubrics_dir

from .conftest import invoke, write_xlsx

COMMON = yaml.safe_load((shipped_rubrics_dir() / "crosswalks" / "common-3.yaml")
                        .read_text(encoding="utf-8"))
SCALE = [g["key"] for g in COMMON["scale"]]
LABEL = {g["key"]: g["label"] for g in COMMON["scale"]}
ACCEPTABLE = set(COMMON["acceptable"])
GRADES_2014 = ["Good", "Adequate", "Requires improvement", "Inadequate"]
GRADES_2021 = ["Good", "Requires improvement", "Inadequate"]
TYPES = ["s47", "domestic abuse", "online abuse"]
TYPE_KEYS = {"s47": "s47_enquiry", "domestic abuse": "domestic_abuse",
             "online abuse": "online_abuse"}
HEAD = ["Case ref", "Sample", "Case type", "Assessor", "Grade"]
SHARED = 14
"""Cases audited in both rounds."""


def _key(label: str) -> str:
    return label.lower().replace(" ", "_")


def _level(grade: str, rubric: str) -> int:
    """A grade's level on the common scale, through the crosswalk file as written."""
    return SCALE.index(COMMON["maps"][rubric][_key(grade)])


def _make_rows(seed: int) -> tuple[list[list[str]], list[list[str]]]:
    rng = random.Random(seed)
    one = [[f"GM-{k:03d}", "inspector-selected", rng.choice(TYPES), "inspector",
            rng.choice(GRADES_2014)] for k in range(1, 41)]
    # round 1 also holds a force audit of a self-assessed case: not counted
    one.append(["GM-900", "self-assessed", "s47", "force", "Good"])
    one.append(["GM-900", "self-assessed", "s47", "inspector", "Inadequate"])
    shared = [[r[0].lower(), "inspector-selected", r[2], "inspector",
               rng.choice(GRADES_2021[:2] if k % 3 else GRADES_2021)]
              for k, r in enumerate(one[:SHARED])]
    later = [[f"GM-{k:03d}", "inspector-selected", rng.choice(TYPES), "inspector",
              rng.choice(GRADES_2021)] for k in range(101, 127)]
    return one, shared + later


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rounds")
    one, two = _make_rows(2015)
    return (write_xlsx(folder / "inspection-2014.xlsx", HEAD, one),
            write_xlsx(folder / "review-2021.xlsx", HEAD, two), one, two)


def _run(runner, data, *more):
    return invoke(runner, "rounds", data[0], data[1], "--rubric", "child-protection-2014",
                  "--rubric", "child-protection-2021", "--crosswalk", "common-3", *more)


def _levels(rows, rubric):
    return [_level(r[4], rubric) for r in rows if r[3] == "inspector"]


def _wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (2 * n * p + z * z) / (2 * (n + z * z))
    half = z * math.sqrt(z * z + 4 * n * p * (1 - p)) / (2 * (n + z * z))
    return centre - half, centre + half


def test_distributions_on_the_common_scale(runner, data):
    result = _run(runner, data, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["rubric"]["name"] == COMMON["name"]
    assert doc["rubric"]["grades"] == SCALE
    for found, rows, rubric in ((doc["rounds"][0], data[2], "child-protection-2014"),
                                (doc["rounds"][1], data[3], "child-protection-2021")):
        levels = _levels(rows, rubric)
        counted = Counter(levels)
        assert found["counts"] == {k: counted[i] for i, k in enumerate(SCALE)}
        assert found["cases"] == len(levels)
        ok = sum(SCALE[v] in ACCEPTABLE for v in levels)
        assert found["acceptable"] == ok
        assert found["acceptable_ci"] == pytest.approx(_wilson(ok, len(levels)), abs=1e-12)
    assert doc["rounds"][0]["cases"] == 41  # the force's audit of GM-900 is not counted
    assert doc["rounds"][1]["counts"]["adequate"] == 0  # 2021 has no adequate level


def test_change_in_the_acceptable_share_has_newcombes_interval(runner, data):
    doc = json.loads(_run(runner, data, "--format", "json").stdout)
    one = _levels(data[2], "child-protection-2014")
    two = _levels(data[3], "child-protection-2021")
    x1, n1 = sum(SCALE[v] in ACCEPTABLE for v in one), len(one)
    x2, n2 = sum(SCALE[v] in ACCEPTABLE for v in two), len(two)
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = _wilson(x1, n1), _wilson(x2, n2)
    # Newcombe (1998) method 10 for p2 - p1
    low = (p2 - p1) - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = (p2 - p1) + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    change = doc["change"]
    assert change["difference"] == pytest.approx(p2 - p1, abs=1e-12)
    assert (change["ci_low"], change["ci_high"]) == pytest.approx((low, high), abs=1e-12)
    assert change["ci_low"] < change["difference"] < change["ci_high"]


def test_mann_whitney_and_effect_sizes_match_scipy(runner, data):
    doc = json.loads(_run(runner, data, "--format", "json").stdout)
    one = _levels(data[2], "child-protection-2014")
    two = _levels(data[3], "child-protection-2021")
    expected = mannwhitneyu(one, two, method="asymptotic", use_continuity=True,
                            alternative="two-sided")
    shift = doc["shift"]
    assert shift["u"] == pytest.approx(expected.statistic)
    assert shift["p_value"] == pytest.approx(expected.pvalue, rel=1e-9)
    better = sum(b < a for a in one for b in two)  # round 2 lower level: better
    worse = sum(b > a for a in one for b in two)
    pairs = len(one) * len(two)
    assert shift["superiority"] == pytest.approx((better + (pairs - better - worse) / 2)
                                                 / pairs)
    assert shift["cliffs_delta"] == pytest.approx((better - worse) / pairs)


def test_by_case_type_where_both_rounds_have_it(runner, data):
    doc = json.loads(_run(runner, data, "--format", "json").stdout)
    found = {t["case_type"]: t for t in doc["by_case_type"]}
    expected_types = ({TYPE_KEYS[r[2]] for r in data[2] if r[3] == "inspector"}
                      & {TYPE_KEYS[r[2]] for r in data[3]})
    assert set(found) == expected_types
    t = found["domestic_abuse"]
    one = [_level(r[4], "child-protection-2014") for r in data[2]
           if r[3] == "inspector" and r[2] == "domestic abuse"]
    two = [_level(r[4], "child-protection-2021") for r in data[3] if r[2] == "domestic abuse"]
    assert t["change"]["cases_1"] == len(one) and t["change"]["cases_2"] == len(two)
    expected = mannwhitneyu(one, two, method="asymptotic", alternative="two-sided")
    assert t["shift"]["p_value"] == pytest.approx(expected.pvalue, rel=1e-9)
    # theme scores are other questions under another rubric: not compared
    assert doc["by_theme"] == [] and "different rubrics" in doc["themes_note"]


def test_cases_in_both_rounds_are_paired_with_a_sign_test(runner, data):
    doc = json.loads(_run(runner, data, "--format", "json").stdout)
    first = {r[0].casefold(): _level(r[4], "child-protection-2014") for r in data[2]
             if r[3] == "inspector"}
    second = {r[0].casefold(): _level(r[4], "child-protection-2021") for r in data[3]}
    both = [ref for ref in first if ref in second]
    assert len(both) == SHARED
    better = sum(second[r] < first[r] for r in both)
    worse = sum(second[r] > first[r] for r in both)
    paired = doc["paired"]
    assert (paired["cases"], paired["better"], paired["worse"]) == (SHARED, better, worse)
    assert paired["same"] == SHARED - better - worse
    assert paired["sign_test_p"] == pytest.approx(
        binomtest(better, better + worse, 0.5).pvalue, rel=1e-12)
    assert [p["case_ref"] for p in paired["pairs"]] == [r[0] for r in data[2][:SHARED]]
    shown = {p["case_ref"]: (p["grade_1"], p["grade_2"]) for p in paired["pairs"]}
    assert shown["GM-001"] == (LABEL[SCALE[first["gm-001"]]], LABEL[SCALE[second["gm-001"]]])


def test_workbook_has_a_sheet_per_table_and_a_chart(runner, data, tmp_path):
    out = tmp_path / "rounds.xlsx"
    result = _run(runner, data, "--out", out)
    assert result.exit_code == 0, result.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Crosswalk", "Rounds", "Distribution", "Change", "By case type",
                             "By theme", "Paired", "Paired cases"]
    crosswalk = [[c.value for c in row] for row in wb["Crosswalk"].iter_rows(min_row=2,
                                                                              max_row=8)]
    assert ["hmic-cp-2021", "Requires improvement", "Below adequate"] in crosswalk
    dist = wb["Distribution"]
    assert [dist.cell(r, 1).value for r in range(2, 6)] == [*LABEL.values(), "Total"]
    one = _levels(data[2], "child-protection-2014")
    assert dist.cell(2, 2).value == one.count(0)
    assert dist.cell(2, 3).value == pytest.approx(round(100 * one.count(0) / len(one), 1))
    assert dist.cell(2, 1).fill.fgColor.rgb.endswith(COMMON["scale"][0]["colour"])
    change = {row[0].value: row[1].value for row in wb["Change"].iter_rows(min_row=2)
              if row[0].value}
    assert "Cliff's delta" in change and "p-value (two-sided)" in change
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = z.read(charts[0]).decode()
    # two series, the rounds' shares, over the three grades
    assert chart.count("<c:ser>") == 2
    assert "Distribution!$C$2:$C$4" in chart and "Distribution!$E$2:$E$4" in chart


@pytest.mark.skipif(not (which("soffice") or which("libreoffice")),
                    reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook(runner, data, tmp_path):
    out = tmp_path / "rounds.xlsx"
    assert _run(runner, data, "--out", out).exit_code == 0
    soffice = which("soffice") or which("libreoffice")
    converted = tmp_path / "csv"
    subprocess.run([soffice, "--headless", "--convert-to", "csv", "--outdir", str(converted),
                    str(out)], check=True, capture_output=True, timeout=180)
    text = (converted / "rounds.csv").read_text(encoding="utf-8")
    assert "hmic-cp-2014" in text  # the first sheet, the crosswalk mapping


@pytest.mark.parametrize("suffix", [".xlsx", ".md", ".json"])
def test_same_input_same_bytes(runner, data, tmp_path, suffix):
    a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    assert _run(runner, data, "--out", a).exit_code == 0
    assert _run(runner, data, "--out", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    if suffix == ".json":
        assert json.loads(a.read_text()) == json.loads(
            _run(runner, data, "--format", "json").stdout)
    if suffix == ".md":
        text = a.read_text(encoding="utf-8")
        assert "## Cases audited in both rounds" in text and "Below adequate" in text


def test_terminal_view_names_the_crosswalk_and_the_pairs(runner, data):
    result = _run(runner, data)
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "crosswalk cp-common-3" in text
    assert "Cases audited in both rounds" in text and "GM-001" in text


def test_different_scales_without_a_crosswalk_are_refused(runner, data, tmp_path):
    out = tmp_path / "rounds.xlsx"
    result = invoke(runner, "rounds", data[0], data[1], "--rubric", "child-protection-2014",
                    "--rubric", "child-protection-2021", "--out", out)
    assert result.exit_code == 2
    assert "give --crosswalk FILE" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    doc = json.loads(invoke(runner, "rounds", data[0], data[1], "-r", "child-protection-2014",
                            "-r", "child-protection-2021", "--format", "json").stdout)
    assert doc["ok"] is False and doc["problems"][0]["code"] == "needs-crosswalk"


def test_one_file_is_refused(runner, data):
    result = invoke(runner, "rounds", data[0])
    assert result.exit_code == 2 and "two workbooks" in result.stderr


def test_same_rubric_no_shared_cases_and_theme_means(runner, tmp_path):
    criteria = ["ic_prompt_response", "ic_immediate_safety", "ic_child_seen"]
    head = HEAD + criteria
    one = [[f"A-{k}", "inspector-selected", "domestic abuse", "inspector", "Inadequate",
            "no", "no", "no"] for k in range(6)]
    two = [[f"B-{k}", "inspector-selected", "domestic abuse", "inspector", "Good",
            "yes", "yes", "yes"] for k in range(5)]
    a = write_xlsx(tmp_path / "one.xlsx", head, one)
    b = write_xlsx(tmp_path / "two.xlsx", head, two)
    result = invoke(runner, "rounds", a, b, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["crosswalk"] is None and doc["rubric"]["name"] == "hmic-cp-2014"
    initial = next(t for t in doc["by_theme"] if t["theme"] == "initial_contact")
    assert (initial["audits_1"], initial["mean_1"]) == (6, 0.0)
    assert (initial["audits_2"], initial["mean_2"], initial["difference"]) == (5, 100.0, 100.0)
    assert doc["paired"]["cases"] == 0 and doc["paired"]["sign_test_p"] is None
    assert "No case was audited in both rounds" in doc["paired"]["note"]
    assert doc["shift"]["cliffs_delta"] == 1.0  # every round-2 case graded better
    # a round without a graded inspector audit is refused, naming its file
    blank = write_xlsx(tmp_path / "blank.xlsx", head, [  # too thinly answered to grade
        ["A-1", "inspector-selected", "domestic abuse", "inspector", None, "yes"]])
    result = invoke(runner, "rounds", a, blank)
    assert result.exit_code == 2 and "blank.xlsx" in result.stderr
    assert "round 2" in result.stderr and "Traceback" not in result.stderr


def test_terminal_percentages_read_as_percentages(runner):
    """'75.400' and 'good or better or adequate' read badly (found in a review)."""
    root = Path(__file__).resolve().parents[1] / "sample_cases"
    result = invoke(runner, "rounds", root / "gmp-2014" / "cases.xlsx",
                    root / "northshire-2022" / "cases.xlsx", "--rubric",
                    "child-protection-2014", "--rubric", "child-protection-2021",
                    "--crosswalk", "common-3", "-q")
    assert result.exit_code == 0, result.stderr
    flat = " ".join(result.stdout.split())
    assert "Cases judged good or better, or adequate:" in flat
    assert "32.5" in flat and "32.500" not in flat
