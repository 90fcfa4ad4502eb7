"""Options shared by the commands, defined once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class OutputFormat(StrEnum):
    """What a command prints on stdout."""

    human = "human"
    json = "json"


CasesArg = Annotated[Path, typer.Argument(
    metavar="CASES", help="Cases file: .xlsx (sheet 'Cases', else the first), .csv or .json.",
    show_default=False)]
RubricOpt = Annotated[str | None, typer.Option(
    "--rubric", "-r", metavar="RUBRIC",
    help="Rubric YAML file, or the name of a shipped rubric (default: child-protection-2014).",
    show_default=False)]
RubricsOpt = Annotated[list[str] | None, typer.Option(
    "--rubric", "-r", metavar="RUBRIC",
    help="Rubric YAML file, or the name of a shipped rubric (default: "
    "child-protection-2014). Give it once for every file, or once per file in their order "
    "when they were graded under different rubrics (then give --crosswalk too).",
    show_default=False)]
CrosswalkOpt = Annotated[Path | None, typer.Option(
    "--crosswalk", metavar="FILE", show_default=False,
    help="Crosswalk YAML file putting grades of different rubrics on one scale (needed "
    "when the files were graded under different rubrics).")]
AnnotateOpt = Annotated[Path | None, typer.Option(
    "--annotate", metavar="COPY.xlsx", show_default=False,
    help="Also write a copy of the workbook (an .xlsx) with every problem cell coloured "
    "and commented and a first sheet listing the problems with links to their cells; the "
    "input is never changed.")]
ProfileRubricOpt = Annotated[str | None, typer.Option(
    "--rubric", "-r", metavar="RUBRIC", show_default=False,
    help="Rubric YAML file or shipped name (default: the one the force profile names, "
    "else child-protection-2014).")]
FormatOpt = Annotated[OutputFormat, typer.Option(
    "--format", "-f", metavar="human|json",
    help="human: tables for people; json: one JSON document on stdout.",
    case_sensitive=False)]
EncodingOpt = Annotated[str | None, typer.Option(
    "--encoding", metavar="NAME",
    help="Text encoding of a CSV file (default: UTF-8, else Windows-1252).",
    show_default=False)]
MonthFirstOpt = Annotated[bool, typer.Option(
    "--month-first",
    help="Read typed dates such as 07/03/2014 as month first (US order); dates are day "
    "first otherwise.")]
AllOpt = Annotated[bool, typer.Option(
    "--all",
    help="List every problem on its own line (by default a problem repeated in many rows "
    "is shown once with its rows, and the list stops after 20).")]
PseudonymiseOpt = Annotated[bool, typer.Option(
    "--pseudonymise", help="Replace case references with keyed pseudonyms "
    "(key from HMIC_AUDIT_PSEUDONYM_KEY or --key-file).")]
KeyFileOpt = Annotated[Path | None, typer.Option(
    "--key-file", metavar="FILE", show_default=False,
    help="File holding the pseudonym key (instead of HMIC_AUDIT_PSEUDONYM_KEY).")]
PublishOpt = Annotated[bool, typer.Option(
    "--publish", help="Fit for publication: small counts hidden (1-5 shown as c unless "
    "--suppress says otherwise, never below 3); no case references, notes or ages.")]
QuietOpt = Annotated[bool, typer.Option(
    "--quiet", "-q", help="No progress display, notices or 'wrote ...' "
    "messages (warnings and errors are still shown).")]
SheetOpt = Annotated[str | None, typer.Option(
    "--sheet", metavar="NAME", help="Worksheet to read (default: 'Cases', else the first "
    "sheet); its name is matched ignoring case and spacing when no sheet has it exactly.",
    show_default=False)]
ModeratedOpt = Annotated[Path | None, typer.Option(
    "--moderated", metavar="QUEUE.xlsx", show_default=False,
    help="A moderation queue (hmic-audit moderate) filled in: each moderator's grade "
    "becomes the final grade of the case's inspector audits.")]
