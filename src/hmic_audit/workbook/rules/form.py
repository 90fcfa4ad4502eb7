"""Rule unit about the workbook as a whole: an audit form checked against another rubric."""

from __future__ import annotations

from ...problems import Problem, Severity
from ...rubric import Rubric
from ..sheet import Sheet


def _short(digest: str | None) -> str:
    return f"SHA-256 {digest[:12]}…" if digest else "no recorded SHA-256"


def _named(name: str, version: str) -> str:
    return f"{name} v{version}" if version else name


def form_rubric_mismatch(sheet: Sheet) -> None:
    """``form-rubric-mismatch`` (warning, never an error): the workbook is an audit form
    (``template``) whose hidden stamp names a different rubric, version or rubric file
    (SHA-256) than the one checking it. Its drop-down lists and criterion columns were
    made for the other one, so answers may be missing or differently worded; every
    cell is still checked against the rubric in use."""
    stamp = sheet.grid.form
    if not stamp or not stamp.get("rubric"):
        return
    rubric: Rubric = sheet.rubric
    name, version, digest = stamp["rubric"], stamp.get("version", ""), stamp.get("sha256")
    now = rubric.sha256
    same_file = not digest or not now or digest == now
    if name == rubric.name and version == rubric.version and same_file:
        return
    made, used = _named(name, version), _named(rubric.name, rubric.version)
    if name == rubric.name and version == rubric.version:
        why = (f"rubric {used} from another file of that name and version ("
               f"{_short(digest)} when the form was made, {_short(now)} now: edited, or "
               "extended, without a new version)")
    else:
        why = (f"rubric {made} ({_short(digest)}) but is checked against rubric {used} "
               f"({_short(now)})")
    sheet.problems.append(Problem(
        code="form-rubric-mismatch", file=sheet.file, severity=Severity.WARNING,
        value=made, expected=used,
        message=f"is an audit form made for {why}; its drop-down lists and criterion "
        "columns may not match. Check it with the rubric it was made for (--rubric), or "
        f"copy its rows into a new form (hmic-audit template) for rubric {used}"))
