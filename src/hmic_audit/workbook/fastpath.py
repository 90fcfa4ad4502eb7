"""The fast path for large clean workbooks: columns, not rows.

``read_frame`` reads an .xlsx (after the same pre-flight check) with fastexcel, or a UTF-8
CSV with pyarrow, into Arrow string columns, and validates them column by column: each
column is dictionary-encoded, each *distinct* value is parsed once, and the codes are
spread back with numpy. Cross-row checks (duplicates, a case's type and sample) run on
integer codes.

It only accepts what it can prove clean. At the first sign of any problem or row-level
warning it returns ``None``, and the caller uses the row-by-row reader in
``read``/``validate``, which produces the located messages. So the two paths always agree
(tests compare them on generated data), and the fast one never has to explain anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..io.preflight import check_xlsx
from ..io.sheets import CASES_SHEET, RawTable, find_header, header_width
from ..problems import Problem
from ..rubric import Rubric
from ..scoring.score import ANSWER_CODES, applicability
from ..text import clean_reference, clean_text, header_key, label_key
from .models import (
    ASSESSOR_ALIASES,
    EXAMPLE_ALIASES,
    GENDER_ALIASES,
    SAMPLE_ALIASES,
    Assessor,
    Audit,
    AuditSet,
    Sample,
    SourceRow,
)
from .validate import _Collector, map_columns, parse_age, parse_date, possible_date

ASSESSORS = list(Assessor)
SAMPLES = list(Sample)


@dataclass
class Column:
    """A dictionary-encoded column: distinct values and, per row, an index (-1 = blank)."""

    values: list[str]
    index: np.ndarray

    def parsed(self, parse: Any) -> list[Any] | None:
        """Each distinct value parsed; None when any does not parse."""
        out = [parse(v) for v in self.values]
        return None if any(x is None for x in out) else out


@dataclass
class AuditFrame:
    """Validated audits as columns (one row per audit, in workbook order)."""

    file: str
    sheet: str | None
    sha256: str
    rows: np.ndarray  # row numbers as the spreadsheet shows them
    case_ref: Column
    ref_id: np.ndarray  # one id per case (references compared ignoring case)
    sample: np.ndarray  # index into SAMPLES
    case_type: np.ndarray  # index into rubric.case_type_keys
    assessor: np.ndarray  # index into ASSESSORS
    grade: np.ndarray  # index into rubric.grade_keys, -1 when none written
    answers: np.ndarray  # answer codes, audits x criteria
    extra: dict[str, tuple[Column, list[Any]]]
    """Optional fields: name -> (column, parsed distinct values)."""
    warnings: list[Problem]
    fields: list[str]
    """Workbook fields the file had columns for, as the row reader lists them."""

    def __len__(self) -> int:
        return len(self.rows)

    def value(self, name: str, i: int) -> Any:
        if name not in self.extra:
            return None
        column, parsed = self.extra[name]
        k = column.index[i]
        return None if k < 0 else parsed[k]

    def refs(self) -> list[str]:
        values = self.case_ref.values
        return [values[k] for k in self.case_ref.index]

    def to_audit_set(self, rubric: Rubric) -> AuditSet:
        """The same audits as pydantic models (for the API and the other commands)."""
        ids = rubric.criterion_ids
        types = rubric.case_type_keys
        grades = rubric.grade_keys
        answer_names: dict[int, Any] = {v: k for k, v in ANSWER_CODES.items()}
        refs = self.refs()
        audits = []
        for i in range(len(self)):
            row = self.answers[i]
            audits.append(Audit(
                case_ref=refs[i], sample=SAMPLES[self.sample[i]],
                case_type=types[self.case_type[i]], assessor=ASSESSORS[self.assessor[i]],
                area=self.value("area", i), force=self.value("force", i),
                audit_date=self.value("audit_date", i), child_age=self.value("child_age", i),
                child_gender=self.value("child_gender", i),
                grade=grades[self.grade[i]] if self.grade[i] >= 0 else None,
                answers={ids[j]: answer_names[int(row[j])] for j in np.flatnonzero(row)},
                example=self.value("example", i), example_theme=self.value("example_theme", i),
                notes=self.value("notes", i),
                source=SourceRow(file=self.file, sheet=self.sheet, row=int(self.rows[i]))))
        return AuditSet(file=self.file, sha256=self.sha256, layout="long", sheet=self.sheet,
                        audits=audits, fields=self.fields)


def _encode(array: Any) -> Column:
    """Dictionary-encode a column; distinct values trimmed (and merged when trimming makes
    them equal); a cell holding only spaces is blank."""
    import pyarrow.compute as pc

    if hasattr(array, "combine_chunks"):  # a CSV table's columns come in chunks
        array = array.combine_chunks()
    encoded = pc.dictionary_encode(array)
    raw = encoded.dictionary.to_pylist()
    index = _indices(encoded.indices)
    values: list[str] = []
    position: dict[str, int] = {}
    remap = np.empty(len(raw) + 1, dtype=np.int64)
    remap[-1] = -1
    for k, value in enumerate(raw):
        value = value.strip()
        remap[k] = -1 if not value else position.setdefault(value, len(values))
        if len(values) < len(position):
            values.append(value)
    return Column(values, remap[index])


def _indices(indices: Any) -> np.ndarray:
    """Dictionary indices as int64, blanks (nulls) as -1, read straight from the Arrow
    buffers (pyarrow's own conversions import pandas just to look for pandas objects)."""
    n, offset = len(indices), indices.offset
    validity, data = indices.buffers()[:2]
    values = np.frombuffer(data, dtype=np.int32)[offset:offset + n].astype(np.int64)
    if indices.null_count and validity is not None:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        values[~bits[offset:offset + n].astype(bool)] = -1
    return values


def _cell_text(value: str) -> str:
    """fastexcel writes Excel dates as 'YYYY-MM-DD 00:00:00'; the reader writes the date."""
    if len(value) == 19 and value.endswith(" 00:00:00") and value[4] == "-":
        return value[:10]
    return value


def read_frame(path: str | Path, rubric: Rubric, *, sheet: str | None = None
               ) -> AuditFrame | None:
    """Read and validate a clean long-layout .xlsx or .csv as columns; None if anything
    is off (the caller then uses the row-by-row reader)."""
    path = Path(path)
    if not path.is_file():
        return None
    suffix = path.suffix.lower()
    loaded: tuple[Any, int, str | None, str] | None
    if suffix in (".xlsx", ".xlsm"):
        loaded = _xlsx_batch(path, sheet)
    elif suffix in (".csv", ".txt") and sheet is None:
        loaded = _csv_batch(path)
    else:
        return None
    if loaded is None:
        return None
    batch, first_row, sheet_name, digest = loaded
    columns = batch.columns
    height = batch.num_rows
    header_at = find_header([(c[i].as_py() or "").strip() for c in columns]
                            for i in range(height))
    if header_at is None:
        return None
    headers = [(c[header_at].as_py() or "").strip() for c in columns]
    width = header_width(headers)
    body = batch.slice(header_at + 1)
    encoded = [_encode(c) for c in body.columns]
    filled = np.zeros(body.num_rows, dtype=bool)
    for col in encoded:
        filled |= col.index >= 0
    if any((col.index >= 0).any() for col in encoded[width:]):
        return None  # a value under no header: the row reader warns about it
    keep = np.flatnonzero(filled)
    rows = keep + first_row + header_at + 1
    encoded = [Column(c.values, c.index[keep]) for c in encoded[:width]]
    table = RawTable(file=path.name, path=path, format=suffix.lstrip("."), sheet=sheet_name,
                     header_row=int(first_row + header_at), headers=headers[:width],
                     rows=[])
    out = _Collector(table)
    mapped = map_columns(table, rubric, out)
    if any(p.is_error for p in out.problems) or "assessor" not in mapped:
        return None
    if "case_ref" not in mapped or "case_type" not in mapped:
        return None
    return _validate(table, mapped, encoded, rows, rubric, out.problems, digest)


def _xlsx_batch(path: Path, sheet: str | None) -> tuple[Any, int, str, str] | None:
    """The sheet as Arrow string columns, after the pre-flight check; with the row its
    grid starts on."""
    scan = check_xlsx(path, path.name)
    if scan.problems:
        return None
    try:
        import fastexcel
    except ImportError:  # pragma: no cover - fastexcel is a dependency
        return None
    reader = fastexcel.read_excel(str(path))
    names = reader.sheet_names
    if sheet is None:
        by_key = {header_key(n): n for n in names}
        sheet = by_key.get(header_key(CASES_SHEET), names[0] if names else None)
    if sheet is None or sheet not in names or sheet not in scan.sheets:
        return None
    facts = scan.sheets[sheet]
    if facts.errors or facts.uncached or facts.first_row is None:
        return None
    loaded = reader.load_sheet(sheet, header_row=None, dtypes="string")
    if any(c.absolute_index != i for i, c in enumerate(loaded.available_columns())):
        return None  # the grid does not start in column A: leave it to the row reader
    return loaded.to_arrow(), facts.first_row, sheet, _sha256(path)


def _csv_batch(path: Path) -> tuple[Any, int, None, str] | None:
    """A UTF-8 CSV as Arrow string columns (every record a row, as the row reader counts
    them); None for anything the row reader handles more carefully: other encodings,
    blank lines, ragged rows."""
    import csv

    import pyarrow as pa
    import pyarrow.csv as pacsv

    data = path.read_bytes()
    if b"\x00" in data or b"\n\n" in data or b"\r\n\r\n" in data or b"\r\r" in data:
        return None
    head = data[:8192].decode("utf-8-sig", errors="ignore")
    try:
        delimiter = csv.Sniffer().sniff(head, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    first_line = head.splitlines()[0] if head else ""
    width = len(next(csv.reader([first_line], delimiter=delimiter), []))
    names = [f"f{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter,
                                             newlines_in_values=b'"' in data),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        return None
    import hashlib

    return table, 1, None, hashlib.sha256(data).hexdigest()


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _codes(column: Column, parsed: list[Any], order: list[Any], missing: int = -1
           ) -> np.ndarray:
    lookup = np.array([order.index(p) for p in parsed] + [missing], dtype=np.int64)
    return lookup[column.index]  # index -1 picks the trailing 'missing'


def _validate(table: RawTable, mapped: dict[str, Any], encoded: list[Column],
              rows: np.ndarray, rubric: Rubric, warnings: list[Problem],
              digest: str) -> AuditFrame | None:
    col = {name: encoded[c.index] for name, c in mapped.items()}
    n = len(rows)
    ref = col["case_ref"]
    if (ref.index < 0).any():
        return None
    if all(v.isascii() and v.isprintable() for v in ref.values):
        refs = [" ".join(v.split()) for v in ref.values]  # NFKC leaves printable ASCII be
    else:
        refs = [clean_reference(_cell_text(v)) for v in ref.values]
    if any(r != " ".join(v.split()) or not r for r, v in zip(refs, ref.values, strict=True)):
        return None  # folded lookalikes: the row reader warns about each
    folded: dict[str, int] = {}
    case_of_value = np.array([folded.setdefault(r.casefold(), len(folded)) for r in refs])
    ref_id = case_of_value[ref.index]

    def parsed_codes(name: str, parse: Any, order: list[Any], required: bool) -> Any:
        column = col.get(name)
        if column is None:
            return None if required else np.full(n, -1)
        if required and (column.index < 0).any():
            return None
        values = column.parsed(lambda v: parse(_cell_text(v)))
        return None if values is None else _codes(column, values, order)

    case_type = parsed_codes("case_type", rubric.parse_case_type, rubric.case_type_keys, True)
    assessor = parsed_codes("assessor", lambda t: ASSESSOR_ALIASES.get(label_key(t)),
                            ASSESSORS, True)
    sample = parsed_codes("sample", lambda t: SAMPLE_ALIASES.get(label_key(t)), SAMPLES,
                          False)
    grade = parsed_codes("grade", rubric.parse_grade, rubric.grade_keys, False)
    if case_type is None or assessor is None or sample is None or grade is None:
        return None
    answers = np.zeros((n, len(rubric.criteria)), dtype=np.int8)
    for name, c in mapped.items():
        if c.criterion:
            column = col[name]
            values = column.parsed(rubric.parse_answer)
            if values is None:
                return None
            lookup = np.array([ANSWER_CODES[v] for v in values] + [0], dtype=np.int8)
            answers[:, rubric.criterion_ids.index(c.criterion)] = lookup[column.index]
    extra = _extras(col, rubric)
    if extra is None:
        return None
    # Cross-row checks, on codes.
    applies = applicability(rubric)[case_type]
    if (((answers >= 1) & (answers <= 3)) & ~applies).any():
        return None
    if ((grade < 0) & (answers == 0).all(axis=1)).any():
        return None
    pair = ref_id * 2 + assessor
    if len(np.unique(pair)) != n:
        return None
    first = np.full(len(folded), -1)
    first[ref_id[::-1]] = np.arange(n)[::-1]  # the first audit of each case
    if (case_type != case_type[first[ref_id]]).any():
        return None
    given = np.full(len(folded), -1)
    has_sample = sample >= 0
    given[ref_id[has_sample]] = sample[has_sample]
    if (has_sample & (sample != given[ref_id])).any():
        return None
    force = assessor == ASSESSORS.index(Assessor.FORCE)
    has_force = np.bincount(ref_id, weights=force, minlength=len(folded)) > 0
    audits_per_case = np.bincount(ref_id, minlength=len(folded))
    self_code, further_code = SAMPLES.index(Sample.SELF_ASSESSED), SAMPLES.index(
        Sample.INSPECTOR_SELECTED)
    settled = np.where(given >= 0, given, np.where(has_force, self_code, further_code))
    if (has_force & (settled == further_code)).any():
        return None
    if ((settled == self_code) & (audits_per_case < 2)).any():
        return None  # an incomplete self-assessed case: the row reader warns
    return AuditFrame(
        file=table.file, sheet=table.sheet, rows=rows, sha256=digest,
        case_ref=Column(refs, ref.index),
        ref_id=ref_id, sample=settled[ref_id], case_type=case_type, assessor=assessor,
        grade=grade, answers=answers, extra=extra, warnings=warnings,
        fields=[name for name in mapped if not name.startswith("criterion:")])


def _extras(col: dict[str, Column], rubric: Rubric) -> dict[str, tuple[Column, list[Any]]] | None:
    def date(text: str) -> dt.date | None:
        value = parse_date(text)
        return value if value and possible_date(value) else None

    parsers = {
        "area": lambda t: clean_text(t) or None, "force": lambda t: clean_text(t) or None,
        "audit_date": date, "child_age": parse_age,
        "child_gender": lambda t: GENDER_ALIASES.get(label_key(t)),
        "example": lambda t: EXAMPLE_ALIASES.get(label_key(t)),
        "example_theme": rubric.parse_theme, "notes": lambda t: t or None,
    }
    out = {}
    for name, parse in parsers.items():
        column = col.get(name)
        if column is None:
            continue
        values = [parse(_cell_text(v)) for v in column.values]
        if any(v is None for v in values) and name not in ("area", "force", "notes"):
            return None
        out[name] = (column, values)
    return out
