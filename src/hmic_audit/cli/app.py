"""The ``hmic-audit`` application: registers the commands; imports stay light for --help.

typer turns every registered command into a click command (reading each function's
parameters and their annotations) before it parses anything: for nineteen commands that
is about a twentieth of a second on every run. The console script
(:mod:`~hmic_audit.cli.start`) builds only what a command line can reach
(:func:`for_argv`) - the command it names first, or, when it names none (``--help``,
``--version``, a typo), every command with its help but without its parameters, which is
all the list of commands and click's suggestions need. ``app`` is the whole application
(tests and library users invoke it); ``tests/cli/test_help.py`` checks that both give the
same output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

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

COMMANDS: dict[str, Callable[..., Any] | typer.Typer] = {
    "grade": grade_command, "validate": validate_command, "compare": compare_command,
    "agree": agree_command, "report": report_command,
    "check-report": check_report_command, "annex": annex_command,
    "template": template_command, "sample": sample_command,
    "escalations": escalations_command, "moderate": moderate_command,
    "rounds": rounds_command, "actions": actions_command,
    "rubric": rubric_app, "profile": profile_app}
"""Every command (or group of commands), in the order the help lists them."""


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version  # only when asked: --help stays fast

        typer.echo(f"hmic-audit {version('hmic-audit')}")
        raise typer.Exit()


def _options(version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_show_version,
        help="Show the version and exit.")] = False) -> None:
    """Options that come before the command."""


def _listed(fn: Callable[..., Any]) -> Callable[[], None]:
    """A stand-in with ``fn``'s help and no parameters, for the list of commands."""
    def listed() -> None:
        raise AssertionError("a listed command runs only through the whole application")

    listed.__doc__ = fn.__doc__
    return listed


def make_app(command: str | None = None) -> typer.Typer:
    """The application with every command, or, given a command's name, that command
    alone and the others listed by their help (see the module's docstring)."""
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
    app.callback()(_options)
    for name, target in COMMANDS.items():
        if isinstance(target, typer.Typer):
            if command in (None, "", name):
                app.add_typer(target, name=name)
        elif command in (None, name):
            register(app, name, target)
        elif command == "":
            register(app, name, _listed(target))
    return app


app = make_app()


def for_argv(argv: Sequence[str]) -> typer.Typer:
    """The application a command line needs: its command alone when the first word
    names one; every command listed when no word does; else (a command after an option
    or ``--``) the whole application."""
    if argv and argv[0] in COMMANDS:
        return make_app(argv[0])
    return make_app() if any(word in COMMANDS for word in argv) else make_app("")
