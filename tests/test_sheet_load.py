"""Loading a workbook's sheet in a child process while the pre-flight runs
(``io/sheet_load.py``): the same grid and the same problems as loading it here, a
reader that crashes is a message (not a dead process), a refused file's reader is
stopped, and a load started early is the one read (once)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import openpyxl
import pytest

from hmic_audit import processes
from hmic_audit.io import sheet_load
from hmic_audit.io.sheets import read_grid
from hmic_audit.problems import WorkbookError

from .conftest import SAMPLE, invoke
from .test_preflight import sheet, with_sheet

pytestmark = pytest.mark.skipif(not processes.forking(),
                                reason="sheets are loaded in a child process on Linux only")


def in_process(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    monkeypatch.setenv(processes.ONE_PROCESS_VARIABLE, "1" if on else "0")


def grid_facts(path: Path, sheet_name: str | None = None) -> tuple:
    grid = read_grid(path, sheet=sheet_name)
    return (grid.sheet, grid.sheets, grid.column_numbers, grid.rows.tolist(),
            [(c.values, c.index.tolist()) for c in grid.columns], grid.form,
            sorted(grid.error_cells.items()), sorted(grid.formulas), grid.merged)


def problems_of(path: Path, sheet_name: str | None = None) -> list[tuple]:
    with pytest.raises(WorkbookError) as info:
        read_grid(path, sheet=sheet_name)
    return [(p.code, p.sheet, p.cell, p.message) for p in info.value.problems]


@pytest.fixture()
def workbooks(tmp_path: Path) -> dict[str, Path]:
    """The sample; a workbook of three sheets, the cases on the second with a gap column,
    a merge and a formula; one with no sheet called Cases; a damaged one."""
    many = tmp_path / "many.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active["A1"] = "read me"
    cases = wb.create_sheet("cases ")
    cases.append(["Case ref", None, "Grade", "Score"])
    cases.append(["SA-001", None, "Good", "=1+1"])
    cases.append(["SA-002", "x", "Adequate", 5])
    cases.merge_cells("B5:C5")
    wb.create_sheet("Other")["C3"] = 7
    wb.save(many)
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(many.read_bytes()[:-200])
    return {"sample": SAMPLE, "many": many, "damaged": damaged}


@pytest.mark.parametrize(("name", "sheet_name"), [
    ("sample", None), ("many", None), ("many", "CASES"), ("many", "Other")])
def test_a_child_load_gives_the_grid_a_load_here_gives(workbooks, monkeypatch, name,
                                                       sheet_name):
    in_process(monkeypatch, True)
    here = grid_facts(workbooks[name], sheet_name)
    in_process(monkeypatch, False)
    assert grid_facts(workbooks[name], sheet_name) == here
    assert here[4], "the grid has cells"


@pytest.mark.parametrize(("name", "sheet_name", "code"), [
    ("many", "Missing", "missing-sheet"), ("damaged", None, "corrupt-xlsx")])
def test_a_child_load_gives_the_problems_a_load_here_gives(workbooks, monkeypatch, name,
                                                           sheet_name, code):
    in_process(monkeypatch, True)
    here = problems_of(workbooks[name], sheet_name)
    in_process(monkeypatch, False)
    assert problems_of(workbooks[name], sheet_name) == here
    assert here[0][0] == code


def test_a_reader_that_crashes_is_a_message_not_a_dead_process(workbooks, monkeypatch,
                                                               runner, tmp_path):
    import fastexcel

    monkeypatch.setattr(fastexcel, "read_excel", lambda *a, **k: os.abort())
    in_process(monkeypatch, False)
    found = problems_of(workbooks["sample"])
    assert found[0][0] == "corrupt-xlsx"
    assert "the reader stopped on signal 6" in found[0][3]
    result = invoke(runner, "grade", workbooks["sample"], "--out", tmp_path / "g.csv")
    assert result.exit_code == 2
    assert "cases.xlsx" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "g.csv").exists()


def test_a_file_the_preflight_refuses_stops_its_reader(tmp_path, monkeypatch):
    """The pre-flight's verdict comes first: a file with a cell at XFD1048576 is refused
    at once, the (here endless) reader killed, and no child is left behind."""
    import fastexcel

    base = tmp_path / "base.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Cases"
    wb.active["A1"] = "x"
    wb.save(base)
    far = with_sheet(base, tmp_path / "far.xlsx",
                     sheet('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1048576"><v>1</v></c>'
                           "</row>"))
    monkeypatch.setattr(fastexcel, "read_excel", lambda *a, **k: time.sleep(60))
    in_process(monkeypatch, False)
    started = time.monotonic()
    found = problems_of(far)
    assert time.monotonic() - started < 20
    assert found[0][0] == "used-range-too-large"
    assert not sheet_load._running
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child was waited for


def test_a_load_started_early_is_the_one_read(workbooks, monkeypatch, tmp_path, rubric):
    import fastexcel

    from hmic_audit import read_audits

    counted = tmp_path / "reads.txt"
    real_read = fastexcel.read_excel

    def counting_read(*args, **kwargs):
        with counted.open("a") as fh:
            fh.write("read\n")
        return real_read(*args, **kwargs)

    monkeypatch.setattr(fastexcel, "read_excel", counting_read)
    in_process(monkeypatch, False)
    sheet_load.start_reading(workbooks["sample"])
    sheet_load.start_reading(workbooks["sample"])  # started once
    assert len(sheet_load._early) == 1
    frame, _ = read_audits(workbooks["sample"], rubric)
    assert len(frame) > 0
    assert counted.read_text().count("read") == 1
    assert not sheet_load._early and not sheet_load._running
    # one not taken up (another sheet asked for) is stopped, its child waited for
    sheet_load.start_reading(workbooks["many"], sheet="Other")
    sheet_load.stop_reading()
    assert not sheet_load._early and not sheet_load._running
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_the_cli_starts_the_load_and_stops_it_when_the_rubric_fails(workbooks, runner,
                                                                   tmp_path, monkeypatch):
    in_process(monkeypatch, False)
    started: list[Path] = []
    real_start = sheet_load.start_reading
    monkeypatch.setattr(sheet_load, "start_reading", lambda path, **kw: started.append(path)
                        or real_start(path, **kw))
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    result = invoke(runner, "grade", workbooks["sample"], "--rubric", bad)
    assert result.exit_code == 2 and "bad.yaml" in result.stderr
    assert started == [workbooks["sample"]]
    assert not sheet_load._early and not sheet_load._running
    result = invoke(runner, "grade", workbooks["sample"])
    assert result.exit_code == 0 and "144 audits" in result.stdout
    assert not sheet_load._early and not sheet_load._running


def test_the_command_line_starts_the_cases_workbook_before_parsing(workbooks, monkeypatch):
    """``main`` guesses the cases file from the words (the first workbook after a command
    that reads cases, and --sheet's value); the command then takes the load up."""
    from hmic_audit.cli.start import start_early

    in_process(monkeypatch, False)
    sample, many = str(workbooks["sample"]), str(workbooks["many"])
    for argv, expected in [
            (["grade", sample], (workbooks["sample"], None)),
            (["compare", "--rubric", "r.yaml", many, sample, "--sheet", "Other"],
             (workbooks["many"], "Other")),
            (["annex", "--sheet=CASES", many], (workbooks["many"], "CASES")),
            (["grade", "--out", many, sample], (workbooks["sample"], None)),  # an output
            (["grade", "-o", many, sample], (workbooks["sample"], None)),
            (["grade", f"--out={many}", sample], (workbooks["sample"], None)),
            (["report", "--moderated", many, "--actions", many, sample],
             (workbooks["sample"], None)),  # a queue, a ledger: not the cases
            (["check-report", "draft.docx", "--cases", sample], (workbooks["sample"], None)),
            (["template", "--out", sample], None),  # writes a workbook: reads none
            (["grade", "missing.xlsx"], None),
            (["grade", "cases.csv"], None)]:
        start_early(argv)
        started = [(path, sheet) for path, sheet in sheet_load._early]
        assert started == ([] if expected is None else [(expected[0].resolve(), expected[1])])
        sheet_load.stop_reading()
    assert not sheet_load._running


def test_the_commands_started_early_are_those_that_read_cases():
    import inspect

    import typer.main

    from hmic_audit.cli.app import app
    from hmic_audit.cli.start import READS_CASES

    group = typer.main.get_command(app)
    reading = set()
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        callback = inspect.unwrap(command.callback) if command.callback else None
        if callback is not None and {"cases", "files"} & set(
                inspect.signature(callback).parameters):
            reading.add(name)
    assert reading == READS_CASES


def test_no_fork_while_other_threads_run_and_threaded_reads_finish(monkeypatch, rubric):
    """A thread in the middle of an import when the process forks would leave the child
    waiting for ever: with other threads alive the sheet is loaded in this process."""
    import threading

    from hmic_audit import read_audits

    in_process(monkeypatch, False)
    assert processes.forking()
    done: list[int] = []
    release = threading.Event()
    waiting = threading.Thread(target=release.wait, daemon=True)
    waiting.start()
    try:
        assert not processes.forking()
    finally:
        release.set()
        waiting.join()

    def read() -> None:
        frame, _ = read_audits(SAMPLE, rubric)
        done.append(len(frame))

    readers = [threading.Thread(target=read, daemon=True) for _ in range(8)]
    for t in readers:
        t.start()
    for t in readers:
        t.join(timeout=120)
    assert len(done) == 8 and len(set(done)) == 1 and done[0] > 0
    assert not sheet_load._running


@pytest.mark.parametrize("one_process", [True, False])
def test_a_reader_panic_is_a_located_message_in_both_modes(monkeypatch, runner, tmp_path,
                                                          one_process):
    """fastexcel's panics arrive as pyo3's PanicException, a BaseException."""
    import fastexcel

    class PanicException(BaseException):
        pass

    def panics(*args, **kwargs):
        raise PanicException("index out of bounds: the len is 3 but the index is 7")

    monkeypatch.setattr(fastexcel, "read_excel", panics)
    in_process(monkeypatch, one_process)
    result = invoke(runner, "grade", SAMPLE, "--out", tmp_path / "g.csv")
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "corrupt-xlsx" in result.stderr or "could not be read" in said
    assert "index out of bounds" in said and "Traceback" not in said
    assert not (tmp_path / "g.csv").exists()


def test_a_child_dies_with_its_parent(tmp_path):
    """Killed parent, killed child: no reader left loading a file (and holding the
    parent's output open) after the command has gone."""
    import signal
    import subprocess
    import sys

    code = ("import sys, time, fastexcel\n"
            "fastexcel.read_excel = lambda *a, **k: time.sleep(60)\n"
            "from hmic_audit.cli.start import main\n"
            f"sys.argv = ['hmic-audit', 'validate', {str(SAMPLE)!r}]\n"
            "main()\n")
    env = {**os.environ, processes.ONE_PROCESS_VARIABLE: "0"}
    parent = subprocess.Popen([sys.executable, "-c", code], env=env,  # noqa: S603
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    children: list[int] = []
    deadline = time.monotonic() + 30
    while not children and time.monotonic() < deadline:
        time.sleep(0.05)
        try:
            listed = Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text()
        except OSError:
            break
        children = [int(c) for c in listed.split()]
    assert children, "the command loads its workbook in a child"
    parent.send_signal(signal.SIGTERM)
    parent.wait(timeout=30)
    assert parent.stdout is not None
    parent.stdout.read()  # end of file once every holder of the pipe has gone
    deadline = time.monotonic() + 10
    while Path(f"/proc/{children[0]}").exists() and time.monotonic() < deadline:
        state = Path(f"/proc/{children[0]}/stat").read_text().split(")")[-1].split()[0] \
            if Path(f"/proc/{children[0]}/stat").exists() else "X"
        if state in ("Z", "X"):
            break
        time.sleep(0.05)
    assert not Path(f"/proc/{children[0]}").exists() or state in ("Z", "X")


@pytest.mark.parametrize("one_process", [True, False])
def test_a_file_replaced_while_it_is_read_is_refused(tmp_path, monkeypatch, one_process):
    """The bytes loaded are the bytes hashed: a workbook saved again (or synced) while it
    is read is refused rather than graded from one version and recorded as another."""
    import shutil

    import fastexcel

    path = tmp_path / "cases.xlsx"
    shutil.copy(SAMPLE, path)
    real = fastexcel.read_excel

    other = SAMPLE.parent.parent / "northshire-2022" / "cases.xlsx"

    def then_saved_again(source, *args, **kwargs):
        reader = real(source, *args, **kwargs)
        # another version on disk, saved as Excel saves: written beside, then moved in
        # (a write in place could be seen half done, which is reported as damage)
        shutil.copy(other, tmp_path / "saving.tmp")
        os.replace(tmp_path / "saving.tmp", path)
        return reader

    monkeypatch.setattr(fastexcel, "read_excel", then_saved_again)
    in_process(monkeypatch, one_process)
    found = problems_of(path)
    assert [p[0] for p in found] == ["file-changed"]
    monkeypatch.setattr(fastexcel, "read_excel", real)
    shutil.copy(SAMPLE, path)
    assert read_grid(path).sha256 == __import__("hashlib").sha256(SAMPLE.read_bytes()
                                                                  ).hexdigest()


def test_a_wrong_early_guess_stops_when_the_command_starts(workbooks, monkeypatch):
    """A guess that is not the file the command was given (an option the guess does not
    know, taking a workbook, before the cases): the command's start stops that load at
    once (not at its end) and keeps its own file's."""
    from hmic_audit.cli.start import start_early

    in_process(monkeypatch, False)
    start_early(["grade", "--some-option", str(workbooks["many"]), str(workbooks["sample"])])
    assert [p for p, _ in sheet_load._early] == [workbooks["many"].resolve()]
    wrong = sheet_load._early[(workbooks["many"].resolve(), None)]
    sheet_load.keep_reading(workbooks["sample"])
    assert [p for p, _ in sheet_load._early] == [workbooks["sample"].resolve()]
    assert wrong.pid is None and wrong not in sheet_load._running
    sheet_load.keep_reading(None)  # a command that reads no cases: nothing kept
    assert not sheet_load._early and not sheet_load._running


def _far_cell(path: Path, ref: str) -> Path:
    """The sample with one more value, at ``ref``: a reader fills the grid up to it."""
    import zipfile

    with zipfile.ZipFile(SAMPLE) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    name = "xl/worksheets/sheet2.xml"  # the Cases sheet (the first is About)
    row = "".join(c for c in ref if c.isdigit())
    parts[name] = parts[name].replace(b"</sheetData>", (
        f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData>").encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for part, data in parts.items():
            dst.writestr(part, data)
    return path


def test_a_far_cell_meets_the_childs_memory_allowance(tmp_path, monkeypatch):
    """Before the pre-flight's verdict the child loads with a bounded allowance: a
    stray cell at ZZ100000 makes the reader ask for a grid of 70 million cells (about
    2 GB), which fails at once against an allowance of 300 MB, instead of being filled
    while the pre-flight reads the file."""
    in_process(monkeypatch, False)
    monkeypatch.setattr(sheet_load, "MEMORY_FLOOR", 300 << 20)
    monkeypatch.setattr(sheet_load, "MEMORY_PER_BYTE", 0)
    with sheet_load.SheetLoad(SAMPLE, None) as load:  # the allowance suffices for this
        assert load._wait().failed is None  # noqa: SLF001 - the child's own verdict
    path = _far_cell(tmp_path / "far.xlsx", "ZZ100000")
    started = time.monotonic()
    with sheet_load.SheetLoad(path, None) as load:
        assert load.allowance == 300 << 20
        assert load._wait().failed == "memory"  # noqa: SLF001 - the child's own verdict
    assert time.monotonic() - started < 20
    with pytest.raises(WorkbookError) as info:  # and the command says why, as ever
        read_grid(path)
    assert info.value.problems[0].code == "used-range-too-large"


def test_a_sheet_larger_than_the_allowance_is_loaded_again_without_it(tmp_path,
                                                                      monkeypatch):
    """A child that runs out of its allowance on a file the pre-flight passes (the
    allowance guessed too small) costs only time: the sheet is loaded again without one,
    and the grid is the one a load here gives. (A value at ZZ3000: a grid of two million
    cells, which the pre-flight allows.)"""
    import subprocess
    import sys

    path = _far_cell(tmp_path / "wide.xlsx", "ZZ3000")
    in_process(monkeypatch, True)
    here = grid_facts(path)
    in_process(monkeypatch, False)
    with sheet_load.SheetLoad(path, None) as load:  # the usual allowance: once
        assert load.result().batch is not None and not load.retried
    # Too little for anything new. Run in a fresh interpreter: a child forked from this
    # long-lived test process can find the sheet's memory free in the heap it inherits,
    # and never meet the limit (seen once in CI after 1,600 tests).
    script = (
        "import sys\nfrom pathlib import Path\nfrom hmic_audit.io import sheet_load\n"
        "sheet_load.MEMORY_FLOOR, sheet_load.MEMORY_PER_BYTE = 1, 0\n"
        "with sheet_load.SheetLoad(Path(sys.argv[1]), None) as load:\n"
        "    loaded = load.result()\n"
        "    print(load.retried, load.allowance, loaded.failed, loaded.batch.num_rows)\n")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**os.environ, processes.ONE_PROCESS_VARIABLE: "0"})
    assert done.stdout.split() == ["True", "None", "None", "3000"], done.stderr
    assert grid_facts(path) == here


def _square(n: int) -> int:
    return n * n


_PREPARED: list[int] = []


def _prepared(n: int) -> int:
    return len(_PREPARED) + n


def _fails(n: int) -> int:
    raise ValueError(n)


def test_a_standby_child_does_the_jobs_it_is_handed_later():
    """``Standby``: a child prepares now and does jobs handed over later, in order (a
    report's grade charts, then its heat map); their results, or None - never a hang or
    a stray process - when it cannot."""
    with processes.Standby(lambda: _PREPARED.append(1)) as ready:
        assert ready.pid is not None
        ready.submit(_prepared, 10)
        ready.submit(_square, 12)  # a second job, done after the first
        assert ready.results() == [11, 144]  # prepared in the child, before the jobs
        assert ready.results() is None  # given once: the child has ended
    assert _PREPARED == []
    with processes.Standby(lambda: _PREPARED.append(1)) as ready:
        ready.close()
        ready.submit(_square, 2)  # after close: nothing to hand over
        assert ready.results() is None
        ready.close()
    with processes.Standby(lambda: None) as ready:
        ready.submit(_square, 2)
        ready.submit(_fails, 3)
        assert ready.results() is None  # one job failed: the caller does them all
    with processes.Standby(lambda: None) as ready:
        ready.submit(_square, 2)
        ready.submit(_square, lambda: 1)  # cannot be handed over: done by the caller
        ready.submit(_square, 3)
        assert ready.results() is None
    with processes.Standby(lambda: None) as ready:
        pid = ready.pid
        assert ready.results() is None  # nothing submitted: nothing to wait for
    assert pid is not None and not Path(f"/proc/{pid}").exists()  # ended and reaped
    idle = processes.Standby(lambda: None, start=False)
    idle.submit(_square, 2)
    assert (idle.pid, idle.results()) == (None, None)


def test_a_job_larger_than_a_pipe_is_handed_over_whole():
    big = "x" * (1 << 20)  # a pipe holds 64 kB: the child reads while it is written
    with processes.Standby(lambda: None) as ready:
        ready.submit(len, big)
        ready.submit(len, big + "y")
        assert ready.results() == [1 << 20, (1 << 20) + 1]


def test_a_capped_child_that_fails_otherwise_is_given_a_second_load(monkeypatch):
    """Out of memory can look like other failures (a library that cannot map its
    memory): a capped child that fails in any way, on a file the pre-flight passed, is
    followed by a load without the cap."""
    def broken(allowance: int) -> None:
        raise RuntimeError("could not map")

    in_process(monkeypatch, False)
    monkeypatch.setattr(sheet_load, "_limit_memory", broken)
    with sheet_load.SheetLoad(SAMPLE, None) as load:
        loaded = load.result()
        assert load.retried and loaded.failed is None and loaded.batch is not None


def test_a_standby_childs_jobs_end_though_a_later_child_lives():
    """A child forked after a ``Standby`` does not keep its job pipe open: the first
    child sees its jobs end and finishes while the later one still runs (seen: a
    report's chart child kept the pre-flight child waiting for ever)."""
    with processes.Standby(lambda: None) as first:
        first.submit(_square, 3)
        with processes.Standby(lambda: None) as later:  # forked while first's pipe is open
            later.submit(_square, 4)
            first.last()
            deadline = time.monotonic() + 10
            while os.waitpid(first.pid, os.WNOHANG) == (0, 0):  # still waiting for jobs
                assert time.monotonic() < deadline, "the first child never finished"
                time.sleep(0.01)
            first.pid = None  # reaped here
            assert later.results() == [16]
