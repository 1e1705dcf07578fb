"""GS1 Digital Link resolver: GET and HEAD answer 307 to the default link with every link in
the ``Link`` header, ``?linkType=`` picks another, malformed paths get 400."""

import json
import re
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


# --- every key-qualifier path ---------------------------------------------------------------------


def _parts(stamp):
    """(GTIN-14, percent-encoded lot, serial, signature) of a stamp's printed GS1 link."""
    path = _path(signing.stamp_url_gs1(stamp))
    gtin, lot, serial = re.fullmatch(r"/01/(\d{14})/10/([^/]+)/21/(\w+)\?s=\w+", path).groups()
    return gtin, lot, serial, path.rsplit("s=", 1)[1]


def test_a_serial_without_its_lot_resolves_to_the_scan_page(client, stamp):
    gtin, _lot, serial, signature = _parts(stamp)
    response = client.get(f"/01/{gtin}/21/{serial}?s={signature}")
    assert response.status_code == 307
    assert response["Location"] == f"/s/{signing.stamp_code(stamp)}/"
    assert f'<http://testserver/01/{gtin}/21/{serial}>; rel="owl:sameAs"' in response["Link"]


def test_a_lot_walks_up_to_the_products_links(client, traced):
    gtin = gtin14(traced.variant.gtin)
    response = client.get(f"/01/{gtin}/10/L26%2511%3AA")
    assert response.status_code == 307
    assert response["Location"] == f"/san-pham/{traced.product.slug}/"
    assert response["Link"] == (
        f'<http://testserver/san-pham/{traced.product.slug}/>; rel="gs1:pip"; type="text/html", '
        f"<http://testserver/chung-nhan/{quote(traced.certificate.number)}/>; "
        'rel="gs1:certificationInfo"; type="text/html", '
        f'<http://testserver/san-pham/{traced.product.slug}/>; rel="gs1:defaultLink", '
        f'<http://testserver/01/{gtin}/10/L26%2511%3AA>; rel="owl:sameAs"'
    )


def test_a_consumer_product_variant_is_kept_in_the_links(client, traced, stamp):
    gtin, lot, serial, signature = _parts(stamp)
    path = f"/01/{gtin}/22/V%2F2/10/{lot}/21/{serial}"
    response = client.get(f"{path}?s={signature}")
    assert response.status_code == 400  # "/" in a value cannot be told from the path's own
    path = f"/01/{gtin}/22/HU-500G/10/{lot}/21/{serial}"
    response = client.get(f"{path}?s={signature}")
    assert response.status_code == 307
    assert response["Location"] == f"/s/{signing.stamp_code(stamp)}/"
    assert f'<http://testserver{path}>; rel="owl:sameAs"' in response["Link"]
    linkset = client.get(f"{path}?s={signature}&linkType=linkset")
    (entry,) = json.loads(linkset.content)["linkset"]
    assert entry["anchor"] == f"http://testserver{path}"
    # Without a serial the variant walks up to the product, still named with its /22/.
    response = client.get(f"/01/{gtin}/22/HU-500G")
    assert response["Location"] == f"/san-pham/{traced.product.slug}/"
    assert f'<http://testserver/01/{gtin}/22/HU-500G>; rel="owl:sameAs"' in response["Link"]


def test_data_attributes_are_passed_on_and_link_type_still_honoured(client, traced, stamp):
    path = _path(signing.stamp_url_gs1(stamp))
    code = signing.stamp_code(stamp)
    response = client.get(f"{path}&17=261231")
    assert response["Location"] == f"/s/{code}/?17=261231"
    response = client.get(f"{path}&17=261231&linkType=gs1:pip")
    assert response["Location"] == f"/san-pham/{traced.product.slug}/?17=261231"
    response = client.get(f"{path}&province=quang-ninh&17=261231")
    assert response["Location"] == f"/s/{code}/?province=quang-ninh&17=261231"
    gtin = gtin14(traced.variant.gtin)
    response = client.get(f"/01/{gtin}?17=261200&3103=000500")
    assert response["Location"] == f"/san-pham/{traced.product.slug}/?17=261200&3103=000500"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("17=261332", "Data attribute 17 is a date written YYMMDD, e.g. 261231."),
        ("17=2612", "Data attribute 17 is a date written YYMMDD, e.g. 261231."),
        ("17=270229", "Data attribute 17 is a date written YYMMDD, e.g. 261231."),
        ("17=261231&17=270101", "Data attribute 17 is given twice."),
        ("10=L2611", "AI 10 is a key or key qualifier: it belongs in the path, not after “?”."),
        ("21=X", "AI 21 is a key or key qualifier: it belongs in the path, not after “?”."),
        ("3103=1%C3%B4", "The value of data attribute 3103 holds characters GS1 does not allow."),
        ("12345=1", "12345 is not a GS1 application identifier."),
    ],
)
def test_bad_data_attributes_are_400_saying_what_is_wrong(client, traced, query, message):
    response = client.get(f"/01/{traced.variant.gtin}?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["reason"] == message
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_leap_day_and_a_day_00_are_dates(client, traced):
    for value in ("280229", "261200"):
        assert client.get(f"/01/{traced.variant.gtin}?17={value}").status_code == 307


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/01/8930000000011",
            "The GTIN must have 8, 12, 13 or 14 digits and a correct check digit.",
        ),
        (
            "/01/{gtin}/21/S/10/L",
            "Key qualifiers come once each, in the order 22, 10, 21: 10 is out of place.",
        ),
        (
            "/01/{gtin}/10/L/22/V",
            "Key qualifiers come once each, in the order 22, 10, 21: 22 is out of place.",
        ),
        ("/01/{gtin}/99/X", "AI 99 is not a key qualifier of a GTIN (22, 10 or 21)."),
        ("/01/{gtin}/21", "AI 21 has no value."),
        (
            "/01/{gtin}/10//21/S",
            "The value of AI 10 must be 1 to 20 characters: letters without accents, digits and !\"%&'()*+,-.:;<=>?_ (percent-encoded in the link).",
        ),
    ],
)
def test_the_400_page_says_what_is_wrong(client, traced, path, message):
    response = client.get(path.replace("{gtin}", traced.variant.gtin), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["reason"] == message


@pytest.mark.parametrize("length", [8, 12, 13, 14])
def test_every_gtin_length_resolves_and_its_check_digit_is_checked(client, length):
    body = "9" + "3" * (length - 2)
    gtin = body + str(gtin_check_digit(body))
    traced = traced_product()
    traced.variant.gtin = gtin
    traced.variant.save(update_fields=["gtin"])
    for given in {gtin, gtin14(gtin)}:
        response = client.get(f"/01/{given}")
        assert response.status_code == 307
        assert response["Location"] == f"/san-pham/{traced.product.slug}/"
        assert f'<http://testserver/01/{gtin14(gtin)}>; rel="owl:sameAs"' in response["Link"]
    wrong = body + str((gtin_check_digit(body) + 1) % 10)
    assert client.get(f"/01/{wrong}").status_code == 400
    # A stamp of that pack is printed with the GTIN-14 and resolves.
    _run, (stamp,), _pins = stamps_for(traced, 1)
    url = signing.stamp_url_gs1(stamp)
    assert f"/01/{gtin14(gtin)}/10/" in url
    assert client.get(_path(url)).status_code == 307


def test_percent_encoded_values_are_decoded_and_raw_reserved_characters_refused(client, stamp):
    gtin, lot, serial, signature = _parts(stamp)
    assert lot == "L26%2511%3AA"  # the lot L26%11:A, encoded as GS1 asks
    assert client.get(f"/01/{gtin}/10/{lot}/21/{serial}?s={signature}").status_code == 307
    # "%11" unencoded is a control character once decoded: not a GS1 character.
    assert client.get(f"/01/{gtin}/10/L26%11:A/21/{serial}?s={signature}").status_code == 400


def test_options_answers_for_cross_origin_scanners(client, traced):
    response = client.options(f"/01/{traced.variant.gtin}")
    assert response.status_code == 204
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_accept_linkset_json_gets_the_linkset(client, traced):
    response = client.get(f"/01/{traced.variant.gtin}", HTTP_ACCEPT="application/linkset+json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/linkset+json"


# --- the resolver description file ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "head"])
def test_well_known_gs1resolver_describes_the_resolver(client, settings, method):
    settings.SITE_URL = "https://cho-ocop.gov.vn/"
    response = getattr(client, method)("/.well-known/gs1resolver")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age=86400" in response["Cache-Control"]
    if method == "get":
        assert json.loads(response.content) == {
            "name": "OCOP Marketplace",
            "resolverRoot": "https://cho-ocop.gov.vn",
            "supportedPrimaryKeys": ["01"],
            "supportedLinkType": [{"namespace": "https://gs1.org/voc/", "prefix": "gs1:"}],
            "linkTypeDefaultCanBeLinkset": False,
            "jsonLdContextLocation": "https://ref.gs1.org/standards/resolver/linkset-context",
        }
    assert client.post("/.well-known/gs1resolver").status_code == 405


def test_the_400_page_speaks_vietnamese_by_default(client, traced):
    response = client.get(f"/01/{traced.variant.gtin}/21")
    assert response.status_code == 400
    assert "AI 21 không có giá trị." in response.content.decode()
