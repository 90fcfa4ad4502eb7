"""Write ``cases.xlsx``: the sample workbook for the reference force (GMP, July 2014).

Run from anywhere:  ``python sample_cases/gmp-2014/generate.py [--out PATH]``.
Running it again gives a byte-identical file (fixed seed, fixed workbook metadata).

What the data reproduces (see ``shared/reference/gmp-figures.md``), every figure through
the tool's own computations on the default rubric:

* 30 self-assessed cases (a force and an inspector audit each) of the Annex A types
  5/5/5/3/3/3/3/3; force grades 19/9/2/0 and inspector grades 8/16/1/5 (C1-C4);
* the force/inspector pairs below put two cases three grade levels apart (good against
  inadequate: the reference's "differed significantly", C5) and one more two levels apart;
* 84 inspector-selected cases graded 29/33/4/18 (C6-C7), of which 10 missing-children
  cases with 4 inadequate (C9);
* "officers listened to the child" (ta_child_listened_to) answered yes in 6 of the 84 (C8);
* "no significant delay" (in_no_significant_delay) examined in 36 inspector audits and
  answered no in 8 (C10);
* 9 police protection cases (3 + 6), best interests considered in all 9 (C11);
* 12 children in custody (3 self-assessed, all boys, + 9), inspectors' grades 7 adequate
  and 5 inadequate, ages 12 to 17, two girls aged 16 and 14 (C12, C13).

Criterion answers are chosen by a seeded search so that the rubric's computed grade equals
the grade the assessor wrote, except for the deliberate overrides in ``OVERRIDES``, where
the assessor's written grade stands one level away from the computed grade, to show how
overrides are flagged. Case notes are the project's own short summaries, not quotations.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

import numpy as np
import xlsxwriter

from hmic_audit import load_rubric
from hmic_audit.scoring.score import ScoreArrays, score_codes

HERE = Path(__file__).resolve().parent
SEED = 2014
AREAS = ["Bolton", "Bury", "Manchester", "Oldham", "Rochdale", "Salford", "Stockport",
         "Tameside", "Trafford", "Wigan"]
G, A, RI, I = "good", "adequate", "requires_improvement", "inadequate"  # noqa: E741

# Self-assessed cases: (case type, force grade, inspector grade). Force 19/9/2/0,
# inspectors 8/16/1/5. The first two are the pairs three levels apart.
SELF_ASSESSED = [
    ("s47_enquiry", G, I), ("domestic_abuse", G, I),
    ("general_concern", A, I), ("domestic_abuse", RI, I), ("child_in_custody", RI, I),
    ("sexual_exploitation", A, RI),
    ("s47_enquiry", G, A), ("s47_enquiry", G, A), ("domestic_abuse", G, A),
    ("domestic_abuse", G, A), ("general_concern", G, A), ("general_concern", G, A),
    ("sex_offender", G, A), ("police_protection", G, A), ("online_abuse", G, A),
    ("child_in_custody", G, A),
    ("s47_enquiry", A, A), ("general_concern", A, A), ("sex_offender", A, A),
    ("sexual_exploitation", A, A), ("online_abuse", A, A), ("child_in_custody", A, A),
    ("s47_enquiry", G, G), ("domestic_abuse", G, G), ("general_concern", G, G),
    ("sex_offender", G, G), ("police_protection", G, G), ("sexual_exploitation", G, G),
    ("online_abuse", G, G),
    ("police_protection", A, G),
]

# Inspector-selected cases: case type -> inspector grades (29/33/4/18 in all).
INSPECTOR_SELECTED = {
    "missing_child": [G, G, A, A, A, RI, I, I, I, I],
    "child_in_custody": [A, A, A, A, A, I, I, I, I],
    "police_protection": [G, G, G, A, A, A],
    "s47_enquiry": [G] * 5 + [A] * 4 + [I] * 3,
    "domestic_abuse": [G] * 6 + [A] * 6 + [RI] + [I] * 3,
    "general_concern": [G] * 4 + [A] * 4 + [RI] + [I],
    "sex_offender": [G] * 3 + [A] * 3 + [I],
    "sexual_exploitation": [G] * 3 + [A] * 3 + [RI] + [I],
    "online_abuse": [G] * 3 + [A] * 2 + [I],
}

# Children in custody: (age, gender) for the 3 self-assessed then the 9 further cases.
CUSTODY_CHILDREN = [(15, "male"), (16, "male"), (17, "male"),
                    (12, "male"), (13, "male"), (14, "female"), (15, "male"), (15, "male"),
                    (16, "female"), (16, "male"), (17, "male"), (14, "male")]

# Deliberate overrides: (case ref, assessor) -> the grade the answers should compute,
# one level from the grade the assessor wrote.
OVERRIDES = {
    ("SA-013", "force"): A,       # force wrote good; its own answers compute adequate
    ("IS-023", "inspector"): RI,  # inspector wrote adequate, weighing a good outcome
    ("IS-036", "inspector"): RI,  # inspector wrote inadequate: harm to the child followed
}

# Report examples: (case ref, assessor) -> (tag, age or None, gender or None, note).
# EXAMPLE_THEMES says which theme of the findings each one illustrates.
EXAMPLES = {
    ("SA-001", "inspector"): ("concern", 1, "male", "Infant admitted to hospital with a "
                              "head injury. No record that safeguarding was considered "
                              "overnight; siblings stayed at home with a possible suspect."),
    ("SA-002", "inspector"): ("concern", None, None, "Mother assaulted in front of her "
                              "children. Effect on the children not considered and no "
                              "discussion with social care about their safety."),
    ("SA-023", "inspector"): ("good_practice", 4, "male", "Possible burn seen by a relative. "
                              "Officers took advice, arranged safe care overnight and a "
                              "joint visit with a medical the next day."),
    ("SA-025", "inspector"): ("good_practice", 14, "female", "Suspected assault by a parent. "
                              "Officers spoke to the girl and her father apart, found an "
                              "independent witness and involved social care quickly."),
    ("IS-001", "inspector"): ("good_practice", 12, "male", "Boy repeatedly missing from a "
                              "care home. Duty inspector listened to him, gathered "
                              "information and moved him to a place of safety."),
    ("IS-007", "inspector"): ("concern", 15, "female", "Girl found in the city centre in "
                              "the early hours. No check on her welfare or the risks she "
                              "faced."),
    ("IS-008", "inspector"): ("concern", 14, "female", "Girl missing overnight with a new "
                              "boyfriend. Welfare and risks not explored on her return."),
    ("IS-020", "inspector"): ("good_practice", None, None, "Drugs and needles found in a "
                              "home with three young children. Parents arrested and the "
                              "children removed to safety at once."),
    ("IS-035", "inspector"): ("concern", 13, "female", "Alleged assault by a father took "
                              "ten days to reach an investigator; suspect not arrested."),
    ("IS-037", "inspector"): ("concern", 9, "male", "Alleged rape by a relative; three "
                              "months passed before the suspect was interviewed."),
    ("IS-054", "inspector"): ("good_practice", 12, "male", "Boy assaulted by his mother. "
                              "Joint visit at school, his wishes heard, restorative outcome "
                              "with family support."),
    ("IS-071", "inspector"): ("good_practice", 16, "male", "Young person with learning "
                              "disabilities groomed by a school bus driver. Shared "
                              "information led to a quick arrest and a protection plan."),
    ("IS-016", "inspector"): ("concern", None, None, "Custody record shows no contact with "
                              "an appropriate adult and no repeat of the child's rights."),
    ("IS-064", "inspector"): ("good_practice", None, None, "Home visit found a child with an "
                              "offender barred from contact. Officers warned the mother and "
                              "brought in social care; a joint investigation followed."),
}
EXAMPLE_THEMES = {
    "SA-001": "initial_contact", "SA-002": "initial_contact", "SA-023": "initial_contact",
    "SA-025": "initial_contact", "IS-001": "decision_making", "IS-007": "assessment_help",
    "IS-008": "assessment_help", "IS-020": "decision_making", "IS-035": "investigation",
    "IS-037": "investigation", "IS-054": "trusted_adult", "IS-071": "assessment_help",
    "IS-016": "police_detention", "IS-064": "risk_management",
}
EXAMPLE_AREAS = {"SA-002": "Manchester", "IS-071": "Rochdale", "IS-007": "Manchester",
                 "IS-035": "Stockport"}

# Inspector-selected cases where officers listened to the child (C8: 6 of 84).
LISTENED = {"IS-001", "IS-026", "IS-038", "IS-054", "IS-071", "IS-072"}
# "No significant delay" (C10): answered in every inspector audit of a self-assessed case
# it applies to (19) and in these 17 inspector-selected ones; "no" in the 8 of DELAYED.
DELAY_EXAMINED = {"IS-026", "IS-027", "IS-031", "IS-032", "IS-035", "IS-037", "IS-038",
                  "IS-044", "IS-050", "IS-051", "IS-064", "IS-067", "IS-070", "IS-071",
                  "IS-074", "IS-079", "IS-084"}
DELAYED = {"SA-001", "SA-004", "SA-006", "IS-035", "IS-037", "IS-050", "IS-070", "IS-084"}

TARGET = {G: (82.0, 95.0), A: (63.0, 77.0), RI: (47.0, 57.0), I: (22.0, 40.0)}


class Builder:
    """Chooses criterion answers that make the rubric compute the wanted grade."""

    def __init__(self) -> None:
        self.rubric = load_rubric()
        self.rng = random.Random(SEED)
        self.ids = self.rubric.criterion_ids
        self.type_pos = {ct: i for i, ct in enumerate(self.rubric.case_type_keys)}
        self.caps = {rule.criterion: rule.cap for rule in self.rubric.limiting}

    def _scored(self, case_type: str, answers: dict[str, str]) -> ScoreArrays:
        """The library's own scorer, run on one audit."""
        codes = np.zeros((1, len(self.ids)), dtype=np.int8)
        for cid, answer in answers.items():
            codes[0, self.ids.index(cid)] = self.rubric.answer_codes[answer]
        return score_codes(codes, np.array([self.type_pos[case_type]]), self.rubric)

    def computed(self, case_type: str, answers: dict[str, str]) -> str:
        return self.rubric.grade_keys[int(self._scored(case_type, answers).level[0])]

    def score(self, case_type: str, answers: dict[str, str]) -> float:
        return float(self._scored(case_type, answers).score[0])

    def answers(self, case_type: str, grade: str, fixed: dict[str, str],
                start: dict[str, str] | None = None) -> dict[str, str]:
        """Answers for every applicable criterion that compute ``grade``."""
        applicable = [c.id for c in self.rubric.criteria_for(case_type)]
        answers = dict.fromkeys(applicable, "yes")
        if start:
            answers.update({k: v for k, v in start.items() if k in answers})
        answers.update(fixed)
        free = [cid for cid in applicable if cid not in fixed and cid not in self.caps]
        capped = [cid for cid in applicable if cid not in fixed and cid in self.caps]
        level = self.rubric.grade_level(grade)
        for cid in capped:  # limiting criteria: met, unless kept from `start` harmlessly
            if answers[cid] == "no" and self.rubric.grade_level(self.caps[cid]) > level:
                answers[cid] = "yes"
        low, high = TARGET[grade]
        for _ in range(400):
            score = self.score(case_type, answers)
            if self.computed(case_type, answers) == grade and low <= score <= high:
                return answers
            if score > high:
                options = [c for c in free if answers[c] != "no"]
                pick = self.rng.choice(options)
                answers[pick] = "partly" if answers[pick] == "yes" else "no"
            else:
                options = [c for c in free + capped if answers[c] != "yes"]
                if not options:
                    break
                pick = self.rng.choice(options)
                answers[pick] = "partly" if answers[pick] == "no" else "yes"
        # A score band alone cannot reach the grade: let a limiting criterion cap it.
        for cid in capped:
            if self.caps[cid] == grade:
                answers[cid] = "no"
                if self.computed(case_type, answers) == grade:
                    return answers
        raise RuntimeError(f"no answers found for {case_type} graded {grade}")


def build_rows() -> list[dict[str, object]]:
    """Every audit row of the sample, in workbook order."""
    b = Builder()
    rubric = b.rubric
    rows: list[dict[str, object]] = []
    custody = iter(CUSTODY_CHILDREN)

    def fixed_for(case_type: str, grade: str, ref: str, assessor: str,
                  inspector_selected: bool) -> dict[str, str]:
        fixed: dict[str, str] = {}
        if case_type == "police_protection":
            fixed["dm_protection_justified"] = "yes"
        if inspector_selected:
            fixed["ta_child_listened_to"] = "yes" if ref in LISTENED else b.rng.choice(
                ["no", "no", "partly"])
        if assessor == "inspector" and rubric.applies("in_no_significant_delay", case_type):
            examined = not inspector_selected or ref in DELAY_EXAMINED
            fixed["in_no_significant_delay"] = (
                "no" if ref in DELAYED else "yes") if examined else "n/a"
        if case_type == "child_in_custody" and grade == I:
            fixed["pd_appropriate_adult"] = "no"
        if case_type == "missing_child" and grade == I:
            fixed["ah_return_interview"] = "no"
        if ref in ("SA-001", "SA-002") and assessor == "inspector":
            fixed["ic_immediate_safety"] = "no"
        return fixed

    def row(ref: str, sample: str, case_type: str, area: str, assessor: str, grade: str,
            answers: dict[str, str], audited: dt.date) -> dict[str, object]:
        tag = EXAMPLES.get((ref, assessor))
        return {"case_ref": ref, "sample": sample, "case_type": case_type, "area": area,
                "assessor": assessor, "audit_date": audited, "grade": grade,
                "answers": answers, "example": tag[0] if tag else None,
                "notes": tag[3] if tag else None, "age": None, "gender": None,
                "example_theme": EXAMPLE_THEMES.get(ref) if tag else None}

    def target(ref: str, assessor: str, grade: str) -> str:
        return OVERRIDES.get((ref, assessor), grade)

    # Self-assessed: inspector audit first, the force's answers start from it.
    for n, (case_type, force_grade, insp_grade) in enumerate(SELF_ASSESSED, start=1):
        ref = f"SA-{n:03d}"
        area = EXAMPLE_AREAS.get(ref, AREAS[(n * 3) % 10])
        insp = b.answers(case_type, target(ref, "inspector", insp_grade),
                         fixed_for(case_type, insp_grade, ref, "inspector", False))
        force_fixed = fixed_for(case_type, force_grade, ref, "force", False)
        force = b.answers(case_type, target(ref, "force", force_grade), force_fixed,
                          start={k: v for k, v in insp.items()
                                 if k not in b.caps or force_grade == insp_grade})
        day = dt.date(2014, 6, 2) + dt.timedelta(days=n % 20)
        rows.append(row(ref, "self-assessed", case_type, area, "force", force_grade, force,
                        day))
        rows.append(row(ref, "self-assessed", case_type, area, "inspector", insp_grade, insp,
                        dt.date(2014, 7, 7) + dt.timedelta(days=n % 12)))
        if case_type == "child_in_custody":
            age, gender = next(custody)
            rows[-1]["age"] = rows[-2]["age"] = age
            rows[-1]["gender"] = rows[-2]["gender"] = gender

    # Inspector-selected, in a shuffled but fixed order of case types.
    plan = [(ct, g) for ct, grades in INSPECTOR_SELECTED.items() for g in grades]
    for n, (case_type, grade) in enumerate(plan, start=1):
        ref = f"IS-{n:03d}"
        area = EXAMPLE_AREAS.get(ref, AREAS[(n * 7) % 10])
        answers = b.answers(case_type, target(ref, "inspector", grade),
                            fixed_for(case_type, grade, ref, "inspector", True))
        rows.append(row(ref, "inspector-selected", case_type, area, "inspector", grade,
                        answers, dt.date(2014, 7, 7) + dt.timedelta(days=n % 15)))
        if case_type == "child_in_custody":
            rows[-1]["age"], rows[-1]["gender"] = next(custody)

    for r in rows:
        tag = EXAMPLES.get((str(r["case_ref"]), str(r["assessor"])))
        if tag and tag[1] is not None:
            r["age"], r["gender"] = tag[1], tag[2]
    _mark_not_applicable(rows, b)
    return rows


def _mark_not_applicable(rows: list[dict[str, object]], b: Builder) -> None:
    """Record n/a where a criterion applies to the type but had no bearing on the case."""
    for r in rows:
        answers = r["answers"]
        assert isinstance(answers, dict)
        if "ah_conference_attended" in answers and str(r["case_ref"]).endswith(("3", "7")):
            trial = dict(answers, ah_conference_attended="n/a")
            if b.computed(str(r["case_type"]), trial) == b.computed(str(r["case_type"]),
                                                                     answers):
                answers["ah_conference_attended"] = "n/a"


def write(path: Path) -> None:
    rubric = load_rubric()
    rows = build_rows()
    labels = {**rubric.case_type_labels, **rubric.grade_labels}
    themes = {t.key: t.label for t in rubric.themes}
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": "GMP child protection inspection 2014: case audits (sample)",
                       "author": "hmic-audit sample generator",
                       "created": dt.datetime(2014, 7, 31)})
    bold = wb.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1})
    title = wb.add_format({"bold": True, "font_size": 14})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    about = wb.add_worksheet("About")
    about.write(0, 0, "Sample audit workbook for hmic-audit", title)
    about.write(2, 0, "Synthetic data written by generate.py: it reproduces the case-level "
                "figures of HMIC's 2014 child protection inspection of Greater Manchester "
                "Police. No real child or case is described.")
    about.write(3, 0, "The audits are on the sheet named Cases.")
    ws = wb.add_worksheet("Cases")
    ws.write(0, 0, "Greater Manchester Police - child protection inspection, July 2014 - "
             "case audits", title)
    headers = ["Case ref", "Sample", "Case type", "Area", "Assessor", "Audit date",
               "Child age", "Child gender", "Grade", "Example", "Example theme", "Notes",
               *rubric.criterion_ids]
    header_row = 2
    for col, header in enumerate(headers):
        ws.write_string(header_row, col, header, bold)
    for i, r in enumerate(rows, start=header_row + 1):
        ws.write_string(i, 0, str(r["case_ref"]))
        ws.write_string(i, 1, str(r["sample"]).capitalize())
        ws.write_string(i, 2, labels[str(r["case_type"])])
        ws.write_string(i, 3, str(r["area"]))
        ws.write_string(i, 4, str(r["assessor"]).capitalize())
        ws.write_datetime(i, 5, dt.datetime.combine(r["audit_date"], dt.time()), date_fmt)  # type: ignore[arg-type]
        if r["age"] is not None:
            ws.write_number(i, 6, int(r["age"]))  # type: ignore[call-overload]
        if r["gender"] is not None:
            ws.write_string(i, 7, str(r["gender"]))
        ws.write_string(i, 8, labels[str(r["grade"])])
        if r["example"]:
            ws.write_string(i, 9, str(r["example"]).replace("_", " "))
            ws.write_string(i, 10, themes[str(r["example_theme"])])
            ws.write_string(i, 11, str(r["notes"]))
        answers = r["answers"]
        assert isinstance(answers, dict)
        for j, cid in enumerate(rubric.criterion_ids, start=12):
            if cid in answers:
                ws.write_string(i, j, answers[cid])
    ws.freeze_panes(header_row + 1, 1)
    ws.autofilter(header_row, 0, header_row + len(rows), len(headers) - 1)
    ws.set_column(0, 0, 10)
    ws.set_column(2, 2, 34)
    ws.set_column(10, 10, 18)
    ws.set_column(11, 11, 40)
    wb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "cases.xlsx")
    args = parser.parse_args()
    write(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
