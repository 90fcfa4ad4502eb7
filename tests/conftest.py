"""Shared fixtures: the repository's files, small workbooks built per test, a CLI runner."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from typer.testing import CliRunner

from hmic_audit import Rubric, load_rubric

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_cases" / "gmp-2014" / "cases.xlsx"
DATA = Path(__file__).resolve().parent / "data"

LONG_HEADERS = ["Case ref", "Sample", "Case type", "Area", "Assessor", "Audit date",
                "Grade"]


@pytest.fixture(autouse=True, scope="session")
def no_network():
    """Case data never leaves the machine: any attempt to open a connection fails."""
    import socket

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("network access attempted during tests")

    saved = (socket.socket.connect, socket.socket.connect_ex, socket.create_connection,
             socket.getaddrinfo)
    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign,assignment]
    socket.create_connection = refuse  # type: ignore[assignment]
    socket.getaddrinfo = refuse  # type: ignore[assignment]
    yield
    (socket.socket.connect, socket.socket.connect_ex, socket.create_connection,
     socket.getaddrinfo) = saved


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return load_rubric()


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


def write_xlsx(path: Path, headers: list[str], rows: list[list[Any]], *,
               sheet: str = "Cases", title_rows: int = 0, extra_sheets: tuple[str, ...] = (),
               ) -> Path:
    """A small workbook: optional title rows, a header row, then the rows (None = blank)."""
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": dt.datetime(2020, 1, 1)})
    for name in extra_sheets:
        wb.add_worksheet(name).write(0, 0, "not the data")
    ws = wb.add_worksheet(sheet)
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for t in range(title_rows):
        ws.write_string(t, 0, f"Title line {t + 1}")
    for c, h in enumerate(headers):
        ws.write_string(title_rows, c, h)
    for r, row in enumerate(rows, start=title_rows + 1):
        if row is None:
            continue
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    wb.close()
    return path


def long_rows_good() -> tuple[list[str], list[list[Any]]]:
    """A valid long-layout table: one self-assessed case (two audits), one inspector case."""
    criteria = ["ic_prompt_response", "ic_immediate_safety", "ic_child_seen",
                "ah_risk_assessed", "ah_referral_made", "dm_supervisor_review"]
    headers = LONG_HEADERS + criteria
    rows = [
        ["C-1", "self-assessed", "domestic abuse", "Bolton", "force", dt.date(2014, 6, 3),
         "Good", "yes", "yes", "yes", "yes", "yes", "yes"],
        ["C-1", "self-assessed", "Domestic abuse", "Bolton", "inspector", dt.date(2014, 7, 3),
         "adequate", "yes", "yes", "partly", "yes", "no", "yes"],
        ["C-2", "inspector-selected", "s47", "Wigan", "inspector", "2014-07-04",
         "inadequate", "no", "no", "no", "no", "no", "no"],
    ]
    return headers, rows


@pytest.fixture()
def good_xlsx(tmp_path: Path) -> Path:
    headers, rows = long_rows_good()
    return write_xlsx(tmp_path / "good.xlsx", headers, rows)


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


def invoke(runner: CliRunner, *args: Any) -> Any:
    from hmic_audit.cli.app import app

    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def stdout_json(result: Any) -> Any:
    return json.loads(result.stdout)


class FeedbackRecorder:
    """A job's feedback (``jobs/feedback.py``) that writes down what it is told, in
    order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    @contextlib.contextmanager
    def step(self, what: str) -> Iterator[None]:
        self.events.append(("step", what))
        yield

    def problems(self, found: list[Any], file: str | None = None) -> None:
        self.events.append(("problems", (file, [p.code for p in found])))

    def note(self, message: str) -> None:
        self.events.append(("note", message))

    def warning(self, message: str) -> None:
        self.events.append(("warning", message))


def too_few_to_publish(folder: Path) -> Path:
    """A grades-only workbook whose self-assessed sample is one case: published, the
    tables that would show it are left out."""
    rows = [[f"F{i}", "inspector-selected", "Domestic abuse", "inspector", "adequate"]
            for i in range(12)]
    rows += [["S1", "self-assessed", "s47", "force", "good"],
             ["S1", "self-assessed", "s47", "inspector", "good"]]
    return write_xlsx(folder / "c.xlsx", ["Case ref", "Sample", "Case type", "Assessor",
                                          "Grade"], rows)
