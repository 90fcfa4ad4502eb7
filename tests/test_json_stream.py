"""``grade --format json`` made on two cores (``render/json.py``): a forked child makes
every other batch of audits; the document is byte for byte the one made in one process,
whatever the batch size, and still whole when the child stops part-way."""

from __future__ import annotations

import json
import os

import pytest

from hmic_audit import grade, read_audits
from hmic_audit.processes import ONE_PROCESS_VARIABLE, forking
from hmic_audit.render.json import stream_json

from .conftest import SAMPLE, invoke

pytestmark = pytest.mark.skipif(not forking(), reason="child processes on Linux only")


@pytest.fixture(scope="module")
def result(rubric):
    return grade(read_audits(SAMPLE, rubric)[0], rubric)


def streamed(result, batch: int, capsys, monkeypatch, one_process: bool) -> str:
    monkeypatch.setenv(ONE_PROCESS_VARIABLE, "1" if one_process else "0")
    capsys.readouterr()
    stream_json(*result.json_pieces(batch))
    return capsys.readouterr().out


@pytest.mark.parametrize("batch", [1, 7, 10, 143, 5000])
def test_two_cores_make_the_same_document_as_one(result, batch, capsys, monkeypatch,
                                                 tmp_path):
    whole = "".join(result.json_parts())
    assert streamed(result, batch, capsys, monkeypatch, one_process=True) == whole
    assert streamed(result, batch, capsys, monkeypatch, one_process=False) == whole
    # and the child really made half of them (a child that always failed would not show
    # in the document: this process makes what it does not hand over)
    head, batches, tail = result.json_pieces(batch)
    made = tmp_path / "made"
    made.mkdir()

    def marked(k, make):
        def run() -> str:
            (made / f"{k}-{os.getpid()}").touch()
            return make()
        return run

    monkeypatch.setenv(ONE_PROCESS_VARIABLE, "0")
    capsys.readouterr()
    stream_json(head, [marked(k, b) for k, b in enumerate(batches)], tail)
    assert capsys.readouterr().out == whole
    by = dict(p.name.split("-") for p in made.iterdir())
    if len(batches) > 2:
        assert {k for k, pid in by.items() if pid != str(os.getpid())} \
            == {str(k) for k in range(1, len(batches), 2)}
    else:  # two batches or fewer: not worth a child
        assert set(by.values()) == {str(os.getpid())}


def test_no_child_to_spare_makes_the_document_here(result, capsys, monkeypatch):
    """A fork (or a pipe) refused: every batch made here, nothing left open."""
    whole = "".join(result.json_parts())

    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setenv(ONE_PROCESS_VARIABLE, "0")
    monkeypatch.setattr(os, "fork", refused)
    before = len(os.listdir("/proc/self/fd"))
    capsys.readouterr()
    stream_json(*result.json_pieces(10))
    assert capsys.readouterr().out == whole
    assert len(os.listdir("/proc/self/fd")) == before
    document = json.loads(whole)
    assert len(document["audits"]) == len(result) == 144


@pytest.mark.parametrize("stops_at", [1, 5, 13])
def test_a_child_that_stops_leaves_the_rest_to_this_process(result, capsys, monkeypatch,
                                                            stops_at):
    whole = "".join(result.json_parts())
    head, batches, tail = result.json_pieces(10)
    parent = os.getpid()
    real = batches[stops_at]

    def stopping() -> str:
        if os.getpid() != parent:
            os._exit(9)  # the child dies before handing this batch over
        return real()

    batches[stops_at] = stopping
    monkeypatch.setenv(ONE_PROCESS_VARIABLE, "0")
    capsys.readouterr()
    stream_json(head, batches, tail)
    assert capsys.readouterr().out == whole
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the child was waited for


def test_a_child_far_ahead_waits_for_its_memory_file_to_be_free(result, capsys, monkeypatch):
    """The child's batches go through two memory files in turn: when this process is
    slow, the child waits for a file to be copied out before it fills it again."""
    import time

    whole = "".join(result.json_parts())
    head, batches, tail = result.json_pieces(3)
    parent = os.getpid()

    def slow(make):
        def made() -> str:
            if os.getpid() == parent:
                time.sleep(0.002)  # the child makes several of its batches meanwhile
            return make()
        return made

    monkeypatch.setenv(ONE_PROCESS_VARIABLE, "0")
    capsys.readouterr()
    stream_json(head, [slow(b) for b in batches], tail)
    assert capsys.readouterr().out == whole


def test_the_cli_prints_the_same_document_either_way(runner, monkeypatch, rubric):
    outputs = []
    for one in ("1", "0"):
        monkeypatch.setenv(ONE_PROCESS_VARIABLE, one)
        result = invoke(runner, "grade", SAMPLE, "--format", "json")
        assert result.exit_code == 0
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["input"]["file"] == "cases.xlsx"


def test_a_json_document_is_valid_json_and_reads_back_as_its_data():
    """render_json (orjson, two-space indent): text as UTF-8, keys in order, numbers as
    the standard library writes them, and no NaN (which is not JSON) but null."""
    from hmic_audit.render.json import render_json

    data = {"name": "Ysgol Gymraeg – “quoted” \\ \n tab\t", "z": 1, "a": [0.1, 2.5, 1e-3,
            -0.0, 10**15, None, True], "empty": {}, "none": [], 3: "three"}
    text = render_json(data)
    back = json.loads(text)
    assert back == {**{k: v for k, v in data.items() if k != 3}, "3": "three"}
    assert list(back) == ["name", "z", "a", "empty", "none", "3"]
    assert text == json.dumps(back, indent=2, ensure_ascii=False) + "\n"
    assert render_json({"x": float("nan")}) == '{\n  "x": null\n}\n'


def test_a_byte_order_mark_encoding_gets_one_mark(result, monkeypatch):
    """stdout in UTF-8 with a byte-order mark (PYTHONIOENCODING=utf-8-sig): one mark at
    the start, as one process writes it, and the document reads back."""
    import io
    import sys

    monkeypatch.setenv(ONE_PROCESS_VARIABLE, "0")
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    monkeypatch.setattr(sys, "stdout", out)
    stream_json(*result.json_pieces(10))
    data = raw.getvalue()
    assert data.count(b"\xef\xbb\xbf") == 1 and data.startswith(b"\xef\xbb\xbf")
    assert json.loads(data.decode("utf-8-sig")) == json.loads("".join(result.json_parts()))
