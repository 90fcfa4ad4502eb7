"""A force profile skeleton: every key of the profile, commented, to fill in.

Written from the profile model itself (``hmic_audit.profile.ForceProfile``): each key's
comment is its field's docstring, marked required or optional, with the values a choice
accepts and, where a key refers to the rubric (a theme, a case type), the rubric's keys.
A key added to the model appears here without any change to this module.

Required values are left empty, so ``hmic-audit profile check`` lists what is still to
fill in ("workforce.total is empty: fill it in"); optional ones hold their defaults.
Lists and mappings of items that may be left empty are shown as ``[]`` or ``{}`` with an
example item in comments beneath.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
import textwrap
import types
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..io.yamlfile import field_docs
from ..profile import ForceProfile
from ..rubric import Rubric

WIDTH = 88
"""Longest comment line."""


def _stripped(annotation: Any) -> Any:
    """``X | None`` -> ``X``."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _model(annotation: Any) -> type[BaseModel] | None:
    annotation = _stripped(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _choices(annotation: Any) -> list[str]:
    """The values a choice accepts (a Literal or an enum), else none."""
    annotation = _stripped(annotation)
    if get_origin(annotation) is Literal:
        return [str(a) for a in get_args(annotation)]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [str(m.value) for m in annotation]
    return []


def _scalar(value: Any) -> str:
    """A default as YAML text (strings double-quoted, JSON style, which YAML reads)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


class _Writer:
    """Lines of the skeleton; a ``commented`` line (an example) is a normal line behind
    ``# ``."""

    def __init__(self, notes: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.notes = notes

    def emit(self, text: str, commented: bool) -> None:
        self.lines.append(f"# {text}".rstrip() if commented else text.rstrip())

    def comment(self, text: str, indent: str, commented: bool, item: bool = False) -> None:
        """A comment at ``indent``; ``item``: its first line opens a list item (``- #``)."""
        wrapped = textwrap.wrap(" ".join(text.split()), WIDTH - len(indent) - 4,
                                break_on_hyphens=False)
        for i, line in enumerate(wrapped):
            lead = indent[:-2] + "- " if item and i == 0 else indent
            self.emit(f"{lead}# {line}", commented)

    def about(self, path: str, name: str, info: FieldInfo, doc: str) -> str:
        """The comment of a key: required or optional, what it is, what it accepts."""
        if info.is_required():
            need = "Required"
            if get_origin(_stripped(info.annotation)) is list and any(
                    getattr(m, "min_length", 0) for m in info.metadata):
                need = "Required, at least one item"
        else:
            need = "Optional"
        described = re.sub(r"``([^`]*)``", r"'\1'", doc.strip())
        parts = [f"{name} ({need}): {described}"]
        choices = _choices(info.annotation)
        if choices:
            parts.append("One of: " + ", ".join(choices) + ".")
        if path in self.notes:
            parts.append(self.notes[path])
        return " ".join(parts)

    def model(self, model: type[BaseModel], path: str, indent: str, *, commented: bool,
              item: bool = False) -> None:
        """Every field of ``model`` as keys at ``indent``; ``item``: as a list item (its
        first comment opened by ``- ``)."""
        docs = field_docs(model)
        for i, (name, info) in enumerate(model.model_fields.items()):
            sub = f"{path}.{name}" if path else name
            self.comment(self.about(sub, name, info, docs.get(name, "")), indent, commented,
                         item and i == 0)
            self.field(sub, name, info, indent, commented=commented)

    def field(self, path: str, name: str, info: FieldInfo, indent: str, *, commented: bool,
              value: Any = None) -> None:
        """One key and its value (a nested model, a list of items, a mapping, a scalar)."""
        annotation = _stripped(info.annotation)
        origin, args = get_origin(annotation), get_args(annotation)
        inner = indent + "  "
        nested = _model(annotation)
        if nested is not None:
            self.emit(f"{indent}{name}:", commented)
            self.model(nested, path, inner, commented=commented)
            return
        item = _model(args[0]) if origin is list and args else None
        if item is not None:
            if info.is_required():
                self.emit(f"{indent}{name}:", commented)
                self.model(item, f"{path}[]", inner + "  ", commented=commented, item=True)
            else:
                self.emit(f"{indent}{name}: []", commented)
                self.comment(f"Each item of {name}, for example:", indent, commented)
                self.model(item, f"{path}[]", inner + "  ", commented=True, item=True)
            return
        if origin is dict and len(args) == 2:
            self.emit(f"{indent}{name}: {{}}", commented)
            values = _stripped(args[1])
            listed = _model(get_args(values)[0]) if get_origin(values) is list else None
            self.comment(f"Each entry of {name}, for example:", indent, commented)
            if listed is not None:
                self.emit(f"{inner}KEY:", True)
                self.model(listed, f"{path}[]", inner + "    ", commented=True, item=True)
            else:
                self.emit(f'{inner}KEY: "text"', True)
            return
        if value is None and not info.is_required():
            value = info.get_default(call_default_factory=True)
        self.emit(f"{indent}{name}: {_scalar(value)}", commented)


def rubric_notes(rubric: Rubric) -> dict[str, str]:
    """What a key that refers to the rubric accepts, in this rubric."""
    themes = ", ".join(rubric.theme_keys)
    return {
        "rubric": "Default: child-protection-2014.",
        "narrative": "Keys: findings (the opening of the findings), leadership, overall, "
                     f"or a theme of rubric {rubric.name}: {themes}.",
        "highlights": f"Keys: a theme of rubric {rubric.name}: {themes}.",
        "highlights[].criterion": "'hmic-audit rubric show' lists them by theme.",
        "figures[].chapter": f"context, leadership or a theme: {themes}.",
        "case_types[].case_type": "One of: " + ", ".join(rubric.case_type_keys) + ".",
        "case_types[].theme": f"One of: {themes}.",
        "recommendations[].theme": f"leadership or a theme: {themes}.",
    }


def profile_skeleton(rubric: Rubric, *, force: str | None = None,
                     rubric_ref: str | None = None) -> str:
    """The commented YAML skeleton of a force profile for ``force`` (left to fill in
    when None), naming ``rubric_ref`` as its rubric (the default rubric when None)."""
    writer = _Writer(rubric_notes(rubric))
    title = f"Force profile for {force}" if force else \
        "Force profile: fill in the force's name below"
    writer.lines += [f"# {line}" for line in textwrap.wrap(
        f"{title}. It holds what the report says about the force that does not come from "
        "the audited cases. Written by 'hmic-audit profile init'.", WIDTH - 2)]
    writer.lines += [
        "#",
        "# Fill in every key marked Required (their values are left empty), and any optional",
        "# one you want in the report (a chapter with nothing to say is left out). Then run",
        "#   hmic-audit profile check THIS_FILE",
        "# Text is Markdown where a comment says so. Quote months (\"2014-07\") and the words",
        "# yes and no. A key you do not need may be deleted.",
    ]
    values = {"force": force, "rubric": rubric_ref or "child-protection-2014"}
    docs = field_docs(ForceProfile)
    for name, info in ForceProfile.model_fields.items():
        writer.lines.append("")
        writer.comment(writer.about(name, name, info, docs.get(name, "")), "", False)
        writer.field(name, name, info, "", commented=False, value=values.get(name))
    return "\n".join(writer.lines) + "\n"
