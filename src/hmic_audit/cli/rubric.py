"""``hmic-audit rubric check`` and ``hmic-audit rubric show``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .command import Group, register
from .options import AllOpt, FormatOpt, OutputFormat, QuietOpt
from .output import check_file, emit_json, guarded, show

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
    """Check a rubric and list every problem (exit 1 when there are any).

    Examples:

      hmic-audit rubric check rubrics/child-protection-2014.yaml
      hmic-audit rubric check my-rubric.yaml --format json
    """
    from ..problems import RubricError
    from ..rubric_file import load_rubric

    def check() -> str:
        loaded = load_rubric(rubric)
        return f"{loaded.name} v{loaded.version}: no problems"

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
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json(loaded))
    else:
        from ..render.console import rubric_view

        show(rubric_view(loaded))


register(rubric_app, "check", check_command)
register(rubric_app, "show", show_command)
