"""One structured log line per request, the request id in and out, JSON in production."""

import json
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.request_log import JsonFormatter, RequestIdFilter, current_request_id
from sellers.services import api_token_create
from tests.factories import BusinessFactory, UserFactory, member
from tests.ops.test_settings import REAL_KEY, production, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger="marketplace.request")

    def records():
        return [r for r in caplog.records if r.name == "marketplace.request"]

    return records


def test_one_line_per_request_with_its_facts(client, lines):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/san-pham/")
    assert response.status_code == 200
    [record] = lines()
    assert record.getMessage() == "GET /san-pham/ 200"
    assert (record.method, record.path, record.status) == ("GET", "/san-pham/", 200)
    assert record.sql_count == len(captured.captured_queries) > 0
    assert isinstance(record.duration_ms, float) and record.duration_ms > 0
    assert (record.user_id, record.token_id) == (None, None)
    # A new id: returned to the caller and logged.
    assert len(response["X-Request-ID"]) == 32
    assert record.request_id == response["X-Request-ID"]


def test_a_plausible_caller_id_is_kept_and_an_implausible_one_replaced(client, lines):
    response = client.get("/san-pham/", HTTP_X_REQUEST_ID="lb-7f3a.91:edge")
    assert response["X-Request-ID"] == "lb-7f3a.91:edge"
    response = client.get("/san-pham/", HTTP_X_REQUEST_ID='bad id "quoted"\n')
    assert len(response["X-Request-ID"]) == 32 and " " not in response["X-Request-ID"]
    response = client.get("/san-pham/", HTTP_X_REQUEST_ID="x" * 129)
    assert len(response["X-Request-ID"]) == 32
    assert lines()[0].request_id == "lb-7f3a.91:edge"


def test_the_signed_in_user_and_the_api_token_are_named(client, lines):
    user = UserFactory()
    client.force_login(user)
    client.get("/tai-khoan/")
    assert lines()[-1].user_id == user.pk
    client.logout()

    holder = BusinessFactory()
    token, raw = api_token_create(business=holder, user=member(holder, "owner"), name="Cổng")
    client.post(
        "/graphql/",
        json.dumps({"query": "{ __typename }"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert (lines()[-1].path, lines()[-1].token_id) == ("/graphql/", token.pk)


def test_errors_and_redirects_are_logged_too(client, lines):
    assert client.get("/khong-co-trang-nay/").status_code == 404
    assert lines()[-1].status == 404


def test_health_probes_are_not_logged(client, lines):
    client.get("/healthz")
    client.get("/readyz")
    assert lines() == []


def test_records_logged_during_a_request_carry_its_id(client, caplog):
    # A 404 is logged by Django after the last middleware has returned.
    caplog.handler.addFilter(RequestIdFilter())
    client.get("/san-pham/khong-co-san-pham-nay/", HTTP_X_REQUEST_ID="req-42")
    [warning] = [r for r in caplog.records if r.name == "django.request"]
    assert warning.request_id == "req-42"
    assert current_request_id() is None  # forgotten once the response is closed
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "m", None, None)
    assert RequestIdFilter().filter(record) and record.request_id == "-"


def test_the_json_formatter_writes_one_object_a_line():
    record = logging.LogRecord(
        "marketplace.request", logging.INFO, __file__, 1, "%s %s", ("GET", "/"), None
    )
    record.request_id = "abc"
    record.status = 200
    record.sql_count = 3
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET /"
    assert (entry["level"], entry["logger"], entry["request_id"]) == (
        "INFO",
        "marketplace.request",
        "abc",
    )
    assert (entry["status"], entry["sql_count"]) == (200, 3)
    assert entry["time"].endswith("+00:00")
    try:
        raise ValueError("Mật ong")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: Mật ong" in entry["exception"]


def test_production_logs_json_and_development_text():
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.LOG_FORMAT, s.LOGGING['handlers']['console']['formatter'])"
    )
    prod = run(["-c", show], **production(SECRET_KEY=REAL_KEY, ALLOWED_HOSTS="ocop.example.vn"))
    assert prod.stdout.split() == ["json", "json"], prod.stderr
    assert run(["-c", show]).stdout.split() == ["text", "text"]
    assert run(["-c", show], LOG_FORMAT="json").stdout.split() == ["json", "json"]
    refused = run(["-c", show], LOG_FORMAT="xml")
    assert refused.returncode != 0 and "LOG_FORMAT" in refused.stderr
