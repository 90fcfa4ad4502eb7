"""The jobs the ``grade``, ``compare``, ``annex``, ``agree`` and ``rounds`` commands are
shells over (``jobs/graded.py``, ``jobs/compare.py``, ``jobs/annex.py``): what they
return, what they tell their feedback and in which order, and that they write
nothing."""

from __future__ import annotations

import re

import pytest

from hmic_audit import grade, load_rubric, read_audits
from hmic_audit.analysis.compare import compare_sets
from hmic_audit.jobs.annex import make_annex
from hmic_audit.jobs.compare import compare_files
from hmic_audit.jobs.graded import read_and_grade
from hmic_audit.problems import HmicAuditError, WorkbookError

from .conftest import SAMPLE, FeedbackRecorder, too_few_to_publish, write_xlsx

RUBRIC = SAMPLE.parent / "rubric.yaml"


def _lock_file(folder, name="~$cases.xlsx"):  # type: ignore[no-untyped-def]
    path = folder / name
    path.write_bytes(b"\x0cInspector 1" + b"\x00" * 40)
    return path


def test_compare_files_is_the_comparison_of_the_graded_cases(tmp_path):
    feedback = FeedbackRecorder()
    done = compare_files([_lock_file(tmp_path), SAMPLE], rubric=[str(RUBRIC)],
                         feedback=feedback)
    rubric = load_rubric(RUBRIC)
    direct = compare_sets([grade(read_audits(SAMPLE, rubric)[0], rubric)], rubric)
    assert done.comparison.model_dump() == direct.model_dump()
    assert done.files == [SAMPLE] and done.rubric.name == rubric.name
    steps = [e for e in feedback.events if e[0] == "step"]
    assert steps == [("step", "Reading cases.xlsx"), ("step", "Grading"),
                     ("step", "Comparing")]
    assert feedback.events[0] == ("problems", (None, ["lock-file-skipped"]))
    assert [p.code for p in done.problems][0] == "lock-file-skipped"
    assert list(tmp_path.iterdir()) == [tmp_path / "~$cases.xlsx"]  # nothing written


def test_compare_files_takes_one_or_two_files(tmp_path):
    for paths in ([], [SAMPLE, SAMPLE, SAMPLE], [_lock_file(tmp_path)]):
        with pytest.raises(WorkbookError) as info:
            compare_files(paths)
        assert info.value.problems[-1].code == "bad-arguments"


def test_cases_audited_by_one_side_only_are_a_warning(tmp_path):
    rows = [["A1", "self-assessed", "s47", "force", "good"],
            ["A1", "self-assessed", "s47", "inspector", "adequate"],
            ["B2", "self-assessed", "s47", "force", "good"]]
    cases = write_xlsx(tmp_path / "c.xlsx", ["Case ref", "Sample", "Case type", "Assessor",
                                             "Grade"], rows)
    feedback = FeedbackRecorder()
    done = compare_files([cases], feedback=feedback)
    assert done.comparison.pairs == 1
    assert ("warning", "1 case audited by one side only was not compared: B2") in \
        feedback.events


def test_make_annex_renders_in_memory_and_warns_of_each_table_left_out(tmp_path):
    cases = too_few_to_publish(tmp_path)
    feedback = FeedbackRecorder()
    made = make_annex([cases], tmp_path / "annex.md", publish=True, feedback=feedback)
    assert list(tmp_path.iterdir()) == [cases] and not made.folder
    assert list(made.outputs) == [tmp_path / "annex.md"]
    warned = [e[1] for e in feedback.events if e[0] == "warning"]
    assert made.annex.refused and warned == [
        f"table {name} left out: too few cases to publish without identifying a child"
        for name in made.annex.refused]
    assert [p.value for p in made.problems if p.code == "table-left-out"] == \
        list(made.annex.refused)
    folder = make_annex([cases], tmp_path / "tables")
    assert folder.folder and all(p.parent == tmp_path / "tables" for p in folder.outputs)


def test_read_and_grade_tells_a_rubrics_warnings_once_and_pseudonymises(tmp_path):
    from hmic_audit.problems import Problem, Severity

    rubric = load_rubric(RUBRIC)
    rubric._warnings = [Problem(code="version-outside", severity=Severity.WARNING,
                                message="made for another version")]
    feedback = FeedbackRecorder()
    key = b"k" * 32
    graded = read_and_grade([SAMPLE, SAMPLE], [rubric, rubric], key=key, feedback=feedback)
    reading = [e for e in feedback.events if e == ("step", "Reading cases.xlsx")]
    assert len(reading) == 2 and len(graded.results) == 2
    assert feedback.events[0] == ("problems", ("rubric.yaml", ["version-outside"]))
    assert [e for e in feedback.events if "version-outside" in str(e)] == \
        [feedback.events[0]]  # one rubric, told once
    plain = set(read_audits(SAMPLE, rubric)[0].case_ref.tolist())
    hidden = set(graded.results[0].frame.case_ref.tolist())
    assert len(hidden) == len(plain) and not hidden & plain
    with pytest.raises(ValueError, match="zip"):
        read_and_grade([SAMPLE], [rubric, rubric])  # a rubric per file, or a mistake


def test_check_draft_holds_a_draft_to_the_report_its_cases_give(tmp_path):
    from hmic_audit.jobs.check_report import check_draft
    from hmic_audit.jobs.report import make_report

    force = SAMPLE.parent / "force.yaml"
    made = make_report(SAMPLE, tmp_path / "report.md", force=force)
    draft = tmp_path / "draft.md"
    draft.write_bytes(made.outputs[tmp_path / "report.md"])
    feedback = FeedbackRecorder()
    checked = check_draft(draft, SAMPLE, force=force, feedback=feedback)
    assert checked.ok and checked.findings == [] and checked.paragraphs > 10
    assert feedback.events == [("step", "Reading cases.xlsx"), ("step", "Checking draft.md")]
    text = draft.read_text(encoding="utf-8")
    first = next(m for m in re.finditer(r"\b(\d{2,3})\b", text)
                 if int(m.group(1)) > 20)
    draft.write_text(text[:first.start()] + str(int(first.group(1)) + 1)
                     + text[first.end():], encoding="utf-8")
    assert not check_draft(draft, SAMPLE, force=force).ok  # one figure changed: found
    missing = FeedbackRecorder()
    with pytest.raises(HmicAuditError):  # the draft is read before the cases
        check_draft(tmp_path / "none.md", SAMPLE, feedback=missing)
    assert missing.events == []
