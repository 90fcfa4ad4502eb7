"""Check a report draft, written or edited by people, against the cases.

The cases give their own report (the figures of :class:`~.figures.FigureBook`, in the
sentences and tables the report renders): that is the reference. Each paragraph of the
draft is matched to the reference paragraph it was made from (the same words, its
numbers aside), each table to the reference table with the same headings, and each
number or proportion word in the draft is held to the one in the same place of the
reference. Four kinds of finding:

``mismatch``
    a number (in digits or words), a proportion word or a table cell that differs from
    the one the cases give in the same place;
``does-not-add-up``
    counts listed with a stated total ("eight good, sixteen adequate, one ... and five
    inadequate" of "the 30 cases") that do not add up to it, or a table row or column
    that does not add up to its Total;
``wrong-proportion-word``
    a proportion word that does not fit its own counts ("most of them (9)" of 30; the
    bands are :func:`~.claims.fits`'s);
``no-source``
    a number where the reference has none that matches no figure and no number of the
    reference, and is not a year, a date, a section, table or recommendation number.

A paragraph rewritten beyond recognition is held only to the last test; what is not
in the draft at all is not looked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import SequenceMatcher
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ..rubric import Rubric
from .claims import NUMBER, PROPORTION, Number, fits, number_value, numbers, same_value
from .draft import Draft, markdown_draft
from .figures import Figure

Kind = Literal["mismatch", "does-not-add-up", "wrong-proportion-word", "no-source"]
SIMILAR = 0.6
"""How alike (difflib's ratio of their words, numbers aside) a draft paragraph and a
reference paragraph must be to be taken as the same paragraph."""


class Finding(BaseModel):
    """One figure of the draft that the cases do not bear out."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    place: str
    """``paragraph 12`` or ``table 2, row "Good", column "Adequate"``."""
    paragraph: int | None = None
    table: int | None = None
    row: int | None = None
    """1-based, the header row being row 1."""
    column: int | None = None
    claimed: str
    """The text of the draft."""
    computed: str | None = None
    """What the cases give instead (for does-not-add-up, the sum of the parts)."""
    figure: str | None = None
    """The id of the figure behind it, in the report's figures file, when one is."""
    context: str
    """The sentence (or cell) the claim stands in."""
    message: str


class ReportCheck(BaseModel):
    """What ``check-report`` found in a draft."""

    model_config = ConfigDict(frozen=True)

    draft: str
    paragraphs: int
    tables: int
    figures: int
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings


def check_report(draft: Draft, reference_markdown: str, figures: list[Figure],
                 rubric: Rubric, *, name: str) -> ReportCheck:
    """Hold ``draft`` to the report the cases give (``reference_markdown``, with its
    ``figures``); ``name`` is the draft's file name."""
    reference = markdown_draft(reference_markdown)
    known = _Known(reference, figures)
    found: list[Finding] = []
    exact = {p: i for i, p in enumerate(reference.paragraphs)}
    skeletons = {_skeleton(p): i for i, p in enumerate(reference.paragraphs)}
    for n, text in enumerate(draft.paragraphs, 1):
        place = f"paragraph {n}"
        ref: str | None
        if text in exact:
            ref = text
        elif (i := skeletons.get(_skeleton(text))) is not None:
            ref = reference.paragraphs[i]
        else:
            ref = _similar(text, reference.paragraphs)
        owned = _proportions(text, place, n, found)
        _lists(text, place, n, rubric, found)
        if ref != text:
            _compare(text, ref, place, n, known, owned, found)
    for t, table in enumerate(draft.tables, 1):
        _table(t, table, reference.tables, known, found)
    return ReportCheck(draft=name, paragraphs=len(draft.paragraphs), tables=len(draft.tables),
                       figures=len(figures), findings=found)


# Matching paragraphs --------------------------------------------------------------------

def _skeleton(text: str) -> str:
    return NUMBER.sub("#", PROPORTION.sub("~", text)).lower()


def _words(text: str) -> list[str]:
    return _skeleton(text).split()


def _similar(text: str, paragraphs: list[str]) -> str | None:
    mine, best, chosen = _words(text), SIMILAR, None
    for candidate in paragraphs:
        matcher = SequenceMatcher(None, mine, _words(candidate), autojunk=False)
        if matcher.real_quick_ratio() >= best and matcher.quick_ratio() >= best \
                and (ratio := matcher.ratio()) >= best:
            best, chosen = ratio, candidate
    return chosen


def _sentence(text: str, at: int) -> str:
    """The sentence of ``text`` holding position ``at``."""
    starts = [0, *(m.end() for m in re.finditer(r"[.!?:;]\s+(?=[A-Z('\"])", text))]
    start = max(s for s in starts if s <= at)
    end = min([m.start() + 1 for m in re.finditer(r"[.!?:;](?:\s|$)", text)
               if m.start() >= at] + [len(text)])
    return text[start:end].strip()


# Claims: numbers and proportion words in order -------------------------------------------

Token = tuple[str, "Number | str | None", int]
"""A word (lowercased; no claim, position -1) or a claim: a number (key ``#``) or a
proportion phrase (key ``~``), with its position in the text."""


def _claims(text: str) -> list[Token]:
    """The text as tokens, each claim keyed ``#`` or ``~`` so that alignment pairs
    claims by the words around them."""
    spans: list[tuple[int, int, str, Number | str]] = []
    for m in PROPORTION.finditer(text):
        spans.append((m.start(), m.end(), "~", m.group(0)))
    for num in numbers(text):
        if not any(s <= num.start < e for s, e, _, _ in spans):
            spans.append((num.start, num.end, "#", num))
    spans.sort(key=lambda s: s[0])
    out: list[Token] = []
    at = 0
    for start, end, key, obj in spans:
        out += [(w.lower(), None, -1) for w in re.findall(r"\w+", text[at:start])]
        out.append((key, obj, start))
        at = end
    out += [(w.lower(), None, -1) for w in re.findall(r"\w+", text[at:])]
    return out


def _compare(text: str, ref: str | None, place: str, n: int, known: _Known,
             owned: set[int], found: list[Finding]) -> None:
    mine = _claims(text)
    theirs = _claims(ref) if ref is not None else []
    matcher = SequenceMatcher(None, [k for k, _, _ in mine], [k for k, _, _ in theirs],
                              autojunk=False)
    paired: set[int] = set()
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op != "equal":
            continue
        for (_, got, at), (_, want, _) in zip(mine[a0:a1], theirs[b0:b1], strict=True):
            if got is None or want is None:
                continue
            paired.add(at)
            if isinstance(got, Number) and isinstance(want, Number):
                if got.value != want.value:
                    found.append(_mismatch(place, n, got.text, want.text,
                                           known.figure(want.text), text, at))
            elif isinstance(got, str) and isinstance(want, str) \
                    and got.lower() != want.lower() and at not in owned:
                figure = known.share(want)
                if figure is None or not _fits_value(got, figure.value):
                    found.append(_mismatch(place, n, got, want,
                                           figure.id if figure else None, text, at))
    for _, got, at in mine:
        if isinstance(got, Number) and at not in paired and not known.sourced(got, text):
            found.append(Finding(
                kind="no-source", place=place, paragraph=n, claimed=got.text,
                context=_sentence(text, at),
                message=f"{got.text} matches no figure the cases give and no number "
                "of the report: give its source, or take it out"))


def _fits_value(phrase: str, value: object) -> bool:
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        return False
    from fractions import Fraction

    share = Fraction(value).limit_denominator(1000)
    return fits(phrase, share.numerator, share.denominator)


def _mismatch(place: str, n: int | None, claimed: str, computed: str, figure: str | None,
              text: str, at: int) -> Finding:
    return Finding(kind="mismatch", place=place, paragraph=n, claimed=claimed,
                   computed=computed, figure=figure, context=_sentence(text, at),
                   message=f"the draft says {claimed!r} where the cases give {computed!r}")


class _Known:
    """The numbers the report has: its figures and every number of its text."""

    def __init__(self, reference: Draft, figures: list[Figure]) -> None:
        self.figures = figures
        self.texts = {n.value for p in reference.paragraphs for n in numbers(p)}
        self.texts |= {n.value for t in reference.tables for row in t for c in row
                       for n in numbers(c)}

    def figure(self, shown: str) -> str | None:
        ids = [f.id for f in self.figures if f.shown.lower() == shown.lower()]
        return ids[0] if len(set(ids)) == 1 else None

    def share(self, shown: str) -> Figure | None:
        return next((f for f in self.figures if f.shown.lower() == shown.lower()), None)

    def sourced(self, num: Number, text: str) -> bool:
        if num.value in self.texts or _exempt(num, text):
            return True
        return any(isinstance(f.value, int | float) and not isinstance(f.value, bool)
                   and same_value(num.value, float(f.value), num.text)
                   for f in self.figures)


_MONTHS = ("january|february|march|april|may|june|july|august|september|october|"
           "november|december")
_BEFORE = re.compile(r"(?:section|sections|s\.|chapter|annex|paragraph|recommendation|"
                     r"recommendations|table|figure|footnote|note|page|version|part|"
                     rf"schedule|article|step|{_MONTHS})\s*$", re.IGNORECASE)
_AFTER = re.compile(rf"^\s*(?:{_MONTHS})\b", re.IGNORECASE)


def _exempt(num: Number, text: str) -> bool:
    """A year, a day of a month, a section, table or recommendation number, or a
    heading's number: not a figure."""
    if not num.words and 1900 <= num.value <= 2100 and "." not in num.text:
        return True
    if _BEFORE.search(text[max(0, num.start - 20):num.start]) or \
            _AFTER.match(text[num.end:num.end + 12]):
        return True
    return num.start == 0 and text[num.end:num.end + 1] == "."


# Structural checks ------------------------------------------------------------------------

_NUM = NUMBER.pattern
_TOTAL = re.compile(rf"(?:{_NUM})\s+(?:(?!of\b)[a-z\-]+\s+)?cases\b", re.IGNORECASE)
_COUNTS = re.compile(
    rf"^\s*(?:of\s+(?:them|these|those|the\s+cases|these\s+cases)\s*)?"
    rf"\(\s*(?P<part>{_NUM.replace('?P<', '?P<a')})"
    rf"(?:\s+(?:of|out\s+of)\s+(?:the\s+)?(?P<whole>{_NUM.replace('?P<', '?P<b')}))?\s*\)"
    rf"|^\s*(?P<part2>{_NUM.replace('?P<', '?P<c')})\s+(?:of|out\s+of)\s+(?:the\s+)?"
    rf"(?P<whole2>{_NUM.replace('?P<', '?P<d')})\b", re.IGNORECASE)


def _value(text: str) -> int:
    match = NUMBER.fullmatch(text.strip())
    return int(number_value(match)) if match else 0


def _stated_total(text: str, before: int) -> tuple[int, str] | None:
    last = None
    for m in _TOTAL.finditer(text[:before]):
        last = m
    if last is None:
        return None
    num = NUMBER.match(last.group(0))
    return (int(number_value(num)), num.group(0)) if num else None


def _proportions(text: str, place: str, n: int, found: list[Finding]) -> set[int]:
    """Proportion words followed by their own counts ("most of them (9)", "about a
    third (10 of the 30)"): a word that does not fit them is a finding. Returns the
    positions of the words that had counts."""
    owned = set()
    for m in PROPORTION.finditer(text):
        counts = _COUNTS.match(text[m.end():m.end() + 80])
        if counts is None:
            continue
        part_text = counts.group("part") or counts.group("part2")
        whole_text = counts.group("whole") or counts.group("whole2")
        part = _value(part_text)
        if whole_text is not None:
            whole = _value(whole_text)
        elif (stated := _stated_total(text, m.start())) is not None:
            whole, whole_text = stated
        else:
            continue
        owned.add(m.start())
        if whole > 0 and part <= whole and not fits(m.group(0), part, whole):
            from .words import proportion_phrase

            found.append(Finding(
                kind="wrong-proportion-word", place=place, paragraph=n,
                claimed=m.group(0), computed=proportion_phrase(part, whole),
                context=_sentence(text, m.start()),
                message=f"{m.group(0)!r} does not fit {part} of {whole}; the report's "
                f"word for it is {proportion_phrase(part, whole)!r}"))
    return owned


def _grade_words(rubric: Rubric) -> list[str]:
    out = []
    for label in rubric.grade_labels.values():
        low = label.lower()
        out.append(low)
        if low.startswith("requires "):
            out.append("requiring " + low[len("requires "):])
    return sorted(out, key=len, reverse=True)


def _lists(text: str, place: str, n: int, rubric: Rubric, found: list[Finding]) -> None:
    """Counts listed against the rubric's grades ("eight good, sixteen adequate, ...")
    with a stated total before them ("the 30 cases") must add up to it."""
    grades = "|".join(re.escape(g) for g in _grade_words(rubric))
    item = re.compile(rf"(?P<n>{_NUM})\s+(?:as\s+)?(?:{grades})\b", re.IGNORECASE)
    items = list(item.finditer(text))
    groups: list[list[re.Match[str]]] = []
    for m in items:
        if groups and re.fullmatch(r"[\s,]*(?:and\s+)?", text[groups[-1][-1].end():m.start()]):
            groups[-1].append(m)
        else:
            groups.append([m])
    for group in groups:
        if len(group) < 2:
            continue
        stated = _stated_total(text, group[0].start())
        if stated is None:
            continue
        total, shown = stated
        parts = [int(number_value(g)) for g in group]
        if sum(parts) != total:
            listed = text[group[0].start():group[-1].end()]
            found.append(Finding(
                kind="does-not-add-up", place=place, paragraph=n, claimed=shown,
                computed=str(sum(parts)), context=_sentence(text, group[0].start()),
                message=f"the counts listed ({listed}) add up to {sum(parts)}, not the "
                f"{shown} stated"))


# Tables -----------------------------------------------------------------------------------

def _table(t: int, table: list[list[str]], references: list[list[list[str]]],
           known: _Known, found: list[Finding]) -> None:
    header = [c.lower() for c in table[0]] if table else []
    same = [r for r in references if r and [c.lower() for c in r[0]] == header]
    ref = next((r for r in same if len(r) == len(table)), same[0] if same else None)
    by_label = {row[0].lower(): row for row in ref} if ref else {}

    def where(r: int, c: int) -> str:
        label = table[r][0] if table[r] else ""
        head = table[0][c] if c < len(table[0]) else str(c + 1)
        return f'table {t}, row "{label}", column "{head}"'

    for r, row in enumerate(table):
        match = by_label.get(row[0].lower()) if row else None
        for c, cell in enumerate(row):
            mine = numbers(cell)
            if not mine:
                continue
            theirs = numbers(match[c]) if match is not None and c < len(match) else None
            if theirs:
                if mine[0].value != theirs[0].value:
                    found.append(Finding(
                        kind="mismatch", place=where(r, c), table=t, row=r + 1,
                        column=c + 1, claimed=cell, computed=theirs[0].text,
                        context=cell, message=f"the draft's cell says {cell!r} where the "
                        f"cases give {theirs[0].text!r}"))
            elif not known.sourced(mine[0], cell):
                found.append(Finding(
                    kind="no-source", place=where(r, c), table=t, row=r + 1, column=c + 1,
                    claimed=cell, context=cell, message=f"{cell} matches no figure the "
                    "cases give: give its source, or take it out"))
    _totals(t, table, found, where)


def _cell(text: str) -> int | None:
    match = NUMBER.fullmatch(text.strip())
    return int(number_value(match)) if match and match.group("words") is None \
        and "." not in text else None


def _totals(t: int, table: list[list[str]], found: list[Finding],
            where: Callable[[int, int], str]) -> None:
    """A table's Total column and Total row add up to their parts."""
    if len(table) < 2:
        return
    width = len(table[0])
    checks: list[tuple[int, int, list[int | None]]] = []
    if table[0] and table[0][-1].strip().lower() == "total":
        checks += [(r, width - 1, [_cell(c) for c in table[r][1:width - 1]])
                   for r in range(1, len(table)) if len(table[r]) == width]
    if table[-1] and table[-1][0].strip().lower() == "total":
        checks += [(len(table) - 1, c, [_cell(row[c]) for row in table[1:-1]
                                        if len(row) == width])
                   for c in range(1, width)
                   if not (c == width - 1 and table[0][-1].strip().lower() == "total")]
    for r, c, parts in checks:
        total = _cell(table[r][c]) if c < len(table[r]) else None
        if total is None or any(p is None for p in parts):
            continue  # a hidden ("c") or blank cell: nothing to add up
        got = sum(p for p in parts if p is not None)
        if got != total:
            found.append(Finding(
                kind="does-not-add-up", place=where(r, c), table=t, row=r + 1,
                column=c + 1, claimed=table[r][c], computed=str(got), context=table[r][c],
                message=f"the total {table[r][c]} is not the sum of its "
                f"{'row' if c == width - 1 else 'column'}, {got}"))
