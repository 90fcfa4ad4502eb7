"""Time hmic-audit's commands as whole processes beside reference scripts; write a report.

    python benchmarks/run.py                     # 1k, 10k, 100k xlsx and 1M CSV -> BENCHMARKS.md
    python benchmarks/run.py --sizes 1000 --runs 3 --out /tmp/bench.md
    python benchmarks/run.py --smoke --out /tmp/smoke.md   # seconds; run by the test suite

For each size it generates a workbook (``generate.py``), then times, with the median of
``--runs`` runs (peak memory from the operating system), each command and, in the same
run, its references:

* ``fastexcel read`` - a script that only reads the file with fastexcel (Rust calamine to
  Arrow), the fastest raw reader; ``grade`` must stay within 2x of it;
* ``pandas read_excel`` - pandas' default reader (openpyxl);
* ``plain script`` - pandas + openpyxl + a pydantic model per row + a per-row scoring
  loop: what a straightforward script doing the same grading looks like;
* ``xlsxwriter direct`` - the time xlsxwriter alone takes to write the same graded table
  (timed inside the script, around the writing only).

Not part of the default test run (``tests/test_benchmarks.py`` runs ``--smoke``).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FORCE = ROOT / "sample_cases" / "gmp-2014" / "force.yaml"

READ_FASTEXCEL = """
import sys, fastexcel
fastexcel.read_excel(sys.argv[1]).load_sheet(0, dtypes="string").to_arrow()
"""
READ_PANDAS = """
import sys, pandas
pandas.read_excel(sys.argv[1], dtype=str)
"""
PLAIN_SCRIPT = """
import sys, pandas
from pydantic import BaseModel
from hmic_audit import load_rubric
rubric = load_rubric()
frame = pandas.read_excel(sys.argv[1], dtype=str, keep_default_na=False)
class Row(BaseModel):
    case_ref: str
    case_type: str
    assessor: str
    grade: str
    answers: dict[str, str]
ids = rubric.criterion_ids
points = {"yes": 1.0, "partly": 0.5, "no": 0.0}
weights = {c.id: c.weight for c in rubric.criteria}
counts = {}
for record in frame.to_dict("records"):
    row = Row(case_ref=record["Case ref"], case_type=record["Case type"],
              assessor=record["Assessor"], grade=record["Grade"],
              answers={i: record[i] for i in ids if record[i]})
    ct = rubric.parse_case_type(row.case_type)
    earned = possible = 0.0
    for cid, answer in row.answers.items():
        if answer in points and rubric.applies(cid, ct):
            earned += weights[cid] * points[answer]
            possible += weights[cid]
    score = 100 * earned / possible if possible else None
    grade = rubric.parse_grade(row.grade) if row.grade else None
    if grade is None and score is not None:
        grade = next(g for g in rubric.grade_keys if score >= rubric.bands[g] - 1e-9)
    counts[grade] = counts.get(grade, 0) + 1
print(counts)
"""
XLSXWRITER_DIRECT = """
import sys, csv, time, io, xlsxwriter
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig")))
started = time.perf_counter()
wb = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
ws = wb.add_worksheet("Graded")
for r, row in enumerate(rows):
    for c, value in enumerate(row):
        if value:
            ws.write_string(r, c, value)
wb.close()
print(time.perf_counter() - started)
"""


@dataclass
class Timing:
    label: str
    seconds: list[float]
    peak_mb: float

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall time, peak RSS (MB) and stdout of one whole process."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,  # noqa: S603
                            env=env)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} failed")
    return elapsed, usage.ru_maxrss / 1024, out.decode(errors="replace")


def measure(label: str, argv: list[str], runs: int, env: dict[str, str]) -> Timing:
    times, peak = [], 0.0
    for _ in range(runs):
        elapsed, rss, _ = _run(argv, env)
        times.append(elapsed)
        peak = max(peak, rss)
    print(f"  {label}: {statistics.median(times):.2f} s, {peak:.0f} MB", file=sys.stderr)
    return Timing(label, times, peak)


def bench_size(n: int, folder: Path, runs: int, heavy_runs: int, env: dict[str, str],
               exe: str, plain: bool) -> list[Timing]:
    suffix = ".csv" if n >= 1_000_000 else ".xlsx"
    data = folder / f"audits-{n}{suffix}"
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(n), "--out", str(data)],  # noqa: S603
                   check=True, env=env)
    print(f"{n:,} audits ({data.stat().st_size / 1e6:.1f} MB {suffix})", file=sys.stderr)
    py = sys.executable
    out = []
    if suffix == ".xlsx":
        out.append(measure("fastexcel read (reference)", [py, "-c", READ_FASTEXCEL, str(data)],
                           runs, env))
    out.append(measure("hmic-audit grade", [exe, "grade", str(data)], runs, env))
    if suffix == ".xlsx":
        graded_csv = folder / f"graded-{n}.csv"
        _run([exe, "grade", str(data), "--out", str(graded_csv)], env)
        writes = [float(_run([py, "-c", XLSXWRITER_DIRECT, str(graded_csv)], env)[2])
                  for _ in range(runs)]
        out.append(Timing("xlsxwriter direct, same table (reference, write only)", writes, 0))
        out.append(measure("hmic-audit grade --out graded.xlsx",
                           [exe, "grade", str(data), "--out", str(folder / "g.xlsx")], runs,
                           env))
        if plain:
            out.append(measure("pandas read_excel, openpyxl (reference)",
                               [py, "-c", READ_PANDAS, str(data)], runs, env))
            out.append(measure("plain pandas+openpyxl+pydantic script (reference)",
                               [py, "-c", PLAIN_SCRIPT, str(data)], runs, env))
    if n >= 1_000_000:
        return out  # the model-based commands are not built for a million audits yet
    out.append(measure("hmic-audit validate", [exe, "validate", str(data)], heavy_runs, env))
    out.append(measure("hmic-audit compare", [exe, "compare", str(data)], heavy_runs, env))
    out.append(measure("hmic-audit annex", [exe, "annex", str(data), "--out",
                                            str(folder / "annex.xlsx")], heavy_runs, env))
    if n <= 100_000:
        out.append(measure("hmic-audit report", [exe, "report", str(data), "--force",
                                                 str(FORCE), "--out",
                                                 str(folder / "report.html")], heavy_runs,
                           env))
    return out


def machine() -> list[str]:
    versions = []
    for name in ("hmic-audit", "fastexcel", "pyarrow", "numpy", "pandas", "openpyxl",
                 "xlsxwriter", "pydantic", "python-calamine"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return [f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, "
            f"{platform.system()} {platform.release()}",
            f"- Python {platform.python_version()}; " + ", ".join(versions)]


def report(results: dict[int, list[Timing]], runs: int, help_time: Timing) -> str:
    lines = ["# Benchmarks", "",
             "Whole-process wall times (median of the runs shown), peak resident memory, on:",
             "", *machine(), "",
             f"`hmic-audit --help`: {help_time.median:.3f} s (median of {len(help_time.seconds)})",
             ""]
    for n, timings in results.items():
        by = {t.label: t for t in timings}
        lines += [f"## {n:,} audits", "", "| step | median s | runs | peak MB |",
                  "|---|---:|---:|---:|"]
        lines += [f"| {t.label} | {t.median:.2f} | {len(t.seconds)} | "
                  f"{t.peak_mb:.0f} |" for t in timings]
        grade = by.get("hmic-audit grade")
        fast = by.get("fastexcel read (reference)")
        plain = by.get("plain pandas+openpyxl+pydantic script (reference)")
        write = by.get("xlsxwriter direct, same table (reference, write only)")
        out = by.get("hmic-audit grade --out graded.xlsx")
        lines.append("")
        if grade and fast:
            lines.append(f"- grade / fastexcel read: **{grade.median / fast.median:.2f}x** "
                         "(target at most 2x)")
        if grade and plain:
            lines.append(f"- plain script / grade: **{plain.median / grade.median:.1f}x "
                         "faster** (target at least 6x)")
        if out and write and grade:
            budget = write.median + grade.median
            lines.append(f"- grade --out xlsx / (xlsxwriter write + grade): "
                         f"**{out.median / budget:.2f}x** (target at most 1.3x)")
        if grade and n >= 1_000_000:
            lines.append(f"- {n:,} audits from CSV: **{grade.median:.1f} s**, peak "
                         f"**{grade.peak_mb / 1024:.2f} GB** (targets under 15 s, 3 GB)")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*",
                        default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--heavy-runs", type=int, default=1,
                        help="runs for the slow references and the other commands")
    parser.add_argument("--no-plain", action="store_true",
                        help="skip the pandas+openpyxl references")
    parser.add_argument("--smoke", action="store_true", help="a tiny run, for the tests")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.runs, args.heavy_runs, args.no_plain = [300], 1, 1, True
    exe = shutil.which("hmic-audit", path=str(Path(sys.executable).parent)) or "hmic-audit"
    env = {**os.environ, "COLUMNS": "120"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        help_time = measure("hmic-audit --help", [exe, "--help"], max(args.runs, 5), env)
        results = {n: bench_size(n, folder, args.runs, args.heavy_runs, env, exe,
                                 not args.no_plain and n <= 100_000)
                   for n in args.sizes}
    args.out.write_text(report(results, args.runs, help_time), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
