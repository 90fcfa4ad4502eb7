"""Reading a recommendations ledger back: the YAML file or the workbook ``hmic-audit
actions --out`` wrote, as the force filled it in.

Both are strict, and every problem is located: in YAML by key path and line
(``actions[2].date_closed``, line 31), in the workbook by sheet and cell
(``Actions!I4``). Beyond the form of each value, :func:`ledger_problems` checks what a
person can get wrong: a done action without its date closed, a date closed on an action
still open, a date closed before the publication date or after the as-at date, an id
twice, and, given the force profile, an id that is not one of its recommendations.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..io.written import open_written
from ..io.yamlfile import by_line, key_lines, located, pydantic_problems, read_text, yaml_mapping
from ..problems import HmicAuditError, Problem
from ..profile import ForceProfile, Timescale
from ..text import label_key, plural
from .actions import Action, ActionStatus, Ledger, ledger_from_profile, status_list_text

ACTIONS_SHEET, PROGRESS_SHEET, SOURCE_SHEET = "Actions", "Progress", "Ledger"
COLUMNS = {"id": "ID", "recommendation": "Recommendation", "theme": "Theme",
           "timescale": "Timescale", "due_date": "Due date", "owner": "Owner",
           "status": "Status", "evidence": "Evidence", "date_closed": "Date closed"}
"""Each field of an action and the title of its column in the workbook, in order."""
SOURCE_KEYS = ("force", "publication_date")
"""The hidden sheet's keys (column A), each with its value in column B."""


class LedgerError(HmicAuditError):
    """A recommendations ledger cannot be read, or has mistakes."""


def ledger_yaml(ledger: Ledger) -> bytes:
    """The ledger as YAML (the same ledger, the same bytes)."""
    data = ledger.model_dump(mode="python")
    for action in data["actions"]:
        action["timescale"] = str(action["timescale"])
        action["status"] = str(action["status"])
    head = ("# Recommendations ledger (hmic-audit actions). Fill in owner, status (open, "
            "in_progress, done or dropped),\n# evidence and date_closed (YYYY-MM-DD); "
            "read it back with: hmic-audit actions THIS_FILE --as-of YYYY-MM-DD\n")
    return (head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)
            ).encode("utf-8")


def ledger_problems(ledger: Ledger, *, as_of: dt.date | None = None,
                    profile: ForceProfile | None = None
                    ) -> list[tuple[int | None, str, str, str, object]]:
    """What is wrong in a ledger whose values each have the right form: (action index,
    field, code, message, value); the index is None for the ledger as a whole."""
    found: list[tuple[int | None, str, str, str, object]] = []
    pub = ledger.publication_date
    seen: dict[str, int] = {}
    known = {a.id: a for a in ledger_from_profile(profile).actions} if profile else {}
    if profile is not None and profile.publication_date != pub:
        found.append((None, "publication_date", "ledger-other-publication",
                      f"the ledger counts from {pub}, but the force profile's publication "
                      f"date is {profile.publication_date}; give the profile the ledger "
                      "was started from", pub))
    for i, a in enumerate(ledger.actions):
        closed = a.date_closed
        if a.id in seen:
            found.append((i, "id", "action-duplicate-id", f"action {a.id} is listed twice "
                          "(keep one)", a.id))
        seen[a.id] = i
        if profile is not None and a.id not in known:
            found.append((i, "id", "action-unknown-id", f"{a.id!r} is not a recommendation "
                          f"of the force profile, which has {', '.join(known) or 'none'}",
                          a.id))
        if a.status is ActionStatus.DONE and closed is None:
            found.append((i, "date_closed", "action-done-undated", f"action {a.id} is done: "
                          "give the date it was closed", None))
        if closed is not None and a.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS):
            found.append((i, "status", "action-closed-but-open", f"action {a.id} has a date "
                          f"closed but is {a.status.label.lower()}: set it to Done or "
                          "Dropped, or clear the date", a.status.label))
        if closed is not None and closed < pub:
            found.append((i, "date_closed", "action-closed-before-publication",
                          f"action {a.id} was closed on {closed}, before the report was "
                          f"published on {pub}", closed))
        if closed is not None and as_of is not None and closed > as_of:
            found.append((i, "date_closed", "action-closed-after-as-of",
                          f"action {a.id} was closed on {closed}, after the as-at date "
                          f"{as_of}: check the date, or give a later --as-of", closed))
    for ref in known:
        if ref not in seen:
            found.append((None, "actions", "action-missing", f"recommendation {ref} of the "
                          "force profile has no action in the ledger", ref))
    return found


def _fail(name: str, problems: list[Problem]) -> LedgerError:
    return LedgerError(f"ledger {name} has {plural(len(problems), 'problem')}", problems)


def read_ledger_yaml(path: Path, *, as_of: dt.date | None = None,
                     profile: ForceProfile | None = None) -> Ledger:
    """A YAML ledger, checked (see the module's notes); ``LedgerError`` lists every
    problem with its key path and line."""
    name = path.name
    text, problems = read_text(path)
    data = None
    if text is not None:
        data, problems = yaml_mapping(text, name, "action ledger")
    if data is None or text is None:
        raise LedgerError(f"cannot read ledger {name}", problems)
    lines = key_lines(text)
    try:
        ledger = Ledger.model_validate(data)
    except ValidationError as exc:
        raise _fail(name, by_line(pydantic_problems(exc, name, "action ledger", model=Ledger,
                                                    lines=lines))) from None
    found = [Problem(code=code, file=name, message=message,
                     column=field if i is None else f"actions[{i}].{field}",
                     value=None if value is None else str(value))
             for i, field, code, message, value in ledger_problems(
                 ledger, as_of=as_of, profile=profile)]
    if found:
        raise _fail(name, by_line(located(found, lines)))
    return ledger


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _date(value: object) -> dt.date | None | str:
    """A date cell: a date, None when blank, else the text that is no date."""
    from ..workbook.dates import parse_date

    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    return parse_date(text) or text


def read_ledger_xlsx(path: Path, *, as_of: dt.date | None = None,
                     profile: ForceProfile | None = None) -> Ledger:
    """The ledger workbook as filled in, checked (see the module's notes): statuses
    from the drop-down or typed, dates as date cells or typed day first (01/03/2015).
    ``LedgerError`` lists every problem with its sheet and cell."""
    name = path.name
    book, made = open_written(path, sheets=(ACTIONS_SHEET,), source=SOURCE_SHEET,
                              facts=len(SOURCE_KEYS), error=LedgerError, code="bad-ledger",
                              what="a ledger", command="hmic-audit actions")
    problems: list[Problem] = []
    pub = _date(made.get("publication_date"))
    if not isinstance(pub, dt.date):
        problems.append(Problem.at_cell(
            "bad-ledger", "has no publication date: give the .xlsx hmic-audit actions "
            "wrote", file=name, sheet=SOURCE_SHEET, row=2, column="publication_date",
            column_index=2, value=pub))
    sheet = book[ACTIONS_SHEET]
    header = [_text(c.value) for c in sheet[1]]
    where: dict[str, int] = {}
    for field, title in COLUMNS.items():
        if title not in header:
            problems.append(Problem.at_cell(
                "ledger-column-missing", f"has no column headed {title!r}; keep the columns "
                "as hmic-audit actions wrote them", file=name, sheet=ACTIONS_SHEET, row=1,
                column=title))
        else:
            where[field] = header.index(title) + 1
    if problems:
        raise _fail(name, problems)

    def at(code: str, field: str, row: int, message: str, value: object = None) -> Problem:
        return Problem.at_cell(code, message, file=name, sheet=ACTIONS_SHEET, row=row,
                               column=COLUMNS[field], column_index=where[field], value=value)

    actions: list[Action] = []
    rows: list[int] = []
    timescales = {label_key(t.label): t for t in Timescale} | \
        {label_key(t.value.replace("_", " ")): t for t in Timescale}
    for r in range(2, sheet.max_row + 1):
        cells = {f: sheet.cell(r, c).value for f, c in where.items()}
        if not any(_text(v) for v in cells.values()):
            continue
        bad = len(problems)
        values: dict[str, Any] = {f: _text(cells[f]) for f in
                                  ("id", "recommendation", "theme", "owner", "evidence")}
        values["theme"] = values["theme"] or None
        if not values["id"]:
            problems.append(at("action-no-id", "id", r, "the row has no action id"))
        typed = _text(cells["timescale"])
        timescale = timescales.get(label_key(typed))
        if timescale is None:
            problems.append(at("action-bad-timescale", "timescale", r, f"{typed!r} is not "
                               "a timescale; use Immediately, Within three months or "
                               "Within six months", typed))
        status_text = _text(cells["status"])
        status = ActionStatus.parse(status_text) if status_text else ActionStatus.OPEN
        if status is None:
            problems.append(at("action-unknown-status", "status", r, f"{status_text!r} is "
                               f"not a status; choose {status_list_text()} from the list",
                               status_text))
        dates = {f: _date(cells[f]) for f in ("due_date", "date_closed")}
        for field, value in dates.items():
            if isinstance(value, str):
                problems.append(at("action-bad-date", field, r, f"{value!r} is not a date; "
                                   "type it as 01/03/2015 (day first) or 2015-03-01", value))
        if dates["due_date"] is None:
            problems.append(at("action-no-due-date", "due_date", r, "the action has no due "
                               "date"))
        if len(problems) == bad:
            actions.append(Action.model_validate({**values, **dates, "timescale": timescale,
                                                  "status": status}))
            rows.append(r)
    if not isinstance(pub, dt.date):
        raise _fail(name, problems)
    # The rows that could be read are checked too, so every mistake is listed at once;
    # a recommendation missing is said only when no row failed (it may be that row).
    unread = bool(problems)
    ledger = Ledger(force=_text(made.get("force")), publication_date=pub, actions=actions)
    for i, field, code, message, shown in ledger_problems(ledger, as_of=as_of,
                                                          profile=profile):
        if unread and code == "action-missing":
            continue
        if i is None:
            problems.append(Problem.at_cell(code, message, file=name, sheet=SOURCE_SHEET
                                            if field == "publication_date" else ACTIONS_SHEET,
                                            row=2 if field == "publication_date" else None,
                                            column=field, column_index=2, value=shown))
        else:
            problems.append(at(code, field, rows[i], message, shown))
    if problems:
        raise _fail(name, sorted(problems, key=lambda p: (p.row or 0, len(p.cell or ""),
                                                         p.cell or "")))
    return ledger


def read_ledger(path: Path, *, as_of: dt.date | None = None,
                profile: ForceProfile | None = None) -> Ledger:
    """A ledger from its YAML or workbook file (by extension), checked."""
    if not path.is_file():
        raise LedgerError(f"ledger {path.name} not found", [Problem(
            code="file-not-found", file=path.name, message="no such file")])
    if path.suffix.lower() in (".yaml", ".yml"):
        return read_ledger_yaml(path, as_of=as_of, profile=profile)
    if path.suffix.lower() == ".xlsx":
        return read_ledger_xlsx(path, as_of=as_of, profile=profile)
    raise LedgerError(f"{path.name} is not a ledger", [Problem(
        code="bad-ledger", file=path.name, message=f"has extension {path.suffix or '(none)'!r};"
        " give a force profile or a ledger (.yaml or .xlsx)")])


def is_profile(path: Path) -> bool:
    """Whether a YAML file is a force profile (it has no ``actions`` but names
    recommendations or a publication date and an inspection month) rather than a
    ledger; False for anything that is not readable YAML (the ledger reader says why)."""
    if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
        return False
    text, _ = read_text(path)
    data = yaml_mapping(text, path.name, "file")[0] if text is not None else None
    return data is not None and "actions" not in data and (
        "recommendations" in data or "inspection_month" in data)


def load_ledger(path: Path, *, profile: Path | None = None, as_of: dt.date | None = None
                ) -> tuple[Ledger, bool]:
    """The ledger ``path`` holds, and whether it was started just now: a force profile
    starts a fresh ledger from its recommendations; a ledger (YAML or workbook) is read
    back and checked, against the force ``profile`` when one is given."""
    from ..profile import read_profile

    if is_profile(path):
        return ledger_from_profile(read_profile(path)[0]), True
    known = read_profile(profile)[0] if profile is not None else None
    return read_ledger(path, as_of=as_of, profile=known), False
