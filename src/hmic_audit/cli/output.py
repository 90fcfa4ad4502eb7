"""Printing for the commands: data to stdout, words to stderr, one error path.

Piped (into a file or another program), neither stream has spaces at the ends of lines.

Exit codes, decided here and nowhere else: 0 done; 1 a check ran and found problems
(``finish_check``); 2 bad input or usage (``guarded``; typer's own usage errors exit 2
too); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

import typer
from rich.console import Console, RenderableType

from .options import OutputFormat

if TYPE_CHECKING:
    from ..problems import HmicAuditError, Problem
    from ..rubric import Rubric
    from ..scoring.grading import GradeResult

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_PROBLEMS, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


_PADDING = re.compile(r" +\n")


class Unpadded:
    """A text stream that drops the spaces before each line end.

    rich pads a table's title, and each line it wraps, to the width it prints at: in a
    terminal nobody sees them, but piped into a file, a diff or ``grep`` every such line
    ends in spaces. Spaces at the end of one write are held back until the next shows
    whether a line end follows them.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._held = ""

    def write(self, text: str) -> int:
        joined = _PADDING.sub("\n", self._held + text)
        body = joined.rstrip(" ")
        self._held = joined[len(body):]
        self._stream.write(body)
        return len(text)

    def __getattr__(self, name: str) -> Any:  # isatty, flush, encoding, fileno ...
        return getattr(self._stream, name)


def _piped(stream: TextIO) -> TextIO | None:
    """``stream`` without trailing spaces when it is not a terminal (None: as it is)."""
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return None
    return Unpadded(stream)  # type: ignore[return-value]


def out_console() -> Console:
    """Console for data (stdout)."""
    return Console(file=_piped(sys.stdout), highlight=False, soft_wrap=False, markup=False)


def err_console() -> Console:
    """Console for messages and progress (stderr)."""
    return Console(file=_piped(sys.stderr), stderr=True, highlight=False, markup=False)


def show(renderable: RenderableType) -> None:
    with to_stdout():
        out_console().print(renderable)


def say(message: str, style: str | None = None) -> None:
    err_console().print(message, style=style)


def emit_json(text: str) -> None:
    """Write one JSON document to stdout."""
    with to_stdout():
        sys.stdout.write(text)
        sys.stdout.flush()


class StdoutFailed(Exception):  # noqa: N818 - reads as the event it reports
    """Standard output could not be written (``to_stdout``)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror)
        self.errno, self.strerror = error.errno, error.strerror


_STREAM_ERRORS = frozenset({errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})
"""Why writing to standard output can fail: a reader that stopped (``| head``), a full
disk or quota, a device error."""


@contextlib.contextmanager
def to_stdout() -> Iterator[None]:
    """Around every write to standard output (``show``, ``emit_json``, the streamed JSON
    of ``grade``): its failure becomes ``StdoutFailed``, which ``guarded`` reports in one
    line - and only its failure, never an error reading a file."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in _STREAM_ERRORS:
            raise
        raise StdoutFailed(exc) from None


def report_problems(problems: list[Problem], file: str | None = None, *,
                    show_all: bool = False, quiet: bool = False, counted: bool = True
                    ) -> None:
    """Show problems on stderr, grouped unless ``show_all`` (see ``render.problem_list``),
    under a title counting them (none when ``counted`` is off: a headline has said what
    is wrong); ``quiet`` leaves out the notices."""
    from ..problems import Severity
    from ..render.problem_list import count_phrase, problems_view, risk_banner

    if quiet:
        problems = [p for p in problems if p.severity is not Severity.NOTICE]
    banner = risk_banner(problems) if counted else None  # uncounted: said already
    if banner is not None:
        err_console().print(banner)
    if problems:
        title = None
        if counted:
            title = count_phrase(problems) + (f" in {file}" if file else "")
        err_console().print(problems_view(problems, title, show_all=show_all))


def rubric_warnings(*rubrics: Rubric, quiet: bool = False) -> None:
    """Show each rubric's warnings once on stderr (``jobs.graded.rubric_warnings``)."""
    from ..jobs.graded import rubric_warnings as tell

    tell(rubrics, ConsoleFeedback(quiet=quiet))


def check_annotate(annotate: Path | None) -> None:
    """Refuse an ``--annotate`` path that is not an .xlsx, before any work."""
    from ..problems import OutputError, Problem

    if annotate is not None and annotate.suffix.lower() != ".xlsx":
        raise OutputError(f"{annotate.name}: not an .xlsx", [Problem(
            code="bad-output-format", file=annotate.name,
            message="--annotate writes an Excel workbook: give a path ending in .xlsx")])


def write_annotated(annotate: Path, cases: Path, problems: list[Problem], *,
                    rubric: Rubric, result: GradeResult | None = None,
                    encoding: str | None = None, sheet: str | None = None,
                    quiet: bool = False) -> None:
    """Write the annotated copy of ``cases`` (``--annotate``): never over the input."""
    from ..io.write import write_outputs
    from ..render.annotated import annotate_file

    with progress(f"Writing {annotate.name}", quiet):
        data = annotate_file(cases, problems, rubric=rubric, result=result,
                             encoding=encoding, sheet=sheet)
        write_outputs({annotate: data}, inputs=[cases])
    if not quiet:
        say(f"wrote {annotate}")


def write_file(out: Path, render: Callable[[list[str]], bytes], *, inputs: list[Path],
               quiet: bool = False, said: str | None = None) -> None:
    """Write one output file (atomically, never over an input; a spinner while it
    takes): ``render`` makes its bytes, listing in the list it is given each cell it had
    to cut, which is then said as a warning; then ``said`` ("wrote OUT") unless
    ``quiet``."""
    from ..io.write import write_outputs

    cut: list[str] = []
    with progress(f"Writing {out.name}", quiet):
        write_outputs({out: render(cut)}, inputs=inputs)
    for message in cut:
        say(f"warning: {message}", style="yellow")
    if not quiet:
        say(said or f"wrote {out}")


def pseudonym_key(on: bool, key_file: Path | None) -> bytes | None:
    """The key for ``--pseudonymise`` (None when it is off), loaded before any case is
    read; a key given but too short is called that, with the length it must have."""
    if not on:
        return None
    from ..problems import HmicAuditError, Problem
    from ..text import plural
    from ..workbook.privacy import KEY_VARIABLE, MIN_KEY_BYTES, load_key

    try:
        return load_key(key_file)
    except HmicAuditError as exc:
        # NOTE: load_key says "no pseudonym key" for a key too short as for none at all;
        # this tells them apart until it does (its file was readable: it got this far).
        if [p.code for p in exc.problems] != ["no-key"]:
            raise
        given = (key_file.read_bytes().strip() if key_file is not None
                 else os.environ.get(KEY_VARIABLE, "").encode())
        if not given:
            raise
        length = plural(len(given.decode("utf-8", "replace")), "character")
        which = "holds a key that" if key_file is not None else KEY_VARIABLE
        raise HmicAuditError("pseudonym key too short", [Problem(
            code="key-too-short", file=key_file.name if key_file is not None else None,
            message=f"{which} is too short ({length}): --pseudonymise needs a secret key "
            f"of at least {MIN_KEY_BYTES} characters")]) from None


def problems_document(problems: list[Problem]) -> dict[str, Any]:
    """The counts (notices are not warnings) and every problem, for a JSON document."""
    from ..render.problem_list import counts

    return {**counts(problems), "problems": [p.model_dump(mode="json") for p in problems]}


def error_document(exc: HmicAuditError) -> dict[str, Any]:
    return {"ok": False, "error": exc.summary, **problems_document(exc.problems)}


def guarded(fn: F) -> F:
    """Turn bad input (``HmicAuditError``) into a located message and exit code 2, and
    Ctrl-C into exit code 130. Reads the command's ``format``, ``show_all``, ``quiet``
    and ``out``.

    The message is a headline (``error: bad.xlsx has 7 problems``) and the problems
    under it, without a title counting them again; a command asked to write a file
    (``out`` given) closes with "Nothing was written.", a read-only one says nothing of
    the kind.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..io.sheet_load import keep_reading, stop_reading
        from ..render.chart_child import stop_early as stop_charts
        from .collector import resume_collector

        first = kwargs.get("cases", kwargs.get("files"))
        if isinstance(first, list):
            first = first[0] if first else None
        # the workbook loads while the command gets ready; a wrong early guess stops
        keep_reading(first, sheet=kwargs.get("sheet"))
        resume_collector()  # what the command makes may need collecting
        try:
            return _reported(fn, *args, **kwargs)
        except StdoutFailed as exc:  # the command's output, or its error document
            _stdout_failed(exc)
        finally:
            stop_reading()
            stop_charts()  # a chart child started early that no report took up

    return wrapper  # type: ignore[return-value]


def _reported(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn``, with Ctrl-C and bad input reported as ``guarded`` says."""
    from ..problems import HmicAuditError  # imported late: --help stays fast

    try:
        return fn(*args, **kwargs)
    except KeyboardInterrupt:
        say("interrupted", style="bold red")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except HmicAuditError as exc:
        if kwargs.get("format") == OutputFormat.json:  # or another command's json
            from ..render.json import render_json

            emit_json(render_json(error_document(exc)))
        from ..render.problem_list import risk_banner

        banner = risk_banner(exc.problems)  # a child at risk before even the error
        if banner is not None:
            err_console().print(banner)
        say(f"error: {exc.summary}", style="bold red")
        report_problems(exc.problems, show_all=bool(kwargs.get("show_all")),
                        quiet=bool(kwargs.get("quiet")), counted=False)
        if kwargs.get("out") is not None:
            say("Nothing was written.", style="dim")
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _stdout_failed(exc: StdoutFailed) -> NoReturn:
    """Standard output could not be written: say why on stderr (a closed pipe, like
    ``| head``, needs no word), and exit 1 - never a traceback."""
    try:  # what is still buffered for the closed stream goes nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    if exc.errno != errno.EPIPE:
        try:
            say(f"error: cannot write to standard output: {exc.strerror}",
                style="bold red")
        except OSError:  # stderr as well: nothing can be said
            pass
    raise typer.Exit(EXIT_PROBLEMS) from None


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


def check_file(file: str, check: Callable[[], str | tuple[str, list[Problem]]], *,
               error: type[HmicAuditError], unreadable: set[str], format: OutputFormat,
               show_all: bool = False, quiet: bool = False,
               facts: dict[str, Any] | None = None) -> None:
    """Run a checking command on one file (``rubric check``, ``profile check``): ``check``
    loads and checks it and returns the summary of a clean file (and any warnings it has,
    shown without failing the check), or raises ``error`` listing the problems found
    (exit 1) — unless one of them is ``unreadable`` (the file could not be read at all:
    bad input, exit 2). ``facts``, which ``check`` may fill, join the JSON document."""
    from ..text import plural

    problems: list[Problem]
    try:
        result, ok = check(), True
        summary, problems = result if isinstance(result, tuple) else (result, [])
    except error as exc:
        if any(p.code in unreadable for p in exc.problems):
            raise
        problems, ok = exc.problems, False
        errors = sum(p.is_error for p in problems)
        warned = len(problems) - errors
        summary = f"{file}: {plural(errors, 'problem')}" + (
            f", {plural(warned, 'warning')}" if warned else "")
    finish_check(ok=ok, summary=summary, problems=problems, format=format,
                 document={"file": file, **(facts or {})}, show_all=show_all, quiet=quiet)


def finish_writing(*, format: OutputFormat, written: list[tuple[Path, str, bytes]],
                   counts: dict[str, Any], problems: list[Problem], lines: list[str],
                   quiet: bool, **facts: Any) -> None:
    """End a command that wrote files (``report``, ``annex``, ``template``, ``profile
    init``): with ``--format json``, a summary on stdout — every file written (path as
    given, what it is, size, SHA-256), the counts, any ``facts``, and every warning and
    notice; then the ``lines`` ("wrote ...") on stderr unless ``quiet``."""
    if format is OutputFormat.json:
        import hashlib

        from ..render.json import render_json

        files = [{"path": str(path), "what": what, "bytes": len(data),
                  "sha256": hashlib.sha256(data).hexdigest()}
                 for path, what, data in written]
        emit_json(render_json({"ok": True, **facts, "files": files, "counts": counts,
                               **problems_document(problems)}))
    if not quiet:
        for line in lines:
            say(line)


class ConsoleFeedback:
    """A job's feedback (:class:`~hmic_audit.jobs.feedback.Feedback`) on stderr: a
    spinner for a step that takes more than a second, problems as
    :func:`report_problems` shows them, notes in yellow."""

    def __init__(self, *, show_all: bool = False, quiet: bool = False) -> None:
        self.show_all, self.quiet = show_all, quiet

    def step(self, what: str) -> progress:
        return progress(what, self.quiet)

    def problems(self, found: list[Problem], file: str | None = None) -> None:
        report_problems(found, file, show_all=self.show_all, quiet=self.quiet)

    def note(self, message: str) -> None:
        say(f"note: {message}", style="yellow")

    def warning(self, message: str) -> None:
        say(f"warning: {message}", style="yellow")


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
