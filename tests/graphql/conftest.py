import pytest
from django.utils import translation

from tests.support.graphql import GraphQLClient


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests are about the API's behaviour and assert its English messages; an integrator
    gets English by asking for it (Accept-Language), Vietnamese by default (tests/i18n)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def gql(client):
    return GraphQLClient(client)
