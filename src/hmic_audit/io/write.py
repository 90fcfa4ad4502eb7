"""Write outputs atomically, all or nothing, never over an input.

Callers render every output to memory first; ``write_outputs`` then writes each to a
temporary file in its target folder (created readable and writable by the owner only),
flushes it to disk, and only when every one is staged renames them into place. If a
rename fails, the outputs already moved are rolled back: files that existed before are
restored from the copies set aside, new ones removed. No temporary file is left behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..problems import OutputError, Problem


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def check_outputs(outputs: Iterable[Path], inputs: Iterable[Path]) -> None:
    """Refuse outputs that would overwrite an input or land in a missing folder."""
    problems = []
    inputs = list(inputs)
    for out in outputs:
        if any(_same_file(out, i) for i in inputs):
            problems.append(Problem(code="output-is-input", file=str(out),
                                    message="is one of the input files; choose another "
                                    "--out path (inputs are never overwritten)"))
        elif not out.parent.exists():
            problems.append(Problem(code="no-output-folder", file=str(out),
                                    message=f"cannot be written: folder {out.parent} does "
                                    "not exist"))
        elif out.is_dir():
            problems.append(Problem(code="output-is-folder", file=str(out),
                                    message="is a folder; give a file name"))
    if problems:
        raise OutputError("cannot write the output", problems)


def _stage(path: Path, data: bytes, suffix: str) -> str:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return tmp


def write_outputs(outputs: Mapping[Path, bytes], *, inputs: Iterable[Path] = ()) -> None:
    """Write every output atomically, or none of them."""
    check_outputs(outputs, inputs)
    staged: list[tuple[str, Path]] = []
    backups: dict[Path, str] = {}
    moved: list[Path] = []
    try:
        for path, data in outputs.items():
            staged.append((_stage(path, data, ".tmp"), path))
        for _, path in staged:
            if path.exists():
                fd, backup = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".bak",
                                              dir=path.parent)
                os.close(fd)
                os.replace(path, backup)
                backups[path] = backup
        for tmp, path in staged:
            os.replace(tmp, path)
            moved.append(path)
    except OSError as exc:
        for path in moved:
            if path not in backups and path.exists():
                path.unlink()
        for path, kept in backups.items():
            os.replace(kept, path)
        backups.clear()
        raise OutputError("cannot write the output", [
            Problem(code="write-failed", file=str(exc.filename or ""),
                    message=f"could not be written: {exc.strerror}; nothing was changed")
        ]) from None
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        for kept in backups.values():
            if os.path.exists(kept):
                os.unlink(kept)
