"""Authored YAML (rubrics, profiles, crosswalks, ledgers) is parsed by libyaml where it
gives what the strict pure-Python loader gives, and by the strict loader otherwise: the
same data, the same refusals and the same words either way."""

from __future__ import annotations

import glob

import pytest
import yaml

from hmic_audit.io import yamlfile

from .conftest import ROOT

needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")

AUTHORED = sorted({*glob.glob(str(ROOT / "rubrics" / "**" / "*.yaml"), recursive=True),
                   *glob.glob(str(ROOT / "sample_cases" / "*" / "*.yaml")),
                   *glob.glob(str(ROOT / "src" / "hmic_audit" / "**" / "*.yaml"),
                              recursive=True)})


def _strict(text: str):  # type: ignore[no-untyped-def]
    return yaml.load(text, Loader=yamlfile.StrictLoader)  # noqa: S506 - a SafeLoader


@needs_libyaml
@pytest.mark.parametrize("path", AUTHORED, ids=lambda p: p.split("/")[-1])
def test_every_shipped_file_is_read_quickly_to_the_same_data(path):
    text = open(path, encoding="utf-8-sig").read()  # noqa: PTH123
    assert yamlfile._loader(text) is not yamlfile.StrictLoader  # the quick parser reads it
    assert yamlfile.load_strict(text) == _strict(text)
    lines = yamlfile.key_lines(text)
    assert lines and lines == _lines_strict(text)


def _lines_strict(text: str) -> dict[str, int]:
    import unittest.mock

    with unittest.mock.patch.object(yaml, "__with_libyaml__", False):
        return yamlfile.key_lines(text)


BROKEN = [
    "name: a\nname: b\n",                      # a key twice
    "name: 'unclosed\nversion: 1\n",           # a quote left open
    "name: a\n  version: 1\n",                 # indentation
    "name: [a, b\nversion: 1\n",               # a bracket left open
    "name: a\nversion: *v\n",                  # an alias with no anchor
    "name: a\x07b\n",                          # a control character
    "name: a\tb\n",                            # a tab inside a value
    "name: a\n\tversion: 1\n",                 # a tab as indentation
    "name: !!python/name:os.system x\n",       # a Python tag
    "name: a\ud800b\n",                       # a lone surrogate (libyaml cannot encode it)
]


@pytest.mark.parametrize("text", BROKEN)
def test_a_broken_file_is_refused_in_the_same_words_with_or_without_libyaml(text,
                                                                           monkeypatch):
    quick = yamlfile.yaml_mapping(text, "r.yaml", "rubric")
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    assert yamlfile._loader(text) is yamlfile.StrictLoader
    slow = yamlfile.yaml_mapping(text, "r.yaml", "rubric")
    assert quick == slow and quick[0] is None
    if "\x07" not in text and "\ud800" not in text:  # a refused character has no line
        assert quick[1][0].row is not None  # located


@needs_libyaml
def test_what_only_the_pure_python_parser_reads_is_still_read():
    # libyaml refuses a colon ending a word in a bracketed list; PyYAML reads a mapping
    text = "name: a\naliases: [concern referral:, other]\n"
    with pytest.raises(yaml.YAMLError):
        yaml.load(text, Loader=yaml.CSafeLoader)  # noqa: S506 - a safe loader
    assert yamlfile.load_strict(text) == _strict(text) == {
        "name": "a", "aliases": [{"concern referral": None}, "other"]}
    assert yamlfile.key_lines(text)["aliases[1]"] == 2


@needs_libyaml
def test_an_anchor_or_a_tab_sends_the_text_to_the_strict_parser():
    assert yamlfile._loader("name: &n x\nversion: *n\n") is yamlfile.StrictLoader
    assert yamlfile._loader("name: a\tb\n") is yamlfile.StrictLoader
    assert yamlfile._loader("name: a b\n") is not yamlfile.StrictLoader
