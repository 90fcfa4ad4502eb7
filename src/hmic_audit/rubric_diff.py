"""What moved between two versions of a rubric.

Forces audit against a rubric version; when a new one is issued they need to know which
criteria, weights, bands, answers and caps changed. ``diff_rubrics(old, new)`` lists
every change, one entry each, with a kind (``criterion-reweighted``), the section it
belongs to, the key it is about, the old and new values, and a sentence for people.

Changes come section by section in a fixed order (``SECTIONS``); within a section, the
items of the new rubric in its order (added or changed), then the items removed, in the
old rubric's order; a change of order comes last. Two equal rubrics give no change.
``acceptable`` is compared as the grades it means, so a grade added to a rubric that
leaves it to the default (the better half of the scale) can change it too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, computed_field

from .rubric import LimitingCriterion, Rubric
from .text import label_key

SECTIONS: dict[str, str] = {
    "rubric": "Rubric",
    "scale": "Grade scale",
    "answers": "Answers",
    "case_types": "Case types",
    "themes": "Themes",
    "criteria": "Criteria",
    "bands": "Bands",
    "limiting": "Limiting criteria",
    "settings": "Settings",
    "glossary": "Glossary",
}
"""Each section of a diff, in the order changes are listed, and its heading."""


class Change(BaseModel):
    """One difference between two rubrics."""

    model_config = ConfigDict(frozen=True)

    section: str
    """Where in the rubric: a key of ``SECTIONS``."""
    kind: str
    """What happened, e.g. ``criterion-added``, ``band-changed``, ``answer-rescored``."""
    key: str | None = None
    """The item changed: a criterion id, grade, answer, case type or theme key, a setting
    name; None for a change to the section as a whole (its order)."""
    old: Any = None
    """The value before (None for something added)."""
    new: Any = None
    """The value after (None for something removed)."""
    message: str
    """The change in a sentence."""


class RubricId(BaseModel):
    """Which rubric one side of a diff is."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    title: str
    file: str | None = None
    """The file it was loaded from (its name only), or None when built in code."""
    sha256: str | None = None


class RubricDiff(BaseModel):
    """Every change from ``old`` to ``new``, in rubric order."""

    model_config = ConfigDict(frozen=True)

    old: RubricId
    new: RubricId
    changes: list[Change]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def same(self) -> bool:
        """Whether the two rubrics grade and read everything alike (no change at all)."""
        return not self.changes

    def by_section(self) -> list[tuple[str, list[Change]]]:
        """The changes grouped under their section's heading, sections in order."""
        return [(title, [c for c in self.changes if c.section == section])
                for section, title in SECTIONS.items()
                if any(c.section == section for c in self.changes)]


def diff_rubrics(old: Rubric, new: Rubric) -> RubricDiff:
    """Every change from rubric ``old`` to rubric ``new``."""
    differ = _Differ(old, new)
    return RubricDiff(old=_identify(old), new=_identify(new), changes=differ.changes())


def _identify(rubric: Rubric) -> RubricId:
    source = rubric.source
    file = None
    if source is not None:
        file = source.split(":", 1)[1] if source.startswith("package:") else Path(source).name
    return RubricId(name=rubric.name, version=rubric.version, title=rubric.title,
                    file=file, sha256=rubric.sha256)


T = TypeVar("T")


def _q(text: str) -> str:
    """Text quoted for a sentence."""
    return f"'{text}'"


def _num(value: float | None) -> str:
    return "not scored" if value is None else f"{value:g}"


def _words(items: Sequence[str]) -> str:
    return ", ".join(items) if items else "none"


def _matched(old: Sequence[T], new: Sequence[T], key: Callable[[T], str]
             ) -> tuple[list[T], list[tuple[T, T]], list[T]]:
    """Items of ``new`` only (in its order), pairs in both (in ``new``'s order), and
    items of ``old`` only (in its order)."""
    olds = {key(o): o for o in old}
    news = {key(n): n for n in new}
    added = [n for n in new if key(n) not in olds]
    both = [(olds[key(n)], n) for n in new if key(n) in olds]
    removed = [o for o in old if key(o) not in news]
    return added, both, removed


def _spellings(names: Sequence[str]) -> dict[str, str]:
    """The spellings ``names`` are read as (each by ``label_key``, as a rubric's
    ``parse_*`` reads them), with the first of the names written so."""
    found: dict[str, str] = {}
    for name in names:
        found.setdefault(label_key(name), name)
    return found


_LOOKUP = {"scale": "grade", "answers": "answer", "case_types": "case_type"}
"""The rubric's ``spellings`` table for each section whose items are read by spelling."""


def _reordered(old: Sequence[str], new: Sequence[str]) -> bool:
    """Whether the keys found in both lists come in a different order."""
    common = set(old) & set(new)
    return [k for k in old if k in common] != [k for k in new if k in common]


_COMPARED = {"name", "version", "title", "description", "requires_version", "changelog",
             "scale", "answers", "case_types", "themes", "criteria", "bands", "limiting",
             "min_answered", "significant_difference", "acceptable", "glossary"}
"""The rubric's keys compared one part at a time; any other is compared whole."""


def _plain(value: Any) -> Any:
    """A value as JSON data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class _Differ:
    def __init__(self, old: Rubric, new: Rubric) -> None:
        self.old, self.new = old, new
        self.found: list[Change] = []

    def add(self, section: str, kind: str, key: str | None, old: Any, new: Any,
            message: str) -> None:
        self.found.append(Change(section=section, kind=kind, key=key, old=old, new=new,
                                 message=message))

    def changes(self) -> list[Change]:
        self.rubric()
        self.scale()
        self.answers()
        self.case_types()
        self.themes()
        self.criteria()
        self.bands()
        self.limiting()
        self.settings()
        self.glossary()
        order = list(SECTIONS)
        return sorted(self.found, key=lambda c: (order.index(c.section), self._rank(c)))

    def _rank(self, change: Change) -> int:
        """Where a change comes in its section: the item's place in the new rubric, then
        the items removed in the old rubric's order, then the section's order; changes of
        one item, and of sections not listed here, as they were found (a stable sort)."""
        keys = {"scale": (self.old.grade_keys, self.new.grade_keys),
                "answers": (self.old.answer_keys, self.new.answer_keys),
                "case_types": (self.old.case_type_keys, self.new.case_type_keys),
                "themes": (self.old.theme_keys, self.new.theme_keys),
                "criteria": (self.old.criterion_ids, self.new.criterion_ids)}
        if change.section not in keys:
            return 0
        old, new = keys[change.section]
        if change.key in new:
            return new.index(change.key)
        if change.key in old:
            return len(new) + old.index(change.key)
        return len(new) + len(old)

    # The rubric as a whole -------------------------------------------------------------

    def rubric(self) -> None:
        o, n = self.old, self.new
        for field in ("name", "version", "title"):
            a, b = getattr(o, field), getattr(n, field)
            if a != b:
                self.add("rubric", f"{field}-changed", field, a, b,
                         f"The {field} changed from {_q(a)} to {_q(b)}.")
        if o.description.strip() != n.description.strip():
            self.add("rubric", "description-changed", "description", o.description,
                     n.description, "The description was rewritten.")
        if o.requires_version != n.requires_version:
            a, b = o.requires_version, n.requires_version
            if a is None:
                text = f"The rubric now requires hmic-audit {b}."
            elif b is None:
                text = f"The rubric no longer says which hmic-audit it requires (was {a})."
            else:
                text = f"The hmic-audit versions required changed from {a} to {b}."
            self.add("rubric", "requires-version-changed", "requires_version", a, b, text)
        added, both, removed = _matched(o.changelog, n.changelog, lambda e: e.version)
        for entry in added:
            dated = f" ({entry.date})" if entry.date else ""
            self.add("rubric", "changelog-added", entry.version, None,
                     entry.model_dump(mode="json"),
                     f"Changelog entry for version {entry.version}{dated} added: "
                     + " ".join(entry.changes))
        for a, b in both:
            if a != b:
                self.add("rubric", "changelog-changed", b.version, a.model_dump(mode="json"),
                         b.model_dump(mode="json"),
                         f"Changelog entry for version {b.version} changed.")
        for entry in removed:
            self.add("rubric", "changelog-removed", entry.version,
                     entry.model_dump(mode="json"), None,
                     f"Changelog entry for version {entry.version} removed.")

    # Labelled lists: grades, answers, case types, themes -------------------------------

    def scale(self) -> None:
        o, n = self.old, self.new
        added, both, removed = _matched(o.scale, n.scale, lambda g: g.key)
        for g in added:
            position = n.grade_keys.index(g.key) + 1
            band = n.bands.get(g.key)
            at = f", lowest score {band:g}" if band is not None else ""
            self.add("scale", "grade-added", g.key, None, g.label,
                     f"Grade {_q(g.label)} ({g.key}) added, level {position} of "
                     f"{len(n.scale)}{at}.")
        for a, b in both:
            self._relabelled("scale", "grade", a.key, a.label, b.label)
            self._spellings_changed("scale", "grade", (a.key, a.label, *a.aliases),
                                    (b.key, b.label, *b.aliases))
        for g in removed:
            self.add("scale", "grade-removed", g.key, g.label, None,
                     f"Grade {_q(g.label)} ({g.key}) removed"
                     f"{self._still_read('scale', g.key, g.label)}.")
        if _reordered(o.grade_keys, n.grade_keys):
            self.add("scale", "scale-reordered", None, o.grade_keys, n.grade_keys,
                     f"The grades are in a new order, best first: {_words(n.grade_keys)} "
                     f"(was {_words(o.grade_keys)}).")

    def answers(self) -> None:
        o, n = self.old, self.new
        added, both, removed = _matched(o.answers, n.answers, lambda a: a.key)
        for a in added:
            self.add("answers", "answer-added", a.key, None, a.label,
                     f"Answer {_q(a.label)} ({a.key}) added, "
                     + (f"scoring {a.score:g}." if a.score is not None else "not scored."))
        for a, b in both:
            self._relabelled("answers", "answer", a.key, a.label, b.label)
            if a.score != b.score:
                self.add("answers", "answer-rescored", b.key, a.score, b.score,
                         f"Answer {_q(b.label)} ({b.key}) now "
                         + ("is not scored" if b.score is None else f"scores {b.score:g}")
                         + f" (was {_num(a.score)}).")
            self._spellings_changed("answers", "answer", (a.key, a.label, *a.aliases),
                                    (b.key, b.label, *b.aliases))
        for a in removed:
            self.add("answers", "answer-removed", a.key, a.label, None,
                     f"Answer {_q(a.label)} ({a.key}) removed"
                     f"{self._still_read('answers', a.key, a.label)}.")
        if _reordered(o.answer_keys, n.answer_keys):
            self.add("answers", "answers-reordered", None, o.answer_keys, n.answer_keys,
                     f"The answers are in a new order: {_words(n.answer_keys)} "
                     f"(was {_words(o.answer_keys)}).")

    def case_types(self) -> None:
        o, n = self.old, self.new
        added, both, removed = _matched(o.case_types, n.case_types, lambda c: c.key)
        for c in added:
            self.add("case_types", "case-type-added", c.key, None, c.label,
                     f"Case type {_q(c.label)} ({c.key}) added.")
        for a, b in both:
            self._relabelled("case_types", "case-type", a.key, a.label, b.label)
            self._spellings_changed("case_types", "case-type",
                                    (a.key, a.label, *a.aliases),
                                    (b.key, b.label, *b.aliases))
        for c in removed:
            self.add("case_types", "case-type-removed", c.key, c.label, None,
                     f"Case type {_q(c.label)} ({c.key}) removed"
                     f"{self._still_read('case_types', c.key, c.label)}.")
        if _reordered(o.case_type_keys, n.case_type_keys):
            self.add("case_types", "case-types-reordered", None, o.case_type_keys,
                     n.case_type_keys, "The case types are in a new order.")

    def themes(self) -> None:
        o, n = self.old, self.new
        added, both, removed = _matched(o.themes, n.themes, lambda t: t.key)
        for t in added:
            self.add("themes", "theme-added", t.key, None, t.label,
                     f"Theme {_q(t.label)} ({t.key}) added.")
        for a, b in both:
            self._relabelled("themes", "theme", a.key, a.label, b.label)
        for t in removed:
            self.add("themes", "theme-removed", t.key, t.label, None,
                     f"Theme {_q(t.label)} ({t.key}) removed.")
        if _reordered(o.theme_keys, n.theme_keys):
            self.add("themes", "themes-reordered", None, o.theme_keys, n.theme_keys,
                     f"The themes are in a new order: {_words(n.theme_keys)} "
                     f"(was {_words(o.theme_keys)}).")

    def _relabelled(self, section: str, what: str, key: str, old: str, new: str) -> None:
        if old != new:
            name = what.replace("-", " ").capitalize()
            self.add(section, f"{what}-relabelled", key, old, new,
                     f"{name} {key} relabelled from {_q(old)} to {_q(new)}.")

    def _read_as(self, section: str, spelling: str) -> str | None:
        """The label of the item of the new rubric a spelling is read as, if any."""
        key = self.new.spellings(_LOOKUP[section]).get(label_key(spelling))
        if key is None:
            return None
        labels = {"scale": {g.key: g.label for g in self.new.scale},
                  "answers": {a.key: a.label for a in self.new.answers},
                  "case_types": {c.key: c.label for c in self.new.case_types}}[section]
        return labels[key]

    def _still_read(self, section: str, key: str, label: str) -> str:
        """For an item removed: '; 'yes' is now read as 'Evident'' when its key or label
        is read as another item of the new rubric; else ''."""
        targets: dict[str, list[str]] = {}
        for norm, text in _spellings((key, label)).items():
            now = self._read_as(section, norm)
            if now is not None:
                targets.setdefault(now, []).append(_q(text))
        if not targets:
            return ""
        parts = [f"{' and '.join(texts)} {'is' if len(texts) == 1 else 'are'} now read "
                 f"as {_q(now)}" if i == 0 else f"{' and '.join(texts)} as {_q(now)}"
                 for i, (now, texts) in enumerate(targets.items())]
        return "; " + ", ".join(parts)

    def _spellings_changed(self, section: str, what: str, old: Sequence[str],
                           new: Sequence[str]) -> None:
        """The spellings an item is read from (key, label and aliases, as ``parse_*``
        reads them) that it gained or lost; its new label is said by a relabelling, so
        not listed as gained. ``old`` and ``new`` start with the key and the label."""
        before, after = _spellings(old), _spellings(new)
        key, label = new[0], new[1]
        gained = [text for norm, text in after.items()
                  if norm not in before and norm != label_key(label)]
        lost = []
        for norm, text in before.items():
            if norm in after:
                continue
            now = self._read_as(section, text)
            lost.append(_q(text) + (f" (now read as {_q(now)})" if now else ""))
        if not gained and not lost:
            return
        parts = []
        if gained:
            parts.append(f"now also read from {', '.join(map(_q, gained))}")
        if lost:
            parts.append(f"no longer read from {', '.join(lost)}")
        name = what.replace("-", " ").capitalize()
        self.add(section, f"{what}-aliases-changed", key, list(before.values()),
                 list(after.values()),
                 f"{name} {_q(label)} ({key}) is {' and '.join(parts)}.")

    # Criteria ------------------------------------------------------------------------

    def _theme(self, rubric: Rubric, key: str) -> str:
        return next((t.label for t in rubric.themes if t.key == key), key)

    def _applies(self, rubric: Rubric, applies_to: list[str] | None) -> list[str]:
        return list(rubric.case_type_keys) if applies_to is None else list(applies_to)

    def criteria(self) -> None:
        o, n = self.old, self.new
        added, both, removed = _matched(o.criteria, n.criteria, lambda c: c.id)
        for c in added:
            applies = ("every case type" if c.applies_to is None
                       else _words(c.applies_to))
            self.add("criteria", "criterion-added", c.id, None, c.model_dump(mode="json"),
                     f"Criterion {c.id} added under {_q(self._theme(n, c.theme))}, weight "
                     f"{c.weight:g}, for {applies}: {_q(c.question)}.")
        for a, b in both:
            if a.question != b.question:
                self.add("criteria", "criterion-reworded", b.id, a.question, b.question,
                         f"Criterion {b.id} reworded: {_q(b.question)} "
                         f"(was {_q(a.question)}).")
            if a.theme != b.theme:
                self.add("criteria", "criterion-moved", b.id, a.theme, b.theme,
                         f"Criterion {b.id} moved from theme {_q(self._theme(o, a.theme))} "
                         f"to {_q(self._theme(n, b.theme))}.")
            if a.weight != b.weight:
                self.add("criteria", "criterion-reweighted", b.id, a.weight, b.weight,
                         f"Criterion {b.id} reweighted from {a.weight:g} to {b.weight:g}.")
            self._applies_changed(a.applies_to, b.applies_to, b.id)
        for c in removed:
            self.add("criteria", "criterion-removed", c.id, c.model_dump(mode="json"), None,
                     f"Criterion {c.id} removed (was under "
                     f"{_q(self._theme(o, c.theme))}, weight {c.weight:g}).")
        if _reordered(o.criterion_ids, n.criterion_ids):
            self.add("criteria", "criteria-reordered", None, o.criterion_ids,
                     n.criterion_ids, "The criteria are in a new order (the columns of "
                     "the audit form follow it).")

    def _applies_changed(self, old: list[str] | None, new: list[str] | None,
                         cid: str) -> None:
        if old is None and new is None:
            return
        before = self._applies(self.old, old)
        after = self._applies(self.new, new)
        gained = [t for t in after if t not in before]
        lost = [t for t in before if t not in after]
        if not gained and not lost:
            return
        if new is None:
            text = f"Criterion {cid} now applies to every case type"
            text += f" (also {_words(gained)})." if gained else "."
        else:
            parts = []
            if gained:
                parts.append(f"now also applies to {_words(gained)}")
            if lost:
                parts.append(f"no longer applies to {_words(lost)}")
            text = f"Criterion {cid} {' and '.join(parts)}."
        self.add("criteria", "criterion-applies-to-changed", cid, old, new, text)

    # Bands, caps, settings -----------------------------------------------------------

    def bands(self) -> None:
        o, n = self.old, self.new
        for key in n.grade_keys:
            if key not in o.grade_keys:
                continue  # its band is given with the grade added
            a, b = o.bands.get(key), n.bands.get(key)
            if a != b:
                label = n.grade_labels[key]
                self.add("bands", "band-changed", key, a, b,
                         f"{label} ({key}) now starts at a score of "
                         f"{'(none)' if b is None else f'{b:g}'} "
                         f"(was {'(none)' if a is None else f'{a:g}'}).")

    def limiting(self) -> None:
        o, n = self.old, self.new

        def answer(rubric: Rubric, rule: LimitingCriterion) -> str:
            return rule.answer(rubric)

        def label(rubric: Rubric, key: str) -> str:
            found = rubric.answers_by_key.get(key)
            return found.label if found else key

        def grade(rubric: Rubric, key: str) -> str:
            return rubric.grade_labels.get(key, key)

        def describe(rubric: Rubric, rule: LimitingCriterion) -> dict[str, str]:
            return {"criterion": rule.criterion, "when": answer(rubric, rule),
                    "cap": rule.cap, "reason": rule.reason}

        olds = list(o.limiting)
        pairs: list[tuple[LimitingCriterion | None, LimitingCriterion | None]] = []
        for rule in n.limiting:
            # the same criterion and answer first; else the next rule of the criterion
            match = next((r for r in olds if r.criterion == rule.criterion
                          and answer(o, r) == answer(n, rule)), None)
            if match is None:
                match = next((r for r in olds if r.criterion == rule.criterion
                              and not any(answer(n, x) == answer(o, r) for x in n.limiting
                                          if x.criterion == r.criterion)), None)
            if match is not None:
                olds.remove(match)
            pairs.append((match, rule))
        pairs += [(r, None) for r in olds]
        for a, b in pairs:
            if a is None and b is not None:
                self.add("limiting", "limiting-added", b.criterion, None, describe(n, b),
                         f"New cap: when {b.criterion} is answered "
                         f"{_q(label(n, answer(n, b)))}, the grade can be no better than "
                         f"{grade(n, b.cap)} ({b.reason}).")
            elif b is None and a is not None:
                self.add("limiting", "limiting-removed", a.criterion, describe(o, a), None,
                         f"Cap removed: {a.criterion} answered "
                         f"{_q(label(o, answer(o, a)))} no longer limits the grade (it "
                         f"capped it at {grade(o, a.cap)}).")
            elif a is not None and b is not None:
                before, after = describe(o, a), describe(n, b)
                if before == after:
                    continue
                parts = []
                if before["when"] != after["when"]:
                    parts.append(f"fires on {_q(label(n, after['when']))} (was "
                                 f"{_q(label(o, before['when']))})")
                if before["cap"] != after["cap"]:
                    parts.append(f"caps at {grade(n, b.cap)} (was {grade(o, a.cap)})")
                if before["reason"] != after["reason"]:
                    parts.append(f"gives the reason {_q(b.reason)}")
                self.add("limiting", "limiting-changed", b.criterion, before, after,
                         f"The cap on {b.criterion} now {' and '.join(parts)}.")

    def settings(self) -> None:
        o, n = self.old, self.new
        for name, what in (("min_answered", "scored answers an audit needs to be graded"),
                           ("significant_difference",
                            "grade levels apart that differ significantly")):
            a, b = getattr(o, name), getattr(n, name)
            if a != b:
                self.add("settings", "setting-changed", name, a, b,
                         f"{name} ({what}) changed from {a} to {b}.")
        # any key added to rubrics after this was written is still compared, as a whole
        for field in type(n).model_fields:
            if field in _COMPARED:
                continue
            a, b = getattr(o, field), getattr(n, field)
            if a != b:
                self.add("settings", f"{field.replace('_', '-')}-changed", field,
                         _plain(a), _plain(b),
                         f"{field} " + ("added." if a is None else "removed." if b is None
                                        else "changed."))
        a_list, b_list = o.acceptable_grades, n.acceptable_grades
        if a_list != b_list:
            default = " (by default the better half of the scale)" \
                if n.acceptable is None else ""
            self.add("settings", "setting-changed", "acceptable", a_list, b_list,
                     f"acceptable (grades counted together as acceptable{default}) changed "
                     f"from {_words(a_list)} to {_words(b_list)}.")

    def glossary(self) -> None:
        o, n = self.old.glossary, self.new.glossary
        for term, meaning in n.items():
            if term not in o:
                self.add("glossary", "term-added", term, None, meaning,
                         f"Glossary term {_q(term)} added.")
            elif o[term] != meaning:
                self.add("glossary", "term-changed", term, o[term], meaning,
                         f"Glossary term {_q(term)} redefined.")
        for term, meaning in o.items():
            if term not in n:
                self.add("glossary", "term-removed", term, meaning, None,
                         f"Glossary term {_q(term)} removed.")
