"""Text shared by every stage: loose matching of what people type, and safe display.

Two normal forms: ``label_key`` for values (grades, case types, answers) keeps word
boundaries, so "Req. improvement" and "req improvement" meet; ``header_key`` for column
headers drops every separator, so "Case Ref", "case_ref" and "CASE-REF" meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TypeVar

V = TypeVar("V")

_SEPARATORS = re.compile(r"[\s_\-./]+")
_DROP = re.compile(r"[()'’\"]")
_ENDS = " ,;:!?"
"""Dropped from a value's ends (``Good!``); separators such as ``.`` are spaces already."""


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f"
                       "\u202a-\u202e\u2066-\u2069]")


def visible_controls(text: str) -> str:
    """Controls and bidirectional overrides replaced by a visible ``<U+XXXX>``."""
    return _CONTROLS.sub(lambda m: f"<U+{ord(m.group(0)):04X}>", text)


_MARKDOWN_SPECIAL = re.compile(r"[\\`*{}\[\]<>|~]|&(?=#?\w+;)|(?<![^\W_])_|_(?![^\W_])")
"""Characters Markdown can read as markup wherever they stand: backslash, code, emphasis,
links and images (brackets), autolinks and HTML, table cells, strikethrough, entities
(``&amp;``), and an underscore not inside a word. Braces too: a tool such as Jekyll
would run ``{{ ... }}``. Parentheses, ``!``, ``#`` and ``+`` inside a line are plain text
(``(s.47)``, ``2+ levels``, ``force_own.xlsx`` stay as written)."""
_MARKDOWN_LEADING = re.compile(r"^(?:#{1,6}(?=\s|$)|[+-](?=\s|$)|[-=]+$|\d{1,9}(?=[.)](?:\s|$)))")
"""At the start of a value (which may start a line): a heading (``# x``), list item
(``- x``, ``1. x``), rule or setext underline (``---``, ``===``); not ``-7`` or ``1.0``."""


def strip_controls(text: str) -> str:
    """Text with control characters and bidirectional overrides removed (line breaks and
    tabs kept): what a free-text note keeps of a NUL or a text-direction trick."""
    return _CONTROLS.sub("", text)


def md_escape(value: object) -> str:
    """Text safe inside a Markdown table cell or paragraph: one line, controls shown,
    and only the characters escaped that Markdown could read as markup where they stand
    (``(s.47)`` and ``force_own.xlsx`` are left alone; ``<script>``, ``[link](...)``,
    ``*``, ``|`` and a leading ``#`` are escaped)."""
    if value is None:
        return ""
    text = " ".join(visible_controls(str(value)).split())
    text = _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    lead = _MARKDOWN_LEADING.match(text)
    if lead:
        end = lead.end()
        text = (text[:end] + "\\" + text[end:]) if text[:1].isdigit() \
            else "\\" + text
    return text


def clean_text(value: str) -> str:
    """Unicode-normalise (NFKC), show control and bidirectional characters as
    ``<U+XXXX>``, collapse runs of white space and strip the ends."""
    value = unicodedata.normalize("NFKC", value)
    return " ".join(visible_controls(value).split())


def label_key(value: str) -> str:
    """Normal form for a value label: case-folded, separators collapsed to one space,
    quotes, brackets and punctuation at the ends dropped."""
    value = _DROP.sub("", clean_text(value).casefold())
    return _SEPARATORS.sub(" ", value).strip(_ENDS)


def header_key(value: str) -> str:
    """Normal form for a column header: case-folded, every separator removed."""
    return label_key(value).replace(" ", "")


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"),
                        "-")


def clean_reference(value: str) -> str:
    """A case reference with lookalike characters folded, so duplicates are seen.

    NFKC turns full-width letters and digits into ASCII and non-breaking spaces into
    spaces; zero-width characters and soft hyphens are removed; every kind of hyphen or
    dash becomes ``-``; runs of white space become one space.
    """
    value = unicodedata.normalize("NFKC", value).translate(_INVISIBLE).translate(_DASHES)
    return clean_text(value)


def and_list(items: Sequence[str]) -> str:
    """Items joined as a list: 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def or_list(words: Sequence[str]) -> str:
    """Words joined as alternatives: 'yes, partly or no'; with a comma before the last
    when a word has its own 'or' ('good or better, or adequate')."""
    if len(words) == 1:
        return words[0]
    last = ", or " if any(" or " in w for w in words) else " or "
    return ", ".join(words[:-1]) + last + words[-1]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """A count and its noun: '1 audit', '2 audits', '20,000 rows'; give ``plural_form``
    when the plural is not the singular plus 's' ('1 criterion', '3 criteria')."""
    word = singular if count == 1 else plural_form or f"{singular}s"
    return f"{count:,} {word}"


def typing_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, replace, swap two neighbours) turning ``a`` into ``b``, or
    ``limit + 1`` as soon as more than ``limit`` are needed."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1,
                             previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def closest(typed: str, spellings: Mapping[str, V]) -> V | None:
    """What a typing slip probably meant: the value of the spelling nearest ``typed``
    within one edit (two from ten characters, three from twenty), when no spelling of
    another value is as near. Spellings are compared as given (pass ``label_key`` or
    ``header_key`` forms)."""
    if len(typed) < 3:
        return None
    limit = 1 if len(typed) < 10 else 2 if len(typed) < 20 else 3
    best: list[V] = []
    best_distance = limit + 1
    for spelling, value in spellings.items():
        d = typing_distance(typed, spelling, limit)
        if d < best_distance:
            best, best_distance = [value], d
        elif d == best_distance and d <= limit and value not in best:
            best.append(value)
    return best[0] if len(best) == 1 and best_distance > 0 else None
