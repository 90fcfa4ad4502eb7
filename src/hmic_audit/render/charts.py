"""Report charts with matplotlib: SVG for HTML and Markdown, PNG for Word, byte-for-byte
stable, each with a title and a description in words for screen readers.

Uses the object-oriented API (no pyplot state), the Agg and SVG backends, the DejaVu font
matplotlib ships, a fixed SVG id salt and no date or software metadata, so the same data
always gives the same bytes. Colours come from the rubric's grades. The grade charts
draw the report's grade tables (:class:`~hmic_audit.analysis.tables.GradeTable`), the
heat map the comparison's cross-tab: nothing is counted here.

Readable by design: category labels are wrapped, never cut; the rows of the sample
chart are named in words ("Force's own audits"), not by keys; a count is written inside
its bar only when the bar is wide enough to hold it; and :func:`describe` gives each
chart a title and a description listing what it shows, placed in the SVG as ``<title>``
and ``<desc>`` and in Word as the picture's alternative text.
"""

from __future__ import annotations

import dataclasses
import io
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..analysis.compare import Comparison
from ..analysis.tables import GradeTable
from ..rubric import Rubric
from ..workbook.format import Assessor, Sample

if TYPE_CHECKING:
    from ..report.context import ReportContext

FALLBACK = ["#C6EFCE", "#DDEBF7", "#FFEB9C", "#FFC7CE", "#E4DFEC", "#F2F2F2"]
WRAP = 26
"""Characters per line of a category label."""

SAMPLE_WORDS = {
    (Sample.SELF_ASSESSED, Assessor.FORCE): "Force's own audits (self-assessed cases)",
    (Sample.SELF_ASSESSED, Assessor.INSPECTOR): "Inspectors (self-assessed cases)",
    (Sample.INSPECTOR_SELECTED, Assessor.INSPECTOR): "Inspectors (cases they selected)",
    (Sample.INSPECTOR_SELECTED, Assessor.FORCE): "Force (cases inspectors selected)",
}
"""Each row of the sample chart in words."""


def _figure(width: float, height: float):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.rcParams.update({"svg.hashsalt": "hmic-audit", "svg.fonttype": "none",
                                "font.family": "DejaVu Sans", "font.size": 9})
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


def _colours(rubric: Rubric) -> list[str]:
    return [f"#{g.colour}" if g.colour else FALLBACK[i % len(FALLBACK)]
            for i, g in enumerate(rubric.scale)]


def wrap(label: str, width: int = WRAP) -> str:
    """A category label on as many lines as it needs, whole words kept."""
    return "\n".join(textwrap.wrap(label, width, break_long_words=False,
                                   break_on_hyphens=False)) or label


def row_labels(table: GradeTable) -> list[str]:
    """The rows of a grade table in words (the sample chart's keys named)."""
    return [SAMPLE_WORDS.get(key, label) if isinstance(key, tuple) else label
            for key, label in zip(table.keys, table.labels, strict=True)]


def fits(count: int, width: float, span: float) -> bool:
    """Whether a count's label fits inside a bar ``width`` long on an axis ``span``
    long: about 2% of the axis for the margins and 1.5% per digit."""
    return width >= span * (0.02 + 0.015 * len(str(count)))


def _stacked(rows: list[tuple[str, list[int]]], rubric: Rubric):  # type: ignore[no-untyped-def]
    lines = sum(label.count("\n") + 1 for label, _ in rows)
    fig = _figure(7.5, 0.3 * lines + 0.25 * len(rows) + 1.4)
    ax = fig.add_subplot()
    colours = _colours(rubric)
    labels = [r[0] for r in rows][::-1]
    counts = [r[1] for r in rows][::-1]
    span = max((sum(c) for c in counts), default=0) or 1
    left = [0] * len(rows)
    for g, grade in enumerate(rubric.scale):
        values = [c[g] for c in counts]
        bars = ax.barh(range(len(rows)), values, left=left, color=colours[g],
                       edgecolor="#555555", linewidth=0.5, label=grade.label)
        for bar, v in zip(bars, values, strict=True):
            if v and fits(v, bar.get_width(), span):
                # inside its bar: the layout need not measure it (the costly part)
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2,
                        str(v), ha="center", va="center", fontsize=8, in_layout=False)
        left = [a + b for a, b in zip(left, values, strict=True)]
    from matplotlib.ticker import MaxNLocator

    ax.set_yticks(range(len(rows)), labels)
    ax.set_xlim(0, span)
    ax.set_xlabel("Cases")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(*ax.get_legend_handles_labels(), ncols=len(rubric.scale), loc="lower center",
               frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.6 / fig.get_figheight(), 1, 1))
    return fig


def grades_by_sample(table: GradeTable, rubric: Rubric):  # type: ignore[no-untyped-def]
    """Stacked bars: final grades of each sample and assessor, rows named in words."""
    return _stacked([(wrap(label), counts) for label, counts in
                     zip(row_labels(table), table.counts.tolist(), strict=True)], rubric)


def grades_by_case_type(table: GradeTable, rubric: Rubric):  # type: ignore[no-untyped-def]
    """Stacked bars: inspectors' final grades of each case type (long labels wrapped)."""
    return _stacked([(wrap(label), counts) for label, counts in
                     zip(table.labels, table.counts.tolist(), strict=True)], rubric)


def force_vs_inspectors(c: Comparison | CrossTab, rubric: Rubric):  # type: ignore[no-untyped-def]
    """Heat map of the comparison's cross-tab: force grades (rows) by inspector grades."""
    k = len(c.grades)
    fig = _figure(5.5, 4.2)
    ax = fig.add_subplot()
    peak = max(max(row) for row in c.crosstab) or 1
    # pcolormesh keeps the SVG vector-only (imshow would embed a raster image)
    ax.pcolormesh(c.crosstab, cmap="Blues", vmin=0, vmax=peak * 1.3, edgecolors="white")
    ax.invert_yaxis()
    for i in range(k):
        for j in range(k):
            ax.text(j + 0.5, i + 0.5, str(c.crosstab[i][j]), ha="center", va="center",
                    fontsize=9, in_layout=False)
    labels = [wrap(rubric.grade_labels[g], 12) for g in c.grades]
    ax.set_xticks([i + 0.5 for i in range(k)], labels, fontsize=8)
    ax.set_yticks([i + 0.5 for i in range(k)], labels, fontsize=8)
    ax.set_xlabel("Inspectors' grade")
    ax.set_ylabel("Force's grade")
    fig.tight_layout()
    return fig


def draw(chart_id: str, data: dict[str, object], rubric: Rubric):  # type: ignore[no-untyped-def]
    """The chart ``chart_id`` from the report's ``chart_data``."""
    if chart_id == "grades_by_sample":
        return grades_by_sample(data["grades_by_sample"], rubric)  # type: ignore[arg-type]
    if chart_id == "grades_by_case_type":
        return grades_by_case_type(data["grades_by_case_type"], rubric)  # type: ignore[arg-type]
    if chart_id == "force_vs_inspectors":
        return force_vs_inspectors(data["comparison"], rubric)  # type: ignore[arg-type]
    raise KeyError(chart_id)


def _counts(labels: list[str], counts: list[int]) -> str:
    """'good 19, adequate 9, requires improvement 2' (grades without a case left out)."""
    parts = [f"{label.lower()} {n}" for label, n in zip(labels, counts, strict=True) if n]
    return ", ".join(parts) if parts else "none"


def describe(chart_id: str, data: dict[str, object], rubric: Rubric) -> tuple[str, str]:
    """The chart's title and a description of everything it shows, in words."""
    grades = [g.label for g in rubric.scale]
    if chart_id in ("grades_by_sample", "grades_by_case_type"):
        table: GradeTable = data[chart_id]  # type: ignore[assignment]
        title = ("Final grades by sample and assessor" if chart_id == "grades_by_sample"
                 else "Inspectors' final grades by case type")
        rows = row_labels(table) if chart_id == "grades_by_sample" else table.labels
        desc = (f"Stacked bar chart, one bar per {table.by}, counting cases by final "
                "grade. " + " ".join(f"{label}: {_counts(grades, counts)}."
                                     for label, counts in
                                     zip(rows, table.counts.tolist(), strict=True)))
        return title, desc
    if chart_id == "force_vs_inspectors":
        c: Comparison | CrossTab = data["comparison"]  # type: ignore[assignment]
        labels = [rubric.grade_labels[g] for g in c.grades]
        desc = ("Heat map of the self-assessed cases, the force's grade in rows and the "
                "inspectors' grade in columns. " + " ".join(
                    f"Graded {labels[i].lower()} by the force, then by inspectors: "
                    f"{_counts(labels, row)}." for i, row in enumerate(c.crosstab)
                    if sum(row)))
        return "Self-assessed cases: force grade against inspector grade", desc
    raise KeyError(chart_id)


def _xml(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def svg(fig, title: str = "", desc: str = "", id: str = "chart") -> str:  # type: ignore[no-untyped-def]
    """The chart as an SVG element (no XML prolog), stable bytes; with a title and a
    description, an image with ``<title>`` and ``<desc>`` that screen readers announce."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    if not title:
        return text
    head = text.index(">") + 1
    labelled = (f'<svg role="img" aria-labelledby="{id}-title {id}-desc"'
                + text[len("<svg"):head]
                + f'\n <title id="{id}-title">{_xml(title)}</title>'
                + f'\n <desc id="{id}-desc">{_xml(desc)}</desc>')
    return labelled + text[head:]


def png(fig) -> bytes:  # type: ignore[no-untyped-def]
    """The chart as PNG bytes (150 dpi), stable."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    return buffer.getvalue()




@dataclass(frozen=True)
class CrossTab:
    """What the heat map reads of a comparison: its grades and its cross-tab."""

    grades: list[str]
    crosstab: list[list[int]]


def chart_payload(data: dict[str, object]) -> dict[str, object]:
    """What drawing reads of the report's ``chart_data``, and no more: the grade tables
    without their per-audit columns, the comparison as its cross-tab. Handed to a child
    process (:func:`~hmic_audit.render.report_files.render_outputs`), a hundred thousand
    audits pickle in no time; drawn from it, a chart is the one drawn from the whole."""
    light: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, GradeTable):
            none = np.empty(0, dtype=np.int64)
            value = dataclasses.replace(value, group=none, final=none)
        elif isinstance(value, Comparison):
            value = CrossTab(list(value.grades), [list(row) for row in value.crosstab])
        light[key] = value
    return light


def draw_charts(chart_ids: list[str], data: dict[str, object], rubric: Rubric,
                kind: str) -> dict[str, str | bytes]:
    """The charts named, from the report's ``chart_data``: SVG with a title and a
    description (``kind`` "svg", for HTML and Markdown) or PNG ("png", for Word, which
    takes the words as alternative text). Run here, or in a child process started
    beforehand (:func:`prepare`, :class:`~hmic_audit.processes.Standby`) while this one
    renders the text: the bytes are the same either way."""
    drawn: dict[str, str | bytes] = {}
    for chart_id in chart_ids:
        fig = draw(chart_id, data, rubric)
        if kind == "png":
            drawn[chart_id] = png(fig)
        else:
            title, desc = describe(chart_id, data, rubric)
            drawn[chart_id] = svg(fig, title, desc, f"chart-{chart_id}")
    return drawn


def chart_svg(chart_id: str, ctx: ReportContext) -> str:
    """One report chart as SVG, with its title and description (``draw_charts``)."""
    return str(draw_charts([chart_id], ctx.chart_data, ctx.rubric, "svg")[chart_id])


def prepare(kind: str | None = None, *, warm: bool = True) -> None:
    """What drawing needs, made ready ahead (about half a second in a fresh process):
    matplotlib imported, and (``warm``) a small figure with text drawn once to the
    format the charts will be drawn in (``kind``: "svg" or "png"; both when None), which
    loads the fonts and sets up the backend - worth it when the charts' data comes
    later. Nothing of it reaches a chart's bytes (``tests/cli/test_exit_codes.py``
    compares a report drawn so with one drawn here)."""
    fig = _figure(1, 1)
    if not warm:
        return
    axes = fig.add_subplot()
    axes.barh([0], [1])
    axes.set_yticks([0], ["a"])
    axes.text(0.5, 0, "1")
    fig.tight_layout()
    if kind in (None, "svg"):
        svg(fig)
    if kind in (None, "png"):
        png(fig)
