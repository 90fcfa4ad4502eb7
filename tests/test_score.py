"""Scoring arithmetic on hand-worked audits, and the vectorised scorer cross-checked."""

from __future__ import annotations

import random

import pytest

from hmic_audit import Assessor, Audit, AuditSet, GradedAudit, Sample, grade, load_rubric

from .conftest import DATA


def grade_audits(audits: list[Audit], rubric) -> list[GradedAudit]:
    """Grade audits built in code (as the library API allows) and return per-audit results."""
    audit_set = AuditSet(file="t.xlsx", sha256="0" * 64, layout="long", audits=audits)
    return grade(audit_set, rubric).audits


@pytest.fixture(scope="module")
def three():
    return load_rubric(DATA / "three-level.yaml")


def audit(case_type="domestic_abuse", grade=None, **answers):
    return Audit(case_ref="X", sample=Sample.INSPECTOR_SELECTED, case_type=case_type,
                 assessor=Assessor.INSPECTOR, grade=grade, answers=answers)


# Three-level rubric: seen (weight 2), recorded (1), referred (1, domestic abuse only),
# appropriate_adult (2, custody only, caps at inadequate when "no"). Bands: good >= 75,
# requires improvement >= 50. Answers score yes 1, partly 0.5, no 0.
@pytest.mark.parametrize("a, score, band, computed", [
    # (2*1 + 1*0.5 + 1*0) / 4 = 62.5
    (audit(seen="yes", recorded="partly", referred="no"), 62.5, "requires_improvement",
     "requires_improvement"),
    # n/a leaves the denominator: (2 + 1) / 3 = 100
    (audit(seen="yes", recorded="yes", referred="n/a"), 100.0, "good", "good"),
    # exactly on a band's lower bound earns that band: (2 + 0 + 1) / 4 = 75
    (audit(seen="yes", recorded="no", referred="yes"), 75.0, "good", "good"),
    # (2 + 1 + 0) / 5 = 60 -> requires improvement by score, capped to inadequate
    (audit("child_in_custody", seen="yes", recorded="yes", appropriate_adult="no"), 60.0,
     "requires_improvement", "inadequate"),
    # (1 + 0 + 2) / 5 = 60, no cap
    (audit("child_in_custody", seen="partly", recorded="no", appropriate_adult="yes"), 60.0,
     "requires_improvement", "requires_improvement"),
    # (0 + 0 + 0) / 4 = 0
    (audit(seen="no", recorded="no", referred="no"), 0.0, "inadequate", "inadequate"),
])
def test_hand_worked_scores(three, a, score, band, computed):
    [g] = grade_audits([a], three)
    assert g.gradable
    assert g.score == pytest.approx(score)
    assert g.band_grade == band
    assert g.computed_grade == computed
    assert g.final_grade == computed


def test_cap_is_explained(three):
    [g] = grade_audits([audit("child_in_custody", seen="yes", recorded="yes",
                              appropriate_adult="no")], three)
    assert g.caps == ["appropriate_adult"]
    assert g.reasons[0].kind == "cap"
    assert "no appropriate adult" in g.reasons[0].message
    # then the points lost, largest first: appropriate_adult cost 2/5 of the score
    points = [(r.criterion, r.points_lost) for r in g.reasons if r.kind == "points"]
    assert points == [("appropriate_adult", 40.0)]


def test_points_lost_are_shares_of_the_score(three):
    [g] = grade_audits([audit(seen="partly", recorded="no", referred="yes")], three)
    # possible 4: seen partly loses 1 (25 points), recorded no loses 1 (25 points)
    assert [(r.criterion, r.points_lost) for r in g.reasons] == [("seen", 25.0),
                                                                ("recorded", 25.0)]
    assert g.score == pytest.approx(50.0)


def test_too_few_answers_is_not_gradable_not_inadequate(three):
    [g] = grade_audits([audit(seen="n/a", recorded="no")], three)
    assert not g.gradable
    assert g.score is None and g.computed_grade is None and g.final_grade is None
    assert g.reasons[0].kind == "not-gradable"
    assert "only 1 scored answer" in g.reasons[0].message


def test_written_grade_is_kept_and_difference_flagged(three):
    [same, differ, ungradable] = grade_audits([
        audit(grade="good", seen="yes", recorded="yes", referred="yes"),
        audit(grade="requires_improvement", seen="yes", recorded="yes", referred="yes"),
        audit(grade="good", recorded="yes"),
    ], three)
    assert (same.computed_grade, same.final_grade, same.override) == ("good", "good", False)
    assert (differ.computed_grade, differ.given_grade, differ.final_grade, differ.override) == \
        ("good", "requires_improvement", "requires_improvement", True)
    # a written grade on an audit too thin to compute stands, without an override flag
    assert (ungradable.computed_grade, ungradable.final_grade, ungradable.override) == \
        (None, "good", False)


def test_theme_scores(three):
    [g] = grade_audits([audit("child_in_custody", seen="yes", recorded="no",
                              appropriate_adult="yes")], three)
    assert g.theme_scores == {"contact": pytest.approx(100 * 2 / 3), "custody": 100.0}


def _reference_grade(a: Audit, rubric) -> tuple[float | None, str | None]:
    """An independent, plain-Python reading of the scoring rules in the rubric docstring."""
    earned = possible = 0.0
    answered = 0
    for c in rubric.criteria:
        if c.applies_to is not None and a.case_type not in c.applies_to:
            continue
        answer = a.answers.get(c.id)
        scores = {"yes": 1.0, "partly": 0.5, "no": 0.0}  # as the rubric file declares
        if answer in scores:
            earned += c.weight * scores[answer]
            possible += c.weight
            answered += 1
    if answered < rubric.min_answered or possible == 0:
        return None, None
    score = 100 * earned / possible
    level = len(rubric.scale) - 1
    for i, g in enumerate(rubric.grade_keys):
        if score >= rubric.bands[g] - 1e-9:
            level = i
            break
    for rule in rubric.limiting:
        applies = rubric.applies(rule.criterion, a.case_type)
        if applies and a.answers.get(rule.criterion) == (rule.when or "no"):
            level = max(level, rubric.grade_level(rule.cap))
    return score, rubric.grade_keys[level]


def test_vectorised_scorer_matches_a_plain_implementation(rubric):
    rng = random.Random(7)
    audits = []
    for _ in range(600):
        case_type = rng.choice(rubric.case_type_keys)
        answers = {c.id: rng.choice(["yes", "yes", "partly", "no", "n/a"])
                   for c in rubric.criteria_for(case_type) if rng.random() < 0.8}
        audits.append(audit(case_type, **answers))
    graded = grade_audits(audits, rubric)
    for a, g in zip(audits, graded, strict=True):
        score, grade = _reference_grade(a, rubric)
        assert g.computed_grade == grade
        if score is None:
            assert g.score is None
        else:
            assert g.score == pytest.approx(score, abs=1e-5)
    assert {g.computed_grade for g in graded} >= set(rubric.grade_keys)


# grade --format json: built column by column, the same bytes as encoding each record ----

AWKWARD = ["SA-\"1\"", "é-ü 42", "tab\there", "bell\x07", "line\nbreak", "\\back", "", "🙂",
           "</script>", "%s %d {0}"]


@pytest.mark.parametrize("fixture", ["sample_path", "generated", "wide_sample", "plain_refs"])
def test_json_lines_are_exactly_each_record_encoded(request, fixture, tmp_path):
    import dataclasses

    import numpy as np
    import orjson

    from hmic_audit import read_audits

    rubric = load_rubric()
    if fixture == "sample_path":
        path = request.getfixturevalue(fixture)
    elif fixture in ("generated", "plain_refs"):  # random answers: caps, not gradable
        from benchmarks.generate import write

        path = tmp_path / "generated.csv"
        write(2000, path)
    else:
        path = _wide(tmp_path)
    frame, _ = read_audits(path, rubric)
    # awkward references, or plain ones (none to escape: quoted as they are)
    refs = np.array([f"Réf {i} 🙂" if fixture == "plain_refs" else
                     AWKWARD[i % len(AWKWARD)] + str(i) for i in range(len(frame))],
                    dtype=object)
    areas = np.array([None if i % 3 else AWKWARD[i % len(AWKWARD)] for i in range(len(frame))],
                     dtype=object)
    frame = dataclasses.replace(frame.with_refs(refs), extras={**frame.extras, "area": areas},
                                sheet="Sheet \"1\"")
    result = grade(frame, rubric)
    records = result.records(slice(0, len(result)))
    lines = result.json_lines(slice(0, len(result)))
    assert lines == [orjson.dumps(r).decode("utf-8") for r in records]
    document = result.document()  # the streamed document parses back to the records
    assert document["audits"] == records
    kinds = {reason["kind"] for r in records for reason in r["reasons"]}
    assert kinds == {"sample_path": {"points", "cap"}, "wide_sample": {"not-gradable"},
                     "generated": {"points", "cap", "not-gradable"},
                     "plain_refs": {"points", "cap", "not-gradable"}}[fixture]
    if fixture in ("generated", "plain_refs"):  # grades lowered by caps, and not
        assert any(r["caps"] for r in records) and any(not r["caps"] for r in records)


def test_json_encoders_give_orjsons_bytes():
    """The column encoders' shortcuts (distinct floats by their bits, constant columns
    written into the pattern, plain texts quoted as they are) give orjson's bytes."""
    import numpy as np
    import orjson

    from hmic_audit.scoring.json_lines import assemble, encode_distinct, encode_floats

    floats = np.array([0.0, -0.0, np.nan, 1.5, 1e-7, 1e20, 66.66666666666667, 1.5, -0.0])
    assert encode_floats(floats) == [
        orjson.dumps(None if np.isnan(v) else float(v)).decode() for v in floats]
    assert encode_floats(np.full(3, np.nan)) == ["null"] * 3
    for texts in ([f"C{i:05d} é" for i in range(100)],  # plain: quoted as they are
                  [f"C{i}" for i in range(99)] + ['say "hi"'],  # one to escape
                  [f"C{i}" for i in range(99)] + ["line\u2028sep"],
                  [f"C{i}" for i in range(99)] + [None],
                  ["Bolton", "Bury"] * 50):  # few distinct
        assert encode_distinct(texts) == [orjson.dumps(t).decode() for t in texts]
    rows = [{"a%s": 1, "b": "100%", "c": i, "d": "x%d"} for i in range(4)]
    columns = [(k, [orjson.dumps(r[k]).decode() for r in rows]) for k in rows[0]]
    assert assemble(columns) == [orjson.dumps(r).decode() for r in rows]
    with pytest.raises(ValueError):  # a constant column of another length is refused
        assemble([("a", ["1"]), ("b", ["2", "3"])])
    assert assemble([]) == []
    constant = [(k, c) for k, c in columns if k != "c"]  # nothing varies
    assert assemble(constant) == [orjson.dumps({k: r[k] for k in r if k != "c"}).decode()
                                  for r in rows]


def _wide(tmp_path):
    from .conftest import write_xlsx

    return write_xlsx(tmp_path / "wide.xlsx", ["Case ref", "Case type", "Self grade",
                                              "Inspector grade"],
                      [["W1", "s47", "Good", "Adequate"], ["W2", "DA", None, "Inadequate"],
                       ["W3", "CSE", "RI", None]])


def test_a_grades_only_audit_says_so_rather_than_counting_zero_answers(tmp_path):
    from hmic_audit import read_audits

    rubric = load_rubric()
    frame, _ = read_audits(_wide(tmp_path), rubric)
    result = grade(frame, rubric)
    messages = {r["message"] for rec in result.records(slice(0, len(result)))
                for r in rec["reasons"]}
    assert messages == {"no criterion is answered (a grades-only audit), so the rubric "
                        "computes no grade; the grade written in the workbook is used"}
