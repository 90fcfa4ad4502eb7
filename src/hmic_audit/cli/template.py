"""``hmic-audit template``: a blank audit workbook built from a rubric."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .options import FormatOpt, OutputFormat, ProfileRubricOpt, QuietOpt
from .output import finish_writing, guarded, rubric_warnings


class FormLayoutChoice(StrEnum):
    """The form's layout."""

    long = "long"
    wide = "wide"


@guarded
def template_command(
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE", show_default=False,
        help="The blank workbook to write (.xlsx).")],
    rubric: ProfileRubricOpt = None,
    layout: Annotated[FormLayoutChoice, typer.Option(
        "--layout", metavar="long|wide", case_sensitive=False,
        help="long: one row per audit, a column per criterion; wide: grades only, one "
        "row per case with the force's and the inspectors' grades.")
    ] = FormLayoutChoice.long,
    force: Annotated[Path | None, typer.Option(
        "--force", metavar="PROFILE", show_default=False,
        help="Force profile YAML: its local authorities become the Area drop-down (and "
        "its rubric the default).")] = None,
    areas: Annotated[Path | None, typer.Option(
        "--areas", metavar="FILE", show_default=False,
        help="UTF-8 text file of areas, one per line (blank lines ignored), for the Area "
        "drop-down. Without --force or --areas the Area column is free text.")] = None,
    format: FormatOpt = OutputFormat.human,
    quiet: QuietOpt = False,
) -> None:
    """Write a blank audit workbook for a rubric, with drop-down lists for every answer.

    The Cases sheet is a table of 10,000 rows: the identity columns and one column per
    criterion (its question in the header's comment), or with --layout wide the two
    grades; drop-down lists and checks in every row, a required cell left blank shaded
    red, the header row protected (no password). The Instructions sheet explains the
    form; a hidden sheet records the rubric's name, version and SHA-256, so checking
    the form with another rubric gives a warning. A filled-in copy is valid input to
    every command. With --format json, a summary of what was written goes to stdout.

    Examples:

      hmic-audit template --out audit-form.xlsx
      hmic-audit template --force force.yaml --out audit-form.xlsx
      hmic-audit template --layout wide --areas areas.txt --out grades-form.xlsx
      hmic-audit template --rubric my-rubric.yaml --out form.xlsx --format json
    """
    from .. import load_rubric
    from ..io.write import write_outputs
    from ..problems import Problem, WorkbookError
    from ..profile import profile_rubric, read_profile
    from ..render.formats import check_out
    from ..render.template_xlsx import template_xlsx
    from ..text import plural
    from ..workbook.audit_form import profile_areas, read_areas

    check_out(out, "template")
    if force is not None and areas is not None:
        raise WorkbookError("give --force or --areas, not both", [Problem(
            code="bad-arguments", message="the Area drop-down comes from --force (the "
            "profile's local authorities) or from --areas (a list); give one of them")])
    names: list[str] | None = None
    chosen: str | Path | None = rubric
    if force is not None:
        profile, _ = read_profile(force)
        chosen = rubric or profile_rubric(profile, force)
        names = profile_areas([la.name for la in profile.local_authorities])
    elif areas is not None:
        names = read_areas(areas)
    the_rubric = load_rubric(chosen)
    rubric_warnings(the_rubric, quiet=quiet)
    data = template_xlsx(the_rubric, layout=layout.value, areas=names)
    write_outputs({out: data}, inputs=[p for p in (force, areas) if p is not None])
    what = "audit form" if layout is FormLayoutChoice.long else "grades form"
    counted = (plural(len(the_rubric.criteria), 'criterion', 'criteria')
               if layout is FormLayoutChoice.long else "grades only")
    area_text = f", {plural(len(names), 'area')}" if names else ""
    finish_writing(
        format=format, written=[(out, what, data)],
        counts={"criteria": len(the_rubric.criteria) if layout is FormLayoutChoice.long
                else 0,
                "themes": len(the_rubric.themes), "case_types": len(the_rubric.case_types),
                **({"areas": len(names)} if names else {})},
        problems=[], quiet=quiet,
        lines=[f"wrote {out} ({counted}{area_text}, "
               f"rubric {the_rubric.name} v{the_rubric.version})"],
        rubric={"name": the_rubric.name, "version": the_rubric.version}, layout=layout.value)
