"""The Arrow compute kernels the readers use, called by name.

``import pyarrow.compute`` writes a Python function, with its docstring, for each of
the several hundred kernels Arrow has: about 40 ms, paid on every command that reads a
workbook or CSV. Those functions all call ``call_function`` with the kernel's name and
an options object; the few kernels needed here are called the same way, without the
rest being written. (An array's own methods that run a kernel, ``dictionary_encode``
and ``cast`` among them, import ``pyarrow.compute`` first: those two are here too.)
Each takes and returns Arrow arrays (or scalars), as the function of the same name in
``pyarrow.compute`` does (``tests/test_read.py`` compares them).
"""

from __future__ import annotations

from typing import Any

from pyarrow._compute import (  # the module pyarrow.compute itself wraps
    CastOptions,
    DictionaryEncodeOptions,
    MatchSubstringOptions,
    ReplaceSubstringOptions,
    TrimOptions,
    call_function,
)


def utf8_trim(texts: Any, characters: str) -> Any:
    """Each text with ``characters`` removed from both ends."""
    return call_function("utf8_trim", [texts], TrimOptions(characters))


def replace_substring_regex(texts: Any, pattern: str, replacement: str) -> Any:
    """Each text with every match of ``pattern`` replaced (``\\1`` for a group)."""
    return call_function("replace_substring_regex", [texts],
                         ReplaceSubstringOptions(pattern, replacement))


def match_substring_regex(texts: Any, pattern: str) -> Any:
    """Per text: does ``pattern`` match somewhere in it?"""
    return call_function("match_substring_regex", [texts], MatchSubstringOptions(pattern))


def dictionary_encode(values: Any) -> Any:
    """The array dictionary-encoded (nulls stay null in the indices)."""
    return call_function("dictionary_encode", [values], DictionaryEncodeOptions("mask"))


def to_bool(values: Any) -> Any:
    """The array cast to booleans (0 and empty are false)."""
    import pyarrow as pa

    return call_function("cast", [values], CastOptions.safe(pa.bool_()))


def utf8_length(texts: Any) -> Any:
    """Per text: its length in characters."""
    return call_function("utf8_length", [texts])


def ascii_lower(texts: Any) -> Any:
    """Each text with its ASCII capitals made small."""
    return call_function("ascii_lower", [texts])


def equal(left: Any, right: Any) -> Any:
    return call_function("equal", [left, right])


def not_equal(left: Any, right: Any) -> Any:
    return call_function("not_equal", [left, right])


def and_(left: Any, right: Any) -> Any:
    return call_function("and", [left, right])


def invert(flags: Any) -> Any:
    return call_function("invert", [flags])


def all_(flags: Any) -> Any:
    """A scalar: are all flags true (nulls skipped; null when there are none)?"""
    return call_function("all", [flags])


def any_(flags: Any) -> Any:
    """A scalar: is any flag true (nulls skipped; null when there are none)?"""
    return call_function("any", [flags])


def indices_nonzero(flags: Any) -> Any:
    """The positions of the true flags."""
    return call_function("indices_nonzero", [flags])
