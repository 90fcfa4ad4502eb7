"""Each findings sentence is chosen from the facts: who was harsher or that the sides
agreed, "similar strengths and weaknesses" only when criterion answers support it,
nothing about answers when there are none, natural zero, one, both and all, one number
style within a list, and sentences about absent things left out."""

from __future__ import annotations

import pytest

from hmic_audit import grade as grade_audits
from hmic_audit.analysis.compare import compare_or_none
from hmic_audit.profile import CaseTypeHighlight, CriterionHighlight, NumberStyle
from hmic_audit.report.context import ReportContext, build_report
from hmic_audit.report.findings import SIMILAR_ANSWERS
from hmic_audit.report.words import number_words, proportion_phrase

from .test_report_matrix import Case, audit_set, profile_of, rubric_of

G, A, RI, IN = range(4)  # grade levels of the default scale


def report(cases: list[Case], *, answers: bool = True, publish: int | None = None,
           rubric: str = "default", **profile_changes: object) -> ReportContext:
    r = rubric_of(rubric)
    result = grade_audits(audit_set(r, cases, answers=answers), r)
    profile, digest = profile_of("minimal", rubric)
    assert profile is not None
    if profile_changes:
        profile = profile.model_copy(update=profile_changes)
    return build_report(result, compare_or_none([result], r), r, profile,
                        profile_sha256=digest, profile_file="force.yaml", publish=publish)


def said(ctx: ReportContext) -> str:
    """The findings' opening paragraphs as one text."""
    parts = [ctx.findings["self_assessment"], ctx.comparison.get("paragraph"),
             ctx.findings["further"]]
    return " ".join(str(p) for p in parts if p)


def pairs(levels: list[tuple[int, int]], case_type: str = "domestic_abuse", **kw: object
          ) -> list[Case]:
    return [Case(f"SA-{i:03d}", case_type, f, s, **kw)  # type: ignore[arg-type]
            for i, (f, s) in enumerate(levels, start=1)]


def further(levels: list[int], case_type: str = "domestic_abuse", **kw: object
            ) -> list[Case]:
    return [Case(f"IS-{i:03d}", case_type, None, s, **kw)  # type: ignore[arg-type]
            for i, s in enumerate(levels, start=1)]


# Who was harsher ---------------------------------------------------------------------

def test_force_harsher():
    text = said(report(pairs([(A, G)] * 9 + [(G, G)] * 3)))
    assert "Inspectors judged nine of the twelve cases more favourably than the force and " \
           "three the same." in text
    assert "Overall, the self-assessors found more weakness in practice than the " \
           "inspectors did." in text
    assert "less favourably" not in text and "none of the twelve" not in text


def test_inspectors_harsher():
    text = said(report(pairs([(G, A)] * 16 + [(A, G)] + [(G, G)] * 13)))
    assert "Inspectors judged 16 of the 30 cases less favourably than the force, 1 more " \
           "favourably and 13 the same." in text  # a list holding 30: all numerals
    assert "Overall, inspectors found more weakness in practice than the self-assessors " \
           "did." in text


def test_each_side_harsher_as_often():
    text = said(report(pairs([(G, A), (A, G), (G, G)])))
    assert "Neither side was consistently the harsher." in text
    assert "Overall" not in text


def test_full_agreement():
    text = said(report(pairs([(G, G), (A, A), (IN, IN), (RI, RI)])))
    assert "The force and the inspectors gave each of the four cases the same grade." in text
    assert "Their answers agreed too: where both answered a criterion, they gave the same " \
           "answer every time." in text
    assert "100% of the time" not in text
    assert "favourably" not in text and "levels apart" not in text


def test_every_case_judged_the_same_way_round():
    text = said(report(pairs([(G, IN)] * 3)))
    assert "Inspectors judged all three cases less favourably than the force." in text
    assert "In every case the force's and the inspectors' grades were two or more levels " \
           "apart." in text


# Strengths and weaknesses: only when the answers support it ---------------------------

@pytest.mark.parametrize("same, similar", [(10, True), (8, True), (7, False), (0, False)])
def test_similar_strengths_and_weaknesses_need_agreeing_answers(same, similar):
    r = rubric_of("default")
    criteria = [c.id for c in r.criteria_for("s47_enquiry")][:10]
    base = audit_set(r, pairs([(G, A)], "s47_enquiry"))
    force, inspector = base.audits
    answers = dict.fromkeys(criteria, "yes")
    other = {c: ("yes" if i < same else "no") for i, c in enumerate(criteria)}
    audits = base.model_copy(update={"audits": [
        force.model_copy(update={"answers": answers}),
        inspector.model_copy(update={"answers": other})]})
    result = grade_audits(audits, r)
    comparison = compare_or_none([result], r)
    assert comparison is not None
    profile, digest = profile_of("minimal", "default")
    ctx = build_report(result, comparison, r, profile, profile_sha256=digest,
                       profile_file="force.yaml")
    text = said(ctx)
    assert (same / 10 >= SIMILAR_ANSWERS) == similar
    assert ("much the same strengths and weaknesses" in text) == similar
    if not same:  # never "only 0% ... did not always"
        assert "they never gave the same answer, so the force and the inspectors did not " \
               "see the same strengths and weaknesses." in text
        assert "0%" not in text and "not always" not in text
        return
    assert ("did not always see the same strengths and weaknesses" in text) == (not similar)
    if same == 10:  # all of them: "every time", not "100% of the time"
        assert "they gave the same answer every time." in text and "100%" not in text
        return
    assert f"the same answer {'only ' if not similar else ''}{same * 10}% of the time" in text


def test_grades_only_says_nothing_about_answers():
    ctx = report(pairs([(G, A), (A, A), (G, IN)]), answers=False)
    text = said(ctx)
    assert "answer" not in text and "%" not in text and "strengths" not in text
    ids = [f.id for f in ctx.figures.all()]
    assert "compare.criterion_agreement" not in ids


# Zero, one, two, all -----------------------------------------------------------------

def test_a_single_case():
    text = said(report(pairs([(G, IN)])))
    assert text == (
        "During the inspection the force audited one case against the inspectorate's "
        "criteria. Its assessors rated it good. Inspectors then reviewed the same case. "
        "They judged it inadequate. Inspectors judged the case less favourably than the "
        "force. Overall, inspectors found more weakness in practice than the "
        "self-assessors did. Although their grades differed, the force and the inspectors "
        "found much the same strengths and weaknesses: where both answered a criterion, "
        "they gave the same answer every time. In the case the force's and the "
        "inspectors' grades were two or more levels apart.")


def test_two_cases():
    text = said(report(pairs([(G, A), (G, A)])))
    assert "Inspectors reviewed both of these cases. They judged both adequate." in text
    assert "Its assessors rated both good." in text
    assert "Inspectors judged both cases less favourably than the force." in text
    assert "In neither case were the force's and the inspectors' grades two or more " \
           "levels apart." in text


def test_a_single_further_case_and_no_self_assessment():
    ctx = report(further([RI]))
    assert ctx.findings["self_assessment"] is None and ctx.comparison == {}
    assert str(ctx.findings["further"]) == (
        "Inspectors selected and examined one case, in which a child had been identified "
        "as being at risk. They judged it as requiring improvement.")


def test_no_inspector_selected_cases():
    ctx = report(pairs([(G, G), (G, A), (A, A)]))
    assert ctx.findings["further"] is None
    assert not [f for f in ctx.figures.all() if f.id.startswith("further.")]


def test_further_cases_after_self_assessed_ones():
    text = said(report(pairs([(G, G)]) + further([G, A, A])))
    assert "Inspectors also selected and examined a further three cases in which children " \
           "had been identified as being at risk. They judged one good and two adequate." \
        in text


def test_one_grade_for_all():
    text = said(report(further([A] * 5)))
    assert "They judged all of them adequate." in text


def test_no_case_far_apart():
    text = said(report(pairs([(G, A), (A, RI), (G, G)])))
    assert "In none of the cases were the force's and the inspectors' grades two or more " \
           "levels apart." in text


def test_audits_that_could_not_be_graded():
    text = said(report(further([G, A, A]) + [
        Case("IS-9", "domestic_abuse", None, G, written=False, answered=2)]))
    assert "They judged one good and two adequate; one could not be graded." in text


# Numbers and proportions -------------------------------------------------------------

def test_a_list_is_all_words_or_all_numerals():
    text = said(report(further([G] * 29 + [A] * 33 + [RI] * 4 + [IN] * 18)))
    assert "They judged 29 good, 33 adequate, 4 as requiring improvement and 18 " \
           "inadequate." in text
    text = said(report(further([G] * 8 + [A] * 16 + [RI] + [IN] * 5)))
    assert "They judged eight good, sixteen adequate, one as requiring improvement and five " \
           "inadequate." in text


def test_the_profile_sets_the_number_style():
    text = said(report(further([G] * 8 + [A] * 16 + [RI] + [IN] * 5),
                       numbers=NumberStyle(words_up_to=9)))
    assert "They judged 8 good, 16 adequate, 1 as requiring improvement and 5 " \
           "inadequate." in text
    text = said(report(further([G] * 2 + [A] * 3), numbers=NumberStyle(words_up_to=9)))
    assert "They judged two good and three adequate." in text
    text = said(report(further([G] * 2 + [A] * 3), numbers=NumberStyle(words_up_to=0)))
    assert "examined a further" not in text and "They judged 2 good and 3 adequate." in text


def test_force_grades_in_proportions():
    text = said(report(pairs([(G, G)] * 19 + [(A, A)] * 9 + [(RI, RI)] * 2)))
    assert "Its assessors rated practice good in about two-thirds of them (19) and adequate " \
           "in just under a third of them (9), and two were rated as requiring " \
           "improvement." in text
    text = said(report(pairs([(G, G)] * 3 + [(A, A)] * 17)))
    assert f"good in {proportion_phrase(3, 20)} of them (3)" in text
    assert "fewer than a fifth" in text and "fewer than half" not in text


def test_small_counts_are_not_proportions():
    text = said(report(pairs([(G, G), (G, A), (A, A)])))
    assert "Its assessors rated two good and one adequate." in text


def test_publishing_hides_small_counts_truthfully():
    ctx = report(pairs([(G, G)] * 20 + [(A, G)] * 8 + [(RI, IN)] * 2) + further(
        [G] * 29 + [A] * 33 + [RI] * 4 + [IN] * 18), publish=6)
    text = said(ctx)
    # a hidden count never says how small it is: "fewer than six" with the published
    # zeros would give an intruder both its ends
    assert "fewer than" not in text
    # the two inadequate are hidden, and the 28 good that would give them away beside
    # the 30: a list of nothing but unpublished numbers is not written
    # "all 30" would publish that none of the force's audits was left out: its total 30,
    # and with twenty good and eight adequate shown, the two requiring improvement
    assert "Inspectors reviewed 30 cases that had been self-assessed. This " \
           "publication does not give how they were graded." in text
    assert "reviewed all" not in text
    assert "an unpublished number good and an unpublished number inadequate" not in text
    assert "33 adequate" in text and "Its assessors rated twenty good, eight adequate" in text


def test_publishing_with_few_cases_says_nothing_empty():
    ctx = report(pairs([(G, A), (G, A), (A, G)]) + further([G, A, A]), publish=6)
    text = said(ctx)
    assert "Inspectors judged some of the cases less favourably than the force and some " \
           "more favourably." in text
    assert "of the an unpublished" not in text and "fewer than" not in text
    assert "Inspectors also selected and examined an unpublished number of further " \
           "cases" in text
    assert "a further an" not in text


def test_publishing_two_reviewed_cases_never_says_both():
    """Two cases are fewer than six: "both" (or "all of them") would say how many."""
    text = said(report(pairs([(G, A), (A, A)]), publish=6))
    assert "both" not in text and "all of them" not in text
    assert "Inspectors also audited cases that the force had self-assessed." in text


def test_unpublished_two_reviewed_cases_registers_both():
    ctx = report(pairs([(G, A), (A, A)]))
    assert "Inspectors reviewed both of these cases." in said(ctx)
    figure = next(f for f in ctx.figures.all() if f.id == "self_assessed.reviewed")
    assert figure.shown == "both"


@pytest.mark.parametrize("levels, shown", [
    ([(G, A), (A, G)], "neither"), ([(G, A), (A, G), (G, G)], "none")])
def test_no_case_far_apart_is_a_figure(levels, shown):
    ctx = report(pairs(levels))
    figure = next(f for f in ctx.figures.all() if f.id == "compare.significant")
    assert (figure.value, figure.shown) == (0, shown)
    assert f"{shown}" in said(ctx).lower()


def test_one_case_is_fewer_than_two_levels_apart():
    text = said(report(pairs([(G, A)])))
    assert "fewer than two levels apart" in text and "less than" not in text


# Highlights and case types -----------------------------------------------------------

def _theme_text(ctx: ReportContext, theme: str) -> str:
    section = next(s for s in ctx.themes if s.key == theme)
    return " ".join(map(str, [*section.highlights, *section.case_types]))


def test_a_case_type_inspectors_did_not_examine_is_left_out():
    ctx = report(further([G, A]), case_types=[
        CaseTypeHighlight(case_type="missing_child", theme="assessment_help")])
    assert _theme_text(ctx, "assessment_help") == ""
    assert not [f for f in ctx.figures.all() if f.id.startswith("case_type.")]


def test_case_type_paragraph_and_children():
    cases = [Case(f"CU-{i}", "child_in_custody", None, A, age=16, gender="female")
             for i in range(3)]
    ctx = report(cases, case_types=[CaseTypeHighlight(
        case_type="child_in_custody", theme="police_detention", describe_children=True)])
    text = _theme_text(ctx, "police_detention")
    assert text.startswith("Inspectors examined three cases classed as ‘child in "
                           "custody’. They judged all of them adequate.")
    assert "Every child was 16 years old. Every child was a girl, aged 16, 16 and 16." in text
    assert "of the type" not in text and "oldest" not in text


def test_one_case_of_a_type():
    cases = [Case("CU-1", "child_in_custody", A, IN, age=15, gender="male")]
    ctx = report(cases, case_types=[CaseTypeHighlight(
        case_type="child_in_custody", theme="police_detention", describe_children=True)])
    text = _theme_text(ctx, "police_detention")
    assert text == ("Inspectors examined one case classed as ‘child in custody’, which the "
                    "force had also self-assessed. They judged it inadequate. The child was "
                    "15 years old. The child in the case the force self-assessed was a boy.")


@pytest.mark.parametrize("answers, expected", [
    ({"yes": 9}, "Inspectors found that police acted in all nine of the cases they examined."),
    ({"yes": 2}, "Inspectors found that police acted in both of the cases they examined."),
    ({"no": 4}, "In none of the four cases they examined did inspectors find that police "
                "acted."),
    ({"yes": 1}, "Inspectors found that police acted in the only case they examined."),
    ({"yes": 6, "no": 78}, "Inspectors found that police acted in 6 of the 84 cases they "
                           "examined."),
    ({}, ""),
])
def test_criterion_sentences(answers, expected):
    r = rubric_of("default")
    criterion = "ic_child_seen"
    cases = further([A] * sum(answers.values()) or [A], answered=0)
    audits = audit_set(r, cases)
    given = [a for a, n in answers.items() for _ in range(n)]
    audits = audits.model_copy(update={"audits": [
        a.model_copy(update={"answers": {criterion: given[i]} if i < len(given) else {}})
        for i, a in enumerate(audits.audits)]})
    result = grade_audits(audits, r)
    profile, digest = profile_of("minimal", "default")
    profile = profile.model_copy(update={"highlights": {"initial_contact": [
        CriterionHighlight(criterion=criterion, answer="yes", finding="police acted")]}})
    ctx = build_report(result, None, r, profile, profile_sha256=digest,
                       profile_file="force.yaml")
    assert _theme_text(ctx, "initial_contact") == expected


@pytest.mark.parametrize("cases, no", [(8, 1), (8, 4), (12, 4)])
def test_publishing_never_gives_away_the_rest_of_a_count(cases, no):
    """"seven of the eight" would tell that one case answered no, and "most" or "all but
    fewer than six" would bound the hidden count: the part is an unpublished number, or,
    when the whole is hidden too, the sentence (with nothing to say) is left out."""
    r = rubric_of("default")
    criterion = "ic_child_seen"
    audits = audit_set(r, further([A] * cases, answered=0))
    audits = audits.model_copy(update={"audits": [
        a.model_copy(update={"answers": {criterion: "yes" if i >= no else "no"}})
        for i, a in enumerate(audits.audits)]})
    result = grade_audits(audits, r)
    profile, digest = profile_of("minimal", "default")
    profile = profile.model_copy(update={"highlights": {"initial_contact": [
        CriterionHighlight(criterion=criterion, finding="police acted")]}})
    ctx = build_report(result, None, r, profile, profile_sha256=digest,
                       profile_file="force.yaml", publish=6)
    text = _theme_text(ctx, "initial_contact")
    whole = number_words(cases)
    assert text in ("", "Inspectors found that police acted in an unpublished number of "
                        f"the {whole} cases they examined.")


def test_force_grades_when_most_could_not_be_graded():
    cases = pairs([(G, G), (A, A)]) + [
        Case(f"SA-{i}", "domestic_abuse", G, G, written=False, answered=2)
        for i in range(10, 28)]
    text = said(report(cases))
    assert "During the inspection the force audited twenty cases against the " \
           "inspectorate's criteria. One was rated good, one was rated adequate and " \
           "eighteen could not be graded." in text


@pytest.mark.parametrize("values, expected", [
    ((174, 141, 14), "there were 174 cases awaiting allocation, 141 cases being examined "
                     "and 14 staff examining them."),
    ((7, 3, 14), "there were seven cases awaiting allocation, three cases being examined "
                 "and fourteen staff examining them."),
])
def test_profile_figures_in_one_sentence_share_one_number_style(values, expected):
    """A sentence joining several profile counts is all numerals or all words."""
    from hmic_audit.profile import ForceFigure
    from hmic_audit.report.figures import FigureBook
    from hmic_audit.report.force_figures import sentences

    labels = ("cases awaiting allocation", "cases being examined", "staff examining them")
    full, _ = profile_of("full", "default")
    assert full is not None
    profile = full.model_copy(update={"figures": [
        ForceFigure(chapter="context", label=label, value=value)
        for label, value in zip(labels, values, strict=True)]})
    [phrase] = sentences(FigureBook(), profile, "context")
    assert str(phrase).split("^[")[0].endswith(expected)


# Annex A: the method and the statistics in words -------------------------------------

def _annex(ctx: ReportContext) -> str:
    from hmic_audit.render.report_markdown import render_report_markdown

    markdown = render_report_markdown(ctx)
    start = markdown.index("## Annex A")
    return " ".join(markdown[start:markdown.index("\n## ", start + 1)].split())


def test_negative_kappa_reads_as_no_better_than_chance():
    from hmic_audit.render.report_markdown import render_report_markdown

    ctx = report(pairs([(G, A), (A, G)] * 3))
    text = _annex(ctx)
    assert "Here kappa was -1.00, below 0: the force and the inspectors agreed no more " \
           "often than chance would give, which the scale most often used to read it " \
           "calls poor agreement." in text
    assert "worse than chance would give agreement" not in text
    assert "in none of these cases (0%); in all of them (100%) they were no more than a " \
           "grade apart." in text
    assert "reads a kappa below 0 as poor agreement" in " ".join(
        render_report_markdown(ctx).split())  # the footnote


def test_full_agreement_interval_has_no_width_and_all_reads_all():
    text = _annex(report(pairs([(G, G), (A, A)] * 3)))
    assert "runs from 1.00 to 1.00" not in text
    assert "Kappa's interval has no width: both its ends are 1.00." in text
    assert "in all of these cases (100%)." in text
    assert "in 100% of these cases" not in text and "in 100% they" not in text
    assert "which is wider the fewer the cases are" in text
    assert "wide when the cases are few" not in text


def test_within_one_grade_in_all_cases_reads_all():
    text = _annex(report(pairs([(G, A), (A, A), (G, G)])))
    assert "in all of them (100%) they were no more than a grade apart" in text


def test_method_leaves_out_the_self_assessment_when_there_is_none():
    text = _annex(report(further([G, A, A])))
    assert "first by the force" not in text and "self-assessment" not in text
    assert "Self-assessed" not in text  # no column of zeros
    assert "| Type of case | Selected by inspectors |" in text


def test_grades_only_data_claims_no_answers():
    ctx = report(pairs([(G, A), (A, A), (G, G)]), answers=False)
    text = _annex(ctx)
    assert "Each audit answers the questions" not in text
    assert "The answers give a score" not in text
    assert "against the inspectorate's criteria" not in text
    assert "against the inspectorate's criteria" not in said(ctx)
    assert "During the inspection the force audited three cases." in said(ctx)


def test_the_widest_gap_is_not_called_or_more():
    """On a three-level scale two levels apart is good against inadequate: nothing is
    further apart, so the report does not say 'two or more'."""
    three = rubric_of("three")
    assert three.significant_difference == 2 and len(three.scale) == 3
    text = said(report(pairs([(0, 2), (0, 0), (1, 0)]), rubric="three"))
    assert "grades were two levels apart" in text and "or more" not in text
    text = said(report(pairs([(0, 2), (0, 0), (1, 0)]), rubric="five"))
    assert "three or more levels apart" in text  # five levels: four apart is possible


def test_a_list_of_rare_grades_follows_a_semicolon():
    """'..., and one was rated outstanding and one was rated adequate' had two 'and's
    (found by a review)."""
    five = [(0, 0)] + [(1, 1)] * 8 + [(2, 2)] + [(4, 4)] * 3 + [(3, 3)]
    text = said(report(pairs(five), rubric="five"))
    assert "; one was rated outstanding, one was rated adequate and one was rated as " \
           "requiring improvement." in text
    assert text.count(", and one was rated") == 0
