"""How a command is registered: help that reflows, examples that paste, a plain usage line.

Docstrings are wrapped at the source's line length, and typer's rich help keeps those
line breaks, so sentences broke mid-line at any other width. ``reflowed`` joins each
prose paragraph into one line (rich then wraps it to the terminal) and keeps indented
paragraphs, the examples, line for line: one full command a line, a long one continued
with `` \\`` on an indented line below. ``Command`` writes the usage line as manual pages
do (``CASES...``, ``[RUBRIC]``) and leaves Python's type names out of the help.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


def reflowed(doc: str | None) -> str:
    """A docstring as help text: prose paragraphs on one line each, indented paragraphs
    (examples) unchanged."""
    paragraphs = inspect.cleandoc(doc or "").split("\n\n")
    return "\n\n".join(
        p if all(line.startswith(" ") for line in p.splitlines())
        else " ".join(line.strip() for line in p.splitlines())
        for p in paragraphs)


def _plain(params: list[Any]) -> list[Any]:
    for param in params:
        # NOTE: newer typer shows a Python type beside each name (<list[Path]>, <bool>);
        # the help text says what an argument is, and a flag takes no value.
        if param.param_type_name == "argument" and hasattr(param, "display_type_rich"):
            param.display_type_rich = _no_type
        elif getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


def _no_type(*args: Any, **kwargs: Any) -> None:
    return None


class Group(TyperGroup):
    """typer's group of commands, its flags shown without a type."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))


class Command(TyperCommand):
    """typer's command with a usage line like ``hmic-audit annex [OPTIONS] CASES...``,
    its arguments and flags shown without a type."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name != "argument":
                continue
            name = param.metavar or (param.name or "").upper()
            if param.nargs != 1 and " " not in name:  # "FILE [INSPECTOR_FILE]" says it all
                name += "..."
            pieces.append(name if param.required else f"[{name}]")
        return pieces

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))


def register(app: typer.Typer, name: str, fn: Callable[..., Any]) -> None:
    """Add ``fn`` to ``app`` as command ``name``, its docstring reflowed as its help."""
    app.command(name, cls=Command, help=reflowed(fn.__doc__))(fn)
