"""Every figure a report shows, registered with its value, the rule that produced it and
the case references behind it (written beside the report as ``*.figures.json``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .words import number_words, proportion_phrase


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
        return self.shown


class CaseList(list[str]):
    """Case references already sorted and without repeats, as a figure lists them."""


class Phrase(str):
    """Report text that is already safe Markdown (built from escaped parts and figures)."""


class FigureBook:
    """Registers figures under unique ids, in the order the report computes them.

    With a publication ``threshold``, counts from the cases between 1 and threshold-1 are
    shown as "fewer than six" (in tables as ``c``) and registered without their value,
    and no figure lists the cases behind it.
    """

    def __init__(self, threshold: int | None = None) -> None:
        self._figures: dict[str, Figure] = {}
        self.threshold = threshold

    def add(self, id: str, value: float | int | str, shown: str, rule: str, *,
            source: Literal["cases", "profile", "rubric"] = "cases",
            cases: Iterable[str] = ()) -> Figure:
        """Register a figure; the cases behind it are listed sorted, without repeats (a
        ``CaseList`` is taken as it is), and not at all when publishing."""
        if id in self._figures:
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
              zero: str = "no", hide: bool = False) -> Figure:
        """A count, in words from one to twenty when ``words``; hidden when publishing a
        small count from the cases (or when ``hide`` says so)."""
        if self.threshold and source == "cases" and (hide or 0 < n < self.threshold):
            return self.add(id, "suppressed", self.small(words), rule, source=source)
        shown = number_words(n, zero=zero) if words else f"{n:,}"
        return self.add(id, n, shown, rule, cases=cases, source=source)

    def small(self, words: bool = True) -> str:
        """How a hidden count reads: 'fewer than six' in prose, 'c' in tables."""
        return f"fewer than {number_words(self.threshold or 0)}" if words else "c"

    def hide(self, id: str) -> Figure:
        """Withdraw a registered figure's value (secondary suppression in a table)."""
        old = self._figures[id]
        self._figures[id] = old.model_copy(update={"value": "suppressed", "shown": "c",
                                                   "cases": []})
        return self._figures[id]

    def hidden(self, figure: Figure) -> bool:
        """Whether a figure's value was withdrawn (suppressed)."""
        return figure.value == "suppressed"

    def share(self, id: str, part: int | float, whole: int | float, rule: str, *,
              cases: Iterable[str] = (),
              source: Literal["cases", "profile", "rubric"] = "cases") -> Figure:
        """A proportion in words ('about two-thirds')."""
        return self.add(id, part / whole, proportion_phrase(part, whole), rule, cases=cases,
                        source=source)

    def percent(self, id: str, part: int, whole: int, rule: str, *,
                cases: Iterable[str] = ()) -> Figure:
        """A percentage, whole number ("64%")."""
        value = 100 * part / whole if whole else 0.0
        return self.add(id, value, f"{value:.0f}%", rule, cases=cases)

    def decimal(self, id: str, value: float | None, rule: str, digits: int = 2) -> Figure:
        """A statistic to ``digits`` decimals, or "undefined"."""
        shown = "undefined" if value is None else f"{value:.{digits}f}"
        return self.add(id, "undefined" if value is None else value, shown, rule)

    def all(self) -> list[Figure]:
        """Every figure, in the order registered."""
        return list(self._figures.values())
