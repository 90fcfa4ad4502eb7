"""Time hmic-audit's commands as whole processes beside a reference read; write a report.

    python benchmarks/run.py                      # 10k and 100k xlsx (long, wide), 1M CSV
    python benchmarks/run.py --sizes 1000 --runs 3 --out /tmp/bench.md
    python benchmarks/run.py --smoke --out /tmp/smoke.md   # seconds; run by the test suite

For each size and layout (long: one row per audit with answers; wide: one row per case,
grades only) it generates a workbook (``generate.py``), then runs every command and the
reference in turn, A B A B ..., and takes each ratio pair by pair (so a machine whose
speed drifts during the run does not skew it). Reported: the median wall time of each
command, its peak resident memory, and the median of its pairwise ratios to the
reference:

* ``fastexcel read`` - a script that only reads the file with fastexcel (Rust calamine
  to Arrow), the fastest raw reader there is.

It also times a copy of the largest long workbook with one bad cell (against the clean
file), and every command on a million audits from CSV (absolute targets: under 15 s and
2 GB). Outputs go to /dev/null or a temporary folder, never through a pipe.

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
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FORCE = ROOT / "sample_cases" / "gmp-2014" / "force.yaml"

READ_FASTEXCEL = """
import sys, fastexcel
fastexcel.read_excel(sys.argv[1]).load_sheet(0, dtypes="string").to_arrow()
"""

TARGETS = {"grade": 1.5, "validate": 1.5, "compare": 2.0, "annex": 2.0, "report": 2.5,
           "grade --format json": 2.5}
"""Largest median ratio to the reference read, per command (at 100,000 audits)."""


@dataclass
class Step:
    label: str
    seconds: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    peak_mb: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def ratio(self) -> float | None:
        return statistics.median(self.ratios) if self.ratios else None


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall time, peak RSS (MB) and exit code of one whole process (output discarded)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,  # noqa: S603
                            env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def paired(label: str, argv: list[str], reference: list[str] | None, runs: int,
           env: dict[str, str], codes: tuple[int, ...] = (0,)) -> Step:
    """Run a command (and the reference, in turn) ``runs`` times."""
    step = Step(label)
    for _ in range(runs):
        elapsed, rss, code = _run(argv, env)
        if code not in codes:
            raise RuntimeError(f"{' '.join(argv)} exited {code}")
        step.seconds.append(elapsed)
        step.peak_mb = max(step.peak_mb, rss)
        if reference is not None:
            base, _, _ = _run(reference, env)
            step.ratios.append(elapsed / base)
    ratio = f", {step.ratio:.2f}x" if step.ratio else ""
    print(f"  {label}: {step.median:.2f} s, {step.peak_mb:.0f} MB{ratio}", file=sys.stderr)
    return step


def commands(exe: str, data: Path, folder: Path) -> dict[str, list[str]]:
    return {
        "grade": [exe, "grade", str(data)],
        "validate": [exe, "validate", str(data)],
        "compare": [exe, "compare", str(data)],
        "annex": [exe, "annex", str(data), "--out", str(folder / "annex.xlsx")],
        "report": [exe, "report", str(data), "--force", str(FORCE), "--out",
                   str(folder / "report.html")],
        "grade --format json": [exe, "grade", str(data), "--format", "json"],
    }


def generate(n: int, out: Path, layout: str, env: dict[str, str]) -> Path:
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(n), "--out", str(out),  # noqa: S603
                    "--layout", layout], check=True, env=env)
    return out


BAD_CELL = """
import sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
sheet = book["Cases"]
grade_col = [c.value for c in sheet[1]].index("Grade") + 1
sheet.cell(row=sheet.max_row // 2, column=grade_col, value="Goodish")
book.save(sys.argv[2])
"""


def with_bad_cell(clean: Path, out: Path, env: dict[str, str]) -> Path:
    """A copy of a workbook with one grade cell, in the middle, set to 'Goodish' (made in
    another process: a child forked from a large parent would report the parent's memory
    as its own peak)."""
    subprocess.run([sys.executable, "-c", BAD_CELL, str(clean), str(out)], check=True,  # noqa: S603
                   env=env)
    return out


def bench(sizes: list[int], csv_size: int | None, runs: int, folder: Path,
          env: dict[str, str], exe: str) -> list[str]:
    py = sys.executable
    lines: list[str] = []
    for n in sizes:
        for layout in ("long", "wide"):
            data = generate(n, folder / f"{layout}-{n}.xlsx", layout, env)
            print(f"{n:,} audits, {layout} ({data.stat().st_size / 1e6:.1f} MB)",
                  file=sys.stderr)
            reference = [py, "-c", READ_FASTEXCEL, str(data)]
            read = paired("fastexcel read (reference)", reference, None, runs, env)
            steps = [paired(name, argv, reference, runs, env)
                     for name, argv in commands(exe, data, folder).items()]
            lines += [f"## {n:,} audits, {layout} layout (.xlsx, "
                      f"{data.stat().st_size / 1e6:.1f} MB)", "",
                      "| step | median s | x fastexcel read | target | peak MB |",
                      "|---|---:|---:|---:|---:|",
                      f"| fastexcel read (reference) | {read.median:.2f} | 1.00 | | "
                      f"{read.peak_mb:.0f} |"]
            for s in steps:
                target = f"<= {TARGETS[s.label]}x" if n >= 100_000 else ""
                lines.append(f"| hmic-audit {s.label} | {s.median:.2f} | {s.ratio:.2f} | "
                             f"{target} | {s.peak_mb:.0f} |")
            lines.append("")
            if layout == "long" and n == max(sizes):
                bad = with_bad_cell(data, folder / f"bad-{n}.xlsx", env)
                clean = [exe, "validate", str(data)]
                step = paired("validate, one bad cell", [exe, "validate", str(bad)], clean,
                              runs, env, codes=(1,))
                lines += [f"One bad cell in the {n:,}-audit workbook: `validate` takes "
                          f"{step.median:.2f} s, **{step.ratio:.2f}x** the clean file "
                          "(target at most 1.2x).", ""]
    if csv_size:
        data = generate(csv_size, folder / f"long-{csv_size}.csv", "long", env)
        print(f"{csv_size:,} audits from CSV ({data.stat().st_size / 1e6:.0f} MB)",
              file=sys.stderr)
        lines += [f"## {csv_size:,} audits from CSV (long layout, "
                  f"{data.stat().st_size / 1e6:.0f} MB)", "",
                  "| step | median s | peak MB |", "|---|---:|---:|"]
        for name, argv in commands(exe, data, folder).items():
            step = paired(name, argv, None, runs, env)
            lines.append(f"| hmic-audit {name} | {step.median:.2f} | {step.peak_mb:.0f} |")
        lines += ["", "Targets: every command under 15 s and under 2 GB.", ""]
    return lines


def compiled(env: dict[str, str]) -> None:
    """The package's bytecode written, as ``pip install .`` writes it: an editable
    install run with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile every module
    in every timed run (about a tenth of a second no user's install pays)."""
    subprocess.run([sys.executable, "-c", "import compileall, hmic_audit, pathlib; "  # noqa: S603
                    "compileall.compile_dir(pathlib.Path(hmic_audit.__file__).parent, "
                    "quiet=1)"], check=True, env=env)


def machine() -> list[str]:
    versions = []
    for name in ("hmic-audit", "fastexcel", "pyarrow", "numpy", "pandas", "pydantic",
                 "typer", "xlsxwriter"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return [f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, "
            f"{platform.system()} {platform.release()}",
            f"- Python {platform.python_version()}; " + ", ".join(versions)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--csv-size", type=int, default=1_000_000,
                        help="audits in the CSV run (0 to skip)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="a tiny run, for the tests")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, args.csv_size, args.runs = [300], 300, 1
    exe = shutil.which("hmic-audit", path=str(Path(sys.executable).parent)) or "hmic-audit"
    env = {**os.environ, "COLUMNS": "120"}
    compiled(env)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _run([exe, "--help"], env)  # untimed: the modules' files read into the cache
        help_step = paired("--help", [exe, "--help"], None, max(args.runs, 5), env)
        body = bench(args.sizes, args.csv_size or None, args.runs, folder, env, exe)
    text = ["# Benchmarks", "",
            f"Whole-process wall times: median of {args.runs} runs, each command run in "
            "turn with the reference read and its ratio taken pair by pair; peak resident "
            "memory from the operating system (the largest single process: the command, or "
            "the child process it forks to load a workbook or write JSON); the package's "
            "bytecode compiled first, as `pip install .` leaves it. Written by "
            "`python benchmarks/run.py`, on:",
            "", *machine(), "",
            f"`hmic-audit --help`: {help_step.median:.3f} s (median of "
            f"{len(help_step.seconds)}, after one untimed run; target at most 0.15 s)", "",
            *body]
    args.out.write_text("\n".join(text), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
