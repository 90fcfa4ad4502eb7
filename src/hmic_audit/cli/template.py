"""``hmic-audit template``: a blank audit workbook built from a rubric."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import FormatOpt, OutputFormat, QuietOpt, RubricOpt
from .output import finish_writing, guarded, rubric_warnings


@guarded
def template_command(
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE", show_default=False,
        help="The blank workbook to write (.xlsx).")],
    rubric: RubricOpt = None,
    format: FormatOpt = OutputFormat.human,
    quiet: QuietOpt = False,
) -> None:
    """Write a blank audit workbook for a rubric, with drop-down lists for every answer.

    The Cases sheet has the identity columns and one column per criterion (its question in
    the header's comment); the Instructions sheet lists the criteria by theme. A filled-in
    copy is valid input to grade. With --format json, a summary of what was written goes
    to stdout.

    Examples:

      hmic-audit template --out audit-form.xlsx
      hmic-audit template --rubric my-rubric.yaml --out audit-form.xlsx
      hmic-audit template --out audit-form.xlsx --format json
    """
    from .. import load_rubric
    from ..io.write import write_outputs
    from ..render.formats import check_out
    from ..render.template_xlsx import template_xlsx
    from ..text import plural

    check_out(out, "template")
    the_rubric = load_rubric(rubric)
    rubric_warnings(the_rubric, quiet=quiet)
    data = template_xlsx(the_rubric)
    write_outputs({out: data})
    finish_writing(
        format=format, written=[(out, "audit form", data)],
        counts={"criteria": len(the_rubric.criteria), "themes": len(the_rubric.themes),
                "case_types": len(the_rubric.case_types)},
        problems=[], quiet=quiet,
        lines=[f"wrote {out} ({plural(len(the_rubric.criteria), 'criterion', 'criteria')}, "
               f"rubric {the_rubric.name} v{the_rubric.version})"],
        rubric={"name": the_rubric.name, "version": the_rubric.version})
