"""The report job (``jobs/report.make_report``), the library function the ``report``
command is a shell over: the files rendered in memory, what it tells its feedback, and
the order that keeps a report quick - the charts handed to their child before the text
is built, an HTML page asking for them only once it is rendered."""

from __future__ import annotations

from pathlib import Path

import pytest

from hmic_audit.jobs.report import NO_COMPARISON, make_report
from hmic_audit.problems import Severity

from .conftest import SAMPLE, FeedbackRecorder, long_rows_good, write_xlsx

FORCE = SAMPLE.parent / "force.yaml"


class FakeChartChild:
    """A chart child stood in for: records each job handed over, and when."""

    def __init__(self, log: list[str]) -> None:
        self.log, self.handed = log, []

    def hand(self, chart_ids, data, rubric):  # type: ignore[no-untyped-def]
        new = [c for c in chart_ids if c not in self.handed]
        if new:
            self.log.append(f"handed over: {', '.join(new)}")
            self.handed += new

    def drawn(self):  # type: ignore[no-untyped-def]
        self.log.append("charts asked for")
        return {c: f"<svg>drawn by the child: {c}</svg>" for c in self.handed} or None


def test_the_job_renders_in_memory_and_tells_its_feedback(tmp_path):
    headers, rows = long_rows_good()
    cases = write_xlsx(tmp_path / "northshire.xlsx", headers, rows)
    feedback = FeedbackRecorder()
    made = make_report(cases, tmp_path / "report.md", feedback=feedback)
    assert list(tmp_path.iterdir()) == [cases]  # nothing written: the caller writes
    assert set(made.outputs) == {tmp_path / "report.md", made.figures}
    assert made.figures.name == "report.md.figures.json"
    assert made.inputs == [cases]
    assert made.context.force == "northshire"  # after the file, with a notice
    assert feedback.events == [
        ("step", "Reading northshire.xlsx"),
        ("problems", ("northshire.xlsx", ["force-named-after-file"])),
        ("step", "Rendering report.md"),
    ]
    assert [p.code for p in made.problems] == ["force-named-after-file"]
    assert b"northshire" in made.outputs[tmp_path / "report.md"]


def test_no_comparison_is_a_note_and_a_warning(tmp_path):
    headers, rows = long_rows_good()
    cases = write_xlsx(tmp_path / "inspected.xlsx", headers,
                       [r for r in rows if r[4] == "inspector" and r[0] == "C-2"])
    feedback = FeedbackRecorder()
    made = make_report(cases, tmp_path / "report.md", force_name="Northshire Police",
                       feedback=feedback)
    assert ("note", NO_COMPARISON) in feedback.events
    (warning,) = [p for p in made.problems if p.code == "no-comparison"]
    assert warning.severity is Severity.WARNING and warning.file == "inspected.xlsx"
    assert "force_vs_inspectors" not in made.context.charts


def test_each_chart_is_handed_over_as_soon_as_its_data_exists(monkeypatch, tmp_path):
    from hmic_audit.jobs import report as job

    log: list[str] = []
    built, compared = job.build_report, job.compare_or_none

    def build_report(*args, **kwargs):  # type: ignore[no-untyped-def]
        log.append("text built")
        return built(*args, **kwargs)

    def compare_or_none(*args, **kwargs):  # type: ignore[no-untyped-def]
        log.append("compared")
        return compared(*args, **kwargs)

    monkeypatch.setattr(job, "build_report", build_report)
    monkeypatch.setattr(job, "compare_or_none", compare_or_none)
    made = make_report(SAMPLE, tmp_path / "report.html", force=FORCE,
                       charts=FakeChartChild(log))  # type: ignore[arg-type]
    assert log == ["handed over: grades_by_sample, grades_by_case_type", "compared",
                   "handed over: force_vs_inspectors", "text built", "charts asked for"]
    page = made.outputs[tmp_path / "report.html"].decode("utf-8")
    for chart_id in made.context.charts:
        assert f"<svg>drawn by the child: {chart_id}</svg>" in page
    assert "\0" not in page


def test_a_published_report_hands_over_no_charts(tmp_path):
    log: list[str] = []
    make_report(SAMPLE, tmp_path / "report.html", force=FORCE, publish=True,
                charts=FakeChartChild(log))  # type: ignore[arg-type]
    assert log == []  # and the page did not wait for a child with nothing to draw


def test_bad_options_stop_before_the_cases_are_read(tmp_path):
    from hmic_audit.problems import HmicAuditError

    feedback = FeedbackRecorder()
    for kwargs in ({"templates": tmp_path / "missing"}, {"publish": True, "suppress": 2}):
        with pytest.raises(HmicAuditError):
            make_report(SAMPLE, tmp_path / "report.md", feedback=feedback,
                        **kwargs)  # type: ignore[arg-type]
    assert feedback.events == []


def test_html_asks_for_its_charts_once_the_page_is_rendered(monkeypatch):
    from hmic_audit import grade, load_rubric, read_audits
    from hmic_audit.analysis.compare import compare_or_none
    from hmic_audit.render import charts as chart_module
    from hmic_audit.render import report_html
    from hmic_audit.render.report_markdown import render_report_markdown
    from hmic_audit.report.context import build_report

    rubric = load_rubric(SAMPLE.parent / "rubric.yaml")
    result = grade(read_audits(SAMPLE, rubric)[0], rubric)
    ctx = build_report(result, compare_or_none([result], rubric), rubric, None,
                       force_name="Northshire Police")
    markdown = render_report_markdown(ctx)
    # text that looks like a slot stays text
    markdown += "\n\nA line with \0chart:grades_by_sample\0 in it.\n"
    asked: list[int] = []

    def later():  # type: ignore[no-untyped-def]
        asked.append(1)
        return {c: f"<svg>{c}</svg>" for c in ctx.charts}

    page = report_html.render_report_html(ctx, markdown, charts=later)
    assert asked == [1]
    assert page.count("<svg>grades_by_sample</svg>") == 1
    assert "\0" not in page and "\ufffdchart:grades_by_sample\ufffd" in page
    # a child that drew nothing (None) or not every chart: the rest drawn here
    monkeypatch.setattr(chart_module, "draw_charts", lambda ids, data, rubric, kind: {
        c: f"<svg>here: {c}</svg>" for c in ids})
    for given in (lambda: None, lambda: {"grades_by_sample": "<svg>x</svg>"}):
        page = report_html.render_report_html(ctx, markdown, charts=given)
        assert all(f"<svg>here: {c}</svg>" in page for c in ctx.charts)


def test_the_command_is_the_job_written(tmp_path, runner):
    """The CLI writes exactly the files the job renders, byte for byte."""
    from .conftest import invoke

    out = tmp_path / "cli" / "report.md"
    out.parent.mkdir()
    result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out)
    assert result.exit_code == 0, result.output
    made = make_report(SAMPLE, tmp_path / "report.md", force=FORCE)
    assert out.read_bytes() == made.outputs[tmp_path / "report.md"]
    assert Path(f"{out}.figures.json").read_bytes().replace(b"cli/", b"") == \
        made.outputs[made.figures].replace(b"cli/", b"")


def test_a_small_workbooks_chart_child_starts_first_thing(monkeypatch, tmp_path):
    """The console script starts the chart child of a report of a small workbook before
    anything is imported (its longest part is matplotlib); the report job takes it up
    when it is for the same report, and ends it when it is not."""
    from hmic_audit import processes
    from hmic_audit.cli.start import start_early
    from hmic_audit.io import sheet_load
    from hmic_audit.render import chart_child

    monkeypatch.delenv(processes.ONE_PROCESS_VARIABLE, raising=False)
    html = tmp_path / "r.html"

    def early(*argv: str) -> list[tuple[Path, bool]]:
        start_early(["report", *argv])
        sheet_load.stop_reading()
        return [(c.out, c.standby.pid is not None) for c in chart_child._EARLY]

    try:
        assert early(str(SAMPLE), "--out", str(html)) == [(html, True)]
        taken = chart_child.chart_child(html, publish=False)
        assert taken.standby.pid is not None and chart_child._EARLY == []
        assert taken.warm  # started first thing: it warms up while the cases are read
        taken.standby.close()
        assert early(str(SAMPLE), f"--out={tmp_path / 'r.docx'}") == [
            (tmp_path / "r.docx", True)]
        pid = chart_child._EARLY[0].standby.pid
        other = chart_child.chart_child(tmp_path / "other.html", publish=False)
        assert other.out == tmp_path / "other.html" and chart_child._EARLY == []
        assert not other.warm  # started late: its data comes as matplotlib is imported
        assert not Path(f"/proc/{pid}").exists()  # the wrong guess ended and reaped
        other.standby.close()
        for argv in ([str(SAMPLE), "--out", str(html), "--publish"],  # no charts
                     [str(SAMPLE), "-o", str(tmp_path / "r.md")],  # no charts
                     ["--out", str(html)]):  # no workbook named
            assert early(*argv) == []
        monkeypatch.setattr(chart_child, "EARLY_BELOW", SAMPLE.stat().st_size)
        assert early(str(SAMPLE), "--out", str(html)) == []  # not small: started later
        monkeypatch.setattr(chart_child, "EARLY_BELOW", 512 * 1024)
        # a report that fails before its job begins: the child it had is ended
        argv = [str(SAMPLE), "--out", str(html), "--templates", str(tmp_path / "none")]
        assert early(*argv) == [(html, True)]
        pid = chart_child._EARLY[0].standby.pid
        from typer.testing import CliRunner

        from .conftest import invoke

        failed = invoke(CliRunner(), "report", *argv)
        assert failed.exit_code == 2 and chart_child._EARLY == []
        assert not Path(f"/proc/{pid}").exists()
    finally:
        while chart_child._EARLY:
            chart_child._EARLY.pop().standby.close()


def test_the_chart_child_draws_without_the_cyclic_collector(monkeypatch, tmp_path):
    """Its collector's passes over matplotlib's freshly imported objects cost a report a
    tenth of a second; the child lives for a few charts, so it runs without them (the
    parent keeps its own collector)."""
    import gc

    from hmic_audit import processes
    from hmic_audit.render.chart_child import ChartChild

    monkeypatch.delenv(processes.ONE_PROCESS_VARIABLE, raising=False)
    with ChartChild(tmp_path / "r.html", publish=False) as child:
        assert child.standby.pid is not None
        child.standby.submit(gc.isenabled)
        assert child.standby.results() == [False]
    assert gc.isenabled()
