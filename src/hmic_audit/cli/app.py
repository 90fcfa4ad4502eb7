"""The ``hmic-audit`` application: registers the commands; imports stay light for --help."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .actions import actions_command
from .agree import agree_command
from .annex import annex_command
from .check_report import check_report_command
from .command import Group, register
from .compare import compare_command
from .escalations import escalations_command
from .grade import grade_command
from .moderate import moderate_command
from .profile import profile_app
from .report import report_command
from .rounds import rounds_command
from .rubric import rubric_app
from .sample import sample_command
from .template import template_command
from .validate import validate_command

app = typer.Typer(
    name="hmic-audit",
    help="Grade, check and summarise child-protection inspection case audits.\n\n"
    "Example:\n\n  hmic-audit grade sample_cases/gmp-2014/cases.xlsx",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # never dump locals (case data) in a traceback
    rich_markup_mode="rich",
    add_completion=False,
    cls=Group,
)
register(app, "grade", grade_command)
register(app, "validate", validate_command)
register(app, "compare", compare_command)
register(app, "agree", agree_command)
register(app, "report", report_command)
register(app, "check-report", check_report_command)
register(app, "annex", annex_command)
register(app, "template", template_command)
register(app, "sample", sample_command)
register(app, "escalations", escalations_command)
register(app, "moderate", moderate_command)
register(app, "rounds", rounds_command)
register(app, "actions", actions_command)
app.add_typer(rubric_app, name="rubric")
app.add_typer(profile_app, name="profile")


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version  # only when asked: --help stays fast

        typer.echo(f"hmic-audit {version('hmic-audit')}")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_show_version,
        help="Show the version and exit.")] = False) -> None:
    """Options that come before the command."""


READS_CASES = frozenset({"grade", "validate", "compare", "agree", "report", "check-report",
                         "annex", "moderate", "rounds", "escalations"})
"""The commands whose first file argument is a cases file (``cases`` or ``files``)."""


def start_early(argv: list[str]) -> None:
    """Start loading the cases workbook before typer parses the command line (parsing
    imports pydantic, about a tenth of a second): from the words, the first one after a
    command of ``READS_CASES`` that names a workbook, and ``--sheet``'s value. The
    command's own start (``output.guarded``) asks for the file it was given, and takes
    this load up when the guess was right; a wrong guess (``--out old.xlsx`` before the
    cases) is only a load stopped unused. See :mod:`~hmic_audit.io.sheet_load`."""
    if not argv or argv[0] not in READS_CASES:
        return
    from pathlib import Path

    from ..io.sheet_load import WORKBOOKS, start_reading

    first, sheet = None, None
    words = iter(argv[1:])
    for word in words:
        if word == "--sheet":
            sheet = next(words, None)
        elif word.startswith("--sheet="):
            sheet = word.removeprefix("--sheet=")
        elif first is None and not word.startswith("-") \
                and Path(word).suffix.lower() in WORKBOOKS:
            first = word
    if first is not None:
        start_reading(first, sheet=sheet)


def main() -> None:
    """Console-script entry point."""
    start_early(sys.argv[1:])
    app()
