"""A rubric in its own answer words: met / partially met / not met / not applicable.

The rubric (tests/data/met-words.yaml) was written for these tests; its limiting criteria
name answers by label ("not met", "Partially met") and one leaves the answer out (the
lowest-scoring, "not met"). The workbook is typed as people type: labels in any case,
doubled spaces, aliases ("Fully met", "Unmet", "na"), blanks. Every command runs on it,
and the grades are checked against a plain reading of the rubric's YAML.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import yaml

from hmic_audit.rubric_file import load_rubric, parse_rubric

from .conftest import DATA, invoke, write_xlsx

RUBRIC = DATA / "met-words.yaml"
TYPED = {"met": ["Met", "met", "MET ", "Fully met"],
         "partially_met": ["Partially met", "partly met", "Part met", "PARTIALLY MET"],
         "not_met": ["Not met", "not  met", "Unmet"],
         "not_applicable": ["N/A", "Not applicable", "na"]}
CRITERIA = ["child_seen", "risk_recorded", "referral_made", "return_talk",
            "supervisor_review"]


def _typed_rows(seed: int = 5) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for k in range(1, 25):
        missing = k % 3 == 0
        for who in ("Force", "Inspector"):
            answers = []
            for c in CRITERIA:
                if c == "return_talk" and not missing:
                    answers.append("")
                    continue
                key = rng.choice(["met", "met", "met", "partially_met", "not_met",
                                  "not_applicable", "blank"])
                answers.append("" if key == "blank" else rng.choice(TYPED[key]))
            rows.append([f"M-{k:02d}", "Self-assessed",
                         "Missing child" if missing else "Domestic abuse", who,
                         "North" if k % 2 else "South", *answers])
    return rows


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> Path:
    return write_xlsx(tmp_path_factory.mktemp("met") / "cases.xlsx",
                      ["Case ref", "Sample", "Case type", "Assessor", "Area", *CRITERIA],
                      _typed_rows())


def _spelling(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def _plain_grades(path: Path) -> dict[tuple[str, str], str | None]:
    """Each audit's grade by a plain reading of the rubric YAML (not the tool's code)."""
    spec = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
    words = {}
    for a in spec["answers"]:
        for name in (a["key"], a["label"], *a.get("aliases", [])):
            words[_spelling(name)] = a["key"]
    score_of = {a["key"]: a["score"] for a in spec["answers"]}
    lowest = min((a for a in spec["answers"] if a["score"] is not None),
                 key=lambda a: a["score"])["key"]
    types = {c["label"]: c["key"] for c in spec["case_types"]}
    grades = [g["key"] for g in spec["scale"]]
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    head = list(rows[0])
    out = {}
    for row in rows[1:]:
        cells = dict(zip(head, row, strict=True))
        ctype = types[cells["Case type"]]
        earned = possible = 0.0
        answered = 0
        given = {}
        for c in spec["criteria"]:
            typed = cells[c["id"]]
            if not typed or (c.get("applies_to") and ctype not in c["applies_to"]):
                continue
            key = words[_spelling(typed)]
            given[c["id"]] = key
            if score_of[key] is None:
                continue
            earned += c.get("weight", 1) * score_of[key]
            possible += c.get("weight", 1)
            answered += 1
        grade = None
        if answered >= spec["min_answered"] and possible:
            score = 100 * earned / possible
            level = next(i for i, g in enumerate(grades) if score >= spec["bands"][g] - 1e-9)
            for rule in spec["limiting"]:
                when = words[_spelling(rule["when"])] if "when" in rule else lowest
                if given.get(rule["criterion"]) == when:
                    level = max(level, grades.index(rule["cap"]))
            grade = grades[level]
        out[(cells["Case ref"], cells["Assessor"].lower())] = grade
    return out


def test_the_rubric_is_accepted_as_written():
    rubric = load_rubric(RUBRIC)
    assert rubric.answer_keys == ["met", "partially_met", "not_met", "not_applicable"]
    assert [r.answer(rubric) for r in rubric.limiting] == ["not_met", "partially_met",
                                                           "not_met"]
    assert rubric.parse_answer("FULLY  MET") == "met"
    assert rubric.parse_answer("yes") is None  # no words of another rubric


def test_grades_match_a_plain_reading_of_the_rubric(runner, cases):
    result = invoke(runner, "grade", cases, "--rubric", RUBRIC, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    got = {(a["case_ref"], a["assessor"]): a["computed_grade"] for a in doc["audits"]}
    expected = _plain_grades(cases)
    assert got == expected
    assert Counter(expected.values())[None] < len(expected)  # most audits are graded
    fired = [r for a in doc["audits"] for r in a["reasons"] if r["kind"] == "cap"]
    assert fired and {r["answer"] for r in fired} <= {"not_met", "partially_met"}
    assert all("answered not met" in r["message"] or "answered partially met" in r["message"]
               for r in fired)


def test_validate_names_the_rubrics_answers_for_an_unknown_one(runner, tmp_path):
    rows = [["X-1", "Self-assessed", "Domestic abuse", "Inspector", "", "Yes", "Met", "Met",
             "", "Met"]]
    path = write_xlsx(tmp_path / "typo.xlsx",
                      ["Case ref", "Sample", "Case type", "Assessor", "Area", *CRITERIA], rows)
    result = invoke(runner, "validate", path, "--rubric", RUBRIC, "--format", "json")
    assert result.exit_code == 1  # validate: 1 when the file has errors
    problem, = json.loads(result.stdout)["problems"]
    assert problem["code"] == "unknown-answer" and problem["cell"] == "F2"
    assert "met, partially met, not met or not applicable" in problem["message"]


def test_explain_shows_the_answers_in_the_rubrics_words(runner, cases):
    rows = list(openpyxl.load_workbook(cases).active.iter_rows(values_only=True))
    ref = next(r[0] for r in rows[1:] if r[3] == "Inspector"
               and {"Unmet", "not  met"} & set(r[5:]) and {"Part met", "partly met"} & set(r[5:]))
    result = invoke(runner, "grade", cases, "--rubric", RUBRIC, "--explain", ref)
    assert result.exit_code == 0, result.stderr
    assert "Partially met" in result.stdout and "Not met" in result.stdout
    assert re.search(r"\b(yes|partly|Unmet|Part met)\b", result.stdout) is None


def test_compare_counts_not_met_as_the_lowest_answer(runner, cases):
    result = invoke(runner, "compare", cases, "--rubric", RUBRIC, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    rows = list(openpyxl.load_workbook(cases).active.iter_rows(values_only=True))
    head = list(rows[0])
    by_case: dict[str, dict[str, dict]] = {}
    for row in rows[1:]:
        cells = dict(zip(head, row, strict=True))
        by_case.setdefault(cells["Case ref"], {})[cells["Assessor"]] = cells
    scored = {"met", "partially met", "fully met", "part met", "partly met", "not met",
              "unmet"}
    compared = {p["case_ref"] for p in doc["cases"]}
    for agreement in doc["criteria"]:
        c = agreement["id"]
        both = [(s["Force"][c], s["Inspector"][c]) for ref, s in by_case.items()
                if ref in compared
                if _spelling(s["Force"][c] or "") in scored
                and _spelling(s["Inspector"][c] or "") in scored]
        lowest = {"not met", "unmet"}
        assert agreement["pairs"] == len(both)
        assert agreement["force_no"] == sum(_spelling(f) in lowest for f, _ in both)
        assert agreement["inspector_no"] == sum(_spelling(i) in lowest for _, i in both)
    human = invoke(runner, "compare", cases, "--rubric", RUBRIC, "--threshold", "1").stdout
    assert "Force 'not" in human and "'no'" not in human
    # the criteria answered differently, in the rubric's words (not its keys)
    flat = " ".join(human.split())
    assert re.search(r"\w+: (Met|Partially met|Not met|Not applicable|blank) / "
                     r"(Met|Partially met|Not met|Not applicable|blank)", flat)
    assert "not_met" not in human and "partially_met" not in human


def test_annex_tables_use_the_answer_labels(runner, cases, tmp_path):
    out = tmp_path / "annex.json"
    assert invoke(runner, "annex", cases, "--rubric", RUBRIC, "--out", out).exit_code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    table = next(t for t in doc["tables"] if t["name"] == "criterion_compliance")
    titles = [c["title"] for c in table["columns"]]
    assert titles[3:9] == ["Met", "Partially met", "Not met", "Answered", "Met of answered",
                           "Not met of answered"]
    assert len(set(titles)) == len(titles)
    keys = [c["key"] for c in table["columns"]]
    rows = list(openpyxl.load_workbook(cases).active.iter_rows(values_only=True))
    inspector = [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[3] == "Inspector"]
    for row in table["rows"]:
        cells = dict(zip(keys, row, strict=True))
        if cells["scope"] != "inspectors, all cases":
            continue
        typed = Counter(_spelling(a[cells["criterion"]] or "") for a in inspector)
        met = sum(typed[w] for w in ("met", "fully met"))
        part = sum(typed[w] for w in ("partially met", "partly met", "part met"))
        not_met = sum(typed[w] for w in ("not met", "unmet"))
        assert [cells["answer_met"], cells["partially_met"], cells["answer_not_met"],
                cells["answered"]] == [met, part, not_met, met + part + not_met]
        assert cells["met"] == f"{met} of {met + part + not_met}"
    for suffix in (".xlsx", ".md"):
        other = tmp_path / f"annex{suffix}"
        assert invoke(runner, "annex", cases, "--rubric", RUBRIC, "--out", other
                      ).exit_code == 0


def test_report_and_template_speak_the_rubrics_words(runner, cases, tmp_path):
    report = tmp_path / "report.md"
    result = invoke(runner, "report", cases, "--rubric", RUBRIC, "--out", report)
    assert result.exit_code == 0, result.stderr
    text = report.read_text(encoding="utf-8")
    assert "with met, partially met, not met or not applicable" in text
    assert "yes, partly" not in text
    form = tmp_path / "form.xlsx"
    assert invoke(runner, "template", "--rubric", RUBRIC, "--out", form).exit_code == 0
    book = openpyxl.load_workbook(form)
    lists = book["Lists"]
    column = next(c for c in lists.iter_cols(values_only=True) if c[0] == "Answer")
    assert [v for v in column[1:] if v] == ["Met", "Partially met", "Not met",
                                            "Not applicable"]
    messages = [v.error for v in book["Cases"].data_validations.dataValidation
                if v.error and "Answer" in v.error]
    assert messages and all("met, partially met, not met or not applicable" in m
                            for m in messages)


def test_rubric_show_and_check(runner):
    shown = invoke(runner, "rubric", "show", str(RUBRIC))
    assert shown.exit_code == 0
    assert "Met 1, Partially met 0.5, Not met 0" in " ".join(shown.stdout.split())
    assert invoke(runner, "rubric", "check", str(RUBRIC)).exit_code == 0


PLANTED = """\
answers:
  - {key: met, label: Met, score: 1}
  - {key: partially_met, label: Partially met, aliases: [part met], score: 1.5}
  - {key: not_met, label: Not met, aliases: [Part Met], score: 0}
  - {key: met, label: Met again, score: null}
"""


def _edited(answers: str, limiting: str | None = None) -> str:
    text = RUBRIC.read_text(encoding="utf-8")
    start, end = text.index("answers:\n"), text.index("case_types:")
    text = text[:start] + answers + text[end:]
    if limiting is not None:
        text = text[:text.index("limiting:")] + limiting + text[text.index("min_answered"):]
    return text


def test_rubric_check_lists_each_answer_problem_and_nothing_else():
    limiting = ("limiting:\n  - {criterion: child_seen, when: never, cap: inadequate, "
                "reason: x}\n  - {criterion: referral_made, when: n/a, cap: inadequate, "
                "reason: y}\n")
    text = _edited(PLANTED + "  - {key: not_applicable, label: Not applicable, aliases: "
                   "[n/a], score: null}\n", limiting)
    _, problems = parse_rubric(text, file="r.yaml")
    assert {(p.code, p.column) for p in problems} == {
        ("duplicate-key", "answers[3]"),          # 'met' twice
        ("ambiguous-alias", "answers[2]"),        # 'Part Met' already means partially met
        ("bad-score", "answers[1].score"),        # 1.5
        ("unknown-answer", "limiting[0].when"),   # 'never'
        ("bad-limiting-answer", "limiting[1].when"),  # fires on an unscored answer
    }


def test_a_rubric_with_no_scored_answer_is_refused(runner, tmp_path):
    text = _edited("answers:\n  - {key: seen, label: Seen, score: null}\n",
                   "limiting: []\n")
    _, problems = parse_rubric(text, file="r.yaml")
    assert [p.code for p in problems] == ["no-scored-answer"]
    path = tmp_path / "unscored.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke(runner, "rubric", "check", str(path), "--format", "json")
    assert result.exit_code == 1  # rubric check: 1 when the rubric has problems
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["no-scored-answer"]


def test_the_older_form_still_reads_as_the_same_answers():
    text = (DATA / "three-level.yaml").read_text(encoding="utf-8")
    assert "answer_scores" in text
    rubric, problems = parse_rubric(text, file="three.yaml")
    assert problems == [] and rubric is not None
    assert rubric.answer_keys == ["yes", "partly", "no", "n/a"]
    assert [a.score for a in rubric.answers] == [1, 0.5, 0, None]
    both = text.replace("answer_scores:", "answers: []\nanswer_scores:")
    rubric, problems = parse_rubric(both, file="three.yaml")
    assert rubric is None and "not both" in problems[0].message


def test_a_criterion_that_does_not_apply_is_answered_in_the_rubrics_words(runner, tmp_path):
    rows = [["X-1", "Self-assessed", "Domestic abuse", "Inspector", "", "Met", "Met", "Met",
             "Met", "Met"]]  # return_talk applies to missing children only
    path = write_xlsx(tmp_path / "na.xlsx",
                      ["Case ref", "Sample", "Case type", "Assessor", "Area", *CRITERIA], rows)
    result = invoke(runner, "validate", path, "--rubric", RUBRIC, "--format", "json")
    problem, = [p for p in json.loads(result.stdout)["problems"]
                if p["code"] == "criterion-not-applicable"]
    assert problem["message"].endswith("leave it blank or answer not applicable")
