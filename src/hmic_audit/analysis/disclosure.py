"""Disclosure control over a whole publication: what an intruder holding every published
number can work out, and which counts to hide so that no child can be singled out.

Every count a publication shows is the number of *units* satisfying a :class:`Query`:
cases (a force's case, with its sample, case type, area and the force's and the
inspectors' final grades) or criterion answers (a case's answers to one criterion, the
force's and the inspectors'). The intruder is assumed to know how every published
table is built, so all published counts, of every table and of the prose, are linear
equations over one *cube*: the count of units in each combination of the attributes
(every combination the attributes allow, not only those the data holds - a real intruder
cannot tell which combinations are empty). Combinations that no published count tells
apart are merged, which changes nothing an intruder can derive.

**The rule** (primary suppression): a count from 1 to ``threshold - 1`` is hidden.
**The audit**: for every such hidden count, a linear program (HiGHS, through highspy)
gives the least and the greatest value consistent with every published count, with the
rubric's ties between answers and cases, and knowing that a hidden count is not 0 (zeros
are published) - with no upper bound on it: a publication never says how small a hidden
count is. The count is protected when that range holds a whole number other than its
true value (one more or one less). The range is the linear relaxation's (as tau-ARGUS
audits): it can only be wider than over whole numbers, so the suite's intruder test
solves whole-number programs over what the files show. **Secondary suppression** hides
further counts until every small count is protected: each time the first of a few
candidates - published counts the linear program finds binding at the ends of the range
(the upper end only, for a count of 1, which cannot go lower), smallest and non-zero
first, then any sharing units with it - that alone protects the count, else the first
candidate. When no published count is left to hide, :class:`ProtectionError` names the
table. One model serves the whole audit (see :class:`_System` for what keeps it fast).

Statistics that are not linear in the counts (kappa, p-values) are published only when
every count they derive from is published or determined by what is
(:meth:`Protection.determined`); percentages of a published count and a published
denominator say nothing new.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..problems import HmicAuditError, Problem
from ..rubric import Rubric
from ..workbook.format import SAMPLES
from .pairs import sides
from .pool import FURTHER
from .tables import NO_AREA

if TYPE_CHECKING:
    from .tables import Shared

Unit = Literal["case", "answer"]

NONE = "(none)"
"""A side that did not audit the case (or did not answer)."""
UNGRADED = "(ungraded)"
"""An audit with no final grade."""
NOT_COUNTED = "(other)"
"""An answer the rubric does not score (n/a), or a blank. (The names in brackets cannot
clash with a rubric's own keys, which are words.)"""

CASE_DIMS = ("force", "sample", "case_type", "area", "force_grade", "inspector_grade")
ANSWER_DIMS = ("force", "sample", "criterion", "force_answer", "inspector_answer")


def answer_values(rubric: Rubric) -> list[str]:
    """The values of an answer attribute: the rubric's scored answers, then any other
    answer or a blank, then no audit."""
    return [*(a.key for a in rubric.scored_answers), NOT_COUNTED, NONE]


class Query(BaseModel):
    """The units a count counts: a union of terms, each a value set per attribute (an
    attribute a term does not name may take any value; one named ``not <attribute>``
    must take none of the values)."""

    model_config = ConfigDict(frozen=True)

    unit: Unit
    terms: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...]

    @classmethod
    def where(cls, unit: Unit, **dims: str | Iterable[str]) -> Query:
        """Units with each named attribute among the values given."""
        term = tuple(sorted((d, (v,) if isinstance(v, str) else tuple(v))
                            for d, v in dims.items()))
        return cls(unit=unit, terms=(term,))

    def __or__(self, other: Query) -> Query:
        if other.unit != self.unit:
            raise ValueError("a union of counts of different units")
        return Query(unit=self.unit, terms=self.terms + other.terms)

    @classmethod
    def union(cls, queries: Iterable[Query]) -> Query:
        """The units of any of several disjoint queries (their counts add up)."""
        items = list(queries)
        out = items[0]
        for q in items[1:]:
            out = out | q
        return out


class ProtectionError(HmicAuditError):
    """A publication that cannot be protected: publishing any part of it would single
    out a child."""


@dataclass
class Cube:
    """Every combination of the attributes of one kind of unit, and the true number of
    units in each."""

    dims: tuple[str, ...]
    domains: dict[str, list[str]]
    codes: dict[str, np.ndarray]
    """Per attribute, each combination's value (a position in its domain)."""
    counts: np.ndarray

    def mask(self, query: Query) -> np.ndarray:
        """Which combinations a query counts."""
        out = np.zeros(len(self.counts), dtype=bool)
        for term in query.terms:
            hit = np.ones(len(self.counts), dtype=bool)
            for name, values in term:
                dim = name.removeprefix("not ")
                domain = self.domains[dim]
                found = np.isin(self.codes[dim], [domain.index(v) for v in values
                                                  if v in domain])
                hit &= ~found if name != dim else found
            out |= hit
        return out


def _cube(dims: tuple[str, ...], domains: dict[str, list[str]],
          units: dict[str, np.ndarray], impossible: Sequence[Mapping[str, Sequence[str]]]
          ) -> Cube:
    """The cube of ``units`` (per attribute, each unit's value as a position in its
    domain), leaving out combinations the publication's own method rules out."""
    sizes = [len(domains[d]) for d in dims]
    grid = np.array(list(itertools.product(*(range(s) for s in sizes))), dtype=np.int64
                    ).reshape(-1, len(dims))
    keep = np.ones(len(grid), dtype=bool)
    for rule in impossible:
        hit = np.ones(len(grid), dtype=bool)
        for dim, values in rule.items():
            k = dims.index(dim)
            hit &= np.isin(grid[:, k], [domains[dim].index(v) for v in values])
        keep &= ~hit
    flat = np.ravel_multi_index(tuple(units[d] for d in dims), sizes) if len(
        units[dims[0]]) else np.zeros(0, dtype=np.int64)
    counts = np.bincount(flat, minlength=int(np.prod(sizes)))
    if (counts[~keep] > 0).any():  # the data holds a combination "ruled out": keep it
        keep |= counts > 0
    return Cube(dims=dims, domains=domains,
                codes={d: grid[keep, k] for k, d in enumerate(dims)}, counts=counts[keep])


def _positions(values: Sequence[str], domain: list[str]) -> np.ndarray:
    index = {v: n for n, v in enumerate(domain)}
    return np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values))


def cubes(shared: Shared) -> dict[Unit, Cube]:
    """The case and answer cubes of a pool: every case is one unit (paired within its
    force, its type and area from the inspectors' audit, else the force's), every
    criterion of every case another. Combinations the method rules out are left out: a
    case the inspectors selected has no force audit, and an area belongs to one force."""
    pool, rubric = shared.pool, shared.rubric
    forces, names = shared.forces
    found = sides(shared.key, pool.assessor)
    cases = np.flatnonzero((found.force >= 0) | (found.inspector >= 0))
    f, i = found.force[cases], found.inspector[cases]
    either = np.where(i >= 0, i, f)
    grades = [*rubric.grade_keys, UNGRADED, NONE]

    def grade(side: np.ndarray) -> np.ndarray:
        level = np.where(side >= 0, pool.final[np.maximum(side, 0)], -2)
        return np.where(level >= 0, level,
                        np.where(level == -1, len(grades) - 2, len(grades) - 1))

    area_of = [a or NO_AREA for a in pool.extra("area")[either].tolist()]
    areas = sorted(set(area_of) | {NO_AREA})
    samples = [s.value for s in SAMPLES]
    further = samples[FURTHER]
    units = {"force": forces[either], "sample": pool.sample[either],
             "case_type": pool.case_type[either], "area": _positions(area_of, areas),
             "force_grade": grade(f), "inspector_grade": grade(i)}
    domains = {"force": list(names), "sample": samples,
               "case_type": list(rubric.case_type_keys), "area": areas,
               "force_grade": grades, "inspector_grade": grades}
    ruled_out: list[dict[str, list[str]]] = [{"sample": [further],
                                              "force_grade": grades[:-1]}]
    if len(names) > 1:
        homes = {(names[a], areas[b]) for a, b in zip(
            units["force"].tolist(), units["area"].tolist(), strict=True)}
        ruled_out += [{"force": [name], "area": [area]} for name in names for area in areas
                      if area != NO_AREA and (name, area) not in homes]
    case_cube = _cube(CASE_DIMS, domains, units, ruled_out)

    k = len(rubric.criterion_ids)
    # answer codes (0 blank, then the rubric's answers) as positions in the values
    values = answer_values(rubric)
    other = values.index(NOT_COUNTED)
    lookup = np.array([other, *(values.index(a.key) if a.scored else other
                                for a in rubric.answers)], dtype=np.int64)

    def answers(side: np.ndarray) -> np.ndarray:
        got = lookup[pool.answers[np.maximum(side, 0)]] if len(side) else \
            np.zeros((0, k), dtype=np.int64)
        return np.where((side >= 0)[:, None], got, len(values) - 1)

    answer_units = {
        "force": np.repeat(units["force"], k), "sample": np.repeat(units["sample"], k),
        "criterion": np.tile(np.arange(k), len(cases)),
        "force_answer": answers(f).reshape(-1), "inspector_answer": answers(i).reshape(-1)}
    answer_domains = {"force": list(names), "sample": samples,
                      "criterion": list(rubric.criterion_ids),
                      "force_answer": values, "inspector_answer": values}
    answer_cube = _cube(ANSWER_DIMS, answer_domains, answer_units,
                        [{"sample": [further], "force_answer": values[:-1]}])
    return {"case": case_cube, "answer": answer_cube}


def links(cubes: dict[Unit, Cube], shared: Shared) -> list[np.ndarray]:
    """What ties counts of answers to counts of cases, as the rubric (public) tells
    anyone: only a case of a type a criterion applies to can answer it yes, partly or no,
    once per side that audited it (inequalities). Without them an intruder could still
    bound, say, the self-assessed cases in custody by the answers to the detention
    criteria. (That every audited case has one answer unit per criterion, blank or n/a
    included, ties nothing more: no count of blank or n/a answers is published.) Each
    tie is a row over both cubes (cases first) whose sum is at most 0."""
    rubric = shared.rubric
    case, answer = cubes["case"], cubes["answer"]
    ties: list[np.ndarray] = []
    counted = list(range(len(rubric.scored_answers)))  # the first values: scored answers
    for f in range(len(case.domains["force"])):
        for s in range(len(case.domains["sample"])):
            in_case = (case.codes["force"] == f) & (case.codes["sample"] == s)
            in_answer = (answer.codes["force"] == f) & (answer.codes["sample"] == s)
            for side in ("force", "inspector"):
                audited = in_case & (case.codes[f"{side}_grade"] != len(
                    case.domains[f"{side}_grade"]) - 1)
                for c, criterion in enumerate(rubric.criterion_ids):
                    mine = in_answer & (answer.codes["criterion"] == c)
                    side_answer = answer.codes[f"{side}_answer"]
                    types = [t for t, ct in enumerate(rubric.case_type_keys)
                             if criterion in {x.id for x in rubric.criteria_for(ct)}]
                    ties.append(np.concatenate([
                        -(audited & np.isin(case.codes["case_type"], types)).astype(float),
                        (mine & np.isin(side_answer, counted)).astype(float)]))
    return ties


# The audit -------------------------------------------------------------------------

@dataclass
class Count:
    """One distinct count (a table cell, or several cells counting the same units): its
    true value, whether it is published, and whether it is a *probe* - a count some
    output would like to state, asked about but not part of the tables."""

    query: Query
    value: int
    where: str
    """The table (and row) it first appears in, to name in a message."""
    hidden: bool = False
    primary: bool = False
    probe: bool = False
    order: int = 0
    """Its position among the registered counts."""
    mask: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)
    """Which combinations of its unit's cube it counts."""


class _System:
    """Every count as a row over the combinations of both cubes that they tell apart
    (merged), with the relations tying answers to cases, held as one linear program
    (HiGHS). A published count is an equation; a hidden count is at least 1 when it is
    not 0 (zeros are published, so an intruder reads ``c`` as "not 0"), with no upper
    bound (a publication never says how small a hidden count is). One model serves every
    question, each solve starting from the last one's basis.

    A published 0 says every combination it counts holds no unit: those combinations
    are left out of the program (a published sample's cross-tab is mostly zeros, so the
    program has a fraction of the columns and solves several times faster). Hiding such
    a 0 needs them back: :meth:`update` then says the system must be built again."""

    def __init__(self, matrix: np.ndarray, counts: list[Count], threshold: int,
                 inverse: np.ndarray, ties: int) -> None:
        import highspy

        self.matrix = matrix
        """Rows: the ties first, then one per count."""
        self.inverse = inverse
        """Per combination of the two cubes, its merged column."""
        self.sizes = np.bincount(inverse, minlength=matrix.shape[1])
        self.counts = counts
        self.first = ties
        self.rows = {c.order: self.first + n for n, c in enumerate(counts)}
        self.threshold = threshold
        # NOTE: the solver class itself, not highspy's Python subclass: that one's
        # constructor prints HiGHS's banner on standard output before any option can
        # silence it (ERGO-Code/HiGHS issues 1702, 2749), and stdout may carry JSON.
        h = highspy.Highs.__mro__[1]()
        h.setOptionValue("output_flag", False)
        # each solve starts from the last basis: after a change of objective it is still
        # feasible, which the primal simplex method takes up
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)
        inf = highspy.kHighsInf
        self.inf = inf
        zeros = [n for n, c in enumerate(counts) if c.value == 0 and not c.probe
                 and not c.hidden]
        self.zeros = {counts[n].order for n in zeros}
        """The published zeros whose combinations are left out."""
        self.columns = np.flatnonzero(~(matrix[[ties + n for n in zeros]] != 0).any(axis=0))
        """The merged combinations in the program (positions in ``matrix``)."""
        n = len(self.columns)
        h.addCols(n, np.zeros(n), np.zeros(n), np.full(n, inf), 0, np.array([], np.int32),
                  np.array([], np.int32), np.array([], float))
        bounds = [(-inf, 0.0)] * ties + [self._bounds(c) for c in counts]
        for (lo, hi), row in zip(bounds, matrix[:, self.columns], strict=True):
            index = np.flatnonzero(row).astype(np.int32)
            h.addRow(lo, hi, len(index), index, row[index].astype(float))
        self.highs = h
        self._extremes: dict[tuple[int, float], tuple[float | None, list[float]]] = {}
        """The solves since the model last changed, by count and sign."""

    def _bounds(self, count: Count) -> tuple[float, float]:
        if count.probe:
            return -self.inf, self.inf
        if count.hidden:
            return (1.0 if count.value > 0 else 0.0), self.inf
        return float(count.value), float(count.value)

    def append(self, count: Count, full: np.ndarray) -> bool:
        """Add a count as a row, when it tells no merged combinations apart (else False:
        the system must be built again)."""
        hits = np.bincount(self.inverse, weights=full, minlength=len(self.sizes))
        if not np.all((hits == 0) | (hits == self.sizes)):
            return False
        row = (hits > 0).astype(float)
        self.matrix = np.vstack([self.matrix, row])
        self.rows[count.order] = self.first + len(self.counts)
        self.counts.append(count)
        index = np.flatnonzero(row[self.columns]).astype(np.int32)
        self.highs.addRow(*self._bounds(count), len(index), index, np.ones(len(index)))
        self._extremes.clear()
        return True

    def update(self, count: Count) -> bool:
        """Take a count's new state (hidden) into the model (False: a published 0
        whose combinations were left out is hidden; build the system again)."""
        if count.order in self.zeros and (count.hidden or count.probe):
            return False
        self.highs.changeRowBounds(self.rows[count.order], *self._bounds(count))
        self._extremes.clear()
        return True

    def row(self, count: Count) -> np.ndarray:
        return self.matrix[self.rows[count.order]]

    def optimum(self, goal: np.ndarray, sign: float) -> tuple[float | None, list[float]]:
        """The least (``sign`` 1) or greatest (-1) value of ``goal`` over the linear
        relaxation (what tau-ARGUS audits; its range can only be wider than over whole
        numbers, which the suite's intruder test checks), None when unbounded, and the
        rows' duals."""
        import highspy

        h, n = self.highs, len(self.columns)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), sign * goal[self.columns])
        h.run()
        duals = list(h.getSolution().row_dual)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None, duals
        return sign * h.getInfo().objective_function_value, duals

    def extreme(self, count: Count, sign: float) -> tuple[float | None, list[float]]:
        """:meth:`optimum` of a registered count, solved once while the model stands
        (the audit asks for the same ends again: to judge a count, then to find what
        binds it)."""
        key = count.order, sign
        if key not in self._extremes:
            self._extremes[key] = self.optimum(self.row(count), sign)
        return self._extremes[key]


@dataclass
class Protection:
    """The outcome of protecting a publication: for each distinct count, whether it is
    published; and the linear program to ask what the published counts determine."""

    threshold: int
    cubes: dict[Unit, Cube]
    ties: list[np.ndarray] = field(default_factory=list)
    """The relations tying answers to cases (:func:`links`), each at most 0."""
    counts: list[Count] = field(default_factory=list)
    _index: dict[tuple[Unit, bytes], int] = field(default_factory=dict)
    _solver: _System | None = None

    def _full(self, unit: Unit, mask: np.ndarray) -> np.ndarray:
        """A cube's mask over the combinations of both cubes (cases first)."""
        n = len(self.cubes["case"].counts)
        out = np.zeros(n + len(self.cubes["answer"].counts))
        if unit == "case":
            out[:n] = mask
        else:
            out[n:] = mask
        return out

    def add(self, query: Query, where: str, *, probe: bool = False) -> Count:
        """Register a count (once per distinct set of units): a published table cell,
        or with ``probe`` a count to ask about. A probe later registered as a cell
        becomes one."""
        cube = self.cubes[query.unit]
        mask = cube.mask(query)
        key = query.unit, np.packbits(mask).tobytes()
        if key in self._index:
            known = self.counts[self._index[key]]
            if not probe and known.probe:
                known.probe, known.where = False, where
                known.hidden = known.primary
                self._update(known)
            return known
        value = int(cube.counts[mask].sum())
        count = Count(query=query, value=value, where=where, probe=probe,
                      primary=0 < value < self.threshold, order=len(self.counts), mask=mask)
        count.hidden = count.primary and not probe
        self._index[key] = len(self.counts)
        self.counts.append(count)
        if self._solver is not None and not self._solver.append(
                count, self._full(query.unit, mask)):
            self._solver = None
        return count

    def fingerprint(self) -> str:
        """A digest of the protection problem: the threshold, the true counts of both
        cubes (with their attributes' values) and the units of every registered count."""
        import hashlib

        digest = hashlib.sha256(str(self.threshold).encode())
        for unit in ("case", "answer"):
            cube = self.cubes[unit]
            digest.update(repr(cube.domains).encode())
            digest.update(cube.counts.astype(np.int64).tobytes())
            for dim in cube.dims:
                digest.update(cube.codes[dim].astype(np.int64).tobytes())
        for count in self.counts:
            digest.update(count.query.unit.encode() + np.packbits(count.mask).tobytes()
                          + (b"p" if count.probe else b"t"))
        return digest.hexdigest()

    def find(self, query: Query) -> Count | None:
        """The registered count of exactly these units, if any."""
        mask = self.cubes[query.unit].mask(query)
        n = self._index.get((query.unit, np.packbits(mask).tobytes()))
        return None if n is None else self.counts[n]

    # linear programs

    def _update(self, count: Count) -> None:
        """Take a count's new state into the linear program, if one is built."""
        if self._solver is not None and not self._solver.update(count):
            self._solver = None

    def _system(self) -> _System:
        if self._solver is None:
            # every entry is -1, 0 or 1: compared as bytes, the merging sorts faster
            rows = np.array([*self.ties, *(self._full(c.query.unit, c.mask)
                                          for c in self.counts)], dtype=np.int8)
            columns, inverse = np.unique(rows, axis=1, return_inverse=True)
            self._solver = _System(columns.astype(float), list(self.counts), self.threshold,
                                   np.asarray(inverse).reshape(-1), len(self.ties))
        return self._solver

    def range(self, count: Count) -> tuple[float, float]:
        """The least and greatest value of a registered count consistent with every
        published count (and what the intruder knows of the hidden ones)."""
        system = self._system()
        lo = system.extreme(count, 1.0)[0]
        hi = system.extreme(count, -1.0)[0]
        return (0.0 if lo is None else lo), (float("inf") if hi is None else hi)

    @staticmethod
    def _floor(count: Count) -> float:
        """The least value the model allows a count (a hidden count not 0 is at least
        1), below which its range cannot reach."""
        return 1.0 if count.hidden and count.value > 0 else 0.0

    def _reaches(self, count: Count, step: float) -> bool:
        """Whether the count's range reaches ``step`` or more away from its true value,
        up or down, with as few linear programs as settle it: the greatest value first;
        the least only when the count's floor leaves room that far below."""
        hi = self._system().extreme(count, -1.0)[0]
        if hi is None or hi >= count.value + step - _TOLERANCE:
            return True
        if count.value - step < self._floor(count) - _TOLERANCE:
            return False
        lo = self._system().extreme(count, 1.0)[0]
        return lo is not None and lo <= count.value - step + _TOLERANCE

    def determined(self, count: Count) -> bool:
        """Whether the published counts determine a registered count (then stating it
        says nothing new)."""
        if not count.hidden and not count.probe:
            return True
        return not self._reaches(count, 2 * _TOLERANCE)  # any way at all

    def safe(self, count: Count) -> bool:
        """Whether a hidden small count is protected (the Done-when of issue 13: no
        small count determined): its relaxed range holds a whole number other than its
        true value - one more or one less. (A range from 1 to 1.6 is wider than 0 yet
        holds one whole number; the suite's intruder checks over whole numbers.)"""
        return self._reaches(count, 1.0)

    def _binding(self, count: Count) -> list[Count]:
        """Published counts the relaxed linear program finds binding at either end of
        the count's range: the candidates to hide next."""
        system = self._system()
        published = [n for n, c in enumerate(system.counts) if not c.hidden and not c.probe]
        binding: list[Count] = []
        # a count within one of its floor cannot be protected from below: only the
        # greatest end's bindings count
        near_floor = count.value - 1 < self._floor(count) - _TOLERANCE
        for sign in (-1.0,) if near_floor else (1.0, -1.0):
            value, duals = system.extreme(count, sign)
            if value is not None:
                binding += [system.counts[n] for n in published
                            if abs(duals[system.first + n]) > 1e-9]
        return binding

    def protect(self) -> None:
        """Secondary suppression until every hidden small count is protected."""
        for count in self.counts:
            if not count.primary or count.probe:
                continue
            while not self.safe(count):
                options = self._options(count)
                if not options:
                    raise ProtectionError("a publication that would single out a child", [
                        Problem(code="cannot-protect", value=count.where, message=(
                            f"{count.where}: a count below {self.threshold} could be "
                            "worked out from the other published counts, and no other "
                            "count is left to hide; publish fewer tables or a larger "
                            "sample"))])
                self._hide_one(count, options)

    TRIES = 3
    """Candidates tried for one that protects a count on its own."""

    def _options(self, count: Count) -> list[Count]:
        """Published counts to hide next: those the relaxed linear program finds
        binding at the end of the count's range that is too narrow (they may share no
        unit with it: a hidden small count it lies in can be pinned from elsewhere),
        then any sharing units with it; each group smallest first, a published zero last
        (hiding it rarely helps, and a zero says something true and useful)."""
        system = self._system()
        goal = system.row(count) != 0

        def order(c: Count) -> tuple[bool, int, int]:
            return c.value == 0, c.value, c.order

        binding = sorted({c.order: c for c in self._binding(count)}.values(), key=order)
        seen = {c.order for c in binding}
        # per count, whether it shares merged combinations with this one
        overlap = (system.matrix[system.first:, goal] != 0).any(axis=1)
        near = sorted((c for n, c in enumerate(system.counts)
                       if overlap[n] and not c.hidden and not c.probe
                       and c.order not in seen), key=order)
        return binding + near

    def _hide_one(self, count: Count, options: list[Count]) -> None:
        """Hide the first of ``options`` that alone protects ``count`` (trying a few),
        else the first. Hiding counts only widens ranges, so when the few tried hidden
        together leave ``count`` unprotected, none of them alone protects it: that is
        asked first, with one audit instead of one per option."""
        tried = options[:self.TRIES]
        if len(tried) > 1:
            self._set_hidden(tried, True)
            together = self.safe(count)
            self._set_hidden(tried, False)
            if not together:
                tried = []
        for option in tried:
            self._set_hidden([option], True)
            if self.safe(count):
                return
            self._set_hidden([option], False)
        self._set_hidden(options[:1], True)

    def decide(self, hidden: Sequence[bool]) -> None:
        """Take decisions made before for these counts (one per registered count)."""
        for count, decided in zip(self.counts, hidden, strict=True):
            self._set_hidden([count], decided)

    def _set_hidden(self, counts: list[Count], hidden: bool) -> None:
        for count in counts:
            count.hidden = hidden
            self._update(count)


_TOLERANCE = 1e-6
"""How far a linear program's optimum may miss a whole number it stands for."""


def protection(shared: Shared, threshold: int) -> Protection:
    """An empty protection of a pool's publication at a threshold."""
    both = cubes(shared)
    return Protection(threshold=threshold, cubes=both, ties=links(both, shared))


def case_query(**dims: str | Iterable[str]) -> Query:
    """Cases with each named attribute among the values given."""
    return Query.where("case", **dims)


def audited(side: str, **dims: str | Iterable[str]) -> Query:
    """Cases one side (``force`` or ``inspector``) audited, with the attributes given."""
    return Query.where("case", **dims, **{f"not {side}_grade": NONE})


def answer_query(**dims: str | Iterable[str]) -> Query:
    """Criterion answers with each named attribute among the values given."""
    return Query.where("answer", **dims)
