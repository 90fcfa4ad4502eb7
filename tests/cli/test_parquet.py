"""grade/compare --out FILE.parquet: typed columns for BI tools, the rubric in the file."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pyarrow.parquet as pq

from ..conftest import SAMPLE, invoke

KEYS = ["good", "adequate", "requires_improvement", "inadequate"]


def test_graded_audits_as_parquet(runner, tmp_path):
    out = tmp_path / "graded.parquet"
    result = invoke(runner, "grade", SAMPLE, "--out", out, "--quiet")
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(out)
    kind = table.schema.field("final_grade").type
    assert kind.ordered and str(kind.value_type) == "string"  # an ordered category
    facts = json.loads(table.schema.metadata[b"hmic_audit"])
    assert facts["rubric"]["name"] == "hmic-cp-2014" and facts["rubric"]["version"] == "1.0"
    assert facts["inputs"] == [{"file": SAMPLE.name,
                                "sha256": hashlib.sha256(SAMPLE.read_bytes()).hexdigest()}]
    frame = pd.read_parquet(out)
    assert list(frame["final_grade"].cat.categories) == KEYS
    assert frame["final_grade"].cat.ordered
    assert frame["score"].dtype == "float64" and frame["override"].dtype == "bool"
    graded = json.loads(invoke(runner, "grade", SAMPLE, "--format", "json").stdout)["audits"]
    assert len(frame) == len(graded)
    assert {(r.case_ref, r.assessor, r.final_grade) for r in frame.itertuples()} == \
        {(a["case_ref"], a["assessor"], a["final_grade"]) for a in graded}
    again = tmp_path / "again.parquet"
    invoke(runner, "grade", SAMPLE, "--out", again, "--quiet")
    assert again.read_bytes() == out.read_bytes()  # same input, same bytes


def test_compared_cases_as_parquet(runner, tmp_path):
    out = tmp_path / "cases.parquet"
    assert invoke(runner, "compare", SAMPLE, "--out", out, "--quiet").exit_code == 0
    frame = pd.read_parquet(out)
    doc = json.loads(invoke(runner, "compare", SAMPLE, "--format", "json").stdout)
    assert len(frame) == doc["pairs"] == 30
    assert frame["force_grade"].cat.ordered and list(frame["force_grade"].cat.categories) \
        == KEYS
    crosstab = pd.crosstab(frame["force_grade"], frame["inspector_grade"], dropna=False)
    assert crosstab.reindex(index=KEYS, columns=KEYS, fill_value=0).values.tolist() == \
        doc["crosstab"]
    assert frame["significant"].dtype == "bool" and frame["levels"].dtype == "int64"
    assert frame["case_type"].dtype == "category" and frame["area"].dtype == "category"


def test_annex_tables_as_parquet_files(runner, tmp_path):
    folder = tmp_path / "tables"
    result = invoke(runner, "annex", SAMPLE, "--publish", "--out", folder, "--table-files",
                    "parquet", "--quiet")
    assert result.exit_code == 0, result.stderr
    published = tmp_path / "annex.json"
    invoke(runner, "annex", SAMPLE, "--publish", "--out", published, "--quiet")
    tables = {t["name"]: t for t in json.loads(published.read_text())["tables"]}
    assert {p.stem for p in folder.iterdir()} == set(tables)
    hidden = 0
    for name, table in tables.items():
        frame = pd.read_parquet(folder / f"{name}.parquet")
        facts = json.loads(pq.read_schema(folder / f"{name}.parquet").metadata[b"hmic_audit"])
        assert facts["title"] == table["title"] and facts["rubric"]["name"] == "hmic-cp-2014"
        for j, column in enumerate(table["columns"]):
            values = [row[j] for row in table["rows"]]
            if column["kind"] == "count":
                assert str(frame[column["key"]].dtype) == "Int64"
            for i, value in enumerate(values):
                got = frame[column["key"]].iloc[i]
                if isinstance(value, str) and column["kind"] not in ("label", "text"):
                    hidden += 1  # a hidden number: null, its symbol beside it
                    assert pd.isna(got) and frame[f"{column['key']}_symbol"].iloc[i] == value
                elif value is None:
                    assert pd.isna(got)
                elif isinstance(value, float):
                    assert abs(got - value) < 1e-9
                else:
                    assert got == value
    assert hidden  # the publication hides some counts, and the files say which


def test_parquet_carries_no_free_text(runner, tmp_path):
    """Notes reach a report's examples only (found by a review: the Parquet file held
    every note, even with --pseudonymise)."""
    import openpyxl

    ws = openpyxl.load_workbook(SAMPLE)["Cases"]
    column = [c.value for c in ws[3]].index("Notes") + 1
    notes = [ws.cell(row=r, column=column).value for r in range(4, ws.max_row + 1)]
    notes = [n for n in notes if n]
    assert notes  # the sample's examples have notes
    out = tmp_path / "graded.parquet"
    assert invoke(runner, "grade", SAMPLE, "--out", out, "-q").exit_code == 0
    frame = pd.read_parquet(out)
    assert "notes" not in frame.columns and "live_risk" not in frame.columns
    data = pq.read_table(out).to_pandas().astype(str).to_string()
    assert not any(n[:30] in data for n in notes)
