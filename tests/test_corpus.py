"""The planted-mistake corpus: ``validate`` reports exactly the mistakes planted, each at
its cell, and nothing else.

``tests/corpus/files/`` holds workbooks typed the way inspectors and force analysts type
them (title rows, every header spelling, every date form, aliases, blank rows) and saved
the way their programs save them (xlsx from Excel-like writers and from openpyxl, CSV in
UTF-8, UTF-8 with BOM, Windows-1252, semicolon- and tab-delimited, ``.ods``, ``.xls``).
``tests/corpus/manifest.yaml`` lists, for each file, every problem planted in it (code,
severity, and cell; or row for a problem about a header row; or neither for the file),
the exit code, and for "did you mean" messages the text the message must hold. Both are
written by ``tests/corpus/build.py`` (see its docstring to regenerate them); the test
needs no writer.

For each file ``hmic-audit validate FILE --format json`` is run in-process, and the
multiset of (code, severity, location) it reports must equal the manifest's: a missing
problem and a spurious one both fail, notices included.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import invoke

CORPUS = Path(__file__).resolve().parent / "corpus"
FILES = CORPUS / "files"
MANIFEST: list[dict[str, Any]] = yaml.safe_load(
    (CORPUS / "manifest.yaml").read_text(encoding="utf-8"))["files"]

Key = tuple[str, str, str]


def location(problem: dict[str, Any]) -> str:
    """Where a problem is: its cell, else its row, else the file as a whole."""
    if problem.get("cell"):
        return str(problem["cell"])
    if problem.get("row") is not None:
        return f"row {problem['row']}"
    return "file"


def key(problem: dict[str, Any]) -> Key:
    return (str(problem["code"]), str(problem["severity"]), location(problem))


def _words(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").split())


def validate(runner: Any, path: Path) -> tuple[int, list[dict[str, Any]]]:
    """Exit code and problems of ``validate --format json``."""
    result = invoke(runner, "validate", path, "--format", "json")
    assert result.stdout.strip(), f"no JSON on stdout (exit {result.exit_code}): " \
        f"{result.stderr[-2000:]}"
    doc = json.loads(result.stdout)
    return result.exit_code, list(doc.get("problems", []))


def mismatch(expected: list[dict[str, Any]], found: list[dict[str, Any]]) -> str:
    """The difference between the problems planted and those reported, for a person."""
    want, got = Counter(map(key, expected)), Counter(map(key, found))
    lines = []
    for k in sorted((want - got).elements()):
        note = next((e.get("note") for e in expected if key(e) == k), None)
        lines.append(f"  missing : {k[0]} ({k[1]}) at {k[2]}" + (f"  [{note}]" if note else ""))
    for k in sorted((got - want).elements()):
        message = next(p.get("message", "") for p in found if key(p) == k)
        lines.append(f"  spurious: {k[0]} ({k[1]}) at {k[2]}  - {message[:140]}")
    return "\n".join(lines)


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_validate_reports_exactly_the_planted_mistakes(runner, entry):
    path = FILES / entry["file"]
    code, found = validate(runner, path)
    expected = entry["problems"]
    diff = mismatch(expected, found)
    assert not diff, f"{entry['file']} ({entry['description']}):\n{diff}"
    for planted in expected:
        if planted.get("suggest"):
            messages = [p.get("message", "") for p in found if key(p) == key(planted)]
            assert any(_words(planted["suggest"]) in _words(m) for m in messages), (
                f"{entry['file']} {location(planted)}: no message suggests "
                f"{planted['suggest']!r}: {messages}")
    assert code == entry["exit"], (
        f"{entry['file']}: exit {code}, expected {entry['exit']} "
        f"({sum(p['severity'] == 'error' for p in found)} errors reported)")


# The corpus itself --------------------------------------------------------------------

PLANTED_CODES = {
    # existing codes
    "unknown-case-type", "unknown-sample", "unknown-gender", "unknown-example",
    "unknown-theme", "unknown-grade", "unknown-assessor", "unknown-answer",
    "missing-case-ref", "missing-case-type", "missing-assessor", "bad-age",
    "duplicate-audit", "case-type-mismatch", "sample-mismatch",
    "force-audit-of-inspector-case", "incomplete-case", "criterion-not-applicable",
    "no-grade-or-answers", "duplicate-column", "unknown-column", "value-without-header",
    "reference-normalised", "encoding-guessed", "error-cell", "formula-without-value",
    "merged-cells", "missing-column", "missing-header",
    # issue 11
    "bad-date", "impossible-date", "future-date", "early-date", "month-first-date",
    "misnamed-column", "area-differs", "age-differs", "gender-differs", "no-audits",
    "control-characters", "cell-too-long", "external-link",
    # notices
    "header-below-title", "delimiter-detected", "value-trimmed", "value-normalised",
    "formula-value-used",
}


def test_the_corpus_covers_what_people_send():
    names = [e["file"] for e in MANIFEST]
    assert len(names) >= 30 and len(set(names)) == len(names)
    assert sorted(p.name for p in FILES.iterdir()) == sorted(names), \
        "every corpus file is in the manifest and every manifest file exists"
    suffixes = Counter(Path(n).suffix for n in names)
    assert {".xlsx", ".csv", ".ods", ".xls", ".txt"} <= set(suffixes)
    raw = {n: (FILES / n).read_bytes() for n in names if n.endswith((".csv", ".txt"))}
    assert any(b.startswith(b"\xef\xbb\xbf") for b in raw.values()), "UTF-8 with BOM"
    assert any(not b.startswith((b"\xef\xbb\xbf", b"\xff\xfe")) and _is_utf8(b)
               for b in raw.values()), "UTF-8 without BOM"
    assert any(b.startswith(b"\xff\xfe") for b in raw.values()), "UTF-16 (Unicode Text)"
    assert any(not _is_utf8(b) and not b.startswith(b"\xff\xfe")
               for b in raw.values()), "Windows-1252"
    assert any(b.splitlines()[0].count(b";") > 3 for b in raw.values()), "semicolons"
    assert sum(not e["problems"] for e in MANIFEST) >= 5, "clean files"
    rows = [e["audit_rows"] for e in MANIFEST]
    assert min(rows) <= 3 and max(rows) >= 200, "small and medium files"
    planted = Counter(p["code"] for e in MANIFEST for p in e["problems"])
    assert PLANTED_CODES <= set(planted), sorted(PLANTED_CODES - set(planted))


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
