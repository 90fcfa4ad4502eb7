"""Compiled report templates kept between runs (``render/templates_env.py``): the report
is the same byte for byte with them, without them and with damaged ones; they are used
only for the source and settings they were compiled from; a user's templates are never
kept; a folder that cannot be made costs only the compile."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import jinja2
import pytest

from hmic_audit.render import templates_env
from hmic_audit.render.templates_env import (
    NO_CACHE_VARIABLE,
    CompiledTemplates,
    fingerprint,
    report_environment,
)

from .conftest import SAMPLE, invoke

FORCE = SAMPLE.parent / "force.yaml"


@pytest.fixture()
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system's temporary folder, for this test only."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.delenv(NO_CACHE_VARIABLE, raising=False)
    return folder


def cache_files(temp: Path) -> dict[str, bytes]:
    folder = temp / f"_jinja2-cache-{os.getuid()}"
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def report(runner, out: Path, *extra: object) -> tuple[bytes, int]:
    """The report's bytes, and how many templates were compiled from source."""
    compiled = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real(self, source, name, filename, raw, defer_init)

    jinja2.Environment.compile = counting  # type: ignore[method-assign]
    try:
        result = invoke(runner, "report", SAMPLE, "--force", FORCE, "--out", out, *extra)
    finally:
        jinja2.Environment.compile = real  # type: ignore[method-assign]
    assert result.exit_code == 0, result.stderr
    return out.read_bytes(), len(compiled)


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_the_report_is_the_same_with_compiled_templates_kept_or_not(
        runner, tmp_path, temp, monkeypatch, suffix):
    monkeypatch.setenv(NO_CACHE_VARIABLE, "1")
    plain, compiled = report(runner, tmp_path / f"plain{suffix}")
    assert compiled > 5 and cache_files(temp) == {}  # nothing kept when asked not to
    monkeypatch.delenv(NO_CACHE_VARIABLE)
    first, compiled = report(runner, tmp_path / f"first{suffix}")
    kept = cache_files(temp)
    assert first == plain and compiled > 5 and len(kept) == compiled
    again, compiled = report(runner, tmp_path / f"again{suffix}")
    assert again == plain and compiled == 0  # every template from its kept file
    assert cache_files(temp) == kept
    from jinja2.bccache import bc_magic

    for k, name in enumerate(kept):  # damaged files: compiled again, and replaced
        (temp / f"_jinja2-cache-{os.getuid()}" / name).write_bytes(
            (bc_magic if k % 2 else b"j2") + b"\x00garbage")  # a right header, or not
    damaged, compiled = report(runner, tmp_path / f"damaged{suffix}")
    assert damaged == plain and compiled == len(kept)
    assert cache_files(temp) == kept


def test_a_changed_source_or_setting_is_compiled_again(temp):
    env = report_environment(trim_blocks=True)
    other = report_environment(trim_blocks=False)
    assert fingerprint(env) != fingerprint(other)
    assert fingerprint(env) == fingerprint(report_environment(trim_blocks=True))
    cache = env.bytecode_cache
    assert isinstance(cache, CompiledTemplates)
    assert cache.get_source_checksum("a") != cache.get_source_checksum("b")
    assert cache.get_source_checksum("a") != CompiledTemplates(
        fingerprint(other)).get_source_checksum("a")


def test_a_users_templates_are_never_kept(runner, tmp_path, temp):
    own = tmp_path / "mine"
    own.mkdir()
    assert report_environment(own).bytecode_cache is None
    assert isinstance(report_environment(own), jinja2.sandbox.SandboxedEnvironment)
    (own / "page.html.j2").write_text("<html><body>{{ body }}</body></html>\n",
                                      encoding="utf-8")
    out, _ = report(runner, tmp_path / "r.html", "--templates", own)
    assert out.startswith(b"<html><body>") and cache_files(temp) == {}


def test_no_private_folder_costs_only_the_compile(runner, tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    monkeypatch.delenv(NO_CACHE_VARIABLE, raising=False)
    assert templates_env._cache(jinja2.Environment()) is None
    first, compiled = report(runner, tmp_path / "r.md")
    assert compiled > 5
    monkeypatch.setenv(NO_CACHE_VARIABLE, "1")
    assert report(runner, tmp_path / "plain.md")[0] == first
