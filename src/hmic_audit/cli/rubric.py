"""``hmic-audit rubric check`` and ``hmic-audit rubric show``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import FormatOpt, OutputFormat
from .output import emit_json, finish_check, guarded, show

rubric_app = typer.Typer(help="Check or display a grading rubric.", no_args_is_help=True)

RubricFileArg = Annotated[str, typer.Argument(
    metavar="RUBRIC", help="Rubric YAML file, or the name of a shipped rubric.")]


@rubric_app.command("check")
@guarded
def check_command(rubric: RubricFileArg, format: FormatOpt = OutputFormat.human) -> None:
    """Check a rubric and list every problem (exit 1 when there are any).

    Examples:

      hmic-audit rubric check rubrics/child-protection-2014.yaml

      hmic-audit rubric check my-rubric.yaml --format json
    """
    from ..problems import RubricError
    from ..rubric_file import load_rubric

    try:
        loaded = load_rubric(rubric)
        problems, ok = [], True
        summary = f"{loaded.name} v{loaded.version}: no problems"
    except RubricError as exc:
        if exc.problems and exc.problems[0].code == "rubric-not-found":
            raise
        problems, ok = exc.problems, False
        summary = f"{Path(rubric).name}: {len(problems)} problem(s)"
    finish_check(ok=ok, summary=summary, problems=problems, format=format,
                 document={"file": Path(rubric).name})


@rubric_app.command("show")
@guarded
def show_command(rubric: Annotated[str | None, typer.Argument(
        metavar="[RUBRIC]", help="Rubric file or shipped name (default: the default rubric).",
        show_default=False)] = None,
        format: FormatOpt = OutputFormat.human) -> None:
    """Show a rubric as a tree: scale and bands, case types, themes, criteria, caps.

    Examples:

      hmic-audit rubric show

      hmic-audit rubric show my-rubric.yaml --format json
    """
    from ..rubric_file import load_rubric

    loaded = load_rubric(rubric)
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json(loaded))
    else:
        from ..render.console import rubric_view

        show(rubric_view(loaded))
