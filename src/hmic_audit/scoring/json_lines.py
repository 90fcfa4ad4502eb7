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
    """Each value encoded, each distinct value once (texts, keys, None). A column of
    texts that are mostly different (case references) and need no escaping is quoted
    as it is: what orjson gives for such a text."""
    distinct = set(values)
    if len(distinct) * 4 > len(values) > 64 and _plain(distinct):
        return ['"' + value + '"' for value in values]  # type: ignore[operator]
    cache = {value: encode_one(value) for value in distinct}
    return [cache[value] for value in values]


def _plain(texts: set[Any]) -> bool:
    """Whether every value is a text JSON writes as it is, between quotes: no quote,
    backslash or control character (the characters orjson escapes), nothing a
    printable text does not hold (lone surrogates, which orjson refuses, among them)."""
    try:
        joined = "".join(texts)
    except TypeError:  # None, or another value that is not a text
        return False
    return joined.isprintable() and '"' not in joined and "\\" not in joined


def encode_numbers(values: Sequence[Any]) -> list[str]:
    """Numbers (or None) encoded in one call: orjson's own formatting of each, split at
    the commas between them (a number or null holds no comma)."""
    if not len(values):
        return []
    return _dumps(list(values))[1:-1].split(",")


def encode_floats(values: np.ndarray) -> list[str]:
    """Floats with NaN as null, each distinct value (bit for bit: -0.0 is not 0.0)
    encoded once."""
    missing = np.isnan(values)
    if missing.all():
        return ["null"] * len(values)
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    distinct, which = np.unique(bits[~missing], return_inverse=True)
    table = np.array(encode_numbers(distinct.view(np.float64).tolist()), dtype=object)
    out = np.full(len(values), "null", dtype=object)
    out[~missing] = table[which.reshape(-1)]
    return out.tolist()


def encode_objects(keys: Sequence[str], columns: Sequence[list[str]], n: int) -> list[str]:
    """Per row, an object of the given keys whose values are already encoded."""
    if not keys:
        return ["{}"] * n
    return assemble(list(zip(keys, columns, strict=True)))


def assemble(fields: Sequence[tuple[str, list[str]]]) -> list[str]:
    """Per row, the object ``{field: value, ...}`` from encoded columns, in field order.
    A column with one value in every row is written into the pattern once (in a
    grades-only workbook most are: no answers, no score, no caps)."""
    if not fields:
        return []
    n = len(fields[0][1])
    if any(len(column) != n for _, column in fields):
        raise ValueError("the columns of an object differ in length")
    pieces, varying = [], []
    for name, column in fields:
        if _same(column):
            pieces.append((_dumps(name) + ":" + column[0]).replace("%", "%%"))
        else:
            pieces.append(_dumps(name).replace("%", "%%") + ":%s")
            varying.append(column)
    template = "{" + ",".join(pieces) + "}"
    if not varying:
        return [template % ()] * n
    return [template % row for row in zip(*varying, strict=True)]


def _same(column: list[str]) -> bool:
    """Whether every row holds the same text (three rows looked at before all are)."""
    if not column:
        return False
    first = column[0]
    return (column[-1] == first and column[len(column) // 2] == first
            and column.count(first) == len(column))
