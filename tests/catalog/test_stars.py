"""Stars from the council's average total: the bands, the average, and minimum-requirement caps
on the real score sheet of product set 1 under Decision 26/2026 (loaded by migration)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from catalog.errors import RegistryError
from catalog.models import (
    Certificate,
    CriterionOption,
    Evaluation,
    EvaluationChoice,
    EvaluationPart,
)
from catalog.rules import score_round
from catalog.services import (
    certificate_issue,
    evaluation_average,
    evaluation_record,
    evaluation_stars,
)
from tests.factories import DecisionFactory, ProductFactory, framework, product_set

pytestmark = pytest.mark.django_db

EVALUATED_ON = datetime.date(2026, 7, 15)

BAND_EDGES = [
    ("0", 1),
    ("29.99", 1),
    ("30", 2),
    ("49.99", 2),
    ("50", 3),
    ("69.99", 3),
    ("70", 4),
    ("89.99", 4),
    ("90", 5),
    ("100", 5),
]

# Set 1 with the top option on every criterion: 40 + 25 + 35 = 100 points.
TOP = {
    "1.1": 3, "1.2": 2, "1.3": 3, "1.4": 3, "1.5": 3, "1.6": 3, "1.7": 1,
    "2.1": 3, "2.2": 3, "2.3": 3, "2.4": 1,
    "3.1": 3, "3.2": 1, "3.3": 3, "3.4": 2, "3.5": 3,
    "4.1": 5, "4.2": 3, "4.3": 5,
    "5.1": 5, "5.2": 2, "5.3": 5,
    "6.1": 2, "6.2": 4, "6.3": 3, "6.4": 3, "7": 3, "8": 5, "9": 5, "10": 5, "11": 2, "12": 3,
}  # fmt: skip

# A solid ★4 product: every ★3 and ★4 minimum met, the ★5 ones (1.3, 1.5, 4.1) not; 74 points.
STAR4 = {
    "1.1": 3, "1.2": 1, "1.3": 2, "1.4": 2, "1.5": 2, "1.6": 1, "1.7": 1,
    "2.1": 3, "2.2": 2, "2.3": 3, "2.4": 1,
    "3.1": 3, "3.2": 1, "3.3": 2, "3.4": 2, "3.5": 2,
    "4.1": 3, "4.2": 3, "4.3": 3,
    "5.1": 5, "5.2": 2, "5.3": 3,
    "6.1": 2, "6.2": 3, "6.3": 3, "6.4": 3, "7": 3, "8": 3, "9": 2, "10": 3, "11": 1, "12": 1,
}  # fmt: skip


def record(**kwargs) -> Evaluation:
    kwargs.setdefault("product", ProductFactory(product_set=product_set(1)))
    kwargs.setdefault("framework", framework("QD26-2026"))
    kwargs.setdefault("level", "province")
    kwargs.setdefault("evaluated_on", EVALUATED_ON)
    return evaluation_record(**kwargs)


def with_choices(base: dict, **changes) -> dict:
    choices = {**base, **{code.replace("_", "."): points for code, points in changes.items()}}
    return {code: Decimal(points) for code, points in choices.items()}


def cap(criterion: str, name: str, required: str, chosen: str, min_star: int) -> dict:
    return {
        "criterion": criterion,
        "criterion_name": name,
        "required_points": required,
        "chosen_points": chosen,
        "min_star": min_star,
        "capped_to": min_star - 1,
    }


# --- bands ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "stars"), BAND_EDGES)
def test_band_edges_through_evaluation_stars(total, stars):
    result = evaluation_stars(framework=framework("QD26-2026"), total_score=Decimal(total))
    assert (result.band_stars, result.stars, result.caps) == (stars, stars, [])


@pytest.mark.parametrize(("total", "stars"), BAND_EDGES)
def test_band_edges_through_evaluation_record(total, stars):
    evaluation = record(total_score=Decimal(total))
    evaluation.refresh_from_db()
    assert evaluation.total_score == Decimal(total)
    assert (evaluation.band_stars, evaluation.stars, evaluation.caps_applied) == (stars, stars, [])


@pytest.mark.parametrize("code", ["QD1048-2019", "QD148-2023"])
def test_older_frameworks_use_the_same_bands(code):
    fw = framework(code)
    assert [
        evaluation_stars(framework=fw, total_score=Decimal(t)).stars for t, _ in BAND_EDGES
    ] == [s for _, s in BAND_EDGES]


@pytest.mark.parametrize("total", ["-1", "100.01"])
def test_totals_out_of_range_are_refused(total):
    with pytest.raises(RegistryError) as stars_error:
        evaluation_stars(framework=framework("QD26-2026"), total_score=Decimal(total))
    assert (stars_error.value.code, stars_error.value.field) == ("out_of_range", "total_score")

    product = ProductFactory()
    with pytest.raises(RegistryError) as record_error:
        record(product=product, total_score=Decimal(total))
    assert record_error.value.code == "out_of_range"
    assert Evaluation.objects.count() == 0


def test_a_float_total_is_taken_at_its_written_value():
    # Decimal(29.99) is 29.989999…; the written value decides the band, not its binary error.
    result = evaluation_stars(framework=framework("QD26-2026"), total_score=69.99)
    assert result.band_stars == 3
    assert record(total_score=89.99).total_score == Decimal("89.99")


def test_a_total_that_is_not_a_number_is_refused():
    with pytest.raises(RegistryError) as error:
        evaluation_stars(framework=framework("QD26-2026"), total_score="72,5")
    assert (error.value.code, error.value.field) == ("invalid", "total_score")
    with pytest.raises(RegistryError):
        evaluation_stars(framework=framework("QD26-2026"), total_score=Decimal("NaN"))


# --- the council's average ------------------------------------------------------------------------


def test_average_of_members_totals_is_exact():
    assert evaluation_average(member_totals=[72, 73, Decimal("71.5")]) == Decimal("216.5") / 3
    assert evaluation_average(member_totals=[Decimal("70"), Decimal("70.01")]) == Decimal("70.005")
    assert evaluation_average(member_totals=[Decimal("64.50")]) == Decimal("64.50")
    # A float is read as written: Decimal(70.005) would be 70.00499…
    assert evaluation_average(member_totals=[70.005]) == Decimal("70.005")


def test_score_round_is_half_up_to_two_places():
    assert score_round(Decimal("216.5") / 3) == Decimal("72.17")
    # 70.005 exactly: half-up gives 70.01 where banker's rounding would give 70.00.
    assert score_round(Decimal("70.005")) == Decimal("70.01")
    assert score_round(Decimal("69.995")) == Decimal("70.00")


def test_record_stores_the_rounded_average_and_the_members_totals():
    evaluation = record(member_totals=[Decimal("72"), Decimal("73"), Decimal("71.5")])
    evaluation.refresh_from_db()
    assert evaluation.total_score == Decimal("72.17")
    assert evaluation.member_totals == ["72", "73", "71.5"]
    assert (evaluation.band_stars, evaluation.stars) == (4, 4)


# Members' totals whose exact average lies just under a band edge but rounds up onto it: the
# band is taken on the exact average (one star less), the figure stored is the rounded one.
AVERAGES_UNDER_AN_EDGE = [
    (["89.99", "90", "90"], "90.00", 4),
    (["69.99", "70", "70"], "70.00", 3),
    (["49.99", "50", "50"], "50.00", 2),
    (["29.99", "30", "30"], "30.00", 1),
    (["89.99", "90"], "90.00", 4),  # 89.995 exactly
    (["90", "90", "90"], "90.00", 5),
    (["70", "70", "69.99", "70.01"], "70.00", 4),  # exactly 70
    (["69.98", "70.01"], "70.00", 3),  # 69.995
]


@pytest.mark.parametrize(("totals", "shown", "stars"), AVERAGES_UNDER_AN_EDGE)
def test_stars_are_banded_on_the_exact_average(totals, shown, stars):
    evaluation = record(member_totals=[Decimal(t) for t in totals])
    evaluation.refresh_from_db()
    assert (evaluation.total_score, evaluation.band_stars, evaluation.stars) == (
        Decimal(shown),
        stars,
        stars,
    )


@pytest.mark.parametrize(
    ("total", "shown", "stars"),
    [
        ("69.995", "70.00", 3),
        ("89.999", "90.00", 4),
        ("49.9951", "50.00", 2),
        ("70.001", "70.00", 4),
    ],
)
def test_a_given_total_is_banded_exactly_and_stored_rounded(total, shown, stars):
    evaluation = record(total_score=Decimal(total))
    evaluation.refresh_from_db()
    assert (evaluation.total_score, evaluation.stars) == (Decimal(shown), stars)


@pytest.mark.parametrize(
    "totals", [[Decimal("72"), Decimal("100.01")], [Decimal("-0.5")], [Decimal("72"), -1]]
)
def test_member_totals_out_of_range_are_refused(totals):
    with pytest.raises(RegistryError) as error:
        evaluation_average(member_totals=totals)
    assert (error.value.code, error.value.field) == ("out_of_range", "member_totals")
    with pytest.raises(RegistryError) as record_error:
        record(member_totals=totals)
    assert record_error.value.code == "out_of_range"
    assert Evaluation.objects.count() == 0


def test_no_member_totals_is_refused():
    with pytest.raises(RegistryError) as error:
        evaluation_average(member_totals=[])
    assert (error.value.code, error.value.field) == ("required", "member_totals")


# --- minimum-requirement caps (set 1, Decision 26/2026) -------------------------------------------


def test_all_top_options_give_five_stars_without_caps():
    evaluation = record(choices=with_choices(TOP))
    assert evaluation.total_score == Decimal("100.00")
    assert (evaluation.band_stars, evaluation.stars, evaluation.caps_applied) == (5, 5, [])
    assert {p.part.code: p.score for p in evaluation.parts.select_related("part")} == {
        "A": Decimal("40"),
        "B": Decimal("25"),
        "C": Decimal("35"),
    }
    assert EvaluationChoice.objects.filter(evaluation=evaluation).count() == len(TOP)


def test_a_four_star_product_meeting_every_minimum_has_no_caps():
    evaluation = record(choices=with_choices(STAR4))
    assert evaluation.total_score == Decimal("74.00")
    assert (evaluation.band_stars, evaluation.stars, evaluation.caps_applied) == (4, 4, [])


def test_missing_a_four_star_minimum_caps_a_four_star_band_at_three():
    # Label without the electronic traceability code (2 points; the ★4 minimum is 3).
    evaluation = record(choices=with_choices(STAR4, **{"2_3": 2}))
    evaluation.refresh_from_db()
    assert evaluation.total_score == Decimal("73.00")
    assert (evaluation.band_stars, evaluation.stars) == (4, 3)
    assert evaluation.caps_applied == [cap("2.3", "Phong cách, ghi nhãn", "3.00", "2.00", 4)]


def test_missing_a_five_star_minimum_caps_a_five_star_band_at_four():
    # Distribution without modern channels (3 points; the ★5 minimum is 5).
    evaluation = record(choices=with_choices(TOP, **{"4_1": 3}))
    assert evaluation.total_score == Decimal("98.00")
    assert (evaluation.band_stars, evaluation.stars) == (5, 4)
    assert evaluation.caps_applied == [cap("4.1", "Khu vực phân phối chính", "5.00", "3.00", 5)]


def test_a_five_star_band_missing_a_four_star_minimum_is_three_stars():
    evaluation = record(choices=with_choices(TOP, **{"2_3": 2}))
    assert evaluation.total_score == Decimal("99.00")
    assert (evaluation.band_stars, evaluation.stars) == (5, 3)
    assert [c["criterion"] for c in evaluation.caps_applied] == ["2.3"]


def test_every_missed_minimum_is_named_and_the_lowest_cap_wins():
    evaluation = record(choices=with_choices(TOP, **{"2_3": 2, "4_1": 3}))
    assert (evaluation.band_stars, evaluation.stars) == (5, 3)
    assert sorted((c["criterion"], c["min_star"]) for c in evaluation.caps_applied) == [
        ("2.3", 4),
        ("4.1", 5),
    ]


def sheet_options(choices: dict) -> list[CriterionOption]:
    options = CriterionOption.objects.filter(
        criterion__group__product_set=product_set(1)
    ).select_related("criterion")
    by_key = {(o.criterion.code, o.points): o for o in options}
    return [by_key[(code, Decimal(points))] for code, points in choices.items()]


def test_five_star_minima_cap_only_a_five_star_band():
    # STAR4 misses the ★5 minima of 1.3, 1.5 and 4.1: no cap at 74 points, ★4 at 95.
    options = sheet_options(STAR4)
    fw = framework("QD26-2026")
    at_74 = evaluation_stars(framework=fw, total_score=Decimal("74"), chosen_options=options)
    assert (at_74.band_stars, at_74.stars, at_74.caps) == (4, 4, [])
    at_95 = evaluation_stars(framework=fw, total_score=Decimal("95"), chosen_options=options)
    assert (at_95.band_stars, at_95.stars) == (5, 4)
    assert sorted((c["criterion"], c["min_star"]) for c in at_95.caps) == [
        ("1.3", 5),
        ("1.5", 5),
        ("4.1", 5),
    ]


def test_a_missed_three_star_minimum_leaves_the_product_unrecognised():
    # No creative packaging (1 point; the ★3 minimum is 2) on an otherwise ★4 product.
    product = ProductFactory(product_set=product_set(1))
    evaluation = record(product=product, choices=with_choices(STAR4, **{"2_2": 1}))
    assert (evaluation.total_score, evaluation.band_stars, evaluation.stars) == (
        Decimal("73.00"),
        4,
        2,
    )
    assert evaluation.caps_applied == [cap("2.2", "Đóng gói, bao bì", "2.00", "1.00", 3)]
    with pytest.raises(RegistryError) as error:
        certificate_issue(evaluation=evaluation, decision=DecisionFactory())
    assert error.value.code == "not_recognised"
    assert not Certificate.objects.filter(product=product).exists()


def test_caps_need_the_chosen_options_total_alone_caps_nothing():
    # A decision that lists only the average cannot show a missed minimum.
    evaluation = record(total_score=Decimal("73.00"))
    assert (evaluation.stars, evaluation.caps_applied) == (4, [])


def test_a_choice_not_on_the_sheet_is_refused_and_nothing_is_written():
    with pytest.raises(RegistryError) as unknown:
        record(choices=with_choices(STAR4, **{"99_1": 1}))
    assert (unknown.value.code, unknown.value.field) == ("not_found", "choices")
    with pytest.raises(RegistryError) as no_option:
        record(choices=with_choices(STAR4, **{"2_3": Decimal("2.5")}))
    assert (no_option.value.code, no_option.value.field) == ("invalid", "choices")
    assert Evaluation.objects.count() == EvaluationPart.objects.count() == 0


# --- partial score sheets -----------------------------------------------------------------------


def test_an_incomplete_sheet_is_refused_naming_the_missing_criteria():
    partial = {k: v for k, v in with_choices(TOP).items() if k not in ("2.3", "7")}
    with pytest.raises(RegistryError) as error, translation.override("en"):
        record(choices=partial)
    assert (error.value.code, error.value.field) == ("incomplete", "choices")
    assert str(error.value.message) == (
        "The score sheet is incomplete: 2.3, 7 not scored. Score every criterion, or record the "
        "result as provisional."
    )
    assert Evaluation.objects.count() == 0


def test_a_provisional_result_counts_an_unscored_minimum_as_missed():
    # 2.3 carries the ★3 and ★4 minima: unscored, it caps the 97 points at ★2.
    partial = {k: v for k, v in with_choices(TOP).items() if k != "2.3"}
    evaluation = record(choices=partial, provisional=True)
    assert (evaluation.provisional, evaluation.missing_criteria) == (True, ["2.3"])
    assert (evaluation.total_score, evaluation.band_stars, evaluation.stars) == (
        Decimal("97.00"),
        5,
        2,
    )
    caps = sorted(
        (c["criterion"], c["capped_to"], c["chosen_points"]) for c in evaluation.caps_applied
    )
    assert caps == [("2.3", 2, None), ("2.3", 3, None)]


def test_a_provisional_result_is_never_certified():
    partial = {k: v for k, v in with_choices(TOP).items() if k != "7"}
    decision = DecisionFactory()
    evaluation = record(choices=partial, provisional=True, decision=decision, level="central")
    with pytest.raises(RegistryError) as error:
        certificate_issue(evaluation=evaluation, decision=decision)
    assert (error.value.code, error.value.field) == ("provisional", "evaluation")
    assert Certificate.objects.count() == 0


def test_a_complete_sheet_is_not_provisional():
    evaluation = record(choices=with_choices(TOP))
    assert (evaluation.provisional, evaluation.missing_criteria) == (False, [])


def test_the_api_says_a_result_is_provisional_and_which_criteria_are_missing(client):
    from graphql_relay import to_global_id

    from tests.support.graphql import GraphQLClient

    partial = {k: v for k, v in with_choices(TOP).items() if k not in ("2.3", "7")}
    provisional = record(choices=partial, provisional=True)
    complete = record(choices=with_choices(TOP))
    query = """query ($id: ID!) { node(id: $id) {
        ... on Evaluation { provisional missingCriteria stars } } }"""
    gql = GraphQLClient(client)
    answers = [
        gql(query, {"id": to_global_id("Evaluation", evaluation.pk)})["node"]
        for evaluation in (provisional, complete)
    ]
    assert answers == [
        {"provisional": True, "missingCriteria": ["2.3", "7"], "stars": 2},
        {"provisional": False, "missingCriteria": [], "stars": 5},
    ]
