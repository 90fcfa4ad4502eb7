"""The file ``hmic-audit agree --out`` writes: .xlsx (a sheet per table, the criterion x
reader sheet a heat map) or .html (one self-contained page: the tables and an inline SVG
heat map). Both are built in memory and are the same bytes for the same input."""

from __future__ import annotations

from html import escape
from pathlib import Path

from ..analysis.calibration import Calibration
from ..analysis.readers import ReaderAgreements
from .agree_tables import agree_tables, heat_table
from .compare_tables import TableSpec

LOW, MID, HIGH = (0x63, 0xBE, 0x7B), (0xFF, 0xEB, 0x84), (0xF8, 0x69, 0x6B)
"""The heat map's colours (as the xlsx 3-colour scale): lowest rate, middle, highest."""
NO_PAIR = "#EEEEEE"
CELL_W, CELL_H, CHAR_W, HEAD_H = 96, 28, 7.5, 34
NAME_SHOWN = 14
"""Characters of a reader's name shown over a column (the whole name is its tooltip)."""


def _text(value: object) -> str:
    """Escaped text for HTML or SVG; characters that are not printable become U+FFFD."""
    text = "".join(c if c.isprintable() or c in "\t\n" else "\ufffd" for c in str(value))
    return escape(text, quote=True)


def _shade(rate: float, low: float, high: float) -> str:
    """The colour of ``rate`` on a scale from ``low`` (green) to ``high`` (red)."""
    t = 0.5 if high <= low else (rate - low) / (high - low)
    a, b, u = (LOW, MID, t * 2) if t <= 0.5 else (MID, HIGH, t * 2 - 1)
    return "#" + "".join(f"{round(x + (y - x) * u):02X}" for x, y in zip(a, b, strict=True))


def rate_text(rate: float) -> str:
    """A disagreement rate as printed in a heat-map cell."""
    return f"{100 * rate:.1f}%"


def heat_svg(c: Calibration) -> str:
    """Criteria as rows, readers as columns, each cell shaded by that reader's
    disagreement rate on the criterion (green lowest, red highest) and the rate printed
    in it; a cell without pairs is grey with a dash."""
    readers = [r.reader for r in c.criteria[0].readers] if c.criteria else []
    rates = [r.rate for s in c.criteria for r in s.readers if r.rate is not None]
    low, high = (min(rates), max(rates)) if rates else (0.0, 0.0)
    label_w = int(max([len(s.criterion) for s in c.criteria] + [9]) * CHAR_W) + 16
    width = label_w + CELL_W * len(readers) + 2
    height = HEAD_H + CELL_H * len(c.criteria) + 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="heat-title" '
             'font-family="sans-serif" font-size="12">',
             '<title id="heat-title">Disagreement with the other readers, by criterion '
             '(rows) and reader (columns)</title>']
    for j, name in enumerate(readers):
        shown = name if len(name) <= NAME_SHOWN else name[:NAME_SHOWN - 1] + "\u2026"
        x = label_w + CELL_W * j + CELL_W // 2
        parts.append(f'<text x="{x}" y="{HEAD_H - 10}" text-anchor="middle" '
                     f'font-weight="bold"><title>{_text(name)}</title>{_text(shown)}</text>')
    for i, s in enumerate(c.criteria):
        y = HEAD_H + CELL_H * i
        parts.append(f'<text x="{label_w - 8}" y="{y + CELL_H // 2 + 4}" '
                     f'text-anchor="end">{_text(s.criterion)}</text>')
        for j, r in enumerate(s.readers):
            x = label_w + CELL_W * j
            fill = NO_PAIR if r.rate is None else _shade(r.rate, low, high)
            shown = "\u2013" if r.rate is None else rate_text(r.rate)
            parts.append(
                f'<rect x="{x}" y="{y}" width="{CELL_W}" height="{CELL_H}" fill="{fill}" '
                f'stroke="#FFFFFF" data-criterion="{_text(s.criterion)}" '
                f'data-reader="{_text(r.reader)}"><title>{_text(s.criterion)}, '
                f'{_text(r.reader)}: {r.differing} of {r.pairs} pairs differ</title></rect>')
            parts.append(f'<text x="{x + CELL_W // 2}" y="{y + CELL_H // 2 + 4}" '
                         f'text-anchor="middle">{shown}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _html_table(t: TableSpec) -> str:
    head = "".join(f"<th>{_text(h)}</th>" for h in t.headers)
    body = "\n".join("<tr>" + "".join(
        f"<td>{'' if v is None else _text(v)}</td>" for v in row) + "</tr>" for row in t.rows)
    note = f'\n<p class="note">{_text(t.note)}</p>' if t.note else ""
    return (f"<section>\n<h2>{_text(t.title)}</h2>\n<table>\n<thead><tr>{head}</tr></thead>\n"
            f"<tbody>\n{body}\n</tbody>\n</table>{note}\n</section>")


STYLE = """body{font-family:sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:0.5em 0}
th,td{border:1px solid #BBB;padding:0.25em 0.6em;text-align:left}
th{background:#1F3864;color:#FFF}
.note{font-style:italic;max-width:60em}"""


def render_agree_html(found: ReaderAgreements) -> str:
    """The self-contained page: every table, then the heat map with how to read it."""
    files = ", ".join(i.file for i in found.inputs)
    heat = heat_table(found.calibration)
    sections = [_html_table(t) for t in agree_tables(found)]
    sections.append(f"<section>\n<h2>{_text(heat.title)}</h2>\n"
                    f"{heat_svg(found.calibration)}\n"
                    f'<p class="note">{_text(heat.note or "")}</p>\n</section>')
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>Agreement among readers</title>\n"
            f"<style>\n{STYLE}\n</style>\n</head>\n<body>\n"
            f"<h1>Agreement among readers</h1>\n<p>{_text(files)}: "
            f"{len(found.readers)} readers ({_text(', '.join(found.readers))}), "
            f"{found.cases} cases with an inspector audit; rubric "
            f"{_text(found.rubric.name)} {_text(found.rubric.version)}.</p>\n"
            + "\n".join(sections) + "\n</body>\n</html>\n")


def agree_file(out: Path, found: ReaderAgreements, cut: list[str]) -> bytes:
    """The bytes of ``agree --out``: .html or .xlsx (chosen by ``out``'s ending). Cells
    cut to fit a spreadsheet are noted in ``cut``."""
    if out.suffix.lower() == ".html":
        return render_agree_html(found).encode("utf-8")
    from .xlsx import Sheet, render_workbook

    heat = heat_table(found.calibration)
    sheets = [Sheet(t.name, t.headers, t.rows, note=t.note) for t in agree_tables(found)]
    cells = (1, 1, len(heat.rows), len(heat.headers) - 1) if heat.rows else None
    sheets.append(Sheet(heat.name, heat.headers, heat.rows, note=heat.note,
                        colour_scale=cells))
    return render_workbook(sheets, warnings=cut)
