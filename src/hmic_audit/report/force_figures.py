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
from .figures import Figure, FigureBook, Phrase
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
    number = str(shown).capitalize() if not before.strip() else str(shown)
    return (_escaped_part(before) + number + _escaped_part(after)).strip()


def _notes(figures: list[ForceFigure]) -> str:
    return "".join(note(s) for s in dict.fromkeys(f.source for f in figures if f.source))


def sentences(book: FigureBook, profile: ForceProfile, chapter: str) -> list[Phrase]:
    """The sentences showing a chapter's profile figures, each figure registered."""
    out: list[Phrase] = []
    run: list[tuple[ForceFigure, Figure]] = []

    def close_run() -> None:
        if run:
            verb = "was" if run[0][1].value == 1 else "were"
            listed = join_words([f"{shown} {md_escape(f.label)}" for f, shown in run])
            out.append(Phrase(f"At the time of the inspection there {verb} {listed}."
                              + _notes([f for f, _ in run])))
            run.clear()

    for i, f in enumerate(profile.figures):
        if f.chapter != chapter:
            continue
        rule = "force profile" + (f": {f.source}" if f.source else "")
        if f.kind == "share":
            shown = book.share(f"profile.{chapter}.{i}", f.value, 1.0, rule,
                               source="profile")
        else:
            shown = book.count(f"profile.{chapter}.{i}", int(f.value), rule,
                               source="profile", words=f.value <= 20)
        if f.sentence is None and f.kind == "count":
            run.append((f, shown))
            continue
        close_run()
        text = (_in_sentence(f.sentence, shown) if f.sentence
                else f"{str(shown).capitalize()} {md_escape(f.label)}.")
        out.append(Phrase(text + _notes([f])))
    close_run()
    return out
