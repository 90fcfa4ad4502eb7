"""The output formats each command writes, declared in one place, and the one check of
an ``--out`` path against them."""

from __future__ import annotations

from pathlib import Path

from ..problems import OutputError, Problem

OUT_FORMATS: dict[str, tuple[str, ...]] = {
    "grade": (".xlsx", ".csv", ".json", ".parquet"),
    "compare": (".xlsx", ".csv", ".md", ".parquet"),
    "annex": (".xlsx", ".md", ".json"),
    "report": (".html", ".md", ".docx"),
    "template": (".xlsx",),
    "sample": (".xlsx",),
    "agree": (".xlsx", ".html"),
    "rounds": (".xlsx", ".md", ".json"),
    "escalations": (".xlsx", ".csv"),
    "actions": (".xlsx", ".yaml", ".yml"),
    "moderate": (".xlsx",),
}
"""Command -> the file endings its ``--out`` accepts."""


def check_out(out: Path | None, command: str, *, also: str | None = None) -> str | None:
    """The ending of ``out`` (lower case) when the command writes it; ``OutputError``
    otherwise. None when there is no ``--out``. ``also`` names another accepted target
    the caller has already ruled out (annex's "a folder")."""
    if out is None:
        return None
    endings = OUT_FORMATS[command]
    suffix = out.suffix.lower()
    if suffix not in endings:
        names = [*endings, *([also] if also else [])]
        listed = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
        raise OutputError("unsupported --out format", [Problem(
            code="bad-output-format", file=str(out),
            message=f"has extension {out.suffix or '(none)'!r}; use {listed}")])
    return suffix
