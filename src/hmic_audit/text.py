"""Text shared by every stage: loose matching of what people type, and safe display.

Two normal forms: ``label_key`` for values (grades, case types, answers) keeps word
boundaries, so "Req. improvement" and "req improvement" meet; ``header_key`` for column
headers drops every separator, so "Case Ref", "case_ref" and "CASE-REF" meet.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s_\-./]+")
_DROP = re.compile(r"[()'’\"]")


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f"
                       "\u202a-\u202e\u2066-\u2069]")


def visible_controls(text: str) -> str:
    """Controls and bidirectional overrides replaced by a visible ``<U+XXXX>``."""
    return _CONTROLS.sub(lambda m: f"<U+{ord(m.group(0)):04X}>", text)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|])")


def md_escape(value: object) -> str:
    """Text safe inside a Markdown table cell or paragraph: one line, controls shown,
    every character Markdown could read as markup escaped."""
    if value is None:
        return ""
    text = " ".join(visible_controls(str(value)).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def clean_text(value: str) -> str:
    """Unicode-normalise (NFKC), show control and bidirectional characters as
    ``<U+XXXX>``, collapse runs of white space and strip the ends."""
    value = unicodedata.normalize("NFKC", value)
    return " ".join(visible_controls(value).split())


def label_key(value: str) -> str:
    """Normal form for a value label: case-folded, separators collapsed to one space."""
    value = _DROP.sub("", clean_text(value).casefold())
    return _SEPARATORS.sub(" ", value).strip()


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
