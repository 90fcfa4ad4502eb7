"""``report``: the force report from a cases file and, when there is one, a force
profile - read, grade, moderate, compare, build the context, render every file in
memory.

The order is the one that keeps a report quick: each chart's data is handed to the chart
child (``charts``, a :class:`~hmic_audit.render.chart_child.ChartChild`) as soon as it
is known - the grade tables before the comparison is made, the comparison before the
text is built - so the charts are drawn while this process works on.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import grade, load_rubric, read_audits
from ..analysis.compare import compare_or_none
from ..analysis.pool import many_objects
from ..problems import HmicAuditError, OutputError, Problem, Severity, WorkbookError
from ..profile import check_profile, profile_rubric, read_profile
from ..render.chart_child import ChartChild, chart_child
from ..render.formats import check_out
from ..render.report_files import figures_path, render_outputs, template_problem
from ..report.context import ReportContext, build_report, report_charts, report_tables
from ..workbook.privacy import publish_threshold
from .feedback import SILENT, Feedback
from .graded import rubric_warnings

if TYPE_CHECKING:
    from ..profile import ForceProfile
    from ..rubric import Rubric
    from ..scoring.grading import GradeResult
    from ..workbook.frame import AuditFrame

NO_COMPARISON = ("no case has both a force and an inspector grade, so the report has no "
                 "self-assessment comparison")


@dataclass
class MadeReport:
    """A report rendered in memory: its files (not yet written), and what went into it."""

    outputs: dict[Path, bytes]
    """The report and its figures file (``figures_path``), path -> bytes."""
    figures: Path
    """Which of ``outputs`` is the figures file."""
    result: GradeResult
    context: ReportContext
    rubric: Rubric
    inputs: list[Path]
    """Every file read: an output must not overwrite one."""
    profile_file: str | None = None
    problems: list[Problem] = field(default_factory=list)
    """Every warning and notice, as shown through the feedback."""


def make_report(cases: Path, out: Path, *, force: Path | None = None,
                force_name: str | None = None, rubric: str | Path | None = None,
                templates: Path | None = None, notes: bool = True, publish: bool = False,
                suppress: int | None = None, key: bytes | None = None,
                encoding: str | None = None, sheet: str | None = None,
                month_first: bool = False, moderated: Path | None = None,
                actions: Path | None = None, as_of: str | None = None,
                charts: ChartChild | None = None, feedback: Feedback = SILENT) -> MadeReport:
    """The report ``out`` (.html, .md or .docx) and its figures file, rendered from
    ``cases``.

    ``force`` is the force profile (names, dates, narrative; it may name the rubric);
    without it the report has the chapters from the cases alone and the force is
    ``force_name``, else the cases' force column, else the file's name (a notice says
    so). ``publish`` makes it fit for publication: counts below ``suppress`` hidden, no
    notes, examples or charts. ``key`` pseudonymises case references. ``moderated`` is a
    moderation queue whose grades replace inspectors'; ``actions`` the earlier
    recommendations' ledger, counted as at ``as_of``.

    The charts are drawn meanwhile by ``charts``: by default a child process
    (:func:`~hmic_audit.render.chart_child.chart_child`: the one the console script
    started first thing, else one started here), handed each chart's data as soon as it
    exists.

    Raises ``HmicAuditError`` (bad input: exit 2) naming the file and place: a template
    that fails is named with its file and line.
    """
    check_out(out, "report")
    if templates is not None and not templates.is_dir():
        raise OutputError("--templates is not a folder", [Problem(
            code="bad-templates", file=str(templates), message="is not a folder")])
    threshold = publish_threshold(suppress) if publish else None
    drawing = charts if charts is not None else chart_child(out, publish=publish)
    with contextlib.ExitStack() as stack:
        if charts is None:  # ours to end
            stack.enter_context(drawing)
        return _make(cases, out, force=force, force_name=force_name, rubric=rubric,
                     templates=templates, notes=notes and not publish, threshold=threshold,
                     key=key, encoding=encoding, sheet=sheet, month_first=month_first,
                     moderated=moderated, actions=actions, as_of=as_of,
                     charts=drawing, feedback=feedback)


def _make(cases: Path, out: Path, *, force: Path | None, force_name: str | None,
          rubric: str | Path | None, templates: Path | None, notes: bool,
          threshold: int | None, key: bytes | None, encoding: str | None,
          sheet: str | None, month_first: bool, moderated: Path | None,
          actions: Path | None, as_of: str | None, charts: ChartChild,
          feedback: Feedback) -> MadeReport:
    profile, profile_sha, the_rubric = profile_and_rubric(force, rubric)
    rubric_warnings([the_rubric], feedback)
    with feedback.step(f"Reading {cases.name}"):
        frame, warnings = read_audits(cases, the_rubric, encoding=encoding, sheet=sheet,
                                      month_first=month_first)
    from_cases, named = case_force_name(frame, cases)  # refuses several forces
    seen = list(warnings)
    if force_name is None and profile is None:
        force_name = from_cases
        seen += named
    feedback.problems(seen, cases.name)
    if key is not None:
        from ..workbook.privacy import pseudonymise

        frame = pseudonymise(frame, key)
    result = grade(frame, the_rubric)
    if moderated is not None:
        from ..analysis.moderation import apply_queue

        result = apply_queue([result], moderated, the_rubric)[0]
    tables = report_tables(result, the_rubric, publish=threshold)
    # the grade charts drawn in the child from here on
    charts.hand(*report_charts(tables, None, publish=threshold), the_rubric)
    comparison = compare_or_none([result], the_rubric)
    if comparison is None:
        feedback.note(NO_COMPARISON)
        seen.append(Problem(code="no-comparison", severity=Severity.WARNING,
                            file=cases.name, message=NO_COMPARISON))
    else:  # and the heat map, while the text is built
        charts.hand(*report_charts(tables, comparison, publish=threshold), the_rubric)
    done = None
    if actions is not None:
        from ..analysis.action_ledger import read_ledger
        from ..analysis.actions import parse_as_of, progress

        day = parse_as_of(as_of)[0]
        done = progress(read_ledger(actions, as_of=day).actions, day)
    # the report, its renderers and its files make many objects and little garbage: the
    # cyclic collector need not walk the cases over and over meanwhile
    with feedback.step(f"Rendering {out.name}"), many_objects():
        ctx = build_report(result, comparison, the_rubric, profile,
                           profile_sha256=profile_sha,
                           profile_file=force.name if force is not None else None,
                           force_name=force_name, notes=notes,
                           publish=threshold, progress=done, tables=tables)
        outputs = _render(ctx, out, templates, charts)
    return MadeReport(outputs=outputs, figures=figures_path(out), result=result,
                      context=ctx, rubric=the_rubric,
                      inputs=[cases, *(p for p in (force, actions) if p is not None)],
                      profile_file=force.name if force is not None else None,
                      problems=seen)


def profile_and_rubric(force: Path | None, rubric: str | Path | None
                       ) -> tuple[ForceProfile | None, str | None, Rubric]:
    """The force profile (and its SHA-256) when one is given, and the rubric: ``rubric``
    when given, else the one the profile names, else the default; the profile checked
    against it."""
    if force is None:
        return None, None, load_rubric(rubric)
    profile, digest = read_profile(force)
    the_rubric = load_rubric(rubric or profile_rubric(profile, force))
    check_profile(profile, the_rubric, force.name)
    return profile, digest, the_rubric


def case_force_name(frame: AuditFrame, cases: Path) -> tuple[str, list[Problem]]:
    """The force a cases file is about: its ``force`` column (one force: a report is about
    one), else the file's name, with a notice saying so. Raises ``WorkbookError`` when
    the column names several forces."""
    named = sorted({str(v).strip() for v in frame.extra("force") if v is not None
                    and str(v).strip()})
    if len(named) > 1:
        shown = ", ".join(repr(n) for n in named[:5]) + (", ..." if len(named) > 5 else "")
        raise WorkbookError(f"{cases.name} holds audits of {len(named)} forces", [Problem(
            code="several-forces", file=cases.name, column="Force", value=shown,
            message=f"names {len(named)} forces ({shown}); a report is about one force: "
            "give each force's cases in a file of its own (hmic-audit annex compares "
            "forces)")])
    if named:
        return named[0], []
    stem = cases.name.rsplit(".", 1)[0]
    return stem, [Problem(
        code="force-named-after-file", severity=Severity.NOTICE, file=cases.name,
        message=f"the report calls the force {stem!r} after the file: give --force-name "
        "(or a force column, or a force profile with --force) to name it")]


def _render(ctx: ReportContext, out: Path, templates: Path | None,
            charts: ChartChild) -> dict[Path, bytes]:
    """The report's files; a template that fails is bad input (exit 2), named with its
    file and line."""
    from jinja2 import TemplateError

    try:
        return render_outputs(ctx, out, templates=templates, charts=charts)
    except TemplateError as exc:
        raise HmicAuditError("a report template failed", [template_problem(exc, templates)]
                             ) from None
    except Exception as exc:
        # NOTE: a user's template can raise anything Python can (1 + "a"); only an error
        # raised inside one of their templates is theirs to fix, anything else is ours.
        problem = template_problem(exc, templates) if templates is not None else None
        if problem is None or problem.file is None or problem.file.startswith("shipped"):
            raise
        raise HmicAuditError("a report template failed", [problem]) from None
