"""``hmic-audit profile init`` and ``hmic-audit profile check``: the force profile."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from .command import Group, register
from .options import (
    AllOpt,
    EncodingOpt,
    FormatOpt,
    MonthFirstOpt,
    OutputFormat,
    ProfileRubricOpt,
    QuietOpt,
    RubricOpt,
    SheetOpt,
)
from .output import check_file, finish_writing, guarded, progress, report_problems
from .report import ForceNameOpt

profile_app = typer.Typer(help="Write a force profile to fill in, or check one.",
                          no_args_is_help=True, rich_markup_mode="rich", cls=Group)

UNREADABLE = {"file-not-found", "unreadable", "bad-encoding", "too-large"}
"""Problems that mean a profile could not be read at all: bad input (exit 2), not a
problem the check found in it (exit 1)."""


@guarded
def init_command(
    out: Annotated[Path, typer.Option(
        "--out", "-o", metavar="FILE", show_default=False,
        help="The profile to write (.yaml); an existing file is kept unless --replace.")],
    cases: Annotated[Path | None, typer.Argument(
        metavar="CASES", show_default=False,
        help="Cases file to name the force from (its force column, else its file name); "
        "optional.")] = None,
    force_name: ForceNameOpt = None,
    rubric: RubricOpt = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Write over an existing file at --out.")] = False,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    month_first: MonthFirstOpt = False,
    format: FormatOpt = OutputFormat.human,
    quiet: QuietOpt = False,
) -> None:
    """Write a force profile skeleton to fill in: every key of the profile, with a
    comment saying what it means, whether it is required and what it accepts.

    Required values are left empty: 'hmic-audit profile check' lists those still to fill
    in. The force is named by --force-name, else by the cases' force column or file
    name; the rubric's themes and case types are listed where a key refers to them.

    Examples:

      hmic-audit profile init --force-name "Greater Manchester Police" \\
        --out force.yaml
      hmic-audit profile init cases.xlsx --rubric my-rubric.yaml --out force.yaml
    """
    from .. import load_rubric
    from ..io.write import write_outputs
    from ..problems import OutputError, Problem
    from ..render.profile_skeleton import profile_skeleton

    if out.suffix.lower() not in (".yaml", ".yml"):
        raise OutputError("unsupported --out format", [Problem(
            code="bad-output-format", file=str(out),
            message=f"has extension {out.suffix or '(none)'!r}; use .yaml")])
    if out.exists() and not replace:
        raise OutputError(f"{out.name} already exists", [Problem(
            code="output-exists", file=str(out),
            message="already exists and may hold your work: choose another --out, or "
            "give --replace to write over it")])
    the_rubric = load_rubric(rubric)
    seen: list[Problem] = []
    name = force_name
    if name is None and cases is not None:
        from .. import read_audits
        from ..jobs.report import case_force_name

        with progress(f"Reading {cases.name}", quiet):
            frame, warnings = read_audits(cases, the_rubric, encoding=encoding,
                                          sheet=sheet, month_first=month_first)
        name, named = case_force_name(frame, cases)
        seen += [*warnings, *named]
        report_problems(seen, cases.name, quiet=quiet)
    ref = rubric  # a shipped name as it is; a file relative to the profile's folder
    if rubric is not None and Path(rubric).is_file():
        ref = Path(os.path.relpath(Path(rubric).resolve(), out.parent.resolve())).as_posix()
    data = profile_skeleton(the_rubric, force=name, rubric_ref=ref).encode("utf-8")
    write_outputs({out: data}, inputs=[p for p in (cases,) if p is not None])
    finish_writing(
        format=format, written=[(out, "force profile", data)],
        counts={"keys": data.decode("utf-8").count("(Required)") +
                data.decode("utf-8").count("(Optional)")},
        problems=seen, quiet=quiet,
        lines=[f"wrote {out}: fill in the keys marked Required, then run "
               f"hmic-audit profile check {out}"],
        force=name, rubric={"name": the_rubric.name, "version": the_rubric.version})


@guarded
def check_command(
    profile: Annotated[Path, typer.Argument(
        metavar="PROFILE", show_default=False, help="Force profile YAML file.")],
    rubric: ProfileRubricOpt = None,
    format: FormatOpt = OutputFormat.human,
    show_all: AllOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Check a force profile and list every problem in plain words, with its key path
    and line (exit 1 when there are any, 2 when the file cannot be read).

    A key the profile does not have, a value of the wrong kind, a required key missing or
    empty, and a reference the rubric does not know (a theme, a criterion, a case type)
    are each named; a misspelling gets "did you mean".

    Examples:

      hmic-audit profile check sample_cases/gmp-2014/force.yaml
      hmic-audit profile check force.yaml --format json
    """
    from .. import load_rubric
    from ..profile import ForceProfileError, check_profile, profile_rubric, read_profile

    def check() -> str:
        loaded, _ = read_profile(profile)
        the_rubric = load_rubric(rubric or profile_rubric(loaded, profile))
        check_profile(loaded, the_rubric, profile.name)
        return (f"{profile.name}: no problems (force {loaded.force}, rubric "
                f"{the_rubric.name} v{the_rubric.version})")

    check_file(profile.name, check, error=ForceProfileError, unreadable=UNREADABLE,
               format=format, show_all=show_all, quiet=quiet)


register(profile_app, "init", init_command)
register(profile_app, "check", check_command)
