"""JSON rendering: one document, stable key order, UTF-8, ending in a newline."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel


def to_jsonable(value: BaseModel | dict[str, Any] | list[Any]) -> Any:
    """Plain JSON data for a model (``model_dump(mode="json")``) or plain data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


def render_json(value: BaseModel | dict[str, Any] | list[Any]) -> str:
    """A JSON document for a result model or plain data."""
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False) + "\n"


def stream_json(parts: Iterable[str]) -> None:
    """Write a JSON document made in parts to stdout as it is made (a large result never
    sits in memory whole)."""
    write = sys.stdout.write
    for part in parts:
        write(part)
    sys.stdout.flush()
