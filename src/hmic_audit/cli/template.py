"""``hmic-audit template``: a blank audit workbook built from a rubric."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import QuietOpt, RubricOpt
from .output import guarded, say


@guarded
def template_command(
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE", show_default=False,
        help="The blank workbook to write (.xlsx).")],
    rubric: RubricOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write a blank audit workbook for a rubric, with drop-down lists for every answer.

    The Cases sheet has the identity columns and one column per criterion (its question in
    the header's comment); the Instructions sheet lists the criteria by theme. A filled-in
    copy is valid input to grade.

    Examples:

      hmic-audit template --out audit-form.xlsx
      hmic-audit template --rubric my-rubric.yaml --out audit-form.xlsx
    """
    from .. import load_rubric
    from ..io.write import write_outputs
    from ..render.formats import check_out
    from ..render.template_xlsx import template_xlsx
    from ..text import plural

    check_out(out, "template")
    the_rubric = load_rubric(rubric)
    write_outputs({out: template_xlsx(the_rubric)})
    if not quiet:
        say(f"wrote {out} ({plural(len(the_rubric.criteria), 'criterion', 'criteria')}, "
            f"rubric {the_rubric.name} v{the_rubric.version})")
