"""Absolute links: SITE_URL when set, else the origin of the request being served (issue 15: a
development server on another port than 8000 linked its QR codes and e-mails to port 8000)."""

import pytest
from django.core import mail
from django.test import Client

from core.site import DEVELOPMENT_ORIGIN, site_url
from marketplace.orders.models import Order
from tests.factories_orders import offer_in_stock

pytestmark = pytest.mark.django_db


def test_site_url_setting_wins(settings, rf):
    settings.SITE_URL = "https://cho-ocop.vn/"
    assert site_url(rf.get("/", HTTP_HOST="127.0.0.1:8123")) == "https://cho-ocop.vn"
    assert site_url() == "https://cho-ocop.vn"


def test_without_site_url_the_request_origin_is_used(settings, rf):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    assert site_url(rf.get("/", HTTP_HOST="127.0.0.1:8123")) == "http://127.0.0.1:8123"
    assert site_url() == DEVELOPMENT_ORIGIN  # no request at hand: a management command


def test_pages_and_emails_link_to_the_port_being_served(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    honey, _ = offer_in_stock(quantity=5, price=120_000, name="Mật ong Bình Liêu")
    client = Client(HTTP_HOST="127.0.0.1:8123")
    home = client.get("/").content.decode()
    assert '<link rel="canonical" href="http://127.0.0.1:8123/">' in home
    client.post("/gio-hang/them/", {"offer": honey.pk, "quantity": 1})
    delivery = {f"delivery_{honey.seller_id}": "shipping"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/thanh-toan/",
            {
                "email": "lan@example.vn",
                "phone": "0912345678",
                "recipient_name": "Nguyễn Thị Lan",
                "province": "01",
                "commune": "Phường Ba Đình",
                "street": "12 Phố Đội Cấn",
                "payment_method": "cod",
                **delivery,
            },
        )
    (order,) = Order.objects.all()
    (email,) = mail.outbox
    assert f"http://127.0.0.1:8123/don-hang/{order.number}/?t=" in email.body
