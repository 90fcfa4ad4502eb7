"""The ``hmic-audit`` application: registers the commands; imports stay light for --help."""

from __future__ import annotations

import typer

from .annex import annex_command
from .compare import compare_command
from .grade import grade_command
from .report import report_command
from .rubric import rubric_app
from .template import template_command
from .validate import validate_command

app = typer.Typer(
    name="hmic-audit",
    help="Grade, check and summarise child-protection inspection case audits.\n\n"
    "Example: hmic-audit grade sample_cases/gmp-2014/cases.xlsx",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # never dump locals (case data) in a traceback
    rich_markup_mode="rich",
    add_completion=False,
)
app.command("grade")(grade_command)
app.command("validate")(validate_command)
app.command("compare")(compare_command)
app.command("report")(report_command)
app.command("annex")(annex_command)
app.command("template")(template_command)
app.add_typer(rubric_app, name="rubric")


def main() -> None:
    """Console-script entry point."""
    app()
