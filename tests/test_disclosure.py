"""The intruder's test: everything a publication shows, gathered from the files the CLI
writes (annex tables in JSON, xlsx, CSV and Markdown; the report in Markdown, HTML and
Word with its figures file), solved over whole numbers for every hidden count.

The intruder knows how each published count is built (the units it counts, from the
library's table structure and the report's figure registry) and every published value,
but reads the values from the files, not from the library. Equations are solved with
scipy's ``linprog``/``milp`` (a different code path from the library's own audit, which
drives HiGHS through highspy), over whole numbers, with what the public rubric tells
(which criteria apply to which case types) and knowing that a hidden count is not 0
(zeros are published). No hidden count from 1 to 5 may be determined.
"""

from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array

from hmic_audit import grade, load_rubric, read_audits
from hmic_audit.analysis.annex import build_annex
from hmic_audit.analysis.disclosure import Query, cubes
from hmic_audit.analysis.pool import Pool
from hmic_audit.analysis.tables import Shared

from .conftest import SAMPLE, invoke

FORCE = SAMPLE.parent / "force.yaml"
THRESHOLD = 6


# Data a user could give: generated forces ------------------------------------------

def generated_csv(path: Path, cases: int, seed: int) -> Path:
    """A force's audits as a CSV typed the usual way: a third of the cases self-assessed
    (a force and an inspector audit), grades for most audits, answers where they apply.
    Case references restart at 1 in every force."""
    rubric = load_rubric()
    rng = random.Random(seed)
    labels = rubric.case_type_labels
    grades = [g.label for g in rubric.scale]
    areas = [f"Area {c}" for c in "ABCDEF"][: rng.randint(3, 6)]
    applies = {ct: {c.id for c in rubric.criteria_for(ct)} for ct in rubric.case_type_keys}
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Case ref", "Sample", "Case type", "Area", "Assessor", "Audit date",
                      "Grade", *rubric.criterion_ids])
        for case in range(1, cases + 1):
            ct = rng.choice(rubric.case_type_keys[:6])
            self_assessed = rng.random() < 0.3
            area = rng.choice(areas)
            level = rng.choices(range(len(grades)), weights=[4, 5, 2, 1])[0]
            for assessor in (["force", "inspector"] if self_assessed else ["inspector"]):
                shift = rng.choice([0, 0, 0, 1, -1]) if assessor == "inspector" else 0
                given = grades[min(max(level + shift, 0), len(grades) - 1)]
                answers = [rng.choice(["yes", "yes", "yes", "partly", "no", "n/a"])
                           if cid in applies[ct] else "" for cid in rubric.criterion_ids]
                out.writerow([f"C{case:03d}", "self-assessed" if self_assessed else
                              "inspector-selected", labels[ct], area, assessor,
                              f"{rng.randint(1, 28):02d}/0{rng.randint(1, 9)}/2014",
                              given if rng.random() < 0.9 else "", *answers])
    return path


# What the intruder gathers ---------------------------------------------------------

def annex_numbers(files: dict[str, Path]) -> dict[str, list[list[Any]]]:
    """Every table's rows from the annex JSON, checked to agree cell for cell with the
    same tables in xlsx, CSV and Markdown when written (a number any format shows
    counts)."""
    import openpyxl

    tables = {t["name"]: t for t in json.loads(files["json"].read_text())["tables"]}
    if len(files) == 1:
        return {name: t["rows"] for name, t in tables.items()}
    book = openpyxl.load_workbook(files["xlsx"], read_only=True)
    markdown = files["md"].read_text()
    for name, table in tables.items():
        width = len(table["columns"])
        rows = table["rows"]
        with (files["csv"] / f"{name}.csv").open(encoding="utf-8-sig") as fh:
            csv_rows = [r for r in list(csv.reader(fh))[1:] if r and not r[0].startswith(
                "Note:")]
        assert [[str(c) if c is not None else "" for c in r] for r in rows] == csv_rows, name
        sheet = [list(r) for r in book[_sheet_name(book, table["title"], name)].iter_rows(
            values_only=True)]
        cells = [c for r in sheet for c in r[:width] if c is not None]
        for row in rows:
            for value in row:
                if isinstance(value, int):
                    assert value in cells, (name, value)
        for row in rows:
            assert "| " + " | ".join("" if c is None else str(c) for c in row) + " |" in \
                markdown, (name, row)
    _charts_show_only_published_counts(files["xlsx"], tables)
    return {name: t["rows"] for name, t in tables.items()}


def _charts_show_only_published_counts(xlsx: Path, tables: dict[str, Any]) -> None:
    """The workbook's bar charts: one per grade table with no hidden count (a hidden
    count would be drawn as a bar of 0), and every number they hold a published count."""
    import zipfile

    counts = {name: {v for row in t["rows"] for v, c in zip(row, t["columns"], strict=True)
                     if c["kind"] == "count"} for name, t in tables.items()}
    drawable = [name for name, t in tables.items() if t["chart"] and "c" not in counts[name]]
    with zipfile.ZipFile(xlsx) as book:
        charts = [book.read(n).decode() for n in book.namelist() if n.startswith(
            "xl/charts/chart")]
    assert len(charts) == len(drawable)
    published = set().union(*(counts[name] for name in drawable)) if drawable else set()
    for chart in charts:
        for cache in re.findall(r"<c:numCache>(.*?)</c:numCache>", chart):
            assert {int(v) for v in re.findall(r"<c:v>(.*?)</c:v>", cache)} <= published


def _sheet_name(book: Any, title: str, name: str) -> str:
    for sheet in book.sheetnames:
        if sheet.lower().startswith(name[:25].lower()) or sheet == title[:31]:
            return str(sheet)
    for sheet in book.sheetnames:  # the sheet holding the table's title
        for row in book[sheet].iter_rows(max_row=3, values_only=True):
            if title in [str(c) for c in row if c is not None]:
                return str(sheet)
    raise AssertionError(f"no sheet for {name}")


class Intruder:
    """Linear relations over the cubes of a publication's units (cases, then criterion
    answers, as one vector), gathered from files and from the public rubric."""

    def __init__(self, shared: Shared) -> None:
        self.cubes = cubes(shared)
        self.sizes = {u: len(self.cubes[u].counts) for u in ("case", "answer")}
        self.equal: list[tuple[np.ndarray, float]] = []
        self.below: list[tuple[np.ndarray, float]] = []
        self.above: list[tuple[np.ndarray, float]] = []
        self._rubric_ties(shared.rubric)

    def row(self, query: Query) -> np.ndarray:
        out = np.zeros(self.sizes["case"] + self.sizes["answer"])
        mask = self.cubes[query.unit].mask(query).astype(float)
        if query.unit == "case":
            out[:self.sizes["case"]] = mask
        else:
            out[self.sizes["case"]:] = mask
        return out

    def _rubric_ties(self, rubric: Any) -> None:
        """What anyone reading the rubric knows: a criterion is answered yes, partly or
        no only in cases of the types it applies to, once per side that audited it."""
        case = self.cubes["case"]
        for f in case.domains["force"]:
            for s in case.domains["sample"]:
                for side in ("force", "inspector"):
                    for criterion in rubric.criterion_ids:
                        types = [ct for ct in rubric.case_type_keys if criterion in
                                 {c.id for c in rubric.criteria_for(ct)}]
                        answered = self.row(Query.where(
                            "answer", force=f, sample=s, criterion=criterion,
                            **{f"{side}_answer": ["yes", "partly", "no"]}))
                        cases = self.row(Query.where(
                            "case", force=f, sample=s, case_type=types,
                            **{f"not {side}_grade": "none"}))
                        self.below.append((answered - cases, 0.0))

    def published(self, query: Query, value: int) -> None:
        self.equal.append((self.row(query), float(value)))

    def at_most(self, query: Query, value: int) -> None:
        self.below.append((self.row(query), float(value)))

    def at_least(self, query: Query, value: int) -> None:
        self.above.append((self.row(query), float(value)))

    def ranges(self, queries: list[Query]) -> list[tuple[float, float]]:
        """The least and greatest whole value the published numbers allow, for each
        query (the cubes' combinations that no relation or query tells apart merged:
        their counts can only be told apart together)."""
        rows = np.unique(np.array([*(self.row(q) for q in queries),
                                   *(r for r, _ in self.equal), *(r for r, _ in self.below),
                                   *(-r for r, _ in self.above)]), axis=1)
        goals, rest = rows[:len(queries)], rows[len(queries):]
        a_eq, a_ub = rest[:len(self.equal)], rest[len(self.equal):]
        b_eq = np.array([v for _, v in self.equal])
        b_ub = np.array([v for _, v in self.below] + [-v for _, v in self.above])
        system = {"A_eq": csr_array(a_eq), "b_eq": b_eq} if len(b_eq) else {}
        if len(b_ub):
            system |= {"A_ub": csr_array(a_ub), "b_ub": b_ub}
        return [self._range(goal, system) for goal in goals]

    @staticmethod
    def _range(goal: np.ndarray, system: dict[str, Any]) -> tuple[float, float]:
        """Each end of the range over whole numbers (scipy's integer program; when it
        finds no optimum, the linear program says whether that end is unbounded)."""
        constraints = []
        if "A_eq" in system:
            constraints.append(LinearConstraint(system["A_eq"], system["b_eq"],
                                                system["b_eq"]))
        if "A_ub" in system:
            constraints.append(LinearConstraint(system["A_ub"], -np.inf, system["b_ub"]))
        ends = []
        for sign in (1.0, -1.0):
            whole = milp(sign * goal, constraints=constraints,
                         integrality=np.ones(len(goal)), bounds=Bounds(0, np.inf))
            if whole.status == 0:
                ends.append(sign * whole.fun)
                continue
            relaxed = linprog(sign * goal, bounds=(0, None), method="highs-ds", **system)
            assert relaxed.status == 3, (whole.message, relaxed.message)  # unbounded
            ends.append(float("inf"))
        return ends[0], ends[1]


def intruder_for(inputs: list[Path], annex: dict[str, list[list[Any]]],
                 report: dict[str, Any] | None = None) -> tuple[Intruder, list[tuple[
                     str, Query, int]]]:
    """The intruder's equations from a publication, and every hidden table count with
    its true value (the truth from the library, the published values from the files)."""
    rubric = load_rubric()
    results = [grade(read_audits(p, rubric)[0], rubric) for p in inputs]
    structure = {t.name: t for t in build_annex(
        results, rubric, profile=_profile(rubric) if len(inputs) == 1 else None)}
    intruder = Intruder(Shared(Pool(results), rubric))
    hidden: list[tuple[str, Query, int]] = []
    for name, rows in annex.items():
        table = structure[name]
        assert [r[0] for r in rows] == [r[0] for r in table.rows], name
        for r, row in enumerate(rows):
            for i, value in enumerate(row):
                query = table.query(r, i)
                if query is None:
                    continue
                truth = table.rows[r][i]
                assert isinstance(truth, int)
                if value == "c":
                    hidden.append((f"{name} row {row[0]} column {i}", query, truth))
                    if truth > 0:  # zeros are published: a hidden count is not 0
                        intruder.at_least(query, 1)
                else:
                    assert value == truth, (name, row[0], i)  # published values are true
                    intruder.published(query, value)
    if report is not None:
        book, figures = report["book"], report["figures"]
        for f in figures:
            if f["source"] != "cases":
                continue
            query = book.query_of(f["id"])
            if f["value"] == "suppressed":
                assert not f["shown"].startswith("fewer than"), f["id"]  # no upper end
                continue
            if isinstance(f["value"], int) and not f["shown"].endswith("%"):
                assert query is not None, f"{f['id']}: a count with no known meaning"
                intruder.published(query, f["value"])
    return intruder, hidden


def _profile(rubric: Any) -> Any:
    from hmic_audit.profile import load_profile

    return load_profile(FORCE, rubric)[0]


def profile_rubric() -> Any:
    """The rubric the sample force profile names (the report's, with --force)."""
    from hmic_audit.profile import profile_rubric as named
    from hmic_audit.profile import read_profile

    return load_rubric(named(read_profile(FORCE)[0], FORCE))


def assert_no_small_count_narrowed(intruder: Intruder, hidden: list[tuple[str, Query, int]],
                                   *, most: int | None = None, first: bool = False) -> int:
    """No hidden small count (each distinct count once, however many cells show it;
    ``most``: at most that many, spread evenly, when whole-number programs would take
    minutes) is determined: its whole-number range holds more than one value. Returns
    how many were checked; ``first`` stops at the first determined."""
    small: dict[bytes, tuple[str, Query, int]] = {}
    for where, q, v in hidden:
        if 0 < v < THRESHOLD:
            small.setdefault(q.unit.encode() + np.packbits(intruder.row(q) > 0).tobytes(),
                             (where, q, v))
    chosen = list(small.values())
    if most is not None and len(chosen) > most:
        chosen = [chosen[round(k * (len(chosen) - 1) / (most - 1))] for k in range(most)]
    determined = []
    for batch in ([[c] for c in chosen] if first else [chosen]):
        ranges = intruder.ranges([q for _, q, _ in batch])
        for (where, _, value), (lo, hi) in zip(batch, ranges, strict=True):
            assert lo - 1e-6 <= value <= hi + 1e-6, where  # the truth is always feasible
            if hi - lo < 0.5:
                determined.append(f"{where}: {value} determined")
        if determined and first:
            break
    assert determined == []
    return len(chosen)


# Publications ----------------------------------------------------------------------

def publish(runner: Any, folder: Path, inputs: list[Path], *, report: bool,
            every_format: bool = True) -> tuple[dict[str, list[list[Any]]],
                                                 dict[str, Any] | None]:
    """Write a publication with the CLI in every format (else JSON and Markdown only:
    the formats are checked to agree on the sample); the annex tables as published and,
    for one force, the report's figures (with the registry that says what each
    counts)."""
    force = ["--force", str(FORCE)] if len(inputs) == 1 else []
    files = {"json": folder / "annex.json", "xlsx": folder / "annex.xlsx",
             "md": folder / "annex.md", "csv": folder / "annex-csv"}
    if not every_format:
        files = {"json": files["json"]}
    for out in files.values():
        result = invoke(runner, "annex", *inputs, *force, "--publish", "--out", out, "-q")
        assert result.exit_code == 0, result.stderr
    annex = annex_numbers(files)
    if not report:
        return annex, None
    texts = {}
    for suffix in ("md", "html", "docx") if every_format else ("md",):
        out = folder / f"report.{suffix}"
        result = invoke(runner, "report", inputs[0], *force, "--publish", "--out", out, "-q")
        assert result.exit_code == 0, result.stderr
        texts[suffix] = out
    figures = json.loads((folder / "report.md.figures.json").read_text())["figures"]
    for suffix in ("html", "docx") if every_format else ():  # the same figures in each
        other = json.loads((folder / f"report.{suffix}.figures.json").read_text())
        assert [(f["id"], f["shown"]) for f in other["figures"]] == [
            (f["id"], f["shown"]) for f in figures]
    # no chart in a publication: a bar would show what the tables hide
    assert "![" not in texts["md"].read_text()
    assert not list(folder.glob("report*.svg"))
    if every_format:
        import docx

        assert "<svg" not in texts["html"].read_text()
        assert len(docx.Document(str(texts["docx"])).inline_shapes) == 0
    from hmic_audit.analysis.compare import compare_or_none
    from hmic_audit.report.context import build_report

    rubric = profile_rubric()
    result = grade(read_audits(inputs[0], rubric)[0], rubric)
    ctx = build_report(result, compare_or_none([result], rubric), rubric, _profile(rubric),
                       profile_sha256="0" * 64, profile_file="force.yaml",
                       publish=THRESHOLD)
    shown = {f.id: f.shown for f in ctx.figures.all()}
    assert shown == {f["id"]: f["shown"] for f in figures}  # the same report
    return annex, {"book": ctx.figures, "figures": figures}


@pytest.fixture(scope="module")
def runner():
    from typer.testing import CliRunner

    return CliRunner(env={"COLUMNS": "200"})


def test_sample_publication_gives_no_small_count_away(runner, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    annex, report = publish(runner, folder, [SAMPLE], report=True)
    intruder, hidden = intruder_for([SAMPLE], annex, report)
    assert assert_no_small_count_narrowed(intruder, hidden, most=25) == 25
    # every count the report states from the cases has a known meaning
    assert report is not None and report["book"].unjudged == []


@pytest.mark.parametrize("cases, seed", [(80, 1)])
def test_generated_force_publication_gives_no_small_count_away(runner, tmp_path_factory,
                                                               cases, seed):
    folder = tmp_path_factory.mktemp("force")
    data = generated_csv(folder / "northshire.csv", cases, seed)
    annex, report = publish(runner, folder, [data], report=True, every_format=False)
    intruder, hidden = intruder_for([data], annex, report)
    assert assert_no_small_count_narrowed(intruder, hidden, most=25) > 20


def test_national_publication_gives_no_small_count_away(runner, tmp_path_factory):
    folder = tmp_path_factory.mktemp("national")
    inputs = [generated_csv(folder / f"{name}.csv", n, seed) for name, n, seed in
              (("northshire", 30, 3), ("southshire", 36, 4), ("westshire", 24, 5))]
    annex, _ = publish(runner, folder, inputs, report=False, every_format=False)
    assert {"national_grades", "national_acceptable"} <= set(annex)
    intruder, hidden = intruder_for(inputs, annex)
    assert assert_no_small_count_narrowed(intruder, hidden, most=12) == 12


def test_without_secondary_suppression_the_intruder_wins(monkeypatch, runner,
                                                         tmp_path_factory):
    """The test can fail: with the audit switched off (small counts hidden, nothing
    more), the intruder narrows hidden counts of the sample."""
    from hmic_audit.analysis import disclosure, suppress

    monkeypatch.setattr(disclosure.Protection, "protect", lambda self: None)
    monkeypatch.setattr(suppress, "_DECISIONS", {})  # decisions kept from other tests
    folder = tmp_path_factory.mktemp("unprotected")
    annex, _ = publish(runner, folder, [SAMPLE], report=False, every_format=False)
    intruder, hidden = intruder_for([SAMPLE], annex)
    with pytest.raises(AssertionError, match="determined"):
        assert_no_small_count_narrowed(intruder, hidden, first=True)


def test_published_numbers_in_report_text_are_figures(runner, tmp_path):
    """Every digit string in the published report's prose is a figure the intruder
    accounted for (or authored text: dates, names, the profile's numbers)."""
    out = tmp_path / "report.md"
    assert invoke(runner, "report", SAMPLE, "--force", FORCE, "--publish", "--out", out,
                  "-q").exit_code == 0
    text = out.read_text()
    assert not re.search(r"\b\d+(\.\d+)?%", text)  # no share of a hidden cross-tab
