"""Printing for the commands: data to stdout, words to stderr, one error path."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console, RenderableType

from .options import OutputFormat

if TYPE_CHECKING:
    from ..problems import HmicAuditError, Problem
    from ..workbook.frame import AuditFrame

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT = 0, 1, 2


def out_console() -> Console:
    """Console for data (stdout)."""
    return Console(highlight=False, soft_wrap=False, markup=False)


def err_console() -> Console:
    """Console for messages and progress (stderr)."""
    return Console(stderr=True, highlight=False, markup=False)


def show(renderable: RenderableType) -> None:
    out_console().print(renderable)


def say(message: str, style: str | None = None) -> None:
    err_console().print(message, style=style)


def emit_json(text: str) -> None:
    """Write one JSON document to stdout."""
    sys.stdout.write(text)
    sys.stdout.flush()


def report_problems(problems: list[Problem], title: str | None = None) -> None:
    """Show problems on stderr."""
    from ..render.console import problems_view

    if problems:
        err_console().print(problems_view(problems, title))


def maybe_pseudonymise(audits: AuditFrame, on: bool, key_file: Path | None) -> AuditFrame:
    """The audits with pseudonymous case references when ``--pseudonymise`` is on."""
    if not on:
        return audits
    from ..workbook.privacy import load_key, pseudonymise

    return pseudonymise(audits, load_key(key_file))


def error_document(exc: HmicAuditError) -> dict[str, Any]:
    return {"ok": False, "error": exc.summary,
            "problems": [p.model_dump(mode="json") for p in exc.problems]}


def guarded(fn: F) -> F:
    """Turn bad input (``HmicAuditError``) into a located message and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..problems import HmicAuditError  # imported late: --help stays fast

        try:
            return fn(*args, **kwargs)
        except HmicAuditError as exc:
            fmt = kwargs.get("format")
            if fmt is OutputFormat.json:
                from ..render.json import render_json

                emit_json(render_json(error_document(exc)))
            say(f"error: {exc.summary}", style="bold red")
            report_problems(exc.problems)
            errors = sum(p.is_error for p in exc.problems)
            if errors > 1:
                say(f"{errors} errors. Nothing was written.", style="dim")
            else:
                say("Nothing was written.", style="dim")
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


def finish_check(*, ok: bool, summary: str, problems: list[Problem], format: OutputFormat,
                 document: dict[str, Any]) -> None:
    """End a checking command: the report (JSON on stdout, or problems on stderr), a
    summary line, and exit code 1 when the check found errors."""
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json({"ok": ok, **document,
                               "errors": sum(p.is_error for p in problems),
                               "warnings": sum(not p.is_error for p in problems),
                               "problems": [p.model_dump(mode="json") for p in problems]}))
    else:
        report_problems(problems)
    say(summary, style="green" if ok else "bold red")
    if not ok:
        raise typer.Exit(EXIT_PROBLEMS)


class progress:  # noqa: N801 - used like a function: ``with progress("Reading", quiet):``
    """A spinner on stderr for work that takes more than a second.

    Nothing is shown when ``quiet`` is set or stderr is not a terminal (so pipes, files and
    CI logs stay clean), and nothing for work that finishes within ``DELAY`` seconds.
    """

    DELAY = 1.0

    def __init__(self, description: str, quiet: bool = False) -> None:
        self.description = description
        self.enabled = not quiet and sys.stderr.isatty()
        self._status: Any = None
        self._timer: Any = None

    def _start(self) -> None:
        self._status = err_console().status(self.description)
        self._status.start()

    def __enter__(self) -> progress:
        if self.enabled:
            import threading

            self._timer = threading.Timer(self.DELAY, self._start)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._status is not None:
            self._status.stop()
