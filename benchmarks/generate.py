"""Synthetic audit workbooks valid for the default rubric, at any size.

``python benchmarks/generate.py 100000 --out bench-100k.xlsx`` (or ``.csv``). Each case
has an inspector audit; a third of them (self-assessed) also a force audit. Answers are
random but only for criteria that apply to the case type; grades are written for about
half the audits. Deterministic for a given size and seed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

from hmic_audit import load_rubric

ANSWERS = ["yes", "yes", "yes", "partly", "no", "n/a"]
AREAS = ["Bolton", "Bury", "Manchester", "Oldham", "Rochdale", "Salford", "Stockport",
         "Tameside", "Trafford", "Wigan"]


def wide_rows(n_audits: int, seed: int = 7):  # type: ignore[no-untyped-def]
    """Yield (header, then) case rows of the wide layout: grades only, two audits per
    self-assessed case (a third of them), one otherwise."""
    rubric = load_rubric()
    rng = random.Random(seed)
    labels = rubric.case_type_labels
    grades = [g.label for g in rubric.scale]
    yield ["Case ref", "Sample", "Case type", "Area", "Self grade", "Inspector grade"]
    made = case = 0
    while made < n_audits:
        case += 1
        self_assessed = rng.random() < 1 / 3 and made + 2 <= n_audits
        yield [f"C{case:07d}", "self-assessed" if self_assessed else "inspector-selected",
               labels[rng.choice(rubric.case_type_keys)], rng.choice(AREAS),
               rng.choice(grades) if self_assessed else "", rng.choice(grades)]
        made += 2 if self_assessed else 1


def rows(n_audits: int, seed: int = 7):  # type: ignore[no-untyped-def]
    """Yield (header, then) audit rows as lists of strings/numbers."""
    rubric = load_rubric()
    rng = random.Random(seed)
    ids = rubric.criterion_ids
    applies = {ct: {c.id for c in rubric.criteria_for(ct)} for ct in rubric.case_type_keys}
    labels = rubric.case_type_labels
    grades = [g.label for g in rubric.scale]
    yield ["Case ref", "Sample", "Case type", "Area", "Assessor", "Audit date", "Grade",
           *ids]
    made = case = 0
    while made < n_audits:
        case += 1
        ct = rng.choice(rubric.case_type_keys)
        self_assessed = rng.random() < 1 / 3 and made + 2 <= n_audits
        area = rng.choice(AREAS)
        for assessor in (["force", "inspector"] if self_assessed else ["inspector"]):
            answers = [rng.choice(ANSWERS) if cid in applies[ct] else "" for cid in ids]
            grade = rng.choice(grades) if rng.random() < 0.5 else ""
            day = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(365))
            yield [f"C{case:07d}", "self-assessed" if self_assessed else "inspector-selected",
                   labels[ct], area, assessor, day, grade, *answers]
            made += 1


def write(n_audits: int, out: Path, layout: str = "long") -> None:
    made = wide_rows(n_audits) if layout == "wide" else rows(n_audits)
    if out.suffix == ".csv":
        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            for r in made:
                writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in r])
        return
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    wb.set_properties({"created": dt.datetime(2020, 1, 1)})
    ws = wb.add_worksheet("Cases")
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for i, r in enumerate(made):
        for j, v in enumerate(r):
            if isinstance(v, dt.date):
                ws.write_datetime(i, j, dt.datetime.combine(v, dt.time()), date_fmt)
            elif v != "":
                ws.write_string(i, j, v)
    wb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audits", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--layout", choices=["long", "wide"], default="long",
                        help="long: one row per audit with answers; wide: one row per case, "
                        "grades only")
    args = parser.parse_args()
    write(args.audits, args.out, args.layout)


if __name__ == "__main__":
    main()
