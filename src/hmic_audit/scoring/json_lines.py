"""Graded audits as JSON text, one line each, built column by column.

``grade --format json`` on a million audits spent most of its time making a dict per
audit and handing it to the encoder. Here each column is encoded once instead: every
distinct text, grade key or reason is encoded one time by orjson, numbers are encoded a
whole column at a time, and each audit's line is assembled from the encoded pieces. The
bytes are exactly what ``orjson.dumps(record)`` gives for ``GradeResult.records``; a test
holds the two together on awkward data (quotes, control characters, non-ASCII, nulls).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import orjson


def encode_one(value: Any) -> str:
    """One value as JSON text (orjson's encoding)."""
    return orjson.dumps(value).decode("utf-8")


_dumps = encode_one


def encode_distinct(values: Sequence[Hashable]) -> list[str]:
    """Each value encoded, each distinct value once (texts, keys, None)."""
    cache = {value: encode_one(value) for value in set(values)}
    return [cache[value] for value in values]


def encode_numbers(values: Sequence[Any]) -> list[str]:
    """Numbers (or None) encoded in one call: orjson's own formatting of each, split at
    the commas between them (a number or null holds no comma)."""
    if not len(values):
        return []
    return _dumps(list(values))[1:-1].split(",")


def encode_floats(values: np.ndarray) -> list[str]:
    """Floats with NaN as null."""
    objects = values.astype(object)
    objects[np.isnan(values)] = None
    return encode_numbers(objects.tolist())


def encode_lists(rows: Sequence[Sequence[Any]]) -> list[str]:
    """Lists of (shared, unchanging) items: each distinct item object encoded once."""
    cache: dict[int, str] = {}
    keep: list[Any] = []  # items stay alive while their id is a cache key
    out = []
    for row in rows:
        if not row:
            out.append("[]")
            continue
        parts = []
        for item in row:
            text = cache.get(id(item))
            if text is None:
                text = cache[id(item)] = _dumps(item)
                keep.append(item)
            parts.append(text)
        out.append("[" + ",".join(parts) + "]")
    return out


def encode_objects(keys: Sequence[str], columns: Sequence[list[str]], n: int) -> list[str]:
    """Per row, an object of the given keys whose values are already encoded."""
    if not keys:
        return ["{}"] * n
    return assemble(list(zip(keys, columns, strict=True)))


def assemble(fields: Sequence[tuple[str, list[str]]]) -> list[str]:
    """Per row, the object ``{field: value, ...}`` from encoded columns, in field order."""
    template = "{" + ",".join(_dumps(name).replace("%", "%%") + ":%s" for name, _ in fields) + "}"
    return [template % row for row in zip(*(column for _, column in fields), strict=True)]
