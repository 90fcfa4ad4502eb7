"""Topic grades from case file reviews (a rubric's ``rollup``): the figures ``grade``,
``annex`` and ``report`` show, cross-checked by a plain-Python computation from the
workbook (openpyxl) and the rubric YAML; edge cases; bad rollup sections."""

from __future__ import annotations

import statistics
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from hmic_audit import grade, load_rubric, read_audits
from hmic_audit.analysis.rollup import topic_grades

from .conftest import ROOT, invoke, stdout_json, write_xlsx


def number_word(n: int) -> str:
    return ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten"][n] if n <= 10 else str(n)

RUBRIC_FILE = ROOT / "rubrics" / "child-protection-2024.yaml"
SAMPLE_2024 = ROOT / "sample_cases" / "wyvern-valley-2024" / "cases.xlsx"
SHARES = {"outstanding": 0.9, "good": 0.6, "adequate": 0.4, "requires_improvement": 0.2}


# An independent computation: the workbook read with openpyxl, the rubric as plain YAML.

def _norm(text: object) -> str:
    return " ".join(str(text).replace(".", " ").split()).casefold()


def plain_rubric(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    data = yaml.safe_load(RUBRIC_FILE.read_text(encoding="utf-8"))
    data.update(extra or {})
    return data


def plain_reviews(path: Path, data: dict[str, Any]) -> list[dict[str, str | None]]:
    """Per inspector row with at least ``min_answered`` scored answers (a review the
    rubric can grade), per topic: the grade key its topic score earns (None: no
    score)."""
    answers = {}
    for a in data["answers"]:
        for spelling in (a["key"], a["label"], *a.get("aliases", [])):
            answers[_norm(spelling)] = a["score"]
    types = {}
    for c in data["case_types"]:
        for spelling in (c["key"], c["label"], *c.get("aliases", [])):
            types[_norm(spelling)] = c["key"]
    grades = list(data["bands"])  # best first, as the YAML lists them
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[-1]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) if h is not None else "" for h in rows[0]]
    col = {h: i for i, h in enumerate(header)}
    out = []
    for row in rows[1:]:
        if _norm(row[col["Assessor"]]) != "inspector":
            continue
        case_type = types[_norm(row[col["Case type"]])]
        scored = [c for c in data["criteria"] if c["id"] in col
                  and case_type in c.get("applies_to", [case_type])
                  and row[col[c["id"]]] not in (None, "")
                  and answers.get(_norm(row[col[c["id"]]])) is not None]
        if len(scored) < data.get("min_answered", 3):
            continue  # not gradable: not a case file review
        topic: dict[str, str | None] = {}
        for theme in data["themes"]:
            earned = possible = 0.0
            for c in data["criteria"]:
                if c["theme"] != theme["key"] or c["id"] not in col:
                    continue
                if "applies_to" in c and case_type not in c["applies_to"]:
                    continue
                cell = row[col[c["id"]]]
                score = answers.get(_norm(cell)) if cell not in (None, "") else None
                if score is None:
                    continue
                weight = c.get("weight", 1.0)
                earned += weight * score
                possible += weight
            if possible == 0:
                topic[theme["key"]] = None
                continue
            score = round(100 * earned / possible, 6)
            topic[theme["key"]] = next(g for g in grades if score >= data["bands"][g])
        out.append(topic)
    return out


def plain_rollup(levels: list[int], data: dict[str, Any], grades: list[str]) -> str | None:
    """The force's grade from review grades (positions, 0 the best)."""
    if not levels:
        return None
    rollup = data["rollup"]
    if rollup["method"] == "median":
        ordered = sorted(levels)
        n = len(ordered)
        middle = ordered[n // 2] if n % 2 else max(ordered[n // 2 - 1], ordered[n // 2])
        return grades[middle]
    for g, key in enumerate(grades[:-1]):
        better = sum(1 for level in levels if level <= g)
        if Fraction(better, len(levels)) >= Fraction(str(rollup["at_least"][key])):
            return key
    return grades[-1]


def plain_topics(path: Path, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    grades = [g["key"] for g in data["scale"]]
    acceptable = data.get("acceptable", grades[:len(grades) // 2])
    reviews = plain_reviews(path, data)
    out = {}
    for theme in data["themes"]:
        given = [r[theme["key"]] for r in reviews if r[theme["key"]] is not None]
        out[theme["key"]] = {
            "counts": {g: given.count(g) for g in grades},
            "reviewed": len(given),
            "acceptable": sum(1 for g in given if g in acceptable),
            "grade": plain_rollup([grades.index(g) for g in given], data, grades)}
    return out


def tool_topics(path: Path, rubric_path: Path | str) -> dict[str, dict[str, Any]]:
    rubric = load_rubric(rubric_path)
    result = grade(read_audits(path, rubric)[0], rubric)
    return {t.theme: {"counts": t.counts, "reviewed": t.reviewed,
                      "acceptable": t.acceptable, "grade": t.grade}
            for t in topic_grades(result, rubric).topics}


def share_rubric(tmp_path: Path, shares: dict[str, float] = SHARES) -> Path:
    path = tmp_path / "share.yaml"
    path.write_text("extends: child-protection-2024\n"
                    "rollup:\n  method: share\n  at_least:\n"
                    + "".join(f"    {k}: {v}\n" for k, v in shares.items()),
                    encoding="utf-8")
    return path


# The sample ------------------------------------------------------------------------


def test_sample_topic_figures_median_match_an_independent_count():
    expected = plain_topics(SAMPLE_2024, plain_rubric())
    assert tool_topics(SAMPLE_2024, RUBRIC_FILE) == expected
    # the sample shows what the figures are for: topics differ, one is not always scored
    assert len({t["grade"] for t in expected.values()}) >= 3
    assert min(t["reviewed"] for t in expected.values()) < 48
    assert max(t["reviewed"] for t in expected.values()) == 48


def test_sample_topic_figures_share_match_an_independent_count(tmp_path):
    data = plain_rubric({"rollup": {"method": "share", "at_least": SHARES}})
    expected = plain_topics(SAMPLE_2024, data)
    assert tool_topics(SAMPLE_2024, share_rubric(tmp_path)) == expected


def test_grade_json_and_human_show_the_topic_grades(runner):
    expected = plain_topics(SAMPLE_2024, plain_rubric())
    out = invoke(runner, "grade", SAMPLE_2024, "--rubric", "child-protection-2024",
                 "--format", "json")
    assert out.exit_code == 0
    doc = stdout_json(out)
    assert list(doc) == ["rubric", "input", "summary", "topic_grades", "audits"]
    topics = {t["theme"]: t for t in doc["topic_grades"]["topics"]}
    for theme, want in expected.items():
        got = topics[theme]
        assert (got["counts"], got["reviewed"], got["acceptable"], got["grade"]) == (
            want["counts"], want["reviewed"], want["acceptable"], want["grade"])
    assert doc["topic_grades"]["method"] == "median"
    assert doc["topic_grades"]["reviews"] == 48
    human = invoke(runner, "grade", SAMPLE_2024, "--rubric", "child-protection-2024")
    assert human.exit_code == 0
    assert "Topic grades from the inspectors' case file reviews" in human.stdout
    labels = {t["key"]: t["label"] for t in plain_rubric()["themes"]}
    for theme, want in expected.items():
        line = next(x for x in human.stdout.splitlines() if labels[theme] in x
                    and "│" in x)
        cells = [c.strip() for c in line.split("│")[1:-1]]
        assert cells[1:8] == [*(str(want["counts"][g]) for g in want["counts"]),
                              str(want["reviewed"]), str(want["acceptable"])]


def test_grade_without_rollup_shows_no_topic_grades(runner, sample_path):
    out = invoke(runner, "grade", sample_path, "--format", "json")
    assert "topic_grades" not in stdout_json(out)
    assert "Topic grades" not in invoke(runner, "grade", sample_path).stdout


def test_annex_table_cells_match_an_independent_count(runner, tmp_path):
    expected = plain_topics(SAMPLE_2024, plain_rubric())
    data = plain_rubric()
    out = tmp_path / "annex.json"
    assert invoke(runner, "annex", SAMPLE_2024, "--rubric", "child-protection-2024",
                  "--out", out).exit_code == 0
    import json

    doc = json.loads(out.read_text(encoding="utf-8"))
    tables = doc["tables"] if isinstance(doc, dict) else doc
    table = next(t for t in tables if t["name"] == "topic_grades")
    assert table["title"] == "Topic grades from case file reviews"
    keys = [c["key"] for c in table["columns"]]
    labels = {t["label"]: t["key"] for t in data["themes"]}
    grade_labels = {g["key"]: g["label"] for g in data["scale"]}
    assert [r[0] for r in table["rows"]] == [t["label"] for t in data["themes"]]
    for row in table["rows"]:
        want = expected[labels[row[0]]]
        cell = dict(zip(keys, row, strict=True))
        assert [cell[g] for g in want["counts"]] == list(want["counts"].values())
        assert cell["reviewed"] == want["reviewed"]
        assert cell["acceptable"] == want["acceptable"]
        assert cell["acceptable_of"] == f"{want['acceptable']} of {want['reviewed']}"
        assert cell["acceptable_pct"] == round(100 * want["acceptable"] / want["reviewed"], 1)
        assert cell["force_grade"] == grade_labels[want["grade"]]


def test_annex_leaves_topic_grades_out_of_a_publication(runner, tmp_path):
    for extra in (["--publish"], ["--suppress", "3"]):
        out = tmp_path / "pub.json"
        result = invoke(runner, "annex", SAMPLE_2024, "--rubric", "child-protection-2024",
                        "--out", out, "--format", "json", *extra)
        assert result.exit_code == 0
        assert "topic_grades" not in stdout_json(result)["tables"]
        assert "Topic grades" not in out.read_text(encoding="utf-8")


def test_report_says_each_topic_grade_with_its_reviews(runner, tmp_path):
    expected = plain_topics(SAMPLE_2024, plain_rubric())
    data = plain_rubric()
    phrases = {g["key"]: g.get("phrase", g["label"].lower()) for g in data["scale"]}
    out = tmp_path / "report.md"
    assert invoke(runner, "report", SAMPLE_2024, "--rubric", "child-protection-2024",
                  "--out", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    for theme in data["themes"]:
        want = expected[theme["key"]]
        sentence = (f"{theme['label']}: the inspectors' case file reviews grade it "
                    f"{phrases[want['grade']]} (the median review grade); "
                    f"{want['acceptable']} of the {want['reviewed']} were good or better.")
        assert sentence in text
    # Annex A says how a topic's grade is worked out, and that inspectors did not give it
    annex = " ".join(text[text.index("### How each topic was graded"):].split())
    assert "it is not a grade the inspectors gave the topic" in annex
    assert (f"at least {number_word(data['min_answered'])} scored answers") in annex
    assert ("The topic's grade is then the median review grade (with an even number of "
            "reviews, the worse of the two middle grades).") in annex
    published = tmp_path / "published.md"
    assert invoke(runner, "report", SAMPLE_2024, "--rubric", "child-protection-2024",
                  "--out", published, "--publish").exit_code == 0
    assert "case file reviews grade it" not in published.read_text(encoding="utf-8")
    assert "How each topic was graded" not in published.read_text(encoding="utf-8")


# Edge cases --------------------------------------------------------------------------

HEADERS = ["Case ref", "Sample", "Case type", "Assessor", "Grade"]


def _workbook(tmp_path: Path, reviews: list[tuple[str, dict[str, str]]]) -> Path:
    """Inspector reviews: (case type key, answers by criterion id; those to criteria that
    do not apply to the type are dropped)."""
    criteria = plain_rubric()["criteria"]
    ids = [c["id"] for c in criteria]
    rows = [[f"C-{n}", "inspector-selected", case_type, "inspector", None,
             *(answers.get(c["id"]) if case_type in c.get("applies_to", [case_type])
               else None for c in criteria)]
            for n, (case_type, answers) in enumerate(reviews, start=1)]
    return write_xlsx(tmp_path / "cases.xlsx", HEADERS + ids, rows)


def _all(answer: str, *themes: str) -> dict[str, str]:
    return {c["id"]: answer for c in plain_rubric()["criteria"] if c["theme"] in themes}


EVERY = ("leadership_oversight", "partnership_working", "initial_response", "risk_referral",
         "investigation")


def test_a_topic_no_review_scored_has_no_grade(tmp_path, runner):
    # missing children: no investigation criterion applies, so no review scores it
    path = _workbook(tmp_path, [("missing_child", _all("Evident", *EVERY))] * 3)
    topics = tool_topics(path, RUBRIC_FILE)
    assert topics == plain_topics(path, plain_rubric())
    assert topics["investigation"] == {
        "counts": dict.fromkeys(topics["investigation"]["counts"], 0), "reviewed": 0,
        "acceptable": 0, "grade": None}
    assert topics["risk_referral"]["grade"] == "outstanding"
    assert "not graded (no reviews)" in invoke(runner, "grade", path, "--rubric",
                                               "child-protection-2024").stdout
    out = tmp_path / "report.md"
    assert invoke(runner, "report", path, "--rubric", "child-protection-2024",
                  "--out", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "Investigation: no case file review gave this topic a score" in text
    assert "Leadership: the inspectors' case file reviews grade it outstanding (the " \
        "median review grade); every one of the three was good or better." in text


def test_even_number_of_reviews_takes_the_worse_middle_grade(tmp_path):
    # two reviews: leadership all evident (outstanding) and all not evident (inadequate)
    path = _workbook(tmp_path, [
        ("s47_enquiry", {**_all("Evident", *EVERY)}),
        ("s47_enquiry", {**_all("Evident", *EVERY), **_all("Not evident", "leadership_oversight")}),
        ("s47_enquiry", {**_all("Evident", *EVERY)}),
        ("s47_enquiry", {**_all("Evident", *EVERY), **_all("Partly evident",
                                                     "leadership_oversight")}),
    ])
    topics = tool_topics(path, RUBRIC_FILE)
    assert topics == plain_topics(path, plain_rubric())
    lead = topics["leadership_oversight"]
    # outstanding, outstanding, requires improvement (50), inadequate: the middle two are
    # outstanding and requires improvement; the worse is taken
    assert lead["counts"] == {"outstanding": 2, "good": 0, "adequate": 0,
                              "requires_improvement": 1, "inadequate": 1}
    assert lead["grade"] == "requires_improvement"
    levels = [0, 0, 3, 4]
    assert statistics.median_high(levels) == 3  # the rule, as the statistics module has it


def test_all_reviews_one_grade(tmp_path):
    path = _workbook(tmp_path, [("domestic_abuse", _all("Partly evident", *EVERY))] * 5)
    for rubric_path, data in (
            (RUBRIC_FILE, plain_rubric()),
            (share_rubric(tmp_path), plain_rubric({"rollup": {"method": "share",
                                                              "at_least": SHARES}}))):
        topics = tool_topics(path, rubric_path)
        assert topics == plain_topics(path, data)
        for t in topics.values():  # a score of 50 is requires improvement everywhere
            assert t["grade"] == "requires_improvement"
            assert t["counts"]["requires_improvement"] == t["reviewed"] == 5
            assert t["acceptable"] == 0


def test_share_reached_exactly_counts(tmp_path):
    # one review in five outstanding: a share of 0.2 is reached exactly (no float slip)
    reviews = [("s47_enquiry", _all("Evident", *EVERY))] + [
        ("s47_enquiry", _all("Not evident", *EVERY))] * 4
    path = _workbook(tmp_path, reviews)
    shares = {"outstanding": 0.2, "good": 0.2, "adequate": 0.2, "requires_improvement": 0.2}
    topics = tool_topics(path, share_rubric(tmp_path, shares))
    assert topics == plain_topics(path, plain_rubric({"rollup": {"method": "share",
                                                                 "at_least": shares}}))
    assert topics["leadership_oversight"]["grade"] == "outstanding"


def test_force_self_assessments_do_not_count(tmp_path):
    criteria = plain_rubric()["criteria"]
    applies = [c for c in criteria if "s47_enquiry" in c.get("applies_to", ["s47_enquiry"])]
    rows = [["C-1", "self-assessed", "s47", who, None,
             *(answer if c in applies else None for c in criteria)]
            for who, answer in (("force", "Evident"), ("inspector", "Not evident"))]
    path = write_xlsx(tmp_path / "cases.xlsx", HEADERS + [c["id"] for c in criteria], rows)
    topics = tool_topics(path, RUBRIC_FILE)
    assert topics == plain_topics(path, plain_rubric())
    assert all(t["reviewed"] == 1 and t["grade"] == "inadequate" for t in topics.values())


def test_an_audit_too_thin_to_grade_is_not_a_case_file_review(tmp_path, runner):
    data = plain_rubric()
    fewest = data["min_answered"]
    lead = [c["id"] for c in data["criteria"] if c["theme"] == "leadership_oversight"
            and "applies_to" not in c]
    assert len(lead) >= fewest - 1
    # three full reviews, all evident; one more answering only fewest - 1 leadership
    # criteria, all not evident: "Not gradable", so it counts for no topic
    thin = dict.fromkeys(lead[:fewest - 1], "Not evident")
    path = _workbook(tmp_path, [("s47_enquiry", _all("Evident", *EVERY))] * 3
                     + [("s47_enquiry", thin)])
    topics = tool_topics(path, RUBRIC_FILE)
    assert topics == plain_topics(path, data)
    leadership = topics["leadership_oversight"]
    assert leadership["reviewed"] == 3 and leadership["counts"]["inadequate"] == 0
    assert leadership["grade"] == "outstanding"
    rubric = load_rubric(RUBRIC_FILE)
    result = grade(read_audits(path, rubric)[0], rubric)
    rolled = topic_grades(result, rubric)
    assert (rolled.reviews, rolled.not_gradable) == (3, 1)
    shown = invoke(runner, "grade", path, "--rubric", "child-protection-2024")
    assert shown.exit_code == 0
    said = " ".join(shown.stdout.split())
    assert (f"Only inspector audits the rubric can grade (at least {fewest} scored answers) "
            "count as case file reviews (1 not gradable, left out).") in said
    out = tmp_path / "annex.json"
    assert invoke(runner, "annex", path, "--rubric", "child-protection-2024",
                  "--out", out).exit_code == 0
    import json

    doc = json.loads(out.read_text(encoding="utf-8"))
    tables = doc["tables"] if isinstance(doc, dict) else doc
    note = next(t for t in tables if t["name"] == "topic_grades")["note"]
    assert "(3 in all)" in note
    assert (f"Only inspector audits the rubric can grade (at least {fewest} scored "
            "answers) count as case file reviews. 1 inspector audit with fewer is left "
            "out.") in note


def _report(tmp_path: Path, runner, reviews: list[tuple[str, dict[str, str]]],
            rubric: str | Path = "child-protection-2024") -> str:
    path = _workbook(tmp_path, reviews)
    out = tmp_path / "report.md"
    result = invoke(runner, "report", path, "--rubric", rubric, "--out", out)
    assert result.exit_code == 0, result.output
    return " ".join(out.read_text(encoding="utf-8").split())


def test_topic_sentences_read_well_for_every_count(tmp_path, runner):
    full = _all("Evident", *EVERY)
    # one review: leadership not evident, the rest evident
    one = _report(tmp_path, runner, [("s47_enquiry", {**full, **_all(
        "Not evident", "leadership_oversight")})])
    # (one review's median is that review's grade: the rule is not named)
    assert ("Leadership: the inspectors' only case file review with a score for it grades "
            "it inadequate; that review was not good or better.") in one
    assert ("Partnership working: the inspectors' only case file review with a score for "
            "it grades it outstanding; that review was good or better.") in one
    # three reviews: leadership none good or better, partnership all, initial response
    # one of three; investigation scored by none (missing children only)
    mixed = [("missing_child", {**full, **_all("Not evident", "leadership_oversight"),
                                **(_all("Not evident", "initial_response") if n else {})})
             for n in range(3)]
    text = _report(tmp_path, runner, mixed)
    assert ("Leadership: the inspectors' case file reviews grade it inadequate (the median "
            "review grade); none of the three were good or better.") in text
    assert ("Partnership working: the inspectors' case file reviews grade it outstanding "
            "(the median review grade); every one of the three was good or better.") in text
    assert ("Initial response: the inspectors' case file reviews grade it inadequate (the "
            "median review grade); one of the three was good or better.") in text
    assert ("Investigation: no case file review gave this topic a score, so it has no "
            "grade from the reviews.") in text
    assert "inspectors graded it" not in text


def test_topic_sentences_with_two_reviews(tmp_path, runner):
    full = _all("Evident", *EVERY)
    text = _report(tmp_path, runner, [("s47_enquiry", {**full, **_all(
        "Not evident", "leadership_oversight")})] * 2)
    assert ("Leadership: the inspectors' case file reviews grade it inadequate (the median "
            "review grade); neither of the two was good or better.") in text


def test_topic_sentences_and_annex_name_a_share_rule(tmp_path, runner):
    text = _report(tmp_path, runner, [("s47_enquiry", _all("Evident", *EVERY))] * 2,
                   rubric=share_rubric(tmp_path))
    assert ("Leadership: the inspectors' case file reviews grade it outstanding (the best "
            "grade that at least a set share of reviews reached or bettered); every one of "
            "the two was good or better.") in text
    assert ("The topic's grade is then the best grade that at least a set share of "
            "reviews reached or bettered (outstanding 90%, good 60%, adequate 40%, "
            "requires improvement 20%), else inadequate.") in text
    # one review: a share rule can give the topic another grade than the review's own,
    # so the rule is named
    one = _report(tmp_path, runner, [("s47_enquiry", _all("Evident", *EVERY))],
                  rubric=share_rubric(tmp_path))
    assert ("Leadership: the inspectors' only case file review with a score for it grades "
            "it outstanding (the best grade that at least a set share of reviews reached "
            "or bettered); that review was good or better.") in one


# Bad rollup sections -------------------------------------------------------------------


def _bad(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text("extends: child-protection-2024\n" + body, encoding="utf-8")
    return path


def test_rubric_check_lists_every_problem_of_a_rollup(tmp_path, runner):
    path = _bad(tmp_path, "rollup:\n  method: share\n  at_least:\n"
                "    outstanding: 0.5\n    good: 0.7\n    adequat: 0.4\n"
                "    inadequate: 1.5\n")
    out = invoke(runner, "rubric", "check", path, "--format", "json")
    assert out.exit_code == 1  # a check ran and found problems
    found = {(p["code"], p["column"]) for p in stdout_json(out)["problems"]}
    assert found == {
        ("unknown-grade", "rollup.at_least.adequat"),
        ("bad-rollup", "rollup.at_least.inadequate"),
        ("bad-share", "rollup.at_least.inadequate"),
        ("missing-share", "rollup.at_least"),
        ("shares-out-of-order", "rollup.at_least"),
    }
    # any other command refuses the rubric as bad input, listing the same problems
    graded = invoke(runner, "grade", SAMPLE_2024, "--rubric", path)
    assert graded.exit_code == 2
    for column in ("rollup.at_least.adequat", "rollup.at_least.inadequate"):
        assert column in graded.output


@pytest.mark.parametrize(("body", "expected"), [
    ("rollup:\n  method: mean\n", {("unknown-rollup-method", "rollup.method")}),
    ("rollup:\n  method: share\n", {("bad-rollup", "rollup.at_least")}),
    ("rollup:\n  method: median\n  at_least: {good: 0.5}\n",
     {("bad-rollup", "rollup.at_least")}),
])
def test_rubric_check_names_each_bad_rollup(tmp_path, runner, body, expected):
    out = invoke(runner, "rubric", "check", _bad(tmp_path, body), "--format", "json")
    assert out.exit_code == 1
    assert {(p["code"], p["column"]) for p in stdout_json(out)["problems"]} == expected


def test_rubric_show_states_the_roll_up_rule(runner):
    from .conftest import invoke

    shown = " ".join(invoke(runner, "rubric", "show", "child-protection-2024").stdout.split())
    assert "Topic grades: each theme is a topic; the force's grade for a topic is the " \
           "median review grade" in shown
    plain = " ".join(invoke(runner, "rubric", "show").stdout.split())
    assert "Topic grades" not in plain
