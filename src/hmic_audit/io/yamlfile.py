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

import ast
import functools
import inspect
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

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
        if not isinstance(key_node, yaml.ScalarNode):  # '? [a, b]': no file here has one
            raise _Refused(None, None, "uses a list or a mapping as a key; a key is a "
                           "plain word", key_node.start_mark)
        key = self.construct_object(key_node, deep=deep)
        if key in seen:
            raise _Refused(None, None, f"repeats the key {key!r} (the first at line "
                           f"{seen[key].line + 1}); keep one", key_node.start_mark)
        seen[key] = key_node.start_mark
    return yaml.SafeLoader.construct_mapping(self, node, deep)


StrictLoader.compose_node = _compose_node  # type: ignore[method-assign,assignment]
StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                             _construct_mapping)


if yaml.__with_libyaml__:
    class _LibyamlLoader(yaml.CSafeLoader):
        """:class:`StrictLoader`'s booleans and mappings on libyaml's parser (PyYAML's
        C extension, in its wheels): six to nine times quicker on a rubric, the same
        data. It cannot refuse an anchor or alias as it meets one, so it reads only a
        text with no ``&`` (without an anchor, an alias is an error); it reads no tab
        either (the pure-Python parser refuses a tab inside a value, libyaml takes it)."""

    _LibyamlLoader.yaml_implicit_resolvers = StrictLoader.yaml_implicit_resolvers
    _LibyamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                   _construct_mapping)


def _loader(text: str) -> type[Any]:
    """The quicker loader that reads ``text`` as :class:`StrictLoader` would (see
    ``_LibyamlLoader``), else :class:`StrictLoader`."""
    if yaml.__with_libyaml__ and "&" not in text and "\t" not in text:
        return _LibyamlLoader
    return StrictLoader


def _parsed(text: str, how: Callable[..., Any]) -> Any:
    """``how`` (``yaml.load`` or ``yaml.compose``) with :class:`StrictLoader`'s rules:
    libyaml's parser where it reads the text so (``_loader``), and any error said as the
    pure-Python parser says it (the words people are shown; and a text libyaml refuses
    that the pure-Python parser reads is read)."""
    loader = _loader(text)
    if loader is not StrictLoader:
        try:
            return how(text, Loader=loader)
        except (yaml.YAMLError, UnicodeError):  # libyaml encodes the text: a lone surrogate
            pass  # read again below, to be told what is wrong in the usual words
    return how(text, Loader=StrictLoader)


def load_strict(text: str) -> Any:
    """Parse YAML with :class:`StrictLoader`'s rules (see ``_parsed``)."""
    return _parsed(text, yaml.load)


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
        return None, [_yaml_problem(exc, file)]
    if not isinstance(data, dict):
        return None, [Problem(code="bad-yaml", file=file,
                              message=f"must be a YAML mapping of {what} keys")]
    return data, []


def _yaml_problem(exc: yaml.YAMLError, file: str) -> Problem:
    """A YAML error in words: where it is (line and column), what is wrong there, and what
    to check (the brackets, the colons, the quotes or the indentation)."""
    mark = getattr(exc, "problem_mark", None)
    row = mark.line + 1 if mark is not None else None
    where = f"line {row}, column {mark.column + 1}: " if mark is not None else ""
    problem = str(getattr(exc, "problem", None) or exc).replace("<stream end>",
                                                                "the end of the file")
    if isinstance(exc, _Refused):
        return Problem(code="bad-yaml", file=file, row=row,
                       message=f"{where}the YAML {problem}")
    if "could not determine a constructor" in problem:
        return Problem(code="bad-yaml", file=file, row=row,
                       message=f"{where}the YAML uses a tag (!!python/... or similar) "
                       "that is not accepted: write the value out")
    context = str(getattr(exc, "context", None) or "")
    opened = getattr(exc, "context_mark", None)
    at = f" at line {opened.line + 1}" if opened is not None else ""
    if "flow sequence" in context:
        tip = f"check the brackets: the list opened with '['{at} needs a ']' to close it"
    elif "flow mapping" in context:
        tip = f"check the braces: the mapping opened with '{{'{at} needs a '}}' to close it"
    elif "quoted scalar" in context:
        tip = f"check the quotes: the text quoted{at} needs its closing quote"
    elif "mapping values are not allowed" in problem:
        tip = "check the colons: quote a value that holds ': ' (key: \"a: b\")"
    elif "block" in context or "block" in problem:
        tip = "check the indentation: keys of one mapping start in the same column"
    else:
        tip = "check the brackets, colons, quotes and indentation"
    return Problem(code="bad-yaml", file=file, row=row,
                   message=f"{where}the YAML is not valid here: {problem} \N{EM DASH} {tip}")


def by_line(problems: list[Problem]) -> list[Problem]:
    """The problems in the order of the file: by line, then those without a line, by key
    path (the order found is kept among equals)."""
    return sorted(problems, key=lambda p: (p.row is None, p.row or 0,
                                           "" if p.row is not None else p.column or ""))


def key_path(loc: tuple[int | str, ...]) -> str:
    """``("criteria", 3, "weight")`` -> ``criteria[3].weight``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def key_lines(text: str) -> dict[str, int]:
    """The line (1-based) of every key and list item of a YAML document, by key path
    (``local_authorities[2].ofsted_judgement`` -> 31); empty when the text is no YAML."""
    try:
        root = _parsed(text, yaml.compose)
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, path: tuple[int | str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if key is None:
                    continue
                lines.setdefault(key_path((*path, key)), key_node.start_mark.line + 1)
                walk(value, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines.setdefault(key_path((*path, i)), item.start_mark.line + 1)
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines


_PARENT = re.compile(r"(?:\.[^.\[]+|\[\d+\])$")


def line_of(path: str, lines: dict[str, int]) -> int | None:
    """The line of a key path, else of the nearest key above it that is in the file (a
    missing key is reported where its parent is), else None."""
    while path:
        if path in lines:
            return lines[path]
        shorter = _PARENT.sub("", path)
        if shorter == path:
            return None
        path = shorter
    return None


def located(problems: list[Problem], lines: dict[str, int]) -> list[Problem]:
    """The problems, each whose column is a key path given the line it is on."""
    return [p.model_copy(update={"row": line_of(p.column, lines)})
            if p.column and p.row is None and line_of(p.column, lines) else p
            for p in problems]


def _options(expected: str) -> list[str]:
    """``"'a', 'b' or 'c'"`` (pydantic's list of accepted values) -> ``[a, b, c]``."""
    return re.findall(r"'([^']*)'", expected)


def _one_of(value: object, options: list[str]) -> str:
    """'is 'Goood'; did you mean 'good'? Use outstanding, good, ...' (the suggestion for a
    typing slip, or for the same word written in other capitals or spacing)."""
    from ..text import closest, label_key

    use = (", ".join(options[:-1]) + " or " + options[-1]) if len(options) > 1 else \
        "".join(options)
    if value is None:
        return f"is empty: fill it in with {use}"
    if not isinstance(value, str):
        return f"must be one of {use}"
    spellings = {label_key(o): o for o in options}
    meant = spellings.get(label_key(value)) or closest(label_key(value), spellings)
    tip = f"; did you mean {meant!r}? Use" if meant else "; use"
    return f"is {value!r}{tip} {use}"


def _type_at(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> Any:
    """The type a document holds at ``loc`` according to ``model`` (None when unknown)."""
    found: Any = model
    for part in loc:
        found = _field_type(found, part)
        if found is None:
            return None
    return found


def _field_type(holder: Any, part: int | str) -> Any:
    args = [a for a in get_args(holder) if a is not type(None)]
    origin = get_origin(holder)
    if origin is not None and origin not in (list, dict) and len(args) == 1:
        holder, args, origin = args[0], list(get_args(args[0])), get_origin(args[0])
    if isinstance(part, int):
        return args[0] if origin is list and args else None
    if origin is dict and len(args) == 2:
        return args[1]
    if isinstance(holder, type) and issubclass(holder, BaseModel) and \
            part in holder.model_fields:
        return holder.model_fields[part].annotation
    return None


@functools.cache
def field_docs(model: type[BaseModel]) -> dict[str, str]:
    """Each field's docstring (the string under it in the class body, as for any
    attribute; a ``Field(description=...)`` wins), by field name, base classes included.
    Read from the source, so it works with every pydantic version the project allows."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) \
            else []
        for node, after in zip(body, body[1:], strict=False):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and \
                    isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) \
                    and isinstance(after.value.value, str):
                docs[node.target.id] = inspect.cleandoc(after.value.value)
    for name, info in model.model_fields.items():
        if info.description:
            docs[name] = info.description
    return docs


def _plain(err: Any, path: str, what: str, model: type[BaseModel] | None) -> str:
    """What a pydantic error means, in words a person who wrote the file can act on (never
    pydantic's own wording, such as 'Field required')."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    loc = tuple(err["loc"])
    if kind == "extra_forbidden":
        meant = _meant_key(model, loc)
        tip = f"; did you mean {meant!r}?" if meant else ""
        return f"is not a {what} key (check its spelling){tip}"
    if kind == "missing":
        holder = _model_in(_type_at(model, loc[:-1]), directly=True) if loc else None
        doc = field_docs(holder).get(str(loc[-1]), "") if holder is not None else ""
        about = f" ({_first_sentence(doc)})" if doc else ""
        return f"is missing: add it{about}"
    if value is None and kind == "value_error":
        return f"is empty: fill it in; it {str(err['msg']).removeprefix('Value error, ')}"
    if value is None and kind.endswith(("_type", "_parsing")):
        return "is empty: fill it in"
    if path.endswith("version") and kind == "string_type":
        return "must be text: quote it (version: \"1.10\") so YAML keeps it as written"
    if kind == "string_type" and isinstance(value, bool):
        return ("was read as true/false: quote it (\"yes\", \"no\", \"on\") so YAML "
                "keeps it as text")
    if kind in ("literal_error", "enum"):
        return _one_of(value, _options(str(ctx.get("expected", ""))))
    plain = {
        "int_parsing": "must be a whole number", "int_type": "must be a whole number",
        "int_from_float": "must be a whole number", "float_parsing": "must be a number",
        "float_type": "must be a number", "string_type": "must be text",
        "bool_type": "must be true or false", "bool_parsing": "must be true or false",
        "date_type": "must be a date written YYYY-MM-DD, such as 2014-12-01",
        "date_parsing": "must be a date written YYYY-MM-DD, such as 2014-12-01",
        "date_from_datetime_parsing": "must be a date written YYYY-MM-DD, such as 2014-12-01",
        "date_from_datetime_inexact": "must be a date without a time of day",
        "list_type": "must be a list: one item a line, each starting with '- '",
        "dict_type": "must be a mapping: one 'key: value' a line",
    }
    if kind in plain:
        shown = f" (it is {value!r})" if isinstance(value, str | int | float) and not \
            isinstance(value, bool) else ""
        return plain[kind] + shown
    if kind in ("model_type", "model_attributes_type"):
        inner = _model_in(_type_at(model, loc), directly=True)
        keys = f" ({', '.join(inner.model_fields)})" if inner is not None else ""
        return f"must be a mapping of keys{keys}, one 'key: value' a line"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length', 1)} item"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        words = {"greater_than_equal": "or more", "greater_than": "exclusive: more than",
                 "less_than_equal": "or less", "less_than": "exclusive: less than"}[kind]
        if kind.endswith("_equal"):
            return f"must be {bound} {words} (it is {value!r})"
        return f"must be {words.split(': ')[1]} {bound} (it is {value!r})"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    return str(err["msg"])


def _meant_key(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str | None:
    """The key of the model at ``loc[:-1]`` that the unknown key ``loc[-1]`` is a typing
    slip for, if any."""
    holder = _model_in(_type_at(model, loc[:-1]), directly=True) if loc else None
    if holder is None or not isinstance(loc[-1], str):
        return None
    from ..text import closest, label_key

    return closest(label_key(loc[-1]), {label_key(k): k for k in holder.model_fields})


def _model_in(annotation: Any, *, directly: bool = False) -> type[BaseModel] | None:
    """The model a type is (``directly``: itself or itself or None), or holds anywhere
    (in a list, in a mapping's values)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if directly and get_origin(annotation) in (list, dict):
        return None
    for arg in get_args(annotation):
        found = _model_in(arg, directly=directly)
        if found is not None:
            return found
    return None


def _first_sentence(text: str) -> str:
    first = " ".join(text.split()).split(". ")[0].rstrip(".")
    return first[:1].lower() + first[1:]


def pydantic_problems(exc: ValidationError, file: str, what: str, *,
                      model: type[BaseModel] | None = None,
                      lines: dict[str, int] | None = None) -> list[Problem]:
    """One problem per validation error, each naming its key path, in plain words (with
    "did you mean" for a misspelt key or choice when ``model`` is given), and its line
    when the file's ``lines`` (``key_lines``) are given."""
    problems = []
    # NOTE: model validators report at the model's own path; a tagged union adds the
    # member's name to the path, which people never wrote, so it is dropped.
    errors = [(err, tuple(p for p in err["loc"] if not (isinstance(p, str) and
                                                        p.startswith("function-"))))
              for err in exc.errors()]
    # A required key missing because it is misspelt is one mistake: the misspelling
    # (with its "did you mean") says it all, so the key's "is missing" is not repeated.
    misspelt = {(*loc[:-1], meant) for err, loc in errors if err["type"] == "extra_forbidden"
                for meant in [_meant_key(model, loc)] if meant}
    for err, loc in errors:
        if err["type"] == "missing" and loc in misspelt:
            continue
        path = key_path(loc)
        value = err.get("input")
        message = _plain({**err, "loc": loc}, path, what, model)
        shown = None if isinstance(value, dict | list) else value
        problems.append(Problem(code=f"bad-{what.replace(' ', '-')}-field", file=file,
                                column=path, message=f"{path or what} {message}",
                                value=None if shown is None else str(shown)))
    return located(problems, lines) if lines else problems
