"""Crosswalks: put grades given on one rubric's scale onto another scale.

The inspection programme changed scale over time: four levels in 2014, three in the
2021-23 reviews, five in the 2024 programme. A crosswalk file (YAML) maps each *source*
rubric's grades onto one *target* scale, so audits graded under different rubrics can be
compared (``compare --crosswalk``) or counted in one national table (``annex``):

.. code-block:: yaml

    name: cp-common-3
    version: "1.0"
    title: 2014 and 2024 grades on a common three-level scale
    scale:                       # the target scale, best first (or: target: <rubric>)
      - {key: good_or_better, label: Good or better}
      - {key: adequate, label: Adequate}
      - {key: below_adequate, label: Below adequate}
    maps:                        # per source rubric (shipped name or path): grade -> target
      child-protection-2014: {good: good_or_better, adequate: adequate,
                              requires_improvement: below_adequate,
                              inadequate: below_adequate}

The target is either a ``scale`` written in the crosswalk or a rubric (``target:``), whose
own grades then map onto themselves. A crosswalk is checked like a rubric, every problem
listed: every grade of each source mapped, once, onto a grade of the target; each source
rubric found; and order kept (a better source grade never lands below a worse one) unless
the file declares ``reorders: true``. Sources are matched to audits by the rubric's
``name`` and grades: a crosswalk written for one scale is never applied to another.

Loading follows :mod:`hmic_audit.rubric_file` (``extends`` aside): ``load_crosswalk``
raises ``RubricError`` with every problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from .io.yamlfile import key_lines, located, pydantic_problems, yaml_mapping
from .problems import HmicAuditError, Problem, RubricError
from .rubric import Grade, Rubric
from .rubric_file import load_checked, load_rubric, resolve_rubric_path, shipped_rubrics_dir
from .text import closest, label_key, plural


class Crosswalk(BaseModel):
    """A crosswalk file as written (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    version: str
    """Version string; quote it in YAML (``"1.0"``)."""
    title: str
    description: str = ""
    target: str | None = None
    """A rubric (shipped name, or a path beside the crosswalk) whose scale is the target."""
    scale: list[Grade] | None = Field(default=None, min_length=2)
    """The target scale, best first, when it is not a rubric's (a common scale)."""
    maps: dict[str, dict[str, str]] = Field(min_length=1)
    """Per source rubric (shipped name or path beside the crosswalk): each of its grade
    keys and the target grade key it becomes."""
    reorders: bool = False
    """Declare that some better source grade lands below a worse one (else refused)."""
    significant_difference: int | None = None
    """Levels apart on the target scale at which two judgements differ significantly;
    default: the target rubric's, else 1 on a common scale of three levels or fewer
    and 2 on a longer one."""
    acceptable: list[str] | None = None
    """Target grades counted as acceptable; default: the target rubric's, else the better
    half of the scale."""

    _sources: dict[str, Rubric] = PrivateAttr(default_factory=dict)
    _keyed: dict[str, dict[str, str]] = PrivateAttr(default_factory=dict)
    """Per source, its mapping by grade keys (the file may use labels or aliases)."""
    _target_rubric: Rubric | None = PrivateAttr(default=None)
    _sha256: str | None = PrivateAttr(default=None)
    _file: str = PrivateAttr(default="<crosswalk>")

    # The target scale --------------------------------------------------------------

    @cached_property
    def grades(self) -> list[Grade]:
        """The target scale, best first (none while the target is given twice)."""
        if self.target is not None and self.scale is not None:
            return []
        if self._target_rubric is not None:
            return list(self._target_rubric.scale)
        return list(self.scale or [])

    @cached_property
    def grade_keys(self) -> list[str]:
        return [g.key for g in self.grades]

    @property
    def sha256(self) -> str | None:
        return self._sha256

    @property
    def file(self) -> str:
        return self._file

    @cached_property
    def threshold(self) -> int:
        """Levels apart that differ significantly on the target scale."""
        if self.significant_difference is not None:
            return self.significant_difference
        if self._target_rubric is not None:
            return self._target_rubric.significant_difference
        return 1 if len(self.grades) <= 3 else 2

    @cached_property
    def acceptable_grades(self) -> list[str]:
        if self.acceptable is not None:
            return list(self.acceptable)
        if self._target_rubric is not None:
            return self._target_rubric.acceptable_grades
        return self.grade_keys[: max(1, len(self.grades) // 2)]

    # Mapping -----------------------------------------------------------------------

    def mapping(self, rubric: Rubric) -> dict[str, str]:
        """Each grade of ``rubric`` and the target grade it becomes; ``HmicAuditError``
        when the crosswalk does not map that rubric's scale."""
        target = self._target_rubric
        if target is not None and _same_scale(rubric, target):
            return {k: k for k in target.grade_keys}
        for written, source in self._sources.items():
            if _same_scale(rubric, source):
                return dict(self._keyed[written])
        known = [f"{s.name} ({', '.join(s.grade_keys)})" for s in self._sources.values()]
        if target is not None:
            known.append(f"{target.name} (the target)")
        raise HmicAuditError(f"crosswalk {self.name} does not map rubric {rubric.name}", [
            Problem(code="crosswalk-mismatch", file=self._file, value=rubric.name,
                    message=f"maps the scales of {', '.join(known)}, not rubric "
                    f"{rubric.name!r} ({', '.join(rubric.grade_keys)}); add it under maps")])

    def levels(self, rubric: Rubric) -> np.ndarray:
        """Per level of ``rubric``'s scale, the level on the target scale."""
        to = self.mapping(rubric)
        return np.array([self.grade_keys.index(to[k]) for k in rubric.grade_keys],
                        dtype=np.int64)

    def rows(self, used: Sequence[Rubric] | None = None) -> list[tuple[str, str, str]]:
        """The mapping for people: (source rubric, source grade label, target grade label),
        every source in file order (the target rubric's identity last); only the rubrics
        ``used`` (by name), when given."""
        labels = {g.key: g.label for g in self.grades}
        sources = [(self._keyed[w], r) for w, r in self._sources.items()]
        if self._target_rubric is not None:
            sources.append(({k: k for k in self._target_rubric.grade_keys},
                            self._target_rubric))
        names = None if used is None else {r.name for r in used}
        return [(source.name, grade.label, labels[keyed[grade.key]])
                for keyed, source in sources if names is None or source.name in names
                for grade in source.scale]

    def describe(self) -> str:
        """One line naming the crosswalk: 'cp-common-3 v1.0 (title)'."""
        return f"{self.name} v{self.version} ({self.title})"

    # Consistency -------------------------------------------------------------------

    def check(self) -> list[Problem]:
        """Every problem with the mapping (sources and target already loaded)."""
        found: list[Problem] = []
        keys = self.grade_keys
        if (self.target is None) == (self.scale is None):
            found.append(_problem("bad-crosswalk-target", "target",
                                  "or scale, once: the target is either a rubric (target) or "
                                  "a list of grades (scale), not both and not neither"))
        seen: dict[str, str] = {}
        for i, g in enumerate(self.scale or []):
            if g.key in seen:
                found.append(_problem("duplicate-key", f"scale[{i}]",
                                      f"repeats grade {g.key!r}", g.key))
            seen[g.key] = g.key
        for written, source in self._sources.items():
            found += self._check_map(written, source, keys)
        levels = len(keys)
        if self.significant_difference is not None and keys and not (
                1 <= self.significant_difference <= levels - 1):
            found.append(_problem("bad-setting", "significant_difference",
                                  f"must be between 1 and {levels - 1} levels on the target "
                                  f"scale of {levels}", self.significant_difference))
        for i, key in enumerate(self.acceptable or []):
            if keys and key not in keys:
                found.append(_problem("unknown-grade", f"acceptable[{i}]",
                                      f"{key!r} is not a grade of the target scale "
                                      f"({', '.join(keys)})", key))
        return found

    def _check_map(self, written: str, source: Rubric, keys: list[str]) -> list[Problem]:
        """Resolve one source's mapping (grades by key, label or alias on both sides) into
        ``_keyed``, with every problem: unknown grades (with what was probably meant),
        unmapped ones, and order not kept among those that resolve."""
        found = []
        where = f"maps.{written}"
        targets = {label_key(name): g.key for g in self.grades
                   for name in (g.key, g.label, *g.aliases)}
        resolved: dict[str, str] = {}
        for grade, to in self.maps[written].items():
            key, target = source.parse_grade(str(grade)), targets.get(label_key(str(to)))
            if key is None:
                meant = closest(label_key(str(grade)), source.spellings("grade"))
                found.append(_problem("unknown-grade", f"{where}.{grade}",
                                      f"{grade!r} is not a grade of rubric {source.name} "
                                      f"({', '.join(source.grade_keys)})"
                                      + (f"; did you mean {meant!r}?" if meant else ""), grade))
            if keys and target is None:
                meant = closest(label_key(str(to)), targets)
                found.append(_problem("unknown-grade", f"{where}.{grade}",
                                      f"maps to {to!r}, which is not a grade of the target "
                                      f"scale ({', '.join(keys)})"
                                      + (f"; did you mean {meant!r}?" if meant else ""), to))
            if key is not None and target is not None:
                if key in resolved and resolved[key] != target:
                    found.append(_problem("duplicate-key", f"{where}.{grade}",
                                          f"maps {key!r} a second time, to {target!r} (it "
                                          f"already maps to {resolved[key]!r})", grade))
                resolved.setdefault(key, target)
        self._keyed[written] = resolved
        missing = [k for k in source.grade_keys if k not in resolved
                   and not any(source.parse_grade(str(g)) == k for g in self.maps[written])]
        if missing:
            found.append(_problem("unmapped-grade", where,
                                  f"does not map {', '.join(missing)} (every grade of rubric "
                                  f"{source.name} needs a target)", ", ".join(missing)))
        if self.reorders:
            return found
        ordered = [(g, keys.index(resolved[g])) for g in source.grade_keys if g in resolved]
        for (better, high), (worse, low) in zip(ordered, ordered[1:], strict=False):
            if high > low:
                found.append(_problem(
                    "crosswalk-order", f"{where}.{better}",
                    f"puts {better!r} below {worse!r}, a worse grade of rubric "
                    f"{source.name}: {resolved[better]!r} comes after {resolved[worse]!r} on "
                    "the target scale; fix the mapping, or declare reorders: true", better))
        return found


class MappedGrade(BaseModel):
    """One line of a crosswalk as outputs show it."""

    model_config = ConfigDict(frozen=True)

    rubric: str
    grade: str
    """The source grade's label."""
    becomes: str
    """The target grade's label."""


class CrosswalkRef(BaseModel):
    """Which crosswalk put a result's grades on one scale, and how (shown in outputs)."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    title: str
    sha256: str | None
    scale: list[str]
    """The target grades' labels, best first."""
    mapping: list[MappedGrade]

    @classmethod
    def of(cls, crosswalk: Crosswalk, used: Sequence[Rubric] | None = None) -> CrosswalkRef:
        """The crosswalk's reference, its mapping for the rubrics ``used`` (else all)."""
        return cls(name=crosswalk.name, version=crosswalk.version, title=crosswalk.title,
                   sha256=crosswalk.sha256, scale=[g.label for g in crosswalk.grades],
                   mapping=[MappedGrade(rubric=r, grade=g, becomes=b)
                            for r, g, b in crosswalk.rows(used)])

    def lines(self) -> list[str]:
        """The mapping for people, a line per source rubric:
        'hmic-cp-2014: Good -> Good or better, Adequate -> Adequate, ...'."""
        by: dict[str, list[str]] = {}
        for m in self.mapping:
            by.setdefault(m.rubric, []).append(f"{m.grade} -> {m.becomes}")
        return [f"{rubric}: {', '.join(parts)}" for rubric, parts in by.items()]


def _same_scale(a: Rubric, b: Rubric) -> bool:
    return a.name == b.name and a.grade_keys == b.grade_keys


def _problem(code: str, path: str, message: str, value: object = None) -> Problem:
    return Problem(code=code, column=path, message=f"{path} {message}",
                   value=None if value is None else str(value))


def parse_crosswalk(text: str, *, file: str = "<crosswalk>", base_dir: Path | None = None
                    ) -> tuple[Crosswalk | None, list[Problem]]:
    """Parse and check crosswalk text, loading the rubrics it names (relative paths from
    ``base_dir``); returns the crosswalk (None if unusable) and every problem."""
    data, problems = yaml_mapping(text, file, "crosswalk")
    if data is None:
        return None, problems
    try:
        crosswalk = Crosswalk.model_validate(data)
    except ValidationError as exc:
        return None, pydantic_problems(exc, file, "crosswalk", model=Crosswalk,
                                       lines=key_lines(text))
    crosswalk._file = file
    found: list[Problem] = []

    def rubric(name: str, where: str) -> Rubric | None:
        beside = (base_dir or Path.cwd()) / name
        try:
            return load_rubric(beside if beside.is_file() else resolve_rubric_path(name))
        except RubricError as exc:
            found.append(_problem("bad-crosswalk-rubric", where,
                                  f"names rubric {name!r}, which cannot be used: "
                                  + "; ".join(p.message for p in exc.problems[:3]), name))
            return None

    if crosswalk.target is not None:
        crosswalk._target_rubric = rubric(crosswalk.target, "target")
    for written in crosswalk.maps:
        source = rubric(written, f"maps.{written}")
        if source is not None:
            crosswalk._sources[written] = source
    found += crosswalk.check()
    if found:  # each problem on the line of its key (or of the nearest key above it)
        found = located(found, key_lines(text))
    return crosswalk, [p.model_copy(update={"file": file}) for p in found]


def shipped_crosswalks() -> list[str]:
    """Names of the crosswalks shipped with the package (``rubrics/crosswalks``)."""
    return sorted(p.stem for p in (shipped_rubrics_dir() / "crosswalks").glob("*.yaml"))


def load_crosswalk(path: str | Path) -> Crosswalk:
    """Load and check a crosswalk file (a path, or the name of a shipped crosswalk);
    raise ``RubricError`` listing every problem."""
    path = Path(path)
    shipped = shipped_rubrics_dir() / "crosswalks" / f"{path}.yaml"
    if not path.is_file() and len(path.parts) == 1 and shipped.is_file():
        path = shipped
    if not path.is_file():
        raise RubricError(f"crosswalk {path.name} not found", [Problem(
            code="crosswalk-not-found", file=str(path),
            message="no such file; give the path of a crosswalk YAML file or the name of "
            f"a shipped crosswalk ({', '.join(shipped_crosswalks())})")])
    crosswalk, _, digest = load_checked(path, "crosswalk", parse_crosswalk)
    crosswalk._sha256 = digest
    return crosswalk


def rubrics_for(count: int, names: list[str] | None, crosswalk: str | Path | None = None
                ) -> tuple[list[Rubric], Crosswalk | None]:
    """The rubric of each of ``count`` input files, and the crosswalk (if given).

    ``names`` are the ``--rubric`` options: none (the default rubric for every file), one
    (for every file) or one per file, in their order. ``BadArguments`` for any other
    number. A crosswalk is loaded and checked here; whether the inputs need one is for
    the analysis to say (they do when their rubrics' scales differ).
    """
    names = names or [None]  # type: ignore[list-item]
    if len(names) not in (1, count):
        raise HmicAuditError("give one --rubric, or one per file", [Problem(
            code="bad-arguments", message=f"{plural(len(names), '--rubric option')} for "
            f"{plural(count, 'file')}: give one rubric for every file, or one per file in "
            "the order of the files")])
    loaded: dict[str | None, Rubric] = {}
    for name in names:
        if name not in loaded:
            loaded[name] = load_rubric(name)
    rubrics = [loaded[n] for n in (names if len(names) == count else names * count)]
    return rubrics, None if crosswalk is None else load_crosswalk(crosswalk)
