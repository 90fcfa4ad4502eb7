"""Reading ahead: a large workbook's sheet read by fastexcel in a child process while the
pre-flight scans the same file in this one.

The pre-flight exists because the reader can abort the whole process on a hostile file.
In a forked child an abort ends only the child, so for a large file the two run side by
side, one processor each, and the child's result is used only once the pre-flight has
passed the file: when the pre-flight refuses it, the child is killed and nothing it read
is looked at. The child's address space is capped (``CHILD_HEADROOM`` above what it
inherits), so a hostile file cannot make it take the machine's memory in the moment
before it is killed. A child that dies (a signal, a reader abort) or fails reports that
the file could not be read; its result is never half-used.

Where there is no ``fork`` (only Linux is used: elsewhere forking a process with threads
is unsafe) or for small files, the reader runs after the pre-flight, in this process,
as before. ``HMIC_AUDIT_READ_AHEAD=0`` turns reading ahead off.
"""

from __future__ import annotations

import json
import os
import signal
import struct
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIN_FILE_BYTES = 2 * 1024**2
"""Files smaller than this are read after the pre-flight (which takes a moment for them)."""
CHILD_HEADROOM = 8 * 1024**3
"""Bytes of address space the child may take beyond what it inherits."""
_HEADER = struct.Struct("<Q")


@dataclass
class Loaded:
    """What the child read: the sheet names, the one chosen, its columns' spreadsheet
    numbers and the Arrow batch; or the message of the error that stopped it."""

    names: list[str]
    chosen: str | None
    numbers: list[int]
    batch: Any
    error: str | None = None


def wanted(path: Path) -> bool:
    """Whether reading ahead is worth a process for this file, and possible here."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return False
    if os.environ.get("HMIC_AUDIT_READ_AHEAD", "1") == "0":
        return False
    try:
        return path.stat().st_size >= MIN_FILE_BYTES
    except OSError:
        return False


class Ahead:
    """A child reading one sheet; ``result`` after the pre-flight, ``cancel`` always."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.fd = fd
        self.pieces: list[bytes] = []
        self.pump = threading.Thread(target=self._drain, daemon=True)
        self.pump.start()
        self.status: int | None = None

    @classmethod
    def start(cls, path: Path, choose: Callable[[list[str]], str]) -> Ahead | None:
        """Fork a child that reads the sheet ``choose`` picks from the sheet names."""
        try:
            read, write = os.pipe()
            pid = os.fork()
        except OSError:
            return None
        if pid == 0:  # the child: never returns
            os.close(read)
            _child(path, choose, write)
        os.close(write)
        return cls(pid, read)

    def _drain(self) -> None:
        """Take what the child writes as it writes it (the pipe would fill, and stop it)."""
        try:
            while piece := os.read(self.fd, 1 << 20):
                self.pieces.append(piece)
        except OSError:
            pass

    def result(self) -> Loaded | None:
        """What the child read, or None when it died without saying."""
        self.pump.join()
        self._reap()
        data = b"".join(self.pieces)
        self.pieces = []
        if len(data) < _HEADER.size:
            return None
        size = _HEADER.unpack_from(data)[0]
        end = _HEADER.size + size
        if len(data) < end:
            return None
        head = json.loads(data[_HEADER.size:end])
        batch = None
        if head.get("error") is None and head.get("chosen") is not None:
            import pyarrow as pa

            try:
                batch = pa.ipc.open_stream(pa.py_buffer(data[end:])).read_next_batch()
            except (pa.ArrowInvalid, StopIteration, OSError):
                return None
        return Loaded(head["names"], head.get("chosen"), head.get("numbers", []), batch,
                      head.get("error"))

    def cancel(self) -> None:
        """Kill the child if it still runs, and wait for it."""
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()
        self.pump.join()
        try:
            os.close(self.fd)
        except OSError:
            pass

    def _reap(self) -> None:
        if self.status is None:
            try:
                self.status = os.waitpid(self.pid, 0)[1]
            except ChildProcessError:
                self.status = -1


def _child(path: Path, choose: Callable[[list[str]], str], fd: int) -> None:
    """Read the sheet and write the result to ``fd``; then leave without cleaning up
    anything of the parent's (``os._exit``)."""
    code = 0
    try:
        _cap_memory()
        import fastexcel

        head: dict[str, Any] = {"names": [], "chosen": None}
        batch = None
        try:
            reader = fastexcel.read_excel(str(path))
            head["names"] = list(reader.sheet_names)
            head["chosen"] = choose(head["names"])
            loaded = reader.load_sheet(head["chosen"], header_row=None, dtypes="string",
                                       skip_rows=0)
            batch = loaded.to_arrow()
            head["numbers"] = [c.absolute_index + 1 for c in loaded.available_columns()]
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides
            head["error"] = f"{exc}" or type(exc).__name__
            batch = None
        encoded = json.dumps(head).encode()
        with os.fdopen(fd, "wb") as out:
            out.write(_HEADER.pack(len(encoded)) + encoded)
            if batch is not None:
                import pyarrow as pa

                sink = pa.PythonFile(out, mode="w")
                with pa.ipc.new_stream(sink, batch.schema) as writer:
                    writer.write_batch(batch)
    except BaseException:  # noqa: BLE001 - the parent sees an incomplete result
        code = 1
    finally:
        os._exit(code)


def _cap_memory() -> None:
    import resource

    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[0])
        inherited = pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = inherited + CHILD_HEADROOM
    if soft != resource.RLIM_INFINITY:
        cap = min(cap, soft)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
