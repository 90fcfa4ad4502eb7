"""The recommendations ledger: a report's recommendations as tracked actions.

Each recommendation of a force profile becomes an :class:`Action` with a due date
computed from the profile's ``publication_date`` and the recommendation's timescale:

* ``immediately`` falls due on the publication date itself;
* ``within three months`` / ``within six months`` fall due that many calendar months
  after it, on the same day of the month, or on the month's last day when the month is
  shorter (published 31 August, three months: 30 November).

:func:`progress` counts, as at a date, the actions done (on time: closed on or before
the due date; late: after it), overdue (not done, not dropped, due date before the
as-at date: an action due on that very day is not yet overdue), not yet due (the other
open or in-progress ones) and dropped (counted apart, never overdue). Reading and
writing a ledger file is :mod:`.action_ledger`'s job.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, field_validator

from ..profile import ForceProfile, Timescale, long_date
from ..text import and_list, label_key, or_list


class ActionStatus(StrEnum):
    """Where an action stands, as the force records it."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        """As the ledger's drop-down shows it: 'In progress'."""
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def parse(cls, text: str) -> ActionStatus | None:
        """The status a person typed (key or label, any case or spacing), else None."""
        wanted = label_key(text).replace("_", " ")
        return next((s for s in cls if label_key(s.label) == wanted), None)


def status_list_text() -> str:
    """'Open, In progress, Done or Dropped'."""
    return or_list([s.label for s in ActionStatus])


def due_date(published: dt.date, timescale: Timescale) -> dt.date:
    """When an action falls due: the publication date for ``immediately``, else the
    publication date plus the timescale's months (see the module's notes)."""
    return timescale.due(published)


class Action(BaseModel):
    """One recommendation tracked as an action."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    """The action's reference: R1, R2, ... in the order of the profile's recommendations."""
    recommendation: str
    """The recommendation's text, as the profile words it."""
    theme: str | None = None
    """The theme key (or ``leadership``) the recommendation answers, if the profile
    names one."""
    timescale: Timescale
    """immediately, within_three_months or within_six_months."""
    due_date: dt.date
    """When it falls due, YYYY-MM-DD (publication date plus the timescale)."""
    owner: str = ""
    """Who in the force answers for it."""
    status: ActionStatus = ActionStatus.OPEN
    """open, in progress, done or dropped."""
    evidence: str = ""
    """What shows it was done (a document, a date, a meeting)."""
    date_closed: dt.date | None = None
    """When it was done or dropped, YYYY-MM-DD."""

    @field_validator("status", mode="before")
    @classmethod
    def _loose_status(cls, value: object) -> object:
        if isinstance(value, str) and not isinstance(value, ActionStatus):
            return ActionStatus.parse(value) or value
        return value

    @field_validator("recommendation", "owner", "evidence", mode="before")
    @classmethod
    def _blank_is_empty(cls, value: object) -> object:
        return "" if value is None else value


class Ledger(BaseModel):
    """A force's actions on one report's recommendations."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    force: str
    """The force's full name."""
    publication_date: dt.date
    """The report's publication date, YYYY-MM-DD; due dates count from it."""
    actions: list[Action]
    """One action per recommendation."""


def action_id(index: int) -> str:
    """The reference of the recommendation at ``index`` (0-based): R1, R2, ..."""
    return f"R{index + 1}"


def ledger_from_profile(profile: ForceProfile) -> Ledger:
    """A fresh ledger: every recommendation of the profile, open, with its due date."""
    pub = profile.publication_date
    return Ledger(force=profile.force, publication_date=pub, actions=[
        Action(id=action_id(i), recommendation=" ".join(r.text.split()), theme=r.theme,
               timescale=r.timescale, due_date=due_date(pub, r.timescale))
        for i, r in enumerate(profile.recommendations)])


class State(StrEnum):
    """Where an action stands on the as-at date."""

    DONE_ON_TIME = "done on time"
    DONE_LATE = "done late"
    OVERDUE = "overdue"
    NOT_YET_DUE = "not yet due"
    DROPPED = "dropped"


def action_state(action: Action, as_of: dt.date) -> State:
    """Done on time or late, dropped, overdue, or not yet due, as at ``as_of``."""
    if action.status is ActionStatus.DONE:
        closed = action.date_closed
        return State.DONE_LATE if closed is not None and closed > action.due_date \
            else State.DONE_ON_TIME
    if action.status is ActionStatus.DROPPED:
        return State.DROPPED
    return State.OVERDUE if action.due_date < as_of else State.NOT_YET_DUE


class Progress(BaseModel):
    """How far the force has got with its actions on a date."""

    model_config = ConfigDict(frozen=True)

    as_of: dt.date
    total: int
    due: int
    """Actions whose due date is on or before the as-at date."""
    done: int
    done_on_time: int
    done_late: int
    overdue: int
    not_yet_due: int
    dropped: int
    overdue_ids: list[str]
    states: dict[str, State]
    """Each action's state, by id."""

    @property
    def summary(self) -> str:
        """One line: the sentence of :func:`progress_sentence`."""
        return progress_sentence(self)


def progress(actions: list[Action], as_of: dt.date) -> Progress:
    """Count the actions by state as at ``as_of`` (see the module's notes)."""
    states = {a.id: action_state(a, as_of) for a in actions}
    n = {s: sum(v is s for v in states.values()) for s in State}
    return Progress(
        as_of=as_of, total=len(actions), due=sum(a.due_date <= as_of for a in actions),
        done=n[State.DONE_ON_TIME] + n[State.DONE_LATE], done_on_time=n[State.DONE_ON_TIME],
        done_late=n[State.DONE_LATE], overdue=n[State.OVERDUE],
        not_yet_due=n[State.NOT_YET_DUE], dropped=n[State.DROPPED],
        overdue_ids=[i for i, s in states.items() if s is State.OVERDUE], states=states)


def _are(n: int, what: str) -> str:
    return f"{n} {'is' if n == 1 else 'are'} {what}"


def progress_sentence(p: Progress) -> str:
    """The progress in a sentence for a report or a terminal: 'Of the 8 recommendations,
    5 are done (4 on time), 2 are overdue and 1 is not yet due as at 1 March 2015.'
    Counts that are nought are left out, except the done ones."""
    when = long_date(p.as_of)
    if p.total == 0:
        return f"There are no recommendations to act on as at {when}."
    if p.total == 1:
        state = next(iter(p.states.values()))
        said = {State.DONE_ON_TIME: "is done (on time)", State.DONE_LATE: "is done (late)",
                State.OVERDUE: "is overdue", State.NOT_YET_DUE: "is not yet due",
                State.DROPPED: "was dropped"}[state]
        return f"The one recommendation {said} as at {when}."
    if p.done == 0:
        parts = ["none is done"]
    else:
        on_time = "all on time" if p.done_on_time == p.done else \
            "none on time" if p.done_on_time == 0 else f"{p.done_on_time} on time"
        parts = [_are(p.done, "done") + f" ({on_time})"]
    parts += [_are(n, what) for n, what in ((p.overdue, "overdue"),
                                            (p.not_yet_due, "not yet due")) if n]
    if p.dropped:
        parts.append(f"{p.dropped} {'was' if p.dropped == 1 else 'were'} dropped")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Of the {p.total} recommendations, {listed} as at {when}."


def progress_sentences(p: Progress) -> list[str]:
    """The progress as sentences a report can include: the summary, then which actions
    are overdue, by reference."""
    out = [progress_sentence(p)]
    if p.overdue_ids:
        ids = p.overdue_ids
        named = and_list(ids)
        out.append(f"{'Action' if len(ids) == 1 else 'Actions'} {named} "
                   f"{'is' if len(ids) == 1 else 'are'} overdue.")
    return out


def parse_as_of(text: str | None) -> tuple[dt.date, bool]:
    """The as-at date typed as YYYY-MM-DD or day first (01/03/2015, 1 March 2015), and
    whether it was given; today's date when ``text`` is None. ``HmicAuditError`` when the
    text is no date."""
    from ..problems import HmicAuditError, Problem
    from ..workbook.dates import parse_date

    if text is None:
        return dt.date.today(), False
    day = parse_date(text)
    if day is None:
        raise HmicAuditError("--as-of is not a date", [Problem(
            code="bad-as-of", column="--as-of", value=text, message=f"{text!r} is not a "
            "date; write it as 2015-03-01 or 01/03/2015 (day first)")])
    return day, True
