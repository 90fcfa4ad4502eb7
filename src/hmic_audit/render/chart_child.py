"""A report's chart child (:class:`ChartChild`), started by the report job
(:func:`~hmic_audit.jobs.report.make_report`) once the report's code is imported (numpy,
pydantic, the analyses: the child inherits them rather than importing them again while
this process does), so that matplotlib is imported in the child while the cases are
read. The chart code itself is imported in the child."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from ..processes import Standby

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..rubric import Rubric

CHART_KINDS = {".html": "svg", ".docx": "png"}
"""The charts each report format draws (Markdown leaves them out)."""


class ChartChild:
    """A report's chart child: a process that imports matplotlib now (``Standby``) and
    draws the report's charts as their data comes to exist, while this process reads
    the cases and builds and renders the text - about a third of a report's time, on a
    second core. Idle (no child) where no chart is drawn - Markdown, a publication - or
    where work stays in one process (:mod:`~hmic_audit.processes`)."""

    def __init__(self, out: Path, *, publish: bool, warm: bool = True) -> None:
        self.out, self.publish = out, publish
        self.kind = CHART_KINDS.get(out.suffix.lower())
        self.warm = warm
        """Whether the child draws a warm-up figure before the charts' data comes."""
        self.standby = Standby(functools.partial(_prepare, self.kind, warm),
                               start=self.kind is not None and not publish)
        self.handed: list[str] = []

    def __enter__(self) -> ChartChild:
        return self

    def __exit__(self, *exc: object) -> None:
        self.standby.close()

    def hand(self, chart_ids: Iterable[str], data: dict[str, object],
             rubric: Rubric) -> None:
        """Hand over the charts named that are not handed over yet, with the data they
        are drawn from (``chart_data``, or the part of it they read): the grade charts
        once the tables exist, the heat map once the comparison does
        (:func:`~hmic_audit.report.context.report_charts`)."""
        new = [c for c in chart_ids if c not in self.handed]
        if self.kind is None or not new or self.standby.jobs is None:
            return  # nothing to draw, or no child to draw it
        from .charts import chart_payload, draw_charts

        self.standby.submit(draw_charts, new, chart_payload(data), rubric, self.kind)
        self.handed += new

    def drawn(self) -> dict[str, str | bytes] | None:
        """Every chart the child drew (waiting for it), or None when it drew none: the
        renderer then draws what it needs itself."""
        drawn: dict[str, str | bytes] = {}
        for done in self.standby.results() or [None]:
            if not isinstance(done, dict):
                return None
            drawn.update(done)
        return drawn


EARLY_BELOW = 512 * 1024
"""A workbook smaller than this (bytes) has its report's chart child started first
thing: its report's longest part is matplotlib's import and the drawing. A larger one's
longest part is reading it, which a third process importing at the same time would
slow down (two cores): its child starts once the report's code is imported."""

_EARLY: list[ChartChild] = []
"""The chart child the console script started before the application was imported."""


def start_early(out: str) -> None:
    """Start the chart child of a report to ``out`` before anything else is imported
    (the console script's first step, :func:`~hmic_audit.cli.start.start_early`, for a
    workbook smaller than ``EARLY_BELOW``): matplotlib's import and the drawing start a
    quarter of a second sooner. :func:`chart_child` takes it up."""
    _EARLY.append(ChartChild(Path(out), publish=False))


def chart_child(out: Path, *, publish: bool) -> ChartChild:
    """The chart child of the report ``out``: the one started early for it when the
    console script guessed right (:func:`start_early`), else a new one; one started
    for another report, or for one now known to be a publication, is ended."""
    for early in _EARLY:
        if early.out == out and early.publish == publish:
            _EARLY.remove(early)
            return early
    stop_early()
    # started once the report's code is imported, the child has its first chart's data
    # about when matplotlib is imported: a warm-up figure would only delay that chart
    return ChartChild(out, publish=publish, warm=False)


def stop_early() -> None:
    """End (and reap) a chart child started early that no report took up: the command
    failed before its report job began (a bad option, a missing key), or guessed
    wrong. Called when every command ends (``cli.output.guarded``)."""
    while _EARLY:
        _EARLY.pop().standby.close()


def _prepare(kind: str | None, warm: bool) -> None:
    """In the child: the chart code and matplotlib imported, and (``warm``) a figure
    drawn in the charts' format - with the cyclic garbage collector off. The child lives for a few
    charts and leaves without tearing down; what it would collect (each figure's
    cycles, a few megabytes) is freed when it ends, while the collector's passes over
    matplotlib's freshly imported objects cost about 50 ms of its time, on a core the
    report's own work needs."""
    import gc

    gc.disable()
    from .charts import prepare

    prepare(kind, warm=warm)
