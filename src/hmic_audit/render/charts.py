"""Report charts with matplotlib: SVG for HTML, PNG for Word, byte-for-byte stable.

Uses the object-oriented API (no pyplot state), the Agg and SVG backends, the DejaVu font
matplotlib ships, a fixed SVG id salt and no date or software metadata, so the same data
always gives the same bytes. Colours come from the rubric's grades. The grade charts
draw the report's grade tables (:class:`~hmic_audit.analysis.tables.GradeTable`), the
heat map the comparison's cross-tab: nothing is counted here.
"""

from __future__ import annotations

import io

from ..analysis.compare import Comparison
from ..analysis.tables import GradeTable
from ..rubric import Rubric

FALLBACK = ["#C6EFCE", "#DDEBF7", "#FFEB9C", "#FFC7CE", "#E4DFEC", "#F2F2F2"]


def _figure(width: float, height: float):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.rcParams.update({"svg.hashsalt": "hmic-audit", "svg.fonttype": "none",
                                "font.family": "DejaVu Sans", "font.size": 9})
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


def _colours(rubric: Rubric) -> list[str]:
    return [f"#{g.colour}" if g.colour else FALLBACK[i % len(FALLBACK)]
            for i, g in enumerate(rubric.scale)]


def _stacked(rows: list[tuple[str, list[int]]], rubric: Rubric):  # type: ignore[no-untyped-def]
    fig = _figure(7.5, 0.45 * len(rows) + 1.4)
    ax = fig.add_subplot()
    colours = _colours(rubric)
    labels = [r[0] for r in rows][::-1]
    counts = [r[1] for r in rows][::-1]
    left = [0] * len(rows)
    for g, grade in enumerate(rubric.scale):
        values = [c[g] for c in counts]
        bars = ax.barh(labels, values, left=left, color=colours[g], edgecolor="#555555",
                       linewidth=0.5, label=grade.label)
        for bar, v in zip(bars, values, strict=True):
            if v:  # inside its bar: the layout need not measure it (the costly part)
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2,
                        str(v), ha="center", va="center", fontsize=8, in_layout=False)
        left = [a + b for a, b in zip(left, values, strict=True)]
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("Cases")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(*ax.get_legend_handles_labels(), ncols=len(rubric.scale), loc="lower center",
               frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.6 / fig.get_figheight(), 1, 1))
    return fig


def grades_by_sample(table: GradeTable, rubric: Rubric):  # type: ignore[no-untyped-def]
    """Stacked bars: final grades of each sample and assessor."""
    return _stacked(list(zip(table.labels, table.counts.tolist(), strict=True)), rubric)


def grades_by_case_type(table: GradeTable, rubric: Rubric):  # type: ignore[no-untyped-def]
    """Stacked bars: inspectors' final grades of each case type (long labels cut)."""
    rows = [(label if len(label) <= 36 else label[:34] + "...", counts)
            for label, counts in zip(table.labels, table.counts.tolist(), strict=True)]
    return _stacked(rows, rubric)


def force_vs_inspectors(c: Comparison, rubric: Rubric):  # type: ignore[no-untyped-def]
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
    labels = [rubric.grade_labels[g].replace(" ", "\n", 1) for g in c.grades]
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


def svg(fig) -> str:  # type: ignore[no-untyped-def]
    """The chart as an SVG element (no XML prolog), stable bytes."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def png(fig) -> bytes:  # type: ignore[no-untyped-def]
    """The chart as PNG bytes (150 dpi), stable."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    return buffer.getvalue()
