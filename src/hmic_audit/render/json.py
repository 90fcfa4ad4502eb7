"""JSON rendering: one document, stable key order, UTF-8, ending in a newline."""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

import orjson
from pydantic import BaseModel

from ..processes import as_child, forking, framed, next_framed, stop


def to_jsonable(value: BaseModel | dict[str, Any] | list[Any]) -> Any:
    """Plain JSON data for a model (``model_dump(mode="json")``) or plain data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


def render_json(value: BaseModel | dict[str, Any] | list[Any]) -> str:
    """A JSON document for a result model or plain data: indented by two spaces, keys in
    their order, text as UTF-8 (orjson: the standard library's indented encoder is
    written in Python, and a report's figures list a million case references)."""
    return orjson.dumps(to_jsonable(value),
                        option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n"


def stream_json(head: str, batches: Sequence[Callable[[], str]], tail: str) -> None:
    """Write a JSON document made in pieces (``GradeResult.json_pieces``) to stdout as it
    is made: a large result never sits in memory whole.

    Where work may go to a child process (:mod:`~hmic_audit.processes`) and there are
    more than two batches, a forked child makes every other batch meanwhile and hands
    each over a pipe as this process reaches it: two cores make the document, the bytes
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
    by a forked child (or here, from the first one the child did not hand over)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: make the odd batches, hand each over, leave at once
        code = 3
        try:
            as_child()
            os.close(read_end)
            with os.fdopen(write_end, "wb") as pipe:
                for k in range(1, len(batches), 2):
                    data = batches[k]().encode(encoding, errors)
                    pipe.write(framed(data))
                    pipe.flush()
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    handed = True
    try:
        with os.fdopen(read_end, "rb") as pipe:
            for k, make in enumerate(batches):
                piece = None
                if k % 2 and handed:
                    piece = next_framed(pipe)
                    handed = piece is not None
                binary.write(piece if piece is not None else make().encode(encoding, errors))
        binary.flush()
    finally:
        stop(pid)  # done already, unless this process was stopped
