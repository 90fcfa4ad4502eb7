"""Load one workbook sheet with fastexcel in a child process, while the pre-flight runs.

The pre-flight (:mod:`~hmic_audit.io.preflight`) has to finish before its verdict can
be trusted, and the Rust reader must not touch a hostile file in this process: on some
files it aborts the whole process. So on Linux the sheet is loaded in a forked child
*while* this process runs the pre-flight:

* the two overlap on a second core (a large workbook is read in about the time of the
  reader alone, not the reader plus the pre-flight);
* a reader that crashes ends the child, not the command: the file is reported as
  unreadable (``corrupt-xlsx`` and the like), never a dead process without a message;
* the child hands the sheet back as an Arrow IPC stream in an anonymous memory file
  (``memfd``: never on disk) that this process maps without copying; case data does not
  leave the machine's memory;
* when the pre-flight refuses the file, the child is killed before anything it read is
  looked at, and the pre-flight's problems are reported as before;
* until then the child's data memory is limited (:func:`memory_allowance`: 2 GB and 64
  bytes per byte of the file beyond what it shares with this process; Linux 4.7 and
  later), so a hostile file cannot take the machine's memory in the meantime; if the
  child fails, a file the pre-flight passes is loaded again without the limit.

Elsewhere (macOS and Windows have no safe ``fork``), or with ``HMIC_AUDIT_ONE_PROCESS``
set to ``1`` (:mod:`~hmic_audit.processes`), the sheet is loaded in this process after
the pre-flight, by the same function: the results are the same either way, only slower.

The child loads the sheet :func:`pick_sheet` picks (the one asked for with ``--sheet``,
else ``Cases``, else the first) and the form stamp (:mod:`~hmic_audit.io.form_stamp`);
what to report stays with the caller (:mod:`~hmic_audit.io.sheets`), in this process.

A command can start the load before it is ready to read (:func:`start_reading`, called
by the CLI before a command's own work): importing, loading the rubric and the
pre-flight then all overlap the load, and ``read_grid`` takes it up (:func:`take`).
This module imports nothing heavy, so that the child starts at once.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import mmap
import os
import signal
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..processes import as_child, forking, release
from ..text import header_key
from .form_stamp import read_stamp

WORKBOOKS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xlsb": "xlsb", ".xls": "xls", ".ods": "ods"}
"""Workbook extensions and the format each is read as."""
CASES_SHEET = "Cases"
"""The sheet read from a workbook unless ``--sheet`` names another (else the first)."""
PROBLEMS_SHEET = "Problems"
"""The sheet an annotated copy (``validate --annotate``) starts with: passed over when
the sheet to read is chosen, so the copy reads as the workbook it was made from."""

_HEADER = struct.Struct("<Q")


class ReaderFailed(Exception):  # noqa: N818 - reads as the event it reports
    """The reader raised (or died) in the child: its message, as the reader gave it."""


@dataclass
class Loaded:
    """What the reader gave for one sheet, or where it stopped.

    ``failed`` is None (loaded), ``"open"`` (the workbook could not be opened),
    ``"choose"`` (no sheet fits: the caller says why, from ``names``) or ``"load"`` (the
    chosen sheet could not be read); ``error`` is the reader's exception then. (A child
    past its memory allowance says ``"memory"``, which ``SheetLoad.result`` never
    returns: it loads the sheet again without one.)
    """

    names: list[str] = field(default_factory=list)
    chosen: str | None = None
    batch: Any = None
    """The sheet as an Arrow record batch of dictionary-encoded string columns (None
    unless loaded)."""
    numbers: list[int] = field(default_factory=list)
    """Each column's number in the sheet (1 = A), as the reader found them."""
    stamp: dict[str, str] | None = None
    failed: str | None = None
    error: Exception | None = None
    sha256: str | None = None
    """SHA-256 of the bytes the reader was given (the file as it was when loaded)."""
    out_of_memory: bool = False
    """The reader failed for want of memory (``error`` is a ``MemoryError``)."""


def sheets_named(names: list[str], wanted: str) -> list[str]:
    """The sheets called ``wanted``: the one with exactly that name, else those whose
    names are the same ignoring case and spacing (``audit data`` finds ``Audit data``,
    ``CASES`` finds ``Cases``), in the workbook's order."""
    if wanted in names:
        return [wanted]
    return [n for n in names if header_key(n) == header_key(wanted)]


def pick_sheet(names: list[str], wanted: str | None) -> str | None:
    """The sheet to read: the one ``wanted`` names (matched as ``sheets_named`` does;
    None when none or several fit), else ``Cases``, else the first (an annotated copy's
    ``Problems`` passed over); None when there are no sheets."""
    if wanted is not None:
        found = sheets_named(names, wanted)
        return found[0] if len(found) == 1 else None
    if names[:1] == [PROBLEMS_SHEET] and len(names) > 1:  # an annotated copy's own list
        names = names[1:]
    found = sheets_named(names, CASES_SHEET) or names
    return found[0] if found else None


def _error(exc: BaseException) -> Exception:
    """A reader's failure as an ``Exception`` with its message; Ctrl-C and exits are
    raised again, never taken for a damaged file. (Every ``BaseException`` is caught
    around the reader: calamine's errors have no common base, and a panic in the Rust
    reader arrives as pyo3's ``PanicException``, which is not an ``Exception``.)"""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc
    return exc if isinstance(exc, Exception) else ReaderFailed(f"the reader failed: {exc}")


def load(path: Path, sheet: str | None) -> Loaded:
    """Open a workbook with fastexcel and load the sheet ``pick_sheet`` picks (every
    cell as text, from the first row), and the form stamp."""
    try:
        import fastexcel

        data = path.read_bytes()  # read once: the bytes loaded are the bytes hashed
        digest = hashlib.sha256(data).hexdigest()
        reader = fastexcel.read_excel(data)
    except BaseException as exc:  # noqa: BLE001 - sorted out by _error
        return Loaded(failed="open", error=_error(exc))
    names = list(reader.sheet_names)
    chosen = pick_sheet(names, sheet)
    if chosen is None:  # the caller says why
        return Loaded(names=names, failed="choose", sha256=digest)
    try:
        loaded = reader.load_sheet(chosen, header_row=None, dtypes="string", skip_rows=0)
        batch = _encoded(loaded.to_arrow())
        numbers = [c.absolute_index + 1 for c in loaded.available_columns()]
    except BaseException as exc:  # noqa: BLE001 - sorted out by _error
        return Loaded(names=names, chosen=chosen, failed="load", error=_error(exc),
                      sha256=digest)
    return Loaded(names=names, chosen=chosen, batch=batch, numbers=numbers,
                  stamp=read_stamp(reader, names), sha256=digest)


def _encoded(batch: Any) -> Any:
    """The sheet's columns dictionary-encoded (each distinct text once, then a number
    per cell): what :meth:`~hmic_audit.io.table.TextColumn.from_arrow` starts with, done
    here - in the child, while the command's own process is still busy with the
    pre-flight - and smaller to hand over."""
    import pyarrow as pa

    from .kernels import dictionary_encode

    return pa.RecordBatch.from_arrays([dictionary_encode(c) for c in batch.columns],
                                      names=batch.schema.names)


MEMORY_FLOOR = 2 << 30
"""Data memory (bytes) a child loading a workbook may always take."""
MEMORY_PER_BYTE = 64
"""Data memory a child may take besides, per byte of the workbook: a sheet's cells as
the reader holds them took about 40 bytes per byte of the (compressed) file in the
100,000-audit benchmark workbook (350 MB for 8.9 MB); a sparse sheet can take more,
which the floor absorbs, and a child that fails is followed by a load without a cap."""


def memory_allowance(size: int) -> int:
    """The data memory a child loading a workbook of ``size`` bytes may take before the
    pre-flight's verdict: ``MEMORY_FLOOR`` plus ``MEMORY_PER_BYTE`` per byte. A hostile
    file (a stray cell at ZZ1048576 makes the reader fill a grid of 700 million cells)
    meets the limit at its first large allocation, instead of taking the machine's
    memory until the pre-flight refuses it."""
    return MEMORY_FLOOR + MEMORY_PER_BYTE * size


def _limit_memory(allowance: int) -> None:
    """Limit this process's data memory (``RLIMIT_DATA``: heap and private mappings,
    Linux 4.7 and later) to what it holds now and ``allowance`` more, or to a lower limit
    already set."""
    import resource

    allowance += _data_size()  # what this child shares with its parent counts too
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    cap = allowance if hard == resource.RLIM_INFINITY else min(allowance, hard)
    if soft == resource.RLIM_INFINITY or soft > cap:
        try:
            resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
        except (OSError, ValueError):  # not allowed here: the child runs without it
            pass


def _data_size() -> int:
    """This process's data memory now (``VmData``), in bytes; 0 when unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class SheetLoad:
    """A sheet being loaded: started before the pre-flight, its result taken after.

    Use as a context manager: leaving it (the pre-flight refused the file, or anything
    went wrong) kills a child still running and frees its memory file.
    """

    def __init__(self, path: Path, sheet: str | None) -> None:
        self.path, self.sheet = path, sheet
        self.pid: int | None = None
        self.fd: int | None = None
        self.allowance: int | None = None
        """The data memory the running child may take (None: as much as it likes)."""
        self.retried = False
        """Whether the child ran out of its allowance and the sheet was loaded again."""
        if forking() and hasattr(os, "memfd_create"):
            try:
                size = path.stat().st_size
            except OSError:  # gone meanwhile: the child says so
                size = 0
            self._start(memory_allowance(size))

    def __enter__(self) -> SheetLoad:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self, allowance: int | None) -> bool:
        """Fork the child that loads the sheet; False when none could start."""
        # The child imports the reader itself: a load started before this process has
        # imported it (``start_reading``) overlaps the import too.
        try:
            fd = os.memfd_create("hmic-audit-sheet", os.MFD_CLOEXEC)
        except OSError:  # an old kernel, or memfd refused: load in this process
            return False
        try:
            pid = os.fork()
        except OSError:  # no process to spare: load in this process
            os.close(fd)
            return False
        if pid == 0:  # the child: load, write, leave without running any clean-up
            code = 3
            try:
                as_child()
                if allowance is not None:
                    _limit_memory(allowance)
                _write(fd, load(self.path, self.sheet))
                code = 0
            finally:
                os._exit(code)
        self.pid, self.fd, self.allowance = pid, fd, allowance
        _running.add(self)
        return True

    def result(self) -> Loaded:
        """The sheet as the reader gave it (waiting for the child, if there is one).

        Call it once the pre-flight has passed the file: a child that ran out of its
        memory allowance (a sheet larger than the allowance foresaw) loads it again in
        a child without one - the allowance only bounds what a hostile file can take
        before the pre-flight refuses it.
        """
        if self.pid is None:
            return load(self.path, self.sheet)
        # What reads the child's Arrow columns is imported while the child works (where
        # this process would wait, a large sheet's load hides it).
        import pyarrow.ipc  # noqa: F401

        from . import kernels  # noqa: F401

        loaded = self._wait()
        if self.allowance is not None and loaded.failed in ("memory", "open", "load"):
            # Past its allowance - or failing in a way that may come of it (a library
            # that could not map its memory): the file has passed the pre-flight, so
            # it is loaded again without one (a damaged file costs a second try).
            self.retried = True
            self.close()
            self.allowance = None
            if not (forking() and self._start(None)):  # a spinner runs, or no child
                return load(self.path, self.sheet)
            loaded = self._wait()
        return loaded

    def _wait(self) -> Loaded:
        assert self.pid is not None and self.fd is not None  # noqa: S101 - a child runs
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        _running.discard(self)
        code = os.waitstatus_to_exitcode(status)
        if code == -signal.SIGABRT and self.allowance is not None:
            # the Rust reader aborts when an allocation fails: here, past the allowance
            return Loaded(failed="memory", error=ReaderFailed("out of memory"))
        if code != 0:
            why = (f"the reader stopped on signal {-code}" if code < 0
                   else "the reader stopped before it finished")
            return Loaded(failed="open", error=ReaderFailed(why))
        loaded = _read(self.fd)
        if loaded.failed is not None and loaded.out_of_memory \
                and self.allowance is not None:
            loaded.failed = "memory"
        return loaded

    def close(self) -> None:
        _running.discard(self)
        release(self.pid, self.fd)
        self.pid = self.fd = None


_early: dict[tuple[Path, str | None], SheetLoad] = {}
"""Loads started by ``start_reading`` and not yet taken up, by file and sheet asked for."""


def start_reading(path: str | Path, *, sheet: str | None = None) -> None:
    """Start loading a workbook's sheet now, in a child process, so that what a command
    does before it reads the file overlaps the load; ``take`` (from ``read_grid``) of the
    same file and sheet takes it up. Nothing is checked or reported here (``read_grid``
    does that, pre-flight first), and nothing happens for other files, or where sheets
    are not loaded in a child process. ``stop_reading`` ends what was not taken up."""
    path = Path(path)
    if path.suffix.lower() not in WORKBOOKS or not forking() or not path.is_file():
        return
    key = (path.resolve(), sheet)
    if key not in _early:
        _early[key] = SheetLoad(path, sheet)


def keep_reading(path: str | Path | None, *, sheet: str | None = None) -> None:
    """``start_reading`` for the file a command was given (None: it reads none), and
    stop at once every other load started early: a wrong guess from the command line
    (``--out old.xlsx`` before the cases) costs only the moment until the command
    starts, not its whole run."""
    key = None
    if path is not None and Path(path).suffix.lower() in WORKBOOKS:
        key = (Path(path).resolve(), sheet)
    for other in [k for k in _early if k != key]:
        _early.pop(other).close()
    if path is not None:
        start_reading(path, sheet=sheet)


def take(path: Path, sheet: str | None) -> SheetLoad:
    """The load ``start_reading`` started for this file and sheet, else a new one."""
    return _early.pop((path.resolve(), sheet), None) or SheetLoad(path, sheet)


def stop_reading() -> None:
    """Stop every load ``start_reading`` started that nothing took up."""
    while _early:
        _early.popitem()[1].close()


_running: set[SheetLoad] = set()
"""Loads whose child has not been waited for: stopped when this process exits."""


@atexit.register
def _stop_all() -> None:
    for load in list(_running):
        load.close()


def _write(fd: int, loaded: Loaded) -> None:
    """A length, the facts as JSON, then the batch as an Arrow IPC stream."""
    import pyarrow as pa
    import pyarrow.ipc

    error = loaded.error
    facts = {"names": loaded.names, "chosen": loaded.chosen, "numbers": loaded.numbers,
             "stamp": loaded.stamp, "failed": loaded.failed, "sha256": loaded.sha256,
             "error": None if error is None else str(error),
             "out_of_memory": isinstance(error, MemoryError)}
    head = json.dumps(facts).encode("utf-8")
    with os.fdopen(fd, "wb", closefd=False) as fh:
        fh.write(_HEADER.pack(len(head)))
        fh.write(head)
        if loaded.batch is not None:
            with pa.ipc.new_stream(pa.PythonFile(fh, mode="w"), loaded.batch.schema
                                   ) as writer:
                writer.write_batch(loaded.batch)


def _read(fd: int) -> Loaded:
    """The child's result, mapped from its memory file (the batch is not copied)."""
    import pyarrow as pa
    import pyarrow.ipc

    size = os.fstat(fd).st_size
    mapped = mmap.mmap(fd, size, prot=mmap.PROT_READ)
    buffer = pa.py_buffer(mapped)
    (length,) = _HEADER.unpack_from(buffer)
    start = _HEADER.size + length
    facts = json.loads(bytes(buffer[_HEADER.size:start]))
    batch = None
    if start < size:
        batch = pa.ipc.open_stream(buffer.slice(start)).read_next_batch()
    error = None if facts["error"] is None else ReaderFailed(facts["error"])
    return Loaded(names=facts["names"], chosen=facts["chosen"], batch=batch,
                  numbers=facts["numbers"], stamp=facts["stamp"], failed=facts["failed"],
                  error=error, sha256=facts["sha256"],
                  out_of_memory=facts["out_of_memory"])
