"""The Jinja environment of the report templates (Markdown and the HTML page), and the
compiled shipped templates it keeps between runs.

Compiling the shipped templates takes about 50 ms of every report - more than
rendering them. Jinja's bytecode cache keeps each compiled template in a file and uses
it while the template's source is unchanged, as Python keeps ``__pycache__``; here in
the folder Jinja makes for it in the system's temporary folder, which only the user
can read or write (``_jinja2-cache-<uid>``: Jinja refuses one that anybody else could).
The files hold compiled template code only, never case data, and a report is the same,
byte for byte, with them or without.

* A file is used only when the template's source, the environment's settings, Jinja's
  version and hmic-audit's version are those it was compiled from (they make its
  checksum); anything else is compiled again and the file replaced.
* A user's own templates (``--templates``) are never cached: they are rendered in a
  sandbox, and are compiled afresh each time.
* A folder that cannot be made or written, or a damaged file, costs only the compile.
* Set ``HMIC_AUDIT_NO_CACHE=1`` to keep no files (each report compiles its templates).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PackageLoader,
)
from jinja2.bccache import Bucket
from jinja2.sandbox import SandboxedEnvironment

NO_CACHE_VARIABLE = "HMIC_AUDIT_NO_CACHE"
"""Set to ``1`` (or ``true``, ``yes``) to keep no compiled templates."""
PATTERN = "hmic-audit-%s.cache"
"""The cache files' names (``%s``: Jinja's key of the template)."""


def report_environment(templates: Path | None = None, **options: Any) -> Environment:
    """The shipped report templates (``templates/report``) - behind a user's folder of
    templates when one is given, then sandboxed (a user's template is not trusted
    code) and not cached. ``options`` are Jinja's."""
    shipped = PackageLoader("hmic_audit", "templates/report")
    if templates is not None:
        loader: BaseLoader = ChoiceLoader([FileSystemLoader(str(templates)), shipped])
        return SandboxedEnvironment(loader=loader, **options)
    # the caller sets autoescape: True for the HTML page, False for Markdown (whose
    # text is escaped for Markdown by the renderer, not for HTML)
    env = Environment(loader=shipped, **options)  # noqa: S701
    env.bytecode_cache = _cache(env)
    return env


class CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's file cache whose checksum covers what the compiled code depends on
    besides the source (``fingerprint``), and whose failures only cost a compile."""

    def __init__(self, fingerprint: str, directory: str | None = None) -> None:
        super().__init__(directory, PATTERN)
        self.fingerprint = fingerprint

    def get_source_checksum(self, source: str) -> str:
        text = f"{self.fingerprint}\0{source}"
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - unreadable or damaged: compiled again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a full disk, a folder gone read-only: kept for this run only
            pass


def fingerprint(env: Environment) -> str:
    """What a template's compiled code depends on besides its source."""
    import jinja2

    from .. import __version__

    finalize = getattr(env.finalize, "__qualname__", repr(env.finalize))
    settings = (
        type(env).__qualname__, env.block_start_string, env.block_end_string,
        env.variable_start_string, env.variable_end_string, env.comment_start_string,
        env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
        env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
        sorted(env.extensions), env.optimized, env.is_async, bool(env.autoescape),
        callable(env.autoescape), finalize)
    return f"hmic-audit {__version__}; jinja2 {jinja2.__version__}; {settings!r}"


def _cache(env: Environment) -> CompiledTemplates | None:
    if os.environ.get(NO_CACHE_VARIABLE, "").strip().lower() in ("1", "true", "yes"):
        return None
    try:
        return CompiledTemplates(fingerprint(env))
    except (OSError, RuntimeError):  # no private folder can be made: no cache
        return None
