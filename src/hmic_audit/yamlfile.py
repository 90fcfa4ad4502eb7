"""Reading authored YAML files (rubrics, force profiles) into problems a person can fix.

``yaml.safe_load`` only (no Python tags); a file must be UTF-8 and a mapping at the top.
Pydantic's errors become problems whose column is the key path (``criteria[3].weight``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .problems import Problem


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """A file's UTF-8 text, or the problem that stops it being read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(code="unreadable", file=path.name,
                              message=f"cannot be read: {exc.strerror}")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return None, [Problem(code="bad-encoding", file=path.name,
                              message="is not UTF-8 text; save it as UTF-8")]


def yaml_mapping(text: str, file: str, what: str) -> tuple[dict[str, Any] | None,
                                                           list[Problem]]:
    """The top-level mapping of a YAML document, or the problem with it."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        return None, [Problem(code="bad-yaml", file=file, row=row,
                              message=f"is not valid YAML: {getattr(exc, 'problem', exc)}")]
    if not isinstance(data, dict):
        return None, [Problem(code="bad-yaml", file=file,
                              message=f"must be a YAML mapping of {what} keys")]
    return data, []


def key_path(loc: tuple[int | str, ...]) -> str:
    """``("criteria", 3, "weight")`` -> ``criteria[3].weight``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def pydantic_problems(exc: ValidationError, file: str, what: str) -> list[Problem]:
    """One problem per validation error, each naming its key path."""
    problems = []
    for err in exc.errors():
        # NOTE: model validators report at the model's own path; a tagged union adds the
        # member's name to the path, which people never wrote, so it is dropped.
        path = key_path(tuple(p for p in err["loc"] if not (isinstance(p, str) and
                                                            p.startswith("function-"))))
        message = err["msg"]
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            message = f"is not a {what} key (check its spelling)"
        elif path.endswith("version") and err["type"] == "string_type":
            message = "must be text: quote it (version: \"1.10\") so YAML keeps it as written"
        elif err["type"] == "string_type" and isinstance(value, bool):
            message = ("was read as true/false: quote it (\"yes\", \"no\", \"on\") so YAML "
                       "keeps it as text")
        elif err["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        shown = None if isinstance(value, dict | list) else value
        problems.append(Problem(code=f"bad-{what.replace(' ', '-')}-field", file=file,
                                column=path, message=f"{path or what} {message}",
                                value=None if shown is None else str(shown)))
    return problems
