"""Annex tables: the published tables behind a report, built from graded inputs.

Every proportion is shown with its count and denominator and, where a percentage is
shown, a Wilson 95% interval. Grade tables count *final* grades. Several inputs (one per
force, or one with a ``force`` column) add the national tables comparing forces (see
:mod:`hmic_audit.analysis.national`); their total rows are the sums of the per-force rows.

The numbers come from the shared builders of :mod:`hmic_audit.analysis.tables`, which the
comparison and the report count from too; this module only lays them out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..crosswalk import Crosswalk
from ..problems import HmicAuditError, Problem
from ..profile import ForceProfile, month_label
from ..rubric import Rubric
from ..text import or_list
from ..workbook.format import SAMPLES, Assessor
from . import tables as t
from .annex_table import (
    Annex,
    AnnexTable,
    Cell,
    Column,
    count,
    grade_table,
    percent_cells,
    scope_query,
    share_columns,
)
from .common_scale import different_rubrics, needs_crosswalk, on_common_scale
from .disclosure import Query, audited, case_query
from .pool import Gradable, Pool, as_results
from .rollup import topics_table
from .tables import Shared

__all__ = ["Annex", "AnnexTable", "Cell", "Column", "TABLE_NAMES", "build_annex"]

TABLE_NAMES = ["case_types", "grades_by_sample", "grades_by_case_type", "grades_by_area",
               "theme_results", "criterion_compliance", "crosstab", "topic_grades", "ofsted",
               "national_grades", "national_acceptable", "national_agreement"]


def case_types(table: t.CaseTypeTable) -> AnnexTable:
    """Cases examined by type and sample (the report's Annex A)."""
    rows: list[list[Cell]] = []
    queries: list[list[Query | None]] = []
    for r in table.shown:
        self_assessed, further = (int(x) for x in table.counts[r])
        rows.append([table.labels[r], self_assessed, further, self_assessed + further])
        queries.append([None, *(examined(case_type=table.keys[r], sample=s)
                                for s in SAMPLE_VALUES),
                        examined(case_type=table.keys[r])])
    rows.append(["Total", *(sum(count(r[i]) for r in rows) for i in (1, 2, 3))])
    shown = [table.keys[r] for r in table.shown]
    queries.append([None, *(examined(case_type=shown, sample=s) for s in SAMPLE_VALUES),
                    examined(case_type=shown)])
    return AnnexTable(queries=queries,
        name="case_types", title="Cases examined by type and sample",
        columns=[Column(key="type", title="Type of case", kind="label"),
                 Column(key="self", title="Self-assessed", kind="count"),
                 Column(key="further", title="Selected by inspectors", kind="count"),
                 Column(key="total", title="Total", kind="count")],
        rows=rows, total_row=True, row_sums=[("total", ["self", "further"])])


SAMPLE_VALUES = [s.value for s in SAMPLES]


def examined(**dims: str | list[str]) -> Query:
    """Cases the inspectors audited, with the attributes given."""
    return audited("inspector", **dims)


_RESERVED = frozenset({"theme", "scope", "criterion", "question", "answered", "met",
                       "not_met"})


def answer_column_keys(rubric: Rubric) -> list[str]:
    """The column key of each scored answer in a compliance table: the answer's own key
    (``yes``), or ``answer_<key>`` where that is another column's (``met``)."""
    return [f"answer_{a.key}" if a.key in _RESERVED else a.key for a in rubric.scored_answers]


def _compliance_columns(first: list[Column], rubric: Rubric) -> list[Column]:
    keys = answer_column_keys(rubric)
    best = keys[rubric.scored_answers.index(rubric.best_answer)]
    worst = keys[rubric.scored_answers.index(rubric.worst_answer)]
    best_label, worst_label = rubric.best_answer.label, rubric.worst_answer.label
    return [*first,
            *(Column(key=k, title=a.label, kind="count")
              for k, a in zip(keys, rubric.scored_answers, strict=True)),
            Column(key="answered", title="Answered", kind="count"),
            Column(key="met", title=f"{best_label} of answered", kind="text",
                   spells=(best, "answered")),
            Column(key="not_met", title=f"{worst_label} of answered", kind="text",
                   spells=(worst, "answered")),
            *share_columns(best, "answered", best_label)]


def _answered(scope: int, criteria: list[str], rubric: Rubric) -> list[Query | None]:
    """The units of a compliance row's counts: each scored answer, and answered."""
    counted = [a.key for a in rubric.scored_answers]
    return [*(scope_query(scope, criteria, [a]) for a in counted),
            scope_query(scope, criteria, counted)]


def _met(answers: t.AnswerCounts, scope: int, columns: list[int], rubric: Rubric
         ) -> list[Cell] | None:
    each, n = answers.met(scope, columns)
    if not n:
        return None
    best = each[rubric.scored_answers.index(rubric.best_answer)]
    worst = each[rubric.scored_answers.index(rubric.worst_answer)]
    return [*each, n, f"{best} of {n}", f"{worst} of {n}", *percent_cells(best, n)]


def _row_sums(rubric: Rubric) -> list[tuple[str, list[str]]]:
    return [("answered", answer_column_keys(rubric))]


def theme_results(answers: t.AnswerCounts, rubric: Rubric) -> AnnexTable:
    """The share of applicable criterion answers that were yes, per theme and scope."""
    rows: list[list[Cell]] = []
    queries: list[list[Query | None]] = []
    for theme in rubric.themes:
        columns = [j for j, c in enumerate(rubric.criteria) if c.theme == theme.key]
        for scope, (name, _, _) in enumerate(t.SCOPES):
            if (cells := _met(answers, scope, columns, rubric)) is not None:
                rows.append([theme.label, name, *cells])
                queries.append([None, None, *_answered(
                    scope, [rubric.criteria[j].id for j in columns], rubric),
                    *[None] * 5])
    return AnnexTable(queries=queries,
        name="theme_results", title="Theme results: share of applicable criteria met",
        columns=_compliance_columns([Column(key="theme", title="Theme", kind="label"),
                                     Column(key="scope", title="Audits", kind="text")],
                                    rubric),
        rows=rows, row_sums=_row_sums(rubric),
        note=f"Every {or_list([a.label.lower() for a in rubric.scored_answers])} answer to "
        "a criterion of the theme counts once; "
        f"{_unscored(rubric)}blank answers are left out.")


def criterion_compliance(answers: t.AnswerCounts, rubric: Rubric) -> AnnexTable:
    """Each criterion's yes, partly and no answers per scope ("6 of 84")."""
    rows: list[list[Cell]] = []
    queries: list[list[Query | None]] = []
    for j, c in enumerate(rubric.criteria):
        for scope, (name, _, _) in enumerate(t.SCOPES):
            if (cells := _met(answers, scope, [j], rubric)) is not None:
                rows.append([c.id, c.question, name, *cells])
                queries.append([None, None, None, *_answered(scope, [c.id], rubric),
                                *[None] * 5])
    return AnnexTable(queries=queries,
        name="criterion_compliance", title="Criterion compliance",
        columns=_compliance_columns([Column(key="criterion", title="Criterion", kind="label"),
                                     Column(key="question", title="Question", kind="text"),
                                     Column(key="scope", title="Audits", kind="text")],
                                    rubric),
        rows=rows, row_sums=_row_sums(rubric))


def _unscored(rubric: Rubric) -> str:
    """The unscored answers, listed before 'and blank answers': 'n/a and '."""
    words = [a.label.lower() for a in rubric.answers if not a.scored]
    return "".join(f"{w}, " for w in words[:-1]) + (f"{words[-1]} and " if words else "")


def crosstab_table(pairs: t.Pairs, rubric: Rubric) -> AnnexTable | None:
    """Force grade (rows) by inspector grade of the cases both graded; None without any."""
    if not len(pairs):
        return None
    k = len(rubric.scale)
    table = pairs.crosstab(k)
    labels = [rubric.grade_labels[g] for g in rubric.grade_keys]
    rows: list[list[Cell]] = [[labels[i], *map(int, table[i]), int(table[i].sum())]
                              for i in range(k)]
    rows.append(["Total", *map(int, table.sum(axis=0)), int(table.sum())])
    keys = rubric.grade_keys
    queries: list[list[Query | None]] = [
        [None, *(case_query(force_grade=f, inspector_grade=i) for i in [*keys, keys]
                 )] for f in [*keys, keys]]
    return AnnexTable(queries=queries,
        name="crosstab", title="Self-assessed cases: force grade (rows) by inspector grade",
        columns=[Column(key="force", title="Force \\ inspectors", kind="label"),
                 *(Column(key=g, title=labels[i], kind="count")
                   for i, g in enumerate(rubric.grade_keys)),
                 Column(key="total", title="Total", kind="count")],
        rows=rows, total_row=True, row_sums=[("total", rubric.grade_keys)])


def crosswalk_table(crosswalk: Crosswalk, used: Sequence[Rubric]) -> AnnexTable:
    """How a crosswalk put the inputs' grades (under the rubrics ``used``) on one scale."""
    return AnnexTable(
        name="crosswalk", title=f"Grades put on one scale by crosswalk {crosswalk.name} "
        f"v{crosswalk.version}",
        columns=[Column(key="rubric", title="Rubric", kind="label"),
                 Column(key="grade", title="Grade given", kind="text"),
                 Column(key="counted_as", title="Counted as", kind="text")],
        rows=[[r, g, b] for r, g, b in crosswalk.rows(used)],
        note=f"{crosswalk.title}. The inputs were graded under different rubrics; every "
        "grade in these tables is counted on the scale "
        f"{', '.join(g.label for g in crosswalk.grades)}, and answers to criteria are not "
        "tabulated (the rubrics ask different questions).")


def ofsted_table(profile: ForceProfile) -> AnnexTable:
    """The local authorities' Ofsted judgements, from the force profile."""
    return AnnexTable(
        name="ofsted", title=f"Ofsted judgements of the local authorities ({profile.force})",
        columns=[Column(key="authority", title="Local authority", kind="label"),
                 Column(key="judgement", title="Ofsted judgement", kind="text"),
                 Column(key="date", title="Date", kind="text")],
        rows=[[la.name, la.ofsted_judgement.capitalize(), month_label(la.judgement_month)]
              for la in profile.local_authorities])


def _forces_kept_apart(shared: Shared) -> None:
    """Refuse inputs that would count the same audits twice or merge two forces' cases:
    the same file given twice (by content), or one force named by two files."""
    problems = []
    frames = [r.frame for r in shared.pool.results]
    first: dict[str, str] = {}
    for frame in frames:
        if frame.sha256 not in first:
            first[frame.sha256] = frame.file
            continue
        seen = first[frame.sha256]
        problems.append(Problem(
            code="duplicate-input", file=frame.file, value=seen,
            message="is given twice" if seen == frame.file else
            f"holds the same audits as {seen} (the files are identical); give each "
            "force's workbook once"))
    forces, names = shared.forces
    source = shared.pool.source
    for n, name in enumerate(names):
        inputs = sorted(set(source[forces == n].tolist()))
        if len(inputs) < 2 or problems:
            continue
        first, second = frames[inputs[0]].file, frames[inputs[1]].file
        if first == second:  # folder/cases.xlsx twice: a force is named after its file
            message = (f"is the name of two inputs, so both are read as force {name!r} "
                       "(a workbook without a force column is named after its file); "
                       "give the files the forces' names (gmp.xlsx, northshire.xlsx) or "
                       "add a force column")
        else:
            message = (f"names force {name!r}, as {first} does; give each force's audits "
                       "in one workbook (or correct the force column)")
        problems.append(Problem(code="force-in-two-files", value=name, file=second,
                                message=message))
    if problems:
        raise HmicAuditError("the same audits or force given twice", problems)


def _grades_by_sample(pool: Pool, rubric: Rubric) -> AnnexTable:
    """Grades by sample and assessor. Its total adds the inspectors' rows only: adding a
    force's audits to the inspectors' audits of the same cases counts nothing real."""
    table = t.grades_by_sample(pool, rubric)
    inspectors = [r for r, key in enumerate(table.keys)
                  if isinstance(key, tuple) and key[1] is Assessor.INSPECTOR]
    return grade_table("grades_by_sample", "Final grades by sample and assessor",
                       "Sample and assessor", table, rubric,
                       total=("All cases, inspectors", inspectors))


def build_annex(inputs: Sequence[Gradable], rubric: Rubric, *,
                profile: ForceProfile | None = None,
                tables: Sequence[str] | None = None, threshold: int = 0,
                publish: bool = False, crosswalk: Crosswalk | None = None) -> Annex:
    """Every annex table (or those named), in publication order, from graded inputs
    (``GradeResult``s, each under the rubric that graded it; frames or audit sets are
    graded first with ``rubric``). Several forces - several inputs, or a ``force`` column
    - add the national tables. Inputs graded under different rubrics need a
    ``crosswalk``: grades are then counted on its scale, the tables of criterion answers
    are left out (the rubrics ask different questions) and a ``crosswalk`` table, first,
    shows the mapping. With a ``threshold`` (2 or more) small counts are hidden, every
    table protected together (:func:`hmic_audit.analysis.suppress.protect`);
    ``publish`` also leaves out tables too small to publish."""
    unknown = [x for x in tables or [] if x not in TABLE_NAMES]
    if unknown:
        raise HmicAuditError("unknown table", [Problem(
            code="unknown-table", value=", ".join(unknown),
            message=f"--tables names {', '.join(unknown)}; the tables are "
            f"{', '.join(TABLE_NAMES)}")])
    results = as_results(inputs, rubric)
    rubrics = [r.graded_with for r in results]
    if crosswalk is not None:
        results, rubric = on_common_scale(results, crosswalk)
    elif needs_crosswalk(rubrics):
        raise different_rubrics(rubrics)
    shared = Shared(Pool(results), rubric)
    pool = shared.pool
    _forces_kept_apart(shared)
    wanted = set(TABLE_NAMES if tables is None else tables)
    builders: dict[str, Callable[[], AnnexTable | None]] = {
        "case_types": lambda: case_types(t.case_types(pool, rubric)),
        "grades_by_sample": lambda: _grades_by_sample(pool, rubric),
        "grades_by_case_type": lambda: grade_table(
            "grades_by_case_type", "Inspectors' final grades by case type", "Type of case",
            t.grades_by_case_type(pool, rubric), rubric),
        "grades_by_area": lambda: grade_table(
            "grades_by_area", "Inspectors' final grades by area", "Area",
            t.grades_by_area(pool, rubric), rubric),
        "theme_results": lambda: theme_results(shared.answers, rubric),
        "criterion_compliance": lambda: criterion_compliance(shared.answers, rubric),
        "crosstab": lambda: crosstab_table(shared.pairs, rubric),
        # NOTE: topic grades only for one force's input, and never in a publication
        # (--suppress, --publish): their counts have no disclosure query (see rollup.py)
        "topic_grades": lambda: topics_table(pool.results[0], rubric)
        if threshold <= 1 and len(pool.results) == 1 and len(shared.forces[1]) <= 1
        else None,
        "ofsted": lambda: ofsted_table(profile) if profile is not None else None,
    }
    if crosswalk is not None:
        del builders["theme_results"], builders["criterion_compliance"]
    built = Annex([crosswalk_table(crosswalk, rubrics)] if crosswalk is not None else [])
    for name, build in builders.items():
        if name in wanted and (table := build()) is not None:
            built.append(table)
    if wanted & {"national_grades", "national_acceptable", "national_agreement"}:
        from .national import national_tables

        built += [x for x in national_tables(shared) if x.name in wanted]
    if threshold > 1:
        from .suppress import protect

        return protect(built, threshold, shared, publish=publish)
    return built
