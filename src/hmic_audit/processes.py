"""Whether work may be shared with child processes (Linux only), and the switch that
keeps everything in this one process.

Three pieces of work run in a forked child process where that is safe and useful:
loading a workbook's sheet while the pre-flight runs (:mod:`~hmic_audit.io.sheet_load`),
writing half the audits of ``grade --format json`` while this process writes the other
half (:mod:`~hmic_audit.render.json`), and drawing a report's charts while this process
renders its text (:class:`Standby`, :mod:`~hmic_audit.render.charts`). Each gives the
same output as doing the work here.
``fork`` is used only on Linux (macOS and Windows have no safe ``fork``); set
``HMIC_AUDIT_ONE_PROCESS=1`` to keep all the work in one process anyway (slower).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable

ONE_PROCESS_VARIABLE = "HMIC_AUDIT_ONE_PROCESS"
"""Set to ``1`` (or ``true``, ``yes``) to start no child processes."""


def forking() -> bool:
    """Whether work may go to a forked child process here, now: on Linux, unless
    switched off, and only while this process runs one Python thread. A thread in the
    middle of an import when the process forks leaves that import's lock held for ever
    in the child (seen: ``read_audits`` from eight threads at once hung), so a process
    with other threads (an application's, or a spinner on a terminal) does the work
    itself."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and os.environ.get(ONE_PROCESS_VARIABLE, "").strip().lower()
            not in ("1", "true", "yes")
            and threading.active_count() == 1)


def as_child() -> None:
    """Set up a forked child: it dies with its parent (killed, not left to finish a
    large read holding the parent's output open), and what it would print goes nowhere
    (it reports to its parent, which reports to the user)."""
    import ctypes
    import faulthandler

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl: the parent still kills it when it can
        pass
    if os.getppid() == 1:  # the parent died before the line above
        os._exit(3)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    faulthandler.disable()


_PR_SET_PDEATHSIG = 1


def stop(pid: int) -> None:
    """End a child (if it has not ended already) and reap it."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


def release(pid: int | None, fd: int | None) -> None:
    """End a child still running (``stop``) and close the memory file it wrote to;
    either may be None (already done)."""
    if pid is not None:
        stop(pid)
    if fd is not None:
        os.close(fd)


class Standby:
    """A forked child that gets ready now (``prepare``: imports, as a rule) and does one
    job later, handed over a pipe when its inputs exist; the result comes back pickled,
    in an anonymous memory file (``memfd``: never on disk).

    It starts only where :func:`forking` allows (and ``start`` asks). ``submit(fn,
    *args)`` hands the job over (``fn`` a module-level function, its arguments
    picklable); ``result`` waits and gives what ``fn`` returned, or None when there is
    no child, it failed or nothing was submitted: the caller then does the job itself.
    ``close`` (or leaving a ``with`` block) ends a child still running.
    """

    def __init__(self, prepare: Callable[[], object], *, start: bool = True) -> None:
        self.pid: int | None = None
        self.fd: int | None = None
        self.jobs: int | None = None
        self.submitted = False
        if not (start and forking()):  # no child: submit does nothing, result is None
            return
        try:
            fd = os.memfd_create("hmic-audit-standby", os.MFD_CLOEXEC)
        except (OSError, AttributeError):  # an old kernel, or not Linux
            return
        try:
            read_end, write_end = os.pipe()
        except OSError:
            os.close(fd)
            return
        try:
            pid = os.fork()
        except OSError:
            for end in (fd, read_end, write_end):
                os.close(end)
            return
        if pid == 0:  # the child: prepare, wait for the job, do it, leave at once
            code = 3
            try:
                import pickle

                as_child()
                os.close(write_end)
                prepare()
                with os.fdopen(read_end, "rb") as jobs:
                    job = jobs.read()
                if job:
                    fn, args = pickle.loads(job)  # noqa: S301 - from this program itself
                    with os.fdopen(fd, "wb", closefd=False) as out:
                        pickle.dump(fn(*args), out, protocol=pickle.HIGHEST_PROTOCOL)
                    code = 0
            finally:
                os._exit(code)
        os.close(read_end)
        self.pid, self.fd, self.jobs = pid, fd, write_end

    def __enter__(self) -> Standby:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, fn: Callable[..., object], *args: object) -> None:
        """Hand the job over (once); nothing happens when there is no child."""
        if self.jobs is None or self.submitted:
            return
        import pickle

        jobs, self.jobs = self.jobs, None
        try:
            job = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - cannot be handed over: the caller does the job
            os.close(jobs)  # the child reads nothing and leaves
            return
        self.submitted = True
        try:
            with os.fdopen(jobs, "wb") as out:
                out.write(job)
        except OSError:  # the child has gone: result() says None
            pass

    def result(self) -> object | None:
        if self.pid is None or self.fd is None or not self.submitted:
            return None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        import pickle

        try:
            os.lseek(self.fd, 0, os.SEEK_SET)
            with os.fdopen(os.dup(self.fd), "rb") as data:
                return pickle.load(data)  # noqa: S301 - written by this program's own child
        except Exception:  # noqa: BLE001 - anything unreadable: the caller does the job
            return None

    def close(self) -> None:
        if self.jobs is not None:
            os.close(self.jobs)
            self.jobs = None
        release(self.pid, self.fd)
        self.pid = self.fd = None
