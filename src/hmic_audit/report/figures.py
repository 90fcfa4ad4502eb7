"""Every figure a report shows, registered with its value, the rule that produced it and
the case references behind it (written beside the report as ``*.figures.json``).

The registry is the only way a number reaches a report: sentences and tables place
:class:`Figure` objects, and the figures file lists exactly those. Inside
:func:`tracing`, every figure is written wrapped in invisible markers naming its id, so
a test can find where each figure stands in a rendered report and check that nothing
else there is a number.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from .words import WORDS_UP_TO, all_in_words, number_words, proportion_phrase

if TYPE_CHECKING:
    from ..analysis.disclosure import Protection, Query

MARK_OPEN, MARK_TEXT, MARK_CLOSE = "\ue000", "\ue001", "\ue002"
"""Private-use characters around a traced figure: open, figure id, text, shown, close."""

_TRACING: ContextVar[bool] = ContextVar("hmic_audit_tracing", default=False)


@contextmanager
def tracing() -> Iterator[None]:
    """Within this block figures are written as ``MARK_OPEN id MARK_TEXT shown
    MARK_CLOSE``: build and render a report inside it to locate every figure."""
    token = _TRACING.set(True)
    try:
        yield
    finally:
        _TRACING.reset(token)


def capital(text: str) -> str:
    """The text with its first letter capitalised and nothing else changed (unlike
    ``str.capitalize``); a traced figure's marker and id in front are skipped."""
    i = 0
    while i < len(text):
        if text[i] == MARK_OPEN:
            i = text.index(MARK_TEXT, i) + 1
            continue
        if text[i].isalpha():
            return text[:i] + text[i].upper() + text[i + 1:]
        i += 1
    return text


class Figure(BaseModel):
    """A number (or a phrase standing for one) as it appears in the report."""

    model_config = ConfigDict(frozen=True)

    id: str
    value: float | int | str
    shown: str
    """Exactly as it appears in the text: 'eight', '84', 'about two-thirds', '0.33'."""
    rule: str
    """How it was computed, or where it was authored."""
    source: Literal["cases", "profile", "rubric"] = "cases"
    cases: list[str] = []
    """Case references behind the figure (never names)."""

    def __str__(self) -> str:
        if _TRACING.get():
            return f"{MARK_OPEN}{self.id}{MARK_TEXT}{self.shown}{MARK_CLOSE}"
        return self.shown


UNPUBLISHED = "an unpublished number"
"""How a count reads that a publication neither shows nor bounds."""


def counted(figure: Figure, n: int, word: str) -> str:
    """A count and its noun: 'eight cases', 'fewer than six cases', 'an unpublished
    number of cases'."""
    from .words import noun

    if figure.shown == UNPUBLISHED:
        return f"{figure} of {noun(2, word)}"
    return f"{figure} {noun(n, word)}"


class CaseList(list[str]):
    """Case references already sorted and without repeats, as a figure lists them, and
    (``query``) the units they are, for disclosure control when publishing."""

    query: Query | None = None

    @classmethod
    def of(cls, refs: Iterable[str], query: Query | None) -> CaseList:
        """References (taken as they are) counting the units of ``query``."""
        out = cls(refs)
        out.query = query
        return out


class Phrase(str):
    """Report text that is already safe Markdown (built from escaped parts and figures)."""


class FigureBook:
    """Registers figures under unique ids, in the order the report computes them.

    With a publication ``threshold``, no figure lists the cases behind it, and a count
    from the cases is shown only as the publication's disclosure control (``guard``, the
    protection of the annex tables, :mod:`hmic_audit.analysis.disclosure`) allows: a
    count the tables publish, or one they determine, is shown; any other reads "an
    unpublished number" (in a table ``c``), small or not. Without a guard (or a figure
    without the units it counts) a count from 1 to threshold-1 reads "fewer than six".
    ``words_up_to`` is the house style for counts (see :mod:`hmic_audit.report.words`).
    """

    def __init__(self, threshold: int | None = None, *,
                 words_up_to: int = WORDS_UP_TO, guard: Protection | None = None) -> None:
        self._figures: dict[str, Figure] = {}
        self.threshold = threshold
        self.words_up_to = words_up_to
        self._guard = guard
        """Private: it holds every true count, and templates must not reach it."""
        self._queries: dict[str, Query] = {}
        self.unjudged: list[str] = []
        """Ids of counts from the cases registered, when publishing, without the units
        they count (judged by the threshold alone): the suite keeps this empty."""

    def _status(self, id: str, n: int, query: Query | None, hide: bool
                ) -> Literal["shown", "small", "withheld"]:
        """How a count from the cases may be shown in this publication."""
        if self._guard is None or query is None:
            if self._guard is not None:
                self.unjudged.append(id)
            return "small" if hide or 0 < n < (self.threshold or 0) else "shown"
        self._queries[id] = query
        count = self._guard.add(query, id, probe=True)
        if not count.hidden and not count.probe:
            return "shown"
        # NOTE: never "fewer than six" for a hidden count: a publication that says how
        # small a hidden count is gives an intruder its upper end (the audit assumes no
        # bound above), and with the zeros it publishes, pins small counts.
        return "shown" if self._guard.determined(count) else "withheld"

    def published(self, *queries: Query | None) -> bool:
        """Whether figures derived from these counts (a percentage, a statistic) may be
        shown: not publishing, or every count published or determined by what is."""
        if not self.threshold:
            return True
        if self._guard is None or any(q is None for q in queries):
            return False
        return all(self._guard.determined(self._guard.add(q, "derived", probe=True))
                   for q in queries if q is not None)

    def add(self, id: str, value: float | int | str, shown: str, rule: str, *,
            source: Literal["cases", "profile", "rubric"] = "cases",
            cases: Iterable[str] = (), again: bool = False) -> Figure:
        """Register a figure; the cases behind it are listed sorted, without repeats (a
        ``CaseList`` is taken as it is), and not at all when publishing. An id registered
        before is an error, unless ``again`` (a figure shown in several places, with the
        same value each time: the one registered is returned)."""
        if id in self._figures:
            if again and self._figures[id].value == value:
                return self._figures[id]
            raise ValueError(f"figure {id!r} registered twice")
        if self.threshold or isinstance(cases, CaseList):
            figure = Figure(id=id, value=value, shown=shown, rule=rule, source=source)
            if cases and not self.threshold:  # checked strings: validating each again
                figure = figure.model_copy(update={"cases": list(cases)})  # costs seconds
        else:
            # dict.fromkeys drops repeats but keeps order: references arriving in order
            # (as most workbooks list them) then sort in linear time.
            figure = Figure(id=id, value=value, shown=shown, rule=rule, source=source,
                            cases=sorted(dict.fromkeys(cases)))
        self._figures[id] = figure
        return figure

    def count(self, id: str, n: int, rule: str, *, cases: Iterable[str] = (),
              words: bool = True, source: Literal["cases", "profile", "rubric"] = "cases",
              zero: str = "no", hide: bool = False, cell: bool = False,
              query: Query | None = None) -> Figure:
        """A count: in words when ``words`` and the house style writes it so (pass
        :meth:`in_words` of a whole list for each count in the list), else a numeral;
        when publishing a count from the cases, hidden unless the publication allows it
        (see the class; ``query``, else the ``cases``' own, says what it counts; ``hide``
        hides it anyway): 'fewer than six' or 'an unpublished number' in prose, ``c`` in
        a table ``cell``.
        """
        if self.threshold and source == "cases":
            status = self._status(id, n, query or getattr(cases, "query", None), hide)
            if status != "shown":
                shown = "c" if cell else self.small(words) if status == "small" else \
                    UNPUBLISHED
                return self.add(id, "suppressed", shown, rule, source=source)
        shown = number_words(n, zero=zero, words_up_to=self.words_up_to) if words else \
            f"{n:,}"
        return self.add(id, n, shown, rule, cases=cases, source=source)

    def in_words(self, *counts: int) -> bool:
        """Whether counts shown together (a list, 'six of the 84') are written in words:
        only when every one of them is small enough (and none is hidden as 'fewer than
        six', which is as wide as the threshold)."""
        hidden = [self.threshold] if self.threshold and any(
            0 < c < self.threshold for c in counts) else []
        return all_in_words(*counts, *hidden, words_up_to=self.words_up_to)

    def hides_rest(self, part: int, whole: int) -> bool:
        """Whether, publishing, showing ``part`` of a shown ``whole`` would give away a
        hidden count: the rest, ``whole - part``, between 1 and the threshold. A sentence
        then says "all but fewer than six of the 84" instead (the rest a hidden figure)."""
        return bool(self.threshold) and 0 < whole - part < (self.threshold or 0)

    def small(self, words: bool = True) -> str:
        """How a hidden count reads in prose: 'fewer than six' in the house style for the
        threshold alone, the same everywhere in a report (never 'fewer than 6' in one
        sentence and 'fewer than six' in another); ``words`` is not used."""
        del words
        return f"fewer than {number_words(self.threshold or 0, words_up_to=self.words_up_to)}"

    def hide(self, id: str) -> Figure:
        """Withdraw a registered figure's value (secondary suppression in a table)."""
        old = self._figures[id]
        self._figures[id] = old.model_copy(update={"value": "suppressed", "shown": "c",
                                                   "cases": []})
        return self._figures[id]

    def query_of(self, id: str) -> Query | None:
        """When publishing, the units a count from the cases counts (what an intruder
        reading the report knows it to mean)."""
        return self._queries.get(id)

    @property
    def guarded(self) -> bool:
        """Whether counts are judged by a publication's disclosure control."""
        return self._guard is not None

    def forget(self, figure: Figure) -> None:
        """Unregister a figure a sentence turned out not to show."""
        del self._figures[figure.id]

    def hidden(self, figure: Figure) -> bool:
        """Whether a figure's value was withdrawn (suppressed)."""
        return figure.value == "suppressed"

    def share(self, id: str, part: int | float, whole: int | float, rule: str, *,
              cases: Iterable[str] = (),
              source: Literal["cases", "profile", "rubric"] = "cases") -> Figure:
        """A proportion in words ('about two-thirds'); published, its value is the words
        (the exact share would say more than the report shows)."""
        shown = proportion_phrase(part, whole)
        return self.add(id, shown if self.threshold else part / whole, shown, rule,
                        cases=cases, source=source)

    def percent(self, id: str, part: int, whole: int, rule: str, *,
                cases: Iterable[str] = ()) -> Figure:
        """A percentage, whole number ("64%"); the caller asks :meth:`published` first
        when publishing."""
        value = 100 * part / whole if whole else 0.0
        # published, the value is only as precise as shown: 43.33... is 13 of 30
        return self.add(id, round(value) if self.threshold else value, f"{value:.0f}%",
                        rule, cases=cases)

    def decimal(self, id: str, value: float | None, rule: str, digits: int = 2) -> Figure:
        """A statistic to ``digits`` decimals, or "undefined"."""
        shown = "undefined" if value is None else f"{value:.{digits}f}"
        kept = value if value is None or not self.threshold else round(value, digits)
        return self.add(id, "undefined" if kept is None else kept, shown, rule)

    def all(self) -> list[Figure]:
        """Every figure, in the order registered."""
        return list(self._figures.values())
