"""The shared pieces in core.graphql, tested on their own."""

import graphene
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from graphql import GraphQLError, parse, validate
from graphql_relay import to_global_id

from api.schema import Query, schema
from api.types import Business as BusinessType
from catalog.errors import RegistryError
from core.graphql.errors import ErrorCode, errors_from_exception
from core.graphql.mutations import BaseMutation
from core.graphql.relay import from_global_id_or_error
from core.graphql.validation import CostLimitRule
from sellers.errors import PermissionDenied as SellerPermissionDenied
from sellers.models import Business
from tests.factories import BusinessFactory, UserFactory

# --- global IDs ----------------------------------------------------------------------------------


def test_global_id_of_the_expected_type_gives_its_primary_key():
    assert from_global_id_or_error(to_global_id("Product", 42), "Product") == 42
    assert from_global_id_or_error(to_global_id("Business", 7), BusinessType) == 7


@pytest.mark.parametrize(
    ("global_id", "message"),
    [
        (
            to_global_id("Certificate", 42),
            "Expected an ID of a Product, got an ID of a Certificate.",
        ),
        ("42", "“42” is not a valid ID."),
        ("", "“” is not a valid ID."),
        (
            to_global_id("Product", "0"),
            f"“{to_global_id('Product', '0')}” is not a valid Product ID.",
        ),
        (
            to_global_id("Product", "-3"),
            f"“{to_global_id('Product', '-3')}” is not a valid Product ID.",
        ),
        (
            to_global_id("Product", "1 OR 1=1"),
            f"“{to_global_id('Product', '1 OR 1=1')}” is not a valid Product ID.",
        ),
    ],
)
def test_malformed_or_foreign_global_ids_raise_a_coded_error(global_id, message):
    with pytest.raises(GraphQLError) as caught:
        from_global_id_or_error(global_id, "Product")
    assert caught.value.message == message
    assert caught.value.extensions == {"code": "INVALID"}


# --- mutation errors -----------------------------------------------------------------------------


def test_domain_errors_become_mutation_errors_with_their_code_and_field():
    (error,) = errors_from_exception(
        RegistryError("Part C scores 40, outside 0–35.", code="out_of_range", field="part_scores")
    )
    assert (error.field, error.message, error.code) == (
        "part_scores",
        "Part C scores 40, outside 0–35.",
        ErrorCode.OUT_OF_RANGE,
    )
    (denied,) = errors_from_exception(SellerPermissionDenied("Not your business."))
    assert (denied.field, denied.code) == (None, ErrorCode.PERMISSION_DENIED)
    (unknown,) = errors_from_exception(RegistryError("Odd.", code="something_new"))
    assert unknown.code == ErrorCode.INVALID


def test_django_errors_become_mutation_errors():
    errors = errors_from_exception(
        ValidationError({"name": ValidationError("Required.", code="required")})
    )
    assert [(e.field, e.message, e.code) for e in errors] == [
        ("name", "Required.", ErrorCode.REQUIRED)
    ]
    (denied,) = errors_from_exception(PermissionDenied())
    assert (denied.field, denied.message, denied.code) == (
        None,
        "You do not have permission to do this.",
        ErrorCode.PERMISSION_DENIED,
    )


def test_bugs_are_not_turned_into_mutation_errors():
    assert errors_from_exception(KeyError("x")) is None


# --- the base mutation, through a test-only schema ----------------------------------------------


class RenameBusiness(BaseMutation):
    """Staff only. Writes the new name, then refuses "Boom" — which must roll the write back."""

    class Arguments:
        id = graphene.ID(required=True)
        name = graphene.String(required=True)

    business = graphene.Field(BusinessType)

    @classmethod
    def check_permissions(cls, info, **data):
        return info.context.user.is_staff

    @classmethod
    def perform_mutation(cls, root, info, id, name):
        business = Business.objects.get(pk=from_global_id_or_error(id, BusinessType))
        business.name = name
        business.save(update_fields=["name"])
        if name == "Boom":
            raise RegistryError("Not a business name.", code="invalid", field="name")
        return cls(business=business, errors=[])


class Forgetful(BaseMutation):
    """Declares no permission check: the default refuses."""

    ok = graphene.Boolean()

    @classmethod
    def perform_mutation(cls, root, info):  # pragma: no cover - never reached
        raise AssertionError("must not run")


class MutationsForTests(graphene.ObjectType):
    rename_business = RenameBusiness.Field()
    forgetful = Forgetful.Field()


schema_for_tests = graphene.Schema(query=Query, mutation=MutationsForTests)

RENAME = """mutation ($id: ID!, $name: String!) { renameBusiness(id: $id, name: $name) {
    business { name } errors { field message code } } }"""


class Context:
    def __init__(self, user):
        self.user = user


def rename(user, business, name):
    result = schema_for_tests.execute(
        RENAME,
        variables={"id": to_global_id("Business", business.pk), "name": name},
        context_value=Context(user),
    )
    assert result.errors is None, result.errors
    return result.data["renameBusiness"]


@pytest.mark.django_db
def test_permission_failure_is_an_error_and_changes_nothing():
    business = BusinessFactory(name="HTX Tiên Yên")

    data = rename(UserFactory(), business, "Đổi tên")

    assert data == {
        "business": None,
        "errors": [
            {
                "field": None,
                "message": "You do not have permission to do this.",
                "code": "PERMISSION_DENIED",
            }
        ],
    }
    business.refresh_from_db()
    assert business.name == "HTX Tiên Yên"


@pytest.mark.django_db
def test_allowed_mutation_returns_its_object_and_no_errors():
    business = BusinessFactory(name="HTX Tiên Yên")

    data = rename(UserFactory(is_staff=True), business, "HTX Mật ong Tiên Yên")

    assert data == {"business": {"name": "HTX Mật ong Tiên Yên"}, "errors": []}
    business.refresh_from_db()
    assert business.name == "HTX Mật ong Tiên Yên"


@pytest.mark.django_db
def test_domain_error_half_way_rolls_back_and_is_reported():
    business = BusinessFactory(name="HTX Tiên Yên")

    data = rename(UserFactory(is_staff=True), business, "Boom")

    assert data == {
        "business": None,
        "errors": [{"field": "name", "message": "Not a business name.", "code": "INVALID"}],
    }
    business.refresh_from_db()
    assert business.name == "HTX Tiên Yên"


@pytest.mark.django_db
def test_a_mutation_that_declares_no_permission_is_refused():
    result = schema_for_tests.execute(
        "mutation { forgetful { ok errors { code } } }", context_value=Context(UserFactory())
    )
    assert result.errors is None
    assert result.data == {"forgetful": {"ok": None, "errors": [{"code": "PERMISSION_DENIED"}]}}


# --- the cost formula ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        ('{ product(slug: "x") { name slug } }', 3),
        # products 1 + 10 * (edges 1 + node 1 + name 1) = 31
        ("{ products(first: 10) { edges { node { name } } } }", 31),
        # totalCount and pageInfo sit inside the connection too: 1 + 5 * (1 + 1 + 1) = 16
        ("{ products(last: 5) { totalCount pageInfo { hasNextPage } } }", 16),
        # no page size: counted at 100
        ("{ products { totalCount } }", 101),
        # plain lists are not multiplied: product 1 + variants 1 + name 1
        ('{ product(slug: "x") { variants { name } } }', 3),
    ],
)
def test_cost_formula(settings, query, cost):
    settings.GRAPHQL_MAX_COST = cost
    assert validate(schema.graphql_schema, parse(query), [CostLimitRule]) == []
    settings.GRAPHQL_MAX_COST = cost - 1
    (error,) = validate(schema.graphql_schema, parse(query), [CostLimitRule])
    assert error.message == f"The query's estimated cost is {cost}; the maximum is {cost - 1}."


# --- typed node fields ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_typed_node_field_refuses_an_id_of_another_type():
    from catalog.graphql.types import CertificateType
    from core.graphql.relay import Node
    from tests.factories import certified_product

    class TypedQuery(Query):
        certificate_by_id = Node.Field(CertificateType)

    typed = graphene.Schema(query=TypedQuery)
    product, _evaluation, certificate = certified_product()
    query = "query ($id: ID!) { certificateById(id: $id) { number } }"

    wrong = typed.execute(query, variables={"id": to_global_id("Product", product.pk)})
    right = typed.execute(query, variables={"id": to_global_id("Certificate", certificate.pk)})

    assert [e.message for e in wrong.errors] == [
        "Expected an ID of a Certificate, got an ID of a Product."
    ]
    assert wrong.errors[0].extensions == {"code": "INVALID"}
    assert wrong.data == {"certificateById": None}
    assert right.errors is None
    assert right.data == {"certificateById": {"number": certificate.number}}
