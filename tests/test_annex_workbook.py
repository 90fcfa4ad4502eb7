"""The annex workbook as a reader meets it: a Contents sheet titled by the force (or the
number of forces) linking every table and naming the inputs, readable unique sheet names,
distinct column titles, number formats, and notes under the tables."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from hmic_audit.analysis.annex_table import AnnexTable, Column, share_columns
from hmic_audit.render.annex_xlsx import column_titles, table_notes
from hmic_audit.render.xlsx import unique_sheet_names

from .conftest import ROOT, SAMPLE, invoke, too_few_to_publish

SAMPLE_2024 = ROOT / "sample_cases" / "wyvern-valley-2024" / "cases.xlsx"
PROFILE = ROOT / "sample_cases" / "gmp-2014" / "force.yaml"
FORMATS = {"count": "#,##0", "percent": "0.0", "ci": "0.0", "number": "0.000"}
SYMBOLS = {"c", "z", "x", "k"}


def _second_force(path: Path) -> Path:
    """The GMP sample as another force: other case references and a Force column."""
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb["Cases"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Case ref")
    force = ws.max_column + 1
    ws.cell(header, force, "Force")
    for r in range(header + 1, ws.max_row + 1):
        if ws.cell(r, 1).value:
            ws.cell(r, 1, f"E{ws.cell(r, 1).value}")
            ws.cell(r, force, "Eastshire Police")
    wb.save(path)
    return path


RUNS = {
    "gmp": lambda d: [SAMPLE, "--force", PROFILE],
    "two forces": lambda d: [d / "gmp.xlsx", _second_force(d / "eastshire.xlsx")],
    "published": lambda d: [SAMPLE, "--publish"],
    "2024": lambda d: [SAMPLE_2024, "--rubric", "child-protection-2024"],
    "crosswalk": lambda d: [d / "gmp.xlsx", d / "wyvern-valley.xlsx",
                            "--rubric", "child-protection-2014", "--rubric",
                            "child-protection-2024", "--crosswalk", "common-3"],
}


@pytest.fixture(scope="module")
def annexes(tmp_path_factory) -> dict[str, tuple[Path, dict, list]]:
    """Per run: the workbook, the same tables in JSON (by name) and the arguments."""
    folder = tmp_path_factory.mktemp("annexes")
    (folder / "gmp.xlsx").write_bytes(SAMPLE.read_bytes())
    (folder / "wyvern-valley.xlsx").write_bytes(SAMPLE_2024.read_bytes())
    runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})
    out = {}
    for run, arguments in RUNS.items():
        args = arguments(folder)
        xlsx, doc = folder / f"annex {run}.xlsx", folder / f"annex {run}.json"
        for path in (xlsx, doc):
            result = invoke(runner, "annex", *args, "--out", path, "--quiet")
            assert result.exit_code == 0, (run, result.output)
        tables = {t["name"]: t for t in json.loads(doc.read_text("utf-8"))["tables"]}
        out[run] = (xlsx, tables, args)
    return out


def _contents(book) -> dict[str, tuple[str, str]]:
    """The Contents sheet's table list: sheet linked -> (table title, table name)."""
    listed = {}
    for row in book["Contents"].iter_rows(min_row=2):
        if row[0].hyperlink is not None:
            target = row[0].hyperlink.location
            sheet = re.fullmatch(r"'((?:[^']|'')+)'!A1", target).group(1).replace("''", "'")
            listed[sheet] = (row[1].value, row[2].value)
    return listed


def _table(ws) -> tuple[list[str], list[list]]:
    """A table sheet's column titles (row 3) and rows of cells, up to the first blank
    row."""
    header = [c.value for c in ws[3] if c.value is not None]
    rows = []
    for row in ws.iter_rows(min_row=4, max_col=len(header)):
        if all(c.value is None for c in row):
            break
        rows.append(list(row))
    return header, rows


def _notes(ws) -> list[str]:
    texts = [c.value for row in ws.iter_rows(max_col=1) for c in row
             if isinstance(c.value, str)]
    return texts[texts.index("Notes") + 1:] if "Notes" in texts else []


@pytest.mark.parametrize("run", list(RUNS))
def test_sheet_names_are_readable_and_unique(annexes, run):
    book = openpyxl.load_workbook(annexes[run][0])
    names = book.sheetnames
    assert names[0] == "Contents"
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert len(name) <= 31 and name[0].isupper(), name
        assert not set(name) & set("_[]:*?/\\"), name
    # every table of the run has its own sheet
    assert len(names) - 1 == len(annexes[run][1])


@pytest.mark.parametrize("run", list(RUNS))
def test_contents_links_every_table_to_its_sheet(annexes, run):
    path, tables, _ = annexes[run]
    book = openpyxl.load_workbook(path)
    listed = _contents(book)
    assert list(listed) == book.sheetnames[1:]
    for sheet, (title, name) in listed.items():
        assert book[sheet]["A1"].value == title == tables[name]["title"]
    assert [name for _, name in listed.values()] == list(tables)


def test_title_and_provenance(annexes):
    titles = {run: openpyxl.load_workbook(annexes[run][0])["Contents"]["A1"].value
              for run in RUNS}
    assert titles["gmp"] == "Annex tables: Greater Manchester Police"
    assert titles["two forces"] == titles["crosswalk"] == (
        "Annex tables: national comparison of 2 forces")
    assert titles["2024"] == "Annex tables: cases"  # no profile, no force column
    path, _, args = annexes["crosswalk"]
    book = openpyxl.load_workbook(path)
    assert book.properties.title == titles["crosswalk"]
    cells = [[c for c in row if c is not None] for row in
             book["Contents"].iter_rows(values_only=True)]
    text = " ".join(str(c) for row in cells for c in row)
    assert "hmic-cp-2014 version" in text and "hmic-cp-2024 version" in text
    assert "cp-common-3" in text
    for given in args[:2]:
        digest = hashlib.sha256(Path(given).read_bytes()).hexdigest()
        assert [f"Cases: {Path(given).name}", digest] in cells
    gmp = openpyxl.load_workbook(annexes["gmp"][0])["Contents"]
    rows = [[c for c in row if c is not None] for row in gmp.iter_rows(values_only=True)]
    assert ["Force profile: force.yaml", hashlib.sha256(PROFILE.read_bytes()).hexdigest()
            ] in rows
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", " ".join(
        str(c) for row in rows for c in row))  # no date: the same input, the same bytes


@pytest.mark.parametrize("run", list(RUNS))
def test_column_titles_are_distinct_within_each_sheet(annexes, run):
    book = openpyxl.load_workbook(annexes[run][0])
    for ws in book.worksheets[1:]:
        header, _ = _table(ws)
        assert len({h.casefold() for h in header}) == len(header), (ws.title, header)


@pytest.mark.parametrize("run", list(RUNS))
def test_number_formats_and_symbols(annexes, run):
    path, tables, _ = annexes[run]
    book = openpyxl.load_workbook(path)
    seen = set()
    for sheet, (_, name) in _contents(book).items():
        columns = tables[name]["columns"]
        header, rows = _table(book[sheet])
        assert len(header) == len(columns) and len(rows) == len(tables[name]["rows"])
        for row in rows:
            for cell, column in zip(row, columns, strict=True):
                kind = column["kind"]
                if kind not in FORMATS or cell.value is None:
                    continue
                if isinstance(cell.value, str):
                    assert cell.value in SYMBOLS, (sheet, cell.coordinate, cell.value)
                    assert cell.alignment.horizontal == "right", (sheet, cell.coordinate)
                    seen.add("symbol")
                    continue
                assert cell.number_format == FORMATS[kind], (sheet, cell.coordinate)
                if kind == "count":
                    assert float(cell.value).is_integer()
                seen.add(kind)
    assert {"count", "percent", "ci"} <= seen
    if run == "published":
        assert "symbol" in seen


@pytest.mark.parametrize("run", list(RUNS))
def test_notes_under_the_tables(annexes, run):
    path, tables, _ = annexes[run]
    book = openpyxl.load_workbook(path)
    hidden_somewhere = False
    for sheet, (_, name) in _contents(book).items():
        table, notes = tables[name], _notes(book[sheet])
        text = " ".join(notes)
        if table["note"]:
            assert notes, sheet
        if any(v == "c" for row in table["rows"] for v in row):
            hidden_somewhere = True
            assert '"c" stands for confidential' in text, sheet
        if any(c["kind"] == "ci" for c in table["columns"]):
            assert "Wilson score 95% confidence interval" in text, sheet
    assert hidden_somewhere == (run == "published")


def test_a_published_workbook_lists_the_tables_left_out(runner, tmp_path):
    cases = too_few_to_publish(tmp_path)
    out = tmp_path / "annex.xlsx"
    result = invoke(runner, "annex", cases, "--out", out, "--publish", "-f", "json")
    assert result.exit_code == 0, result.stderr
    left_out = json.loads(result.stdout)["left_out"]
    assert left_out
    book = openpyxl.load_workbook(out)
    text = " ".join(str(c) for row in book["Contents"].iter_rows(values_only=True)
                    for c in row if c is not None)
    assert "Left out of this publication" in text
    assert all(name in text for name in left_out)
    assert len(book.sheetnames) == 1 + len(json.loads(result.stdout)["tables"])


def test_markdown_and_json_carry_the_same_title(runner, tmp_path):
    for suffix in ("md", "json"):
        out = tmp_path / f"annex.{suffix}"
        assert invoke(runner, "annex", SAMPLE, "--force", PROFILE, "--out", out,
                      "--quiet").exit_code == 0
        text = out.read_text("utf-8")
        if suffix == "md":
            assert text.startswith("# Annex tables: Greater Manchester Police\n")
        else:
            assert json.loads(text)["title"] == "Annex tables: Greater Manchester Police"


def test_sheet_names_are_never_cut_into_duplicates():
    long = "Inspectors' final grades by case type and sample"
    names = unique_sheet_names([long + " A", long + " B", "a/b: [c]*?", "CONTENTS",
                                "'quoted'", "", "history"], taken=("Contents",))
    assert len({n.casefold() for n in names}) == len(names)
    assert all(0 < len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert not any(n.startswith("'") or n.endswith("'") for n in names)
    assert names[2] == "a b c"
    assert names[3].casefold() != "contents" and names[6].casefold() != "history"


def test_repeated_titles_are_told_apart():
    columns = [Column(key="group", title="Group", kind="label"),
               Column(key="a", title="Met", kind="count"),
               Column(key="b", title="Met", kind="count"),
               Column(key="n", title="Answered", kind="count"),
               *share_columns("a", "n", "Met"), *share_columns("b", "n", "Partly met"),
               Column(key="kappa", title="Kappa", kind="number"),
               Column(key="kappa_low", title="95% CI low", kind="number")]
    table = AnnexTable(name="t", title="T", columns=columns,
                       rows=[["x", 1, 2, 3, 33.3, 6.1, 79.2, 66.7, 20.8, 93.9, 0.5, 0.1]])
    titles = column_titles(table)
    assert len({t.casefold() for t in titles}) == len(titles)
    assert "Met % 95% CI low" in titles and "Partly met % 95% CI high" in titles
    assert "Kappa 95% CI low" in titles
    notes = " ".join(table_notes(table))
    assert 'Met %: the "Met" count as a percentage of the "Answered" count' in notes
