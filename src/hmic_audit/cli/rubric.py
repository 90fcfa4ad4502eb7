"""``hmic-audit rubric check``, ``rubric show``, ``rubric diff`` and ``rubric crosswalk``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .command import Group, register
from .options import AllOpt, FormatOpt, OutputFormat, QuietOpt
from .output import check_file, emit_json, guarded, report_problems, show

if TYPE_CHECKING:
    from ..problems import Problem

rubric_app = typer.Typer(help="Check or display a grading rubric.", no_args_is_help=True,
                         rich_markup_mode="rich", cls=Group)

UNREADABLE = {"rubric-not-found", "unreadable", "bad-encoding", "too-large"}
"""Problems that mean a rubric file could not be read at all: bad input (exit 2), not a
problem the check found in it (exit 1)."""

RubricFileArg = Annotated[str, typer.Argument(
    metavar="RUBRIC", help="Rubric YAML file, or the name of a shipped rubric.")]


@guarded
def check_command(rubric: RubricFileArg, format: FormatOpt = OutputFormat.human,
                  show_all: AllOpt = False, quiet: QuietOpt = False) -> None:
    """Check a rubric and list every problem (exit 1 when there are errors).

    Warnings (such as an hmic-audit version outside the rubric's requires_version) are
    listed too, but the rubric is still usable and the exit code is 0.

    Examples:

      hmic-audit rubric check rubrics/child-protection-2014.yaml
      hmic-audit rubric check my-rubric.yaml --format json
    """
    from ..problems import RubricError
    from ..rubric_file import load_rubric

    def check() -> tuple[str, list[Problem]]:
        from ..text import plural

        loaded = load_rubric(rubric)
        if loaded.warnings:
            return (f"{loaded.name} v{loaded.version}: no errors, "
                    f"{plural(len(loaded.warnings), 'warning')}", loaded.warnings)
        return f"{loaded.name} v{loaded.version}: no problems", []

    check_file(Path(rubric).name, check, error=RubricError, unreadable=UNREADABLE,
               format=format, show_all=show_all, quiet=quiet)


@guarded
def show_command(rubric: Annotated[str | None, typer.Argument(
        metavar="RUBRIC", help="Rubric file or shipped name (default: the default rubric).",
        show_default=False)] = None,
        format: FormatOpt = OutputFormat.human, quiet: QuietOpt = False) -> None:
    """Show a rubric as a tree: scale and bands, case types, themes, criteria, caps.

    Examples:

      hmic-audit rubric show
      hmic-audit rubric show my-rubric.yaml --format json
    """
    from ..rubric_file import load_rubric

    loaded = load_rubric(rubric)
    report_problems(loaded.warnings, Path(loaded.source or "").name or None, quiet=quiet)
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json(loaded))
    else:
        from ..render.console import rubric_view

        show(rubric_view(loaded))


class DiffFormat(StrEnum):
    """What ``rubric diff`` prints on stdout."""

    human = "human"
    json = "json"
    md = "md"


@guarded
def diff_command(old: Annotated[str, typer.Argument(
        metavar="A", help="The earlier rubric: a YAML file or the name of a shipped rubric.")],
        new: Annotated[str, typer.Argument(
            metavar="B", help="The later rubric: a YAML file or the name of a shipped "
            "rubric.")],
        format: Annotated[DiffFormat, typer.Option(
            "--format", "-f", metavar="human|json|md", case_sensitive=False,
            help="human: a table per section; json: one JSON document; md: Markdown.")]
        = DiffFormat.human,
        quiet: QuietOpt = False) -> None:
    """List what changed from rubric A to rubric B, section by section.

    Names, versions, grades, answers and their scores, case types, themes, criteria
    (added, removed, reworded, moved, reweighted, applies_to), bands, limiting criteria,
    settings, requires_version and the changelog. Exit 0 whether or not the rubrics
    differ (the output says which: "no differences", or "same": false in JSON); exit 2
    when either rubric cannot be read or has errors, with every problem of both listed.

    Examples:

      hmic-audit rubric diff child-protection-2014 my-rubric.yaml
      hmic-audit rubric diff old.yaml new.yaml --format md
    """
    from ..problems import RubricError
    from ..rubric_diff import diff_rubrics
    from ..rubric_file import load_rubric

    loaded, problems, failed = [], [], []
    for name in (old, new):
        try:
            loaded.append(load_rubric(name))
        except RubricError as exc:
            problems += exc.problems
            failed.append(exc.summary)
    if failed:
        raise RubricError("; ".join(failed), problems)
    for rubric in loaded:
        report_problems(rubric.warnings, Path(rubric.source or "").name or None,
                        quiet=quiet)
    diff = diff_rubrics(loaded[0], loaded[1])
    if format is DiffFormat.json:
        from ..render.json import render_json

        emit_json(render_json(diff))
    elif format is DiffFormat.md:
        from ..render.rubric_diff import rubric_diff_markdown

        typer.echo(rubric_diff_markdown(diff), nl=False)
    else:
        from ..render.rubric_diff import rubric_diff_view

        show(rubric_diff_view(diff))


@guarded
def crosswalk_command(crosswalk: Annotated[str, typer.Argument(
        metavar="CROSSWALK", help="Crosswalk YAML file, or the name of a shipped crosswalk.")],
        format: FormatOpt = OutputFormat.human, show_all: AllOpt = False,
        quiet: QuietOpt = False) -> None:
    """Check a crosswalk and show its mapping; list every problem (exit 1 when there are
    errors, 2 when the file cannot be read).

    A crosswalk puts the grades of one or more rubrics on one scale, for compare and annex
    inputs graded under different rubrics (--crosswalk).

    Examples:

      hmic-audit rubric crosswalk common-3
      hmic-audit rubric crosswalk my-crosswalk.yaml --format json
    """
    from ..crosswalk import CrosswalkRef, load_crosswalk
    from ..problems import RubricError

    facts: dict[str, object] = {}

    def check() -> str:
        loaded = load_crosswalk(crosswalk)
        ref = CrosswalkRef.of(loaded)
        facts["crosswalk"] = ref.model_dump(mode="json")
        if format is OutputFormat.human:
            show("\n".join(ref.lines()))
        return (f"{loaded.describe()}: no problems; on the scale "
                f"{', '.join(g.label for g in loaded.grades)}")

    check_file(Path(crosswalk).name, check, error=RubricError,
               unreadable=UNREADABLE | {"crosswalk-not-found"}, format=format,
               show_all=show_all, quiet=quiet, facts=facts)


register(rubric_app, "check", check_command)
register(rubric_app, "show", show_command)
register(rubric_app, "diff", diff_command)
register(rubric_app, "crosswalk", crosswalk_command)
