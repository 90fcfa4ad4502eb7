"""Render the report's Markdown from the Jinja templates, and finish it as a document.

One template set (``templates/report/*.md.j2``) feeds all three formats: the Markdown it
produces is converted to HTML and to Word. Output escaping is on: every value placed by
``{{ ... }}`` is escaped for Markdown unless it is a registered figure or a phrase the
report built from them, so text from the cases cannot add headings, links, images or
table breaks, and is never treated as template source. Authored narrative is Markdown by
design and passes through the ``markdown`` filter. Undefined names are errors.

What templates are given besides the context: ``table(t, caption)`` (a numbered,
captioned table), ``chart(id)`` (a numbered figure), ``note(text)`` (a footnote), the
filters ``markdown`` and ``sentences`` (phrases joined into one paragraph), and
``glossary`` (the terms to define: the rubric's and the profile's, and those of the
shipped ``terms.yaml`` the text uses).

The rendered Markdown is then finished, the same way whatever the templates:

* a heading with nothing under it is left out (with its own empty sub-headings);
* chapters (level-2 headings) are numbered, except the foreword and the annexes;
* inline notes, ``^[text]`` (as Pandoc writes them), become numbered footnotes,
  ``[^1]`` in the text and ``[^1]: text`` at the end; a note cited twice keeps its
  number.

``--templates DIR`` puts a folder of replacement templates in front of the shipped ones;
those are rendered in Jinja's sandbox.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, TemplateError

from ..report.context import ReportContext, Table
from ..report.figures import Figure, Phrase
from .markdown import md_escape
from .templates_env import report_environment

CHART_SCHEME = "chart:"
UNNUMBERED = ("Foreword", "Annex")
"""Level-2 headings starting with these words are not numbered as chapters."""
CAPTION = re.compile(r"^\*(Table|Figure) (\d+)(?:: (.*))?\*$")
"""A caption paragraph as the Markdown writes it: ``*Table 3: Cases by type*``."""
NOTE_REF = re.compile(r"\[\^(\d+)\]")
NOTE_DEFINITION = re.compile(r"^\[\^(\d+)\]: (.*)$", re.M)


def _finalize(value: object) -> str:
    if isinstance(value, Figure | Phrase):
        return str(value)
    if value is None:
        return ""
    return md_escape(value)


def _markdown(text: str) -> Phrase:
    """Authored Markdown: placed as written (trimmed)."""
    return Phrase(str(text).strip())


def _sentences(items: Any) -> Phrase:
    """Phrases (or figures) joined by spaces into one paragraph; plain text escaped."""
    return Phrase(" ".join(_finalize(i) for i in items if i))


def _table_markdown(table: Table) -> str:
    def cell(v: object) -> str:
        return str(v) if isinstance(v, Figure | Phrase) else md_escape(v)

    numeric = [any(isinstance(row[i], Figure) for row in table.rows)
               for i in range(len(table.headers))]
    lines = ["| " + " | ".join(md_escape(h) for h in table.headers) + " |",
             "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.rows]
    return "\n".join(lines)


def environment(templates: Path | None = None) -> Environment:
    """The Jinja environment of the Markdown: shipped templates, optionally behind a
    user's folder (:func:`~.templates_env.report_environment`)."""
    env = report_environment(templates, undefined=StrictUndefined, finalize=_finalize,
                             autoescape=False, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["markdown"] = _markdown
    env.filters["sentences"] = _sentences
    env.globals["table"] = lambda table, caption=None: Phrase(_table_markdown(table))
    return env


class _Numbering:
    """Tables and figures numbered in the order the templates place them."""

    def __init__(self, ctx: ReportContext) -> None:
        self.ctx = ctx
        self.tables = self.figures = 0
        self.captions: dict[int, str] = {}
        """Default captions of the context's tables, by identity."""
        for table, caption in (
                (ctx.context.get("ofsted") if ctx.context else None,
                 "Latest Ofsted judgements of the local authorities"),
                (ctx.crosstab, "Self-assessed cases: the force's grade (rows) against the "
                               "inspectors' grade (columns)"),
                (ctx.agreement, "How far the force's and the inspectors' grades agreed"),
                (ctx.annex_a, "Cases examined, by type and sample")):
            if table is not None:
                self.captions[id(table)] = caption

    def table(self, table: Table | None, caption: str | None = None) -> Phrase:
        if table is None or not table.rows:
            return Phrase("")  # nothing to show: no table, no caption
        self.tables += 1
        text = caption or self.captions.get(id(table))
        head = f"*Table {self.tables}" + (f": {md_escape(text)}*" if text else "*")
        # blank lines around: a caption is a paragraph of its own, the table a block
        return Phrase(f"\n{head}\n\n{_table_markdown(table)}\n")

    def chart(self, chart_id: str) -> Phrase:
        # NOTE: a published report draws no chart: a bar shows a count that its tables
        # and sentences hide.
        if chart_id not in self.ctx.charts or self.ctx.figures.threshold:
            return Phrase("")
        self.figures += 1
        caption = md_escape(f"Figure {self.figures}: {self.ctx.charts[chart_id]}")
        return Phrase(f"![{caption}]({CHART_SCHEME}{chart_id})")


def _note(text: object) -> Phrase:
    """A footnote at this point: ``^[text]`` (numbered when the document is finished)."""
    if not text:
        return Phrase("")
    inner = str(text) if isinstance(text, Phrase | Figure) else md_escape(text)
    return Phrase(f"^[{inner}]")


def shipped_terms(env: Environment) -> dict[str, str]:
    """The glossary of terms the shipped templates may use (``terms.yaml``; a
    ``--templates`` folder may hold its own)."""
    from ..io.yamlfile import yaml_mapping

    if env.loader is None:
        return {}
    source, filename, _ = env.loader.get_source(env, "terms.yaml")
    data, problems = yaml_mapping(source, "terms.yaml", "glossary of terms")
    if data is None or not all(isinstance(k, str) and isinstance(v, str)
                               for k, v in data.items()):
        why = problems[0].message if problems else "every entry must be 'term: meaning'"
        raise TemplateError(f"{filename or 'terms.yaml'}: {why}")
    return data


def used(term: str, text: str) -> bool:
    """Whether the text uses a term: an abbreviation (``LSCB``, ``SHA-256``) as written,
    plural allowed; any other term ignoring case."""
    word = re.escape(term)
    if term.upper() == term:
        return re.search(rf"(?<![\w-]){word}s?(?![\w-])", text) is not None
    return re.search(rf"(?<![\w-]){word}s?(?![\w-])", text, re.I) is not None


def render_report_markdown(ctx: ReportContext, *, templates: Path | None = None) -> str:
    """The report as finished Markdown; charts as ``![Figure N: caption](chart:ID)``."""
    env = environment(templates)
    template = env.get_template("report.md.j2")
    always = dict(ctx.glossary)
    extra = shipped_terms(env)

    def render(glossary: dict[str, str]) -> str:
        numbering = _Numbering(ctx)
        return template.render(
            ctx=ctx, c=ctx.context, f=ctx.findings, k=ctx.comparison, n=ctx.next_steps,
            s=ctx.statistics, chart=numbering.chart, table=numbering.table, note=_note,
            glossary=sorted(glossary.items(), key=lambda kv: kv[0].casefold()))

    # The glossary defines the terms the text uses: render, see which shipped terms
    # appear (definitions included), and render again until no more are needed.
    glossary = dict(always)
    text = render(glossary)
    for _ in range(3):
        wanted = {t: m for t, m in extra.items() if t not in glossary and used(t, text)}
        if not wanted:
            break
        glossary.update(wanted)
        text = render(glossary)
    return finish(text)


# Finishing ---------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def _lines(text: str) -> list[str]:
    """Lines without trailing spaces and without runs of blank lines."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line.rstrip())
    return lines


def _headings(lines: list[str]) -> list[tuple[int, int]]:
    """(line index, level) of every heading outside fenced code."""
    found, fenced = [], False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (m := _HEADING.match(line)):
            found.append((i, len(m.group(1))))
    return found


def drop_empty_headings(lines: list[str]) -> list[str]:
    """Leave out every heading (but the title) with nothing under it but left-out
    headings: a section the report has nothing for is not shown empty."""
    heads = _headings(lines)
    starts = [i for i, _ in heads] + [len(lines)]
    kept: dict[int, bool] = {}
    for h in range(len(heads) - 1, -1, -1):
        i, level = heads[h]
        own = any(line.strip() for line in lines[i + 1:starts[h + 1]])
        child = False
        for j, sub in heads[h + 1:]:
            if sub <= level:
                break
            child = child or kept[j]
        kept[i] = level == 1 or own or child
    return _lines("\n".join(line for i, line in enumerate(lines) if kept.get(i, True)))


def number_chapters(lines: list[str]) -> list[str]:
    """``## Introduction`` -> ``## 1. Introduction``; the foreword, the annexes and
    headings numbered already are left as they are."""
    out, n = list(lines), 0
    for i, level in _headings(lines):
        title = _HEADING.match(lines[i]).group(2)  # type: ignore[union-attr]
        if level != 2 or title.startswith(UNNUMBERED) or re.match(r"\d+\.\s", title):
            continue
        n += 1
        out[i] = f"## {n}. {title}"
    return out


def _inline_notes(text: str) -> list[tuple[int, int, str]]:
    """(start, end, note text) of every ``^[...]`` not escaped, brackets balanced."""
    found, i = [], 0
    while (i := text.find("^[", i)) >= 0:
        if i and text[i - 1] == "\\":
            i += 2
            continue
        depth, j = 1, i + 2
        while j < len(text) and depth:
            if text[j] == "\\":
                j += 2
                continue
            depth += {"[": 1, "]": -1}.get(text[j], 0)
            j += 1
        if depth:
            break  # unclosed: plain text
        found.append((i, j, " ".join(text[i + 2:j - 1].split())))
        i = j
    return found


def number_notes(text: str) -> str:
    """Inline notes become ``[^n]`` references with their definitions at the end."""
    numbers: dict[str, int] = {}
    parts, last = [], 0
    for start, end, note in _inline_notes(text):
        n = numbers.setdefault(note, len(numbers) + 1)
        parts += [text[last:start], f"[^{n}]"]
        last = end
    if not numbers:
        return text
    body = "".join([*parts, text[last:]]).rstrip("\n")
    return body + "\n\n" + "\n".join(f"[^{n}]: {note}" for note, n in numbers.items()) + "\n"


def finish(markdown: str) -> str:
    """Rendered Markdown made a document: empty sections out, chapters numbered,
    footnotes numbered."""
    lines = number_chapters(drop_empty_headings(_lines(markdown)))
    return number_notes("\n".join(lines).strip() + "\n")


def split_notes(markdown: str) -> tuple[str, dict[int, str]]:
    """The body and the footnotes (number -> Markdown text) of finished Markdown."""
    notes = {int(m.group(1)): m.group(2) for m in NOTE_DEFINITION.finditer(markdown)}
    return NOTE_DEFINITION.sub("", markdown).rstrip() + "\n", notes


def note_refs(md: Any) -> None:
    """A markdown-it plugin: ``[^n]`` becomes a ``footnote_ref`` token (meta ``n``).
    Escaped brackets never reach it (the escape rule runs first)."""
    def rule(state: Any, silent: bool) -> bool:
        m = NOTE_REF.match(state.src, state.pos)
        if not m:
            return False
        if not silent:
            token = state.push("footnote_ref", "", 0)
            token.meta = {"n": int(m.group(1))}
        state.pos = m.end()
        return True

    md.inline.ruler.before("link", "footnote_ref", rule)


def parser() -> Any:
    """markdown-it as every format reads the report: CommonMark, tables, no raw HTML,
    footnote references."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.use(note_refs)
    return md


def caption_of(tokens: list[Any], i: int) -> tuple[str, int, str] | None:
    """(kind, number, text) when tokens[i] opens a caption paragraph that a table
    follows: ``*Table 2: Cases by type*`` (the text unescaped)."""
    if tokens[i].type != "paragraph_open" or i + 3 >= len(tokens):
        return None
    m = CAPTION.match(tokens[i + 1].content)
    if not m or tokens[i + 3].type != "table_open":
        return None
    text = "".join(c.content for c in tokens[i + 1].children or [] if c.type == "text")
    return m.group(1), int(m.group(2)), text.partition(": ")[2]


# The Markdown file -------------------------------------------------------------------

def chart_file(out: Path, chart_id: str) -> Path:
    """Where the Markdown report's chart goes: ``report.md`` -> ``report.grades_by_sample.svg``
    beside it."""
    return out.with_name(f"{out.stem}.{chart_id}.svg")


def markdown_for_file(markdown: str, out: Path | None = None) -> str:
    """The Markdown output file: each chart an image link to its SVG file beside the
    report (:func:`chart_file`), or left out when no file name is given."""
    def link(m: re.Match[str]) -> str:
        if out is None:
            return ""
        target = chart_file(out, m.group(2)).name
        if re.search(r"[\s()<>]", target):
            target = f"<{target}>"
        return f"![{m.group(1)}]({target})"

    text = re.sub(r"!\[([^\]]*)\]\(chart:([\w-]+)\)", link, markdown)
    return "\n".join(_lines(text)).strip() + "\n"


def markdown_outputs(ctx: ReportContext, markdown: str, out: Path) -> dict[Path, bytes]:
    """The Markdown report and its charts as SVG files beside it."""
    from .charts import chart_svg

    files = {out: markdown_for_file(markdown, out).encode("utf-8")}
    for chart_id in ctx.charts:
        if f"({CHART_SCHEME}{chart_id})" in markdown:
            files[chart_file(out, chart_id)] = chart_svg(chart_id, ctx).encode("utf-8")
    return files


__all__ = ["CHART_SCHEME", "caption_of", "environment", "finish",
           "markdown_for_file", "markdown_outputs", "parser", "render_report_markdown",
           "split_notes"]
