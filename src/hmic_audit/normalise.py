"""Loose matching of labels and headers typed by people.

Two normal forms: ``label_key`` for values (grades, case types, answers) keeps word
boundaries, so "Req. improvement" and "req improvement" meet; ``header_key`` for column
headers drops every separator, so "Case Ref", "case_ref" and "CASE-REF" meet.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s_\-./]+")
_DROP = re.compile(r"[()'’\"]")


def clean_text(value: str) -> str:
    """Unicode-normalise (NFKC) and collapse runs of white space; strip the ends."""
    value = unicodedata.normalize("NFKC", value)
    return " ".join(value.split())


def label_key(value: str) -> str:
    """Normal form for a value label: case-folded, separators collapsed to one space."""
    value = _DROP.sub("", clean_text(value).casefold())
    return _SEPARATORS.sub(" ", value).strip()


def header_key(value: str) -> str:
    """Normal form for a column header: case-folded, every separator removed."""
    return label_key(value).replace(" ", "")
