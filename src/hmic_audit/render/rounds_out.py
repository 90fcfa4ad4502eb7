"""Two inspection rounds (``hmic-audit rounds``) as tables, computed once and shared by
the terminal, Markdown and xlsx outputs; ``rounds_file`` renders the file ``--out``
writes (.xlsx: a sheet per table and a bar chart of the two distributions; .md; .json).
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Group, RenderableType
from rich.text import Text

from ..analysis.rounds import Change, Rounds, ShiftTest
from ..rubric import Rubric
from ..text import md_escape, plural
from .compare_tables import TableSpec, crosswalk_table
from .markdown import md_table

ROUND_COLOURS = ("#8EA9DB", "#1F3864")
"""Round 1, round 2 in the chart."""


def _pct(share: float | None) -> float | str:
    return "-" if share is None else round(100 * share, 1)


def _interval(low: float | None, high: float | None, scale: float = 100) -> str:
    if low is None or high is None:
        return ""
    return f"{scale * low:.1f} to {scale * high:.1f}"


def _p(p: float | None) -> float | str:
    return "n/a" if p is None else float(f"{p:.6g}")


def _num(x: float | None, digits: int = 4) -> float | str:
    return "n/a" if x is None else round(x, digits)


def rounds_table(r: Rounds) -> TableSpec:
    """Each round: its file, rubric, cases and acceptable share."""
    rows: list[list[object]] = [
        [f"Round {g.round}", g.file, g.rubric, g.cases, g.acceptable,
         _pct(g.acceptable_share), _interval(*g.acceptable_ci), g.not_graded,
         g.later_readings] for g in r.rounds]
    words = ", ".join(r.rubric.grade_labels[k] for k in r.acceptable)
    return TableSpec("Rounds", "The two rounds: inspectors' final grades",
                     ["Round", "File", "Rubric", "Cases", "Acceptable", "Acceptable %",
                      "95% interval (%)", "Cases not graded", "Later readings"], rows,
                     note=f"Acceptable: {words}. A case counts once per round (its first "
                     "inspector audit with a final grade); later readings are not counted.")


def distribution_table(r: Rounds) -> TableSpec:
    """Cases per grade in each round, with shares (the chart's data)."""
    one, two = r.rounds
    rows: list[list[object]] = [
        [r.rubric.grade_labels[k], one.counts[k], _pct(one.counts[k] / one.cases),
         two.counts[k], _pct(two.counts[k] / two.cases)] for k in r.rubric.grades]
    rows.append(["Total", one.cases, 100.0, two.cases, 100.0])
    return TableSpec("Distribution", f"Final grades on {r.rubric.name} by round",
                     ["Grade", "Round 1 cases", "Round 1 %", "Round 2 cases", "Round 2 %"],
                     rows, grade_columns=(0,))


def _change_rows(c: Change, s: ShiftTest) -> list[list[object]]:
    return [
        ["Acceptable share, round 1 (%)", _pct(c.share_1), "", ""],
        ["Acceptable share, round 2 (%)", _pct(c.share_2), "", ""],
        ["Change (points, round 2 less round 1)", _pct(c.difference),
         _interval(c.ci_low, c.ci_high), "Newcombe hybrid score interval (method 10)"
         if c.note is None else c.note],
        ["Mann-Whitney U (round 1)", _num(s.u, 1), "", s.note or ""],
        ["z (continuity and tie corrections)", _num(s.z), "", ""],
        ["p-value (two-sided)", _p(s.p_value), "", ""],
        ["Probability a round-2 case is graded better", _num(s.superiority), "",
         "ties count a half"],
        ["Cliff's delta", _num(s.cliffs_delta), "",
         "positive: round 2 graded better"],
    ]


def change_table(r: Rounds) -> TableSpec:
    """The change in the acceptable share and the test of a shift in grades."""
    return TableSpec("Change", "Change between the rounds",
                     ["Measure", "Value", "95% interval", "Note"],
                     _change_rows(r.change, r.shift),
                     note=r.sentence + " Cases audited in both rounds count in both; the "
                     "test treats the rounds as independent samples.")


def case_type_table(r: Rounds) -> TableSpec:
    """Per case type graded in both rounds: acceptable shares, change, shift."""
    rows: list[list[object]] = [
        [t.label, t.change.cases_1, _pct(t.change.share_1), t.change.cases_2,
         _pct(t.change.share_2), _pct(t.change.difference),
         _interval(t.change.ci_low, t.change.ci_high), _p(t.shift.p_value),
         _num(t.shift.cliffs_delta)] for t in r.by_case_type]
    return TableSpec("By case type", "By case type (types graded in both rounds)",
                     ["Case type", "Round 1 cases", "Round 1 acceptable %", "Round 2 cases",
                      "Round 2 acceptable %", "Change (points)", "95% interval",
                      "Mann-Whitney p", "Cliff's delta"], rows,
                     note=None if rows else "No case type was graded in both rounds.")


def theme_table(r: Rounds) -> TableSpec:
    """Per theme, the mean score (0-100) in each round."""
    rows: list[list[object]] = [
        [t.label, t.audits_1, _num(t.mean_1, 1), t.audits_2, _num(t.mean_2, 1),
         _num(t.difference, 1)] for t in r.by_theme]
    note = r.themes_note
    if note is None and not rows:
        note = "No theme was scored (the workbooks hold grades only)."
    return TableSpec("By theme", "Mean theme scores (0-100) by round",
                     ["Theme", "Round 1 audits", "Round 1 mean", "Round 2 audits",
                      "Round 2 mean", "Change"], rows, note=note)


def paired_table(r: Rounds) -> TableSpec:
    """The cases audited in both rounds: how many got better, stayed, got worse."""
    p = r.paired
    rows: list[list[object]] = [
        ["Cases audited in both rounds", p.cases],
        ["Better in round 2", p.better], ["Same grade", p.same], ["Worse in round 2", p.worse],
        ["Sign test p-value (two-sided, exact)", _p(p.sign_test_p)]]
    return TableSpec("Paired", "Cases audited in both rounds", ["Measure", "Value"], rows,
                     note=p.note)


def paired_cases_table(r: Rounds, rubric: Rubric, at_most: int | None = None) -> TableSpec:
    """Every case audited in both rounds with both grades (the first ``at_most``)."""
    labels = rubric.case_type_labels
    rows: list[list[object]] = [
        [c.case_ref, labels.get(c.case_type, c.case_type), c.grade_1, c.grade_2, c.change,
         c.levels] for c in r.paired.pairs[:at_most]]
    return TableSpec("Paired cases", "Each case audited in both rounds",
                     ["Case", "Case type (round 1)", "Round 1 grade", "Round 2 grade",
                      "Change", "Levels"], rows, grade_columns=(2, 3),
                     more=len(r.paired.pairs) - len(rows))


def rounds_tables(r: Rounds, rubric: Rubric, at_most: int | None = None) -> list[TableSpec]:
    """Every table, in reading order (the crosswalk first, when one was used)."""
    tables = [t for t in (crosswalk_table(r),) if t is not None]
    return [*tables, rounds_table(r), distribution_table(r), change_table(r),
            case_type_table(r), theme_table(r), paired_table(r),
            paired_cases_table(r, rubric, at_most)]


def rounds_view(r: Rounds, rubric: Rubric, at_most: int = 20) -> RenderableType:
    """The rounds for the terminal (at most ``at_most`` paired cases listed)."""
    from .console import spec_table

    one, two = r.rounds
    head = Text.assemble("Round 1 ", (one.file, "bold"), f" ({plural(one.cases, 'case')}), "
                         "round 2 ", (two.file, "bold"), f" ({plural(two.cases, 'case')}) "
                         f"on {r.rubric.name}")
    views = [spec_table(t, rubric) for t in rounds_tables(r, rubric, at_most)]
    return Group(head, Text(r.sentence), *(v for v in views if v is not None))


def render_rounds_markdown(r: Rounds, rubric: Rubric) -> str:
    """A Markdown document: a heading, the headline and every table."""
    files = ", then ".join(md_escape(g.file) for g in r.rounds)
    parts = ["# Two inspection rounds compared\n",
             f"Rounds: {files}. Inspectors' final grades counted on "
             f"{md_escape(r.rubric.name)} v{md_escape(r.rubric.version)}.\n",
             f"{md_escape(r.sentence)}\n"]
    for t in rounds_tables(r, rubric):
        parts.append(f"## {md_escape(t.title)}\n")
        if t.rows:
            parts.append(md_table(t.headers, t.rows))
        if t.note:
            parts.append(f"\n_{md_escape(t.note)}_\n")
    return "\n".join(parts)


def rounds_file(out: Path, r: Rounds, rubric: Rubric, cut: list[str]) -> bytes:
    """The bytes of ``rounds --out``: .json, .md or .xlsx (chosen by ``out``'s ending);
    cells cut to fit a spreadsheet are noted in ``cut``."""
    suffix = out.suffix.lower()
    if suffix == ".json":
        from .json import json_bytes

        return json_bytes(r)
    if suffix == ".md":
        return render_rounds_markdown(r, rubric).encode("utf-8")
    from .xlsx import BarChart, Sheet, render_workbook

    sheets = []
    for t in rounds_tables(r, rubric):
        chart = None
        if t.name == "Distribution":
            chart = BarChart(title="Final grades by round (% of cases)", series=(2, 4),
                             rows=len(r.rubric.grades), colours=ROUND_COLOURS,
                             y_title="% of cases")
        sheets.append(Sheet(t.name, t.headers, t.rows, grade_columns=t.grade_columns,
                            note=t.note, chart=chart))
    return render_workbook(sheets, rubric=rubric, warnings=cut)
