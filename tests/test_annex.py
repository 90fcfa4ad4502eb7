"""Annex tables and disclosure control, as library functions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog
from statsmodels.stats.proportion import proportion_confint

from hmic_audit import grade, read_workbook
from hmic_audit.analysis.annex import build_annex
from hmic_audit.analysis.suppress import MARKER

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def tables(rubric):
    audits, _ = read_workbook(SAMPLE, rubric)
    result = grade(audits, rubric)
    built = build_annex([result], rubric)
    return {t.name: t for t in built}


@pytest.fixture(scope="module")
def protected(rubric):
    """The sample's annex with counts below 3 hidden, every table protected together."""
    audits, _ = read_workbook(SAMPLE, rubric)
    built = build_annex([grade(audits, rubric)], rubric, threshold=3)
    assert built.protection is not None
    return {t.name: t for t in built}


def _row(table, first):
    return next(r for r in table.rows if r[0] == first)


def _rows(table, **match):
    idx = {k: table.column(k) for k in match}
    return [r for r in table.rows if all(r[idx[k]] == v for k, v in match.items())]


def test_annex_a_case_types(tables):
    t = tables["case_types"]
    assert [r[1] for r in t.rows[:-1] if r[1]] == [5, 5, 5, 3, 3, 3, 3, 3]
    assert t.rows[-1] == ["Total", 30, 84, 114]


def test_criterion_compliance_figures(tables):
    t = tables["criterion_compliance"]
    [listened] = _rows(t, criterion="ta_child_listened_to",
                       scope="inspectors, selected by inspectors")
    assert listened[t.column("met")] == "6 of 84"
    [delay] = _rows(t, criterion="in_no_significant_delay", scope="inspectors, all cases")
    assert delay[t.column("not_met")] == "8 of 36"
    low, high = proportion_confint(6, 84, method="wilson")
    assert listened[t.column("yes_low")] == pytest.approx(100 * low, abs=0.05)
    assert listened[t.column("yes_high")] == pytest.approx(100 * high, abs=0.05)


def test_detention_grades(tables, rubric):
    t = tables["grades_by_case_type"]
    row = _row(t, "Child in custody")
    assert row[1:] == [0, 7, 0, 5, 0, 12]


def test_grade_tables_add_up(tables):
    for name in ("grades_by_sample", "grades_by_case_type", "grades_by_area", "crosstab"):
        t = tables[name]
        adds = t.total_of if t.total_of is not None else range(len(t.rows) - 1)
        body, total = np.array([t.rows[r][1:] for r in adds]), t.rows[-1][1:]
        assert list(body.sum(axis=0)) == total, name
        assert all(r[-1] == sum(r[1:-1]) for r in t.rows), name


def _suppressed_cells_are_not_recoverable(original, published, threshold=3):
    """For a table whose body rows add up to the Total column and whose Total row adds up
    the body, no hidden small count may be pinned to one value by the published numbers
    (a count hidden only to protect another may be: it is not small)."""
    body = [r[1:] for r in original.rows[:-1]] + [original.rows[-1][1:]]
    shown = [r[1:] for r in published.rows[:-1]] + [published.rows[-1][1:]]
    n_rows, n_cols = len(body), len(body[0])
    unknown = [(i, j) for i in range(n_rows) for j in range(n_cols) if shown[i][j] == MARKER]
    index = {cell: k for k, cell in enumerate(unknown)}
    a_eq, b_eq = [], []

    def constrain(cells, total_cell):
        row = np.zeros(len(unknown))
        rhs = 0.0
        for cell in cells:
            if cell in index:
                row[index[cell]] += 1
            else:
                rhs -= shown[cell[0]][cell[1]]
        if total_cell in index:
            row[index[total_cell]] -= 1
        else:
            rhs += shown[total_cell[0]][total_cell[1]]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)

    for i in range(n_rows):
        constrain([(i, j) for j in range(n_cols - 1)], (i, n_cols - 1))
    adds = original.total_of if original.total_of is not None else range(n_rows - 1)
    for j in range(n_cols):
        constrain([(i, j) for i in adds], (n_rows - 1, j))
    for k, cell in enumerate(unknown):
        c = np.zeros(len(unknown))
        c[k] = 1
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
        top = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None))
        hi = float("inf") if top.status == 3 else -top.fun
        assert lo - 1e-9 <= body[cell[0]][cell[1]] <= hi + 1e-9
        if body[cell[0]][cell[1]] < threshold:
            assert hi - lo >= 1 - 1e-9, f"cell {cell} is pinned to {lo}"


@pytest.mark.parametrize("name", ["grades_by_case_type", "grades_by_area", "case_types",
                                  "crosstab", "grades_by_sample"])
def test_suppression_hides_small_counts_and_protects_them(tables, protected, name):
    """Each table on its own (an independent check of the linked protection: a table
    safe among all the others is safe alone)."""
    original = tables[name]
    published = protected[name]
    counts = [i for i, c in enumerate(original.columns) if c.kind == "count"]
    for r, row in enumerate(original.rows):
        for i in counts:
            if row[i] in (1, 2):
                assert published.rows[r][i] == MARKER
    if any(MARKER in row for row in published.rows):
        assert f"shown as {MARKER}" in (published.note or "")
        _suppressed_cells_are_not_recoverable(original, published)
    else:
        assert published == original


def test_suppression_hides_derived_percentages(protected):
    t = protected["criterion_compliance"]
    for row in t.rows:
        if row[t.column("yes")] == MARKER:
            assert row[t.column("yes_pct")] == MARKER and row[t.column("met")] == MARKER


def test_sample_and_assessor_total_adds_only_the_inspectors(tables):
    """Adding a force's audits to the inspectors' audits of the same cases counts nothing
    real: the total row is every case as the inspectors graded it."""
    t = tables["grades_by_sample"]
    assert t.rows[-1][0] == "All cases, inspectors"
    assert t.rows[-1][1:5] == [8 + 29, 16 + 33, 1 + 4, 5 + 18]
    assert t.rows[-1][-1] == 114  # cases, not 144 audits


def test_tables_as_dataframes(rubric):
    from hmic_audit import read_audits

    result = grade(read_audits(SAMPLE, rubric)[0], rubric)
    annex = build_annex([result], rubric, tables=["case_types", "grades_by_sample"])
    frames = annex.frames()
    assert list(frames) == ["case_types", "grades_by_sample"]
    case_types = frames["case_types"]
    assert list(case_types.columns) == ["type", "self", "further", "total"]
    assert case_types.iloc[-1].tolist() == ["Total", 30, 84, 114]


def test_grade_tables_agree_with_per_audit_models(rubric):
    """The shared builders count what the per-audit models say."""
    from collections import Counter

    from hmic_audit import read_audits
    from hmic_audit.analysis import tables
    from hmic_audit.analysis.pool import Pool

    result = grade(read_audits(SAMPLE, rubric)[0], rubric)
    pool = Pool([result])
    by_sample = tables.grades_by_sample(pool, rubric)
    counted = Counter((a.sample, a.assessor, a.final_grade) for a in result.audits)
    for (sample, assessor), row in zip(by_sample.keys, by_sample.counts.tolist(),
                                       strict=True):
        assert row == [counted[(sample, assessor, g)] for g in rubric.grade_keys]
    frame = by_sample.to_frame()
    assert frame["total"].tolist() == [30, 30, 84]
    by_type = tables.grades_by_case_type(pool, rubric)
    row = by_type.row("child_in_custody")
    assert by_type.counts[row].tolist() == [0, 7, 0, 5]
    refs = {result.audits[i].case_ref for i in by_type.members(row)}
    assert refs == {a.case_ref for a in result.audits if a.case_type == "child_in_custody"
                    and a.assessor.value == "inspector"}


def test_areas_equal_but_for_case_are_listed_in_a_fixed_order(rubric):
    from hmic_audit import AuditSet
    from hmic_audit.workbook.models import Audit

    audits = [Audit(case_ref=f"A{i}", sample="inspector-selected", case_type="domestic_abuse",
                    assessor="inspector", area=area, grade="good")
              for i, area in enumerate(["bury", "Bury", None, "Bolton"])]
    data = AuditSet(file="t.xlsx", sha256="0" * 64, layout="long", audits=audits)
    [table] = build_annex([data], rubric, tables=["grades_by_area"])
    assert [r[0] for r in table.rows] == ["(no area)", "Bolton", "Bury", "bury", "Total"]


def test_shared_tables_give_dataframes(rubric):
    from hmic_audit import read_audits
    from hmic_audit.analysis import tables
    from hmic_audit.analysis.pool import Pool

    pool = Pool([grade(read_audits(SAMPLE, rubric)[0], rubric)])
    answers = tables.answer_counts(pool, rubric).to_frame()
    listened = answers[(answers["criterion"] == "ta_child_listened_to")
                       & (answers["scope"] == "inspectors, selected by inspectors")]
    assert listened[["yes", "answered"]].values.tolist() == [[6, 84]]
    by_type = tables.case_types(pool, rubric).to_frame()
    assert by_type["self-assessed"].sum() == 30 and by_type["total"].sum() == 114
    paired = tables.graded_pairs(pool, pool.case)
    frame = paired.to_frame(pool, rubric.grade_keys)
    assert len(frame) == 30
    assert frame["force_grade"].value_counts().reindex(rubric.grade_keys).tolist() == [
        19, 9, 2, 0]


def test_protected_tables_use_the_statistics_symbols_with_a_key():
    """A share with no denominator reads z, a statistic that cannot be computed x, a
    positive share that rounds to nothing k; the key under the table names each used."""
    from hmic_audit.analysis.annex import AnnexTable, Column
    from hmic_audit.analysis.suppress import SYMBOLS, _symbols

    table = AnnexTable(name="t", title="t", columns=[
        Column(key="group", title="Group", kind="label"),
        Column(key="yes", title="Yes", kind="count"),
        Column(key="n", title="N", kind="count"),
        Column(key="yes_pct", title="Yes %", kind="percent", of="yes", denominator="n"),
        Column(key="kappa", title="Kappa", kind="number")],
        rows=[["x", 0, 0, None, None], ["k", 1, 4000, 0.0, 0.5], ["none", 0, 9, 0.0, 0.1]])
    rows = [list(r) for r in table.rows]
    _symbols(table, rows)
    assert rows == [["x", 0, 0, "z", "x"], ["k", 1, 4000, "k", 0.5],
                    ["none", 0, 9, 0.0, 0.1]]  # a true zero stays 0.0; labels untouched
    assert set(SYMBOLS) == {"c", "z", "x", "k"}


def test_national_key_names_the_symbols_a_table_uses(rubric):
    audits, _ = read_workbook(SAMPLE, rubric)
    # a second force whose cases no one graded: its shares have no denominator
    other = audits.model_copy(update={"file": "elsewhere.xlsx", "sha256": "0" * 64,
                                      "audits": [a.model_copy(update={
                                          "force": "Elsewhere", "grade": None,
                                          "answers": {}}) for a in audits.audits[:40]]})
    built = build_annex([grade(audits, rubric), grade(other, rubric)], rubric, threshold=3,
                        tables=["national_acceptable"])
    [table] = built
    assert any(cell == "z" for row in table.rows for cell in row)
    assert "Key:" in (table.note or "") and "z not applicable" in (table.note or "")


def test_only_the_texts_that_spell_a_hidden_count_are_hidden(protected, tables):
    """"6 of 84" hides with its count or its denominator; a question (text that happens
    to contain " of ") is never hidden."""
    t, original = protected["criterion_compliance"], tables["criterion_compliance"]
    col = {c.key: i for i, c in enumerate(t.columns)}
    assert [r[col["question"]] for r in t.rows] == [r[col["question"]] for r in original.rows]
    for row in t.rows:
        for text, part in (("met", "yes"), ("not_met", "no")):
            spelled = MARKER in (row[col[part]], row[col["answered"]])
            assert (row[col[text]] == MARKER) == spelled, row[:3]
