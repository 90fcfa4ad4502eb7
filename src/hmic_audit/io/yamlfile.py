"""Reading authored YAML files (rubrics, force profiles) into problems a person can fix.

The loader is strict: PyYAML's safe loader (no Python tags), with anchors and aliases
refused (no alias bombs), duplicate keys refused, a size cap, and YAML 1.2 booleans:
only ``true`` and ``false`` are booleans, so ``no``, ``yes``, ``on`` and ``off`` stay text
(YAML 1.1 would turn an alias or answer "no" into false). A version such as ``1.10`` is
still a number unless quoted, and the models say so. A file must be UTF-8 and a mapping
at the top. Pydantic's errors become problems whose column is the key path
(``criteria[3].weight``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..problems import Problem


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


MAX_YAML_BYTES = 2 * 1024 * 1024
"""Largest rubric or profile accepted (they are hand-written; this is generous)."""


class StrictLoader(yaml.SafeLoader):
    """Safe loader with YAML 1.2 booleans, no anchors or aliases and no duplicate keys."""


# YAML 1.2 core schema booleans only: drop the 1.1 resolver (yes/no/on/off) ...
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# ... and add back true/false.
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))


class _Refused(yaml.MarkedYAMLError):
    pass


def _compose_node(self: StrictLoader, parent: Any, index: Any) -> Any:
    if self.check_event(yaml.AliasEvent):
        event = self.peek_event()
        raise _Refused(None, None, "uses an alias (*name); anchors and aliases are not "
                       "accepted: write the value out", event.start_mark)
    event = self.peek_event()
    if getattr(event, "anchor", None):
        raise _Refused(None, None, "defines an anchor (&name); anchors and aliases are not "
                       "accepted: write the value out", event.start_mark)
    return yaml.SafeLoader.compose_node(self, parent, index)


def _construct_mapping(self: StrictLoader, node: yaml.MappingNode, deep: bool = False
                       ) -> dict[Any, Any]:
    seen: dict[Any, Any] = {}
    for key_node, _ in node.value:
        key = self.construct_object(key_node, deep=deep)
        if key in seen:
            raise _Refused(None, None, f"repeats the key {key!r} (the first at line "
                           f"{seen[key].line + 1}); keep one", key_node.start_mark)
        seen[key] = key_node.start_mark
    return yaml.SafeLoader.construct_mapping(self, node, deep)


StrictLoader.compose_node = _compose_node  # type: ignore[method-assign,assignment]
StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                             _construct_mapping)


def load_strict(text: str) -> Any:
    """Parse YAML with :class:`StrictLoader`."""
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506  (a SafeLoader subclass)


def yaml_mapping(text: str, file: str, what: str) -> tuple[dict[str, Any] | None,
                                                           list[Problem]]:
    """The top-level mapping of a YAML document, or the problem with it."""
    if len(text) > MAX_YAML_BYTES:
        return None, [Problem(code="too-large", file=file,
                              message=f"is larger than {MAX_YAML_BYTES:,} characters; a "
                              f"{what} is never that big")]
    try:
        data = load_strict(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        if "could not determine a constructor" in str(problem):
            problem = "uses a tag (!!python/... or similar) that is not accepted"
        return None, [Problem(code="bad-yaml", file=file, row=row,
                              message=f"is not accepted: {problem}")]
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
