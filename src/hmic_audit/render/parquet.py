"""Tables as Parquet, for the BI tools forces already use (Power BI and Tableau read it).

``grade --out graded.parquet`` writes one row per audit (the analyst's DataFrame of
:meth:`GradeResult.to_pandas`), ``compare --out cases.parquet`` one row per compared case,
and ``annex --out FOLDER --table-files parquet`` one file per table (a count, share or
interval hidden for publication is null, its symbol - ``c`` - in a ``<column>_symbol``
column beside it, so the numbers stay numbers).
Columns are typed: counts and scores as numbers, dates as dates, flags as booleans, and
grades as ordered categories (best grade first: an Arrow dictionary marked ordered, and
pandas reads them back as ``Categorical(ordered=True)``); answers and case types as
categories. The file's metadata (key ``hmic_audit``, JSON) names the rubric (name,
version, SHA-256), the hmic-audit version and each input (file name and SHA-256), so a
dashboard can show what it was built from.

The same input gives the same bytes with the same pyarrow (which names itself in the
file).
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from ..rubric import Rubric

METADATA_KEY = b"hmic_audit"


def provenance(rubric: Rubric, inputs: Sequence[Any]) -> dict[str, Any]:
    """What the file was made from: the rubric, the tool and the inputs (``InputRef``)."""
    from ..rubric_file import running_version

    return {"rubric": {"name": rubric.name, "version": rubric.version,
                       "sha256": rubric.sha256},
            "hmic_audit": running_version(),
            "inputs": [{"file": i.file, "sha256": i.sha256} for i in inputs]}


def frame_parquet(frame: pd.DataFrame, facts: dict[str, Any]) -> bytes:
    """A DataFrame as Parquet bytes, ``facts`` in the metadata under ``hmic_audit``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    metadata[METADATA_KEY] = json.dumps(facts, sort_keys=True).encode("utf-8")
    table = table.replace_schema_metadata(metadata)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def annex_table_frame(table: Any) -> pd.DataFrame:
    """An annex table with numbers as numbers: counts as nullable integers, shares,
    intervals and statistics as floats, a hidden cell null with its symbol beside it."""
    import pandas as pd

    data: dict[str, Any] = {}
    for j, column in enumerate(table.columns):
        values = [row[j] for row in table.rows]
        if column.kind in ("label", "text"):
            data[column.key] = pd.array([None if v is None else str(v) for v in values],
                                        dtype="string")
            continue
        numbers = [v if isinstance(v, int | float) and not isinstance(v, bool) else None
                   for v in values]
        kind = "Int64" if column.kind == "count" else "Float64"
        data[column.key] = pd.array(numbers, dtype=kind)
        symbols = [v if isinstance(v, str) else None for v in values]
        if any(symbols):
            data[f"{column.key}_symbol"] = pd.array(symbols, dtype="string")
    return pd.DataFrame(data)
