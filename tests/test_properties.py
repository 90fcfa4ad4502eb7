"""Property-based tests: random workbooks and rubrics never crash the tool, and every
problem it reports says where it is."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hmic_audit import HmicAuditError, grade, parse_rubric, read_workbook
from hmic_audit.analysis.compare import compare_sets

from .conftest import ROOT, write_xlsx

DEFAULT = yaml.safe_load((ROOT / "rubrics" / "child-protection-2014.yaml").read_text())
FIELDS = ["Case ref", "Sample", "Case type", "Assessor", "Grade", "Area", "Audit date",
          "Child age", "Child gender", "Example", "Example theme", "Notes", "Self grade",
          "Inspector grade", "ic_child_seen", "ah_risk_assessed", "pd_appropriate_adult",
          "ta_child_listened_to"]
VALUES = ["good", "Adequate", "RI", "inadequate", "yes", "no", "partly", "n/a", "force",
          "inspector", "self-assessed", "inspector-selected", "DA", "s.47", "custody",
          "2014-07-03", "03/07/2014", "14", "F", "concern", "=1+1", "", " ", "00123"]

cell = st.one_of(st.sampled_from(VALUES), st.text(max_size=12),
                 st.integers(-5, 50).map(str))
LOCATED_FILE_LEVEL = {"missing-header", "unknown-layout", "missing-column", "bad-encoding",
                      "encoding-guessed", "not-csv"}

settings.register_profile("ci", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")


def _check(path: Path, rubric) -> None:
    try:
        audits, warnings = read_workbook(path, rubric)
    except HmicAuditError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.file == path.name
            assert p.row is not None or p.column is not None or p.code in LOCATED_FILE_LEVEL
        return
    for p in warnings:
        assert p.file == path.name
    result = grade(audits, rubric)
    assert len(result.audits) == len(audits.audits)
    try:
        compare_sets([audits], rubric)
    except HmicAuditError as exc:
        assert exc.problems and exc.problems[0].message


@given(headers=st.lists(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)),
                        min_size=1, max_size=10),
       rows=st.lists(st.lists(cell, max_size=12), max_size=12),
       title_rows=st.integers(0, 2))
def test_random_csv_never_crashes(rubric, headers, rows, title_rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for _ in range(title_rows):
        writer.writerow(["A title"])
    writer.writerow(["Case ref", *headers] if "Case ref" not in headers else headers)
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        _check(path, rubric)


@settings(max_examples=15)
@given(headers=st.lists(st.sampled_from(FIELDS), min_size=2, max_size=8, unique=True),
       rows=st.lists(st.lists(st.one_of(cell, st.integers(0, 30),
                                         st.dates(dt.date(1980, 1, 1), dt.date(2030, 1, 1))),
                              max_size=8), max_size=8))
def test_random_xlsx_never_crashes(rubric, headers, rows):
    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsx(Path(folder) / "random.xlsx", ["Case ref", *headers], rows)
        _check(path, rubric)


PATHS = [("name",), ("version",), ("scale",), ("scale", 0), ("scale", 1, "key"),
         ("bands",), ("bands", "good"), ("criteria",), ("criteria", 3), ("criteria", 3, "theme"),
         ("criteria", 5, "weight"), ("criteria", 0, "applies_to"), ("limiting", 0, "cap"),
         ("themes", 2), ("case_types", 1, "key"), ("answer_scores", "yes"),
         ("significant_difference",), ("min_answered",), ("acceptable",)]
junk = st.one_of(st.none(), st.booleans(), st.integers(-5, 200), st.floats(-1, 200),
                 st.text(max_size=10), st.lists(st.text(max_size=5), max_size=3),
                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


@given(edits=st.lists(st.tuples(st.sampled_from(PATHS), junk, st.booleans()), max_size=5))
def test_random_rubrics_never_crash(edits):
    data = copy.deepcopy(DEFAULT)
    for path, value, delete in edits:
        node = data
        try:
            for part in path[:-1]:
                node = node[part]
            if delete and isinstance(node, dict):
                node.pop(path[-1], None)
            elif isinstance(node, dict) or (isinstance(node, list) and
                                            isinstance(path[-1], int) and
                                            path[-1] < len(node)):
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    rubric, problems = parse_rubric(yaml.safe_dump(data), file="r.yaml")
    for p in problems:
        assert p.column or p.row is not None
    if rubric is not None and not any(p.is_error for p in problems):
        assert rubric.grade_keys
