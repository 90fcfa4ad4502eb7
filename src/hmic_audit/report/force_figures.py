"""The force profile's own figures, woven into sentences with their sources as notes.

A figure with a ``sentence`` is shown in it (the number where ``{}`` stands). Other
counts of a chapter that follow one another are joined in one sentence ("At the time of
the inspection there were 563 staff in the public protection division, six
multi-agency safeguarding hubs in operation and four further hubs planned."); a share
starts its own ("About three quarters of initial child protection conferences were
attended by an officer."). A figure's ``source`` follows its sentence as an inline note,
``^[...]``, which the renderer numbers as a footnote.
"""

from __future__ import annotations

from ..profile import ForceFigure, ForceProfile
from ..text import md_escape
from .figures import Figure, FigureBook, Phrase, capital
from .words import join_words


def note(text: str | None) -> str:
    """An inline note (``^[text]``, Markdown as Pandoc writes it) citing a source; empty
    without one. The renderer turns it into a numbered footnote."""
    return f"^[{md_escape(text)}]" if text and text.strip() else ""


def _escaped_part(text: str) -> str:
    """Authored text around a number, escaped, keeping the space that joins it."""
    inner = md_escape(text)
    if not inner:
        return " " if text[:1].isspace() else ""
    return (" " if text[:1].isspace() else "") + inner + (" " if text[-1:].isspace() else "")


def _in_sentence(template: str, shown: Figure) -> str:
    before, after = template.split("{}")
    number = capital(str(shown)) if not before.strip() else str(shown)
    return (_escaped_part(before) + number + _escaped_part(after)).strip()


def _notes(figures: list[ForceFigure]) -> str:
    return "".join(note(s) for s in dict.fromkeys(f.source for f in figures if f.source))


def _joins(f: ForceFigure) -> bool:
    """A count with no sentence of its own joins its neighbours' sentence."""
    return f.sentence is None and f.kind == "count"


def sentences(book: FigureBook, profile: ForceProfile, chapter: str) -> list[Phrase]:
    """The sentences showing a chapter's profile figures, each figure registered. The
    counts joined in one sentence are all words or all numerals (the house style for a
    list: "174 cases …, 141 … and 14 staff", never "… and fourteen staff")."""
    groups: list[list[tuple[int, ForceFigure]]] = []
    for i, f in enumerate(profile.figures):
        if f.chapter != chapter:
            continue
        if _joins(f) and groups and _joins(groups[-1][-1][1]):
            groups[-1].append((i, f))
        else:
            groups.append([(i, f)])
    out: list[Phrase] = []
    for group in groups:
        words = book.in_words(*(int(f.value) for _, f in group if f.kind == "count"))
        shown: list[tuple[ForceFigure, Figure]] = []
        for i, f in group:
            rule = "force profile" + (f": {f.source}" if f.source else "")
            if f.kind == "share":
                figure = book.share(f"profile.{chapter}.{i}", f.value, 1.0, rule,
                                    source="profile")
            else:
                figure = book.count(f"profile.{chapter}.{i}", int(f.value), rule,
                                    source="profile", words=words)
            shown.append((f, figure))
        first, figure = shown[0]
        if _joins(first):
            verb = "was" if figure.value == 1 else "were"
            listed = join_words([f"{n} {md_escape(f.label)}" for f, n in shown])
            text = f"At the time of the inspection there {verb} {listed}."
        elif first.sentence:
            text = _in_sentence(first.sentence, figure)
        else:
            text = f"{capital(str(figure))} {md_escape(first.label)}."
        out.append(Phrase(text + _notes([f for f, _ in shown])))
    return out
