"""What a blank audit form (``hmic-audit template``) holds, apart from how it is drawn.

* its columns for each layout (:func:`form_fields`): the long layout's are the fields of
  ``FIELDS`` marked ``in_form``; the wide (grades-only) form has the same identity
  columns without the assessor, with the force's and the inspectors' grades where the
  long form has its one grade, and no criterion columns;
* the areas its Area drop-down offers (:func:`form_areas`): a force profile's local
  authorities, or a text file of one area per line (:func:`read_areas`); none means the
  Area column stays free text.

``render.template_xlsx`` draws the form from these.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..problems import HmicAuditError, Problem
from ..text import label_key, plural
from .format import FIELDS, FIELDS_BY_NAME, Field

FormLayout = Literal["long", "wide"]
LAYOUTS: tuple[FormLayout, ...] = ("long", "wide")

MAX_AREAS_BYTES = 1024 * 1024
"""Largest areas file accepted (a force has a few dozen areas at most)."""
MAX_AREA_CHARS = 255
"""Longest area name accepted (a longer line is not an area name: the wrong file)."""


class AreasError(HmicAuditError):
    """An areas file (``template --areas``) is missing, unreadable or malformed."""


def form_fields(layout: FormLayout) -> list[Field]:
    """The form's identity columns, in order (criterion columns follow in the long
    layout)."""
    if layout == "long":
        return [f for f in FIELDS if f.in_form]
    fields: list[Field] = []
    for f in FIELDS:
        if f.name == "grade":
            fields += [FIELDS_BY_NAME["self_grade"], FIELDS_BY_NAME["inspector_grade"]]
        elif f.in_form and f.layout != "long":
            fields.append(f)
    return fields


def required_fields(layout: FormLayout) -> tuple[str, ...]:
    """The fields a row of the form must fill once it has a case reference."""
    return ("case_type", "assessor") if layout == "long" else ("case_type",)


def read_areas(path: str | Path) -> list[str]:
    """The areas of a text file: UTF-8, one area per line, blank lines ignored, ends of
    lines trimmed. Raises ``AreasError`` listing every problem, each at its line: text
    that is not UTF-8, a tab or control character (one area per line, nothing else), a
    line too long to be an area's name, an area given twice (ignoring case and
    spacing), or no area at all."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "no such file"
        raise AreasError(f"areas file {name} not found", [
            Problem(code="file-not-found", file=str(path), message=what)])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AreasError(f"cannot read areas file {name}", [
            Problem(code="unreadable", file=name, message=f"cannot be read: {exc.strerror}")
        ]) from None
    if len(raw) > MAX_AREAS_BYTES:
        raise AreasError(f"areas file {name} is too large", [Problem(
            code="too-large", file=name, message=f"holds {len(raw):,} bytes; an areas file "
            f"is a short list of names, one per line (at most {MAX_AREAS_BYTES:,} bytes)")])
    problems: list[Problem] = []
    areas: list[str] = []
    seen: dict[str, int] = {}
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    for number, line in enumerate(raw.split(b"\n"), start=1):
        def bad(code: str, message: str, value: str | None = None, at: int = number) -> None:
            problems.append(Problem(code=code, file=name, row=at, value=value,
                                    message=message))

        try:
            text = line.decode("utf-8").strip()
        except UnicodeDecodeError:
            bad("bad-encoding", "is not UTF-8 text; save the file as UTF-8")
            continue
        if not text:
            continue
        if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in text):
            bad("bad-area", "holds a tab or control character; give one area per line "
                "and nothing else", text)
        elif len(text) > MAX_AREA_CHARS:
            bad("bad-area", f"is {len(text):,} characters long, which is no area name "
                f"(at most {MAX_AREA_CHARS}); give one area per line", text[:40] + "…")
        elif label_key(text) in seen:
            bad("duplicate-area", f"repeats the area on row {seen[label_key(text)]} "
                f"({text!r}); keep one", text)
        else:
            seen[label_key(text)] = number
            areas.append(text)
    if not areas and not problems:
        problems.append(Problem(code="no-areas", file=name,
                                message="holds no area; give one area per line"))
    if problems:
        raise AreasError(f"areas file {name} has {plural(len(problems), 'problem')}",
                         problems)
    return areas


def profile_areas(names: list[str]) -> list[str]:
    """A force profile's local authority names, each once, in the profile's order."""
    seen: set[str] = set()
    areas: list[str] = []
    for n in names:
        text = n.strip()
        if text and label_key(text) not in seen:
            seen.add(label_key(text))
            areas.append(text)
    return areas
