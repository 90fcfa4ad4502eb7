"""JSON rendering: one document, stable key order, UTF-8, ending in a newline."""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

import orjson
from pydantic import BaseModel

from ..processes import LENGTH, as_child, forking, stop


def to_jsonable(value: BaseModel | dict[str, Any] | list[Any]) -> Any:
    """Plain JSON data for a model (``model_dump(mode="json")``) or plain data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


def render_json(value: BaseModel | dict[str, Any] | list[Any]) -> str:
    """A JSON document for a result model or plain data: indented by two spaces, keys in
    their order, text as UTF-8 (orjson: the standard library's indented encoder is
    written in Python, and a report's figures list a million case references)."""
    return json_bytes(value).decode()


def json_bytes(value: BaseModel | dict[str, Any] | list[Any]) -> bytes:
    """``render_json``'s document as the UTF-8 bytes a file holds (not decoded to be
    encoded again)."""
    return orjson.dumps(to_jsonable(value),
                        option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n"


def stream_json(head: str, batches: Sequence[Callable[[], str]], tail: str) -> None:
    """Write a JSON document made in pieces (``GradeResult.json_pieces``) to stdout as it
    is made: a large result never sits in memory whole.

    Where work may go to a child process (:mod:`~hmic_audit.processes`) and there are
    more than two batches, a forked child makes every other batch meanwhile and hands
    each over in a memory file (``_two_cores``): two cores make the document, the bytes
    are the same, and no more than a batch or two is held at a time. If the child stops,
    this process makes the rest itself.
    """
    out = sys.stdout
    out.write(head)
    binary = getattr(out, "buffer", None)
    encoding = out.encoding or "utf-8"
    # two cores for UTF-8 only: each batch is encoded on its own, which a stateful
    # encoding (a byte-order mark: utf-8-sig, utf-16) would start again each time
    if (len(batches) > 2 and binary is not None and forking()
            and codecs.lookup(encoding).name == "utf-8"):
        out.flush()
        _two_cores(batches, binary, encoding, out.errors or "strict")
    else:
        for make in batches:
            out.write(make())
    out.write(tail)
    out.flush()


def _two_cores(batches: Sequence[Callable[[], str]], binary: BinaryIO, encoding: str,
               errors: str) -> None:
    """Every batch written to ``binary`` in order: the even ones made here, the odd ones
    by a forked child (or here, from the first one the child did not hand over).

    The child puts each batch it made in one of two anonymous memory files (``memfd``,
    in turn) and says so with its length on a pipe; this process copies it out, then
    says the file is free again on a second pipe. So the child makes its next batch
    while this process makes its own - it never waits for a batch to be read - and no
    more than two of its batches are held at once. A child that stops part-way hands
    over no half batch: a batch counts once its length is on the pipe.
    """
    opened: list[int] = []
    try:
        slots = [os.memfd_create(f"hmic-audit-json-{i}", os.MFD_CLOEXEC) for i in (0, 1)]
        opened += slots
        ready_r, ready_w = os.pipe()  # child -> here: the length of each batch made
        opened += (ready_r, ready_w)
        free_r, free_w = os.pipe()  # here -> child: a byte for each batch copied out
        opened += (free_r, free_w)
        pid = os.fork()
    except (OSError, AttributeError):  # no memfd, pipe or process to spare: all made here
        for fd in opened:
            os.close(fd)
        for make in batches:
            binary.write(make().encode(encoding, errors))
        return
    if pid == 0:  # the child: make the odd batches, hand each over, leave at once
        code = 3
        try:
            as_child()
            os.close(ready_r)
            os.close(free_w)
            freed = 0
            for j, k in enumerate(range(1, len(batches), 2)):
                data = batches[k]().encode(encoding, errors)
                while freed < j - 1:  # its file still holds batch j - 2: wait for it
                    if not os.read(free_r, 1):
                        return  # this process has gone on without the child
                    freed += 1
                slot = slots[j % 2]
                os.ftruncate(slot, 0)
                written = 0
                while written < len(data):
                    written += os.pwrite(slot, memoryview(data)[written:], written)
                os.write(ready_w, LENGTH.pack(len(data)))
            code = 0
        finally:
            os._exit(code)
    os.close(ready_w)
    os.close(free_r)
    handed = True
    try:
        for k, make in enumerate(batches):
            piece = None
            if k % 2 and handed:
                head = os.read(ready_r, LENGTH.size)  # a write this short is never split
                handed = len(head) == LENGTH.size
                if handed:
                    (size,) = LENGTH.unpack(head)
                    piece = _read_all(slots[(k // 2) % 2], size)
                    try:
                        os.write(free_w, b"\0")
                    except BrokenPipeError:  # the child has left: nothing waits for it
                        pass
            binary.write(piece if piece is not None else make().encode(encoding, errors))
        binary.flush()
    finally:
        stop(pid)  # done already, unless this process was stopped
        for fd in (*slots, ready_r, free_w):
            os.close(fd)



def _read_all(fd: int, size: int) -> bytes:
    """The first ``size`` bytes of a file."""
    data = os.pread(fd, size, 0)
    while len(data) < size:  # a short read (not seen for a memory file, but allowed)
        more = os.pread(fd, size - len(data), len(data))
        if not more:
            raise OSError(f"a batch of {size} bytes ended after {len(data)}")
        data += more
    return data
