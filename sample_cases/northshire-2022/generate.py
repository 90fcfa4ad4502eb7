"""Write ``cases.xlsx``: a synthetic sample for a fictional force (Northshire Police, 2022).

Run from anywhere:  ``python sample_cases/northshire-2022/generate.py [--out PATH]``.
Running it again gives a byte-identical file (fixed seed, fixed workbook metadata).

Northshire Police, its areas, cases and children are invented. The sample shows the
shipped three-level rubric ``child-protection-2021`` at work on figures shaped like those
the 2021-23 child protection inspections published (38 cases audited by inspectors:
10 good, 18 requiring improvement, 10 inadequate):

* 38 cases audited by inspectors, graded 10 / 18 / 10 (good / requires improvement /
  inadequate);
* 14 of them self-assessed (the force audited them first, then inspectors reviewed them):
  force grades 9 / 5 / 0, inspector grades 4 / 6 / 4; the force was the more generous,
  two cases it judged good were inadequate to inspectors (two levels apart: "differ
  significantly" on this scale), and in one case the force was harsher;
* 24 inspector-selected cases graded 6 / 12 / 6;
* 4 children in custody (one self-assessed), with ages and genders for the report.

Criterion answers are chosen by a seeded search so that the rubric's computed grade
equals the grade the assessor wrote, except in ``OVERRIDES``, where the written grade
stands one level from the computed one, to show how overrides are flagged. Notes are the
project's own invented summaries.
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
RUBRIC = "child-protection-2021"
SEED = 2022
AREAS = ["Kelmouth", "Redmarsh", "Tollbridge", "Westerholt"]
G, RI, I = "good", "requires_improvement", "inadequate"  # noqa: E741

# Self-assessed cases: (case type, force grade, inspector grade).
# Force 9 / 5 / 0, inspectors 4 / 6 / 4; SA-001 and SA-002 are two levels apart.
SELF_ASSESSED = [
    ("s47_enquiry", G, I), ("domestic_abuse", G, I),
    ("missing_child", RI, I), ("child_exploitation", RI, I),
    ("general_concern", G, RI), ("domestic_abuse", G, RI), ("s47_enquiry", G, RI),
    ("online_abuse", G, RI), ("police_protection", RI, RI), ("child_in_custody", RI, RI),
    ("s47_enquiry", G, G), ("domestic_abuse", G, G), ("child_exploitation", G, G),
    ("general_concern", RI, G),
]

# Inspector-selected cases: case type -> inspector grades (6 / 12 / 6 in all).
INSPECTOR_SELECTED = {
    "s47_enquiry": [G, RI, I],
    "domestic_abuse": [G, RI, RI],
    "general_concern": [G, RI],
    "missing_child": [RI, RI, I, I],
    "child_exploitation": [G, RI, I],
    "online_abuse": [RI, RI, I],
    "police_protection": [G, RI, RI],
    "child_in_custody": [G, RI, I],
}

# Children in custody: (age, gender), the self-assessed case first.
CUSTODY_CHILDREN = [(16, "male"), (15, "male"), (17, "female"), (14, "male")]

# Deliberate overrides: (case ref, assessor) -> the grade the answers should compute,
# one level from the grade the assessor wrote.
OVERRIDES = {
    ("SA-005", "force"): RI,  # the force wrote good; its own answers compute requires improvement
}

# Report examples: (case ref, assessor) -> (tag, age or None, gender or None, theme, note).
EXAMPLES = {
    ("SA-001", "inspector"): ("concern", 6, "female", "initial_response",
                              "Teacher saw bruising on a girl's arm. Officers visited two "
                              "days later and left her at home with the adult she named."),
    ("SA-002", "inspector"): ("concern", None, None, "initial_response",
                              "Repeat call to a house where a toddler lived. The child was "
                              "not seen and the earlier calls were not linked."),
    ("SA-011", "inspector"): ("good_practice", 9, "male", "partnership",
                              "Same-day strategy discussion, joint visit with a social "
                              "worker and a protection plan agreed within the week."),
    ("IS-010", "inspector"): ("concern", 14, "female", "risk_referral",
                              "Girl missing for the fourth time in a month; no one asked "
                              "where she had been when she came back."),
    ("IS-013", "inspector"): ("good_practice", 15, "male", "voice_of_child",
                              "Boy found carrying drugs far from home was treated as a "
                              "victim; officers recorded his own account and fears."),
    ("IS-017", "inspector"): ("concern", None, None, "investigation",
                              "Indecent images reported by a parent; the suspect's devices "
                              "were not seized for five weeks."),
    ("IS-024", "inspector"): ("concern", None, None, "custody",
                              "Custody record shows the child was interviewed before an "
                              "appropriate adult arrived."),
}
EXAMPLE_AREAS = {"SA-001": "Redmarsh", "IS-010": "Kelmouth"}

# Missing children (inspector audits): the welfare check on return where it was not "no".
WELFARE_CHECKS = {"IS-009": "partly", "IS-012": "yes"}
# Inspector audits of investigations held back by avoidable delay (online abuse above all).
DELAYED = {"SA-001", "SA-007", "IS-003", "IS-016", "IS-017", "IS-018"}
# Inspector audits where the risks to the child were not identified.
RISKS_MISSED = {"IS-005"}
# Inspector audits whose answers score in the good band but a limiting criterion caps
# them at requires improvement (IS-005: risks not identified; IS-010: no welfare check).
CAPPED = {"IS-005", "IS-010"}

TARGET = {G: (78.0, 95.0), RI: (54.0, 71.0), I: (25.0, 46.0)}


class Builder:
    """Chooses criterion answers that make the rubric compute the wanted grade."""

    def __init__(self) -> None:
        self.rubric = load_rubric(RUBRIC)
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
                start: dict[str, str] | None = None,
                window: tuple[float, float] | None = None) -> dict[str, str]:
        """Answers for every applicable criterion that compute ``grade``, with a score in
        ``window`` (default: the grade's own ``TARGET``)."""
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
        low, high = window or TARGET[grade]
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
        raise RuntimeError(f"no answers found for {case_type} graded {grade}")


def _fixed(b: Builder, case_type: str, grade: str, ref: str,
           assessor: str) -> dict[str, str]:
    """Answers decided before the search: the story of each case."""
    fixed: dict[str, str] = {}
    if case_type == "police_protection":
        fixed["su_protection_necessary"] = "yes"
    if case_type == "child_in_custody" and grade == I:
        fixed["cu_appropriate_adult"] = "no"
    if assessor == "inspector":
        if ref in ("SA-001", "SA-002"):
            fixed["ir_child_made_safe"] = "no"
        if case_type == "missing_child":
            fixed["ra_found_welfare_check"] = WELFARE_CHECKS.get(ref, "no")
        if ref in RISKS_MISSED:
            fixed["ra_risk_identified"] = "no"
        elif grade != G and int(ref[3:]) % 2:
            fixed["ra_risk_identified"] = "partly"
        if case_type in ("missing_child", "child_exploitation", "child_in_custody") \
                and grade == RI and int(ref[3:]) % 2 == 0:
            fixed["vc_treated_as_child"] = "partly"
        if case_type == "child_exploitation" and grade == G:
            fixed["vc_treated_as_child"] = "yes"
        if ref in DELAYED:
            fixed["in_no_undue_delay"] = "no"
    return fixed


def build_rows() -> list[dict[str, object]]:
    """Every audit row of the sample, in workbook order."""
    b = Builder()
    rows: list[dict[str, object]] = []
    custody = iter(CUSTODY_CHILDREN)

    def row(ref: str, sample: str, case_type: str, area: str, assessor: str, grade: str,
            answers: dict[str, str], audited: dt.date) -> dict[str, object]:
        tag = EXAMPLES.get((ref, assessor))
        return {"case_ref": ref, "sample": sample, "case_type": case_type, "area": area,
                "assessor": assessor, "audit_date": audited, "grade": grade,
                "answers": answers, "example": tag[0] if tag else None,
                "age": tag[1] if tag else None, "gender": tag[2] if tag else None,
                "example_theme": tag[3] if tag else None, "notes": tag[4] if tag else None}

    def target(ref: str, assessor: str, grade: str) -> str:
        return OVERRIDES.get((ref, assessor), grade)

    # Self-assessed: inspector audit first; the force's answers start from it.
    for n, (case_type, force_grade, insp_grade) in enumerate(SELF_ASSESSED, start=1):
        ref = f"SA-{n:03d}"
        area = EXAMPLE_AREAS.get(ref, AREAS[n % len(AREAS)])
        insp = b.answers(case_type, target(ref, "inspector", insp_grade),
                         _fixed(b, case_type, insp_grade, ref, "inspector"))
        force = b.answers(case_type, target(ref, "force", force_grade),
                          _fixed(b, case_type, force_grade, ref, "force"),
                          start={k: v for k, v in insp.items()
                                 if k not in b.caps or force_grade == insp_grade})
        rows.append(row(ref, "self-assessed", case_type, area, "force", force_grade, force,
                        dt.date(2022, 4, 4) + dt.timedelta(days=n % 17)))
        rows.append(row(ref, "self-assessed", case_type, area, "inspector", insp_grade,
                        insp, dt.date(2022, 5, 9) + dt.timedelta(days=n % 11)))
        if case_type == "child_in_custody":
            age, gender = next(custody)
            rows[-1]["age"] = rows[-2]["age"] = age
            rows[-1]["gender"] = rows[-2]["gender"] = gender

    plan = [(ct, g) for ct, grades in INSPECTOR_SELECTED.items() for g in grades]
    for n, (case_type, grade) in enumerate(plan, start=1):
        ref = f"IS-{n:03d}"
        area = EXAMPLE_AREAS.get(ref, AREAS[(n * 3) % len(AREAS)])
        answers = b.answers(case_type, target(ref, "inspector", grade),
                            _fixed(b, case_type, grade, ref, "inspector"),
                            window=TARGET[G] if ref in CAPPED else None)
        rows.append(row(ref, "inspector-selected", case_type, area, "inspector", grade,
                        answers, dt.date(2022, 5, 9) + dt.timedelta(days=n % 12)))
        if case_type == "child_in_custody":
            rows[-1]["age"], rows[-1]["gender"] = next(custody)
    _mark_not_applicable(rows, b)
    return rows


# Criteria that often had no bearing on a case of a type they apply to: answered n/a
# where that leaves the computed grade unchanged.
OFTEN_NOT_APPLICABLE = ("cu_accommodation_requested", "in_disruption_used",
                        "in_child_account")


def _mark_not_applicable(rows: list[dict[str, object]], b: Builder) -> None:
    for n, r in enumerate(rows):
        answers = r["answers"]
        assert isinstance(answers, dict)
        for cid in OFTEN_NOT_APPLICABLE:
            if cid not in answers or n % 3 == 0:
                continue
            trial = dict(answers, **{cid: "n/a"})
            case_type = str(r["case_type"])
            if b.computed(case_type, trial) == b.computed(case_type, answers):
                answers[cid] = "n/a"
                break


def write(path: Path) -> None:
    rubric = load_rubric(RUBRIC)
    rows = build_rows()
    labels = {**rubric.case_type_labels, **rubric.grade_labels}
    answer_labels = {a.key: a.label for a in rubric.answers}
    themes = {t.key: t.label for t in rubric.themes}
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": "Northshire Police child protection inspection 2022: case "
                                "audits (fictional sample)",
                       "author": "hmic-audit sample generator",
                       "created": dt.datetime(2022, 5, 31)})
    bold = wb.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1})
    title = wb.add_format({"bold": True, "font_size": 14})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    about = wb.add_worksheet("About")
    about.write(0, 0, "Sample audit workbook for hmic-audit", title)
    about.write(2, 0, "Synthetic data written by generate.py for a fictional force, "
                "Northshire Police, graded with the rubric child-protection-2021. No real "
                "force, child or case is described.")
    about.write(3, 0, "The audits are on the sheet named Cases.")
    ws = wb.add_worksheet("Cases")
    ws.write(0, 0, "Northshire Police - child protection inspection, May 2022 - case "
             "audits (fictional)", title)
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
        audited = r["audit_date"]
        assert isinstance(audited, dt.date)
        ws.write_datetime(i, 5, dt.datetime.combine(audited, dt.time()), date_fmt)
        if r["age"] is not None:
            ws.write_number(i, 6, int(str(r["age"])))
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
                ws.write_string(i, j, answer_labels[answers[cid]])
    ws.freeze_panes(header_row + 1, 1)
    ws.autofilter(header_row, 0, header_row + len(rows), len(headers) - 1)
    ws.set_column(0, 0, 10)
    ws.set_column(2, 2, 40)
    ws.set_column(10, 10, 26)
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
