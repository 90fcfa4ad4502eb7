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
import struct
import sys
import threading
from collections.abc import Callable
from typing import BinaryIO

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
    for fd in _JOB_PIPES:  # another child's jobs end when the parent says, not when we do
        try:
            os.close(fd)
        except OSError:
            pass
    _JOB_PIPES.clear()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    faulthandler.disable()


_PR_SET_PDEATHSIG = 1

_JOB_PIPES: set[int] = set()
"""The write ends of the job pipes of this process's ``Standby`` children: closed in
every child forked later, so that each ``Standby`` child sees its jobs end (and
finishes) when this process closes its end - a later child holding a copy would keep
it waiting for ever."""


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
    """A forked child that gets ready now (``prepare``: imports, as a rule) and then does
    jobs handed over a pipe as their inputs come to exist, in order; the results come
    back pickled, in an anonymous memory file (``memfd``: never on disk).

    It starts only where :func:`forking` allows (and ``start`` asks). ``submit(fn,
    *args)`` hands a job over (``fn`` a module-level function, its arguments
    picklable): the child starts on it at once, or when it has finished the jobs before
    it. ``results`` says no more jobs are coming, waits, and gives what each job
    returned, in the order submitted - or None when there is no child, it failed (or a
    job could not be handed over), or nothing was submitted: the caller then does the
    jobs itself. ``close`` (or leaving a ``with`` block) ends a child still running.
    """

    def __init__(self, prepare: Callable[[], object], *, start: bool = True) -> None:
        self.pid: int | None = None
        self.fd: int | None = None
        self.jobs: int | None = None
        self.submitted = 0
        self.failed = False
        if not (start and forking()):  # no child: submit does nothing, results is None
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
        if pid == 0:  # the child: prepare, do each job as it comes, leave at once
            code = 3
            try:
                import pickle

                as_child()
                os.close(write_end)
                prepare()
                done = []
                with os.fdopen(read_end, "rb") as jobs:
                    while (job := next_framed(jobs)) is not None:
                        fn, args = pickle.loads(job)  # noqa: S301 - from this program itself
                        done.append(fn(*args))
                if done:
                    with os.fdopen(fd, "wb", closefd=False) as out:
                        pickle.dump(done, out, protocol=pickle.HIGHEST_PROTOCOL)
                    code = 0
            finally:
                os._exit(code)
        os.close(read_end)
        self.pid, self.fd, self.jobs = pid, fd, write_end
        _JOB_PIPES.add(write_end)

    def __enter__(self) -> Standby:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, fn: Callable[..., object], *args: object) -> None:
        """Hand a job over; nothing happens when there is no child (or it failed)."""
        if self.jobs is None:
            return
        import pickle

        try:
            job = pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - cannot be handed over: the caller does the jobs
            self._give_up()
            return
        try:
            _write_all(self.jobs, framed(job))
        except OSError:  # the child has gone: results() says None
            self._give_up()
            return
        self.submitted += 1

    def _give_up(self) -> None:
        self.failed = True
        self.last()  # the child finishes what it has and leaves

    def last(self) -> None:
        """No more jobs are coming: the child finishes those it has, and leaves."""
        if self.jobs is not None:
            _JOB_PIPES.discard(self.jobs)
            os.close(self.jobs)
            self.jobs = None

    def results(self) -> list[object] | None:
        if self.pid is None or self.fd is None or not self.submitted or self.failed:
            return None
        self.last()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        import pickle

        try:
            os.lseek(self.fd, 0, os.SEEK_SET)
            with os.fdopen(os.dup(self.fd), "rb") as data:
                done = pickle.load(data)  # noqa: S301 - written by this program's own child
        except Exception:  # noqa: BLE001 - anything unreadable: the caller does the jobs
            return None
        return done if isinstance(done, list) and len(done) == self.submitted else None

    def close(self) -> None:
        self.last()
        release(self.pid, self.fd)
        self.pid = self.fd = None


LENGTH = struct.Struct("<Q")
"""A piece's length, before the piece, on a pipe between parent and child."""


def framed(data: bytes) -> bytes:
    """``data`` as a piece for a pipe: its length, then itself (see ``next_framed``)."""
    return LENGTH.pack(len(data)) + data


def next_framed(pipe: BinaryIO) -> bytes | None:
    """The next piece on a pipe (``framed``), or None at its end or when the writer
    stopped before the piece was whole."""
    head = pipe.read(LENGTH.size)
    if len(head) < LENGTH.size:
        return None
    (size,) = LENGTH.unpack(head)
    data = pipe.read(size)
    return data if len(data) == size else None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
