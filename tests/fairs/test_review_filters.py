"""The organiser's review page filters applications by status, the seller's province, the
product set of a product brought and the stars brought (the API's are in
tests/graphql/test_fairs_api.py)."""

import datetime

import pytest

from catalog.models import Certificate
from marketplace.fairs.services import application_waitlist
from tests.factories import product_set, province
from tests.factories_fairs import FairFactory, organiser_member
from tests.fairs.helpers import applied

pytestmark = pytest.mark.django_db


def test_the_review_page_filters_by_status_province_product_set_and_stars(client):
    organiser, user = organiser_member(role="staff")
    _organiser, manager = organiser_member(organiser)
    fair = FairFactory(organiser=organiser)
    ha_long = applied(fair=fair, name="HTX Hạ Long", province=province("22"))
    sai_gon = applied(fair=fair, name="HTX Sài Gòn", province=province("79"))
    tea = applied(fair=fair, name="HTX Chè", province=province("22"))
    product = tea.offers.get().variant.product
    product.product_set = product_set(1)
    product.save()
    stars = {ha_long: 3, sai_gon: 4, tea: 5}
    for application, count in stars.items():
        product = application.offers.get().variant.product
        Certificate.objects.filter(product=product).update(stars=count)
    application_waitlist(application=sai_gon, actor=manager)

    client.force_login(user)
    page = f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/"

    def listed(**filters):
        body = client.get(page, filters).content.decode()
        return [a for a in (ha_long, sai_gon, tea)
                if f'class="offer-row" id="application-{a.pk}"' in body]  # fmt: skip

    assert listed() == [ha_long, sai_gon, tea]
    assert listed(status="waitlisted") == [sai_gon]
    assert listed(province=province("22").pk) == [ha_long, tea]
    assert listed(product_set=product_set(1).pk) == [tea]
    assert listed(stars=4) == [sai_gon, tea]
    assert listed(stars=5, province=province("22").pk) == [tea]


def test_the_review_page_flags_a_product_whose_certificate_lapses_before_the_fair_ends(client):
    organiser, user = organiser_member(role="staff")
    fair = FairFactory(organiser=organiser)
    lapsing = applied(fair=fair, name="HTX Hết hạn")
    sound = applied(fair=fair, name="HTX Còn hạn")
    product = lapsing.offers.get().variant.product
    Certificate.objects.filter(product=product).update(
        valid_until=fair.ends_on - datetime.timedelta(days=1)
    )
    client.force_login(user)
    body = client.get(f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/").content.decode()
    rows = {
        application: body.split(f'id="application-{application.pk}"')[1].split("</li>\n")[0]
        for application in (lapsing, sound)
    }
    assert rows[lapsing].count("data-lapsing") == 1
    assert "data-lapsing" not in rows[sound]
