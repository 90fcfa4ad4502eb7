"""Load rubric files: shipped names, paths, ``extends`` overlays, every problem listed.

``load_rubric`` reads and checks a rubric and raises ``RubricError`` listing *every*
problem (structural ones with their key path, such as ``criteria[3].weight``) before any
case is read.

A rubric file may start from another with ``extends: <shipped name or relative path>``:
its own top-level keys replace the base's (a whole key at a time, not merged deeper), so a
team can adopt the national rubric and change one setting, with a comment saying why.
A base cannot itself extend another.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from .io.yamlfile import key_lines, pydantic_problems, read_text, yaml_mapping
from .problems import Problem, RubricError, Severity
from .rubric import Rubric
from .text import plural

DEFAULT_RUBRIC = "child-protection-2014"
"""Name of the rubric used when ``--rubric`` is not given (file ``rubrics/<name>.yaml``)."""


def shipped_rubrics_dir() -> Path:
    """Folder of the rubrics shipped with the package (or the repository's rubrics/)."""
    packaged = resources.files("hmic_audit") / "rubrics"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rubrics"


def resolve_rubric_path(name_or_path: str | Path | None) -> Path:
    """A file path for ``--rubric``: an existing path, or the name of a shipped rubric."""
    if name_or_path is None:
        name_or_path = DEFAULT_RUBRIC
    path = Path(name_or_path)
    if path.exists():
        return path
    shipped = shipped_rubrics_dir() / f"{name_or_path}.yaml"
    if shipped.exists() and path.suffix == "" and len(path.parts) == 1:
        return shipped
    names = sorted(p.stem for p in shipped_rubrics_dir().glob("*.yaml"))
    raise RubricError(
        f"rubric {str(name_or_path)!r} not found",
        [Problem(code="rubric-not-found", file=str(name_or_path),
                 message=f"no such file; give a path to a rubric YAML file or the name of "
                 f"a shipped rubric ({', '.join(names)})")],
    )


def parse_rubric(text: str, *, file: str = "<rubric>", base_dir: Path | None = None,
                 shipped: bool = False) -> tuple[Rubric | None, list[Problem]]:
    """Parse and check rubric text; returns the rubric (None if unusable) and all problems.

    ``base_dir`` is where a relative ``extends:`` path is looked for. ``shipped`` says
    the text is a rubric shipped with this package: its ``requires_version`` is not
    checked against the running version, which it ships with (the test suite holds
    every shipped rubric to it), sparing each command the version parser's import.
    """
    data, problems = yaml_mapping(text, file, "rubric")
    if data is None:
        return None, problems
    base_file = None
    if "extends" in data:
        base, problems, base_file = _load_base(data.pop("extends"), file, base_dir)
        if base is None:
            return None, problems
        data = {**base, **data}
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        return None, pydantic_problems(exc, file, "rubric", model=Rubric,
                                       lines=key_lines(text))
    if base_file is not None:
        rubric._base = (base_file.name, hashlib.sha256(base_file.read_bytes()).hexdigest())
    problems = [p.model_copy(update={"file": file}) for p in rubric.check()]
    found = [] if shipped else requires_version_problems(rubric.requires_version, file)
    if found:  # its line found only then: that parses the text a second time
        line = key_lines(text).get("requires_version")
        found = [p.model_copy(update={"row": line}) for p in found]
    return rubric, problems + found


def running_version() -> str | None:
    """The version of hmic-audit running (installed metadata, else the package's
    ``__version__``); None when neither is known."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hmic-audit")
    except PackageNotFoundError:  # run from a source tree: the package is loaded already
        import sys

        return getattr(sys.modules.get(__package__ or ""), "__version__", None) or None


def requires_version_problems(spec: str | None, file: str, line: int | None = None,
                              running: str | None = None) -> list[Problem]:
    """An error when ``requires_version`` is not a version range (PEP 440, such as
    ``>=0.1,<0.3``); a warning when the running hmic-audit (or ``running``) is outside
    it: the rubric is still used. Nothing when the key is absent."""
    if spec is None:
        return []
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    def problem(code: str, message: str, severity: Severity = Severity.ERROR) -> Problem:
        return Problem(code=code, severity=severity, file=file, row=line,
                       column="requires_version", value=spec,
                       message=f"requires_version {message}")

    try:
        if not spec.strip():
            raise InvalidSpecifier(spec)
        wanted = SpecifierSet(spec)
    except InvalidSpecifier:
        return [problem("bad-requires-version",
                        f"{spec!r} is not a version range; write it as in "
                        "'>=0.1' or '>=0.1,<0.3' (several conditions joined by commas)")]
    running = running or running_version()
    if running is None:
        return []
    try:
        this = Version(running)
    except InvalidVersion:
        return []
    if wanted.contains(this, prereleases=True):
        return []
    return [problem("rubric-version-mismatch",
                    f"says the rubric was written for hmic-audit {spec}, and this is "
                    f"hmic-audit {running}; it is used all the same: check that it grades "
                    "as intended, or use a version of hmic-audit it was written for",
                    Severity.WARNING)]


def _load_base(name: object, file: str, base_dir: Path | None
               ) -> tuple[dict[str, Any] | None, list[Problem], Path | None]:
    """The YAML mapping an ``extends:`` names (a relative path, or a shipped rubric), and
    the file it came from."""
    def problem(message: str) -> list[Problem]:
        return [Problem(code="bad-extends", file=file, column="extends", value=str(name),
                        message=f"extends {message}")]

    if not isinstance(name, str) or not name.strip():
        return None, problem("must name a shipped rubric or a rubric file"), None
    candidate = (base_dir or Path.cwd()) / name
    path = candidate if candidate.is_file() else shipped_rubrics_dir() / f"{name}.yaml"
    if not path.is_file():
        return None, problem(f"{name!r}, which is neither a file beside this rubric nor a "
                             "shipped rubric"), None
    base, problems = yaml_mapping(path.read_text(encoding="utf-8-sig"), path.name, "rubric")
    if base is not None and "extends" in base:
        return None, problem(f"{name!r}, which itself extends another rubric; extend the "
                             "original instead"), None
    return base, problems, path


T = TypeVar("T")


def load_checked(path: Path, what: str,
                 parse: Callable[..., tuple[T | None, list[Problem]]]
                 ) -> tuple[T, list[Problem], str]:
    """Read and parse a rubric-like YAML file (``parse(text, file=, base_dir=)``); the
    result, its warnings and the file's SHA-256, or ``RubricError`` listing every
    error."""
    text, problems = read_text(path)
    if text is None:
        raise RubricError(f"cannot read {what} {path.name}", problems)
    loaded, problems = parse(text, file=path.name, base_dir=path.parent)
    bad = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    if loaded is None or bad:  # the errors first, then what else there is to know
        raise RubricError(f"{what} {path.name} has {plural(len(bad), 'problem')}",
                          bad + warnings)
    return loaded, warnings, hashlib.sha256(path.read_bytes()).hexdigest()


def load_rubric(name_or_path: str | Path | None = None) -> Rubric:
    """Load, validate and check a rubric; raise ``RubricError`` listing every problem."""
    path = resolve_rubric_path(name_or_path)
    shipped = path.resolve().parent == shipped_rubrics_dir().resolve()
    rubric, warnings, digest = load_checked(
        path, "rubric", functools.partial(parse_rubric, shipped=shipped))
    rubric._sha256, rubric._warnings = digest, warnings
    rubric._source = str(path)
    return rubric
