"""The benchmark suite runs (at a tiny size) so it cannot rot; the real run is manual."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_benchmark_smoke(tmp_path):
    out = tmp_path / "bench.md"
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--out", str(out)],
        capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    for step in ("fastexcel read (reference)", "hmic-audit grade", "hmic-audit validate",
                 "hmic-audit compare", "hmic-audit annex", "hmic-audit report",
                 "hmic-audit grade --format json", "long layout", "wide layout",
                 "One bad cell", "audits from CSV"):
        assert step in text, step
    assert "`hmic-audit --help`" in text
