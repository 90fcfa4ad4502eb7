"""Printing for the commands: data to stdout, words to stderr, one error path.

Exit codes, decided here and nowhere else: 0 done; 1 a check ran and found problems
(``finish_check``); 2 bad input or usage (``guarded``; typer's own usage errors exit 2
too); 130 interrupted (Ctrl-C).
"""

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

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


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


def report_problems(problems: list[Problem], file: str | None = None, *,
                    show_all: bool = False, quiet: bool = False) -> None:
    """Show problems on stderr, grouped unless ``show_all`` (see ``render.problem_list``),
    under a title counting them; ``quiet`` leaves out the notices."""
    from ..problems import Severity
    from ..render.problem_list import count_phrase, problems_view

    if quiet:
        problems = [p for p in problems if p.severity is not Severity.NOTICE]
    if problems:
        title = count_phrase(problems) + (f" in {file}" if file else "")
        err_console().print(problems_view(problems, title, show_all=show_all))


def without_lock_files(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """The paths that are not spreadsheet lock files (``~$cases.xlsx``, ``.~lock.cases.
    xlsx#``, which a shell's ``*.xlsx`` picks up), and a notice for each one skipped."""
    from ..io.sheets import is_lock_file
    from ..problems import Problem, Severity

    kept, skipped = [], []
    for path in paths:
        if is_lock_file(path):
            skipped.append(Problem(
                code="lock-file-skipped", severity=Severity.NOTICE, file=path.name,
                message="skipped: a lock file a spreadsheet program keeps while the "
                "workbook is open, not a workbook"))
        else:
            kept.append(path)
    return kept, skipped


def maybe_pseudonymise(audits: AuditFrame, on: bool, key_file: Path | None) -> AuditFrame:
    """The audits with pseudonymous case references when ``--pseudonymise`` is on."""
    if not on:
        return audits
    from ..workbook.privacy import load_key, pseudonymise

    return pseudonymise(audits, load_key(key_file))


def problems_document(problems: list[Problem]) -> dict[str, Any]:
    """The counts (notices are not warnings) and every problem, for a JSON document."""
    from ..render.problem_list import counts

    return {**counts(problems), "problems": [p.model_dump(mode="json") for p in problems]}


def error_document(exc: HmicAuditError) -> dict[str, Any]:
    return {"ok": False, "error": exc.summary, **problems_document(exc.problems)}


def guarded(fn: F) -> F:
    """Turn bad input (``HmicAuditError``) into a located message and exit code 2, and
    Ctrl-C into exit code 130. Reads the command's ``format``, ``show_all`` and
    ``quiet``."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..problems import HmicAuditError  # imported late: --help stays fast

        try:
            return fn(*args, **kwargs)
        except KeyboardInterrupt:
            say("interrupted", style="bold red")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except HmicAuditError as exc:
            from ..text import plural

            if kwargs.get("format") is OutputFormat.json:
                from ..render.json import render_json

                emit_json(render_json(error_document(exc)))
            say(f"error: {exc.summary}", style="bold red")
            report_problems(exc.problems, show_all=bool(kwargs.get("show_all")),
                            quiet=bool(kwargs.get("quiet")))
            errors = sum(p.is_error for p in exc.problems)
            if errors > 1:
                say(f"{plural(errors, 'error')}. Nothing was written.", style="dim")
            else:
                say("Nothing was written.", style="dim")
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


def finish_check(*, ok: bool, summary: str, problems: list[Problem], format: OutputFormat,
                 document: dict[str, Any], show_all: bool = False, quiet: bool = False
                 ) -> None:
    """End a checking command: the report (JSON on stdout, or problems on stderr), a
    summary line (left out by ``quiet`` when all is well), and exit code 1 when the
    check found errors."""
    if format is OutputFormat.json:
        from ..render.json import render_json

        emit_json(render_json({"ok": ok, **document, **problems_document(problems)}))
    else:
        report_problems(problems, show_all=show_all, quiet=quiet)
    if not (ok and quiet):
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
