"""A location's availability window (a fair booth's days) decides "in stock" for every reader —
the listing's cards and in-stock filter, search documents, the API's inStock filter — and the
nightly turn tells search and cached pages when a window opens or closes with the date alone."""

import datetime
import re

import pytest
from django.utils import timezone

from core.jobs import job_start
from core.models import JobState
from marketplace.offers.models import StockLocation
from marketplace.offers.services import stock_windows_turn
from search.models import SearchDocument
from tests.fairs.helpers import booth_selling
from tests.support.graphql import GraphQLClient

pytestmark = pytest.mark.django_db

LIST = "/san-pham/"


def _in_stock_names(client) -> list[str]:
    response = client.get(LIST, {"in_stock": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a></h3>', response.text)


def _api_in_stock_names(client) -> list[str]:
    data = GraphQLClient(client)(
        "{ products(first: 10, inStock: true) { edges { node { name } } } }"
    )
    return [edge["node"]["name"] for edge in data["products"]["edges"]]


def _indexed_in_stock(product) -> bool:
    return SearchDocument.objects.get(kind="product", object_id=product.pk).in_stock


def _window(location, start: datetime.date, end: datetime.date) -> None:
    # As the calendar would: the dates pass, nothing is written, nobody is told.
    StockLocation.objects.filter(pk=location.pk).update(available_from=start, available_until=end)


def test_booth_units_are_in_stock_on_the_fairs_days_for_the_listing_search_and_api(client):
    shop = booth_selling(quantity=3)
    product = shop["offer"].variant.product
    assert _in_stock_names(client) == [product.name]
    assert _api_in_stock_names(client) == [product.name]
    assert _indexed_in_stock(product) is True


def test_the_day_after_the_fair_the_turn_takes_booth_units_out_of_stock_everywhere(client):
    shop = booth_selling(quantity=3)
    product, location = shop["offer"].variant.product, shop["location"]
    today = timezone.localdate()
    _window(location, today - datetime.timedelta(days=3), today - datetime.timedelta(days=1))
    assert _indexed_in_stock(product) is True  # not told yet: the date alone changed

    assert stock_windows_turn(today=today) == 1

    assert _indexed_in_stock(product) is False
    assert _in_stock_names(client) == []
    assert _api_in_stock_names(client) == []


def test_the_turn_announces_a_window_opening_today_or_yesterday_and_nothing_else():
    shop = booth_selling(quantity=3)
    location = shop["location"]
    today = timezone.localdate()
    _window(location, today + datetime.timedelta(days=5), today + datetime.timedelta(days=7))
    assert stock_windows_turn(today=today) == 0
    assert stock_windows_turn(today=today + datetime.timedelta(days=4)) == 0
    assert stock_windows_turn(today=today + datetime.timedelta(days=5)) == 1
    # A missed nightly run is caught up the next night.
    assert stock_windows_turn(today=today + datetime.timedelta(days=6)) == 1
    assert stock_windows_turn(today=today + datetime.timedelta(days=7)) == 0
    assert stock_windows_turn(today=today + datetime.timedelta(days=8)) == 1
    assert stock_windows_turn(today=today + datetime.timedelta(days=9)) == 1
    assert stock_windows_turn(today=today + datetime.timedelta(days=10)) == 0


def test_an_empty_booth_is_not_announced():
    shop = booth_selling(quantity=0)
    today = timezone.localdate()
    _window(shop["location"], today, today + datetime.timedelta(days=2))
    assert stock_windows_turn(today=today) == 0


def test_the_scheduled_job_runs_the_turn_for_today(django_capture_on_commit_callbacks):
    shop = booth_selling(quantity=3)
    product = shop["offer"].variant.product
    today = timezone.localdate()
    _window(
        shop["location"], today - datetime.timedelta(days=3), today - datetime.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(task="offers.stock_windows_turn")
    job.refresh_from_db()
    assert (job.state, job.result) == (JobState.DONE, {"offers": 1})
    assert _indexed_in_stock(product) is False
