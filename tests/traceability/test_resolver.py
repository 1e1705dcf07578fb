"""GS1 Digital Link resolver: GET and HEAD answer 307 to the default link with every link in
the ``Link`` header, ``?linkType=`` picks another, malformed paths get 400."""

import json
from urllib.parse import quote

import pytest

from catalog.validators import gtin14, gtin_check_digit
from tests.factories_traceability import stamps_for, traced_product
from traceability import signing
from traceability.models import Scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def traced():
    return traced_product(lot_code="L26%11:A")


@pytest.fixture
def stamp(traced):
    return stamps_for(traced, 1)[1][0]


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_gs1_url_builder(traced, stamp, settings):
    settings.SITE_URL = "https://ocop.example.vn"
    url = signing.stamp_url_gs1(stamp)
    code = signing.stamp_code(stamp)
    padded = gtin14(traced.variant.gtin)
    assert url == (
        f"https://ocop.example.vn/01/{padded}/10/L26%2511%3AA/21/{stamp.serial}?s={code[13:]}"
    )


def test_no_gs1_url_without_gtin(db):
    traced = traced_product(gtin=False)
    assert signing.stamp_url_gs1(stamps_for(traced, 1)[1][0]) is None


@pytest.mark.parametrize("method", ["get", "head"])
def test_serialised_link_redirects_307_to_the_scan_page(client, traced, stamp, method):
    response = getattr(client, method)(_path(signing.stamp_url_gs1(stamp)))
    code = signing.stamp_code(stamp)
    assert response.status_code == 307
    assert response["Location"] == f"/s/{code}/"
    assert "no-store" in response["Cache-Control"]
    link = response["Link"]
    assert f'<http://testserver/s/{code}/>; rel="gs1:traceability"' in link
    assert f'<http://testserver/san-pham/{traced.product.slug}/>; rel="gs1:pip"' in link
    assert (
        f"<http://testserver/chung-nhan/{quote(traced.certificate.number)}/>; "
        'rel="gs1:certificationInfo"'
    ) in link
    assert f'<http://testserver/s/{code}/>; rel="gs1:defaultLink"' in link
    assert Scan.objects.count() == 0  # the scan page records the scan, not the redirect


@pytest.mark.parametrize(
    "link_type",
    ["gs1:certificationInfo", "certificationInfo", "https://gs1.org/voc/certificationInfo"],
)
def test_link_type_redirects_to_that_link(client, traced, stamp, link_type):
    path = _path(signing.stamp_url_gs1(stamp))
    response = client.get(f"{path}&linkType={quote(link_type, safe='')}")
    assert response.status_code == 307
    assert response["Location"] == f"/chung-nhan/{quote(traced.certificate.number)}/"


def test_link_type_pip_and_unknown(client, traced, stamp):
    path = _path(signing.stamp_url_gs1(stamp))
    assert client.get(f"{path}&linkType=gs1:pip")["Location"] == f"/san-pham/{traced.product.slug}/"
    # A link type the item does not have falls back to the default link.
    assert (
        client.get(f"{path}&linkType=gs1:recipeInfo")["Location"]
        == f"/s/{signing.stamp_code(stamp)}/"
    )


def test_link_type_all_lists_the_linkset(client, traced, stamp):
    response = client.get(_path(signing.stamp_url_gs1(stamp)) + "&linkType=all")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/linkset+json"
    (entry,) = json.loads(response.content)["linkset"]
    assert set(entry) == {
        "anchor",
        "https://gs1.org/voc/traceability",
        "https://gs1.org/voc/pip",
        "https://gs1.org/voc/certificationInfo",
        "https://gs1.org/voc/defaultLink",
    }


def test_gtin_alone_redirects_to_the_product_page(client, traced):
    for gtin in (traced.variant.gtin, gtin14(traced.variant.gtin)):
        for method in ("get", "head"):
            response = getattr(client, method)(f"/01/{gtin}")
            assert response.status_code == 307
            assert response["Location"] == f"/san-pham/{traced.product.slug}/"
            assert 'rel="gs1:pip"' in response["Link"]
            assert 'rel="gs1:certificationInfo"' in response["Link"]
    certification = client.get(f"/01/{traced.variant.gtin}/", {"linkType": "gs1:certificationInfo"})
    assert certification["Location"] == f"/chung-nhan/{quote(traced.certificate.number)}/"


def test_unknown_gtin_is_404(client, traced):
    body = "893999999999"
    assert client.get(f"/01/{body}{gtin_check_digit(body)}").status_code == 404


def test_forged_serial_or_signature_is_not_recognised(client, traced, stamp):
    url = signing.stamp_url_gs1(stamp)
    path = _path(url)
    good_sig = path.rsplit("s=", 1)[1]
    bad_sig = good_sig[:-1] + ("A" if good_sig[-1] != "A" else "B")
    for candidate in (
        path.replace(good_sig, bad_sig),
        path.split("?")[0],  # no signature
        path.replace(stamp.serial, "AAAAAAAAAAAAA"),
    ):
        response = client.get(candidate)
        assert response.status_code == 404
        assert 'data-verdict="not_recognised"' in response.content.decode()


def test_a_genuine_signature_on_another_lot_or_gtin_is_not_recognised(client, traced, stamp):
    path = _path(signing.stamp_url_gs1(stamp))
    assert client.get(path.replace("/10/L26%2511%3AA/", "/10/OTHER/")).status_code == 404
    other_body = "893555555555"
    other = other_body + str(gtin_check_digit(other_body))
    assert client.get(path.replace(gtin14(traced.variant.gtin), gtin14(other))).status_code == 404


@pytest.mark.parametrize(
    "suffix",
    [
        "/01/8930000000001",  # wrong check digit (…0 is right for this body? checked below)
        "/01/12345",  # wrong length
        "/01/89300000000x4",
        "/01/{gtin}/21/SERIAL/10/LOT",  # qualifiers out of order
        "/01/{gtin}/10/LOT/10/LOT2",  # repeated AI
        "/01/{gtin}/99/X",  # unknown AI
        "/01/{gtin}/10",  # AI without a value
        "/01/{gtin}/10/L%20T",  # a space is not a GS1 character
        "/01/{gtin}/10/" + "X" * 21,  # over 20 characters
        "/01/{gtin}/10/L%C3%B4",  # "ô" is not a GS1 character
    ],
)
def test_malformed_paths_are_400(client, traced, suffix):
    path = suffix.replace("{gtin}", gtin14(traced.variant.gtin))
    if path == "/01/8930000000001":
        assert gtin_check_digit("893000000000") != 1
    for method in ("get", "head"):
        response = getattr(client, method)(path)
        assert response.status_code == 400, path


def test_resolver_refuses_post(client, traced):
    assert client.post(f"/01/{traced.variant.gtin}").status_code == 405
