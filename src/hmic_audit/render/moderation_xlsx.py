"""The moderation queue as a workbook a moderator fills in (``hmic-audit moderate``).

Sheet ``Queue``: one row per case - case, type, area, how far apart, which judgements
differ, each audit (side or reader) with its final grade (in the rubric's colour) and
score, then the moderator's columns (grade from a drop-down of the rubric's grade labels,
reason, name), then one column per criterion answered differently in some queued case,
holding each audit's answer in the rubric's words, in the audits' order, filled where the
case's audits differ. Sheet ``Source`` (hidden) records the input's name and SHA-256, the
rubric and threshold, so ``--moderated`` can match the queue to its file.
"""

from __future__ import annotations

import io

import xlsxwriter
import xlsxwriter.utility

from ..analysis.moderation import (
    CASE_TITLE,
    GRADE_TITLE,
    MODERATOR_TITLE,
    QUEUE_SHEET,
    REASON_TITLE,
    SOURCE_KEYS,
    SOURCE_SHEET,
    ModerationQueue,
)
from ..rubric import Rubric
from .safe_text import fit_cell
from .xlsx import FIXED_CREATED

DIFFERS_FILL = "#F4B183"
"""The fill of a criterion the case's audits answered differently."""
INPUT_FILL = "#FFF2CC"
"""The fill of the moderator's cells."""


def queue_xlsx(queue: ModerationQueue, rubric: Rubric) -> bytes:
    """The queue workbook's bytes (the same queue, the same bytes)."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"created": FIXED_CREATED, "author": "hmic-audit"})
    header = wb.add_format({"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF",
                            "text_wrap": True, "valign": "top", "border": 1})
    to_fill = wb.add_format({"bg_color": INPUT_FILL, "border": 1, "locked": False})
    differs = wb.add_format({"bg_color": DIFFERS_FILL})
    score = wb.add_format({"num_format": "0.0"})
    fills = {g.key: wb.add_format({"bg_color": f"#{g.colour}"}) for g in rubric.scale
             if g.colour}
    labels = rubric.grade_labels
    answer_label = {a.key: a.label for a in rubric.answers}
    width = max((len(c.sides) for c in queue.cases), default=2)

    ws = wb.add_worksheet(QUEUE_SHEET)
    titles = [CASE_TITLE, "Case type", "Area", "Levels apart", "Judgements that differ"]
    for n in range(1, width + 1):
        titles += [f"Audit {n}", f"Audit {n} final grade", f"Audit {n} score"]
    first_input = len(titles)
    titles += [GRADE_TITLE, REASON_TITLE, MODERATOR_TITLE]
    first_criterion = len(titles)
    titles += queue.criteria
    for c, title in enumerate(titles):
        ws.write_string(0, c, title, header)
    questions = rubric.criteria_by_id
    for c, crit in enumerate(queue.criteria, start=first_criterion):
        ws.write_comment(0, c, fit_cell(questions[crit].question)[0])
    for r, case in enumerate(queue.cases, start=1):
        ws.write_string(r, 0, case.case_ref)
        ws.write_string(r, 1, rubric.case_type_labels[case.case_type])
        if case.area:
            ws.write_string(r, 2, fit_cell(case.area)[0])
        ws.write_number(r, 3, case.levels)
        ws.write_string(r, 4, "; ".join(case.pairs))
        for n, side in enumerate(case.sides):
            c = 5 + 3 * n
            ws.write_string(r, c, fit_cell(side.label)[0])
            ws.write_string(r, c + 1, labels[side.grade], fills.get(side.grade))
            if side.score is not None:
                ws.write_number(r, c + 2, side.score, score)
        for c in range(first_input, first_criterion):
            ws.write_blank(r, c, None, to_fill)
        for c, crit in enumerate(queue.criteria, start=first_criterion):
            said = " / ".join(answer_label[x] if x else "(blank)"
                              for x in (side.answers.get(crit) for side in case.sides))
            ws.write_string(r, c, said, differs if crit in case.differing else None)
    last = max(len(queue.cases), 1)
    grade_list = [labels[k] for k in rubric.grade_keys]
    inline = ",".join(grade_list)
    source: str | list[str] = grade_list if len(inline) <= 250 and "," not in "".join(
        grade_list) else f"={SOURCE_SHEET}!$D$1:$D${len(grade_list)}"
    ws.data_validation(1, first_input, last, first_input, {
        "validate": "list", "source": source, "ignore_blank": True,
        "error_title": "Not a grade",
        "error_message": f"Choose one of the rubric's grades: {', '.join(grade_list)}."})
    widths = [12, 22, 14, 8, 28] + [18, 14, 8] * width + [16, 40, 18]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    if queue.criteria:
        ws.set_column(first_criterion, len(titles) - 1, 16)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, len(queue.cases), len(titles) - 1)
    note = (f"{len(queue.cases)} case(s) whose final grades differ by {queue.threshold} or "
            f"more levels (rubric {queue.rubric.name} {queue.rubric.version}). Give a "
            f"grade in '{GRADE_TITLE}' with a reason and your name; rows left blank "
            "change nothing. Criteria columns: each audit's answer, in the audits' order; "
            "filled where they differ.")
    ws.write_string(len(queue.cases) + 2, 0, note, wb.add_format({"italic": True}))

    src = wb.add_worksheet(SOURCE_SHEET)
    values = [queue.input.file, queue.input.sha256, queue.rubric.name,
              queue.rubric.version, str(queue.threshold), queue.rubric.sha256 or ""]
    for r, (key, value) in enumerate(zip(SOURCE_KEYS, values, strict=True)):
        src.write_string(r, 0, key)
        src.write_string(r, 1, fit_cell(value)[0])
    for r, label in enumerate(grade_list):
        src.write_string(r, 3, label)
    src.hide()
    wb.close()
    return buffer.getvalue()

