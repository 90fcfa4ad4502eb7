"""Write ``cases.xlsx``: a synthetic sample for the 2024 rubric (five-tier scale, five topics).

Run from anywhere:  ``python sample_cases/wyvern-valley-2024/generate.py [--out PATH]``.
Running it again gives a byte-identical file (fixed seed, fixed workbook metadata).

Wyvern Valley Police is a fictional force; no real force, child or case is described.
The sample has 48 case file reviews by inspectors (12 of cases the force had
self-assessed, 36 more the inspectors chose) and the force's 12 self-assessments, in the
long layout (one row per audit, an ``Assessor`` column), answered in the rubric's words
(evident, partly evident, not evident, not applicable) by the inspectors and in the older
words (yes, partly, no, n/a, which the rubric accepts as aliases) by the force.

How the answers are chosen: every review has a wanted grade per topic, drawn from the
topic's profile in ``TOPIC_PROFILES`` (so topics differ: partnership working mostly good,
leadership weaker); the answers to the topic's criteria are then drawn at random (seeded)
until the topic's score falls in the wanted grade's band. The grade written on each row is
the grade the library computes from those answers, apart from ``OVERRIDES``, where the
inspector wrote a grade one level from it. The force's answers start from the inspectors'
and are a little kinder. Topics a case type has no criterion for (investigation for a
missing child or police protection case) are not scored for it; ``UNSCORED`` lists
reviews where the inspectors found a topic not applicable at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

import numpy as np
import xlsxwriter

from hmic_audit import load_rubric
from hmic_audit.scoring.score import score_codes

HERE = Path(__file__).resolve().parent
RUBRIC = HERE.parents[1] / "rubrics" / "child-protection-2024.yaml"
SEED = 2024
AREAS = ["Ashcombe", "Brackenford", "Carrowmere", "Dunholt", "Elsbury"]
O, G, A, RI, I = "outstanding", "good", "adequate", "requires_improvement", "inadequate"  # noqa: E741
LEVELS = [O, G, A, RI, I]

# Case types of the reviews: 12 self-assessed, then 36 selected by inspectors.
SELF_ASSESSED = ["s47_enquiry", "s47_enquiry", "domestic_abuse", "domestic_abuse",
                 "domestic_abuse", "missing_child", "missing_child", "sexual_exploitation",
                 "criminal_exploitation", "online_abuse", "police_protection", "sex_offender"]
INSPECTOR_SELECTED = (["s47_enquiry"] * 6 + ["domestic_abuse"] * 8 + ["missing_child"] * 6
                      + ["sexual_exploitation"] * 4 + ["criminal_exploitation"] * 4
                      + ["online_abuse"] * 3 + ["police_protection"] * 3
                      + ["sex_offender"] * 2)

# Per topic, the relative weight of each wanted grade (outstanding .. inadequate).
TOPIC_PROFILES = {
    "leadership_oversight": [1, 6, 12, 18, 11],
    "partnership_working": [8, 30, 8, 3, 1],
    "initial_response": [4, 14, 16, 9, 5],
    "risk_referral": [5, 19, 13, 8, 3],
    "investigation": [2, 10, 14, 10, 4],
}
# How likely each answer is for a criterion of a topic wanted at each grade.
ANSWER_ODDS = {O: (95, 5, 0), G: (75, 20, 5), A: (50, 35, 15), RI: (35, 35, 30),
               I: (15, 30, 55)}
# Reviews whose inspectors found a topic not applicable at all (its answers n/a).
UNSCORED = {("IS-035", "initial_response"), ("IS-036", "initial_response"),
            ("SA-012", "initial_response")}
# Inspector reviews whose written grade is one level from the computed grade.
OVERRIDES = {"IS-007": +1, "IS-021": -1}
# Report examples: case ref -> (tag, theme, note); the project's own short summaries.
EXAMPLES = {
    "IS-003": ("good_practice", "partnership_working", "Teenager disclosed abuse at school. "
               "Police and social care met the same afternoon and agreed a joint plan."),
    "IS-012": ("concern", "leadership_oversight", "Repeat domestic abuse call. No "
               "supervisor had looked at the file in five weeks."),
    "IS-018": ("concern", "risk_referral", "Child found after two nights missing. Nobody "
               "asked where the child had been or who with."),
}


class Builder:
    """Draws answers whose topic scores fall in the wanted bands."""

    def __init__(self) -> None:
        self.rubric = load_rubric(RUBRIC)
        self.rng = random.Random(SEED)
        self.ids = self.rubric.criterion_ids
        self.type_pos = {ct: i for i, ct in enumerate(self.rubric.case_type_keys)}
        self.lower = [self.rubric.bands[g] for g in LEVELS]

    def scored(self, case_type: str, answers: dict[str, str]):  # type: ignore[no-untyped-def]
        """The library's own scorer, run on one audit."""
        codes = np.zeros((1, len(self.ids)), dtype=np.int8)
        for cid, answer in answers.items():
            codes[0, self.ids.index(cid)] = self.rubric.answer_codes[answer]
        return score_codes(codes, np.array([self.type_pos[case_type]]), self.rubric)

    def band(self, score: float) -> str:
        return next(g for g, low in zip(LEVELS, self.lower, strict=True) if score >= low)

    def topic(self, case_type: str, theme: str, wanted: str) -> dict[str, str]:
        """Answers to the topic's criteria for the case type scoring in ``wanted``'s band
        (the closest found when no draw reaches it)."""
        criteria = [c for c in self.rubric.criteria_for(case_type) if c.theme == theme]
        if not criteria:
            return {}
        odds = ANSWER_ODDS[wanted]
        best: tuple[float, dict[str, str]] | None = None
        target = LEVELS.index(wanted)
        for _ in range(300):
            answers = {c.id: self.rng.choices(["evident", "partly_evident", "not_evident"],
                                              odds)[0] for c in criteria}
            score = float(self.scored(case_type, answers).theme_scores[theme][0])
            miss = abs(LEVELS.index(self.band(score)) - target)
            if miss == 0:
                return answers
            if best is None or miss < best[0]:
                best = (miss, answers)
        assert best is not None
        return best[1]

    def grade(self, case_type: str, answers: dict[str, str]) -> str:
        return self.rubric.grade_keys[int(self.scored(case_type, answers).level[0])]


def kinder(b: Builder, answers: dict[str, str]) -> dict[str, str]:
    """The force's answers: the inspectors', with some shortfalls read more kindly."""
    up = {"not_evident": "partly_evident", "partly_evident": "evident"}
    return {cid: up[a] if a in up and b.rng.random() < 0.35 else a
            for cid, a in answers.items()}


def build_rows() -> list[dict[str, object]]:
    """Every audit row of the sample, in workbook order."""
    b = Builder()
    rows: list[dict[str, object]] = []
    plan = [(f"SA-{n:03d}", "self-assessed", ct) for n, ct in enumerate(SELF_ASSESSED, 1)]
    plan += [(f"IS-{n:03d}", "inspector-selected", ct)
             for n, ct in enumerate(INSPECTOR_SELECTED, 1)]
    for n, (ref, sample, case_type) in enumerate(plan):
        answers: dict[str, str] = {}
        for theme, weights in TOPIC_PROFILES.items():
            wanted = b.rng.choices(LEVELS, weights)[0]
            part = b.topic(case_type, theme, wanted)
            if (ref, theme) in UNSCORED:
                part = dict.fromkeys(part, "not_applicable")
            answers.update(part)
        if case_type in ("s47_enquiry", "domestic_abuse") and n % 5 == 2:
            answers["pw_joint_decision"] = "not_applicable"  # threshold not met
        computed = b.grade(case_type, answers)
        shift = OVERRIDES.get(ref, 0)
        level = LEVELS.index(computed) + shift
        written = LEVELS[level if 0 <= level < len(LEVELS) else level - 2 * shift]
        area = AREAS[(n * 3) % len(AREAS)]
        day = dt.date(2024, 3, 4) + dt.timedelta(days=n % 18)
        if sample == "self-assessed":
            force = kinder(b, answers)
            rows.append({"case_ref": ref, "sample": sample, "case_type": case_type,
                         "area": area, "assessor": "force", "grade": b.grade(case_type, force),
                         "answers": force, "date": day - dt.timedelta(days=28)})
        rows.append({"case_ref": ref, "sample": sample, "case_type": case_type, "area": area,
                     "assessor": "inspector", "grade": written, "answers": answers,
                     "date": day})
    return rows


OLDER_WORDS = {"evident": "Yes", "partly_evident": "Partly", "not_evident": "No",
               "not_applicable": "N/A"}


def write(path: Path) -> None:
    b_rubric = load_rubric(RUBRIC)
    rows = build_rows()
    labels = {**b_rubric.case_type_labels, **b_rubric.grade_labels}
    answer_labels = {a.key: a.label for a in b_rubric.answers}
    themes = {t.key: t.label for t in b_rubric.themes}
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": "Wyvern Valley Police child protection inspection 2024: "
                       "case file reviews (synthetic sample)",
                       "author": "hmic-audit sample generator",
                       "created": dt.datetime(2024, 3, 29)})
    bold = wb.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("Cases")
    headers = ["Case ref", "Sample", "Case type", "Area", "Assessor", "Audit date", "Grade",
               "Example", "Example theme", "Notes", *b_rubric.criterion_ids]
    for col, header in enumerate(headers):
        ws.write_string(0, col, header, bold)
    for i, r in enumerate(rows, start=1):
        ws.write_string(i, 0, str(r["case_ref"]))
        ws.write_string(i, 1, str(r["sample"]).capitalize())
        ws.write_string(i, 2, labels[str(r["case_type"])])
        ws.write_string(i, 3, str(r["area"]))
        ws.write_string(i, 4, str(r["assessor"]).capitalize())
        ws.write_datetime(i, 5, dt.datetime.combine(r["date"], dt.time()), date_fmt)  # type: ignore[arg-type]
        ws.write_string(i, 6, labels[str(r["grade"])])
        example = EXAMPLES.get(str(r["case_ref"]))
        if example and r["assessor"] == "inspector":
            ws.write_string(i, 7, example[0].replace("_", " "))
            ws.write_string(i, 8, themes[example[1]])
            ws.write_string(i, 9, example[2])
        answers = r["answers"]
        assert isinstance(answers, dict)
        words = OLDER_WORDS if r["assessor"] == "force" else answer_labels
        for j, cid in enumerate(b_rubric.criterion_ids, start=10):
            if cid in answers:
                ws.write_string(i, j, words[answers[cid]])
    ws.freeze_panes(1, 1)
    ws.set_column(2, 2, 40)
    ws.set_column(9, 9, 40)
    wb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "cases.xlsx")
    args = parser.parse_args()
    write(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
