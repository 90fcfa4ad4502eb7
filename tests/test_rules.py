"""Each rule unit of the workbook checks, one workbook breaking only its rule.

The workbooks are typed the way inspectors and force auditors type them, not the way
``template`` writes them: title rows above the header, the table starting in column B,
header spellings such as ``CASE-REF`` and ``Audited by``, aliases (``RI``, ``s.47``, ``Y``,
``N/A``), blank rows in the middle; saved by Excel-like writers (xlsxwriter, openpyxl),
as CSV (UTF-8 with a byte-order mark, Windows-1252, ragged hand-typed text) and as JSON.

``UNIT_CASES`` holds, for every unit registered in ``workbook/rules/__init__.py``, the
workbooks breaking only its rule and the exact problems expected. A unit added to the
registry without an entry here fails ``test_every_registered_unit_has_a_test``, and a
unit taken out of the registry fails its own test (``test_removing_a_unit_loses_its
problems`` shows that by taking each out in turn).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from hmic_audit.problems import Problem, Severity, WorkbookError, flatten
from hmic_audit.workbook import check, rules
from hmic_audit.workbook.check import read_audits
from hmic_audit.workbook.format import Assessor

E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTICE

# Writing workbooks as people type them -------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A formula cell; ``cached`` is the value saved with it (xlsxwriter)."""

    text: str
    cached: str


@dataclass(frozen=True)
class ErrorValue:
    """An error value with no formula, as Excel saves a pasted ``#N/A`` (written into the
    sheet XML by hand)."""

    text: str


Table = dict[int, list[Any]]
"""Spreadsheet row number -> the cells of that row from the table's first column (None
for a blank cell); rows left out are blank."""

_PLACEHOLDER = 424242.0


def _cell_ref(row: int, column: int) -> str:
    """1-based column -> ``B5``."""
    letters = ""
    while column:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _position(ref: str) -> tuple[int, int]:
    """``B5`` -> (5, 2)."""
    letters = ref.rstrip("0123456789")
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return int(ref[len(letters):]), number


def edit(table: Table, changes: dict[str, Any], lead: int = 1) -> Table:
    """A copy of ``table`` with cells changed by sheet reference (``{"H6": "Goodish"}``),
    for a table starting in column ``lead + 1``. A row set to ``None`` is removed."""
    out = {r: list(cells) for r, cells in table.items()}
    for ref, value in changes.items():
        if ref.isdigit():
            if value is None:
                out.pop(int(ref), None)
            else:
                out[int(ref)] = list(value)
            continue
        row, column = _position(ref)
        cells = out.setdefault(row, [])
        j = column - lead - 1
        assert j >= 0, f"{ref} is left of the table"
        cells.extend([None] * (j + 1 - len(cells)))
        cells[j] = value
    return out


def write_xlsxwriter(path: Path, table: Table, *, lead: int = 1, sheet: str = "Cases",
                     merges: dict[str, Any] | None = None,
                     before: tuple[str, ...] = ()) -> Path:
    """A workbook as Excel saves it: dates as dates, numbers as numbers, cached formula
    results, merged ranges; ``before`` adds instruction sheets in front."""
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": dt.datetime(2020, 1, 1)})
    for name in before:
        wb.add_worksheet(name).write(0, 0, "Type one row per audit on the Cases sheet")
    ws = wb.add_worksheet(sheet)
    date_format = wb.add_format({"num_format": "dd/mm/yyyy"})
    by_hand: dict[str, str] = {}
    for row, cells in table.items():
        for j, value in enumerate(cells):
            r, c = row - 1, lead + j
            if value is None:
                continue
            if isinstance(value, Formula):
                ws.write_formula(r, c, value.text, None, value.cached)
            elif isinstance(value, ErrorValue):
                ws.write_number(r, c, _PLACEHOLDER)
                by_hand[_cell_ref(row, c + 1)] = value.text
            elif isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    for span, value in (merges or {}).items():
        ws.merge_range(span, value)
    wb.close()
    if by_hand:
        part = f"xl/worksheets/sheet{len(before) + 1}.xml"
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        xml = parts[part].decode()
        for ref, text in by_hand.items():
            xml, n = re.subn(rf'<c r="{ref}"([^>]*)><v>424242</v>',
                             rf'<c r="{ref}"\1 t="e"><v>{text}</v>', xml)
            assert n == 1, ref
        parts[part] = xml.encode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, body in parts.items():
                z.writestr(name, body)
    return path


def write_openpyxl(path: Path, table: Table, *, lead: int = 1, sheet: str = "Cases",
                   merges: dict[str, Any] | None = None) -> Path:
    """A workbook written by openpyxl: text starting ``=`` is a formula saved without its
    result (as a script or a non-calculating tool leaves it)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row, cells in table.items():
        for j, value in enumerate(cells):
            if value is None:
                continue
            cell = ws.cell(row=row, column=lead + j + 1, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
    for span, value in (merges or {}).items():
        ws[span.split(":")[0]] = value
        ws.merge_cells(span)
    wb.save(path)
    return path


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def write_csv(path: Path, table: Table, *, lead: int = 1, encoding: str = "utf-8-sig",
              excel: bool = True, delimiter: str = ",") -> Path:
    """A CSV file: ``excel`` pads every line to the table's width (as Excel saves one);
    otherwise lines are ragged and blank rows are empty lines (as typed by hand)."""
    width = lead + max(len(cells) for cells in table.values())
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in range(1, max(table) + 1):
        cells = [""] * lead + [_text(v) for v in table.get(row, [])]
        if excel:
            cells += [""] * (width - len(cells))
        elif not table.get(row):
            cells = []
        writer.writerow(cells)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_json(path: Path, table: Table, *, header_row: int = 4) -> Path:
    """The table as JSON records, one per filled row under the header (keys as the header
    spells them, blanks as null, dates as ISO text)."""
    keys = table[header_row]
    records = []
    for row in sorted(r for r in table if r > header_row):
        cells = table[row] + [None] * (len(keys) - len(table[row]))
        records.append({k: (v.isoformat() if isinstance(v, dt.date) else v)
                        for k, v in zip(keys, cells, strict=True) if k})
    path.write_text(json.dumps({"audits": records}, indent=1), encoding="utf-8")
    return path


# The tables the cases start from ------------------------------------------------------

TITLE = "Greater Manchester Police - child protection case audit"
SUBTITLE = "Self-assessment, reviewed by HMIC in July 2014"

# Long layout, one row per audit, starting in column B under two title rows:
#   B case ref  C sample  D case type  E area  F assessor  G date  H grade
#   I ic_prompt_response  J ic_child_seen  K ah_risk_assessed  L dm_supervisor_review
LONG: Table = {
    1: [TITLE],
    2: [SUBTITLE],
    4: ["CASE-REF", "Sample", "Type of case", "Area", "Audited by", "Review date",
        "Overall judgement", "ic_prompt_response", "IC child seen", "AH-risk-assessed",
        "dm_supervisor_review"],
    5: ["SA-001", "Self-assessed", "s.47", "Oldham", "Force", dt.date(2014, 6, 2), "Good ",
        "Y", "Y", "yes", "y"],
    6: ["SA-001", "SA", "S47", "Oldham", "HMIC", "07/07/2014", "RI", "yes", "partly", "N",
        "N/A"],
    # row 7 left blank
    8: ["IS-007", "IS", "Missing", "Manchester", "Inspector", "2014-07-14", None, "no",
        "Partly", "YES", "n/a"],
}

# Wide layout, one row per case, starting in column A under one title row:
#   A case ref  B sample  C case type  D area  E self grade  F inspector grade
WIDE: Table = {
    1: ["Bury and Wigan - grades by case"],
    3: ["Case reference", "Selection", "Category", "LA", "Force grade", "HMIC grade"],
    4: ["W-01", "Self assessed", "DA", "Bury", "Good", "Requires improvement"],
    5: ["W-02", None, "s.47", "Wigan", "Adequate", "adequate"],
    # row 6 left blank
    7: ["W-03", "Inspector selected", "CSE", "Bolton", None, "Inadequate"],
}


def long(changes: dict[str, Any] | None = None) -> Table:
    return edit(LONG, changes or {})


def wide(changes: dict[str, Any] | None = None) -> Table:
    return edit(WIDE, changes or {}, lead=0)


# Cases: a workbook and the problems it must give ---------------------------------------


@dataclass(frozen=True)
class Case:
    """A workbook breaking one rule, and every problem reading it must give: each as
    (cell, or row where the format has no cells; code; severity; column; value)."""

    write: Callable[[Path], Path]
    expected: list[tuple[Any, ...]]
    sheet: str | None = "Cases"
    only: Assessor | None = None
    words: str = ""
    """Words one of the expected problems' messages must hold."""


def found(path: Path, rubric: Any, only: Assessor | None = None, *,
          title_notice: bool = False) -> list[Problem]:
    """Every problem reading the file gives (errors raise; warnings come back), but the
    notice that the header sits under a title (the tables here all have titles), unless
    asked for."""
    try:
        _, problems = read_audits(path, rubric, only=only)
    except WorkbookError as exc:
        problems = exc.problems
    return [p for p in problems if title_notice or p.code != "header-below-title"]


def located(problems: list[Problem]) -> list[tuple[Any, ...]]:
    """(cell or row, code, severity, column, value) of each problem."""
    return [(p.cell or p.row, p.code, p.severity, p.column, p.value) for p in problems]


CASE_TYPES = ("s47_enquiry, domestic_abuse, general_concern, sex_offender, police_protection, "
              "sexual_exploitation, online_abuse, child_in_custody, missing_child")

def stamped(path: Path, version: str) -> Path:
    """The workbook with the hidden sheet an audit form (``template``) records its rubric
    in, naming version ``version`` of the default rubric."""
    wb = openpyxl.load_workbook(path)
    stamp = wb.create_sheet("_hmic_audit")
    for row in (("rubric", "hmic-cp-2014"), ("version", version), ("layout", "long")):
        stamp.append(row)
    stamp.sheet_state = "hidden"
    wb.save(path)
    return path


UNIT_CASES: dict[str, list[Case]] = {
    # Header units --------------------------------------------------------------------
    "live_risk": [  # the reason is never repeated in the problem: "flagged" stands for it
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({
            "M4": "Live risk", "M5": "No",
            "M6": "Bruising seen; partner still at the address"})),
            [("M6", "live-risk", W, "Live risk", "flagged")],
            words="tell the safeguarding lead now"),
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({
            "M4": "Child still at risk", "M5": "none", "M8": "yes"})),
            [("M8", "live-risk", W, "Child still at risk", "flagged")]),
    ],
    "form_rubric_mismatch": [
        Case(lambda p: stamped(write_openpyxl(p / "cases.xlsx", long()), "0.9"),
             [(None, "form-rubric-mismatch", W, None, "hmic-cp-2014 v0.9")],
             words="made for rubric hmic-cp-2014 v0.9"),
    ],
    "unknown_columns": [
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({
            "M4": "Officer in case", "N4": "ah_risk_asessed",
            "M5": "DC Jones", "M6": "DS Patel", "N6": "yes"})),
            [("M4", "unknown-column", W, "Officer in case", "Officer in case"),
             ("N4", "unknown-column", W, "ah_risk_asessed", "ah_risk_asessed")],
            words="did you mean criterion 'ah_risk_assessed'?"),
        Case(lambda p: write_json(p / "cases.json", long({"M4": "Team", "M5": "CAIU"})),
             [(0, "unknown-column", W, "Team", "Team")], sheet=None,
             words="not a field of the workbook format"),
        # a misspelt optional column: ignored, with the column it probably meant
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({"M4": "Chlid age", "M5": "7"})),
             [("M4", "unknown-column", W, "Chlid age", "Chlid age")],
             words="did you mean 'Child age'?"),
        # a misspelt assessor column: the root cause alone, not "no layout" or row errors
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({"F4": "Assesor", "F6": "Nobody"})),
             [("F4", "misnamed-column", E, "Assesor", "Assesor")],
             words="did you mean 'Assessor'?"),
        # wide layout: a misspelt inspector grade beside the self grade
        Case(lambda p: write_csv(p / "cases.csv", wide({"F3": "Inspecter grade"})),
             [("G3", "misnamed-column", E, "Inspecter grade", "Inspecter grade")], sheet=None,
             words="did you mean 'Inspector grade'?"),
    ],
    "header_below_title": [
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long()),
             [(4, "header-below-title", N, None, None)],
             words="the header is on row 4; the rows above it are taken as a title"),
    ],
    "delimiter_detected": [
        Case(lambda p: write_csv(p / "cases.csv", long(), delimiter=";"),
             [(None, "delimiter-detected", N, None, ";")], sheet=None,
             words="separated by semicolons"),
    ],
    "has_audits": [
        Case(lambda p: write_openpyxl(p / "cases.xlsx", {4: LONG[4]}),
             [(4, "no-audits", E, None, None)], words="no audits below it"),
    ],
    "repeated_columns": [
        Case(lambda p: write_csv(p / "cases.csv", long({
            "M4": "Category", "M5": "s.47", "M6": "s47", "M8": "missing"})),
            [("M4", "duplicate-column", E, "Category", "Category")], sheet=None,
            words="repeats column 'Type of case'"),
    ],
    "layout_known": [
        # An inspector's sheet with grades but no assessor column: neither layout.
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({
            "F4": "", "F5": None, "F6": None, "F8": None})),
            [(4, "unknown-layout", E, None, None)],
            words="neither an assessor column"),
    ],
    "required_columns": [
        Case(lambda p: write_json(p / "cases.json", long({
            "D4": "", "D5": None, "D6": None, "D8": None})),
            [(0, "missing-column", E, "case_type", None)], sheet=None,
            words="has no case_type column"),
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({
            "D4": None, "D5": None, "D6": None, "D8": None}), before=("Instructions",)),
            [(4, "missing-column", E, "case_type", None)]),
    ],
    "answers_in_wide_layout": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", wide({
            "G3": "ic_child_seen", "G4": "Y", "G7": "N"}), lead=0),
            [("G3", "unknown-column", W, "ic_child_seen", "ic_child_seen")],
            words="need one row per audit"),
    ],
    # Row units -----------------------------------------------------------------------
    "values_without_header": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({"N6": "see email 12/07"})),
             [("N6", "value-without-header", W, None, "see email 12/07")],
             words="no header"),
        Case(lambda p: write_csv(p / "cases.csv", long({"M8": "chased"}), excel=False,
                                 encoding="utf-8"),
             [("M8", "value-without-header", W, None, "chased")], sheet=None),
    ],
    "error_cells": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({
            "H6": Formula("=1/0", "#DIV/0!"), "G8": ErrorValue("#N/A")})),
            [("H6", "error-cell", E, "Overall judgement", "#DIV/0!"),
             ("G8", "error-cell", E, "Review date", "#N/A")],
            words="holds the Excel error #DIV/0!"),
    ],
    "uncached_formulas": [
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({
            "H5": '=IF(I5="Y","Good","Requires improvement")'})),
            [("H5", "formula-without-value", E, "Overall judgement", None)],
            words="never saved"),
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({
            "E8": Formula('=PROPER("manchester")', "")})),
            [("E8", "formula-without-value", E, "Area", None)]),
    ],
    "merged_cells": [
        # Area typed once for both audits of the case, the two cells merged.
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({"E5": None, "E6": None}),
                                        merges={"E5:E6": "Oldham"}),
             [("E5", "merged-cells", E, "Area", "E5:E6")], words="E5:E6 are merged"),
        # A merged title above the header is no problem; a merged note in the data is.
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({
            "M4": "Notes", "M8": None}), merges={"B1:M1": TITLE, "M5:M6": "Seen twice"}),
            [("M5", "merged-cells", E, "Notes", "M5:M6")]),
    ],
    "case_ref_lookalikes": [
        Case(lambda p: write_csv(p / "cases.csv", long({"B8": "IS\u2011007"})),
             [("B8", "reference-normalised", W, "CASE-REF", "'IS\\u2011007'")], sheet=None,
             words="read as 'IS-007'"),
        # Full-width letters, pasted from another system: still the same case SA-001.
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({"B6": "ＳＡ-001"})),
             [("B6", "reference-normalised", W, "CASE-REF", "'\\uff33\\uff21-001'")]),
    ],
    "case_ref_blank": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({"B8": None})),
             [("B8", "missing-case-ref", E, "CASE-REF", "")], words="every row needs one"),
    ],
    "case_type_blank": [
        # Windows-1252 (an en dash in the title), as Excel saves "CSV (comma delimited)".
        Case(lambda p: write_csv(p / "cases.csv", long({"B1": "Case audit \u2013 July 2014",
                                                         "D8": None}), encoding="cp1252"),
             [(None, "encoding-guessed", W, None, None),
              ("D8", "missing-case-type", E, "Type of case", "")], sheet=None),
    ],
    "unknown_case_type": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({"D8": "Burglary"})),
             [("D8", "unknown-case-type", E, "Type of case", "Burglary")],
             words="'Burglary' is not a case type in rubric hmic-cp-2014"),
    ],
    "unknown_sample": [
        Case(lambda p: write_json(p / "cases.json", long({"C8": "Random"})),
             [(3, "unknown-sample", E, "Sample", "Random")], sheet=None,
             words="use self-assessed or inspector-selected"),
    ],
    "dates": [
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({
            "G6": "31/06/2014", "G8": "14/07/2041"})),
            [("G6", "impossible-date", E, "Review date", "31/06/2014"),
             ("G8", "future-date", E, "Review date", "14/07/2041")],
            words="'14/07/2041' (14 July 2041) is in the future"),
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({"G5": dt.date(1989, 12, 31)})),
             [("G5", "early-date", E, "Review date", "1989-12-31")]),
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({"G6": "TBC", "G8": "41834"})),
             [("G6", "bad-date", E, "Review date", "TBC")],
             words="'TBC' is not a date"),
        # typed month first: 07/31/2014 exists only month first, and no date is only day
        # first (07/07/2014 reads either way; G5 is an Excel date)
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({"G6": "07/31/2014"})),
             [("G6", "month-first-date", E, "Review date", "07/31/2014")],
             words="run again with --month-first"),
        # ... but beside a date that exists only day first, it is a mistake in that row
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({
            "G6": "07/31/2014", "G8": "25/07/2014"})),
             [("G6", "impossible-date", E, "Review date", "07/31/2014")],
             words="not a day of the calendar when read day first (read month first it "
             "would be 31 July 2014"),
    ],
    "ages": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({
            "M4": "Age of child", "M5": 12, "M6": "twelve", "M8": 19})),
            [("M6", "bad-age", E, "Age of child", "twelve"),
             ("M8", "bad-age", E, "Age of child", "19")], words="0 to 17"),
    ],
    "unknown_child_gender": [
        Case(lambda p: write_csv(p / "cases.csv", long({
            "M4": "Sex", "M5": "F", "M6": "girl", "M8": "U"})),
            [("M8", "unknown-gender", E, "Sex", "U")], sheet=None),
    ],
    "unknown_example": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({
            "M4": "Report example", "M6": "Good practise"})),
            [("M6", "unknown-example", E, "Report example", "Good practise")],
            words="did you mean 'good practice'? Use good practice or concern"),
    ],
    "unknown_example_theme": [
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({
            "M4": "Report example", "N4": "Report theme", "M6": "GP",
            "N6": "Initial contact", "M8": "concern", "N8": "Missing episodes"})),
            [("N8", "unknown-theme", E, "Report theme", "Missing episodes")]),
    ],
    "unknown_self_grade": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", wide({"E5": "Outstanding"}), lead=0),
             [("E5", "unknown-grade", E, "Force grade", "Outstanding")]),
    ],
    "unknown_inspector_grade": [
        Case(lambda p: write_csv(p / "cases.csv", wide({"F7": "Requires improvment"}), lead=0,
                                 excel=False, encoding="utf-8"),
             [("F7", "unknown-grade", E, "HMIC grade", "Requires improvment")], sheet=None),
    ],
    "unknown_assessor": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({"F6": "Social worker"})),
             [("F6", "unknown-assessor", E, "Audited by", "Social worker")],
             words="use force or inspector"),
    ],
    "assessor_blank": [
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({"F6": None})),
             [("F6", "missing-assessor", E, "Audited by", "")]),
    ],
    "assessor_other_side": [
        # The force's own file (compare SELF INSPECTORS) with one inspector audit in it.
        Case(lambda p: write_xlsxwriter(p / "force.xlsx", long({
            "B6": "SA-002", "F6": "force", "B8": "SA-003", "C8": "Self assessed"})),
            [("F8", "wrong-assessor", E, "Audited by", "Inspector")],
            only=Assessor.FORCE, words="this file holds the force audits"),
        # The two files given the wrong way round: the cause once, not row by row.
        Case(lambda p: write_xlsxwriter(p / "inspectors.xlsx", long({
            "F5": "Inspector", "B6": "SA-002"})),
            [("F5", "files-swapped", E, "Audited by", "Inspector")],
            only=Assessor.FORCE, words="are the two files the wrong way round?"),
    ],
    "unknown_grade": [
        Case(lambda p: write_csv(p / "cases.csv", long({"H6": "Req improvment"}), excel=False),
             [("H6", "unknown-grade", E, "Overall judgement", "Req improvment")], sheet=None),
    ],
    "answers": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({"J8": "Not sure"})),
             [("J8", "unknown-answer", E, "IC child seen", "Not sure")],
             words="use yes, partly, no or n/a"),
    ],
    "answers_apply": [
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({"D8": "Custody", "J8": "N/A"})),
             [("I8", "criterion-not-applicable", E, "ic_prompt_response", "no")],
             words="does not apply to child in custody cases"),
    ],
    "audit_empty": [
        Case(lambda p: write_json(p / "cases.json", long({
            "I8": None, "J8": None, "K8": None, "L8": None})),
            [(3, "no-grade-or-answers", E, "Overall judgement", "")], sheet=None,
            words="the audit of case 'IS-007'"),
    ],
    "case_ungraded": [
        Case(lambda p: write_openpyxl(p / "cases.xlsx", wide({"F7": None}), lead=0),
             [("F7", "no-grade-or-answers", E, "HMIC grade", "")],
             words="case 'W-03' has neither"),
    ],
    # Case units ----------------------------------------------------------------------
    "duplicate_audits": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({"9": LONG[8]})),
             [("F9", "duplicate-audit", E, "Audited by", "IS-007")],
             words="already has an inspector audit at row 8"),
        Case(lambda p: write_csv(p / "cases.csv", long({"9": ["is-007", *LONG[8][1:]]})),
             [("F9", "duplicate-audit", E, "Audited by", "is-007")], sheet=None),
    ],
    "case_type_differs": [
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({"D6": "DA"})),
             [("D6", "case-type-mismatch", E, "Type of case", "Domestic abuse")],
             words="'Child protection enquiry (s.47)' at row 5"),
    ],
    "sample_differs": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({"C6": "Inspector selected"}),
                                        sheet="Audit July 2014"),
             [("C6", "sample-mismatch", E, "Sample", "inspector-selected")],
             sheet="Audit July 2014"),
    ],
    "case_ref_trimmed": [
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({"B8": "  IS-007\t"})),
             [("B8", "value-trimmed", N, "CASE-REF", "IS-007")],
             words="read as 'IS-007'"),
        Case(lambda p: write_csv(p / "cases.csv", long({"B5": " SA-001", "B6": "SA-001 "}),
                                 excel=False),
             [("B5", "value-trimmed", N, "CASE-REF", "SA-001"),
              ("B6", "value-trimmed", N, "CASE-REF", "SA-001")], sheet=None),
    ],
    "normalised_values": [
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({"H6": "RI.", "J5": "'Y'"})),
             [("J5", "value-normalised", N, "IC child seen", "'Y'"),
              ("H6", "value-normalised", N, "Overall judgement", "RI.")],
             words="read as 'RI' (punctuation at its ends dropped)"),
    ],
    "free_text_controls": [
        Case(lambda p: write_json(p / "cases.json", long({
            "M4": "Notes", "M5": "seen at home\x00 twice", "M6": "fine"})),
             [(1, "control-characters", W, "Notes", "seen at home<U+0000> twice")],
             sheet=None, words="they are removed from the note"),
    ],
    "formula_values": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({
            "H6": Formula('=IF(1,"RI","")', "RI")})),
             [("H6", "formula-value-used", N, "Overall judgement", None)],
             words="the result saved with the workbook is used"),
    ],
    "area_differs": [
        Case(lambda p: write_openpyxl(p / "cases.xlsx", long({"E6": "Rochdale"})),
             [("E6", "area-differs", W, "Area", "Rochdale")],
             words="case 'SA-001' has area 'Rochdale' here but 'Oldham' at E5"),
    ],
    "age_differs": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({
            "M4": "Child's age", "M5": 7, "M6": "8", "M8": 15})),
             [("M6", "age-differs", W, "Child's age", "8")],
             words="has age '8' here but '7' at M5"),
    ],
    "gender_differs": [
        Case(lambda p: write_json(p / "cases.json", long({
            "M4": "Gender", "M5": "F", "M6": "male", "M8": "girl"})),
             [(2, "gender-differs", W, "Gender", "male")], sheet=None),
    ],
    "force_audit_of_inspector_case": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({"C5": "IS", "C6": "IS"})),
             [("C5", "force-audit-of-inspector-case", E, "Sample", "force")],
             words="case 'SA-001' is inspector-selected but has a force audit"),
        # The wide layout: a force grade for a case marked inspector-selected.
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", wide({"B7": "IS", "E7": "Good"}),
                                        lead=0),
             [("B7", "force-audit-of-inspector-case", E, "Selection", "force")]),
    ],
    "incomplete_cases": [
        Case(lambda p: write_xlsxwriter(p / "cases.xlsx", long({"6": None})),
             [("B5", "incomplete-case", W, "CASE-REF", "SA-001")],
             words="has no inspector audit"),
    ],
}


def _unit_name(unit: Callable[..., None]) -> str:
    return unit.__name__


REGISTRY: list[tuple[str, str]] = [
    (kind, _unit_name(u)) for kind, units in (("HEADER_RULES", rules.HEADER_RULES),
                                              ("ROW_RULES", rules.ROW_RULES),
                                              ("CASE_RULES", rules.CASE_RULES))
    for u in units]
ALL_CASES = [(name, i, case) for name, cases in UNIT_CASES.items()
             for i, case in enumerate(cases)]


def test_every_registered_unit_has_a_test():
    names = [name for _, name in REGISTRY]
    assert len(names) == len(set(names)), "two units share a name"
    assert set(names) == set(UNIT_CASES), (
        f"units without a test: {sorted(set(names) - set(UNIT_CASES))}; "
        f"tests without a unit: {sorted(set(UNIT_CASES) - set(names))}")


@pytest.mark.parametrize("name, i, case", ALL_CASES,
                         ids=[f"{n}-{i}" for n, i, _ in ALL_CASES])
def test_each_unit_reports_exactly_its_problems(tmp_path, rubric, name, i, case):
    path = case.write(tmp_path)
    problems = found(path, rubric, case.only, title_notice=_titled(case))
    assert located(problems) == case.expected
    for p in problems:
        assert p.file == path.name
        if p.row is not None:  # located problems name the sheet (None for CSV and JSON)
            assert p.sheet == case.sheet
        if p.cell:  # a sheet's cells as Sheet!F14, a CSV's (no sheet) as cases.csv F14
            assert p.cell.endswith(str(p.row))
            where = f"{case.sheet}!{p.cell}" if case.sheet else f"{path.name} {p.cell}"
            assert where in str(p)
    assert case.words in " ".join(p.message for p in problems)


def _titled(case: Case) -> bool:
    return any(e[1] == "header-below-title" for e in case.expected)


# Removing any unit fails its test ------------------------------------------------------


@pytest.mark.parametrize("kind, name", REGISTRY, ids=[n for _, n in REGISTRY])
def test_removing_a_unit_loses_its_problems(tmp_path, rubric, monkeypatch, kind, name):
    """With the unit taken out of the registry, its workbooks no longer give the problems
    it reports, so its test above fails. The units to take out come from the registry
    itself: a unit registered without a test fails here too."""
    cases = UNIT_CASES[name]  # a KeyError here: a registered unit with no test
    without = [u for u in getattr(check, kind) if _unit_name(u) != name]
    for i, case in enumerate(cases):
        folder = tmp_path / str(i)
        folder.mkdir()
        path = case.write(folder)
        codes = {p[1] for p in case.expected} - {"encoding-guessed"}
        assert codes & {p.code for p in found(path, rubric, case.only, title_notice=True)}
        with monkeypatch.context() as patched:
            patched.setattr(check, kind, without)
            left = [p for p in located(found(path, rubric, case.only, title_notice=True))
                    if p[1] in codes]
        assert left == [], f"{name}: its problems are still reported without it"


def test_the_checks_run_the_registry_the_tests_read(tmp_path, rubric, monkeypatch):
    """The lists the removal test patches are the registry the checks run."""
    assert check.HEADER_RULES is rules.HEADER_RULES
    assert check.ROW_RULES is rules.ROW_RULES
    assert check.CASE_RULES is rules.CASE_RULES
    path = UNIT_CASES["unknown_grade"][0].write(tmp_path)
    assert [p[1] for p in located(found(path, rubric))] == ["unknown-grade"]
    monkeypatch.setattr(check, "ROW_RULES", [])
    monkeypatch.setattr(check, "CASE_RULES", [])
    assert found(path, rubric) == []


# Planted mistakes: a realistic sheet, every mistake at a known cell -------------------


def typed(text: str, first_row: int) -> Table:
    """Rows typed as ``a|b|c`` lines from ``first_row`` (an empty line is a blank row): ISO
    dates become Excel dates, whole numbers numbers, empty cells blank."""
    table: Table = {}
    for row, line in enumerate(text.strip("\n").splitlines(), start=first_row):
        if line.strip():
            table[row] = [None if not c.strip() else
                          dt.date.fromisoformat(c) if re.fullmatch(r"\d{4}-\d\d-\d\d", c) else
                          int(c) if c.isdigit() else c for c in line.split("|")]
    return table


# Columns: A case ref, B sample, C case type, D area, E assessor, F date, G age, H gender,
# I grade, J ic_prompt_response, K ic_immediate_safety, L ic_child_seen,
# M ah_risk_assessed, N ah_referral_made, O dm_supervisor_review, P notes, Q a misspelt
# criterion id.
PLANTED_LONG = {4: [
    "Case Ref", "Sample", "Case type", "Division", "Assessor", "Date audited", "Age", "Gender",
    "Grade", "IC_Prompt_Response", "ic immediate safety", "ic_child_seen", "ah_risk_assessed",
    "ah_referral_made", "DM supervisor review", "Comments", "ah_strat_discusion"]} | typed("""\
SA-001|Self-assessed|s.47|Oldham|Force|2014-06-02|14|F|Good|Y|Y|Y|Y|Y|Y||Y
SA-001|SA|s.47|Oldham|Inspector|07/07/2014|14|F|Adequate|Y|Y|Partly|Y|Y|N/A|Child seen, not alone|Y
SA-002|Self-assessed|DA|Oldham|Force|2014-06-03|9|M|Good|Y|Y|Y|Y|Y|Y
SA-002|Self-assessed|DA|Oldham|Inspector|07/07/2014|9|M|RI|Y|N|Y|Y|Partly|N|No safety plan

SA-003|SA|General concern|Rochdale|Force|2014-06-05|15|F|Good|Y|Y|Y|Y|Y|Y
SA-003|SA|General concern|Rochdale|Inspector|08/07/2014|15|F|Good|Y|Y|Y|Y|Y|Y
SA-004|SA|CSE|Rochdale|Force|2014-06-05|15|F|Adequate|Y|Y|Y|Partly|Y|Y
SA-004|SA|Domestic abuse|Rochdale|Inspector|08/07/2014|15|F|Inadequate|N|N|Y|N|Y|N|Grooming missed
SA-005|SA|Missing|Wigan|Force|2014-06-09|13|M|Good|Y|Y|Y|Y|Y|Y
SA-005|Inspector selected|Missing|Wigan|Inspector|09/07/2014|13|M|Good|Y|Y|Y|Y|Y|Y
SA-006|Self-assessed|PP|Wigan|Force|2014-06-10|4|F|Good|Y|Y|Y|Y|Y|Y
SA-006|Self-assessed|PP|Wigan|Inspector|09/07/2014|4|F|Good|Y|Y|Y|Y|Y|Y
SA-007|Self-assessed|s47|Bolton|Force|2014-06-11|11|M|Outstanding|Y|Y|Y|Y|Y|Y
SA-007|Self-assessed|s47|Bolton|Inspector|10/07/2014|11|M|Good|Y|Y|Y|Y|Y|Y
SA-008|Self-assessed|DA|Bolton|Force|2014-06-12|7|F|Good|Y|Y|Y|Y|Y|Y

SA-009|Self-assessed|Burglary|Bury|Force|2014-06-12|16|M|Adequate|Y|Y|Y|Y|Y|Y
SA-009|Self-assessed|DA|Bury|Inspector|10/07/2014|16|M|Adequate|Y|Y|Y|Y|Y|Y
SA\u2011010|Self-assessed|CSE|Bury|Force|2014-06-13|14|F|Good|Y|Y|Y|Y|Y|Y
SA-010|Self-assessed|CSE|Bury|Inspector|11/07/2014|14|F|Good|Y|Y|Y|Y|Y|Y
SA-011|Self-assessed|General concern|Salford|Force|2014-06-16|10|M|Good|Y|Y|Y|Y|Y|Y
SA-011|Self-assessed|General concern|Salford|Inspector|31/09/2014|10|M|Good|Y|Y|Y|Y|Y|Y
SA-012|Self-assessed|DA|Salford|Force|2014-06-17|19|F|Good|Y|Y|Y|Y|Y|Y
SA-012|Self-assessed|DA|Salford|Inspector|11/07/2014|9|F|Good|Y|Y|Y|Y|Y|Y

IS-001|Inspector selected|s.47|Manchester|Inspector|14/07/2014|12|M|Inadequate|N|N|N|N|Partly|N|
IS-002|IS|DA|Manchester|Inspector|14/07/2014|6|F|RI|Y|Y|Unsure|Y|Y|N|Left with suspect
IS-003|IS|Missing|Manchester|Inspector|15/07/2014|15|Female|Good|Y|Y|Y|Y|Y|Y
|IS|CSE|Trafford|Inspector|15/07/2014|14|F|Adequate|Y|Y|Y|Y|Y|Y
IS-005|IS|PP|Trafford||16/07/2014|3|M|Good|Y|Y|Y|Y|Y|Y
IS-006|IS|DA|Stockport|Inspector|16/07/2041|8|U|Adequate|Y|Y|Y|Y|Y|Y
IS-007|IS|General concern|Stockport|Inspector|17/07/2014|11|M||||||||File not available
IS-008|IS|S47|Tameside|Inspector|17/07/2014|13|F|Good|Y|Y|Y|Y|Y|Y
IS-008|IS|S47|Tameside|Inspector|17/07/2014|13|F|Good|Y|Y|Y|Y|Y|Y
IS-009|IS|Missing|Tameside|Force|2014-06-18|16|F|Good|Y|Y|Y|Y|Y|Y
IS-010|IS|Sex offender|Oldham|Inspector|18/07/2014|10|M|Good|Y|N/A||Y|n/a|Y
IS-011|IS|DA|Oldham|Inspector||5|F|Adequate|Y|Y|Y|Y|Y|Y
IS-012|IS|Online|Bury|Inspector|21/07/2014|13|F|Good|Y|Y|N/A|Y|Y|Y
IS-013|IS|Police protection|Bury|Inspector|21/07/2014|2|M|Good|Y|Y|Y|Y|Y|Y
IS-014|IS|MFH|Wigan|Inspector|22/07/2014|14|F|RI|Y|Partly|Y|N|Y|Y
""", first_row=5)

LONG_MANIFEST = [
    ("Q4", "unknown-column"),                 # misspelt criterion id in the header
    ("C13", "case-type-mismatch"),            # CSE for the force, domestic abuse here
    ("B15", "sample-mismatch"),               # self-assessed case marked inspector selected
    ("I18", "unknown-grade"),                 # "Outstanding" is no grade of the rubric
    ("A20", "incomplete-case"),               # SA-008 has no inspector audit
    ("C22", "unknown-case-type"),             # "Burglary"
    ("A24", "reference-normalised"),          # a non-breaking hyphen in SA-010
    ("F27", "impossible-date"),               # 31 September
    ("G28", "bad-age"),                       # 19 typed for 9
    ("L32", "unknown-answer"),                # "Unsure"
    ("A34", "missing-case-ref"),
    ("E35", "missing-assessor"),
    ("F36", "future-date"),                   # 2041 typed for 2014
    ("H36", "unknown-gender"),                # "U"
    ("I37", "no-grade-or-answers"),           # file not available: nothing recorded
    ("E39", "duplicate-audit"),               # IS-008 typed twice
    ("B40", "force-audit-of-inspector-case"),
    ("J41", "criterion-not-applicable"),      # initial contact for a sex offender enquiry
    ("F42", "error-cell"),                    # a date formula gone #REF!
    ("S44", "value-without-header"),          # a note typed past the last column
]


def test_planted_mistakes_long_layout(tmp_path, rubric):
    table = edit(PLANTED_LONG, {"A1": None, "A2": "Audit team: DI Shaw, Ms Okafor (HMIC)",
                                "F42": Formula("=F41+#REF!", "#REF!"),
                                "S44": "chased 21/07"}, lead=0)
    path = write_xlsxwriter(tmp_path / "GMP audit 2014.xlsx", table, lead=0,
                            merges={"A1:H1": TITLE}, before=("Guidance",))
    problems = found(path, rubric)
    assert sorted(flatten(problems, "cell", "code")) == sorted(LONG_MANIFEST)
    assert {p.sheet for p in problems} == {"Cases"}


# Columns: B case ref, C sample, D case type, E area, F self grade, G inspector grade,
# H notes.
PLANTED_WIDE = typed("""\
Case No|Selection|Category|Division|Force judgement|Inspector judgement|Comments
W-01|SA|DA|Bury|Good|RI
W-02|SA|s.47|Bury|Adequate|Adequate
W-03|IS|CSE|Wigan||Inadequate
W-04|Random|DA|Wigan|Good|Good
W-05|SA|Missing|Wigan|Outstanding|Good

W-06|SA|PP|Bolton|Good|Req improvment
W-07|SA||Bolton|Good|Good
W-08|IS|General concern|Bolton|||Not yet reviewed
W-09|IS|DA|Salford|Good|Adequate
W-10|SA|Online|Salford|RI|
W-11|IS|custody|Salford||Good
W-03|IS|CSE|Wigan||Inadequate|typed twice
W-12|SA|DA|Oldham|Good|Good
""", first_row=3)

WIDE_MANIFEST = [
    ("C7", "unknown-sample"),                 # "Random"
    ("F8", "unknown-grade"),                  # "Outstanding"
    ("G10", "unknown-grade"),                 # "Req improvment"
    ("D11", "missing-case-type"),
    ("G12", "no-grade-or-answers"),           # neither grade
    ("C13", "force-audit-of-inspector-case"), # a force grade for an inspector-selected case
    ("B14", "incomplete-case"),               # self-assessed, no inspector grade
    ("B16", "duplicate-audit"),               # W-03 typed twice
]


def test_planted_mistakes_wide_layout(tmp_path, rubric):
    table = edit(PLANTED_WIDE, {"B1": "Wide sheet - one row per case"})
    path = write_openpyxl(tmp_path / "grades.xlsx", table, sheet="Grades")
    problems = found(path, rubric)
    assert sorted(flatten(problems, "cell", "code")) == sorted(WIDE_MANIFEST)
    assert {p.sheet for p in problems} == {"Grades"}


# Rules that once behaved wrongly (found while writing these tests) ------------------------------


@pytest.mark.parametrize("write, expected", [
    (lambda p: write_xlsxwriter(p / "cases.xlsx", long({
        "B8": Formula('=VLOOKUP(E8,Refs!A:B,2,FALSE)', "#N/A")})),
     [("B8", "error-cell")]),
    (lambda p: write_openpyxl(p / "cases.xlsx", long({"D6": "=D5"})),
     [("D6", "formula-without-value")]),
    (lambda p: write_xlsxwriter(p / "cases.xlsx", long({"F5": None, "F6": None}),
                                merges={"F5:F6": "Inspector"}),
     [("F5", "merged-cells")]),
], ids=["error-in-case-ref", "formula-in-case-type", "merge-in-assessor"])
def test_an_unreadable_cell_is_not_also_reported_blank(tmp_path, rubric, write, expected):
    problems = found(write(tmp_path), rubric)
    assert flatten(problems, "cell", "code") == expected


@pytest.mark.parametrize("changes, cells", [
    ({"A5": 1, "A6": 2, "A8": 3}, ["A5", "A6", "A8"]),
    ({"M4": None, "N4": "Notes", "M6": "see file", "N6": "ok"}, ["M6"]),
], ids=["numbered-rows-in-column-a", "blank-header-between-headers"])
def test_a_value_under_a_blank_header_inside_the_table_is_a_warning(tmp_path, rubric,
                                                                    changes, cells):
    table = edit({r: [None, *cells] for r, cells in LONG.items()}, changes, lead=0)
    path = write_xlsxwriter(tmp_path / "cases.xlsx", table, lead=0)
    problems = found(path, rubric)
    assert flatten(problems, "cell", "code", "severity") == [
        (cell, "value-without-header", W) for cell in cells]


def test_a_wide_row_typed_twice_is_one_duplicate(tmp_path, rubric):
    path = write_xlsxwriter(tmp_path / "cases.xlsx", wide({"8": WIDE[4]}), lead=0)
    assert flatten(found(path, rubric), "cell", "code") == [("A8", "duplicate-audit")]


@pytest.mark.parametrize("write, row", [
    (lambda p: write_xlsxwriter(p / "cases.xlsx", long({
        "H4": None, "H5": None, "H6": None, "I8": None, "J8": None, "K8": None,
        "L8": None})), 8),
    (lambda p: write_xlsxwriter(p / "cases.xlsx", wide({
        "F3": None, "F4": None, "F5": None, "F7": None, "E7": None, "B7": "SA"}), lead=0), 7),
], ids=["long-without-grade", "wide-without-inspector-grade"])
def test_an_audit_with_nothing_is_located_at_a_cell(tmp_path, rubric, write, row):
    [problem] = [p for p in found(write(tmp_path), rubric) if p.code == "no-grade-or-answers"]
    assert problem.row == row
    assert problem.cell is not None and problem.column is not None


def test_wrong_assessor_message_reads_well(tmp_path, rubric):
    case = UNIT_CASES["assessor_other_side"][0]
    [problem] = found(case.write(tmp_path), rubric, case.only)
    assert "this row is an inspector audit" in problem.message


@pytest.mark.parametrize("changes", [{"E6": " OLDHAM "}, {"M4": "Gender", "M5": "F", "M6": "Girl"},
                                     {"M4": "Age", "M5": 7, "M6": "7"}])
def test_the_same_detail_typed_differently_is_no_disagreement(tmp_path, rubric, changes):
    path = write_openpyxl(tmp_path / "cases.xlsx", long(changes))
    assert not [p for p in found(path, rubric) if p.code.endswith("-differs")]


@pytest.mark.parametrize("write, expected", [
    (lambda p: write_openpyxl(p / "cases.xlsx", long({"F6": "Force", "G6": "31/02/2014"})),
     [("G6", "impossible-date"), ("F6", "duplicate-audit")]),
    (lambda p: write_csv(p / "cases.csv", wide({"8": ["W-01", "Self assessed", "DA", "Bury",
                                                      "Goood", "Good"]})),
     [("F8", "unknown-grade"), ("B8", "duplicate-audit")]),
], ids=["long", "wide"])
def test_a_duplicate_with_another_mistake_is_reported_in_the_same_run(tmp_path, rubric,
                                                                      write, expected):
    """Fixing the other mistake must not reveal a duplicate the first run kept quiet."""
    problems = found(write(tmp_path), rubric)
    assert [(p.cell, p.code) for p in problems] == expected
    assert "already" in problems[-1].message
